//! The background tamper sweep of `auditflow run`: a full walk of the process's chains at
//! start-up, then every `interval` a walk of the batches committed in the last `rolling`.
//! Each finding raises one row in `audit_ingest_alerts` (once: a finding seen again by a
//! later sweep is not raised twice) and moves the `caracal_audit_tamper_*` counters.

use super::walk::{verify_ledger, Scope};
use crate::postgres::client;
use crate::LedgerError;
use auditflow_schemas::tamper::{Finding, FindingKind, TrustedKeys};
use deadpool_postgres::Pool;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What the sweeps found (for `/metrics`: `caracal_audit_tamper_*`).
#[derive(Debug, Default)]
pub struct TamperStats {
    /// New `content_mismatch` findings (`caracal_audit_tamper_mismatch_total`).
    pub mismatches: AtomicU64,
    /// New `chain_break`, `missing_rows` and `extra_rows` findings
    /// (`caracal_audit_tamper_chain_breaks_total`).
    pub chain_breaks: AtomicU64,
    /// New `hmac_mismatch` and `head_signature_invalid` findings
    /// (`caracal_audit_tamper_hmac_failures_total`).
    pub hmac_failures: AtomicU64,
    /// Unix time the last sweep finished (`caracal_audit_tamper_last_sweep_unix`).
    pub last_sweep_unix: AtomicI64,
    /// Sweeps finished.
    pub sweeps: AtomicU64,
    /// Rows the last sweep checked.
    pub last_sweep_rows: AtomicU64,
    /// Findings of the last sweep (new or not).
    pub last_sweep_findings: AtomicU64,
}

impl TamperStats {
    fn count(&self, kind: FindingKind) {
        let counter = match kind {
            FindingKind::ContentMismatch | FindingKind::ArchiveMismatch => &self.mismatches,
            FindingKind::ChainBreak | FindingKind::MissingRows | FindingKind::ExtraRows => &self.chain_breaks,
            FindingKind::HmacMismatch | FindingKind::HeadSignatureInvalid => &self.hmac_failures,
            // The walk reports none of the archive's or the catalogs' kinds.
            _ => return,
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

/// How the sweep runs.
#[derive(Clone, Debug)]
pub struct SweepConfig {
    /// Chains this process sweeps (every chain of the ledger when empty, including those of
    /// zones first written after the sweeps started).
    pub chains: Vec<i32>,
    /// The rolling sweep covers batches committed this recently.
    pub rolling: Duration,
    /// Time between rolling sweeps.
    pub interval: Duration,
}

/// Runs sweeps until the task is dropped. Failures (Postgres away) are logged and the next
/// sweep tries again; a sweep never stops the pipeline.
pub async fn run_sweeps(pool: Pool, keys: TrustedKeys, config: SweepConfig, stats: Arc<TamperStats>) {
    let mut scope = Scope { chains: config.chains.clone(), ..Scope::default() };
    loop {
        let kind = if scope.since.is_none() { "full" } else { "rolling" };
        match sweep_once(&pool, &keys, &scope, &stats).await {
            Ok((rows, findings)) => {
                if findings > 0 {
                    tracing::error!(
                        sweep = kind,
                        rows,
                        findings,
                        "tamper sweep found problems in the ledger; see audit_ingest_alerts or run `auditflow verify`"
                    );
                } else {
                    tracing::info!(sweep = kind, rows, "tamper sweep clean");
                }
            }
            Err(e) => tracing::warn!(sweep = kind, error = %e, "tamper sweep failed; the next one retries"),
        }
        tokio::time::sleep(config.interval).await;
        let rolling = chrono::Duration::from_std(config.rolling).unwrap_or(chrono::Duration::hours(4));
        scope.since = Some(chrono::Utc::now() - rolling);
    }
}

/// One sweep; returns rows checked and findings.
pub async fn sweep_once(
    pool: &Pool,
    keys: &TrustedKeys,
    scope: &Scope,
    stats: &TamperStats,
) -> Result<(u64, usize), LedgerError> {
    let report = verify_ledger(pool, keys, scope, &|_, _| {}).await?;
    for f in &report.findings {
        if raise_alert(pool, f).await? {
            stats.count(f.kind);
        }
    }
    stats.last_sweep_rows.store(report.rows, Ordering::Relaxed);
    stats.last_sweep_findings.store(report.findings.len() as u64, Ordering::Relaxed);
    stats.last_sweep_unix.store(chrono::Utc::now().timestamp(), Ordering::Relaxed);
    stats.sweeps.fetch_add(1, Ordering::Relaxed);
    Ok((report.rows, report.findings.len()))
}

/// Records a finding in `audit_ingest_alerts`; false when it was already recorded.
async fn raise_alert(pool: &Pool, f: &Finding) -> Result<bool, LedgerError> {
    let c = client(pool).await?;
    // The walk reports positions only.
    let (chain_id, chain_seq) = f.position().unwrap_or((-1, 0));
    let detail = serde_json::json!({
        "chain_id": chain_id,
        "chain_seq": chain_seq,
        "detail": f.detail,
        "found_by": "tamper_sweep",
    });
    let at = format!("chain={chain_id}/seq={chain_seq}");
    let n = c
        .execute(
            "INSERT INTO audit_ingest_alerts (kind, event_id, src_stream, src_stream_id, detail) \
             VALUES ($1, $2, 'ledger', $3, $4::jsonb) ON CONFLICT DO NOTHING",
            &[&f.kind.as_str(), &f.row_id(), &at, &detail],
        )
        .await
        .map_err(LedgerError::pg("record tamper alert"))?;
    Ok(n == 1)
}
