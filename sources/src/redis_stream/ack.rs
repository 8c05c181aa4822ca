//! Acknowledgement: stream ids travel with their epoch and are XACKed once the durable
//! frontier (ledger and DLQ sinks committed) has passed that epoch.

use super::target::{connect, RedisTarget};
use auditflow_retry::Backoff;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Stream ids read per epoch and not yet acknowledged, on one worker.
#[derive(Debug, Default)]
pub struct AckTracker {
    pending: BTreeMap<u64, Vec<String>>,
}

impl AckTracker {
    /// Records ids read at `epoch`.
    pub fn record(&mut self, epoch: u64, ids: impl IntoIterator<Item = String>) {
        self.pending.entry(epoch).or_default().extend(ids);
    }

    /// Removes and returns the ids of every epoch the frontier has passed. `None` is the
    /// empty frontier (the dataflow is complete): everything.
    ///
    /// ```
    /// use auditflow_sources::redis_stream::AckTracker;
    /// let mut t = AckTracker::default();
    /// t.record(1, ["1-0".to_string()]);
    /// t.record(2, ["2-0".to_string()]);
    /// assert_eq!(t.take_passed(Some(2)), vec!["1-0".to_string()]);
    /// assert_eq!(t.take_passed(None), vec!["2-0".to_string()]);
    /// assert_eq!(t.len(), 0);
    /// ```
    pub fn take_passed(&mut self, frontier: Option<u64>) -> Vec<String> {
        let rest = match frontier {
            Some(f) => self.pending.split_off(&f),
            None => BTreeMap::new(),
        };
        let passed = std::mem::replace(&mut self.pending, rest);
        passed.into_values().flatten().collect()
    }

    /// Ids not yet released.
    pub fn len(&self) -> usize {
        self.pending.values().map(Vec::len).sum()
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

enum AckCommand {
    Ack(Vec<String>),
    Flush(std::sync::mpsc::Sender<()>),
}

/// Handle to the XACK task of one worker.
#[derive(Clone)]
pub struct Acker {
    tx: tokio::sync::mpsc::UnboundedSender<AckCommand>,
}

impl Acker {
    /// Spawns the task on `runtime`. After each successful XACK it returns the entries'
    /// permits to the reader's in-flight semaphore.
    pub fn spawn(
        runtime: &tokio::runtime::Handle,
        target: RedisTarget,
        stream: String,
        group: String,
        permits: Arc<Semaphore>,
    ) -> Self {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<AckCommand>();
        runtime.spawn(async move {
            let mut con = None;
            while let Some(cmd) = rx.recv().await {
                match cmd {
                    AckCommand::Flush(done) => {
                        let _ = done.send(());
                    }
                    AckCommand::Ack(ids) => {
                        for chunk in ids.chunks(1000) {
                            // An id not acknowledged stays pending and would be re-delivered as
                            // a duplicate: wait out the outage rather than give up.
                            let _: i64 = Backoff::outage()
                                .until_ok_connected(
                                    &mut con,
                                    || connect(&target, Duration::from_secs(10)),
                                    |mut c| {
                                        let mut xack = redis::cmd("XACK");
                                        xack.arg(&stream).arg(&group).arg(chunk);
                                        async move {
                                            let acked = xack.query_async(&mut c).await;
                                            (c, acked)
                                        }
                                    },
                                    |e, _| {
                                        tracing::warn!(%stream, error = %e, "XACK failed, retrying (entries stay pending and would be re-delivered as duplicates)");
                                    },
                                )
                                .await;
                            permits.add_permits(chunk.len());
                        }
                    }
                }
            }
        });
        Acker { tx }
    }

    /// Queues ids for XACK.
    pub fn ack(&self, ids: Vec<String>) {
        if !ids.is_empty() {
            let _ = self.tx.send(AckCommand::Ack(ids));
        }
    }

    /// Waits (blocking the calling thread) until everything queued before is acknowledged.
    pub fn flush_blocking(&self, timeout: Duration) -> bool {
        let (done_tx, done_rx) = std::sync::mpsc::channel();
        if self.tx.send(AckCommand::Flush(done_tx)).is_err() {
            return false;
        }
        done_rx.recv_timeout(timeout).is_ok()
    }
}
