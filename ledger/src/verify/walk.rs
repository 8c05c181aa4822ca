//! The ledger walk behind `auditflow verify` and the background sweep: per chain, stream the
//! rows in position order with one binary `COPY`, recompute each row's `content_sha256` from
//! its own columns, and hand rows, id index entries and signed batch heads to the pure
//! [`ChainChecker`].

use crate::postgres::client;
use crate::row::{after_event, at, canonical_json, copy_range, Column, Order};
use crate::LedgerError;
use auditflow_schemas::canonical::{content_sha256_of, EventFields};
use auditflow_schemas::tamper::{ChainChecker, CheckedRow, Finding, IndexedId, SignedBatch, TrustedKeys};
use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use futures_util::{pin_mut, StreamExt, TryStreamExt};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Which part of the ledger to verify.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Only this zone: its chain alone, so no other zone's rows are read. In a ledger
    /// written before chains were per zone, the closed shard chains mix zones: those are
    /// walked whole and only findings on this zone's rows are reported.
    pub zone: Option<String>,
    /// Only batches committed at or after this time (and the rows they hold).
    pub since: Option<DateTime<Utc>>,
    /// Only batches committed at or before this time.
    pub until: Option<DateTime<Utc>>,
    /// Only these chains (all when empty).
    pub chains: Vec<i32>,
    /// The producer keys (`AUDIT_HMAC_KEY`) Caracal keyed its `chain_hmac` with, for a
    /// ledger adopted from Caracal; without them Caracal's HMACs are not checked.
    pub caracal_keys: Option<auditflow_schemas::keyring::Keyring>,
}

/// What a walk checked and found.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct LedgerReport {
    /// Chains walked.
    pub chains: usize,
    /// Rows checked.
    pub rows: u64,
    /// Signed batch heads checked.
    pub batches: u64,
    /// Positions whose rows retention dropped, checked through the id index.
    pub retired: u64,
    /// Every finding, by chain and position.
    pub findings: Vec<Finding>,
    /// Facts worth knowing that are not findings.
    pub notes: Vec<String>,
}

/// Rows read per window of a chain, bounding the memory the id index entries take.
const WINDOW: i64 = 250_000;

/// Chains walked at a time (one Postgres backend each).
const CONCURRENCY: usize = 2;

/// Walks the chains in `scope` and returns every finding. `progress(done, total)` is
/// called as rows are checked.
pub async fn verify_ledger(
    pool: &Pool,
    keys: &TrustedKeys,
    scope: &Scope,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<LedgerReport, LedgerError> {
    let mut notes = Vec::new();
    let mut zone_scope;
    let mut scope = scope;
    let mut mixed_chains = false;
    if let Some(zone) = &scope.zone {
        let (chain, closed) = zone_chains(pool, zone).await?;
        zone_scope = scope.clone();
        zone_scope.chains = chain.into_iter().chain(closed.iter().copied()).collect();
        mixed_chains = !closed.is_empty();
        match chain {
            Some(chain) => notes.push(format!("zone {zone:?} is chain {chain}")),
            None => notes.push(format!(
                "zone {zone:?} has no chain of its own: nothing was written to it since chains are per zone"
            )),
        }
        if zone_scope.chains.is_empty() {
            return Ok(LedgerReport { notes, ..LedgerReport::default() });
        }
        scope = &zone_scope;
    }
    let mut ranges = plan(pool, scope).await?;
    let caracal = adopted_part(pool, scope, &mut ranges, &mut notes).await?;
    let total: u64 = ranges.values().map(|r| (r.to - r.from + 1).max(0) as u64).sum();
    let done = AtomicU64::new(0);
    let mut report = LedgerReport { chains: ranges.len(), notes, ..LedgerReport::default() };
    let results: Vec<(Vec<Finding>, u64, u64, u64)> = futures_util::stream::iter(ranges)
        .map(|(chain, range)| {
            let done = &done;
            async move {
                walk_chain(pool, keys, chain, range, &|n| {
                    let d = done.fetch_add(n, Ordering::Relaxed) + n;
                    progress(d, total);
                })
                .await
            }
        })
        .buffer_unordered(CONCURRENCY)
        .try_collect()
        .await?;
    if let Some(caracal) = caracal {
        report.rows += caracal.rows;
        report.findings.extend(caracal.findings);
    }
    for (findings, rows, batches, retired) in results {
        report.findings.extend(findings);
        report.rows += rows;
        report.batches += batches;
        report.retired += retired;
    }
    if report.retired > 0 {
        report.notes.push(format!(
            "{} positions were retired by retention (audit_retention_drops); the id index vouches for their hashes",
            report.retired
        ));
    }
    if let (Some(zone), true) = (&scope.zone, mixed_chains) {
        keep_zone(pool, zone, &mut report).await?;
    }
    report.findings.sort_by_key(|f| (f.position(), f.kind));
    Ok(report)
}

/// In a ledger adopted from Caracal, the first positions of each zone's chain are Caracal's
/// rows: they are walked with Caracal's algorithm here, and the walk of auditflow's part
/// starts after them. Notes say which algorithm holds for which range.
async fn adopted_part(
    pool: &Pool,
    scope: &Scope,
    ranges: &mut BTreeMap<i32, Range>,
    notes: &mut Vec<String>,
) -> Result<Option<super::caracal_walk::CaracalReport>, LedgerError> {
    let c = client(pool).await?;
    if !crate::adopt::is_adopted(&c).await? {
        return Ok(None);
    }
    let adopted = c
        .query(
            "SELECT chain_id, zone_id, adopted_seq FROM audit_zone_chains WHERE adopted_seq > 0 \
             AND (cardinality($1::integer[]) = 0 OR chain_id = ANY($1)) ORDER BY chain_id",
            &[&scope.chains],
        )
        .await
        .map_err(LedgerError::pg("read the adopted chains"))?;
    const NAMED: usize = 10;
    for (i, row) in adopted.iter().enumerate() {
        let (chain, zone, seq): (i32, String, i64) = (row.get(0), row.get(1), row.get(2));
        let head = ranges.get(&chain).map_or(seq, |r| r.to.max(seq));
        if let Some(range) = ranges.get_mut(&chain) {
            range.from = range.from.max(seq + 1);
        }
        if i < NAMED {
            let after = if head > seq {
                format!(
                    ", positions {}..={head} auditflow's (auditflow-chain-v1 under the ledger key, signed heads)",
                    seq + 1
                )
            } else {
                String::new()
            };
            notes.push(format!(
                "chain {chain} (zone {zone:?}): positions 1..={seq} Caracal's (content hash over 0x1f-joined columns, chain_hmac under AUDIT_HMAC_KEY){after}"
            ));
        }
    }
    if adopted.len() > NAMED {
        notes.push(format!("… and {} more chains adopted from Caracal, checked the same way", adopted.len() - NAMED));
    }
    ranges.retain(|_, r| r.from <= r.to || r.from == 1);
    if scope.since.is_some() || scope.until.is_some() {
        notes.push(
            "Caracal's rows have no signed batch heads to place them in time: a walk limited in time skips them".into(),
        );
        return Ok(None);
    }
    if scope.caracal_keys.is_none() {
        notes.push("no AUDIT_HMAC_KEY given: Caracal's chain_hmac values were not checked".into());
    }
    let report =
        super::caracal_walk::verify_caracal_rows(pool, scope.caracal_keys.as_ref(), scope.zone.as_deref(), true)
            .await?;
    if report.without_hmac > 0 {
        notes.push(format!(
            "{} of Caracal's rows carry no chain_hmac (Caracal ran without AUDIT_HMAC_KEY): only their hashes and links were checked",
            report.without_hmac
        ));
    }
    Ok(Some(report))
}

/// Positions of one chain to walk.
#[derive(Clone, Copy, Debug)]
struct Range {
    from: i64,
    to: i64,
}

/// Per chain, the positions to walk: from the first position of the first batch in the time
/// window (or 1) to the highest position anything records (rows, batch heads, the ledger
/// watermark), so rows appended or removed past the last signed head are seen.
async fn plan(pool: &Pool, scope: &Scope) -> Result<BTreeMap<i32, Range>, LedgerError> {
    let c = client(pool).await?;
    let since = scope.since.map(|t| t.timestamp_micros());
    let until = scope.until.map(|t| t.timestamp_micros());
    let rows = c
        .query(
            "WITH chains AS (SELECT chain_id, chain_seq AS head FROM audit_ingest_watermarks \
                                WHERE sink = 'ledger' AND (cardinality($3::integer[]) = 0 OR chain_id = ANY($3)) \
                             UNION ALL SELECT chain_id, max(to_seq) FROM audit_ledger_batches \
                                WHERE cardinality($3::integer[]) = 0 OR chain_id = ANY($3) GROUP BY chain_id \
                             UNION ALL SELECT chain_id, max(chain_seq) FROM audit_event_ids \
                                WHERE cardinality($3::integer[]) = 0 OR chain_id = ANY($3) GROUP BY chain_id) \
             SELECT chain_id, max(head), \
                    (SELECT min(from_seq) FROM audit_ledger_batches b WHERE b.chain_id = chains.chain_id \
                        AND ($1::bigint IS NULL OR b.committed_at_us >= $1) AND ($2::bigint IS NULL OR b.committed_at_us <= $2)), \
                    (SELECT max(to_seq) FROM audit_ledger_batches b WHERE b.chain_id = chains.chain_id \
                        AND ($1::bigint IS NULL OR b.committed_at_us >= $1) AND ($2::bigint IS NULL OR b.committed_at_us <= $2)) \
             FROM chains GROUP BY chain_id ORDER BY chain_id",
            &[&since, &until, &scope.chains],
        )
        .await
        .map_err(LedgerError::pg("plan the ledger walk"))?;
    let mut out = BTreeMap::new();
    for row in rows {
        let (chain, head, first, last): (i32, Option<i64>, Option<i64>, Option<i64>) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        if !scope.chains.is_empty() && !scope.chains.contains(&chain) {
            continue;
        }
        // The ledger's own rows may reach further than any record (rows inserted behind
        // the pipeline's back); the rows query below reads to the end when `to` is open.
        let head = head.unwrap_or(0);
        let range = match (since.is_some() || until.is_some(), first, last) {
            (false, _, _) => Range { from: 1, to: head },
            (true, Some(first), Some(last)) => Range { from: first, to: if until.is_some() { last } else { head } },
            (true, _, _) => continue,
        };
        out.insert(chain, range);
    }
    Ok(out)
}

/// Drops findings on rows of other zones (findings without a row stay: they cannot be
/// attributed to a zone).
async fn keep_zone(pool: &Pool, zone: &str, report: &mut LedgerReport) -> Result<(), LedgerError> {
    let ids: Vec<&str> = report.findings.iter().filter_map(|f| f.row_id()).collect();
    // Every zone each named row has (a forged row may share an id with a real one).
    let mut zones: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    if !ids.is_empty() {
        let c = client(pool).await?;
        for r in c
            .query("SELECT id, zone_id FROM audit_events WHERE id = ANY($1)", &[&ids])
            .await
            .map_err(LedgerError::pg("zones of the findings"))?
        {
            zones.entry(r.get(0)).or_default().push(r.get(1));
        }
    }
    report.findings.retain(|f| match f.row_id() {
        // A row that is gone, or a finding about a range, cannot be attributed: kept.
        Some(id) => zones.get(id).is_none_or(|z| z.iter().any(|z| z == zone)),
        None => true,
    });
    report.notes.push(format!(
        "the chains closed when chains became per zone mix zones: every row of them was checked, findings are limited to zone {zone:?}"
    ));
    Ok(())
}

/// The chain of `zone` (none before its first row), and the closed shard chains of a ledger
/// written before chains were per zone (they may hold rows of any zone).
async fn zone_chains(pool: &Pool, zone: &str) -> Result<(Option<i32>, Vec<i32>), LedgerError> {
    let c = client(pool).await?;
    let chain = c
        .query_opt("SELECT chain_id FROM audit_zone_chains WHERE zone_id = $1", &[&zone])
        .await
        .map_err(LedgerError::pg("find the zone's chain"))?
        .map(|r| r.get(0));
    let closed = c
        .query(
            "SELECT chain_id FROM audit_ingest_watermarks w WHERE sink = 'ledger' \
             AND NOT EXISTS (SELECT 1 FROM audit_zone_chains z WHERE z.chain_id = w.chain_id) ORDER BY chain_id",
            &[],
        )
        .await
        .map_err(LedgerError::pg("find the closed shard chains"))?
        .into_iter()
        .map(|r| r.get(0))
        .collect();
    Ok((chain, closed))
}

async fn walk_chain(
    pool: &Pool,
    keys: &TrustedKeys,
    chain: i32,
    range: Range,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(Vec<Finding>, u64, u64, u64), LedgerError> {
    let c = client(pool).await?;
    // One snapshot for the whole chain: the pipeline may be appending while we read.
    c.batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY").await.map_err(LedgerError::pg("begin"))?;
    let result = async {
        // The index has the hash of a position whose row retention dropped.
        let prev: Option<String> = if range.from > 1 {
            c.query_opt(
                "SELECT coalesce((SELECT content_sha256 FROM audit_events WHERE chain_id = $1 AND chain_seq = $2 LIMIT 1), \
                                 (SELECT adopted_head FROM audit_zone_chains WHERE chain_id = $1 AND adopted_seq = $2), \
                                 (SELECT content_sha256 FROM audit_event_ids WHERE chain_id = $1 AND chain_seq = $2 LIMIT 1))",
                &[&chain, &(range.from - 1)],
            )
            .await
            .map_err(LedgerError::pg("read the row before the range"))?
            .and_then(|r| r.get(0))
        } else {
            None
        };
        let dropped = retired_months(&c).await?;
        let batches: Vec<SignedBatch> = c
            .query(
                &format!(
                    "SELECT {} FROM audit_ledger_batches WHERE chain_id = $1 AND to_seq >= $2 ORDER BY from_seq",
                    super::batches::BATCH_COLUMNS
                ),
                &[&chain, &range.from],
            )
            .await
            .map_err(LedgerError::pg("read batch heads"))?
            .iter()
            .map(|r| super::batches::signed_batch(chain, r))
            .collect();
        let batch_count = batches.len() as u64;
        let mut checker = ChainChecker::new(chain, range.from, prev, batches, keys);
        // Rows beyond the recorded head are read too (the last window is open-ended).
        let mut lo = range.from;
        loop {
            let last_window = lo + WINDOW > range.to;
            let hi = if last_window { i64::MAX } else { lo + WINDOW - 1 };
            let ids = c
                .query(
                    "SELECT id, chain_seq, content_sha256, occurred_at FROM audit_event_ids \
                     WHERE chain_id = $1 AND chain_seq BETWEEN $2 AND $3 ORDER BY chain_seq",
                    &[&chain, &lo, &hi],
                )
                .await
                .map_err(LedgerError::pg("read the id index"))?;
            checker.ids(ids.into_iter().map(|r| {
                let at: DateTime<Utc> = r.get(3);
                IndexedId {
                    id: r.get(0),
                    chain_seq: r.get(1),
                    content_sha256: r.get(2),
                    retired: dropped.iter().any(|(from, until)| *from <= at && at < *until),
                }
            }));
            let stream = read_rows(&c, chain, lo, hi).await?;
            pin_mut!(stream);
            let mut n = 0u64;
            while let Some(row) = stream.next().await {
                checker.row(row?);
                n += 1;
                if n.is_multiple_of(8192) {
                    progress(8192);
                }
            }
            progress(n % 8192);
            if last_window {
                break;
            }
            lo = hi + 1;
        }
        let (rows, retired) = (checker.rows, checker.retired);
        Ok((checker.finish(range.to), rows, batch_count, retired))
    }
    .await;
    let _ = c.batch_execute("COMMIT").await;
    result
}

/// The event-time ranges of the months retention dropped (`audit_retention_drops`).
async fn retired_months(c: &tokio_postgres::Client) -> Result<Vec<(DateTime<Utc>, DateTime<Utc>)>, LedgerError> {
    Ok(c.query("SELECT DISTINCT from_at, until_at FROM audit_retention_drops ORDER BY 1", &[])
        .await
        .map_err(LedgerError::pg("read the retention drops"))?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect())
}

/// The columns the canonical encoding covers, then the chain columns.
const WALKED: &[Column] = &after_event::<18>(&[
    Column::ExtraJson,
    Column::ChainSeq,
    Column::ContentSha256,
    Column::PrevContentSha256,
    Column::ChainHmac,
]);

async fn read_rows(
    c: &tokio_postgres::Client,
    chain: i32,
    from: i64,
    to: i64,
) -> Result<impl futures_util::Stream<Item = Result<CheckedRow, LedgerError>>, LedgerError> {
    let stream = copy_range(c, WALKED, chain, from, to, Order::ChainSeq).await?;
    Ok(stream.map(|row| {
        let row = row.map_err(LedgerError::pg("read copied row"))?;
        checked_row(&row).map_err(|e| LedgerError::Postgres { op: "decode copied row", source: e })
    }))
}

/// Canonical JSON text of a `jsonb::text` value; `Err` when it does not parse.
fn canonical(text: Option<&str>) -> Result<Option<String>, ()> {
    text.map(|t| canonical_json(t).ok_or(())).transpose()
}

fn checked_row(row: &tokio_postgres::binary_copy::BinaryCopyOutRow) -> Result<CheckedRow, tokio_postgres::Error> {
    let text = |c: Column| row.try_get::<Option<&str>>(at(WALKED, c));
    let id: &str = row.try_get(at(WALKED, Column::Id))?;
    let (Ok(dp), Ok(diag), Ok(meta), Ok(extra)) = (
        canonical(text(Column::DeterminingPoliciesJson)?),
        canonical(text(Column::DiagnosticsJson)?),
        canonical(text(Column::MetadataJson)?),
        canonical(text(Column::ExtraJson)?),
    ) else {
        return checked(row, id, None);
    };
    let fields = EventFields {
        id,
        zone_id: row.try_get(at(WALKED, Column::ZoneId))?,
        event_type: row.try_get(at(WALKED, Column::EventType))?,
        request_id: text(Column::RequestId)?,
        decision: text(Column::Decision)?,
        policy_set_id: text(Column::PolicySetId)?,
        policy_set_version_id: text(Column::PolicySetVersionId)?,
        manifest_sha: text(Column::ManifestSha)?,
        evaluation_status: text(Column::EvaluationStatus)?,
        determining_policies_json: dp.as_deref(),
        diagnostics_json: diag.as_deref(),
        metadata_json: meta.as_deref(),
        occurred_at: row.try_get(at(WALKED, Column::OccurredAt))?,
        extra_json: extra.as_deref(),
    };
    checked(row, id, Some(content_sha256_of(fields)))
}

fn checked(
    row: &tokio_postgres::binary_copy::BinaryCopyOutRow,
    id: &str,
    recomputed: Option<String>,
) -> Result<CheckedRow, tokio_postgres::Error> {
    Ok(CheckedRow {
        id: id.to_owned(),
        chain_seq: row.try_get(at(WALKED, Column::ChainSeq))?,
        content_sha256: row.try_get(at(WALKED, Column::ContentSha256))?,
        recomputed_sha256: recomputed,
        prev_content_sha256: row.try_get(at(WALKED, Column::PrevContentSha256))?,
        chain_hmac: row.try_get(at(WALKED, Column::ChainHmac))?,
    })
}
