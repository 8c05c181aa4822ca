//! The export's tuning, as `[export]` in the config file sets it.

use std::time::Duration;

/// Export tuning (`[export]` in the config file).
#[derive(Debug, Clone)]
pub struct ExportConfig {
    /// A committed row is archived within this time (`export.max_delay`, default 60 s): a
    /// segment is cut once its oldest row has waited three quarters of it.
    pub max_delay: Duration,
    /// Files roll at about this many bytes (default 128 MiB).
    pub target_file_bytes: usize,
    /// A segment covers at most this many ledger rows (default 1M); also the largest file.
    pub target_segment_rows: i64,
}

impl Default for ExportConfig {
    fn default() -> Self {
        ExportConfig {
            max_delay: Duration::from_secs(60),
            target_file_bytes: 128 << 20,
            target_segment_rows: 1_000_000,
        }
    }
}
