//! Which archive an exporter writes: the main one or the OCSF one. Both follow the same
//! segment cycle; they differ in their progress tables, their files and their names.

use crate::ocsf::OcsfTarget;

/// What an exporter writes.
#[derive(Debug, Clone)]
pub enum Target {
    /// The main archive (`audit_events/` Parquet, SPEC §4).
    Archive,
    /// The OCSF archive (issue 32, `docs/ocsf.md`).
    Ocsf(OcsfTarget),
}

impl Target {
    /// `archive` or `ocsf` (logs, failpoints).
    pub fn name(&self) -> &'static str {
        match self {
            Target::Archive => "archive",
            Target::Ocsf(_) => "ocsf",
        }
    }

    /// The table of per-chain watermarks.
    pub(super) fn watermarks(&self) -> &'static str {
        match self {
            Target::Archive => "audit_export_watermarks",
            Target::Ocsf(_) => "audit_ocsf_watermarks",
        }
    }

    /// The table of recorded segments.
    pub(super) fn segments(&self) -> &'static str {
        match self {
            Target::Archive => "audit_export_segments",
            Target::Ocsf(_) => "audit_ocsf_segments",
        }
    }

    /// The first part of the failpoints' names (`export:mid_file`, `ocsf:mid_file`).
    pub(super) fn failpoint_scope(&self) -> &'static str {
        match self {
            Target::Archive => "export",
            Target::Ocsf(_) => "ocsf",
        }
    }

    /// The gauge of each chain's watermark.
    pub(super) fn watermark_metric(&self) -> &'static str {
        match self {
            Target::Archive => "auditflow_export_watermark_seq",
            Target::Ocsf(_) => "auditflow_ocsf_export_watermark_seq",
        }
    }

    /// Whether a chain's watermark row is created by the exporter (the OCSF archive, which
    /// may be switched on later); the main archive's is created with the chain.
    pub(super) fn creates_rows(&self) -> bool {
        matches!(self, Target::Ocsf(_))
    }
}

/// The zone a segment's rows belong to, when it is one (every chain since migration 8).
#[derive(Debug, Default)]
pub(super) struct ZoneOfSegment {
    zone: Option<String>,
    mixed: bool,
}

impl ZoneOfSegment {
    pub(super) fn saw(&mut self, zone: &str) {
        match &self.zone {
            None if !self.mixed => self.zone = Some(zone.to_owned()),
            Some(z) if z != zone => {
                self.zone = None;
                self.mixed = true;
            }
            _ => {}
        }
    }

    pub(super) fn zone(self) -> Option<String> {
        self.zone
    }
}
