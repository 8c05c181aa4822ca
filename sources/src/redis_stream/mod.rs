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
pub mod operator;
pub mod reader;
pub mod reply;
pub mod reset;
pub mod retire;
pub mod target;

pub use ack::{AckTracker, Acker};
pub use config::RedisStreamConfig;
pub use operator::{redis_stream_source, SourceControl};
pub use reset::StreamResets;
pub use retire::retire_consumers;
pub use target::{RedisParam, RedisTarget, RedisTargetError};

/// Errors talking to Redis. All are retried by the reader; they are surfaced for logs.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SourceError {
    /// The connection failed or a command errored.
    #[error("redis {op} on stream `{stream}`: {source}")]
    Redis {
        /// What was being done.
        op: &'static str,
        /// The stream.
        stream: String,
        /// Underlying error.
        #[source]
        source: redis::RedisError,
    },
    /// Redis answered something this reader does not understand.
    #[error("unexpected reply to {op}: {detail}")]
    Protocol {
        /// The command.
        op: &'static str,
        /// What was wrong.
        detail: String,
    },
}

impl SourceError {
    /// Whether retrying may help (every source error is treated as transient).
    pub fn is_retryable(&self) -> bool {
        true
    }
}

/// Opens a multiplexed connection whose response timeout exceeds any BLOCK used on it.
pub async fn connect(
    target: &RedisTarget,
    response_timeout: std::time::Duration,
) -> redis::RedisResult<redis::aio::MultiplexedConnection> {
    let client = target.client()?;
    let config = redis::AsyncConnectionConfig::new()
        .set_response_timeout(Some(response_timeout))
        .set_connection_timeout(Some(std::time::Duration::from_secs(5)));
    client.get_multiplexed_async_connection_with_config(&config).await
}
