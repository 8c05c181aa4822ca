//! Timely operators of the auditflow dataflow. Operators decide; they do no I/O.
//!
//! * [`verify`]: verifies each entry's HMAC and splits valid events from dead letters.
//! * [`shard`]: routes verified events to the worker owning their ledger shard.
#![deny(missing_docs)]

pub mod shard;
pub mod verify;

pub use shard::ToShards;
pub use verify::{Verify, VerifySettings};
