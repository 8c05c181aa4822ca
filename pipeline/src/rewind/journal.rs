//! The commit journal in Redis, beside the stream it records (keys
//! `<stream>:auditflow:<group>:<database oid>:…`; a database created again under the same
//! name has another oid, so the records of the old one do not apply to it):
//!
//! - `…:heads`, a sorted set: each chain's highest committed head (`ZADD GT`, so a late
//!   record never lowers it);
//! - `…:commits:<chain>`, a sorted set per chain: one member `<to>:<from>:<first stream id>`
//!   per transaction, scored by its head, trimmed to the last [`KEEP_POSITIONS`] positions;
//! - `…:repair`, a string: the stream id from which the stream must be read again, while
//!   a repair is pending (it survives a crash; the next start finishes the repair).

use super::rewinds::Rewinds;
use auditflow_ledger::commit::{stream_pos, CommitJournal, Committed, Rewound};
use auditflow_sources::redis_stream::RedisTarget;
use futures_util::future::BoxFuture;
use redis::aio::MultiplexedConnection;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, Notify};

/// Positions of each chain whose transactions the journal keeps: a failover that loses more
/// than this of one chain is repaired by reading the whole stream again.
pub const KEEP_POSITIONS: i64 = 1_000_000;

/// Sets the repair key to the lower of its value and ARGV[1] (stream ids compared as numbers);
/// 1 when no repair was pending before (a new rewind), else 0.
const LOWER_REPAIR_START: &str = r"
local function pos(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(ms) or 0, tonumber(seq) or 0
end
local cur = redis.call('GET', KEYS[1])
if cur then
  local cm, cs = pos(cur)
  local nm, ns = pos(ARGV[1])
  if not (cm < nm or (cm == nm and cs <= ns)) then redis.call('SET', KEYS[1], ARGV[1]) end
  return 0
end
redis.call('SET', KEYS[1], ARGV[1])
return 1
";

/// Deletes the repair key if it still holds ARGV[1] (a rewind noticed meanwhile keeps it).
const CLEAR_REPAIR: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
";

/// The journal's connection and keys; the committer's [`CommitJournal`].
pub struct RedisJournal {
    target: RedisTarget,
    con: Mutex<Option<MultiplexedConnection>>,
    prefix: String,
    rewinds: Arc<Rewinds>,
    wake: Arc<Notify>,
    /// Gaps already named in the log: the committer and the periodic check may both find one.
    named: std::sync::Mutex<std::collections::HashSet<(i32, i64, i64)>>,
}

fn err(op: &str) -> impl Fn(redis::RedisError) -> String + '_ {
    move |e| format!("redis {op}: {e}")
}

impl RedisJournal {
    /// The journal of `group` reading `stream` into the ledger database `database_oid`;
    /// `wake` is told when a repair is recorded.
    pub fn new(
        target: RedisTarget,
        stream: &str,
        group: &str,
        database_oid: i64,
        rewinds: Arc<Rewinds>,
        wake: Arc<Notify>,
    ) -> Self {
        let prefix = format!("{stream}:auditflow:{group}:{database_oid}");
        RedisJournal { target, con: Mutex::new(None), prefix, rewinds, wake, named: Default::default() }
    }

    fn heads_key(&self) -> String {
        format!("{}:heads", self.prefix)
    }

    fn commits_key(&self, chain: i32) -> String {
        format!("{}:commits:{chain}", self.prefix)
    }

    fn repair_key(&self) -> String {
        format!("{}:repair", self.prefix)
    }

    /// Runs `op` on the shared connection, made on first use and dropped after an error.
    pub(super) async fn with<T>(
        &self,
        op: impl for<'c> FnOnce(&'c mut MultiplexedConnection) -> BoxFuture<'c, Result<T, String>>,
    ) -> Result<T, String> {
        let mut slot = self.con.lock().await;
        if slot.is_none() {
            let con = auditflow_sources::redis_stream::connect(&self.target, Duration::from_secs(10))
                .await
                .map_err(|e| format!("redis connect: {e}"))?;
            *slot = Some(con);
        }
        let Some(con) = slot.as_mut() else { return Err("redis: no connection".into()) };
        let result = op(con).await;
        if result.is_err() {
            *slot = None;
        }
        result
    }

    /// Every chain's highest recorded head.
    pub async fn heads(&self) -> Result<Vec<(i32, i64)>, String> {
        let key = self.heads_key();
        self.with(|con| {
            Box::pin(async move {
                let raw: Vec<(String, f64)> = redis::cmd("ZRANGE")
                    .arg(&key)
                    .arg(0)
                    .arg(-1)
                    .arg("WITHSCORES")
                    .query_async(con)
                    .await
                    .map_err(err("ZRANGE heads"))?;
                Ok(raw.into_iter().filter_map(|(c, s)| Some((c.parse().ok()?, s as i64))).collect())
            })
        })
        .await
    }

    /// Lowers the recorded heads of `chains` to what the ledger holds after a repair, so
    /// that the next start does not read the same range again.
    pub async fn accept(&self, chains: &[(i32, i64)]) -> Result<(), String> {
        if chains.is_empty() {
            return Ok(());
        }
        let key = self.heads_key();
        let chains = chains.to_vec();
        self.with(|con| {
            Box::pin(async move {
                let mut pipe = redis::pipe();
                for (chain, seq) in &chains {
                    pipe.cmd("ZADD").arg(&key).arg(*seq).arg(chain.to_string()).ignore();
                }
                pipe.query_async::<()>(con).await.map_err(err("ZADD heads"))
            })
        })
        .await
    }

    /// Where a pending repair starts reading the stream, if one is pending.
    pub async fn pending_repair(&self) -> Result<Option<String>, String> {
        let key = self.repair_key();
        self.with(|con| {
            Box::pin(async move { redis::cmd("GET").arg(&key).query_async(con).await.map_err(err("GET repair")) })
        })
        .await
    }

    /// Ends the repair that started at `start` (unless a later rewind moved the start).
    pub async fn repaired(&self, start: &str) -> Result<(), String> {
        let (key, start) = (self.repair_key(), start.to_owned());
        self.with(|con| {
            Box::pin(async move {
                redis::Script::new(CLEAR_REPAIR)
                    .key(&key)
                    .arg(&start)
                    .invoke_async::<i64>(con)
                    .await
                    .map(|_| ())
                    .map_err(err("clear repair"))
            })
        })
        .await
    }

    /// Where the stream must be read again for `chain`, rewound to `ledger_seq`: the oldest
    /// first stream id of the transactions past it, or the stream's start when the journal
    /// does not reach back that far.
    async fn restart_point(&self, chain: i32, ledger_seq: i64) -> Result<(String, bool), String> {
        let key = self.commits_key(chain);
        let members: Vec<String> = self
            .with(|con| {
                Box::pin(async move {
                    redis::cmd("ZRANGEBYSCORE")
                        .arg(&key)
                        .arg(format!("({ledger_seq}"))
                        .arg("+inf")
                        .query_async(con)
                        .await
                        .map_err(err("ZRANGEBYSCORE commits"))
                })
            })
            .await?;
        let parsed: Vec<(i64, &str)> = members
            .iter()
            .filter_map(|m| {
                let mut parts = m.splitn(3, ':');
                let _to = parts.next()?;
                Some((parts.next()?.parse().ok()?, parts.next()?))
            })
            .collect();
        let covers = parsed.iter().map(|(from, _)| *from).min().is_some_and(|from| from <= ledger_seq + 1);
        match parsed.iter().map(|(_, id)| *id).min_by_key(|id| stream_pos(id)) {
            Some(id) if covers => Ok((id.to_owned(), true)),
            _ => Ok(("0-0".to_owned(), false)),
        }
    }

    async fn record_rewind(&self, chains: Vec<Rewound>) -> Result<(), String> {
        let mut start: Option<String> = None;
        for r in &chains {
            let (point, covered) = self.restart_point(r.chain_id, r.ledger_seq).await?;
            let first =
                self.named.lock().unwrap_or_else(|p| p.into_inner()).insert((r.chain_id, r.ledger_seq, r.known_seq));
            if first {
                tracing::error!(
                chain = r.chain_id,
                ledger_seq = r.ledger_seq,
                committed_seq = r.known_seq,
                lost = r.known_seq - r.ledger_seq,
                reread_from = %point,
                "the ledger went back in time (a failover to a standby that had not received the last commits?): \
                 positions {}..={} of chain {} are gone; their entries are read again from the stream",
                r.ledger_seq + 1,
                r.known_seq,
                r.chain_id
                );
            }
            if !covered && first {
                tracing::warn!(
                    chain = r.chain_id,
                    "the commit journal does not reach back to the ledger's head; the whole stream is read again"
                );
            }
            if start.as_deref().is_none_or(|s| stream_pos(&point) < stream_pos(s)) {
                start = Some(point);
            }
        }
        let Some(start) = start else { return Ok(()) };
        let key = self.repair_key();
        let new: i64 = self
            .with(|con| {
                Box::pin(async move {
                    redis::Script::new(LOWER_REPAIR_START)
                        .key(&key)
                        .arg(&start)
                        .invoke_async(con)
                        .await
                        .map_err(err("record repair"))
                })
            })
            .await?;
        if new == 1 {
            self.rewinds.noticed();
        }
        // Before the commit that noticed goes on: a draining run must not end meanwhile.
        self.rewinds.set_repairing(true);
        self.wake.notify_one();
        Ok(())
    }

    async fn record_commits(&self, batches: Vec<Committed>) -> Result<(), String> {
        let heads = self.heads_key();
        let keys: Vec<String> = batches.iter().map(|b| self.commits_key(b.chain_id)).collect();
        self.with(|con| {
            Box::pin(async move {
                let mut pipe = redis::pipe();
                for (b, key) in batches.iter().zip(&keys) {
                    pipe.cmd("ZADD").arg(&heads).arg("GT").arg(b.to_seq).arg(b.chain_id.to_string()).ignore();
                    pipe.cmd("ZADD")
                        .arg(key)
                        .arg(b.to_seq)
                        .arg(format!("{}:{}:{}", b.to_seq, b.from_seq, b.first_stream_id))
                        .ignore();
                    pipe.cmd("ZREMRANGEBYSCORE")
                        .arg(key)
                        .arg("-inf")
                        .arg(format!("({}", b.to_seq - KEEP_POSITIONS))
                        .ignore();
                }
                pipe.query_async::<()>(con).await.map_err(err("record commits"))
            })
        })
        .await
    }
}

impl CommitJournal for RedisJournal {
    fn record(&self, batches: Vec<Committed>) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(self.record_commits(batches))
    }

    fn rewound(&self, chains: Vec<Rewound>) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(self.record_rewind(chains))
    }
}
