//! Reading the stream again into the ledger after a rewind.

use super::journal::RedisJournal;
use super::rewinds::Rewinds;
use auditflow_ledger::commit::{CommitJournal, LedgerCommitter, LedgerOutput, Rewound};
use auditflow_ledger::postgres::client;
use auditflow_schemas::keyring::Keyring;
use auditflow_schemas::wire::StreamEntry;
use auditflow_schemas::wire::{decode, Limits};
use auditflow_sources::redis_stream::reply::parse_entries;
use std::sync::Arc;
use tokio::sync::Notify;

/// Entries read per `XRANGE`.
const PAGE: usize = 1000;

/// How often the running pipeline compares the ledger's heads with the journal's.
pub const CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// What a repair needs: the journal, the committer, and how to verify entries.
pub struct Repairer {
    pub(crate) journal: Arc<RedisJournal>,
    pub(crate) committer: LedgerCommitter,
    pub(crate) pool: deadpool_postgres::Pool,
    pub(crate) keyring: Arc<Keyring>,
    pub(crate) limits: Limits,
    pub(crate) stream: String,
    pub(crate) rewinds: Arc<Rewinds>,
}

impl Repairer {
    /// At start: compares the ledger's heads with the recorded ones, repairs what went back
    /// (or what an interrupted repair left), and tells the committer the heads to expect.
    pub async fn at_start(&self) -> Result<(), String> {
        self.check().await?;
        self.committer.seed_heads(self.journal.heads().await?);
        Ok(())
    }

    /// Compares the ledger's heads with the recorded ones and repairs what went back. A
    /// pending repair is finished first; a new rewind is looked for only once none is.
    pub async fn check(&self) -> Result<(), String> {
        if self.journal.pending_repair().await?.is_none() {
            // Redis first: a head is recorded there only after its commit, so without a
            // rewind the ledger read after it is never behind it.
            let recorded = self.journal.heads().await?;
            let ledger = self.ledger_heads().await?;
            let rewound: Vec<Rewound> = recorded
                .iter()
                .filter_map(|&(chain_id, known_seq)| {
                    let ledger_seq = ledger.get(&chain_id).copied().unwrap_or(0);
                    (ledger_seq < known_seq).then_some(Rewound { chain_id, ledger_seq, known_seq })
                })
                .collect();
            if rewound.is_empty() {
                return Ok(());
            }
            self.journal.rewound(rewound).await?;
        }
        self.repair_pending().await
    }

    /// Checks every [`CHECK_EVERY`] and whenever the committer records a rewind: a
    /// failover is noticed even on chains nothing is committed to any more.
    pub async fn run(self: Arc<Self>, wake: Arc<Notify>) {
        loop {
            tokio::select! {
                _ = wake.notified() => {}
                _ = tokio::time::sleep(CHECK_EVERY) => {}
            }
            if let Err(e) = self.check().await {
                tracing::warn!(error = %e, "cannot compare the ledger with the commit journal now; trying again shortly");
            }
        }
    }

    async fn ledger_heads(&self) -> Result<std::collections::BTreeMap<i32, i64>, String> {
        let c = client(&self.pool).await.map_err(|e| e.to_string())?;
        auditflow_ledger::read::chain_heads(&**c).await.map_err(|e| e.to_string())
    }

    /// Reads the stream again from the pending repair's start, if one is pending.
    async fn repair_pending(&self) -> Result<(), String> {
        let Some(start) = self.journal.pending_repair().await? else { return Ok(()) };
        self.rewinds.set_repairing(true);
        let result = self.reread(&start).await;
        if result.is_ok() {
            // What the ledger holds now is what it should: a later start compares with it.
            let ledger = self.ledger_heads().await?;
            let lowered: Vec<(i32, i64)> = self
                .journal
                .heads()
                .await?
                .into_iter()
                .filter_map(|(chain, seq)| ledger.get(&chain).filter(|&&l| l < seq).map(|&l| (chain, l)))
                .collect();
            self.journal.accept(&lowered).await?;
            self.journal.repaired(&start).await?;
            self.rewinds.set_repairing(false);
        }
        result
    }

    /// One `XRANGE` / `XREVRANGE` page of the stream.
    async fn range(
        &self,
        command: &'static str,
        from: &str,
        to: &str,
        count: usize,
    ) -> Result<Vec<StreamEntry>, String> {
        let (stream, from, to) = (self.stream.clone(), from.to_owned(), to.to_owned());
        self.journal
            .with(|con| {
                Box::pin(async move {
                    let reply: redis::Value = redis::cmd(command)
                        .arg(&stream)
                        .arg(&from)
                        .arg(&to)
                        .arg("COUNT")
                        .arg(count)
                        .query_async(con)
                        .await
                        .map_err(|e| format!("redis {command}: {e}"))?;
                    parse_entries(command, reply, &stream, "repair", chrono::Utc::now().timestamp_millis())
                        .map_err(|e| e.to_string())
                })
            })
            .await
    }

    async fn reread(&self, start: &str) -> Result<(), String> {
        let Some(last) = self.range("XREVRANGE", "+", "-", 1).await?.pop().map(|e| e.stream_id) else {
            return Ok(());
        };
        tracing::info!(from = start, to = %last, "reading the stream again into the ledger");
        let inserted_before = self.committer.stats().inserted.load(std::sync::atomic::Ordering::Relaxed);
        let (mut from, mut read) = (start.to_owned(), 0u64);
        loop {
            let entries = self.range("XRANGE", &from, &last, PAGE).await?;
            let Some(tail) = entries.last() else { break };
            from = format!("({}", tail.stream_id);
            read += entries.len() as u64;
            let valid: Vec<_> = entries.iter().filter_map(|e| decode(e, &self.keyring, &self.limits).ok()).collect();
            let epoch = chrono::Utc::now().timestamp_millis().max(0) as u64;
            for out in self.committer.commit_now(epoch, valid).await {
                if let LedgerOutput::Dead(letter) = out {
                    // Acknowledged long ago: it is not dead-lettered a second time.
                    tracing::warn!(
                        src_stream_id = %letter.src_stream_id,
                        reason = %letter.reason,
                        "the ledger refused an entry read again; it is left out"
                    );
                }
            }
            if entries.len() < PAGE {
                break;
            }
        }
        // The pipeline may commit beside the repair: this counts both.
        let inserted = self.committer.stats().inserted.load(std::sync::atomic::Ordering::Relaxed) - inserted_before;
        tracing::info!(read, inserted, "the stream was read again into the ledger");
        Ok(())
    }
}
