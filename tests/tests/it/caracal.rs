//! auditflow in Caracal's place (issue 17): Caracal's Helm chart probes `/health` (startup,
//! liveness) and `/ready` (readiness) and scrapes `/metrics` with its bearer. Over real HTTP
//! against a running pipeline, each readiness reason is brought about in turn, and `/ready`
//! names it as Caracal's service would.

use crate::common::servers::PrivateRedis;
use crate::common::{http_get, http_request, json_of, kill9, parse_metrics, sum_of, terminate, TestEnv};
use std::process::Command;
use std::time::{Duration, Instant};

/// `/ready`'s status and reason (`None` when ready).
fn ready(addr: &str) -> (u16, Option<String>) {
    let (status, body) = http_get(addr, "/ready", &[]);
    let json: serde_json::Value =
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("/ready answered {status} with no JSON ({e}): {body}"));
    if status == 200 {
        assert_eq!(json, serde_json::json!({ "ready": true }), "a ready body as Caracal's");
        (status, None)
    } else {
        assert_eq!(json["ok"], false, "{body}");
        assert_eq!(json["ready"], false, "{body}");
        (status, json["reason"].as_str().map(str::to_owned))
    }
}

/// Waits (bounded) until `/ready` names `reason` (`None`: ready).
fn wait_for_ready(env: &TestEnv, addr: &str, reason: Option<&str>, limit: Duration) {
    let started = Instant::now();
    let mut last = (0, None);
    while started.elapsed() < limit {
        last = ready(addr);
        if last.1.as_deref() == reason {
            let expected = if reason.is_none() { 200 } else { 503 };
            assert_eq!(last.0, expected, "status for {reason:?}");
            return;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
    panic!("/ready never said {reason:?} in {limit:?} (last {last:?}); log:\n{}", env.log_tail());
}

#[test]
fn caracal_probes_answer_and_ready_names_each_reason_in_turn() {
    let mut env = TestEnv::new("caracal_probes");
    let redis = PrivateRedis::start(&env.dir);
    env.extra_env.push(("AUDITFLOW_REDIS_URL".into(), redis.url.clone()));
    let gates = [
        ("METRICS_BEARER", "bearer-of-the-metrics"),
        ("AUDIT_READY_DLQ_MAX", "5"),
        ("AUDIT_READY_LAG_MAX", "50"),
        ("AUDIT_READY_PEL_OLDEST_SECS_MAX", "3"),
    ];
    let mut run = env.spawn_run(&["--workers", "1", "--max-in-flight", "100"], &gates);
    let addr = env.server_addr(1);

    // Started: `/health` answers 200 with an empty body, `/ready` is ready.
    let started = Instant::now();
    while http_get(&addr, "/health", &[]).0 != 200 {
        assert!(started.elapsed() < Duration::from_secs(60), "/health never healthy; log:\n{}", env.log_tail());
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(http_get(&addr, "/health", &[]).1, "", "Caracal's healthy /health has no body");
    wait_for_ready(&env, &addr, None, Duration::from_secs(30));

    // Without AUDIT_ADMIN_TOKEN, Caracal's admin API does not exist.
    assert_eq!(http_get(&addr, "/api/audit/dlq", &[]).0, 404);

    // The metrics bearer, as Caracal's.
    assert_eq!(http_get(&addr, "/metrics", &[]), (401, "unauthorized\n".to_owned()));
    assert_eq!(http_get(&addr, "/metrics", &[("Authorization", "Bearer wrong")]).0, 401);
    let (status, text) = http_get(&addr, "/metrics", &[("Authorization", "Bearer bearer-of-the-metrics")]);
    assert_eq!(status, 200);
    assert!(text.contains("caracal_audit_dlq_size"), "{text}");
    // /metrics.json: the same bearer, Caracal's keys, the values of the scrape.
    assert_eq!(http_get(&addr, "/metrics.json", &[]).0, 401);
    let bearer = [("Authorization", "Bearer bearer-of-the-metrics")];
    let (status, keys) = json_of(http_get(&addr, "/metrics.json", &bearer));
    assert_eq!(status, 200);
    let scraped = parse_metrics(&http_get(&addr, "/metrics", &bearer).1);
    assert_eq!(keys["inserts_total"].as_f64(), Some(sum_of(&scraped, "caracal_audit_inserts_total")), "{keys}");
    for key in ["dlq_size", "consumer_lag", "consumer_pel_oldest_secs", "tamper_mismatch_total", "hmac_failures_total"]
    {
        assert!(keys[key].is_i64(), "{key} in {keys}");
    }

    // Commits blocked: the ledger table is locked by a transaction of the test's own.
    let blocker = env.pg();
    env.runtime
        .block_on(blocker.batch_execute("BEGIN; LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE"))
        .expect("lock the ledger");
    // A few entries, well within the worker's in-flight budget: delivered, never
    // acknowledged, older and older.
    env.emit(&["--count", "30", "--seed", "171"]);
    wait_for_ready(&env, &addr, Some("audit_pel_oldest_threshold"), Duration::from_secs(30));
    // More wait undelivered: the lag gate comes before the pending-age gate.
    env.emit(&["--count", "500", "--seed", "172"]);
    wait_for_ready(&env, &addr, Some("audit_lag_threshold"), Duration::from_secs(30));
    // Nothing commits for a minute: the consumer is unhealthy, first of all reasons.
    let stalled = Instant::now();
    while http_get(&addr, "/health", &[]).0 != 503 {
        assert!(stalled.elapsed() < Duration::from_secs(120), "/health never unhealthy; log:\n{}", env.log_tail());
        std::thread::sleep(Duration::from_millis(500));
    }
    let (_, body) = http_get(&addr, "/health", &[]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).expect("json"),
        serde_json::json!({ "ok": false, "ready": false, "reason": "consumer_unhealthy" })
    );
    wait_for_ready(&env, &addr, Some("consumer_unhealthy"), Duration::from_secs(5));

    // Unblocked: everything commits and the pipeline is ready again.
    env.runtime.block_on(blocker.batch_execute("ROLLBACK")).expect("unlock");
    wait_for_ready(&env, &addr, None, Duration::from_secs(60));
    assert_eq!(env.ledger_rows(), 530, "every event once");

    // Dead letters past the gate.
    env.emit(&["--count", "10", "--seed", "173", "--invalid-ratio", "1"]);
    wait_for_ready(&env, &addr, Some("audit_dlq_threshold"), Duration::from_secs(30));

    // The ledger's database refuses connections: Postgres is unreachable.
    let admin = env.admin_pg();
    let close = format!(
        "ALTER DATABASE \"{db}\" ALLOW_CONNECTIONS false; \
         SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}' AND pid <> pg_backend_pid()",
        db = env.database
    );
    env.runtime.block_on(admin.batch_execute(&close)).expect("close the database");
    wait_for_ready(&env, &addr, Some("postgres_unreachable"), Duration::from_secs(30));
    let open = format!("ALTER DATABASE \"{}\" ALLOW_CONNECTIONS true", env.database);
    env.runtime.block_on(admin.batch_execute(&open)).expect("reopen the database");
    wait_for_ready(&env, &addr, Some("audit_dlq_threshold"), Duration::from_secs(60));

    // Redis goes away.
    drop(redis);
    wait_for_ready(&env, &addr, Some("redis_unreachable"), Duration::from_secs(30));
    assert_eq!(env.ledger_rows(), 530, "nothing lost or doubled across the outages");
    kill9(&mut run);
}

/// A producer key auditflow does not have at first.
const OTHER_KEY: &str = "6f746865726b65796f746865726b65796f746865726b65796f746865726b6579";

#[test]
fn caracal_dlq_api_lists_shows_and_replays_behind_the_admin_token() {
    let env = TestEnv::new("caracal_dlq_api");
    let valid = env.emit(&["--count", "300", "--seed", "181"]);
    let out = env
        .command(&["emit", "--count", "40", "--seed", "182"])
        .env("AUDIT_HMAC_KEY", OTHER_KEY)
        .output()
        .expect("emit");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = [("AUDIT_ADMIN_TOKEN", "admin-secret")];
    let mut run = env.spawn_run(&[], &token);
    let addr = env.server_addr(1);
    let started = Instant::now();
    while !(env.ledger_rows() == valid.len() as i64 && env.dlq_entries().len() == 40) {
        assert!(started.elapsed() < Duration::from_secs(120), "not drained; log:\n{}", env.log_tail());
        std::thread::sleep(Duration::from_millis(200));
    }
    let admin = [("Authorization", "Bearer admin-secret")];

    // The token, as Caracal checks it.
    assert_eq!(http_get(&addr, "/api/audit/dlq", &[]), (401, "unauthorized\n".to_owned()));
    assert_eq!(http_get(&addr, "/api/audit/dlq", &[("Authorization", "Bearer wrong")]).0, 401);
    assert_eq!(http_get(&addr, "/api/audit/dlq", &[("Authorization", "admin-secret")]).0, 200, "a bare token");
    for bad in ["abc", "0", "-3"] {
        let refused = http_get(&addr, &format!("/api/audit/dlq?limit={bad}"), &admin);
        assert_eq!(refused, (400, "limit must be a positive integer\n".to_owned()), "limit={bad}");
    }

    // A page, its cursor (inclusive, as Caracal's), and each entry's keys.
    let (status, page) = json_of(http_get(&addr, "/api/audit/dlq?limit=15", &admin));
    assert_eq!(status, 200);
    let entries = page["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 15);
    let next = page["next_cursor"].as_str().expect("cursor");
    assert_eq!(entries[14]["id"], next);
    for e in entries {
        assert_eq!(e["reason"], "hmac_verify_failed", "{e}");
        assert_eq!(e["replayable"], false, "the key is still unknown: {e}");
        for key in ["id", "event_id", "zone_id", "event_type", "source_sig", "received_at"] {
            assert!(e[key].as_str().is_some_and(|v| !v.is_empty()), "{key} in {e}");
        }
        assert!(e["age_seconds"].as_i64().is_some_and(|a| a >= 0), "{e}");
    }
    let (_, from_next) = json_of(http_get(&addr, &format!("/api/audit/dlq?start={next}&limit=5"), &admin));
    assert_eq!(from_next["entries"][0]["id"], next, "start is inclusive");
    let (_, all) = json_of(http_get(&addr, "/api/audit/dlq?limit=5000", &admin));
    assert_eq!(all["entries"].as_array().expect("entries").len(), 40);

    // One entry in full.
    let id = entries[0]["id"].as_str().expect("id");
    let (status, shown) = json_of(http_get(&addr, &format!("/api/audit/dlq/{id}"), &admin));
    assert_eq!(status, 200);
    assert_eq!(shown["source_event"]["id"], entries[0]["event_id"]);
    assert_eq!(shown["fields"]["reason"], "hmac_verify_failed");
    assert!(shown["fields"]["src_data"].as_str().is_some_and(|d| d.contains("zone_id")), "{shown}");
    assert_eq!(http_get(&addr, "/api/audit/dlq/0-1", &admin), (404, "404 page not found\n".to_owned()));

    // The key is added; the replay re-publishes each entry once and the ledger takes it once.
    assert!(terminate(&mut run, Duration::from_secs(120)).success());
    let keyring = env.keyring_with_partner(OTHER_KEY);
    let ring = ("AUDITFLOW_KEYRING_FILE", keyring.as_str());
    let mut run = env.spawn_run(&[], &[token[0], ring]);
    let addr = env.server_addr(2);
    let (_, page) = json_of(http_get(&addr, "/api/audit/dlq?limit=3", &admin));
    assert!(page["entries"].as_array().expect("entries").iter().all(|e| e["replayable"] == true), "{page}");
    let (status, report) = json_of(http_request("POST", &addr, "/api/audit/dlq/replay?limit=1000", &admin, ""));
    assert_eq!(status, 200);
    assert_eq!(report, serde_json::json!({ "scanned": 40, "replayed": 40, "skipped": 0 }));
    let started = Instant::now();
    while env.ledger_rows() != (valid.len() + 40) as i64 {
        assert!(started.elapsed() < Duration::from_secs(120), "replayed events not stored; log:\n{}", env.log_tail());
        std::thread::sleep(Duration::from_millis(200));
    }
    let doubled = env.query("SELECT id FROM audit_events GROUP BY id HAVING count(*) > 1");
    assert!(doubled.is_empty(), "no event twice");
    assert!(env.dlq_entries().is_empty(), "replayed entries leave the DLQ");
    let (_, again) = json_of(http_request("POST", &addr, "/api/audit/dlq/replay", &admin, ""));
    assert_eq!(again, serde_json::json!({ "scanned": 0, "replayed": 0, "skipped": 0 }));
    assert!(terminate(&mut run, Duration::from_secs(120)).success(), "log:\n{}", env.log_tail());
}

/// The families Caracal's four audit alerts read.
const ALERT_FAMILIES: [&str; 5] = [
    "caracal_audit_dlq_size",
    "caracal_audit_consumer_lag",
    "caracal_audit_tamper_mismatch_total",
    "caracal_audit_tamper_chain_breaks_total",
    "caracal_audit_tamper_hmac_failures_total",
];

/// Scrapes taken per phase of the run; in the rules test each scrape is one minute.
const PER_PHASE: usize = 12;

fn scrape(addr: &str) -> Vec<f64> {
    let (status, text) = http_get(addr, "/metrics", &[]);
    assert_eq!(status, 200);
    let metrics = parse_metrics(&text);
    ALERT_FAMILIES.iter().map(|family| sum_of(&metrics, family)).collect()
}

/// Scrapes until `done` holds of the last scrape (bounded), without keeping them.
fn scrape_until(env: &TestEnv, addr: &str, what: &str, done: impl Fn(&[f64]) -> bool) {
    let started = Instant::now();
    while !done(&scrape(addr)) {
        assert!(started.elapsed() < Duration::from_secs(90), "never saw {what}; log:\n{}", env.log_tail());
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn caracals_four_alert_rules_fire_on_real_scrapes_when_they_should_and_only_then() {
    let env = TestEnv::new("caracal_alerts");
    env.emit(&["--count", "300", "--seed", "191"]);
    let args = ["--workers", "1", "--max-in-flight", "100", "--tamper-sweep-interval-secs", "1"];
    let mut run = env.spawn_run(&args, &[]);
    let addr = env.server_addr(1);
    let started = Instant::now();
    while env.ledger_rows() != 300 || env.pending() != 0 {
        assert!(started.elapsed() < Duration::from_secs(120), "not drained; log:\n{}", env.log_tail());
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut samples: Vec<Vec<f64>> = Vec::new();
    let pause = || std::thread::sleep(Duration::from_millis(300));
    // Minutes 0-11: all quiet.
    for _ in 0..PER_PHASE {
        samples.push(scrape(&addr));
        pause();
    }
    // 12-23: the DLQ grows before every scrape.
    for n in 0..PER_PHASE {
        let before = samples.last().map_or(0.0, |s| s[0]);
        env.emit(&["--count", "3", "--seed", &(200 + n).to_string(), "--invalid-ratio", "1"]);
        scrape_until(&env, &addr, "the DLQ grow", |s| s[0] > before);
        samples.push(scrape(&addr));
    }
    // 24-35: the DLQ stays as it is.
    for _ in 0..PER_PHASE {
        samples.push(scrape(&addr));
        pause();
    }
    // 36-47: a row is rewritten; the next sweep finds it, once.
    env.tamper("UPDATE audit_events SET zone_id = zone_id || '-x' WHERE id = (SELECT min(id) FROM audit_events)");
    scrape_until(&env, &addr, "the tamper finding", |s| s[2] + s[3] + s[4] > 0.0);
    for _ in 0..PER_PHASE {
        samples.push(scrape(&addr));
        pause();
    }
    // 48-59: commits blocked and 2000 entries waiting undelivered.
    let blocker = env.pg();
    env.runtime
        .block_on(blocker.batch_execute("BEGIN; LOCK TABLE audit_events IN ACCESS EXCLUSIVE MODE"))
        .expect("lock the ledger");
    env.emit(&["--count", "2000", "--seed", "192"]);
    scrape_until(&env, &addr, "a lag over 1000", |s| s[1] > 1000.0);
    for _ in 0..PER_PHASE {
        samples.push(scrape(&addr));
        pause();
    }
    env.runtime.block_on(blocker.batch_execute("ROLLBACK")).expect("unlock");
    kill9(&mut run);

    // The scrapes as promtool input series, one minute apart, and what must fire when.
    let series: String = ALERT_FAMILIES
        .iter()
        .enumerate()
        .map(|(i, family)| {
            let values: Vec<String> = samples.iter().map(|s| s[i].to_string()).collect();
            format!("      - series: '{family}'\n        values: '{}'\n", values.join(" "))
        })
        .collect();
    let alert = |name: &str, severity: &str, at: usize, firing: bool| {
        let expected = if firing {
            format!("\n          - exp_labels: {{severity: {severity}, component: audit}}")
        } else {
            " []".to_owned()
        };
        format!("      - eval_time: {at}m\n        alertname: {name}\n        exp_alerts:{expected}\n")
    };
    let (dlq_non_empty, dlq_growth, lag, tamper) = (
        |at, f| alert("CaracalAuditDLQNonEmpty", "warning", at, f),
        |at, f| alert("CaracalAuditDLQGrowth", "critical", at, f),
        |at, f| alert("CaracalAuditConsumerLagHigh", "warning", at, f),
        |at, f| alert("CaracalAuditTamperDetected", "critical", at, f),
    );
    let expectations = [
        // Quiet: nothing.
        dlq_non_empty(11, false),
        dlq_growth(11, false),
        lag(11, false),
        tamper(11, false),
        // Growing: both DLQ alerts, nothing else.
        dlq_non_empty(23, true),
        dlq_growth(23, true),
        lag(23, false),
        tamper(23, false),
        // Stable: non-empty still, growth no longer.
        dlq_non_empty(35, true),
        dlq_growth(35, false),
        tamper(35, false),
        // The tamper finding fires at once, and falls silent once it is 5 minutes old.
        tamper(37, true),
        tamper(47, false),
        lag(47, false),
        // The lag, held for 5 minutes.
        lag(59, true),
        tamper(59, false),
    ]
    .concat();
    let rules = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/caracal-audit-rules.yml");
    let test = format!(
        "rule_files:\n  - {}\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n{series}    alert_rule_test:\n{expectations}",
        rules.display()
    );
    let file = env.dir.join("caracal-alerts.test.yml");
    std::fs::write(&file, &test).expect("write the rules test");
    let out =
        Command::new(crate::common::promtool()).args(["test", "rules"]).arg(&file).output().expect("run promtool");
    assert!(
        out.status.success(),
        "promtool test rules failed:\n{}{}\n{test}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A database holding an `audit_events` that is neither auditflow's nor Caracal's is a
/// configuration problem that names what was found (exit 2), never "unreachable" (exit 3),
/// and no row is touched. (Caracal's own ledger is adopted: tests/adopt.rs.)
#[test]
fn migrate_on_a_database_with_a_foreign_audit_events_is_exit_2_saying_what_was_found() {
    let env = TestEnv::new("caracal_foreign");
    let admin = env.admin_pg();
    env.runtime.block_on(admin.batch_execute(&format!("CREATE DATABASE \"{}\"", env.database))).expect("create");
    let other = env.pg();
    env.runtime
        .block_on(other.batch_execute(
            "CREATE TABLE audit_events (id text NOT NULL, zone_id text NOT NULL, event_type text NOT NULL, \
               occurred_at timestamptz NOT NULL, payload text, PRIMARY KEY (id, occurred_at)); \
             INSERT INTO audit_events (id, zone_id, event_type, occurred_at, payload) \
               VALUES ('evt-1', 'zone-1', 'token_exchange', '2026-11-01T00:00:00Z', 'ab')",
        ))
        .expect("a foreign ledger");
    let out = env.output(&["migrate"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    for needle in ["AUDITFLOW_DATABASE_URL", "audit_events", "cannot adopt", "Caracal"] {
        assert!(stderr.contains(needle), "{needle} in: {stderr}");
    }
    let rows = env.query("SELECT id, payload FROM audit_events");
    assert_eq!(rows.len(), 1, "the existing row stays");
    assert_eq!((rows[0].get::<_, String>(0), rows[0].get::<_, String>(1)), ("evt-1".to_owned(), "ab".to_owned()));
}

/// Caracal's `GET /api/audit/search` over a running pipeline: its token, its parameters and
/// their silent defaults, its limits, its keys, and a zone paged by `chain_seq` cursor from
/// first row to last, each row once, in position order.
#[test]
fn caracal_search_pages_a_zone_by_chain_seq_with_caracals_keys_and_limits() {
    let env = TestEnv::new("caracal_search");
    let published = env.emit(&["--count", "2500", "--zones", "2", "--invalid-ratio", "0", "--seed", "191"]);
    let mut run = env.spawn_run(&[], &[("AUDIT_ADMIN_TOKEN", "admin-secret")]);
    let addr = env.server_addr(1);
    let started = Instant::now();
    while env.ledger_rows() < published.len() as i64 {
        assert!(started.elapsed() < Duration::from_secs(120), "not drained; log:\n{}", env.log_tail());
        std::thread::sleep(Duration::from_millis(200));
    }
    let admin = [("Authorization", "Bearer admin-secret")];
    assert_eq!(http_get(&addr, "/api/audit/search?zone_id=zone-1", &[]), (401, "unauthorized\n".to_owned()));
    assert_eq!(http_get(&addr, "/api/audit/search", &admin), (400, "zone_id is required\n".to_owned()));
    let (status, empty) = json_of(http_get(&addr, "/api/audit/search?zone_id=no-such-zone", &admin));
    assert_eq!((status, empty), (200, serde_json::json!({ "events": null, "next_cursor": "" })));

    // The zone's rows, every time (the generator's events fall within the default 24 hours
    // only when they are recent; give the window explicitly).
    let window = "since=2000-01-01T00:00:00Z&until=2100-01-01T00:00:00Z";
    let zone_rows: i64 = env.query("SELECT count(*) FROM audit_events WHERE zone_id = 'zone-1'")[0].get(0);
    assert!(zone_rows > 1000, "enough rows to page: {zone_rows}");
    // limit is capped at 1000, and a bad one is the default 100, as in Caracal.
    let (_, capped) =
        json_of(http_get(&addr, &format!("/api/audit/search?zone_id=zone-1&{window}&limit=5000"), &admin));
    assert_eq!(capped["events"].as_array().expect("events").len(), 1000);
    let (_, bad) =
        json_of(http_get(&addr, &format!("/api/audit/search?zone_id=zone-1&{window}&limit=x&cursor=y"), &admin));
    assert_eq!(bad["events"].as_array().expect("events").len(), 100);
    assert_eq!(bad["events"][0]["ChainSeq"], 1, "a bad cursor is no cursor");

    let mut cursor = String::new();
    let mut seqs = Vec::new();
    let mut pages = 0;
    loop {
        let (status, page) = json_of(http_get(
            &addr,
            &format!("/api/audit/search?zone_id=zone-1&{window}&limit=300&cursor={cursor}"),
            &admin,
        ));
        assert_eq!(status, 200);
        pages += 1;
        let Some(events) = page["events"].as_array() else {
            assert_eq!(page["next_cursor"], "", "no rows, no cursor");
            break;
        };
        for e in events {
            for key in ["Event", "IngestedAt", "ContentSHA256", "PrevContentSHA256", "ChainHMAC", "ChainSeq"] {
                assert!(e.get(key).is_some(), "{key} in {e}");
            }
            assert_eq!(e["Event"]["zone_id"], "zone-1");
            for key in ["id", "event_type", "request_id", "decision", "evaluation_status", "occurred_at"] {
                assert!(e["Event"].get(key).is_some(), "Event.{key} in {e}");
            }
            seqs.push(e["ChainSeq"].as_i64().expect("seq"));
        }
        let last = events.last().expect("a row")["ChainSeq"].as_i64().expect("seq");
        assert_eq!(
            page["next_cursor"],
            last.to_string(),
            "the cursor is the last row's position, even on a short page"
        );
        cursor = last.to_string();
        assert!(pages < 100, "paging does not end");
    }
    assert_eq!(seqs, (1..=zone_rows).collect::<Vec<_>>(), "every row of the zone once, in chain_seq order");
    // A decision filter and the default window (the generator's events are recent).
    let (_, denies) = json_of(http_get(
        &addr,
        &format!("/api/audit/search?zone_id=zone-1&{window}&decision=deny&limit=1000"),
        &admin,
    ));
    let want: i64 =
        env.query("SELECT count(*) FROM audit_events WHERE zone_id = 'zone-1' AND decision = 'deny'")[0].get(0);
    assert_eq!(denies["events"].as_array().map_or(0, Vec::len) as i64, want.min(1000));
    assert!(terminate(&mut run, Duration::from_secs(60)).success());
}
