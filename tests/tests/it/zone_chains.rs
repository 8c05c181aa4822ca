//! Chains per zone (issue 17): Caracal's notification dispatcher pages each zone of the
//! ledger by `chain_seq` and, on a short page, jumps its cursor to the zone's
//! `MAX(chain_seq)`. That only works if a zone's `chain_seq` is gapless and commit-ordered.
//! The dispatcher runs here with Caracal's own SQL, over staged drains, during live
//! ingestion with 2 workers and 16 zones, and across SIGKILLs and restarts; every event of a
//! zone must be delivered exactly once. Under live ingestion Caracal's loop has a race of its
//! own (the MAX query runs after the page query, so a row committed in between is skipped);
//! every miss is checked to be exactly that, and a second dispatcher that never jumps (its
//! cursor only follows the rows it read) must miss nothing at all, which is what proves the
//! commit order.

use crate::common::{kill9, TestEnv};
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ZONES: usize = 16;

/// Caracal's page query (`fanOutSink`), with its page size.
const PAGE_SQL: &str = "SELECT id, chain_seq FROM audit_events \
    WHERE zone_id = $1 AND chain_seq > $2 AND event_type = ANY($3) ORDER BY chain_seq ASC LIMIT 100";
/// Caracal's jump to the head after a short page.
const HEAD_SQL: &str = "SELECT COALESCE(MAX(chain_seq), 0) FROM audit_events WHERE zone_id = $1";
/// Every event type the generator writes: a sink subscribed to all of them.
const ALL_TYPES: &[&str] = &[
    "token_exchange",
    "gateway_resource_request",
    "session_spawned",
    "delegation_edge_created",
    "delegation_edge_revoked",
    "session_revoked",
    "session_terminated",
    "step_up_issued",
    "step_up_decided",
    "step_up_consumed",
];

/// One notification sink of one zone.
#[derive(Default)]
struct Sink {
    cursor: i64,
    /// Event id -> times delivered.
    delivered: HashMap<String, u32>,
    /// Head jumps after a short page: (last seq the page returned or the cursor, seq jumped to).
    jumps: Vec<(i64, i64)>,
}

/// Caracal's dispatcher (`jump = true`) or the same loop without the jump.
struct Dispatcher {
    jump: bool,
    sinks: BTreeMap<String, Sink>,
}

impl Dispatcher {
    fn new(jump: bool) -> Self {
        let sinks = (0..ZONES).map(|z| (format!("zone-{z}"), Sink::default())).collect();
        Dispatcher { jump, sinks }
    }

    /// One tick of the dispatcher over every zone, each until it stops moving.
    async fn tick(&mut self, client: &tokio_postgres::Client) -> Result<(), tokio_postgres::Error> {
        let types: Vec<String> = ALL_TYPES.iter().map(|t| t.to_string()).collect();
        for (zone, sink) in self.sinks.iter_mut() {
            loop {
                let rows = client.query(PAGE_SQL, &[zone, &sink.cursor, &types]).await?;
                let last = rows.last().map(|r| r.get::<_, i64>(1)).unwrap_or(sink.cursor);
                let next = if rows.len() == 100 || !self.jump {
                    last
                } else {
                    let head: i64 = client.query_one(HEAD_SQL, &[zone]).await?.get(0);
                    if head > last {
                        sink.jumps.push((last, head));
                    }
                    head
                };
                if rows.is_empty() && next == sink.cursor {
                    break;
                }
                for r in &rows {
                    *sink.delivered.entry(r.get::<_, String>(0)).or_default() += 1;
                }
                sink.cursor = sink.cursor.max(next);
            }
        }
        Ok(())
    }
}

/// Runs `dispatcher` in a thread of its own every 20 ms until `stop`, then once more.
fn dispatch_in_background(
    url: String,
    mut dispatcher: Dispatcher,
    stop: Arc<AtomicBool>,
) -> std::thread::JoinHandle<Dispatcher> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let (client, conn) =
                tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("dispatcher connect");
            tokio::spawn(async move {
                let _ = conn.await;
            });
            loop {
                let last = stop.load(Ordering::SeqCst);
                dispatcher.tick(&client).await.expect("dispatcher query");
                if last {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        dispatcher
    })
}

/// Every zone's `chain_seq` runs 1..=n without a gap or a doubled position.
fn assert_gapless(env: &TestEnv) {
    let rows = env.query(
        "SELECT zone_id, count(*), count(DISTINCT chain_seq), min(chain_seq), max(chain_seq) \
         FROM audit_events GROUP BY zone_id ORDER BY zone_id",
    );
    assert_eq!(rows.len(), ZONES, "every zone should have rows");
    for r in rows {
        let (zone, n, distinct, min, max): (String, i64, i64, i64, i64) =
            (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4));
        assert!(n == distinct && min == 1 && max == n, "zone {zone}: {n} rows, {distinct} positions, {min}..={max}");
    }
}

/// The ledger's rows per zone: (event id, chain_seq).
fn ledger_by_zone(env: &TestEnv) -> HashMap<String, Vec<(String, i64)>> {
    let mut out: HashMap<String, Vec<(String, i64)>> = HashMap::new();
    for r in env.query("SELECT zone_id, id, chain_seq FROM audit_events") {
        out.entry(r.get(0)).or_default().push((r.get(1), r.get(2)));
    }
    out
}

/// Checks what `dispatcher` delivered against the ledger: nothing twice, nothing missed but
/// (when `race_allowed`) rows inside one of Caracal's head jumps. Returns the misses.
fn check_deliveries(env: &TestEnv, dispatcher: &Dispatcher, race_allowed: bool) -> usize {
    let ledger = ledger_by_zone(env);
    let mut missed = 0;
    for (zone, sink) in &dispatcher.sinks {
        let rows = ledger.get(zone).map(Vec::as_slice).unwrap_or_default();
        let doubled: Vec<_> = sink.delivered.iter().filter(|(_, n)| **n > 1).collect();
        assert!(doubled.is_empty(), "zone {zone}: delivered more than once: {doubled:?}");
        let stored: HashSet<&str> = rows.iter().map(|(id, _)| id.as_str()).collect();
        let foreign: Vec<_> = sink.delivered.keys().filter(|id| !stored.contains(id.as_str())).collect();
        assert!(foreign.is_empty(), "zone {zone}: delivered events the ledger does not hold: {foreign:?}");
        for (id, seq) in rows {
            if sink.delivered.contains_key(id) {
                continue;
            }
            let in_jump = sink.jumps.iter().any(|(from, to)| seq > from && seq <= to);
            assert!(
                race_allowed && in_jump,
                "zone {zone}: event {id} at chain_seq {seq} was never delivered and was not skipped by a head jump \
                 (jumps {:?})",
                sink.jumps
            );
            missed += 1;
        }
    }
    missed
}

fn emit(env: &TestEnv, count: usize, seed: u64) -> usize {
    let manifest = env.emit(&[
        "--count",
        &count.to_string(),
        "--zones",
        &ZONES.to_string(),
        "--invalid-ratio",
        "0",
        "--duplicate-ratio",
        "0.02",
        "--seed",
        &seed.to_string(),
    ]);
    manifest.len()
}

#[test]
fn caracal_dispatcher_delivers_every_event_of_a_zone_once_across_staged_drains() {
    let env = TestEnv::new("zstaged");
    let mut caracal = Dispatcher::new(true);
    for stage in 0..3 {
        emit(&env, 6_000, 100 + stage);
        env.run_until_drained(&["--workers", "2"], Duration::from_secs(300));
        let client = env.pg();
        env.runtime.block_on(caracal.tick(&client)).expect("dispatch");
    }
    assert_gapless(&env);
    assert_eq!(check_deliveries(&env, &caracal, false), 0);
    let delivered: usize = caracal.sinks.values().map(|s| s.delivered.len()).sum();
    assert_eq!(delivered as i64, env.ledger_rows(), "every row of every zone delivered");
    // Each zone verifies on its own.
    let out = env.output(&["verify", "--zone", "zone-3"]);
    assert!(out.status.success(), "verify --zone: {}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("zone \"zone-3\" is chain"), "{stdout}");
    let zone_rows: i64 = env.query("SELECT count(*) FROM audit_events WHERE zone_id = 'zone-3'")[0].get(0);
    assert!(
        stdout.contains(&format!("verify: 1 chains, {zone_rows} rows")),
        "verify --zone should read that zone's rows alone ({zone_rows}): {stdout}"
    );
}

#[test]
fn caracal_dispatcher_under_live_ingestion_and_sigkills_misses_only_its_own_race() {
    let env = TestEnv::new("zlive");
    assert!(env.output(&["migrate"]).status.success());
    let stop = Arc::new(AtomicBool::new(false));
    let caracal = dispatch_in_background(env.database_url(), Dispatcher::new(true), stop.clone());
    let follower = dispatch_in_background(env.database_url(), Dispatcher::new(false), stop.clone());
    // Live ingestion with 2 workers, killed at random moments while committing, then restarted.
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5EED);
    for round in 0..3 {
        // A fresh backlog each round, so that every kill lands while rows are being committed.
        emit(&env, 20_000, 7 + round);
        let mut child = env.spawn_run(&["--workers", "2", "--claim-idle-ms", "2000"], &[]);
        let started = Instant::now();
        let before = env.ledger_rows();
        let wait = Duration::from_millis(rng.random_range(500..2500));
        loop {
            assert!(child.try_wait().expect("wait").is_none(), "run exited early\n{}", env.log_tail());
            if env.ledger_rows() > before && started.elapsed() >= wait {
                kill9(&mut child);
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(120), "no progress\n{}", env.log_tail());
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    // More events while the last run drains everything.
    let mut child = env.spawn_run(&["--workers", "2", "--claim-idle-ms", "2000"], &[]);
    emit(&env, 10_000, 20);
    let started = Instant::now();
    while env.pending() > 0 || env.ledger_rows() == 0 || !drained(&env) {
        assert!(started.elapsed() < Duration::from_secs(300), "did not drain\n{}", env.log_tail());
        std::thread::sleep(Duration::from_millis(200));
    }
    crate::common::terminate(&mut child, Duration::from_secs(60));
    stop.store(true, Ordering::SeqCst);
    let caracal = caracal.join().expect("Caracal's dispatcher");
    let follower = follower.join().expect("the following dispatcher");
    assert_gapless(&env);
    assert_eq!(check_deliveries(&env, &follower, false), 0, "a cursor that follows the rows misses nothing");
    let missed = check_deliveries(&env, &caracal, true);
    let jumps: usize = caracal.sinks.values().map(|s| s.jumps.len()).sum();
    eprintln!("Caracal's dispatcher: {missed} events skipped by its own read-then-MAX race ({jumps} head jumps)");
}

/// Every entry of both streams was read by the group and none is pending.
fn drained(env: &TestEnv) -> bool {
    let mut redis = env.redis();
    let lag: Option<i64> = redis::cmd("XINFO")
        .arg("GROUPS")
        .arg(&env.stream)
        .query::<Vec<HashMap<String, redis::Value>>>(&mut redis)
        .ok()
        .and_then(|groups| {
            groups.into_iter().find_map(|g| match g.get("lag") {
                Some(redis::Value::Int(n)) => Some(*n),
                _ => None,
            })
        });
    lag == Some(0) && env.pending() == 0
}

/// A ledger written before chains were per zone (by the build before them, commit 2544720:
/// 160 events over 3 zones in 16 chains per shard; `tests/data/ledger-per-shard/`, with its
/// ledger keys) is upgraded by `migrate`: its chains are closed and keep verifying, and new
/// rows go to one chain per zone, numbered after them.
#[test]
fn a_ledger_with_chains_per_shard_keeps_verifying_after_the_upgrade() {
    let mut env = TestEnv::new("zlegacy");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/ledger-per-shard");
    for key in ["ledger.key", "ledger-head.key"] {
        std::fs::copy(fixture.join(key), env.dir.join(key)).expect("copy the fixture's key");
    }
    let head_key = env.dir.join("ledger-head.key").display().to_string();
    env.extra_env.push(("AUDITFLOW_LEDGER_HEAD_KEY_FILE".into(), head_key));
    let admin = env.admin_pg();
    env.runtime.block_on(admin.batch_execute(&format!("CREATE DATABASE \"{}\"", env.database))).expect("create");
    env.runtime
        .block_on(admin.batch_execute(
            "DO $$ BEGIN CREATE ROLE auditflow_writer NOLOGIN; \
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$",
        ))
        .expect("the writer role");
    let dump = std::fs::read_to_string(fixture.join("ledger.sql")).expect("the fixture's dump");
    env.runtime.block_on(env.pg().batch_execute(&dump)).expect("restore the ledger written per shard");
    let closed: Vec<(i32, i64)> = env
        .query("SELECT chain_id, count(*) FROM audit_events GROUP BY chain_id ORDER BY chain_id")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(closed.len(), 16, "the fixture has 16 chains per shard");

    let out = env.output(&["migrate"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let verify = |args: &[&str]| {
        let mut all = vec!["verify", "--json"];
        all.extend_from_slice(args);
        let out = env.output(&all);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("verify --json: {e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code(), report)
    };
    let (code, report) = verify(&[]);
    assert_eq!((code, report["findings"].clone()), (Some(0), serde_json::json!([])), "{report}");
    assert_eq!((report["chains"].as_i64(), report["rows"].as_i64()), (Some(16), Some(160)));

    // New rows in the same zones go to one chain per zone, after the closed ones.
    env.emit(&["--count", "300", "--zones", "3", "--invalid-ratio", "0", "--seed", "78"]);
    env.run_until_drained(&["--workers", "2"], Duration::from_secs(120));
    let after: Vec<(i32, i64)> = env
        .query("SELECT chain_id, count(*) FROM audit_events WHERE chain_id < 16 GROUP BY chain_id ORDER BY chain_id")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(after, closed, "nothing is appended to a closed chain");
    let zones = env.query("SELECT zone_id, chain_id FROM audit_zone_chains ORDER BY chain_id");
    assert_eq!(zones.len(), 3);
    assert!(zones.iter().all(|r| r.get::<_, i32>(1) >= 16), "zone chains are numbered after the closed ones");
    let new_rows = env.query(
        "SELECT zone_id, count(*), max(chain_seq), count(DISTINCT chain_seq) FROM audit_events \
         WHERE chain_id >= 16 GROUP BY zone_id",
    );
    for r in &new_rows {
        let (zone, n, max, distinct): (String, i64, i64, i64) = (r.get(0), r.get(1), r.get(2), r.get(3));
        assert!(n == max && n == distinct, "zone {zone}: its chain runs 1..={n} without a gap");
    }
    let (code, report) = verify(&[]);
    assert_eq!((code, report["findings"].clone()), (Some(0), serde_json::json!([])), "{report}");
    assert_eq!(report["chains"].as_i64(), Some(19));
    let total: i64 = env.query("SELECT count(*) FROM audit_events")[0].get(0);
    assert_eq!(report["rows"].as_i64(), Some(total));
    // A zone's evidence: its own chain, and the closed chains it shares with other zones.
    let (code, report) = verify(&["--zone", "zone-1"]);
    assert_eq!(code, Some(0), "{report}");
    assert!(report["notes"].to_string().contains("mix zones"), "{report}");
}

/// One event id published twice in one batch under two zones that different workers write
/// (zone-0 and zone-5: shards 10 and 1): the two shard transactions race for the id in the
/// id index. The first stored wins; the other is retried, finds it stored with other content,
/// and is a tampered replay: one row, one dead letter, both chains gapless.
#[test]
fn one_id_under_two_zones_in_one_batch_is_stored_once_and_the_other_is_a_tamper() {
    let env = TestEnv::new("zrace");
    for round in 0..20 {
        for zone in ["zone-0", "zone-5"] {
            let data = serde_json::json!({
                "id": format!("twin-{round}"), "zone_id": zone, "event_type": "token_exchange",
                "decision": "allow", "occurred_at": "2026-12-01T10:00:00.000000Z",
            })
            .to_string();
            env.publish_signed(&data);
        }
    }
    env.run_until_drained(&["--workers", "2"], Duration::from_secs(120));
    let rows: Vec<(String, i64)> =
        env.query("SELECT id, count(*) FROM audit_events GROUP BY id").iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(rows.len(), 20, "each id stored: {rows:?}");
    assert!(rows.iter().all(|(_, n)| *n == 1), "each id once: {rows:?}");
    let dlq = env.dlq_entries();
    assert_eq!(dlq.len(), 20, "one twin of each id dead-lettered: {dlq:?}");
    assert!(dlq.iter().all(|(_, reason, _)| reason.starts_with("tamper_on_replay")), "{dlq:?}");
    for r in env
        .query("SELECT zone_id, count(*), max(chain_seq), count(DISTINCT chain_seq) FROM audit_events GROUP BY zone_id")
    {
        let (zone, n, max, distinct): (String, i64, i64, i64) = (r.get(0), r.get(1), r.get(2), r.get(3));
        assert!(n == max && n == distinct, "zone {zone}: {n} rows at positions up to {max}");
    }
    assert_eq!(env.pending(), 0);
}
