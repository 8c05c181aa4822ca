//! The async side of the ledger sink: one transaction per shard and completed batch, covering
//! every zone (= chain) of the shard that the batch touches.

use super::caracal::caracal_content_sha256;
use super::copy::{copy_ids, copy_rows, insert_rows};
use super::heads::record_batch_heads;
use super::journal::{committed_of, stream_pos, CommitJournal, Journaling};
use super::outcome::{ChainAdvance, LedgerOutput, LedgerStats, ShardOutcome};
use super::zone_plan::{by_zone, ZoneBatch, ZonePlan};
use crate::partitions::{PARTITION_MONTHS_AHEAD, PARTITION_MONTHS_BACK};
use crate::postgres::client;
use crate::Completion;
use crate::LedgerError;
use auditflow_retry::{Backoff, Retry};
use auditflow_schemas::chain::{plan_batch, ChainHead, LedgerKey};
use auditflow_schemas::shard::shard_of;
use auditflow_schemas::signer::Signer;
use auditflow_schemas::view::{SharedEvent, ViewEvent};
use auditflow_schemas::{DeadLetter, Reason, VerifiedEvent};
use chrono::{Datelike, Months, NaiveDate};
use deadpool_postgres::Pool;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// What the ledger sink needs.
#[derive(Clone, Debug)]
pub struct LedgerConfig {
    /// Number of ledger shards: zones map to shards by a stable hash, and each shard's
    /// zones are committed together, one transaction per shard and batch.
    pub shards: u32,
    /// The ledger HMAC key for `chain_hmac` (the active one).
    pub key: LedgerKey,
    /// The Ed25519 key signing each batch's head.
    pub head_key: Signer,
    /// Hash chains, HMACs and signed heads. Only the ingest benchmark turns this off, to
    /// measure what they cost; a ledger written without them does not verify.
    pub tamper_evidence: bool,
    /// Emit every committed row for the live views.
    pub views: bool,
}

/// Hands batches to async tasks that commit them. Cheap to clone (one per worker).
#[derive(Clone)]
pub struct LedgerCommitter {
    inner: Arc<Inner>,
    runtime: tokio::runtime::Handle,
}

struct Inner {
    pool: Pool,
    stats: Arc<LedgerStats>,
    config: LedgerConfig,
    /// Months known to have a partition (or deliberately left to the default one).
    months: Mutex<HashSet<NaiveDate>>,
    /// The chain of each zone seen so far (a zone's chain never changes).
    zone_chains: Mutex<HashMap<String, i32>>,
    /// Whether `audit_events` has row-level security (a ledger adopted from Caracal keeps
    /// Caracal's), which rules out `COPY FROM`: 0 not known yet, 1 no, 2 yes.
    row_security: std::sync::atomic::AtomicU8,
    journaling: Journaling,
}

impl LedgerCommitter {
    /// A committer writing through `pool`; async work runs on `runtime`.
    pub fn new(pool: Pool, config: LedgerConfig, runtime: tokio::runtime::Handle) -> Self {
        Self::build(pool, config, runtime, Journaling::default())
    }

    /// A committer that records every commit in `journal` and checks chains against it
    /// (see [`CommitJournal`]).
    pub fn journaled(
        pool: Pool,
        config: LedgerConfig,
        runtime: tokio::runtime::Handle,
        journal: Arc<dyn CommitJournal>,
    ) -> Self {
        Self::build(pool, config, runtime, Journaling::new(journal))
    }

    fn build(pool: Pool, config: LedgerConfig, runtime: tokio::runtime::Handle, journaling: Journaling) -> Self {
        let inner = Inner {
            pool,
            config,
            stats: Arc::default(),
            months: Mutex::new(HashSet::new()),
            zone_chains: Mutex::new(HashMap::new()),
            row_security: std::sync::atomic::AtomicU8::new(0),
            journaling,
        };
        LedgerCommitter { inner: Arc::new(inner), runtime }
    }

    /// What this committer (and its clones) committed so far.
    pub fn stats(&self) -> Arc<LedgerStats> {
        self.inner.stats.clone()
    }

    /// Heads committed before this process started (what the journal recorded): a chain
    /// found below one of them has been rewound.
    pub fn seed_heads(&self, heads: impl IntoIterator<Item = (i32, i64)>) {
        self.inner.journaling.seed(heads);
    }

    /// Commits `batch` now, outside the dataflow (the repair of a rewound ledger).
    pub async fn commit_now(&self, epoch: u64, batch: Vec<VerifiedEvent>) -> Vec<LedgerOutput> {
        self.inner.commit(epoch, batch).await
    }

    /// Commits `batch` (all of epochs up to `epoch`) and completes with its dead letters.
    pub fn submit(&self, epoch: u64, batch: Vec<VerifiedEvent>, completion: Completion<LedgerOutput>) {
        let inner = self.inner.clone();
        self.runtime.spawn(async move {
            let letters = inner.commit(epoch, batch).await;
            completion.complete(letters);
        });
    }
}

/// A dead letter found by the ledger (not by `verify`): it carries no raw fields, so the DLQ
/// writer re-reads them from the stream, and names the shard as the consumer that decided.
fn ledger_letter(event: &VerifiedEvent, shard: u32, reason: Reason) -> DeadLetter {
    DeadLetter {
        reason,
        src_stream: event.src_stream.clone(),
        src_stream_id: event.src_stream_id.clone(),
        src_id: Some(event.event.id.clone()),
        fields: None,
        received_at_ms: chrono::Utc::now().timestamp_millis(),
        consumer: format!("ledger-shard-{shard}"),
    }
}

/// Another shard's transaction stored the same id first (an id re-delivered under another
/// zone, which routes it to another shard): planning again finds it stored.
fn lost_id_race(e: &LedgerError) -> bool {
    matches!(e, LedgerError::Postgres { source, .. }
        if source.as_db_error().is_some_and(|d| d.code().code() == "23505" && d.constraint() == Some("audit_event_ids_pkey")))
}

impl Inner {
    async fn commit(self: &Arc<Self>, epoch: u64, batch: Vec<VerifiedEvent>) -> Vec<LedgerOutput> {
        if batch.is_empty() {
            return Vec::new();
        }
        self.ensure_months(&batch).await;
        let mut by_shard: BTreeMap<u32, Vec<VerifiedEvent>> = BTreeMap::new();
        for event in batch {
            by_shard.entry(shard_of(&event.event.zone_id, self.config.shards)).or_default().push(event);
        }
        let tasks: Vec<_> = by_shard
            .into_iter()
            .map(|(shard, events)| {
                let inner = self.clone();
                tokio::spawn(async move { inner.commit_shard_until_done(shard, epoch, by_zone(events)).await })
            })
            .collect();
        let mut letters = Vec::new();
        for task in tasks {
            match task.await {
                Ok(mut l) => letters.append(&mut l),
                Err(e) => tracing::error!(error = %e, "ledger shard task panicked"),
            }
        }
        letters
    }

    /// The chain of `zone`, created on first use (`auditflow_zone_chain`), remembered after.
    async fn zone_chain(&self, zone: &str) -> Result<i32, LedgerError> {
        if let Some(chain) = self.zone_chains.lock().unwrap_or_else(|p| p.into_inner()).get(zone) {
            return Ok(*chain);
        }
        let c = client(&self.pool).await?;
        let chain: i32 = c
            .query_one("SELECT auditflow_zone_chain($1)", &[&zone])
            .await
            .map_err(LedgerError::pg("find or create the zone's chain"))?
            .get(0);
        self.zone_chains.lock().unwrap_or_else(|p| p.into_inner()).insert(zone.to_owned(), chain);
        Ok(chain)
    }

    /// Creates missing monthly partitions for the batch's months, from
    /// [`PARTITION_MONTHS_BACK`] months back to [`PARTITION_MONTHS_AHEAD`] ahead (rows outside
    /// go to the default partition). Only the coming months exist ahead of time, so this is
    /// how a late event's month gets its partition.
    async fn ensure_months(&self, batch: &[VerifiedEvent]) {
        let first_of = |d: NaiveDate| NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d);
        let this_month = first_of(chrono::Utc::now().date_naive());
        let lo = this_month.checked_sub_months(Months::new(PARTITION_MONTHS_BACK)).unwrap_or(this_month);
        let hi = this_month.checked_add_months(Months::new(PARTITION_MONTHS_AHEAD)).unwrap_or(this_month);
        let wanted: HashSet<NaiveDate> = {
            let known = self.months.lock().unwrap_or_else(|p| p.into_inner());
            batch
                .iter()
                .map(|e| first_of(e.event.occurred_at.date_naive()))
                .filter(|m| *m >= lo && *m <= hi && !known.contains(m))
                .collect()
        };
        for month in wanted {
            let created = Backoff::outage()
                .retry(
                    || async {
                        let c = client(&self.pool).await?;
                        c.query_one("SELECT auditflow_ensure_month_partition($1)", &[&month])
                            .await
                            .map_err(LedgerError::pg("create partition"))
                    },
                    |e, _| {
                        if !e.is_retryable() {
                            return Retry::GiveUp;
                        }
                        tracing::warn!(error = %e, %month, "creating partition failed, retrying");
                        Retry::Again
                    },
                )
                .await;
            if let Err(e) = created {
                tracing::warn!(error = %e, %month, "cannot create partition; rows use the default partition");
            }
            self.months.lock().unwrap_or_else(|p| p.into_inner()).insert(month);
        }
    }

    async fn commit_shard_until_done(&self, shard: u32, epoch: u64, zones: Vec<ZoneBatch>) -> Vec<LedgerOutput> {
        let committed = Backoff::outage()
            .retry(
                || self.commit_shard(shard, epoch, &zones),
                |e, wait| {
                    if !(e.is_retryable() || lost_id_race(e)) {
                        return Retry::GiveUp;
                    }
                    tracing::warn!(shard, error = %e, retry_in_ms = wait.as_millis() as u64, "ledger commit failed, retrying");
                    Retry::Again
                },
            )
            .await;
        match committed {
            Ok((mut outcome, letters, views)) => {
                self.stats.record(&outcome);
                self.journaling.record(std::mem::take(&mut outcome.committed)).await;
                tracing::debug!(shard, epoch, ?outcome, "ledger batch committed");
                let mut out: Vec<LedgerOutput> = letters.into_iter().map(LedgerOutput::Dead).collect();
                out.extend(views.into_iter().map(LedgerOutput::Committed));
                out.extend(outcome.advanced.into_iter().map(LedgerOutput::Advanced));
                out
            }
            Err(e) => {
                tracing::error!(shard, error = %e, "ledger refused the batch; isolating the offending rows");
                self.isolate_permanent(shard, epoch, zones).await
            }
        }
    }

    /// Commits rows one at a time so that only the rows Postgres refuses for good are
    /// dead-lettered (`pg_permanent_error`).
    async fn isolate_permanent(&self, shard: u32, epoch: u64, zones: Vec<ZoneBatch>) -> Vec<LedgerOutput> {
        let mut letters = Vec::new();
        let mut heads: BTreeMap<i32, i64> = BTreeMap::new();
        for event in zones.into_iter().flat_map(|z| z.events) {
            let single = [ZoneBatch { zone: event.event.zone_id.clone(), events: vec![event] }];
            let committed = Backoff::outage()
                .retry(
                    || self.commit_shard(shard, epoch, &single),
                    |e, _| if e.is_retryable() || lost_id_race(e) { Retry::Again } else { Retry::GiveUp },
                )
                .await;
            match committed {
                Ok((mut outcome, l, views)) => {
                    self.stats.record(&outcome);
                    self.journaling.record(std::mem::take(&mut outcome.committed)).await;
                    letters.extend(l.into_iter().map(LedgerOutput::Dead));
                    letters.extend(views.into_iter().map(LedgerOutput::Committed));
                    for advance in outcome.advanced {
                        heads.insert(advance.chain_id, advance.head_seq);
                    }
                }
                Err(e) => {
                    let message = match &e {
                        LedgerError::Postgres { source, .. } => {
                            source.as_db_error().map(|d| d.message().to_owned()).unwrap_or_else(|| source.to_string())
                        }
                        other => other.to_string(),
                    };
                    letters.push(LedgerOutput::Dead(ledger_letter(
                        &single[0].events[0],
                        shard,
                        Reason::PgPermanentError(message),
                    )));
                }
            }
        }
        letters.extend(
            heads.into_iter().map(|(chain_id, head_seq)| LedgerOutput::Advanced(ChainAdvance { chain_id, head_seq })),
        );
        letters
    }

    /// One transaction for the zones of one shard: lock each zone's chain head (in chain
    /// order, so two transactions never wait on each other in a cycle), plan every zone's
    /// new rows, copy them, sign each zone's batch head, move each zone's watermark.
    async fn commit_shard(
        &self,
        shard: u32,
        epoch: u64,
        zones: &[ZoneBatch],
    ) -> Result<(ShardOutcome, Vec<DeadLetter>, Vec<SharedEvent>), LedgerError> {
        let mut chain_of_zone = Vec::with_capacity(zones.len());
        for zone in zones {
            chain_of_zone.push(self.zone_chain(&zone.zone).await?);
        }
        let started = std::time::Instant::now();
        let mut client = client(&self.pool).await?;
        let tx = client.transaction().await.map_err(LedgerError::pg("begin"))?;
        let head_stmt = tx
            .prepare_cached(
                "SELECT chain_id, chain_seq, head_content_sha256 FROM audit_ingest_watermarks \
                 WHERE sink = 'ledger' AND chain_id = ANY($1) ORDER BY chain_id FOR UPDATE",
            )
            .await
            .map_err(LedgerError::pg("prepare head"))?;
        let mut heads: HashMap<i32, ChainHead> = tx
            .query(&head_stmt, &[&chain_of_zone])
            .await
            .map_err(LedgerError::pg("lock chain heads"))?
            .into_iter()
            .map(|r| (r.get(0), ChainHead { seq: r.get(1), content_sha256: r.get(2) }))
            .collect();
        self.journaling.check(&heads).await?;

        let ids: Vec<String> = zones.iter().flat_map(|z| z.events.iter().map(|e| e.event.id.clone())).collect();
        let stored_stmt = tx
            .prepare_cached("SELECT id, content_sha256, written_by IS NOT NULL FROM audit_event_ids WHERE id = ANY($1)")
            .await
            .map_err(LedgerError::pg("prepare lookup"))?;
        // Ids stored, then also those accepted for an earlier zone of this batch.
        let mut known: HashMap<String, String> = HashMap::new();
        let mut caracal_rows: Vec<(String, String)> = Vec::new();
        for r in tx.query(&stored_stmt, &[&ids]).await.map_err(LedgerError::pg("look up stored ids"))? {
            if r.get::<_, bool>(2) {
                caracal_rows.push((r.get(0), r.get(1)));
            } else {
                known.insert(r.get(0), r.get(1));
            }
        }
        // Rows Caracal stored carry Caracal's hash: a re-delivery is compared with Caracal's
        // algorithm, and an equal one stands for this event's own hash (a duplicate).
        for (id, caracal_sha) in caracal_rows {
            let event = zones.iter().flat_map(|z| &z.events).find(|e| e.event.id == id);
            let same = match event {
                Some(e) => caracal_content_sha256(&tx, &e.event).await? == caracal_sha,
                None => false,
            };
            let as_known = match (same, event) {
                (true, Some(e)) => e.content_sha256.clone(),
                _ => caracal_sha,
            };
            known.insert(id, as_known);
        }

        let key = self.config.tamper_evidence.then_some(&self.config.key);
        let mut plans = Vec::with_capacity(zones.len());
        for (zone, &chain_id) in zones.iter().zip(&chain_of_zone) {
            let Some(head) = heads.remove(&chain_id) else {
                // The zone's chain is gone with a failover that lost its creation: look it
                // up (create it) again on the next attempt.
                self.zone_chains.lock().unwrap_or_else(|p| p.into_inner()).remove(&zone.zone);
                return Err(LedgerError::ChainMissing(format!(
                    "no watermark row for chain {chain_id} (zone {:?}): the zone is looked up again (if this \
                     repeats, run `auditflow migrate`)",
                    zone.zone
                )));
            };
            let plan = plan_batch(chain_id as u32, head, &zone.events, &known, key);
            for row in &plan.new_rows {
                let e = &zone.events[row.index];
                known.insert(e.event.id.clone(), e.content_sha256.clone());
            }
            plans.push(ZonePlan { chain_id, events: &zone.events, plan });
        }
        let planned: Vec<&ZonePlan> = plans.iter().filter(|p| !p.plan.new_rows.is_empty()).collect();
        if !planned.is_empty() {
            if self.row_security(&tx).await? {
                insert_rows(&tx, &planned).await.map_err(LedgerError::pg("insert rows"))?;
            } else {
                copy_rows(&tx, &planned).await.map_err(LedgerError::pg("copy rows"))?;
            }
            copy_ids(&tx, &planned).await.map_err(LedgerError::pg("copy ids"))?;
            if self.config.tamper_evidence {
                record_batch_heads(&self.config.key, &self.config.head_key, &tx, epoch, &planned).await?;
            }
        }
        let mut letters = Vec::new();
        for p in &plans {
            for tamper in &p.plan.tampers {
                let e = &p.events[tamper.index];
                let detail = serde_json::json!({
                    "stored_content_sha256": tamper.stored_content_sha256,
                    "replayed_content_sha256": e.content_sha256,
                    "chain_id": p.chain_id,
                });
                tx.execute(
                    "INSERT INTO audit_ingest_alerts (kind, event_id, zone_id, src_stream, src_stream_id, detail) \
                     VALUES ('tamper_on_replay', $1, $2, $3, $4, $5::jsonb) ON CONFLICT DO NOTHING",
                    &[&e.event.id, &e.event.zone_id, &e.src_stream, &e.src_stream_id, &detail],
                )
                .await
                .map_err(LedgerError::pg("record tamper alert"))?;
                tracing::warn!(event_id = %e.event.id, src_stream_id = %e.src_stream_id, "tamper_on_replay: re-delivered event differs from the stored row");
                letters.push(ledger_letter(e, shard, Reason::TamperOnReplay));
            }
        }
        let mut chains = Vec::with_capacity(plans.len());
        let (mut stream_ids, mut seqs, mut head_hashes, mut added) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for p in &plans {
            chains.push(p.chain_id);
            stream_ids.push(p.events.iter().map(|e| &e.src_stream_id).max_by_key(|id| stream_pos(id)).cloned());
            seqs.push(p.plan.head.seq);
            head_hashes.push(p.plan.head.content_sha256.clone());
            added.push(p.plan.new_rows.len() as i64);
        }
        let watermark_stmt = tx
            .prepare_cached(
                "UPDATE audit_ingest_watermarks w SET epoch = GREATEST(w.epoch, $2), stream_id = u.stream_id, \
                 chain_seq = u.seq, head_content_sha256 = u.head, rows_total = w.rows_total + u.added, updated_at = now() \
                 FROM unnest($1::integer[], $3::text[], $4::bigint[], $5::text[], $6::bigint[]) \
                      AS u(chain_id, stream_id, seq, head, added) \
                 WHERE w.sink = 'ledger' AND w.chain_id = u.chain_id",
            )
            .await
            .map_err(LedgerError::pg("prepare watermark"))?;
        tx.execute(&watermark_stmt, &[&chains, &(epoch as i64), &stream_ids, &seqs, &head_hashes, &added])
            .await
            .map_err(LedgerError::pg("advance watermarks"))?;
        // Crash tests: a SIGKILL inside the transaction, after the COPY, before COMMIT.
        if crate::failpoint::reached("kill_before_commit") {
            crate::failpoint::kill_self("kill_before_commit");
        }
        tx.commit().await.map_err(LedgerError::pg("commit"))?;
        metrics::histogram!("auditflow_sink_commit_seconds", "sink" => "ledger")
            .record(started.elapsed().as_secs_f64());
        let mut outcome = ShardOutcome { committed: committed_of(&plans), ..ShardOutcome::default() };
        let mut views = Vec::new();
        for p in &plans {
            outcome.inserted += p.plan.new_rows.len();
            outcome.duplicates += p.plan.duplicates;
            outcome.tampers += p.plan.tampers.len();
            if !p.plan.new_rows.is_empty() {
                outcome.advanced.push(ChainAdvance { chain_id: p.chain_id, head_seq: p.plan.head.seq });
            }
            if self.config.views {
                views.extend(
                    p.plan
                        .new_rows
                        .iter()
                        .map(|r| SharedEvent::new(ViewEvent::of(&p.events[r.index].event, p.chain_id, r.chain_seq))),
                );
            }
        }
        Ok((outcome, letters, views))
    }

    async fn row_security(&self, tx: &deadpool_postgres::Transaction<'_>) -> Result<bool, LedgerError> {
        match self.row_security.load(Ordering::Relaxed) {
            1 => Ok(false),
            2 => Ok(true),
            _ => {
                let on: bool = tx
                    .query_one("SELECT relrowsecurity FROM pg_class WHERE oid = 'audit_events'::regclass", &[])
                    .await
                    .map_err(LedgerError::pg("read whether audit_events has row-level security"))?
                    .get(0);
                self.row_security.store(if on { 2 } else { 1 }, Ordering::Relaxed);
                Ok(on)
            }
        }
    }
}
