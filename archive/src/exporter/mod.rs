//! The async side of the export: one task per timely worker, archiving that worker's
//! chains segment by segment (see the module docs of [`super`]).

use crate::error::ExportError;
use crate::store::Archive;
use auditflow_ledger::commit::ChainAdvance;
use auditflow_retry::Backoff;
use auditflow_schemas::signer::Signer;
use chrono::{DateTime, Utc};
use deadpool_postgres::Pool;
use futures_util::StreamExt;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;

mod config;
mod ocsf_segment;
mod positions;
mod roll;
mod rows;
mod segment;
mod target;
mod upload;

pub use config::ExportConfig;
pub use roll::{Roll, RollPolicy};
pub use rows::read_rows;
pub use target::Target;

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
    signer: Signer,
    config: ExportConfig,
    target: Target,
    stats: Arc<ExportStats>,
}

enum Message {
    Advanced(ChainAdvance),
    Finish,
}

/// The worker's end of its exporter tasks (one per archive written).
#[derive(Clone)]
pub struct ExportHandle {
    tasks: Vec<(mpsc::UnboundedSender<Message>, Arc<HandleShared>)>,
}

/// Wakes whoever waits for the export task to finish.
pub type Waker = Box<dyn Fn() + Send + Sync>;

#[derive(Default)]
struct HandleShared {
    finished: AtomicBool,
    waker: Mutex<Option<Arc<dyn Fn() + Send + Sync>>>,
}

impl ExportHandle {
    /// Called once the task finishes (the export operator passes its activator).
    pub fn set_waker(&self, waker: Waker) {
        let waker: Arc<dyn Fn() + Send + Sync> = Arc::from(waker);
        for (_, shared) in &self.tasks {
            *shared.waker.lock().unwrap_or_else(|p| p.into_inner()) = Some(waker.clone());
        }
    }

    /// A chain's committed head moved.
    pub fn advance(&self, advance: ChainAdvance) {
        for (tx, _) in &self.tasks {
            let _ = tx.send(Message::Advanced(advance));
        }
    }

    /// No more input: archive everything committed, then finish.
    pub fn finish(&self) {
        for (tx, _) in &self.tasks {
            let _ = tx.send(Message::Finish);
        }
    }

    /// Whether every task has archived everything and ended.
    pub fn finished(&self) -> bool {
        self.tasks.iter().all(|(_, shared)| shared.finished.load(Ordering::SeqCst))
    }

    /// One handle feeding both exporters' tasks (the main archive and the OCSF one).
    pub fn and(mut self, other: ExportHandle) -> ExportHandle {
        self.tasks.extend(other.tasks);
        self
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
/// (`ocsf:<stage>:<n>` for the OCSF archive) SIGKILLs the process the n-th time the exporter reaches `<stage>`: `mid_file` (a torn
/// first data object is written first), `before_manifest` (data uploaded), `mid_manifest` (a
/// torn manifest is written first), `before_watermark` (manifest uploaded) or
/// `before_store_watermark` (Postgres watermark committed).
async fn failpoint(scope: &str, stage: &str, archive: &Archive, torn: Option<(&str, &[u8])>) {
    let name = format!("{scope}:{stage}");
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
    pub fn new(pool: Pool, archive: Archive, signer: Signer, config: ExportConfig) -> Self {
        Self::with_target(pool, archive, signer, config, Target::Archive)
    }

    /// An exporter writing `target` (the OCSF archive: [`Target::Ocsf`]) to `archive`.
    pub fn with_target(pool: Pool, archive: Archive, signer: Signer, config: ExportConfig, target: Target) -> Self {
        Exporter { inner: Arc::new(Inner { pool, archive, signer, config, target, stats: Arc::default() }) }
    }

    /// What it writes.
    pub fn target(&self) -> &Target {
        &self.inner.target
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
        ExportHandle { tasks: vec![(tx, shared)] }
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

impl Inner {
    async fn run(self: Arc<Self>, chains: Vec<i32>, mut rx: mpsc::UnboundedReceiver<Message>) {
        // Every step is redone with the same names and bytes after a failure, so each one
        // waits out an outage the same way.
        let backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(10));
        let mut states = backoff
            .until_ok(
                || self.load_states(&chains),
                |e, wait| tracing::warn!(error = %e, retry_in_ms = wait.as_millis() as u64, "export cannot read its watermarks yet, retrying"),
            )
            .await;
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
                        backoff.wait().await;
                        continue;
                    }
                }
            }
            if finishing {
                // Heads committed by earlier runs count too.
                if let Err(e) = self.refresh_heads(&mut states).await {
                    tracing::warn!(error = %e, "export cannot read the ledger heads, retrying");
                    backoff.wait().await;
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
                        tracing::warn!(chain, error = %e, retry_in_ms = backoff.next_delay().as_millis() as u64, "export step failed; it will be redone with the same names and bytes");
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
                backoff.wait().await;
            } else {
                backoff.reset();
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
}
