//! The OCSF archive (issue 32, `docs/ocsf.md`): the ledger as OCSF 1.3.0 events, one class
//! per file, in Amazon Security Lake's custom-source layout, as Parquet or gzip JSON lines.
//! The exporter writes it exactly once like the main archive (its own watermark and signed
//! manifests); this module is the mapping, the schema and the file format.

mod encode;
mod event;
mod layout;
mod map;
mod schema;

pub use encode::{OcsfEncoder, OcsfFormat};
pub use event::{to_ocsf, write_ocsf};
pub use layout::{file_name, partition_dir, source_name};
pub use map::{classify, LedgerRow, OcsfClass, OCSF_VERSION};
pub use schema::{athena_ddl, class_schema, string_map};

/// Where and how the OCSF archive is written (`[export.ocsf]`).
#[derive(Debug, Clone)]
pub struct OcsfTarget {
    /// The custom sources' name prefix: class `3003` goes to the source `<source>-3003`,
    /// under `<location>/<source>-3003/` (Security Lake takes one class per custom source).
    pub source: String,
    /// The `region=` partition value (Security Lake: the lake's region).
    pub region: String,
    /// The `accountId=` partition value (the AWS account the source writes as).
    pub account_id: String,
    /// Parquet or gzip JSON lines.
    pub format: OcsfFormat,
}
