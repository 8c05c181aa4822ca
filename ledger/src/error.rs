//! The ledger's error: what was being done, the server's message, and whether to retry.

/// A Postgres error with the server's message (tokio-postgres displays only "db error").
fn pg_message(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({}: {})", e, db.code().code(), db.message()),
        None => e.to_string(),
    }
}

/// Errors of the ledger's I/O. Each says whether retrying can help.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
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
    /// The database was migrated with another ledger layout than configured.
    #[error("{0}")]
    Incompatible(String),
    /// The record of commits kept outside the ledger (Redis) could not be read or written.
    #[error("commit journal: {0}")]
    Journal(String),
    /// A zone's chain this process knew is not in the ledger (lost with a failover).
    #[error("{0}")]
    ChainMissing(String),
    /// A streaming standby has not received what the primary committed yet.
    #[error("{0}")]
    StandbyBehind(String),
}

impl LedgerError {
    /// Wraps a Postgres error with what was being done.
    pub fn pg(op: &'static str) -> impl FnOnce(tokio_postgres::Error) -> LedgerError {
        move |source| LedgerError::Postgres { op, source }
    }

    /// Whether the same operation may succeed later (connection loss, server restart,
    /// serialization failure, resource exhaustion) rather than fail forever on this data.
    pub fn is_retryable(&self) -> bool {
        match self {
            LedgerError::Postgres { source, .. } => match source.code() {
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
            LedgerError::Pool(_) => true,
            LedgerError::Incompatible(_) => false,
            LedgerError::Journal(_) | LedgerError::ChainMissing(_) | LedgerError::StandbyBehind(_) => true,
        }
    }
}
