//! The rows Caracal's audit service wrote, checked with Caracal's own algorithm
//! ([`auditflow_schemas::caracal`]): before a Caracal ledger is adopted (so a broken one is
//! reported, not taken over) and, once adopted, by every `verify` and sweep.
//!
//! Per zone, in `chain_seq` order: positions run 1, 2, … without a gap or a doubled one; each
//! row's `content_sha256` is the hash of its own columns; its `prev_content_sha256` is the
//! previous row's `content_sha256` (NULL for the first); its `chain_hmac` verifies under a
//! producer key (`AUDIT_HMAC_KEY`, which Caracal keys its chain with). Once adopted, a zone's
//! Caracal rows end at the head recorded at adoption (`audit_zone_chains.adopted_seq`): a row
//! without a `chain_id` past it was written by someone else since (Caracal's service still
//! running beside auditflow, say).

use crate::postgres::client;
use crate::LedgerError;
use auditflow_schemas::caracal::{chain_hmac_message, content_sha256, CaracalFields};
use auditflow_schemas::keyring::{Keyring, VerifyOutcome};
use auditflow_schemas::tamper::{Finding, FindingKind};
use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use futures_util::{pin_mut, TryStreamExt};

/// What the walk over Caracal's rows found.
#[derive(Debug, Default)]
pub struct CaracalReport {
    /// Rows checked.
    pub rows: u64,
    /// Zones walked.
    pub zones: u64,
    /// Rows Caracal wrote without a `chain_hmac` (it ran without `AUDIT_HMAC_KEY`).
    pub without_hmac: u64,
    /// Every finding; `chain_id` is the zone's chain once adopted, -1 before.
    pub findings: Vec<Finding>,
}

fn text_columns(adopted: bool) -> String {
    let chain = if adopted { "z.chain_id, z.adopted_seq" } else { "NULL::integer, NULL::bigint" };
    format!(
        "e.zone_id, e.id, coalesce(e.event_type, ''), coalesce(e.request_id, ''), coalesce(e.decision, ''), \
         coalesce(e.policy_set_id, ''), coalesce(e.policy_set_version_id, ''), coalesce(e.manifest_sha, ''), \
         coalesce(e.evaluation_status, ''), e.determining_policies_json::text, e.diagnostics_json::text, \
         e.metadata_json::text, e.occurred_at, coalesce(e.content_sha256, ''), coalesce(e.prev_content_sha256, ''), \
         coalesce(e.chain_hmac, ''), e.chain_seq, {chain}"
    )
}

/// Walks Caracal's rows (of `zone` only, when given). `adopted` says whether the ledger has
/// been adopted (its rows are then those without a `chain_id`). `keys` are the producer keys
/// Caracal's `chain_hmac` is checked with; without them only hashes and links are checked.
pub async fn verify_caracal_rows(
    pool: &Pool,
    keys: Option<&Keyring>,
    zone: Option<&str>,
    adopted: bool,
) -> Result<CaracalReport, LedgerError> {
    let c = client(pool).await?;
    let sql = if adopted {
        format!(
            "SELECT {} FROM audit_events e LEFT JOIN audit_zone_chains z USING (zone_id) \
             WHERE e.chain_id IS NULL AND ($1::text IS NULL OR e.zone_id = $1) ORDER BY e.zone_id, e.chain_seq",
            text_columns(true)
        )
    } else {
        format!(
            "SELECT {} FROM audit_events e WHERE ($1::text IS NULL OR e.zone_id = $1) ORDER BY e.zone_id, e.chain_seq",
            text_columns(false)
        )
    };
    let rows = c.query_raw(sql.as_str(), [zone]).await.map_err(LedgerError::pg("read Caracal's rows"))?;
    pin_mut!(rows);
    let mut report = CaracalReport::default();
    let mut walk: Option<ZoneWalk> = None;
    while let Some(row) = rows.try_next().await.map_err(LedgerError::pg("read Caracal's rows"))? {
        report.rows += 1;
        let zone_id: String = row.get(0);
        if walk.as_ref().is_none_or(|w| w.zone != zone_id) {
            if let Some(done) = walk.take() {
                done.finish(&mut report);
            }
            walk = Some(ZoneWalk::new(zone_id, row.get(17), row.get(18)));
        }
        if let Some(w) = walk.as_mut() {
            w.check(&row, keys, &mut report);
        }
    }
    if let Some(done) = walk.take() {
        done.finish(&mut report);
    }
    Ok(report)
}

/// The walk of one zone's Caracal rows.
struct ZoneWalk {
    zone: String,
    chain: Option<i32>,
    adopted_seq: Option<i64>,
    /// Last position seen and its stored `content_sha256`.
    last: Option<(i64, String)>,
}

impl ZoneWalk {
    fn new(zone: String, chain: Option<i32>, adopted_seq: Option<i64>) -> Self {
        ZoneWalk { zone, chain, adopted_seq, last: None }
    }

    fn finding(&self, kind: FindingKind, seq: i64, id: Option<&str>, detail: String) -> Finding {
        Finding::at_position(
            kind,
            self.chain.unwrap_or(-1),
            seq,
            id.map(str::to_owned),
            format!("zone {:?}, Caracal's algorithm: {detail}", self.zone),
        )
    }

    fn check(&mut self, row: &tokio_postgres::Row, keys: Option<&Keyring>, report: &mut CaracalReport) {
        let id: String = row.get(1);
        let Some(seq) = row.get::<_, Option<i64>>(16) else {
            let f = self.finding(FindingKind::ExtraRows, 0, Some(&id), "a row without chain_seq".into());
            report.findings.push(f);
            return;
        };
        let occurred_at: DateTime<Utc> = row.get(12);
        let fields = CaracalFields {
            id: id.clone(),
            zone_id: self.zone.clone(),
            event_type: row.get(2),
            request_id: row.get(3),
            decision: row.get(4),
            policy_set_id: row.get(5),
            policy_set_version_id: row.get(6),
            manifest_sha: row.get(7),
            evaluation_status: row.get(8),
            determining_policies_json: row.get(9),
            diagnostics_json: row.get(10),
            metadata_json: row.get(11),
            occurred_at_nanos: i128::from(occurred_at.timestamp_micros()) * 1000,
        };
        let (stored, prev, hmac): (String, String, String) = (row.get(13), row.get(14), row.get(15));
        let expected_seq = self.last.as_ref().map_or(1, |(s, _)| s + 1);
        if seq < expected_seq {
            report.findings.push(self.finding(FindingKind::ExtraRows, seq, Some(&id), "position held twice".into()));
        } else if seq > expected_seq {
            let detail = format!("positions {expected_seq}..={} are missing", seq - 1);
            report.findings.push(self.finding(FindingKind::MissingRows, expected_seq, None, detail));
        }
        if let Some(adopted) = self.adopted_seq.filter(|a| seq > *a) {
            let detail = format!(
                "written after adoption (the zone's Caracal head was {adopted}) by another writer: is Caracal's audit service still running?"
            );
            report.findings.push(self.finding(FindingKind::ExtraRows, seq, Some(&id), detail));
        }
        let computed = content_sha256(&fields);
        if computed != stored {
            let detail = format!("content_sha256 is {stored}, the row's columns hash to {computed}");
            report.findings.push(self.finding(FindingKind::ContentMismatch, seq, Some(&id), detail));
        }
        let want_prev = self.last.as_ref().filter(|(s, _)| *s == seq - 1).map(|(_, h)| h.as_str());
        if seq == expected_seq && prev.as_str() != want_prev.unwrap_or("") {
            let detail = format!("prev_content_sha256 is {prev:?}, the previous row's content_sha256 is {want_prev:?}");
            report.findings.push(self.finding(FindingKind::ChainBreak, seq, Some(&id), detail));
        }
        if hmac.is_empty() {
            report.without_hmac += 1;
        } else if let Some(keys) = keys {
            let message = chain_hmac_message(&stored, (!prev.is_empty()).then_some(prev.as_str()));
            if !matches!(keys.verify(message.as_bytes(), &hmac, None), VerifyOutcome::Verified(_)) {
                let detail = "chain_hmac does not verify under any AUDIT_HMAC_KEY given".to_string();
                report.findings.push(self.finding(FindingKind::HmacMismatch, seq, Some(&id), detail));
            }
        }
        if self.last.as_ref().is_none_or(|(s, _)| seq > *s) {
            self.last = Some((seq, stored));
        }
    }

    fn finish(self, report: &mut CaracalReport) {
        let last = self.last.as_ref().map_or(0, |(s, _)| *s);
        if let Some(adopted) = self.adopted_seq.filter(|a| last < *a) {
            let detail = format!("the zone's Caracal rows end at {last}, but its head at adoption was {adopted}");
            report.findings.push(self.finding(FindingKind::MissingRows, last + 1, None, detail));
        }
        report.zones += 1;
    }
}
