//! Timely operators of the auditflow dataflow. Operators decide; they do no I/O.
//!
//! * [`verify`]: verifies each entry's HMAC and splits valid events from dead letters.
//! * [`shard`]: routes verified events to the worker owning their ledger shard.
//! * [`window`]: committed rows in event time: the graph collection (rows leave as the
//!   watermark passes them, late rows are seen for one epoch) and the request traces (a
//!   session window per request, summarised as its rows arrive).
//! * [`feed`]: the views' budget: committed rows go to the views while their unwritten
//!   rows fit it; a chain past it falls behind and the ledger gives its rows back.
//! * [`revocation`]: revocation propagation over the delegation graph (differential
//!   `iterate`) and its violations.
#![deny(missing_docs)]

pub mod feed;
pub mod revocation;
pub mod shard;
pub mod verify;
pub mod window;

pub use feed::ViewsFeed;
pub use revocation::RevocationViews;
pub use shard::ToShards;
pub use verify::{Verify, VerifySettings};
pub use window::ViewWindow;
