//! Where things live in the archive (SPEC §4): Hive-style data paths, deterministic file
//! names, manifest and watermark keys.
//!
//! ```text
//! <prefix>/audit_events/zone_id=<zone>/event_date=<YYYY-MM-DD>/hour=<HH>/c0003-s000000000001-000000100000.parquet
//! <prefix>/_auditflow/manifests/chain=0003/m0000000001.json
//! <prefix>/_auditflow/watermarks/chain=0003.json
//! ```
//!
//! Everything an engine globs for (`audit_events/**/*.parquet`) is data; the bookkeeping
//! lives beside it under `_auditflow/`, which Hive, Athena and DuckDB ignore.

use chrono::{DateTime, Timelike, Utc};

/// The table folder under the prefix.
pub const TABLE_DIR: &str = "audit_events";
/// The bookkeeping folder under the prefix.
pub const META_DIR: &str = "_auditflow";

/// Escapes a zone id for use as a Hive partition value, the way Hive does
/// (`FileUtils.escapePathName`): `%XX` for control characters and
/// `" # % ' * / : = ? \ { [ ] ^` and DEL; everything else, including non-ASCII UTF-8, is
/// kept. Hive, Athena and DuckDB decode the value back when they read the path. An empty
/// zone becomes Hive's `__HIVE_DEFAULT_PARTITION__`.
///
/// ```
/// use auditflow_archive::layout::escape_partition_value;
/// assert_eq!(escape_partition_value("zone-a"), "zone-a");
/// assert_eq!(escape_partition_value("eu/west:1"), "eu%2Fwest%3A1");
/// assert_eq!(escape_partition_value("zürich"), "zürich");
/// assert_eq!(escape_partition_value(".."), "%2E%2E");
/// ```
pub fn escape_partition_value(value: &str) -> String {
    if value.is_empty() {
        return "__HIVE_DEFAULT_PARTITION__".into();
    }
    // `.` and `..` would be path navigation; escape the dots of such values only.
    if value.chars().all(|c| c == '.') {
        return value.chars().map(|_| "%2E").collect();
    }
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        let needs = c.is_ascii_control()
            || matches!(
                c,
                '"' | '#' | '%' | '\'' | '*' | '/' | ':' | '=' | '?' | '\\' | '{' | '[' | ']' | '^' | '\u{7f}'
            );
        if needs {
            out.push_str(&format!("%{:02X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Reverses [`escape_partition_value`].
///
/// ```
/// use auditflow_archive::layout::{escape_partition_value, unescape_partition_value};
/// for zone in ["zone-a", "eu/west:1", "100%", "a=b", "", "..", "zürich"] {
///     assert_eq!(unescape_partition_value(&escape_partition_value(zone)), zone);
/// }
/// ```
pub fn unescape_partition_value(value: &str) -> String {
    if value == "__HIVE_DEFAULT_PARTITION__" {
        return String::new();
    }
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3]).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The Hive partition of a row: zone and event hour (UTC).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Partition {
    /// Zone id, unescaped.
    pub zone_id: String,
    /// `YYYY-MM-DD` of `occurred_at` in UTC.
    pub event_date: String,
    /// Hour of `occurred_at` in UTC, 0–23.
    pub hour: u32,
}

impl Partition {
    /// The partition an event belongs to.
    pub fn of(zone_id: &str, occurred_at: &DateTime<Utc>) -> Self {
        Partition {
            zone_id: zone_id.to_owned(),
            event_date: occurred_at.format("%Y-%m-%d").to_string(),
            hour: occurred_at.hour(),
        }
    }

    /// `audit_events/zone_id=…/event_date=…/hour=HH` (relative to the prefix).
    pub fn dir(&self) -> String {
        format!(
            "{TABLE_DIR}/zone_id={}/event_date={}/hour={:02}",
            escape_partition_value(&self.zone_id),
            self.event_date,
            self.hour
        )
    }
}

/// The file name of part `part` of a segment's rows in one partition. It depends only on
/// the chain and the segment's recorded ledger range, so a retry writes the same name.
///
/// ```
/// use auditflow_archive::layout::file_name;
/// assert_eq!(file_name(3, 1, 100_000, 0), "c0003-s000000000001-000000100000.parquet");
/// assert_eq!(file_name(3, 1, 100_000, 2), "c0003-s000000000001-000000100000-p2.parquet");
/// ```
pub fn file_name(chain_id: i32, from_seq: i64, to_seq: i64, part: usize) -> String {
    if part == 0 {
        format!("c{chain_id:04}-s{from_seq:012}-{to_seq:012}.parquet")
    } else {
        format!("c{chain_id:04}-s{from_seq:012}-{to_seq:012}-p{part}.parquet")
    }
}

/// `_auditflow/manifests/chain=NNNN/` (relative to the prefix).
pub fn manifest_dir(chain_id: i32) -> String {
    format!("{META_DIR}/manifests/chain={chain_id:04}")
}

/// The key of manifest `seq` of a chain (relative to the prefix).
pub fn manifest_key(chain_id: i32, seq: i64) -> String {
    format!("{}/m{seq:010}.json", manifest_dir(chain_id))
}

/// The key of a chain's export watermark object (relative to the prefix).
pub fn watermark_key(chain_id: i32) -> String {
    format!("{META_DIR}/watermarks/chain={chain_id:04}.json")
}
