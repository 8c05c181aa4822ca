//! The cluster: several `auditflow run` processes, on one host or many, as one timely
//! computation over one consumer group and one ledger.
//!
//! | module | what it is |
//! |---|---|
//! | [`hostfile`] | the hostfile: one `host:port` per process |
//! | [`hello`] | the handshake that refuses peers of another generation or hostfile |
//! | [`form`] | binding, connecting, accepting, with a countdown and socket timeouts |
//! | [`failstop`] | the panic hook that ends the process when a peer is lost |
//! | [`heartbeat`] | UDP heartbeats that end the process when a peer hangs |
//! | `spec` | the cluster flags, resolved; formation progress |
//!
//! Membership is static (timely's): a cluster of another size is a restart of every
//! process, which then owns the ledger's shards anew and resumes from the watermarks.

pub mod failstop;
mod form;
pub mod heartbeat;
mod hello;
mod hostfile;
mod spec;

pub use form::{form, PEER_LOSS_BOUND};
pub use hello::Hello;
pub use hostfile::Hostfile;
pub use spec::{ordinal_of, resolve, ClusterFlags, ClusterProgress, ClusterSpec};
