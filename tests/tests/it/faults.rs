//! Faults survived (issue 20), each followed by the exactly-once checks of the ingest
//! tests. Each fault is brought about on the test's own servers:
//! - Redis killed and restarted with its append-only file;
//! - Redis restarted without persistence (stream and group gone);
//! - Postgres restarted under load, in fast then immediate mode;
//! - the archive's disk filled up.

use crate::common::servers::{PrivatePostgres, PrivateRedis, RedisSetup};
use crate::common::{http_get, parse_metrics, sum_of, terminate, TestEnv};
use std::collections::HashMap;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(240);

fn wait_until(limit: Duration, what: &str, env: &TestEnv, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "{what}: not reached within {limit:?}; log:\n{}", env.log_tail());
        std::thread::sleep(Duration::from_millis(200));
    }
}

type Manifest = Vec<(String, String, String)>;

fn valid(manifest: &Manifest) -> i64 {
    manifest.iter().filter(|m| m.2 == "ok").map(|m| &m.1).collect::<std::collections::HashSet<_>>().len() as i64
}

fn dead(manifest: &Manifest) -> usize {
    manifest.iter().filter(|m| m.2 != "ok" && m.2 != "duplicate").count()
}

/// Waits until everything in `manifest` is stored, dead-lettered and acknowledged.
fn wait_for_all(env: &TestEnv, manifest: &Manifest) {
    let (rows, letters) = (valid(manifest), dead(manifest));
    wait_until(LIMIT, "every entry handled", env, || {
        env.ledger_rows() == rows && env.dlq_entries().len() == letters && env.pending() == 0
    });
}

/// Creates the database, so the harness can count rows from the run's first moment.
fn migrate(env: &TestEnv) {
    let out = env.output(&["migrate"]);
    assert!(out.status.success(), "migrate: {}", String::from_utf8_lossy(&out.stderr));
}

fn log(env: &TestEnv) -> String {
    std::fs::read_to_string(env.dir.join("run.log")).unwrap_or_default()
}

#[test]
fn redis_killed_and_restarted_with_its_append_only_file_loses_and_doubles_nothing() {
    let mut env = TestEnv::new("fault_redis_aof");
    let mut redis = PrivateRedis::start_with(&env.dir, RedisSetup { persistent: true, ..RedisSetup::default() });
    env.redis_url = redis.url.clone();
    migrate(&env);
    let mut manifest =
        env.emit(&["--count", "60000", "--invalid-ratio", "0.01", "--duplicate-ratio", "0.01", "--seed", "31"]);
    let mut run = env.spawn_run(&["--workers", "2"], &[]);
    wait_until(LIMIT, "the first rows", &env, || env.ledger_rows() > 0);
    let stored_before = env.ledger_rows();
    redis.kill();
    std::thread::sleep(Duration::from_secs(2));
    redis.restart();
    manifest.extend(env.emit(&["--count", "5000", "--invalid-ratio", "0.02", "--seed", "32"]));
    wait_for_all(&env, &manifest);
    let status = terminate(&mut run, LIMIT);
    assert!(status.success(), "run exited with {status}; log:\n{}", env.log_tail());
    env.assert_exactly_once(&manifest);
    assert!(stored_before < valid(&manifest), "Redis was killed only after the run had finished");
    assert!(log(&env).contains("retrying"), "the outage went unnoticed:\n{}", env.log_tail());
}

/// Copies the entries of `from` to `to` with the explicit ids `1-1`, `1-2`, …, lower than any
/// id Redis generated before; returns the manifest with the new ids.
fn republish_with_low_ids(env: &TestEnv, from: &str, to: &str, manifest: Manifest) -> Manifest {
    let mut con = env.redis();
    let entries: redis::streams::StreamRangeReply =
        redis::cmd("XRANGE").arg(from).arg("-").arg("+").query(&mut con).expect("XRANGE");
    let mut new_ids = HashMap::new();
    for (i, entry) in entries.ids.iter().enumerate() {
        let id = format!("1-{}", i + 1);
        let mut cmd = redis::cmd("XADD");
        cmd.arg(to).arg(&id);
        for (field, value) in &entry.map {
            cmd.arg(field).arg(redis::from_redis_value::<Vec<u8>>(value.clone()).expect("a field's bytes"));
        }
        let _: String = cmd.query(&mut con).expect("XADD with a low id");
        new_ids.insert(entry.id.clone(), id);
    }
    let _: i64 = redis::cmd("DEL").arg(from).query(&mut con).expect("DEL");
    manifest.into_iter().map(|(id, event, expect)| (new_ids.get(&id).cloned().unwrap_or(id), event, expect)).collect()
}

#[test]
fn redis_restarted_without_persistence_is_a_loud_reset_and_new_entries_are_all_read() {
    let mut env = TestEnv::new("fault_redis_reset");
    let mut redis = PrivateRedis::start(&env.dir);
    env.redis_url = redis.url.clone();
    migrate(&env);
    let first = env.emit(&["--count", "3000", "--seed", "41"]);
    let mut run = env.spawn_run(&["--workers", "2"], &[]);
    let addr = env.server_addr(1);
    wait_for_all(&env, &first);

    // Redis comes back empty: the stream, its group and the DLQ are gone.
    redis.restart();
    wait_until(LIMIT, "the group created again", &env, || log(&env).contains("the stream was reset"));
    // New entries with ids lower than any read before (as after a reset with a producer
    // that sets its own ids): none may be skipped.
    let scratch = format!("{}.scratch", env.stream);
    let second = env
        .command(&["emit", "--count", "3000", "--invalid-ratio", "0.02", "--seed", "42", "--manifest"])
        .arg(env.dir.join("second.ndjson"))
        .env("AUDITFLOW_STREAM", &scratch)
        .output()
        .expect("emit");
    assert!(second.status.success(), "{}", String::from_utf8_lossy(&second.stderr));
    let second: Manifest = std::fs::read_to_string(env.dir.join("second.ndjson"))
        .expect("manifest")
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("line");
            let field = |k: &str| v[k].as_str().expect("field").to_owned();
            (field("stream_id"), field("event_id"), field("expect"))
        })
        .collect();
    let second = republish_with_low_ids(&env, &scratch, &env.stream, second);
    let mut all = first.clone();
    all.extend(second.iter().cloned());
    // The DLQ was lost with the reset; what is in it now is the second batch's.
    let (rows, letters) = (valid(&all), dead(&second));
    wait_until(LIMIT, "the second batch handled", &env, || {
        env.ledger_rows() == rows && env.dlq_entries().len() == letters && env.pending() == 0
    });

    // Said loudly: the log (above), the metric and /readyz.
    let (_, metrics) = http_get(&addr, "/metrics", &[]);
    assert!(sum_of(&parse_metrics(&metrics), "auditflow_stream_resets_total") >= 1.0, "no reset counted");
    let (status, body) = http_get(&addr, "/readyz", &[]);
    assert_eq!(status, 503, "/readyz after a reset: {body}");
    let checks: serde_json::Value = serde_json::from_str(&body).expect("readyz json");
    let reset = checks["checks"].as_array().expect("checks").iter().find(|c| c["name"] == "stream_reset").cloned();
    assert_eq!(reset.as_ref().map(|c| c["ok"].clone()), Some(serde_json::json!(false)), "{body}");

    let status = terminate(&mut run, LIMIT);
    assert!(status.success(), "run exited with {status}; log:\n{}", env.log_tail());
    env.assert_exactly_once(&all);
}

#[test]
fn postgres_restarted_fast_then_immediate_under_load_loses_and_doubles_nothing() {
    let mut env = TestEnv::new("fault_pg_restart");
    let pg = PrivatePostgres::start(&env.dir, None);
    env.pg_server = pg.server();
    migrate(&env);
    let mut manifest =
        env.emit(&["--count", "80000", "--invalid-ratio", "0.01", "--duplicate-ratio", "0.01", "--seed", "51"]);
    let mut run = env.spawn_run(&["--workers", "2", "--export-max-delay-secs", "1"], &[]);
    wait_until(LIMIT, "the first rows", &env, || env.ledger_rows() > 0);
    pg.restart("fast");
    let after_fast = env.ledger_rows();
    wait_until(LIMIT, "progress after the fast restart", &env, || env.ledger_rows() > after_fast);
    pg.restart("immediate");
    manifest.extend(env.emit(&["--count", "5000", "--invalid-ratio", "0.02", "--seed", "52"]));
    wait_for_all(&env, &manifest);
    wait_until(LIMIT, "the archive caught up", &env, || env.export_caught_up());
    let status = terminate(&mut run, LIMIT);
    assert!(status.success(), "run exited with {status}; log:\n{}", env.log_tail());
    env.assert_exactly_once(&manifest);
    env.assert_export_verifies();
    assert!(after_fast < valid(&manifest), "Postgres was restarted only after the run had finished");
    assert!(log(&env).contains("ledger commit failed, retrying"), "the restarts went unnoticed:\n{}", env.log_tail());
}

/// A tmpfs of the test's own, unmounted on drop.
struct SmallDisk {
    path: std::path::PathBuf,
}

impl SmallDisk {
    fn mount(path: std::path::PathBuf, size: &str) -> Self {
        std::fs::create_dir_all(&path).expect("mount point");
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&path)
            .output()
            .expect("run mount");
        assert!(
            out.status.success(),
            "cannot mount a tmpfs (the tests run as root): {}",
            String::from_utf8_lossy(&out.stderr)
        );
        SmallDisk { path }
    }

    fn grow(&self, size: &str) {
        let out = std::process::Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.path)
            .output()
            .expect("run mount");
        assert!(out.status.success(), "cannot grow the tmpfs: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

#[test]
fn a_full_archive_disk_holds_the_export_back_not_ingest_and_no_partial_file_is_listed() {
    let mut env = TestEnv::new("fault_disk_full");
    let disk = SmallDisk::mount(env.dir.join("archive-disk"), "96k");
    env.export_url = format!("file://{}", disk.path.display());
    let config = env.dir.join("auditflow.toml");
    std::fs::write(&config, "[export]\ntarget_segment_rows = 2000\n").expect("config");
    let config = config.to_str().expect("utf8").to_owned();
    migrate(&env);
    let manifest =
        env.emit(&["--count", "30000", "--invalid-ratio", "0.01", "--duplicate-ratio", "0.01", "--seed", "61"]);
    let mut run = env.spawn_run(&["--config", &config, "--export-max-delay-secs", "1"], &[]);
    let addr = env.server_addr(1);

    // Ingest goes on while the archive's disk is full.
    wait_for_all(&env, &manifest);
    wait_until(LIMIT, "the export noticing the full disk", &env, || log(&env).contains("export step failed"));
    assert!(!env.export_caught_up(), "the whole archive cannot fit in 96 KiB");
    // What the AuditExportBacklog alert watches rises while the export waits.
    wait_until(LIMIT, "the export backlog metric rising", &env, || {
        let (_, metrics) = http_get(&addr, "/metrics", &[]);
        sum_of(&parse_metrics(&metrics), "caracal_audit_export_backlog_seconds") >= 3.0
    });

    disk.grow("64m");
    wait_until(LIMIT, "the export catching up", &env, || env.export_caught_up());
    let status = terminate(&mut run, LIMIT);
    assert!(status.success(), "run exited with {status}; log:\n{}", env.log_tail());
    env.assert_exactly_once(&manifest);
    // Every file a manifest lists is whole (hashes checked) and the archive equals the ledger.
    env.assert_export_verifies();
    env.assert_archive_matches_ledger(&disk.path);
}

/// Resident memory of a process, in MiB.
fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

/// What a slow phase showed: the most entries in flight, the largest lag, the mean commit
/// time, the largest RSS.
#[derive(Debug, Default)]
struct SlowPhase {
    max_pending: f64,
    max_lag: f64,
    mean_commit_secs: f64,
    max_rss_mib: f64,
}

fn watch(addr: &str, pid: u32, phase: Duration) -> SlowPhase {
    let mut seen = SlowPhase::default();
    let started = Instant::now();
    while started.elapsed() < phase {
        let (_, text) = http_get(addr, "/metrics", &[]);
        let metrics = parse_metrics(&text);
        seen.max_pending = seen.max_pending.max(sum_of(&metrics, "auditflow_consumer_pending"));
        seen.max_lag = seen.max_lag.max(sum_of(&metrics, "caracal_audit_consumer_lag"));
        let (sum, count) = (
            sum_of(&metrics, "auditflow_sink_commit_seconds_sum"),
            sum_of(&metrics, "auditflow_sink_commit_seconds_count"),
        );
        if count > 0.0 {
            seen.mean_commit_secs = sum / count;
        }
        seen.max_rss_mib = seen.max_rss_mib.max(rss_mib(pid));
        std::thread::sleep(Duration::from_millis(500));
    }
    seen
}

#[test]
fn a_slow_database_then_a_slow_redis_hold_memory_to_the_in_flight_limits_and_show_in_the_metrics() {
    let mut env = TestEnv::new("fault_slow_link");
    let pg = crate::common::proxy::CuttableProxy::start(5432);
    let redis = crate::common::proxy::CuttableProxy::start(6379);
    env.extra_env
        .push(("AUDITFLOW_DATABASE_URL".into(), format!("postgres://postgres@127.0.0.1:{}/{}", pg.port, env.database)));
    env.extra_env.push(("AUDITFLOW_REDIS_URL".into(), format!("redis://127.0.0.1:{}", redis.port)));
    migrate(&env);
    let manifest =
        env.emit(&["--count", "60000", "--invalid-ratio", "0.01", "--duplicate-ratio", "0.01", "--seed", "71"]);
    let (workers, in_flight) = (2.0, 1000.0);

    // 40 ms each way on the database's link: commits slow down, the backlog waits in Redis.
    pg.delay(40);
    let mut run = env.spawn_run(&["--workers", "2", "--max-in-flight", "1000"], &[]);
    let addr = env.server_addr(1);
    let slow_db = watch(&addr, run.id(), Duration::from_secs(20));
    assert!(slow_db.max_pending <= workers * in_flight, "more in flight than the limits allow: {slow_db:?}");
    assert!(
        slow_db.max_lag > 0.0,
        "the lag gauge (CaracalAuditConsumerLagHigh's input) never showed the backlog: {slow_db:?}"
    );
    assert!(slow_db.mean_commit_secs >= 0.04, "the commit latency does not show the slow link: {slow_db:?}");
    assert!(env.ledger_rows() < valid(&manifest), "the slow database did not hold the run back: {slow_db:?}");

    // Then 40 ms on Redis's link instead.
    pg.delay(0);
    redis.delay(40);
    let slow_redis = watch(&addr, run.id(), Duration::from_secs(10));
    assert!(slow_redis.max_pending <= workers * in_flight, "more in flight than the limits allow: {slow_redis:?}");
    redis.delay(0);

    wait_for_all(&env, &manifest);
    let status = terminate(&mut run, LIMIT);
    assert!(status.success(), "run exited with {status}; log:\n{}", env.log_tail());
    env.assert_exactly_once(&manifest);
    // Memory stays that of a pipeline holding its in-flight window, not the 60 000-entry
    // backlog: the figures go to the test's output for docs/reliability.md.
    eprintln!("slow database: {slow_db:?}\nslow redis: {slow_redis:?}");
    assert!(slow_db.max_rss_mib < 250.0 && slow_redis.max_rss_mib < 250.0, "{slow_db:?} {slow_redis:?}");
}

#[test]
fn a_database_link_that_stops_answering_turns_healthz_503_and_once_healed_nothing_is_lost_or_doubled() {
    let mut env = TestEnv::new("fault_half_open");
    let pg = crate::common::proxy::CuttableProxy::start(5432);
    env.extra_env
        .push(("AUDITFLOW_DATABASE_URL".into(), format!("postgres://postgres@127.0.0.1:{}/{}", pg.port, env.database)));
    migrate(&env);
    let first = env.emit(&["--count", "3000", "--invalid-ratio", "0.02", "--seed", "81"]);
    let stall_secs = 5;
    let mut run = env.spawn_run(&["--workers", "2", "--healthz-stall-secs", &stall_secs.to_string()], &[]);
    let addr = env.server_addr(1);
    wait_for_all(&env, &first);
    assert_eq!(http_get(&addr, "/healthz", &[]).0, 200, "an idle pipeline is alive");

    // The link dies without a reset, then more work arrives: the commits wait on a
    // connection that never answers, and the frontier stops.
    pg.freeze();
    let frozen_at = Instant::now();
    let second = env.emit(&["--count", "3000", "--invalid-ratio", "0.02", "--seed", "82"]);
    let mut said = String::new();
    wait_until(Duration::from_secs(60), "/healthz 503 while the database link is frozen", &env, || {
        let (status, body) = http_get(&addr, "/healthz", &[]);
        said = body;
        status == 503
    });
    assert!(
        frozen_at.elapsed() >= Duration::from_secs(stall_secs),
        "503 before the stall time ({:?}): {said}",
        frozen_at.elapsed()
    );
    assert!(said.contains("stalled") && said.contains("healthz_stall_secs = 5"), "{said}");
    assert_eq!(http_get(&addr, "/health", &[]).0, 503, "Caracal's /health says the same");
    wait_until(Duration::from_secs(30), "the stall in the log", &env, || {
        log(&env).contains("stalled: the committed frontier has not moved")
    });

    // Healed: the held bytes arrive, the frontier moves, the probe is green again, and
    // every entry of both batches is stored or dead-lettered once.
    pg.thaw();
    wait_until(LIMIT, "/healthz ok after the link heals", &env, || http_get(&addr, "/healthz", &[]).0 == 200);
    let all: Manifest = first.into_iter().chain(second).collect();
    wait_for_all(&env, &all);
    let status = terminate(&mut run, LIMIT);
    assert!(status.success(), "run exited with {status}; log:\n{}", env.log_tail());
    env.assert_exactly_once(&all);
}
