//! Sinks of auditflow dataflows: the Postgres ledger and the Redis dead-letter queue.
//!
//! Both follow one pattern ([`epoch_sink`]): buffer what arrives by timely time; once the
//! input frontier passes those times, hand everything complete to an async committer; keep
//! the capabilities until the committer reports the batch durable; then release them. The
//! output frontier of a sink is therefore its *durable* frontier, and a probe after the DLQ
//! sink tells the sources which entries may be acknowledged.
#![deny(missing_docs)]

pub mod adopt;
pub mod dlq;
pub mod epoch_sink;
pub mod export;
pub mod failpoint;
pub mod ledger;
pub mod postgres;
pub mod retention;
pub mod tamper;
pub mod views;

pub use epoch_sink::{epoch_sink, Completion};

/// A Postgres error with the server's message (tokio-postgres displays only "db error").
fn pg_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({}: {})", e, db.code().code(), db.message()),
        None => e.to_string(),
    }
}

/// Errors of the sinks' I/O. Each says whether retrying can help.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    /// Postgres refused or failed an operation.
    #[error("postgres {op}: {}", pg_message(source))]
    Postgres {
        /// What was being done.
        op: &'static str,
        /// Underlying error (never contains the connection string's password).
        #[source]
        source: tokio_postgres::Error,
    },
    /// The pool could not hand out a connection.
    #[error("postgres connection pool: {0}")]
    Pool(String),
    /// Redis failed.
    #[error("redis {op}: {source}")]
    Redis {
        /// What was being done.
        op: &'static str,
        /// Underlying error.
        #[source]
        source: redis::RedisError,
    },
    /// The database was migrated with another ledger layout than configured.
    #[error("{0}")]
    Incompatible(String),
}

impl SinkError {
    /// Wraps a Postgres error with what was being done.
    pub fn pg(op: &'static str) -> impl FnOnce(tokio_postgres::Error) -> SinkError {
        move |source| SinkError::Postgres { op, source }
    }

    /// Whether the same operation may succeed later (connection loss, server restart,
    /// serialization failure, resource exhaustion) rather than fail forever on this data.
    pub fn is_retryable(&self) -> bool {
        match self {
            SinkError::Postgres { source, .. } => match source.code() {
                // Client-side (de)serialization errors are bugs or bad data, not outages.
                None => {
                    let text = source.to_string();
                    !(text.starts_with("error serializing") || text.starts_with("error deserializing"))
                }
                Some(code) => {
                    let class = &code.code()[..2];
                    matches!(class, "08" | "40" | "53" | "55" | "57" | "58" | "XX")
                }
            },
            SinkError::Pool(_) | SinkError::Redis { .. } => true,
            SinkError::Incompatible(_) => false,
        }
    }
}
