//! Redis stream consumer-group source.
//!
//! * [`config`]: one documented config struct.
//! * [`reply`]: parsing of XREADGROUP / XAUTOCLAIM / XPENDING replies.
//! * [`reader`]: the async reader task (group creation, recovery, claiming, backpressure).
//! * [`operator`]: the timely source operator fed by the reader.
//! * [`ack`]: which entries may be acknowledged, and the XACK task.
//! * [`reset`]: noticing that Redis lost the stream and its group.
//! * [`retire`]: handing over the entries of consumers an earlier cluster size left.
//! * [`target`]: where Redis is and how to log in (URL, ACL user, TLS files).

pub mod ack;
pub mod config;
mod error;
pub mod operator;
pub mod reader;
pub mod reply;
pub mod reset;
pub mod retire;
pub mod target;

pub use ack::{AckTracker, Acker};
pub use config::RedisStreamConfig;
pub use error::SourceError;
pub use operator::{redis_stream_source, SourceControl};
pub use reset::StreamResets;
pub use retire::retire_consumers;
pub use target::{connect, RedisParam, RedisTarget, RedisTargetError};
