//! The timely operators that end auditflow's dataflow: each hands what its input completed to
//! the I/O of another crate and holds its output frontier until that I/O is durable.
//!
//! * [`epoch_sink`]: the pattern they share: buffer by timely time; once the input frontier
//!   passes those times, hand everything complete to an async writer; keep the capabilities
//!   until the writer reports the batch durable; then release them. A sink's output frontier
//!   is therefore its *durable* frontier, and a probe after the DLQ sink tells the sources
//!   which entries may be acknowledged.
//! * [`ledger_sink`]: commits to the ledger ([`auditflow_ledger::commit`]).
//! * [`dlq`]: writes dead letters to the Redis DLQ stream.
//! * [`views_sink`]: writes the live views' tables ([`auditflow_ledger::views`]).
//! * [`export_sink`]: drives the archive ([`auditflow_archive`]).
#![deny(missing_docs)]

pub mod dlq;
pub mod epoch_sink;
pub mod export_sink;
pub mod ledger_sink;
pub mod views_sink;

pub use auditflow_ledger::Completion;
pub use epoch_sink::epoch_sink;
pub use export_sink::ExportSink;
pub use ledger_sink::{LedgerSink, LedgerStreams};
pub use views_sink::ViewSink;

/// The DLQ writer's error: Redis failed (always worth retrying: the entry stays pending).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    /// Redis failed.
    #[error("redis {op}: {source}")]
    Redis {
        /// What was being done.
        op: &'static str,
        /// Underlying error.
        #[source]
        source: redis::RedisError,
    },
}

impl SinkError {
    /// Whether the same operation may succeed later.
    pub fn is_retryable(&self) -> bool {
        match self {
            SinkError::Redis { .. } => true,
        }
    }
}
