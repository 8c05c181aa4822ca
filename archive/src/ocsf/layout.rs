//! Where OCSF files go: Security Lake's custom-source layout under the configured location.
//!
//! ```text
//! <location>/<source>-3002/region=<region>/accountId=<account>/eventDay=<YYYYMMDD>/c0003-s000000000001-000000003000-3002.parquet
//! <location>/_auditflow/manifests/chain=0003/m0000000001.json
//! ```
//!
//! Names come from ledger positions and the class only, so a repaired segment overwrites the
//! same keys. The bookkeeping lives under `_auditflow/`, which Glue, Athena and Security
//! Lake's readers skip.

/// The custom source (and folder) of one class: Security Lake takes one class per source.
///
/// ```
/// assert_eq!(auditflow_archive::ocsf::source_name("auditflow", 3003), "auditflow-3003");
/// ```
pub fn source_name(source: &str, class_uid: i64) -> String {
    format!("{source}-{class_uid}")
}

/// The partition folder of one class and event day.
///
/// ```
/// assert_eq!(
///     auditflow_archive::ocsf::partition_dir("auditflow", 3002, "eu-west-1", "123456789012", "20260301"),
///     "auditflow-3002/region=eu-west-1/accountId=123456789012/eventDay=20260301"
/// );
/// ```
pub fn partition_dir(source: &str, class_uid: i64, region: &str, account_id: &str, event_day: &str) -> String {
    format!("{}/region={region}/accountId={account_id}/eventDay={event_day}", source_name(source, class_uid))
}

/// The file name of part `part` of a segment's events of one class and day.
///
/// ```
/// use auditflow_archive::ocsf::{file_name, OcsfFormat};
/// assert_eq!(file_name(3, 1, 3000, 3002, 0, OcsfFormat::Parquet), "c0003-s000000000001-000000003000-3002.parquet");
/// assert_eq!(file_name(3, 1, 3000, 6003, 1, OcsfFormat::JsonGz), "c0003-s000000000001-000000003000-6003-p1.json.gz");
/// ```
pub fn file_name(
    chain_id: i32,
    from_seq: i64,
    to_seq: i64,
    class_uid: i64,
    part: usize,
    format: super::encode::OcsfFormat,
) -> String {
    let ext = format.extension();
    if part == 0 {
        format!("c{chain_id:04}-s{from_seq:012}-{to_seq:012}-{class_uid}.{ext}")
    } else {
        format!("c{chain_id:04}-s{from_seq:012}-{to_seq:012}-{class_uid}-p{part}.{ext}")
    }
}
