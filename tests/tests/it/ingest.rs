//! Ingest acceptance: exactly once under SIGKILL, across worker-count changes, tamper on
//! replay, graceful shutdown, poison entries, and configuration / reachability errors.

use crate::common::{kill9, terminate, TestEnv};
use rand::{Rng, SeedableRng};
use std::time::{Duration, Instant};

fn emit_args(count: &str, seed: &str) -> Vec<String> {
    ["--count", count, "--invalid-ratio", "0.02", "--duplicate-ratio", "0.02", "--zones", "5", "--seed", seed]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Starts runs and SIGKILLs each at a random moment while rows are being committed.
fn crash_runs(env: &TestEnv, rng: &mut rand::rngs::StdRng, workers: &[&str], envs: &[(&str, &str)]) -> usize {
    let mut kills = 0;
    for w in workers {
        let mut child = env.spawn_run(&["--workers", w, "--claim-idle-ms", "1000"], envs);
        let started = Instant::now();
        // Wait for the run to be committing (rows growing), then kill at a random moment.
        let before: i64 = env.query("SELECT count(*) FROM audit_events").first().map(|r| r.get(0)).unwrap_or(0);
        let wait = Duration::from_millis(rng.random_range(300..2500));
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                // Only the failpoint run kills itself.
                assert!(!status.success() || envs.is_empty(), "run exited early: {status}\n{}", env.log_tail());
                break;
            }
            let now: i64 = env.query("SELECT count(*) FROM audit_events").first().map(|r| r.get(0)).unwrap_or(0);
            if now > before && started.elapsed() >= wait {
                kill9(&mut child);
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(120), "run made no progress in 120 s\n{}", env.log_tail());
            std::thread::sleep(Duration::from_millis(20));
        }
        kills += 1;
    }
    kills
}

#[test]
fn exactly_once_under_repeated_sigkill() {
    let env = TestEnv::new("crash");
    // Create the schema first so progress can be watched from the first run on.
    assert!(env.output(&["migrate"]).status.success());
    let args = emit_args("200000", "7");
    let manifest = env.emit(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(manifest.len(), 200_000);
    let mut rng = rand::rngs::StdRng::seed_from_u64(0xC0FFEE);

    // One deterministic crash inside a shard transaction (after COPY, before COMMIT) ...
    let mut failpoint = env
        .spawn_run(&["--workers", "2", "--claim-idle-ms", "1000"], &[("AUDITFLOW_FAILPOINT", "kill_before_commit:25")]);
    let status = failpoint.wait().expect("wait");
    assert!(!status.success(), "the failpoint run should have been killed\n{}", env.log_tail());
    // ... then three at random moments.
    let kills = crash_runs(&env, &mut rng, &["2", "2", "2"], &[]);
    assert_eq!(kills, 3);
    let partial: i64 = env.query("SELECT count(*) FROM audit_events")[0].get(0);
    assert!(
        partial > 0 && (partial as usize) < manifest.len(),
        "crashes should leave a partial ledger, found {partial} rows"
    );

    env.run_until_drained(&["--workers", "2", "--claim-idle-ms", "1000"], Duration::from_secs(600));
    env.assert_exactly_once(&manifest);
    let log = std::fs::read_to_string(env.dir.join("run.log")).expect("log");
    assert!(log.contains("re-reading own pending entries"), "restarts should have recovered pending entries");
}

#[test]
fn exactly_once_when_the_worker_count_changes() {
    let env = TestEnv::new("rescale");
    assert!(env.output(&["migrate"]).status.success());
    let args = emit_args("200000", "11");
    let manifest = env.emit(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    // 3 workers, then 1: consumers auditflow-0-1 and -0-2 die with entries pending, which the
    // remaining worker must take over (retiring them at start-up); then 2 workers finish.
    crash_runs(&env, &mut rng, &["3", "1"], &[]);
    env.run_until_drained(&["--workers", "2", "--claim-idle-ms", "1000"], Duration::from_secs(600));
    env.assert_exactly_once(&manifest);
    let log = std::fs::read_to_string(env.dir.join("run.log")).expect("log");
    assert!(
        log.contains("retired a consumer this cluster no longer has"),
        "entries of vanished consumers must be handed over"
    );
}

fn sign(data: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(&hex::decode(crate::common::HMAC_KEY).expect("hex")).expect("key");
    mac.update(data.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

fn xadd(env: &TestEnv, id: &str, data: &str) -> String {
    let mut con = env.redis();
    redis::cmd("XADD")
        .arg(&env.stream)
        .arg("*")
        .arg("id")
        .arg(id)
        .arg("data")
        .arg(data)
        .arg("sig")
        .arg(sign(data))
        .query(&mut con)
        .expect("XADD")
}

#[test]
fn a_replay_with_altered_content_is_tamper_on_replay_and_the_original_stays() {
    let env = TestEnv::new("tamper");
    let original = r#"{"id":"evt-t1","zone_id":"z1","event_type":"token_exchange","request_id":"r-1","decision":"deny","evaluation_status":"scope_mismatch","occurred_at":"2026-11-23T06:00:00Z"}"#;
    let altered = r#"{"id":"evt-t1","zone_id":"z1","event_type":"token_exchange","request_id":"r-1","decision":"allow","evaluation_status":"complete","occurred_at":"2026-11-23T06:00:00Z"}"#;
    xadd(&env, "evt-t1", original);
    env.run_until_drained(&["--workers", "1"], Duration::from_secs(60));
    let before = env.query(
        "SELECT content_sha256, decision, chain_seq::text, ingested_at::text FROM audit_events WHERE id = 'evt-t1'",
    );
    assert_eq!(before.len(), 1);

    let tampered_id = xadd(&env, "evt-t1", altered);
    let identical_id = xadd(&env, "evt-t1", original);
    // The same id moved to another month (another partition) is the same event, tampered.
    let moved = original.replace("2026-11-23T06:00:00Z", "2026-09-01T00:00:00Z");
    let moved_id = xadd(&env, "evt-t1", &moved);
    env.run_until_drained(&["--workers", "2"], Duration::from_secs(60));

    let after = env.query(
        "SELECT content_sha256, decision, chain_seq::text, ingested_at::text FROM audit_events WHERE id = 'evt-t1'",
    );
    assert_eq!(after.len(), 1, "the replay must not add a row");
    for i in 0..4 {
        assert_eq!(
            before[0].get::<_, String>(i),
            after[0].get::<_, String>(i),
            "column {i} of the original row changed"
        );
    }
    assert_eq!(after[0].get::<_, String>(1), "deny");
    let mut dlq = env.dlq_entries();
    dlq.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(dlq.len(), 2, "exactly the two altered replays are dead-lettered: {dlq:?}");
    assert_eq!((dlq[0].0.as_str(), dlq[0].1.as_str()), (tampered_id.as_str(), "tamper_on_replay"));
    assert_eq!((dlq[1].0.as_str(), dlq[1].1.as_str()), (moved_id.as_str(), "tamper_on_replay"));
    assert_eq!(dlq[0].2.get("src_data").map(String::as_str), Some(altered), "the DLQ keeps the replayed bytes");
    assert!(dlq.iter().all(|d| d.0 != identical_id), "an identical replay is a harmless duplicate");
    let alerts = env.query("SELECT kind, event_id, src_stream_id FROM audit_ingest_alerts ORDER BY src_stream_id");
    assert_eq!(alerts.len(), 2);
    assert_eq!(alerts[0].get::<_, String>(0), "tamper_on_replay");
    assert_eq!(alerts[0].get::<_, String>(2), tampered_id);
    assert_eq!(alerts[1].get::<_, String>(2), moved_id);
    assert_eq!(env.pending(), 0);
}

#[test]
fn sigterm_commits_and_acknowledges_what_is_in_flight() {
    let env = TestEnv::new("sigterm");
    assert!(env.output(&["migrate"]).status.success());
    let manifest =
        env.emit(&["--count", "60000", "--invalid-ratio", "0.01", "--duplicate-ratio", "0.01", "--seed", "3"]);
    let mut child = env.spawn_run(&["--workers", "2"], &[]);
    let started = Instant::now();
    while env.query("SELECT count(*) FROM audit_events")[0].get::<_, i64>(0) == 0 {
        assert!(started.elapsed() < Duration::from_secs(60), "no progress\n{}", env.log_tail());
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = terminate(&mut child, Duration::from_secs(60));
    assert!(status.success(), "SIGTERM should end the run with exit 0, got {status}\n{}", env.log_tail());
    assert_eq!(env.pending(), 0, "a graceful stop acknowledges everything it read");
    env.run_until_drained(&["--workers", "2"], Duration::from_secs(300));
    env.assert_exactly_once(&manifest);
}

#[test]
fn an_entry_redelivered_too_often_is_dead_lettered() {
    let env = TestEnv::new("poison");
    let data = r#"{"id":"evt-p1","zone_id":"z1","event_type":"token_exchange","occurred_at":"2026-11-23T06:00:00Z"}"#;
    let id = xadd(&env, "evt-p1", data);
    let mut con = env.redis();
    let _: redis::Value = redis::cmd("XGROUP")
        .arg("CREATE")
        .arg(&env.stream)
        .arg("audit-ingestor")
        .arg("0")
        .query(&mut con)
        .expect("group");
    // One delivery, then eight re-deliveries of the pending entry to consumer auditflow-0
    // without an ack, as nine crashed runs would leave it.
    let read = |from: &str, con: &mut redis::Connection| {
        let _: redis::Value = redis::cmd("XREADGROUP")
            .arg("GROUP")
            .arg("audit-ingestor")
            .arg("auditflow-0")
            .arg("STREAMS")
            .arg(&env.stream)
            .arg(from)
            .query(con)
            .expect("XREADGROUP");
    };
    read(">", &mut con);
    for _ in 0..8 {
        read("0", &mut con);
    }
    env.run_until_drained(&["--workers", "1", "--max-deliveries", "8"], Duration::from_secs(60));
    let dlq = env.dlq_entries();
    assert_eq!(dlq.len(), 1);
    assert_eq!(dlq[0].0, id);
    assert!(dlq[0].1.starts_with("transient_exceeded_max_deliveries:"), "{}", dlq[0].1);
    assert_eq!(env.query("SELECT count(*) FROM audit_events")[0].get::<_, i64>(0), 0);
    assert_eq!(env.pending(), 0);
}

fn assert_exit(out: &std::process::Output, code: i32, needle: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "expected exit {code}; stderr:\n{stderr}");
    assert!(stderr.contains(needle), "expected `{needle}` in stderr:\n{stderr}");
    assert!(!stderr.contains("panicked"), "a panic is not an error message:\n{stderr}");
}

#[test]
fn bad_configuration_exits_2_naming_the_setting() {
    let env = TestEnv::new("badcfg");
    let out = env.command(&["run", "--exit-when-drained"]).env_remove("AUDIT_HMAC_KEY").output().expect("run");
    assert_exit(&out, 2, "AUDIT_HMAC_KEY");
    assert_exit(&env.output(&["run", "--redis-url", "http://nope"]), 2, "AUDITFLOW_REDIS_URL");
    assert_exit(&env.output(&["run", "--database-url", "postgres://host:notaport/db"]), 2, "AUDITFLOW_DATABASE_URL");
    assert_exit(&env.output(&["run", "--workers", "0"]), 2, "AUDITFLOW_WORKERS");
    let out = env.command(&["run"]).env("AUDIT_HMAC_KEY", "abcd").output().expect("run");
    assert_exit(&out, 2, "at least 32");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("abcd"), "the key must not be echoed");
    let cfg = env.dir.join("bad.toml");
    std::fs::write(&cfg, "redis_ulr = \"redis://x\"\n").expect("write");
    assert_exit(&env.output(&["run", "--config", cfg.to_str().expect("utf8")]), 2, "redis_ulr");
    assert_exit(&env.output(&["emit", "--rate", "fast"]), 2, "--rate");
    // Usage errors are clap's exit 2.
    assert_eq!(env.output(&["run", "--no-such-flag"]).status.code(), Some(2));
}

#[test]
fn unreachable_services_exit_3_after_retrying() {
    let env = TestEnv::new("unreach");
    let started = Instant::now();
    let out = env.output(&["run", "--redis-url", "redis://127.0.0.1:1", "--connect-timeout-secs", "2"]);
    assert_exit(&out, 3, "redis unreachable at redis://127.0.0.1:1");
    assert!(String::from_utf8_lossy(&out.stderr).contains("retrying"), "retries are logged");
    assert!(started.elapsed() >= Duration::from_secs(2), "it retried for the timeout");
    let out = env.output(&[
        "run",
        "--database-url",
        "postgres://postgres:secretpw@127.0.0.1:1/x",
        "--connect-timeout-secs",
        "2",
    ]);
    assert_exit(&out, 3, "postgres unreachable");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("secretpw"), "passwords never reach logs");
}

#[test]
fn postgres_connections_killed_mid_run_lose_and_double_nothing() {
    let env = TestEnv::new("pgkill");
    assert!(env.output(&["migrate"]).status.success());
    let manifest =
        env.emit(&["--count", "150000", "--invalid-ratio", "0.02", "--duplicate-ratio", "0.02", "--seed", "21"]);
    let mut child = env.spawn_run(&["--workers", "2", "--exit-when-drained"], &[]);
    let admin = env.pg();
    let started = Instant::now();
    let mut kills = 0;
    // Terminate every auditflow backend of this database, eight times while it commits
    // (every 500 ms from the start, so the kills land while the backlog is being committed).
    let mut rounds = 0;
    while child.try_wait().expect("wait").is_none() {
        assert!(started.elapsed() < Duration::from_secs(300), "no finish in 300 s\n{}", env.log_tail());
        std::thread::sleep(Duration::from_millis(500));
        if rounds == 8 {
            continue;
        }
        rounds += 1;
        let killed = env
            .runtime
            .block_on(admin.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
                &[],
            ))
            .expect("terminate");
        kills += killed.len();
    }
    assert!(child.wait().expect("wait").success(), "the run must survive lost connections\n{}", env.log_tail());
    assert!(kills > 0, "no connection was killed: the test proved nothing");
    env.assert_exactly_once(&manifest);
    let log = std::fs::read_to_string(env.dir.join("run.log")).expect("log");
    assert!(log.contains("ledger commit failed, retrying"), "commits should have been interrupted and retried");
}
