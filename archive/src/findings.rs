//! What the archive checks (`verify-export`, `verify-archive`) collect: findings, with the
//! row-level kinds capped so that one broken file does not print a million lines.

use auditflow_schemas::tamper::{Finding, FindingKind};
use std::collections::BTreeMap;

/// What `verify-export` or `verify-archive` checked and found.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct VerifyReport {
    /// Chains checked.
    pub chains: usize,
    /// Manifests checked.
    pub manifests: usize,
    /// Data files checked.
    pub files: usize,
    /// Archived rows matched against the ledger.
    pub rows: u64,
    /// Problems (any -> exit 1).
    pub findings: Vec<Finding>,
    /// Things worth knowing that are not problems (an export in progress).
    pub notes: Vec<String>,
}

/// Per-kind cap on row-level findings.
const ROW_FINDINGS_PER_KIND: usize = 20;

/// The findings of one check.
#[derive(Default)]
pub(crate) struct Collector {
    findings: Vec<Finding>,
    row_counts: BTreeMap<FindingKind, usize>,
}

impl Collector {
    /// A finding at an object.
    pub(crate) fn add(&mut self, kind: FindingKind, object: impl Into<String>, detail: impl Into<String>) {
        self.findings.push(Finding::at_object(kind, object, detail));
    }

    /// A row-level finding at an object, capped per kind.
    pub(crate) fn row(&mut self, kind: FindingKind, object: impl Into<String>, detail: impl Into<String>) {
        if self.count(kind) {
            self.add(kind, object, detail);
        }
    }

    /// A row-level finding at a chain position, capped per kind.
    pub(crate) fn row_at(
        &mut self,
        kind: FindingKind,
        chain: i32,
        seq: i64,
        id: Option<String>,
        detail: impl Into<String>,
    ) {
        if self.count(kind) {
            self.findings.push(Finding::at_position(kind, chain, seq, id, detail));
        }
    }

    /// Moves the findings into the report, with a note per kind that was capped.
    pub(crate) fn finish(self, report: &mut VerifyReport) {
        for (kind, n) in &self.row_counts {
            if *n > ROW_FINDINGS_PER_KIND {
                report.notes.push(format!("{kind}: {n} in all, first {ROW_FINDINGS_PER_KIND} shown"));
            }
        }
        report.findings = self.findings;
    }

    fn count(&mut self, kind: FindingKind) -> bool {
        let n = self.row_counts.entry(kind).or_default();
        *n += 1;
        *n <= ROW_FINDINGS_PER_KIND
    }
}
