//! The async side of the ledger sink: one transaction per shard and completed batch.

use super::copy::{copy_ids, copy_rows};
use crate::epoch_sink::Completion;
use crate::export::ChainAdvance;
use crate::postgres::{client, PARTITION_MONTHS_AHEAD, PARTITION_MONTHS_BACK};
use crate::SinkError;
use auditflow_schemas::chain::{plan_batch, BatchPlan, ChainHead, LedgerKey};
use auditflow_schemas::shard::shard_of;
use auditflow_schemas::tamper::{merkle_root, sha256_bytes, BatchHead, HeadKey};
use auditflow_schemas::view::{SharedEvent, ViewEvent};
use auditflow_schemas::{DeadLetter, Reason, VerifiedEvent};
use chrono::{Datelike, Months, NaiveDate};
use deadpool_postgres::Pool;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the ledger sink needs.
#[derive(Clone, Debug)]
pub struct LedgerConfig {
    /// Number of ledger shards (= chains). Fixed for the life of a ledger.
    pub shards: u32,
    /// The ledger HMAC key for `chain_hmac` (the active one).
    pub key: LedgerKey,
    /// The Ed25519 key signing each batch's head.
    pub head_key: HeadKey,
    /// Hash chains, HMACs and signed heads. Only the ingest benchmark turns this off, to
    /// measure what they cost; a ledger written without them does not verify.
    pub tamper_evidence: bool,
    /// Emit every committed row for the live views.
    pub views: bool,
}

/// Counters of what this process committed (for summaries and metrics).
#[derive(Debug, Default)]
pub struct LedgerStats {
    /// Rows inserted.
    pub inserted: AtomicU64,
    /// Identical re-deliveries dropped.
    pub duplicates: AtomicU64,
    /// Tampered re-deliveries dead-lettered.
    pub tampers: AtomicU64,
}

impl LedgerStats {
    fn record(&self, outcome: &ShardOutcome) {
        self.inserted.fetch_add(outcome.inserted as u64, Ordering::Relaxed);
        self.duplicates.fetch_add(outcome.duplicates as u64, Ordering::Relaxed);
        self.tampers.fetch_add(outcome.tampers as u64, Ordering::Relaxed);
    }
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
}

/// What one shard transaction did.
#[derive(Debug, Default, Clone, Copy)]
pub struct ShardOutcome {
    /// Rows inserted.
    pub inserted: usize,
    /// Identical re-deliveries dropped.
    pub duplicates: usize,
    /// Re-deliveries with other content.
    pub tampers: usize,
    /// The shard's chain head after the commit.
    pub head_seq: i64,
}

/// What the ledger sink emits once a batch is durable.
#[derive(Debug, Clone)]
pub enum LedgerOutput {
    /// A dead letter found while committing (`tamper_on_replay`, `pg_permanent_error`).
    Dead(DeadLetter),
    /// A chain's committed head moved (for the export).
    Advanced(ChainAdvance),
    /// A row the ledger committed (for the live views).
    Committed(SharedEvent),
}

fn stream_pos(id: &str) -> (u64, u64) {
    let mut parts = id.splitn(2, '-');
    let ms = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let seq = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (ms, seq)
}

impl LedgerCommitter {
    /// A committer writing through `pool`; async work runs on `runtime`.
    pub fn new(pool: Pool, config: LedgerConfig, runtime: tokio::runtime::Handle) -> Self {
        let inner = Inner { pool, config, stats: Arc::default(), months: Mutex::new(HashSet::new()) };
        LedgerCommitter { inner: Arc::new(inner), runtime }
    }

    /// What this committer (and its clones) committed so far.
    pub fn stats(&self) -> Arc<LedgerStats> {
        self.inner.stats.clone()
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

/// The head of the rows `plan` appends (which must be non-empty), to be signed.
fn batch_head(chain_id: i32, events: &[VerifiedEvent], plan: &BatchPlan, key: &LedgerKey) -> BatchHead {
    let leaves: Vec<[u8; 32]> =
        plan.new_rows.iter().filter_map(|r| sha256_bytes(&events[r.index].content_sha256)).collect();
    let first = plan.new_rows.first().map(|r| r.chain_seq).unwrap_or(plan.head.seq);
    let last = plan.new_rows.last();
    BatchHead {
        chain_id,
        from_seq: first,
        to_seq: plan.head.seq,
        merkle_root: hex::encode(merkle_root(&leaves)),
        head_content_sha256: plan.head.content_sha256.clone().unwrap_or_default(),
        head_chain_hmac: last.map(|r| r.chain_hmac.clone()).unwrap_or_default(),
        hmac_key_id: key.id.clone(),
        committed_at_us: chrono::Utc::now().timestamp_micros(),
    }
}

async fn backoff_sleep(backoff: &mut Duration) {
    tokio::time::sleep(*backoff).await;
    *backoff = (*backoff * 2).min(Duration::from_secs(5));
}

impl Inner {
    async fn commit(self: &Arc<Self>, epoch: u64, batch: Vec<VerifiedEvent>) -> Vec<LedgerOutput> {
        if batch.is_empty() {
            return Vec::new();
        }
        self.ensure_months(&batch).await;
        let mut by_shard: BTreeMap<u32, Vec<VerifiedEvent>> = BTreeMap::new();
        for event in batch {
            by_shard.entry(shard_of(&event.event.id, self.config.shards)).or_default().push(event);
        }
        let tasks: Vec<_> = by_shard
            .into_iter()
            .map(|(shard, events)| {
                let inner = self.clone();
                tokio::spawn(async move { inner.commit_shard_until_done(shard, epoch, events).await })
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
            let mut backoff = Duration::from_millis(100);
            loop {
                let result = async {
                    let c = client(&self.pool).await?;
                    c.query_one("SELECT auditflow_ensure_month_partition($1)", &[&month])
                        .await
                        .map_err(SinkError::pg("create partition"))
                }
                .await;
                match result {
                    Ok(_) => break,
                    Err(e) if e.is_retryable() => {
                        tracing::warn!(error = %e, %month, "creating partition failed, retrying");
                        backoff_sleep(&mut backoff).await;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, %month, "cannot create partition; rows use the default partition");
                        break;
                    }
                }
            }
            self.months.lock().unwrap_or_else(|p| p.into_inner()).insert(month);
        }
    }

    async fn commit_shard_until_done(&self, shard: u32, epoch: u64, events: Vec<VerifiedEvent>) -> Vec<LedgerOutput> {
        let mut backoff = Duration::from_millis(100);
        loop {
            match self.commit_shard(shard, epoch, &events).await {
                Ok((outcome, letters, views)) => {
                    self.stats.record(&outcome);
                    tracing::debug!(shard, epoch, ?outcome, "ledger batch committed");
                    let mut out: Vec<LedgerOutput> = letters.into_iter().map(LedgerOutput::Dead).collect();
                    out.extend(views.into_iter().map(LedgerOutput::Committed));
                    if outcome.inserted > 0 {
                        out.push(LedgerOutput::Advanced(ChainAdvance {
                            chain_id: shard as i32,
                            head_seq: outcome.head_seq,
                        }));
                    }
                    return out;
                }
                Err(e) if e.is_retryable() => {
                    tracing::warn!(shard, error = %e, retry_in_ms = backoff.as_millis() as u64, "ledger commit failed, retrying");
                    backoff_sleep(&mut backoff).await;
                }
                Err(e) => {
                    tracing::error!(shard, error = %e, "ledger refused the batch; isolating the offending rows");
                    return self.isolate_permanent(shard, epoch, events).await;
                }
            }
        }
    }

    /// Commits rows one at a time so that only the rows Postgres refuses for good are
    /// dead-lettered (`pg_permanent_error`).
    async fn isolate_permanent(&self, shard: u32, epoch: u64, events: Vec<VerifiedEvent>) -> Vec<LedgerOutput> {
        let mut letters = Vec::new();
        let mut head_seq = None;
        for event in events {
            let mut backoff = Duration::from_millis(100);
            loop {
                match self.commit_shard(shard, epoch, std::slice::from_ref(&event)).await {
                    Ok((outcome, l, views)) => {
                        self.stats.record(&outcome);
                        letters.extend(l.into_iter().map(LedgerOutput::Dead));
                        letters.extend(views.into_iter().map(LedgerOutput::Committed));
                        if outcome.inserted > 0 {
                            head_seq = Some(outcome.head_seq);
                        }
                        break;
                    }
                    Err(e) if e.is_retryable() => backoff_sleep(&mut backoff).await,
                    Err(e) => {
                        let message = match &e {
                            SinkError::Postgres { source, .. } => source
                                .as_db_error()
                                .map(|d| d.message().to_owned())
                                .unwrap_or_else(|| source.to_string()),
                            other => other.to_string(),
                        };
                        letters.push(LedgerOutput::Dead(ledger_letter(
                            &event,
                            shard,
                            Reason::PgPermanentError(message),
                        )));
                        break;
                    }
                }
            }
        }
        if let Some(head_seq) = head_seq {
            letters.push(LedgerOutput::Advanced(ChainAdvance { chain_id: shard as i32, head_seq }));
        }
        letters
    }

    async fn commit_shard(
        &self,
        shard: u32,
        epoch: u64,
        events: &[VerifiedEvent],
    ) -> Result<(ShardOutcome, Vec<DeadLetter>, Vec<SharedEvent>), SinkError> {
        let chain_id = shard as i32;
        let started = std::time::Instant::now();
        let mut client = client(&self.pool).await?;
        let tx = client.transaction().await.map_err(SinkError::pg("begin"))?;
        let head_stmt = tx
            .prepare_cached(
                "SELECT chain_seq, head_content_sha256 FROM audit_ingest_watermarks \
                 WHERE sink = 'ledger' AND chain_id = $1 FOR UPDATE",
            )
            .await
            .map_err(SinkError::pg("prepare head"))?;
        let head_row = tx.query_opt(&head_stmt, &[&chain_id]).await.map_err(SinkError::pg("lock chain head"))?;
        let Some(head_row) = head_row else {
            return Err(SinkError::Incompatible(format!(
                "no watermark row for chain {chain_id}; run `auditflow migrate`"
            )));
        };
        let head = ChainHead { seq: head_row.get(0), content_sha256: head_row.get(1) };

        let ids: Vec<&str> = events.iter().map(|e| e.event.id.as_str()).collect();
        let stored_stmt = tx
            .prepare_cached("SELECT id, content_sha256 FROM audit_event_ids WHERE id = ANY($1)")
            .await
            .map_err(SinkError::pg("prepare lookup"))?;
        let stored: HashMap<String, String> = tx
            .query(&stored_stmt, &[&ids])
            .await
            .map_err(SinkError::pg("look up stored ids"))?
            .into_iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();

        let key = self.config.tamper_evidence.then_some(&self.config.key);
        let plan = plan_batch(shard, head, events, &stored, key);
        if !plan.new_rows.is_empty() {
            copy_rows(&tx, chain_id, events, &plan).await.map_err(SinkError::pg("copy rows"))?;
            copy_ids(&tx, chain_id, events, &plan).await.map_err(SinkError::pg("copy ids"))?;
            if self.config.tamper_evidence {
                let head = batch_head(chain_id, events, &plan, &self.config.key);
                let signature = self.config.head_key.sign(&head);
                let stmt = tx
                    .prepare_cached(
                        "INSERT INTO audit_ledger_batches (chain_id, from_seq, to_seq, epoch, merkle_root, \
                         head_content_sha256, head_chain_hmac, hmac_key_id, committed_at_us, head_key_id, signature) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    )
                    .await
                    .map_err(SinkError::pg("prepare batch head"))?;
                tx.execute(
                    &stmt,
                    &[
                        &chain_id,
                        &head.from_seq,
                        &head.to_seq,
                        &(epoch as i64),
                        &head.merkle_root,
                        &head.head_content_sha256,
                        &head.head_chain_hmac,
                        &head.hmac_key_id,
                        &head.committed_at_us,
                        &self.config.head_key.id(),
                        &signature,
                    ],
                )
                .await
                .map_err(SinkError::pg("record batch head"))?;
            }
        }
        let mut letters = Vec::with_capacity(plan.tampers.len());
        for tamper in &plan.tampers {
            let e = &events[tamper.index];
            let detail = serde_json::json!({
                "stored_content_sha256": tamper.stored_content_sha256,
                "replayed_content_sha256": e.content_sha256,
                "chain_id": chain_id,
            });
            tx.execute(
                "INSERT INTO audit_ingest_alerts (kind, event_id, src_stream, src_stream_id, detail) \
                 VALUES ('tamper_on_replay', $1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[&e.event.id, &e.src_stream, &e.src_stream_id, &detail],
            )
            .await
            .map_err(SinkError::pg("record tamper alert"))?;
            tracing::warn!(event_id = %e.event.id, src_stream_id = %e.src_stream_id, "tamper_on_replay: re-delivered event differs from the stored row");
            letters.push(ledger_letter(e, shard, Reason::TamperOnReplay));
        }
        let max_stream_id = events.iter().map(|e| e.src_stream_id.as_str()).max_by_key(|id| stream_pos(id));
        let watermark_stmt = tx
            .prepare_cached(
                "UPDATE audit_ingest_watermarks SET epoch = GREATEST(epoch, $2), stream_id = $3, chain_seq = $4, \
                 head_content_sha256 = $5, rows_total = rows_total + $6, updated_at = now() \
                 WHERE sink = 'ledger' AND chain_id = $1",
            )
            .await
            .map_err(SinkError::pg("prepare watermark"))?;
        tx.execute(
            &watermark_stmt,
            &[
                &chain_id,
                &(epoch as i64),
                &max_stream_id,
                &plan.head.seq,
                &plan.head.content_sha256,
                &(plan.new_rows.len() as i64),
            ],
        )
        .await
        .map_err(SinkError::pg("advance watermark"))?;
        // Crash tests: a SIGKILL inside the transaction, after the COPY, before COMMIT.
        if crate::failpoint::reached("kill_before_commit") {
            crate::failpoint::kill_self("kill_before_commit");
        }
        tx.commit().await.map_err(SinkError::pg("commit"))?;
        metrics::histogram!("auditflow_sink_commit_seconds", "sink" => "ledger")
            .record(started.elapsed().as_secs_f64());
        let outcome = ShardOutcome {
            inserted: plan.new_rows.len(),
            duplicates: plan.duplicates,
            tampers: plan.tampers.len(),
            head_seq: plan.head.seq,
        };
        let views = if self.config.views {
            plan.new_rows
                .iter()
                .map(|r| SharedEvent::new(ViewEvent::of(&events[r.index].event, chain_id, r.chain_seq)))
                .collect()
        } else {
            Vec::new()
        };
        Ok((outcome, letters, views))
    }
}
