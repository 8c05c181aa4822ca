//! Sources of auditflow dataflows.
//!
//! [`redis_stream`] reads the audit stream through a consumer group, one consumer per
//! timely worker: own pending entries first (what a crashed run left unacknowledged), then
//! entries claimed from dead consumers, then new ones, in batches bounded by what the sinks
//! have committed. Entries are acknowledged only when the durable frontier passes the
//! epoch they entered in ([`redis_stream::AckTracker`]).
#![deny(missing_docs)]

pub mod redis_stream;
