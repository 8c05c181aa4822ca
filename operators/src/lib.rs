//! Timely operators of the auditflow dataflow. Operators decide; they do no I/O.
//!
//! * [`verify`]: verifies each entry's HMAC and splits valid events from dead letters.
//! * [`shard`]: routes verified events to the worker owning their ledger shard.
//! * [`request_trace`]: request traces, reduced by `request_id` (differential).
//! * [`window`]: committed rows as a collection in event time; rows leave as the
//!   watermark passes them (a session window per request), late rows are seen and leave.
//! * [`revocation`]: revocation propagation over the delegation graph (differential
//!   `iterate`) and its violations.
#![deny(missing_docs)]

pub mod request_trace;
pub mod revocation;
pub mod shard;
pub mod verify;
pub mod window;

pub use request_trace::RequestTraces;
pub use revocation::RevocationViews;
pub use shard::ToShards;
pub use verify::{Verify, VerifySettings};
pub use window::ViewWindow;
