//! The export's error: whose fault, and whether doing the step again can help.

/// Errors of the export, each saying whether a retry can help.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// A setting is unusable.
    #[error("configuration error: {setting}: {message}")]
    Config {
        /// The setting.
        setting: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The object store failed.
    #[error("object store {op} {key}: {message}")]
    Store {
        /// What was being done.
        op: &'static str,
        /// The key.
        key: String,
        /// The store's message.
        message: String,
    },
    /// Postgres failed.
    #[error(transparent)]
    Ledger(#[from] auditflow_ledger::LedgerError),
    /// Encoding Parquet failed.
    #[error("parquet encoding: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// The ledger does not hold what its watermark promises (a gap or a doubled position);
    /// `auditflow verify` will say more. Retrying cannot help.
    #[error("ledger chain {chain_id} is inconsistent: {message}")]
    LedgerInconsistent {
        /// The chain.
        chain_id: i32,
        /// What was found.
        message: String,
    },
}

impl ExportError {
    pub(crate) fn store(op: &'static str, key: &str, e: object_store::Error) -> Self {
        ExportError::Store { op, key: key.to_owned(), message: e.to_string() }
    }

    /// Whether doing the same step again later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            ExportError::Store { .. } => true,
            ExportError::Ledger(e) => e.is_retryable(),
            ExportError::Config { .. } | ExportError::Parquet(_) | ExportError::LedgerInconsistent { .. } => false,
        }
    }
}
