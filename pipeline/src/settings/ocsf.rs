//! The OCSF archive's settings (issue 32): `AUDITFLOW_OCSF_*`, `--ocsf-*`, `[export.ocsf]`.
//! Unset URL: no OCSF archive.

use super::error::ConfigError;
use super::flags::ArchiveFlags;
use auditflow_archive::ocsf::{OcsfFormat, OcsfTarget};
use auditflow_archive::ExportConfig;
use serde::Deserialize;

/// `[export.ocsf]` table.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OcsfFile {
    /// Object store URL (Security Lake: the custom source's location).
    pub url: Option<String>,
    /// `region=` partition value.
    pub region: Option<String>,
    /// `accountId=` partition value.
    pub account_id: Option<String>,
    /// The custom sources' name prefix.
    pub source: Option<String>,
    /// `parquet` or `json-gz`.
    pub format: Option<String>,
    /// A file covers events committed over about this many seconds.
    pub roll_secs: Option<u64>,
    /// Files roll at about this many MiB.
    pub target_file_mb: Option<f64>,
}

/// The OCSF archive, resolved.
#[derive(Debug, Clone)]
pub struct OcsfSettings {
    /// Where it goes.
    pub url: String,
    /// Partition values and format.
    pub target: OcsfTarget,
    /// The roll: segments of up to `roll_secs` of commits.
    pub config: ExportConfig,
}

/// Resolves the OCSF archive from the flags (or their variables), then the file.
pub fn resolve(
    flags: &ArchiveFlags,
    file: OcsfFile,
    main: &ExportConfig,
    export_url: &str,
) -> Result<Option<OcsfSettings>, ConfigError> {
    let Some(url) = flags.ocsf_url.clone().or(file.url).filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    const URL: &str = "AUDITFLOW_OCSF_URL (--ocsf-url, export.ocsf.url)";
    if !(url.starts_with("file://") || url.starts_with("s3://")) {
        return Err(ConfigError::new(URL, format!("{url:?}: use file:///path or s3://bucket/prefix")));
    }
    // Each archive owns its prefix: their manifests would share keys, and each one's
    // verification would find the other's files unexpected.
    let (a, b) = (url.trim_end_matches('/'), export_url.trim_end_matches('/'));
    if a == b || a.starts_with(&format!("{b}/")) || b.starts_with(&format!("{a}/")) {
        return Err(ConfigError::new(
            URL,
            format!("{url:?} overlaps the main archive {export_url:?}: give it a prefix of its own"),
        ));
    }
    let region = flags
        .ocsf_region
        .clone()
        .or(file.region)
        .or_else(|| std::env::var("AWS_REGION").ok().filter(|r| !r.is_empty()))
        .unwrap_or_else(|| "us-east-1".into());
    if region.is_empty() || !region.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(ConfigError::new(
            "AUDITFLOW_OCSF_REGION (--ocsf-region, export.ocsf.region)",
            format!("{region:?} is not an AWS region name (like eu-west-1)"),
        ));
    }
    let account_id = flags.ocsf_account_id.clone().or(file.account_id).unwrap_or_else(|| "000000000000".into());
    if account_id.len() != 12 || !account_id.chars().all(|c| c.is_ascii_digit()) {
        return Err(ConfigError::new(
            "AUDITFLOW_OCSF_ACCOUNT_ID (--ocsf-account-id, export.ocsf.account_id)",
            format!("{account_id:?} is not a 12-digit AWS account id"),
        ));
    }
    let source = flags.ocsf_source.clone().or(file.source).unwrap_or_else(|| "auditflow".into());
    if source.is_empty()
        || source.len() > 48
        || !source.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(ConfigError::new(
            "AUDITFLOW_OCSF_SOURCE (--ocsf-source, export.ocsf.source)",
            format!("{source:?}: letters, digits, - and _ only, at most 48"),
        ));
    }
    let format = flags.ocsf_format.clone().or(file.format).unwrap_or_else(|| "parquet".into());
    let format = OcsfFormat::parse(&format).ok_or_else(|| {
        ConfigError::new(
            "AUDITFLOW_OCSF_FORMAT (--ocsf-format, export.ocsf.format)",
            format!("{format:?}: use parquet or json-gz"),
        )
    })?;
    let roll_secs = flags.ocsf_roll_secs.or(file.roll_secs).unwrap_or(300);
    if roll_secs == 0 {
        return Err(ConfigError::new(
            "AUDITFLOW_OCSF_ROLL_SECS (--ocsf-roll-secs, export.ocsf.roll_secs)",
            "must be greater than 0",
        ));
    }
    let target_file_mb = file.target_file_mb.unwrap_or(main.target_file_bytes as f64 / 1048576.0);
    if target_file_mb <= 0.0 {
        return Err(ConfigError::new("export.ocsf.target_file_mb", "must be greater than 0"));
    }
    // The exporter cuts a segment once its oldest row waited three quarters of max_delay:
    // so a segment covers `roll_secs` of commits.
    let config = ExportConfig {
        max_delay: std::time::Duration::from_secs(roll_secs) * 4 / 3,
        target_file_bytes: (target_file_mb * 1048576.0) as usize,
        target_segment_rows: main.target_segment_rows,
    };
    Ok(Some(OcsfSettings { url, target: OcsfTarget { source, region, account_id, format }, config }))
}
