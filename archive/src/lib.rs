//! The archive (SPEC §4): exactly-once, Hive-partitioned Parquet on object storage, with
//! signed, chained manifests and an export watermark.
//!
//! The export follows what the ledger committed, never what is in flight: the ledger sink
//! tells the export sink how far each chain's committed head has moved, and the exporter
//! reads the rows back from Postgres by ledger position. Per chain it works in *segments*
//! (a contiguous `chain_seq` range). A segment's range is recorded in Postgres
//! (`audit_export_segments`) before any file is written, and everything written for it —
//! object names, Parquet bytes, the manifest — is a function of that range and the rows in
//! it. So a crash at any point is repaired by doing the recorded segment again: the same
//! objects are overwritten with the same bytes, then the manifest, then the watermark
//! (Postgres first, then the store). A new segment starts only after the previous one's
//! watermark is in Postgres. See `docs/archive.md`.
//!
//! [`anchor`] checks the ledger against the archive's signed manifests (`verify
//! --against-archive`); [`verify`] checks the archive against the ledger (`verify-export`).
#![deny(missing_docs)]

pub mod anchor;
mod error;
pub mod exporter;
mod findings;
pub mod layout;
pub mod manifest;
pub mod ocsf;
pub mod parquet_file;
pub mod store;
pub mod verify;
pub mod verify_archive;

pub use error::ExportError;
pub use exporter::{ExportConfig, ExportHandle, ExportStats, Exporter};
pub use store::Archive;

pub use auditflow_ledger::commit::ChainAdvance;
