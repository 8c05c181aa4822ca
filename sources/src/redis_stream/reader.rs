//! The async reader task behind one worker's source operator.
//!
//! Order of reads: own pending entries (left by a crashed run of this consumer, one batch
//! at a time, each after the previous one is acknowledged), then, every
//! `claim_idle / 2`, entries idle longer than `claim_idle` on other consumers (XAUTOCLAIM),
//! then new entries (`>`). Re-read and claimed entries carry their delivery count, so the
//! verify operator can dead-letter entries that keep failing. Every read first takes
//! permits from the in-flight semaphore; the acker returns them after XACK, so a backlog
//! never grows memory beyond `max_in_flight` entries per worker.

use super::config::RedisStreamConfig;
use super::error::SourceError;
use super::reply::{parse_xautoclaim, parse_xpending_count, parse_xpending_extended, parse_xreadgroup};
use super::reset::StreamResets;
use super::target::connect;
use auditflow_retry::{Backoff, Retry};
use auditflow_schemas::wire::StreamEntry;
use redis::aio::MultiplexedConnection;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use timely::scheduling::SyncActivator;
use tokio::sync::Semaphore;

/// What the reader hands the source operator.
#[derive(Debug)]
pub enum SourceMessage {
    /// Entries to emit at the current epoch.
    Batch(Vec<StreamEntry>),
    /// No more entries will come (drained, or asked to stop).
    Finished,
}

/// Unix time in milliseconds.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn redis_err<'a>(op: &'static str, stream: &'a str) -> impl FnOnce(redis::RedisError) -> SourceError + 'a {
    move |source| SourceError::Redis { op, stream: stream.to_owned(), source }
}

/// Creates the consumer group from id 0 with MKSTREAM; an existing group is fine. Returns
/// whether the group was created now.
pub async fn ensure_group(con: &mut MultiplexedConnection, stream: &str, group: &str) -> Result<bool, SourceError> {
    let created: redis::RedisResult<redis::Value> =
        redis::cmd("XGROUP").arg("CREATE").arg(stream).arg(group).arg("0").arg("MKSTREAM").query_async(con).await;
    match created {
        Ok(_) => Ok(true),
        Err(e) if e.code() == Some("BUSYGROUP") => Ok(false),
        Err(e) => Err(redis_err("XGROUP CREATE", stream)(e)),
    }
}

/// `XREADGROUP GROUP g c COUNT n [BLOCK ms] STREAMS s <from>`.
fn xreadgroup(c: &RedisStreamConfig, batch: usize, block_ms: Option<u64>, from: &str) -> redis::Cmd {
    let mut cmd = redis::cmd("XREADGROUP");
    cmd.arg("GROUP").arg(&c.group).arg(&c.consumer).arg("COUNT").arg(batch);
    if let Some(ms) = block_ms {
        cmd.arg("BLOCK").arg(ms);
    }
    cmd.arg("STREAMS").arg(&c.stream).arg(from);
    cmd
}

enum Phase {
    /// Re-reading own pending entries after this id.
    Recover(String),
    /// Reading new entries.
    New,
}

struct Reader {
    config: RedisStreamConfig,
    tx: std::sync::mpsc::Sender<SourceMessage>,
    activator: SyncActivator,
    permits: Arc<Semaphore>,
    stop: Arc<AtomicBool>,
    phase: Phase,
    last_claim: Option<Instant>,
    /// Whether this reader has read with the group before (so that finding it gone is a reset).
    group_seen: bool,
    resets: Arc<StreamResets>,
}

/// Runs the reader until drained (with `exit_when_drained`), stopped, or the operator is gone.
/// Redis errors are logged and retried with backoff; they never end the task.
pub async fn run_reader(
    config: RedisStreamConfig,
    tx: std::sync::mpsc::Sender<SourceMessage>,
    activator: SyncActivator,
    permits: Arc<Semaphore>,
    stop: Arc<AtomicBool>,
    resets: Arc<StreamResets>,
) {
    let reader = Reader {
        config,
        tx,
        activator,
        permits,
        stop,
        phase: Phase::Recover("0-0".into()),
        last_claim: None,
        group_seen: false,
        resets,
    };
    // A connection or read failure waits and reconnects; reading resets the wait.
    let backoff = Backoff::outage();
    let stream = reader.config.stream.clone();
    let (reader, _) = backoff
        .retry_with(
            reader,
            |mut reader| async {
                if reader.stop.load(Ordering::SeqCst) {
                    return (reader, Ok(()));
                }
                let timeout = reader.config.block + Duration::from_secs(10);
                let result = match connect(&reader.config.target, timeout).await {
                    Err(source) => Err((
                        "redis unreachable, retrying",
                        SourceError::Redis { op: "connect", stream: reader.config.stream.clone(), source },
                    )),
                    Ok(mut con) => reader.run(&mut con, &backoff).await.map_err(|e| ("redis read failed, retrying", e)),
                };
                (reader, result)
            },
            |(what, e), wait| {
                tracing::warn!(stream = %stream, error = %e, retry_in_ms = wait.as_millis() as u64, "{what}");
                Retry::Again
            },
        )
        .await;
    let _ = reader.tx.send(SourceMessage::Finished);
    let _ = reader.activator.activate();
}

impl Reader {
    async fn run(&mut self, con: &mut MultiplexedConnection, backoff: &Backoff) -> Result<(), SourceError> {
        let created = ensure_group(con, &self.config.stream, &self.config.group).await?;
        if created && self.group_seen {
            self.resets.record(&self.config.stream, &self.config.group, now_ms());
        }
        self.group_seen = true;
        let batch = self.config.batch_size.clamp(1, self.config.max_in_flight.max(1));
        loop {
            if self.stop.load(Ordering::SeqCst) {
                return Ok(());
            }
            // Backpressure: wait for room before reading anything. Own pending entries (left
            // by a crash) are re-read one batch at a time, each once the one before is
            // acknowledged: every re-read counts as a delivery, and only the entries being
            // worked on when the next crash comes should count towards `max_deliveries`, not
            // a whole in-flight window re-read by each of several quick restarts.
            let room = match self.phase {
                Phase::Recover(_) => self.config.max_in_flight.max(1),
                Phase::New => batch,
            };
            let Some(permit) = self.acquire(room).await else { return Ok(()) };
            let entries = self.read_once(con, batch).await;
            let entries = match entries {
                Ok(e) => e,
                Err(e) => {
                    drop(permit);
                    return Err(e);
                }
            };
            backoff.reset();
            permit.forget();
            self.permits.add_permits(room - entries.len());
            match entries.is_empty() {
                false => {
                    if self.tx.send(SourceMessage::Batch(entries)).is_err() {
                        return Ok(()); // operator gone
                    }
                    let _ = self.activator.activate();
                }
                true if matches!(self.phase, Phase::New) && self.config.exit_when_drained => {
                    let reply: redis::Value = redis::cmd("XPENDING")
                        .arg(&self.config.stream)
                        .arg(&self.config.group)
                        .query_async(con)
                        .await
                        .map_err(redis_err("XPENDING", &self.config.stream))?;
                    if parse_xpending_count(&reply)? == 0 && !self.config.drain_hold.load(Ordering::SeqCst) {
                        tracing::info!(stream = %self.config.stream, consumer = %self.config.consumer, "stream drained");
                        return Ok(());
                    }
                }
                true => {}
            }
        }
    }

    async fn acquire(&self, n: usize) -> Option<tokio::sync::OwnedSemaphorePermit> {
        loop {
            if self.stop.load(Ordering::SeqCst) {
                return None;
            }
            let sem = self.permits.clone();
            match tokio::time::timeout(Duration::from_millis(100), sem.acquire_many_owned(n as u32)).await {
                Ok(Ok(p)) => return Some(p),
                Ok(Err(_)) => return None,
                Err(_) => continue,
            }
        }
    }

    async fn read_once(
        &mut self,
        con: &mut MultiplexedConnection,
        batch: usize,
    ) -> Result<Vec<StreamEntry>, SourceError> {
        let c = self.config.clone();
        let now = now_ms();
        if let Phase::Recover(cursor) = &self.phase {
            let reply: redis::Value = xreadgroup(&c, batch, None, cursor)
                .query_async(con)
                .await
                .map_err(redis_err("XREADGROUP (own pending)", &c.stream))?;
            let mut entries = parse_xreadgroup(reply, &c.stream, &c.consumer, now)?;
            match entries.last() {
                None => {
                    tracing::debug!(consumer = %c.consumer, "own pending entries recovered");
                    self.phase = Phase::New;
                }
                Some(last) => {
                    tracing::info!(consumer = %c.consumer, count = entries.len(), "re-reading own pending entries");
                    self.phase = Phase::Recover(last.stream_id.clone());
                    self.fill_delivery_counts(con, &mut entries).await?;
                    return Ok(entries);
                }
            }
        }
        let claim_every = (c.claim_idle / 2).max(Duration::from_millis(500));
        if self.last_claim.is_none_or(|t| t.elapsed() >= claim_every) {
            self.last_claim = Some(Instant::now());
            let reply: redis::Value = redis::cmd("XAUTOCLAIM")
                .arg(&c.stream)
                .arg(&c.group)
                .arg(&c.consumer)
                .arg(c.claim_idle.as_millis() as u64)
                .arg("0-0")
                .arg("COUNT")
                .arg(batch)
                .query_async(con)
                .await
                .map_err(redis_err("XAUTOCLAIM", &c.stream))?;
            let (cursor, mut entries) = parse_xautoclaim(reply, &c.stream, &c.consumer, now)?;
            if !entries.is_empty() {
                tracing::info!(consumer = %c.consumer, count = entries.len(), "claimed entries idle on other consumers");
                if cursor != "0-0" {
                    self.last_claim = None; // more to claim: come back at once
                }
                self.fill_delivery_counts(con, &mut entries).await?;
                return Ok(entries);
            }
        }
        let reply: redis::Value = xreadgroup(&c, batch, Some(c.block.as_millis() as u64), ">")
            .query_async(con)
            .await
            .map_err(redis_err("XREADGROUP", &c.stream))?;
        parse_xreadgroup(reply, &c.stream, &c.consumer, now)
    }

    async fn fill_delivery_counts(
        &self,
        con: &mut MultiplexedConnection,
        entries: &mut [StreamEntry],
    ) -> Result<(), SourceError> {
        let (Some(first), Some(last)) = (entries.first(), entries.last()) else { return Ok(()) };
        let reply: redis::Value = redis::cmd("XPENDING")
            .arg(&self.config.stream)
            .arg(&self.config.group)
            .arg(&first.stream_id)
            .arg(&last.stream_id)
            .arg(entries.len())
            .arg(&self.config.consumer)
            .query_async(con)
            .await
            .map_err(redis_err("XPENDING", &self.config.stream))?;
        let counts: HashMap<String, u64> =
            parse_xpending_extended(&reply)?.into_iter().map(|(id, _, n)| (id, n)).collect();
        for e in entries.iter_mut() {
            e.deliveries = counts.get(&e.stream_id).copied().unwrap_or(1);
        }
        Ok(())
    }
}
