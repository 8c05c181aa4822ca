//! The async side of the export: one task per timely worker, archiving that worker's
//! chains segment by segment (see the module docs of [`super`]).

use crate::layout::{file_name, manifest_key, watermark_key, Partition};
use crate::manifest::{sha256_hex, sign_manifest, sign_watermark, LedgerHead, Manifest, ManifestFile, Watermark};
use crate::parquet_file::{Encoder, ExportRow, CHUNK_ROWS};
use crate::{Archive, ChainAdvance, ExportError, ExportSigner};
use auditflow_ledger::postgres::client;
use auditflow_ledger::LedgerError;
use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use futures_util::{pin_mut, StreamExt};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

/// Export tuning (`[export]` in the config file).
#[derive(Debug, Clone)]
pub struct ExportConfig {
    /// A committed row is archived within this time (`export.max_delay`, default 60 s): a
    /// segment is cut once its oldest row has waited three quarters of it.
    pub max_delay: Duration,
    /// Files roll at about this many bytes (default 128 MiB).
    pub target_file_bytes: usize,
    /// A segment covers at most this many ledger rows (default 1M); also the largest file.
    pub target_segment_rows: i64,
}

impl Default for ExportConfig {
    fn default() -> Self {
        ExportConfig {
            max_delay: Duration::from_secs(60),
            target_file_bytes: 128 << 20,
            target_segment_rows: 1_000_000,
        }
    }
}

/// What the exporters of this process did (for summaries and metrics).
#[derive(Debug, Default)]
pub struct ExportStats {
    /// Rows archived (`caracal_audit_export_events_total`).
    pub rows: AtomicU64,
    /// Data files written.
    pub files: AtomicU64,
    /// Bytes of data files written.
    pub bytes: AtomicU64,
    /// Manifests written.
    pub manifests: AtomicU64,
    /// Failed attempts that were retried.
    pub retries: AtomicU64,
    /// Chains whose export stopped on a problem retrying cannot fix (the run fails).
    pub chains_failed: AtomicU64,
    /// Age in ms of the oldest committed row not yet archived, over this process's chains
    /// (`caracal_audit_export_backlog_seconds`).
    pub backlog_ms: AtomicI64,
}

/// Builds exporter tasks; cheap to clone.
#[derive(Clone)]
pub struct Exporter {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    archive: Archive,
    signer: ExportSigner,
    config: ExportConfig,
    stats: Arc<ExportStats>,
}

enum Message {
    Advanced(ChainAdvance),
    Finish,
}

/// The worker's end of its exporter task.
#[derive(Clone)]
pub struct ExportHandle {
    tx: mpsc::UnboundedSender<Message>,
    shared: Arc<HandleShared>,
}

/// Wakes whoever waits for the export task to finish.
pub type Waker = Box<dyn Fn() + Send + Sync>;

#[derive(Default)]
struct HandleShared {
    finished: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl ExportHandle {
    /// Called once the task finishes (the export operator passes its activator).
    pub fn set_waker(&self, waker: Waker) {
        *self.shared.waker.lock().unwrap_or_else(|p| p.into_inner()) = Some(waker);
    }

    /// A chain's committed head moved.
    pub fn advance(&self, advance: ChainAdvance) {
        let _ = self.tx.send(Message::Advanced(advance));
    }

    /// No more input: archive everything committed, then finish.
    pub fn finish(&self) {
        let _ = self.tx.send(Message::Finish);
    }

    /// Whether the task has archived everything and ended.
    pub fn finished(&self) -> bool {
        self.shared.finished.load(Ordering::SeqCst)
    }
}

#[derive(Debug, Clone, Default)]
struct ChainState {
    /// The export watermark: ledger rows up to here are archived.
    to_seq: i64,
    ledger_head: i64,
    /// Commit time of the oldest row not yet archived, once looked up.
    pending_since: Option<DateTime<Utc>>,
}

/// Crash-test hook (see [`auditflow_ledger::failpoint`]): `AUDITFLOW_FAILPOINT=export:<stage>:<n>`
/// SIGKILLs the process the n-th time the exporter reaches `<stage>`: `mid_file` (a torn
/// first data object is written first), `before_manifest` (data uploaded), `mid_manifest` (a
/// torn manifest is written first), `before_watermark` (manifest uploaded) or
/// `before_store_watermark` (Postgres watermark committed).
async fn failpoint(stage: &str, archive: &Archive, torn: Option<(&str, &[u8])>) {
    let name = format!("export:{stage}");
    if !auditflow_ledger::failpoint::reached(&name) {
        return;
    }
    if let Some((key, bytes)) = torn {
        let _ = archive.put(key, bytes[..bytes.len() / 2].to_vec()).await;
    }
    auditflow_ledger::failpoint::kill_self(&name);
}

impl Exporter {
    /// An exporter writing to `archive`, reading the ledger through `pool`.
    pub fn new(pool: Pool, archive: Archive, signer: ExportSigner, config: ExportConfig) -> Self {
        Exporter { inner: Arc::new(Inner { pool, archive, signer, config, stats: Arc::default() }) }
    }

    /// What this exporter (and its clones) did so far.
    pub fn stats(&self) -> Arc<ExportStats> {
        self.inner.stats.clone()
    }

    /// Starts the task archiving `chains`, and every chain the ledger sink reports moving
    /// later (a zone first written during this run), on `runtime`.
    pub fn spawn(&self, chains: Vec<i32>, runtime: &tokio::runtime::Handle) -> ExportHandle {
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Arc::new(HandleShared::default());
        let inner = self.inner.clone();
        let done = shared.clone();
        runtime.spawn(async move {
            inner.run(chains, rx).await;
            done.finished.store(true, Ordering::SeqCst);
            if let Some(wake) = done.waker.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
                wake();
            }
        });
        ExportHandle { tx, shared }
    }

    /// Archives everything the ledger committed for `chains` now, ignoring `max_delay`
    /// (for `auditflow export flush` and tests).
    pub async fn catch_up(&self, chains: &[i32]) -> Result<(), ExportError> {
        let inner = &self.inner;
        let results: Vec<Result<(), ExportError>> = futures_util::stream::iter(chains.iter().copied())
            .map(|chain| async move {
                while inner.cycle(chain).await?.archived {}
                Ok(())
            })
            .buffer_unordered(EXPORT_CONCURRENCY)
            .collect()
            .await;
        results.into_iter().collect()
    }
}

/// Chains an exporter task works on at once.
const EXPORT_CONCURRENCY: usize = 2;

async fn backoff_sleep(backoff: &mut Duration) {
    tokio::time::sleep(*backoff).await;
    *backoff = (*backoff * 2).min(Duration::from_secs(10));
}

impl Inner {
    async fn run(self: Arc<Self>, chains: Vec<i32>, mut rx: mpsc::UnboundedReceiver<Message>) {
        let mut backoff = Duration::from_millis(200);
        let mut states = loop {
            match self.load_states(&chains).await {
                Ok(s) => break s,
                Err(e) => {
                    tracing::warn!(error = %e, "export cannot read its watermarks yet, retrying");
                    backoff_sleep(&mut backoff).await;
                }
            }
        };
        // Chains (zones) first written while this export runs: their state is read from
        // Postgres before their first segment.
        let mut discovered: BTreeMap<i32, i64> = BTreeMap::new();
        let mut finishing = false;
        let mut last_behind_warning = std::time::Instant::now();
        let mut broken: BTreeMap<i32, String> = BTreeMap::new();
        let tick = (self.config.max_delay / 8).clamp(Duration::from_millis(50), Duration::from_secs(1));
        loop {
            if !finishing {
                if let Ok(Some(m)) = tokio::time::timeout(tick, rx.recv()).await {
                    self.apply(&mut states, &mut discovered, m, &mut finishing);
                }
            }
            while let Ok(m) = rx.try_recv() {
                self.apply(&mut states, &mut discovered, m, &mut finishing);
            }
            if !discovered.is_empty() {
                let chains: Vec<i32> = discovered.keys().copied().collect();
                match self.load_states(&chains).await {
                    Ok(loaded) => {
                        for (chain, mut state) in loaded {
                            state.ledger_head = state.ledger_head.max(discovered.get(&chain).copied().unwrap_or(0));
                            states.insert(chain, state);
                        }
                        discovered.clear();
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "export cannot read the watermarks of new chains yet, retrying");
                        backoff_sleep(&mut backoff).await;
                        continue;
                    }
                }
            }
            if finishing {
                // Heads committed by earlier runs count too.
                if let Err(e) = self.refresh_heads(&mut states).await {
                    tracing::warn!(error = %e, "export cannot read the ledger heads, retrying");
                    backoff_sleep(&mut backoff).await;
                    continue;
                }
            }
            // Two chains at a time: while one waits for Postgres to sort and send its
            // segment, the other encodes (the export's share of a core stays busy).
            let work: Vec<(i32, ChainState)> =
                states.iter().filter(|(c, _)| !broken.contains_key(*c)).map(|(c, s)| (*c, s.clone())).collect();
            let this = &self;
            let results: Vec<(i32, ChainState, Result<(), ExportError>)> = futures_util::stream::iter(work)
                .map(|(chain, mut state)| async move {
                    let result = this.maybe_export(chain, &mut state, finishing).await;
                    (chain, state, result)
                })
                .buffer_unordered(EXPORT_CONCURRENCY)
                .collect()
                .await;
            let mut all_done = true;
            let mut failed = false;
            for (chain, state, result) in results {
                match result {
                    Ok(()) => {}
                    Err(e) if e.is_retryable() => {
                        failed = true;
                        self.stats.retries.fetch_add(1, Ordering::Relaxed);
                        tracing::warn!(chain, error = %e, retry_in_ms = backoff.as_millis() as u64, "export step failed; it will be redone with the same names and bytes");
                    }
                    Err(e) => {
                        tracing::error!(chain, error = %e, "export of this chain stopped: the problem needs an operator");
                        self.stats.chains_failed.fetch_add(1, Ordering::Relaxed);
                        broken.insert(chain, e.to_string());
                    }
                }
                if state.to_seq < state.ledger_head && !broken.contains_key(&chain) {
                    all_done = false;
                }
                states.insert(chain, state);
            }
            if failed {
                backoff_sleep(&mut backoff).await;
            } else {
                backoff = Duration::from_millis(200);
            }
            self.publish_backlog(&states);
            let backlog = Duration::from_millis(self.stats.backlog_ms.load(Ordering::Relaxed).max(0) as u64);
            if backlog > self.config.max_delay && last_behind_warning.elapsed() > Duration::from_secs(30) {
                last_behind_warning = std::time::Instant::now();
                let rows: i64 = states.values().map(|s| (s.ledger_head - s.to_seq).max(0)).sum();
                tracing::warn!(
                    backlog_secs = backlog.as_secs(),
                    rows_behind = rows,
                    max_delay_secs = self.config.max_delay.as_secs(),
                    "the archive is behind the ledger by more than export.max_delay (object store slow or down?); nothing is lost, it catches up from the ledger"
                );
            }
            if finishing && all_done {
                if !broken.is_empty() {
                    tracing::error!(?broken, "export finished with chains it could not archive");
                }
                return;
            }
        }
    }

    fn apply(
        &self,
        states: &mut BTreeMap<i32, ChainState>,
        discovered: &mut BTreeMap<i32, i64>,
        message: Message,
        finishing: &mut bool,
    ) {
        match message {
            Message::Advanced(a) => match states.get_mut(&a.chain_id) {
                Some(s) => s.ledger_head = s.ledger_head.max(a.head_seq),
                None => {
                    let head = discovered.entry(a.chain_id).or_default();
                    *head = (*head).max(a.head_seq);
                }
            },
            Message::Finish => *finishing = true,
        }
    }

    fn publish_backlog(&self, states: &BTreeMap<i32, ChainState>) {
        let now = Utc::now();
        let oldest = states
            .values()
            .filter(|s| s.to_seq < s.ledger_head)
            .filter_map(|s| s.pending_since)
            .map(|t| (now - t).num_milliseconds().max(0))
            .max()
            .unwrap_or(0);
        self.stats.backlog_ms.store(oldest, Ordering::Relaxed);
    }

    async fn load_states(&self, chains: &[i32]) -> Result<BTreeMap<i32, ChainState>, ExportError> {
        let c = client(&self.pool).await?;
        let mut states = BTreeMap::new();
        for &chain in chains {
            let row = c
                .query_one(
                    "SELECT w.manifest_seq, w.to_seq, w.manifest_sha256, l.chain_seq FROM audit_export_watermarks w \
                     JOIN audit_ingest_watermarks l ON l.sink = 'ledger' AND l.chain_id = w.chain_id \
                     WHERE w.chain_id = $1",
                    &[&chain],
                )
                .await
                .map_err(LedgerError::pg("read export watermark"))?;
            // Repair the store's watermark if a crash came between the two watermark writes.
            self.put_store_watermark(chain, row.get(0), row.get(1), row.get(2)).await?;
            states.insert(chain, ChainState { to_seq: row.get(1), ledger_head: row.get(3), pending_since: None });
        }
        Ok(states)
    }

    async fn refresh_heads(&self, states: &mut BTreeMap<i32, ChainState>) -> Result<(), ExportError> {
        let c = client(&self.pool).await?;
        let chains: Vec<i32> = states.keys().copied().collect();
        for row in c
            .query(
                "SELECT chain_id, chain_seq FROM audit_ingest_watermarks WHERE sink = 'ledger' AND chain_id = ANY($1)",
                &[&chains],
            )
            .await
            .map_err(LedgerError::pg("read ledger heads"))?
        {
            if let Some(s) = states.get_mut(&row.get::<_, i32>(0)) {
                s.ledger_head = s.ledger_head.max(row.get(1));
            }
        }
        Ok(())
    }

    /// Cuts and archives segments of `chain` while one is due.
    async fn maybe_export(&self, chain: i32, state: &mut ChainState, finishing: bool) -> Result<(), ExportError> {
        loop {
            let pending = state.ledger_head - state.to_seq;
            if pending <= 0 {
                state.pending_since = None;
                return Ok(());
            }
            // Known for every pending row, not only for segments waiting out max_delay: the
            // backlog metric (and its alert) must also see a full segment the store refuses.
            if state.pending_since.is_none() {
                state.pending_since = self.commit_time(chain, state.to_seq + 1).await?;
            }
            let waited = state.pending_since.map(|t| Utc::now() - t).unwrap_or_default();
            let due = finishing
                || pending >= self.config.target_segment_rows
                || waited.to_std().unwrap_or_default() >= self.config.max_delay * 3 / 4;
            if !due {
                return Ok(());
            }
            state.to_seq = self.cycle(chain).await?.to_seq;
            state.pending_since = None;
        }
    }

    async fn commit_time(&self, chain: i32, seq: i64) -> Result<Option<DateTime<Utc>>, ExportError> {
        let c = client(&self.pool).await?;
        let row = c
            .query_opt("SELECT ingested_at FROM audit_events WHERE chain_id = $1 AND chain_seq = $2", &[&chain, &seq])
            .await
            .map_err(LedgerError::pg("read commit time"))?;
        Ok(row.map(|r| r.get(0)))
    }

    /// Plans (or resumes) the chain's next segment and archives it.
    async fn cycle(&self, chain: i32) -> Result<Cycle, ExportError> {
        let plan = match self.plan(chain).await? {
            Planned::Segment(plan) => plan,
            Planned::UpToDate { to_seq } => return Ok(Cycle { archived: false, to_seq }),
        };
        let (from, to) = (plan.from_seq, plan.to_seq);
        tracing::debug!(chain, manifest_seq = plan.manifest_seq, from, to, "archiving segment");

        let files = self.write_segment(chain, &plan).await?;
        failpoint("before_manifest", &self.archive, None).await;

        let c = client(&self.pool).await?;
        let head = c
            .query_one(
                "SELECT content_sha256, chain_hmac FROM audit_events WHERE chain_id = $1 AND chain_seq = $2",
                &[&chain, &to],
            )
            .await
            .map_err(LedgerError::pg("read segment head"))?;
        // The newest signed batch head the segment reaches: anchored outside the database.
        let signed_head = c
            .query_opt(
                &format!(
                    "SELECT {} FROM audit_ledger_batches WHERE chain_id = $1 AND to_seq <= $2 ORDER BY to_seq DESC LIMIT 1",
                    auditflow_ledger::verify::BATCH_COLUMNS
                ),
                &[&chain, &to],
            )
            .await
            .map_err(LedgerError::pg("read signed head"))?
            .map(|r| auditflow_ledger::verify::signed_batch(chain, &r));
        drop(c);
        let manifest = Manifest {
            format: super::manifest::MANIFEST_FORMAT.into(),
            chain_id: chain,
            seq: plan.manifest_seq,
            prev_manifest_sha256: plan.prev_manifest_sha256.clone(),
            from_chain_seq: from,
            to_chain_seq: to,
            rows: (to - from + 1) as u64,
            ledger_head: LedgerHead { chain_seq: to, content_sha256: head.get(0), chain_hmac: head.get(1) },
            signed_head,
            planned_at: auditflow_schemas::canonical::canonical_time(&plan.planned_at),
            files: files.clone(),
            key_id: self.signer.key_id().to_owned(),
        };
        let bytes = sign_manifest(&self.signer, manifest);
        let manifest_sha = sha256_hex(&bytes);
        let key = manifest_key(chain, plan.manifest_seq);
        failpoint("mid_manifest", &self.archive, Some((&key, &bytes))).await;
        self.archive.put(&key, bytes).await?;
        failpoint("before_watermark", &self.archive, None).await;

        let rows: i64 = files.iter().map(|f| f.rows as i64).sum();
        let mut c = client(&self.pool).await?;
        let tx = c.transaction().await.map_err(LedgerError::pg("begin"))?;
        tx.execute(
            "UPDATE audit_export_watermarks SET manifest_seq = $2, to_seq = $3, manifest_sha256 = $4, \
             rows_total = rows_total + $5, files_total = files_total + $6, updated_at = now() \
             WHERE chain_id = $1 AND manifest_seq = $7",
            &[&chain, &plan.manifest_seq, &to, &manifest_sha, &rows, &(files.len() as i64), &(plan.manifest_seq - 1)],
        )
        .await
        .map_err(LedgerError::pg("advance export watermark"))?;
        tx.execute(
            "UPDATE audit_export_segments SET exported_at = now() WHERE chain_id = $1 AND manifest_seq = $2",
            &[&chain, &plan.manifest_seq],
        )
        .await
        .map_err(LedgerError::pg("mark segment exported"))?;
        tx.commit().await.map_err(LedgerError::pg("commit export watermark"))?;
        // The archive is complete up to here on this chain (`auditflow_export_watermark_seq`).
        metrics::gauge!("auditflow_export_watermark_seq", "chain" => chain.to_string()).set(to as f64);
        failpoint("before_store_watermark", &self.archive, None).await;
        self.put_store_watermark(chain, plan.manifest_seq, to, Some(manifest_sha)).await?;

        self.stats.rows.fetch_add(rows as u64, Ordering::Relaxed);
        self.stats.files.fetch_add(files.len() as u64, Ordering::Relaxed);
        self.stats.bytes.fetch_add(files.iter().map(|f| f.bytes).sum(), Ordering::Relaxed);
        self.stats.manifests.fetch_add(1, Ordering::Relaxed);
        tracing::info!(chain, manifest_seq = plan.manifest_seq, from, to, files = files.len(), "segment archived");
        Ok(Cycle { archived: true, to_seq: to })
    }

    /// Writes the chain's signed watermark object (after the Postgres watermark).
    async fn put_store_watermark(
        &self,
        chain: i32,
        manifest_seq: i64,
        to_chain_seq: i64,
        manifest_sha256: Option<String>,
    ) -> Result<(), ExportError> {
        if manifest_seq == 0 {
            return Ok(());
        }
        let watermark = Watermark {
            format: super::manifest::WATERMARK_FORMAT.into(),
            chain_id: chain,
            manifest_seq,
            to_chain_seq,
            manifest_sha256,
            key_id: self.signer.key_id().to_owned(),
        };
        self.archive.put(&watermark_key(chain), sign_watermark(&self.signer, watermark)).await
    }

    /// The chain's next segment: the recorded plan if one exists beyond the watermark (a
    /// crash came mid-segment), else a new one, recorded before anything is written.
    async fn plan(&self, chain: i32) -> Result<Planned, ExportError> {
        let mut c = client(&self.pool).await?;
        let tx = c.transaction().await.map_err(LedgerError::pg("begin"))?;
        let wm = tx
            .query_one(
                "SELECT manifest_seq, to_seq, manifest_sha256 FROM audit_export_watermarks WHERE chain_id = $1 FOR UPDATE",
                &[&chain],
            )
            .await
            .map_err(LedgerError::pg("lock export watermark"))?;
        let (done_seq, done_to, prev_sha): (i64, i64, Option<String>) = (wm.get(0), wm.get(1), wm.get(2));
        let next = done_seq + 1;
        let recorded = tx
            .query_opt(
                "SELECT from_seq, to_seq, planned_at FROM audit_export_segments WHERE chain_id = $1 AND manifest_seq = $2",
                &[&chain, &next],
            )
            .await
            .map_err(LedgerError::pg("read segment plan"))?;
        let plan = if let Some(r) = recorded {
            tracing::info!(
                chain,
                manifest_seq = next,
                "resuming a recorded segment (an earlier run stopped mid-export)"
            );
            SegmentPlan {
                manifest_seq: next,
                from_seq: r.get(0),
                to_seq: r.get(1),
                planned_at: r.get(2),
                prev_manifest_sha256: prev_sha,
            }
        } else {
            let head: i64 = tx
                .query_one(
                    "SELECT chain_seq FROM audit_ingest_watermarks WHERE sink = 'ledger' AND chain_id = $1",
                    &[&chain],
                )
                .await
                .map_err(LedgerError::pg("read ledger head"))?
                .get(0);
            if head <= done_to {
                tx.commit().await.map_err(LedgerError::pg("commit"))?;
                return Ok(Planned::UpToDate { to_seq: done_to });
            }
            let from = done_to + 1;
            let to = head.min(done_to + self.config.target_segment_rows);
            let planned_at: DateTime<Utc> = tx
                .query_one(
                    "INSERT INTO audit_export_segments (chain_id, manifest_seq, from_seq, to_seq, planned_at) \
                     VALUES ($1, $2, $3, $4, date_trunc('milliseconds', now())) RETURNING planned_at",
                    &[&chain, &next, &from, &to],
                )
                .await
                .map_err(LedgerError::pg("record segment plan"))?
                .get(0);
            SegmentPlan { manifest_seq: next, from_seq: from, to_seq: to, planned_at, prev_manifest_sha256: prev_sha }
        };
        tx.commit().await.map_err(LedgerError::pg("commit segment plan"))?;
        Ok(Planned::Segment(plan))
    }

    /// Streams the segment's rows out of the ledger in partition order and writes one file
    /// per partition (more when a partition passes the target size).
    async fn write_segment(&self, chain: i32, plan: &SegmentPlan) -> Result<Vec<ManifestFile>, ExportError> {
        let (from, to) = (plan.from_seq, plan.to_seq);
        let c = client(&self.pool).await?;
        // The rows are sorted by partition in Postgres; with the default 4 MB work_mem a
        // segment's sort spills to disk and the exporter waits on it. (Session setting on a
        // pooled connection: harmless for the ledger's statements, which do not sort.)
        c.batch_execute("SET work_mem = '256MB'").await.map_err(LedgerError::pg("set work_mem"))?;
        let stream = read_rows(&c, chain, from, to).await?;
        pin_mut!(stream);
        let mut seen = vec![false; (to - from + 1) as usize];
        let mut sink = UploadSink { archive: &self.archive, chain, from, to, files: Vec::new() };
        // The open file: its partition, part number and encoder (made on first write).
        let mut open: Option<(Partition, usize, Option<Encoder>)> = None;
        let mut rows: Vec<ExportRow> = Vec::with_capacity(CHUNK_ROWS);
        let mut open_key: Option<(String, i64)> = None;
        while let Some(row) = stream.next().await {
            let row = row?;
            let in_range = row.chain_seq >= from && row.chain_seq <= to;
            if !in_range || seen[(row.chain_seq - from) as usize] {
                return Err(ExportError::LedgerInconsistent {
                    chain_id: chain,
                    message: format!("chain_seq {} read twice or out of range", row.chain_seq),
                });
            }
            seen[(row.chain_seq - from) as usize] = true;
            // Same zone and same UTC hour as the open file: no new partition.
            let hour = row.occurred_at_us.div_euclid(3_600_000_000);
            let same = open_key.as_ref().is_some_and(|(zone, h)| *h == hour && zone == row.zone_id());
            if !same {
                if let Some((p, part, encoder)) = open.take() {
                    sink.close(&p, part, encoder, &mut rows).await?;
                }
                open = Some((Partition::of(row.zone_id(), &row.occurred_at()), 0, None));
                open_key = Some((row.zone_id().to_owned(), hour));
            }
            rows.push(row);
            if rows.len() >= CHUNK_ROWS {
                if let Some((p, part, encoder)) = open.as_mut() {
                    let e = match encoder {
                        Some(e) => e,
                        None => encoder.insert(Encoder::new()?),
                    };
                    e.write(&mut rows)?;
                    if e.size() >= self.config.target_file_bytes {
                        let full = encoder.take();
                        sink.close(p, *part, full, &mut rows).await?;
                        *part += 1;
                    }
                }
            }
        }
        if let Some((p, part, encoder)) = open.take() {
            sink.close(&p, part, encoder, &mut rows).await?;
        }
        if let Some(missing) = seen.iter().position(|s| !s) {
            return Err(ExportError::LedgerInconsistent {
                chain_id: chain,
                message: format!("chain_seq {} is missing from the ledger", from + missing as i64),
            });
        }
        let mut files = sink.files;
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }
}

/// What [`Inner::plan`] found.
enum Planned {
    /// A segment to archive (new or resumed).
    Segment(SegmentPlan),
    /// The archive already holds the chain up to the ledger head.
    UpToDate { to_seq: i64 },
}

/// What one [`Inner::cycle`] did.
struct Cycle {
    /// Whether a segment was archived.
    archived: bool,
    /// The chain's export watermark afterwards.
    to_seq: i64,
}

#[derive(Debug, Clone)]
struct SegmentPlan {
    manifest_seq: i64,
    from_seq: i64,
    to_seq: i64,
    planned_at: DateTime<Utc>,
    prev_manifest_sha256: Option<String>,
}

struct UploadSink<'a> {
    archive: &'a Archive,
    chain: i32,
    from: i64,
    to: i64,
    files: Vec<ManifestFile>,
}

impl UploadSink<'_> {
    /// Writes the buffered rows into the file, closes it and uploads it.
    async fn close(
        &mut self,
        partition: &Partition,
        part: usize,
        encoder: Option<Encoder>,
        rows: &mut Vec<ExportRow>,
    ) -> Result<(), ExportError> {
        let mut encoder = match encoder {
            Some(e) => e,
            None if rows.is_empty() => return Ok(()),
            None => Encoder::new()?,
        };
        encoder.write(rows)?;
        let file = encoder.finish()?;
        let key = format!("{}/{}", partition.dir(), file_name(self.chain, self.from, self.to, part));
        failpoint("mid_file", self.archive, Some((&key, &file.bytes))).await;
        let entry = ManifestFile {
            path: key.clone(),
            sha256: sha256_hex(&file.bytes),
            rows: file.rows as u64,
            bytes: file.bytes.len() as u64,
            min_chain_seq: file.seq_range.0,
            max_chain_seq: file.seq_range.1,
        };
        self.archive.put(&key, file.bytes).await?;
        self.files.push(entry);
        Ok(())
    }
}

/// The ledger columns the archive needs, in [`ExportRow`] order, JSON as text.
const SELECT_COLUMNS: &str = "id, zone_id, event_type, request_id, decision, policy_set_id, policy_set_version_id, \
    manifest_sha, evaluation_status, determining_policies_json::text, diagnostics_json::text, metadata_json::text, \
    occurred_at, ingested_at, content_sha256, prev_content_sha256, chain_hmac, chain_seq, chain_id, \
    ingest_signature, key_id, src_stream_id, extra_json::text";

/// Streams a chain's rows `from..=to` in archive order (zone by byte order, then event time,
/// then chain position) with one binary COPY.
pub async fn read_rows(
    c: &tokio_postgres::Client,
    chain: i32,
    from: i64,
    to: i64,
) -> Result<impl futures_util::Stream<Item = Result<ExportRow, ExportError>>, ExportError> {
    use tokio_postgres::binary_copy::BinaryCopyOutStream;
    use tokio_postgres::types::Type;
    // COPY takes no parameters; the three values are integers.
    let sql = format!(
        "COPY (SELECT {SELECT_COLUMNS} FROM audit_events WHERE chain_id = {chain} AND chain_seq BETWEEN {from} AND {to} \
         ORDER BY zone_id COLLATE \"C\", occurred_at, chain_seq) TO STDOUT (FORMAT binary)"
    );
    let copy = c.copy_out(&sql).await.map_err(LedgerError::pg("copy rows out"))?;
    let t = Type::TEXT;
    let ts = Type::TIMESTAMPTZ;
    let types = [
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        t.clone(),
        ts.clone(),
        ts,
        t.clone(),
        t.clone(),
        t.clone(),
        Type::INT8,
        Type::INT4,
        t.clone(),
        t.clone(),
        t.clone(),
        t,
    ];
    let stream = BinaryCopyOutStream::new(copy, &types);
    Ok(stream.map(|row| {
        let row = row.map_err(LedgerError::pg("read copied row"))?;
        ExportRow::new(row, canonical_json_text)
            .map_err(|e| ExportError::Ledger(LedgerError::Postgres { op: "decode copied row", source: e }))
    }))
}

/// `jsonb::text` re-encoded canonically (sorted keys, compact), as the ledger hashed it.
fn canonical_json_text(text: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(mut v) => {
            // What `canonical_json` does, without its defensive clone.
            auditflow_schemas::canonical::normalize_numbers(&mut v);
            v.to_string()
        }
        Err(_) => text.to_owned(),
    }
}
