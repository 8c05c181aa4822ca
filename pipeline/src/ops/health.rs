//! What `/readyz` and the stream gauges are computed from: one poll of Redis, and the gates
//! it is judged by.

use crate::cluster::ClusterProgress;
use serde::Serialize;
use std::collections::HashMap;

/// The consumer group and DLQ as Redis reports them.
#[derive(Clone, Debug, Default, Serialize)]
pub struct StreamHealth {
    /// Entries not yet delivered to the group (`XINFO GROUPS` `lag`); `None` when Redis
    /// cannot tell (after entries inside the group's range were deleted).
    pub consumer_lag: Option<u64>,
    /// Entries delivered but not acknowledged.
    pub pending: u64,
    /// Age of the oldest unacknowledged entry, seconds since it was added to the stream.
    pub oldest_pending_age_secs: f64,
    /// Entries in the DLQ.
    pub dlq_size: u64,
}

pub use crate::settings::ReadyGates;

/// One readiness check, as `/readyz` reports it.
#[derive(Clone, Debug, Serialize)]
pub struct Check {
    /// What is checked.
    pub name: &'static str,
    /// Whether it passes.
    pub ok: bool,
    /// What was seen.
    pub detail: String,
}

fn gate(name: &'static str, value: f64, limit: u64, unit: &str) -> Check {
    let ok = limit == 0 || value <= limit as f64;
    let detail =
        if limit == 0 { format!("{value} {unit} (gate disabled)") } else { format!("{value} {unit}, limit {limit}") };
    Check { name, ok, detail }
}

/// How long `/readyz` reports a stream reset after the readers noticed it.
pub const STREAM_RESET_REPORTED_SECS: f64 = 300.0;

/// The checks behind `/readyz`: the pipeline is running, verification is on, no stream was
/// reset lately, Redis answers, and each gate holds.
pub fn checks(
    running: bool,
    cluster: &ClusterProgress,
    verification_skipped: bool,
    health: Result<&StreamHealth, &str>,
    views_lag_secs: Option<f64>,
    stream_reset_secs_ago: Option<f64>,
    gates: &ReadyGates,
) -> Vec<Check> {
    let mut out = vec![
        Check {
            name: "pipeline",
            ok: running,
            detail: match (running, cluster.processes) {
                (true, 1) => "running".into(),
                (true, n) => format!("running as process {} of a cluster of {n}", cluster.process),
                (false, 1) => "starting (hydrating the views, connecting)".into(),
                (false, n) => format!(
                    "starting: process {} waits for the cluster to form ({} of {} peers connected) and the views to \
                     hydrate",
                    cluster.process,
                    cluster.connected.load(std::sync::atomic::Ordering::Relaxed),
                    n - 1
                ),
            },
        },
        Check {
            name: "verification",
            ok: !verification_skipped,
            detail: if verification_skipped {
                "--insecure-skip-verify: producer signatures are not checked".into()
            } else {
                "producer signatures are checked".into()
            },
        },
    ];
    out.push(match stream_reset_secs_ago {
        None => Check { name: "stream_reset", ok: true, detail: "no reset seen".into() },
        Some(ago) => Check {
            name: "stream_reset",
            ok: ago > STREAM_RESET_REPORTED_SECS,
            detail: format!(
                "a stream was reset {ago:.0} s ago: Redis lost the stream and its consumer group (restarted without \
                 persistence?); the group was created again and reading goes on, but entries published before the \
                 reset and not yet read are lost (reported for {STREAM_RESET_REPORTED_SECS:.0} s; \
                 auditflow_stream_resets_total counts them)"
            ),
        },
    });
    if let Some(lag) = views_lag_secs {
        // The views lag: what the ledger committed and the views have not written yet.
        out.push(gate("views_lag", (lag * 10.0).round() / 10.0, gates.max_views_lag_secs, "s"));
    }
    match health {
        Err(e) => out.push(Check { name: "redis", ok: false, detail: e.to_owned() }),
        Ok(h) => {
            out.push(gate("dlq_size", h.dlq_size as f64, gates.max_dlq_size, "entries"));
            match h.consumer_lag {
                Some(lag) => out.push(gate("consumer_lag", lag as f64, gates.max_consumer_lag, "entries")),
                None => out.push(Check {
                    name: "consumer_lag",
                    ok: true,
                    detail: "unknown (Redis cannot compute it after deletions inside the group's range)".into(),
                }),
            }
            out.push(gate(
                "oldest_pending_age",
                (h.oldest_pending_age_secs * 10.0).round() / 10.0,
                gates.max_pending_age_secs,
                "s",
            ));
        }
    }
    out
}

/// Polls Redis for the group's lag and pending entries over every stream the pipeline reads
/// (the audit stream and, when configured, the revocation stream: lag and pending summed,
/// the oldest pending entry of either) and the DLQ's length.
pub async fn poll(
    con: &mut redis::aio::MultiplexedConnection,
    streams: &[String],
    group: &str,
    dlq: &str,
) -> redis::RedisResult<StreamHealth> {
    let mut total = StreamHealth { consumer_lag: Some(0), ..StreamHealth::default() };
    for (i, stream) in streams.iter().enumerate() {
        let one = match poll_stream(con, stream, group).await {
            Ok(one) => one,
            // A revocation stream nobody has written to (and `run` not yet created) is empty.
            Err(e) if i > 0 && e.to_string().to_ascii_lowercase().contains("no such key") => continue,
            Err(e) => return Err(e),
        };
        total.consumer_lag = total.consumer_lag.zip(one.consumer_lag).map(|(a, b)| a + b);
        total.pending += one.pending;
        total.oldest_pending_age_secs = total.oldest_pending_age_secs.max(one.oldest_pending_age_secs);
    }
    total.dlq_size = redis::cmd("XLEN").arg(dlq).query_async::<u64>(con).await?;
    Ok(total)
}

/// The group's lag, pending count and oldest pending age on one stream.
async fn poll_stream(
    con: &mut redis::aio::MultiplexedConnection,
    stream: &str,
    group: &str,
) -> redis::RedisResult<StreamHealth> {
    let mut health = StreamHealth::default();
    let groups: redis::Value = redis::cmd("XINFO").arg("GROUPS").arg(stream).query_async(con).await?;
    for entry in as_items(&groups) {
        let fields = as_map(entry);
        if fields.get("name").and_then(|v| as_text(v)).as_deref() == Some(group) {
            health.consumer_lag = fields.get("lag").and_then(|v| as_int(v)).map(|n| n.max(0) as u64);
            health.pending = fields.get("pending").and_then(|v| as_int(v)).unwrap_or(0).max(0) as u64;
        }
    }
    if health.pending > 0 {
        let oldest: redis::Value =
            redis::cmd("XPENDING").arg(stream).arg(group).arg("-").arg("+").arg(1).query_async(con).await?;
        let id = as_items(&oldest).first().and_then(|e| as_items(e).first().copied()).and_then(as_text);
        if let Some(ms) = id.as_deref().and_then(|id| id.split('-').next()).and_then(|ms| ms.parse::<i64>().ok()) {
            health.oldest_pending_age_secs = ((chrono::Utc::now().timestamp_millis() - ms).max(0)) as f64 / 1000.0;
        }
    }
    Ok(health)
}

fn as_items(v: &redis::Value) -> Vec<&redis::Value> {
    match v {
        redis::Value::Array(items) | redis::Value::Set(items) => items.iter().collect(),
        _ => Vec::new(),
    }
}

fn as_map(v: &redis::Value) -> HashMap<String, &redis::Value> {
    match v {
        redis::Value::Map(pairs) => pairs.iter().filter_map(|(k, v)| as_text(k).map(|k| (k, v))).collect(),
        redis::Value::Array(flat) => flat
            .chunks(2)
            .filter_map(|kv| match kv {
                [k, v] => as_text(k).map(|k| (k, v)),
                _ => None,
            })
            .collect(),
        _ => HashMap::new(),
    }
}

fn as_text(v: &redis::Value) -> Option<String> {
    match v {
        redis::Value::BulkString(b) => Some(String::from_utf8_lossy(b).into_owned()),
        redis::Value::SimpleString(s) => Some(s.clone()),
        _ => None,
    }
}

fn as_int(v: &redis::Value) -> Option<i64> {
    match v {
        redis::Value::Int(n) => Some(*n),
        redis::Value::BulkString(b) => std::str::from_utf8(b).ok()?.parse().ok(),
        _ => None,
    }
}

/// The ledger-rewind check: failing while the stream is read again into a ledger that went
/// back (a failover to a standby that lacked the last commits).
pub fn rewind_check(rewinds: &crate::rewind::Rewinds) -> Check {
    let seen = rewinds.count();
    Check {
        name: "ledger_rewind",
        ok: !rewinds.repairing(),
        detail: match (rewinds.repairing(), seen) {
            (true, _) => "the ledger went back in time; the lost entries are being read again from the stream (see \
                          the log; auditflow_ledger_rewinds_total counts rewinds)"
                .into(),
            (false, 0) => "the ledger holds everything committed".into(),
            (false, n) => format!("{n} rewind(s) seen and repaired from the stream"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Against the real Redis (as every test here: it fails, never skips, without one).
    #[test]
    fn lag_and_pending_add_up_over_the_audit_and_revocation_streams() {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let mut con = auditflow_sources::redis_stream::connect(
                &auditflow_sources::redis_stream::RedisTarget::new("redis://127.0.0.1:6379").expect("url"),
                std::time::Duration::from_secs(5),
            )
            .await
            .expect("Redis must answer on 127.0.0.1:6379 (make services)");
            let tag =
                format!("health-test-{}-{}", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0));
            let (audit, revocations, dlq) = (format!("{tag}.events"), format!("{tag}.revoke"), format!("{tag}.dlq"));
            for (stream, n) in [(&audit, 2), (&revocations, 3)] {
                let _: () = redis::cmd("XGROUP")
                    .arg("CREATE")
                    .arg(stream)
                    .arg("g")
                    .arg("0")
                    .arg("MKSTREAM")
                    .query_async(&mut con)
                    .await
                    .expect("group");
                for _ in 0..n {
                    let _: String = redis::cmd("XADD")
                        .arg(stream)
                        .arg("*")
                        .arg("data")
                        .arg("x")
                        .query_async(&mut con)
                        .await
                        .expect("xadd");
                }
            }
            let streams = [audit.clone(), revocations.clone()];
            let health = poll(&mut con, &streams, "g", &dlq).await.expect("poll");
            assert_eq!((health.consumer_lag, health.pending, health.dlq_size), (Some(5), 0, 0));
            let _: redis::Value = redis::cmd("XREADGROUP")
                .arg("GROUP")
                .arg("g")
                .arg("c")
                .arg("COUNT")
                .arg(1)
                .arg("STREAMS")
                .arg(&revocations)
                .arg(">")
                .query_async(&mut con)
                .await
                .expect("read");
            let health = poll(&mut con, &streams, "g", &dlq).await.expect("poll");
            assert_eq!((health.consumer_lag, health.pending), (Some(4), 1));
            // A revocation stream that does not exist yet counts as empty.
            let missing = [audit.clone(), format!("{tag}.never")];
            assert_eq!(poll(&mut con, &missing, "g", &dlq).await.expect("poll").consumer_lag, Some(2));
            let _: i64 = redis::cmd("DEL").arg(&audit).arg(&revocations).query_async(&mut con).await.expect("del");
        });
    }

    #[test]
    fn each_gate_fails_on_its_own_and_zero_disables_it() {
        let gates = ReadyGates {
            max_dlq_size: 10,
            max_consumer_lag: 0,
            max_pending_age_secs: 300,
            max_views_lag_secs: 60,
            healthz_stall_secs: 60,
        };
        let health = StreamHealth { consumer_lag: Some(5_000), pending: 3, oldest_pending_age_secs: 1.5, dlq_size: 11 };
        let failing = |c: Vec<Check>| c.into_iter().filter(|c| !c.ok).map(|c| c.name).collect::<Vec<_>>();
        assert_eq!(
            failing(checks(true, &ClusterProgress::default(), false, Ok(&health), Some(3.0), None, &gates)),
            vec!["dlq_size"]
        );
        assert_eq!(
            failing(checks(true, &ClusterProgress::default(), false, Ok(&health), Some(61.0), None, &gates)),
            vec!["views_lag", "dlq_size"]
        );
        assert_eq!(
            failing(checks(true, &ClusterProgress::default(), true, Ok(&health), None, Some(12.0), &gates)),
            vec!["verification", "stream_reset", "dlq_size"]
        );
        assert_eq!(
            failing(checks(
                false,
                &ClusterProgress::default(),
                false,
                Err("connection refused"),
                None,
                Some(301.0),
                &gates
            )),
            vec!["pipeline", "redis"]
        );
        let drained = StreamHealth { dlq_size: 10, ..health };
        assert!(
            failing(checks(true, &ClusterProgress::default(), false, Ok(&drained), Some(60.0), None, &gates))
                .is_empty(),
            "at the limit is still ready"
        );
    }

    #[test]
    fn group_fields_parse_in_both_protocol_shapes() {
        use redis::Value::{Array, BulkString, Int, Map};
        let flat =
            Array(vec![BulkString(b"name".to_vec()), BulkString(b"g".to_vec()), BulkString(b"lag".to_vec()), Int(7)]);
        assert_eq!(as_map(&flat).get("lag").and_then(|v| as_int(v)), Some(7));
        let map = Map(vec![(BulkString(b"lag".to_vec()), Int(9))]);
        assert_eq!(as_map(&map).get("lag").and_then(|v| as_int(v)), Some(9));
    }
}
