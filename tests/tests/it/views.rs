//! The live views (SPEC §5) against real Redis and Postgres: the shared revocation scenario
//! published in several orders and batchings (and across restarts), also replayed days late
//! and with its revocations arriving after their accesses left memory; traces explained and
//! merged from late batches; and the incremental views equal to a from-scratch computation
//! over the ledger, also after a kill -9 and restart.

use crate::common::views::{stored_violations, violations_from_ledger};
use crate::common::{kill9, TestEnv};
use auditflow_schemas::view::{RequestTrace, StoredTrace, TraceSummary, ViewEvent};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(300);
/// Retention off: the scenario is also replayed 400 days in the past, which retention would
/// drop (and the views must not depend on the day the tests run).
const RUN: &[&str] = &["--retention-interval-secs", "0"];
/// Lateness and request gap of one second of event time: the scenario's events are ten
/// seconds apart, so in most orders every access has left memory, or arrives late, before
/// the revocation it concerns comes.
/// A second of lateness, gap and idleness: with the scenario's events 10 s apart, nearly
/// every access leaves memory before the next event, and every delegation tree retires
/// (its rows leave, its keys join the filter) before the next row on it arrives, so the
/// checks against the stored views and the ledger carry the results.
const LATE: &[&str] =
    &["--views-allowed-lateness-secs", "1", "--views-request-gap-secs", "1", "--views-session-idle-secs", "1"];

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures")
}

fn scenario() -> Vec<String> {
    let path = fixtures().join("revocation-scenario.ndjson");
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (../shared must sit beside the repository)", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect()
}

/// Signs and publishes events as a producer does.
fn publish(env: &TestEnv, lines: &[String]) {
    for line in lines {
        xadd(env, &env.stream, "*", line, &sign(line));
    }
}

fn sign(data: &str) -> String {
    let key = hex::decode(crate::common::HMAC_KEY).expect("hex key");
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key).expect("key");
    mac.update(data.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// XADD `data` and `sig` to `stream` at `id` (`*`: now); returns the entry id.
fn xadd(env: &TestEnv, stream: &str, id: &str, data: &str, sig: &str) -> String {
    redis::cmd("XADD")
        .arg(stream)
        .arg(id)
        .arg("data")
        .arg(data)
        .arg("sig")
        .arg(sig)
        .query(&mut env.redis())
        .expect("XADD")
}

fn drain(env: &TestEnv, extra: &[&str]) {
    env.run_until_drained(&[RUN, extra].concat(), LIMIT);
}

type Status = (String, String, i64, Vec<String>, Option<i64>);
type Breach = (String, String, String, i64);

fn time_us(t: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(t).expect("time").timestamp_micros()
}

fn expected() -> (Vec<Status>, Vec<Breach>) {
    let text = std::fs::read_to_string(fixtures().join("revocation-scenario.expected.json")).expect("expected");
    let want: serde_json::Value = serde_json::from_str(&text).expect("json");
    let mut statuses: Vec<Status> = want["revocations"]
        .as_array()
        .expect("revocations")
        .iter()
        .map(|r| {
            (
                r["revocation_event_id"].as_str().expect("id").to_owned(),
                r["root"].as_str().expect("root").to_owned(),
                time_us(r["revoked_at"].as_str().expect("at")),
                r["affected"].as_array().expect("affected").iter().map(|a| a.as_str().expect("s").to_owned()).collect(),
                r["first_deny_after"].as_str().map(time_us),
            )
        })
        .collect();
    statuses.sort();
    let mut breaches: Vec<Breach> = want["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| {
            (
                v["event_id"].as_str().expect("id").to_owned(),
                v["agent_session_id"].as_str().expect("agent").to_owned(),
                v["revocation_event_id"].as_str().expect("rev").to_owned(),
                v["lag_seconds"].as_i64().expect("lag") * 1000,
            )
        })
        .collect();
    breaches.sort();
    (statuses, breaches)
}

fn stored(env: &TestEnv) -> (Vec<Status>, Vec<Breach>) {
    let statuses = env
        .query(
            "SELECT revocation_event_id, root, revoked_at, affected, first_deny_after FROM revocation_propagation ORDER BY 1",
        )
        .iter()
        .map(|r| {
            let at: chrono::DateTime<chrono::Utc> = r.get(2);
            let deny: Option<chrono::DateTime<chrono::Utc>> = r.get(4);
            let mut affected: Vec<String> = r.get(3);
            affected.sort();
            (r.get(0), r.get(1), at.timestamp_micros(), affected, deny.map(|d| d.timestamp_micros()))
        })
        .collect();
    let breaches = env
        .query(
            "SELECT event_id, agent_session_id, revocation_event_id, lag_ms FROM revocation_violations ORDER BY 1, 3",
        )
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    (statuses, breaches)
}

/// [`assert_expected`] with the fixture's revocation ids replaced as `renamed` says.
fn assert_expected_renamed(env: &TestEnv, label: &str, renamed: &BTreeMap<String, String>) {
    assert_expected_shifted(env, label, renamed, 0);
}

/// [`assert_expected_renamed`] for the scenario moved `shift_us` in event time.
fn assert_expected_shifted(env: &TestEnv, label: &str, renamed: &BTreeMap<String, String>, shift_us: i64) {
    let (statuses, breaches) = stored(env);
    let rename = |id: String| renamed.get(&id).cloned().unwrap_or(id);
    let (want_statuses, want_breaches) = expected();
    let mut want_statuses: Vec<Status> = want_statuses
        .into_iter()
        .map(|(id, root, at, affected, deny)| (rename(id), root, at + shift_us, affected, deny.map(|d| d + shift_us)))
        .collect();
    want_statuses.sort();
    let mut want_breaches: Vec<Breach> =
        want_breaches.into_iter().map(|(event, agent, rev, lag)| (event, agent, rename(rev), lag)).collect();
    want_breaches.sort();
    assert_eq!(statuses, want_statuses, "{label}: revocation_propagation");
    assert_eq!(breaches, want_breaches, "{label}: revocation_violations");
}

/// The scenario's events moved `days` into the past (event time), as a producer's spool
/// replays them after an outage.
fn shifted(events: &[String], days: i64) -> Vec<String> {
    events
        .iter()
        .map(|line| {
            let mut e: serde_json::Value = serde_json::from_str(line).expect("json");
            let at = chrono::DateTime::parse_from_rfc3339(e["occurred_at"].as_str().expect("time")).expect("time")
                - chrono::Duration::days(days);
            e["occurred_at"] = serde_json::json!(at.to_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
            e.to_string()
        })
        .collect()
}

/// Publishes the scenario (moved `days` back) in every order and batching, each into its own
/// database and stream, runs with `extra` and checks the expected results.
fn each_order_and_batching(tag: &str, days: i64, extra: &[&str]) {
    let events = shifted(&scenario(), days);
    let shift_us = -days * 86_400_000_000;
    let check = |env: &TestEnv, label: &str| {
        assert_expected_shifted(env, &format!("{tag}: {label}"), &BTreeMap::new(), shift_us)
    };

    let env = TestEnv::new(&format!("{tag}_file_order"));
    publish(&env, &events);
    drain(&env, extra);
    check(&env, "file order, one run");
    let out = env.output(&["revocations", "--violations"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("rev-010") && text.contains("rev-013"), "the violations are listed:\n{text}");

    // Reversed, in three runs: the events split across epochs and restarts (hydration).
    let env = TestEnv::new(&format!("{tag}_reversed"));
    let reversed: Vec<String> = events.iter().rev().cloned().collect();
    for part in reversed.chunks(5) {
        publish(&env, part);
        drain(&env, extra);
    }
    check(&env, "reversed, three runs");
    if extra.contains(&"--views-session-idle-secs") {
        // Each run retired the trees idle at its end: the next run's rows on them were checked
        // against the stored views and the ledger, and still gave the expected results.
        assert!(checked_rows(&env) > 0, "{tag}: rows on retired trees were checked:\n{}", env.log_tail());
    }

    // Every violating allow first; the revocations and the graph arrive in a later run.
    let env = TestEnv::new(&format!("{tag}_revocation_last"));
    let (lifecycle, access): (Vec<String>, Vec<String>) =
        events.iter().cloned().partition(|l| l.contains("\"session_") || l.contains("\"delegation_"));
    publish(&env, &access);
    drain(&env, extra);
    publish(&env, &lifecycle);
    drain(&env, extra);
    check(&env, "access events first, lifecycle in a second run");

    // Shuffled, tiny reads and epochs: many epochs within one run.
    let env = TestEnv::new(&format!("{tag}_shuffled"));
    let mut shuffled = events.clone();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for i in (1..shuffled.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        shuffled.swap(i, (x % (i as u64 + 1)) as usize);
    }
    publish(&env, &shuffled);
    drain(&env, &[extra, &["--batch-size", "2", "--epoch-ms", "5"]].concat());
    check(&env, "shuffled, two entries per read");
}

#[test]
fn the_revocation_scenario_gives_the_expected_results_in_every_order_and_batching() {
    each_order_and_batching("views", 0, &[]);
}

#[test]
fn the_scenario_replayed_8_and_400_days_late_gives_the_same_results_with_one_second_of_lateness() {
    // A backfill or a spool replay: the events happened days ago and are published now. With
    // a second of allowed lateness nearly every access has left memory (or arrives behind
    // the watermark) before its revocation is seen, so the late path and the ledger look-up
    // carry the results.
    each_order_and_batching("views_8d", 8, LATE);
    each_order_and_batching("views_400d", 400, LATE);
}

/// Rows checked against the stored views and the ledger, over every run of `env`.
fn checked_rows(env: &TestEnv) -> u64 {
    let log = std::fs::read_to_string(env.dir.join("run.log")).unwrap_or_default();
    log.lines()
        .filter_map(|l| l.split("rows_checked=").nth(1))
        .filter_map(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// Access events in a zone of their own, `minutes` after the scenario in event time: they
/// move the views' clock on, so that the scenario's rows leave memory.
fn advance_clock(env: &TestEnv, after: &str, minutes: i64, count: &str) {
    let at = chrono::DateTime::parse_from_rfc3339(after).expect("time") + chrono::Duration::minutes(minutes);
    let start = at.to_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    env.emit(&[
        "--count",
        count,
        "--zone",
        "zone-filler",
        "--lifecycle-ratio",
        "0",
        "--revoked-access-ratio",
        "0",
        "--seed",
        &minutes.to_string(),
        "--start-time",
        &start,
    ]);
}

/// A field of the last run's "views hydrated" log lines, summed over its workers.
fn hydrated(env: &TestEnv, field: &str) -> i64 {
    let log = std::fs::read_to_string(env.dir.join("run.log")).unwrap_or_default();
    let runs: Vec<&str> = log.split("auditflow run starting").collect();
    let last = runs.last().copied().unwrap_or_default();
    let lines: Vec<&str> = last.lines().filter(|l| l.contains("views hydrated")).collect();
    assert!(!lines.is_empty(), "no hydration line in the last run:\n{last}");
    lines
        .iter()
        .map(|line| {
            let start = line.find(&format!("{field}=")).map(|i| i + field.len() + 1).expect("the field");
            line[start..].chars().take_while(char::is_ascii_digit).collect::<String>().parse::<i64>().expect("a count")
        })
        .sum()
}

/// The rows the last run read at start-up: the graph and the rest.
fn hydrated_rows(env: &TestEnv) -> i64 {
    hydrated(env, "rows") + hydrated(env, "graph")
}

#[test]
fn a_revocation_published_an_hour_after_its_accesses_left_memory_finds_them_in_the_ledger() {
    let env = TestEnv::new("views_revocation_hour_late");
    let events = shifted(&scenario(), 8);
    let (revocations, rest): (Vec<String>, Vec<String>) = events.iter().cloned().partition(|l| {
        let e: serde_json::Value = serde_json::from_str(l).expect("json");
        e["event_type"].as_str().is_some_and(|t| t.ends_with("_revoked"))
    });
    let newest = events
        .iter()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["occurred_at"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .max()
        .expect("events");
    publish(&env, &rest);
    drain(&env, LATE);
    // An hour of event time passes: the scenario's accesses are behind the watermark.
    advance_clock(&env, &newest, 60, "40");
    drain(&env, LATE);
    publish(&env, &revocations);
    drain(&env, LATE);
    // The last run held the graph and the hour-later rows, not the scenario's accesses:
    // the violations and first deny can only have come from the ledger.
    let graph: i64 = env.query(
        "SELECT count(*) FROM audit_events WHERE event_type LIKE 'session\\_%' OR event_type LIKE 'delegation\\_%'",
    )[0]
    .get(0);
    let filler: i64 = env.query("SELECT count(*) FROM audit_events WHERE zone_id = 'zone-filler'")[0].get(0);
    assert!(
        hydrated_rows(&env) <= graph + filler,
        "the last run hydrated {} rows: more than the graph ({graph}) and the later rows ({filler})",
        hydrated_rows(&env)
    );
    assert_expected_shifted(&env, "revocation an hour late", &BTreeMap::new(), -8 * 86_400_000_000);
}

#[test]
fn a_trace_arriving_in_three_batches_minutes_apart_ends_equal_to_the_ledger() {
    let env = TestEnv::new("views_three_batches");
    let request = "req-three-batches";
    let event = |id: &str, ty: &str, decision: &str, at: &str| {
        serde_json::json!({
            "id": id, "zone_id": "zone-a", "event_type": ty, "request_id": request, "decision": decision,
            "evaluation_status": "complete", "determining_policies_json": [], "diagnostics_json": {},
            "metadata_json": {"session_id": "s-9", "agent_session_id": "as-9"}, "occurred_at": at,
        })
        .to_string()
    };
    let batches = [
        vec![event("tb-1", "token_exchange", "allow", "2026-10-01T10:00:00Z")],
        vec![event("tb-2", "gateway_resource_request", "allow", "2026-10-01T10:00:01Z")],
        vec![
            event("tb-3", "gateway_resource_request", "deny", "2026-10-01T10:00:02Z"),
            event("tb-4", "gateway_resource_request", "allow", "2026-10-01T10:00:03Z"),
        ],
    ];
    // One process throughout: each batch is followed by rows minutes later in event time,
    // so the request has been quiet past the gap and left memory when the next batch comes.
    assert!(env.output(&["migrate"]).status.success(), "migrate");
    let mut run = env.spawn_run(&[RUN, LATE].concat(), &[]);
    let started = Instant::now();
    let mut published = 0i64;
    for (i, batch) in batches.iter().enumerate() {
        publish(&env, batch);
        advance_clock(&env, "2026-10-01T10:00:00Z", 5 * (i as i64 + 1), "20");
        published += batch.len() as i64 + 20;
        let want = published;
        loop {
            let rows = env.ledger_rows();
            let traced: i64 = env.query(&format!(
                "SELECT coalesce(max(event_count), 0)::bigint FROM request_traces WHERE request_id = '{request}'"
            ))[0]
                .get(0);
            let batch_events: i64 = batches[..=i].iter().map(|b| b.len() as i64).sum();
            if rows >= want && traced >= batch_events {
                break;
            }
            assert!(started.elapsed() < LIMIT, "batch {i} did not reach the trace; log:\n{}", env.log_tail());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    let status = crate::common::terminate(&mut run, Duration::from_secs(60));
    assert!(status.success(), "run: {status}; log:\n{}", env.log_tail());
    let scratch = traces_from_ledger(&env);
    let stored = stored_traces(&env);
    assert_eq!(stored[request].events.len(), 4, "every batch is in the stored trace: {:?}", stored[request]);
    assert_eq!(stored[request], scratch[request], "the trace equals the one computed over the ledger");
    let decision: String =
        env.query(&format!("SELECT final_decision FROM request_traces WHERE request_id = '{request}'"))[0].get(0);
    assert_eq!(decision, "deny", "the late deny decides the request");
    assert_eq!(stored, scratch, "every trace equals the ledger's");
}

/// A request with several events and a denial, from the generator's traffic.
fn denied_request(env: &TestEnv) -> String {
    env.query(
        "SELECT request_id FROM audit_events WHERE request_id IS NOT NULL GROUP BY request_id \
         HAVING count(*) > 1 AND bool_or(decision = 'deny') ORDER BY request_id LIMIT 1",
    )[0]
    .get(0)
}

#[test]
fn trace_explains_a_denied_request_from_the_view_and_from_the_ledger() {
    let env = TestEnv::new("views_trace");
    env.emit(&["--count", "3000", "--seed", "21"]);
    drain(&env, &[]);
    let request = denied_request(&env);
    let rows = env.query(&format!(
        "SELECT id, determining_policies_json->0->>'policy', diagnostics_json::text FROM audit_events \
         WHERE request_id = '{request}' ORDER BY occurred_at"
    ));
    let check = |text: &str, source: &str| {
        assert!(text.contains(source), "{text}");
        assert!(text.contains("final decision: DENY"), "{text}");
        for r in &rows {
            let id: String = r.get(0);
            assert!(text.contains(&id), "event {id} is on the timeline:\n{text}");
            if let Some(policy) = r.get::<_, Option<String>>(1) {
                assert!(text.contains(&policy), "the determining policy {policy} is shown:\n{text}");
            }
        }
        assert!(text.contains("diagnostics:"), "the diagnostics are shown:\n{text}");
    };
    let out = env.output(&["trace", &request]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    check(&String::from_utf8_lossy(&out.stdout), "from the live view; event details from the ledger");
    // A view that has not caught up with every row yet: the ledger's rows, and it says so.
    env.query(&format!(
        "UPDATE request_traces SET trace = jsonb_set(trace, '{{events}}', (trace->'events') - 0) WHERE request_id = '{request}'"
    ));
    let out = env.output(&["trace", &request]);
    check(
        &String::from_utf8_lossy(&out.stdout),
        &format!("the live view has caught up with {} of its {} events", rows.len() - 1, rows.len()),
    );
    // Outside the window (the stored trace gone): explained from the ledger, the same.
    let view_json = env.output(&["trace", &request, "--json"]).stdout;
    env.query(&format!("DELETE FROM request_traces WHERE request_id = '{request}'"));
    let out = env.output(&["trace", &request]);
    check(&String::from_utf8_lossy(&out.stdout), "from the ledger (outside the view window)");
    let ledger_json = env.output(&["trace", &request, "--json"]).stdout;
    let a: RequestTrace = serde_json::from_slice(&view_json).expect("trace json");
    let b: RequestTrace = serde_json::from_slice(&ledger_json).expect("trace json");
    assert_eq!(a, b, "the view and the ledger explain the request the same way");

    let out = env.output(&["trace", "no-such-request"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no events with request id"));
    let out = env.output(&["trace", "not a request id"]);
    assert_eq!(out.status.code(), Some(2));
}

/// Request traces computed from scratch over the ledger.
fn traces_from_ledger(env: &TestEnv) -> BTreeMap<String, StoredTrace> {
    let rows = env.query(
        "SELECT id, zone_id, event_type, request_id, decision, evaluation_status, determining_policies_json::text, \
                diagnostics_json::text, metadata_json::text, occurred_at, chain_id, chain_seq \
         FROM audit_events WHERE request_id IS NOT NULL",
    );
    let mut by_request: BTreeMap<String, Vec<ViewEvent>> = BTreeMap::new();
    let canonical = |t: Option<String>| {
        t.map(|t| auditflow_schemas::canonical::canonical_json(&serde_json::from_str(&t).expect("json")))
    };
    for r in rows {
        let occurred_at: chrono::DateTime<chrono::Utc> = r.get(9);
        let event = auditflow_schemas::AuditEvent {
            id: r.get(0),
            zone_id: r.get(1),
            event_type: r.get(2),
            request_id: r.get(3),
            decision: r.get(4),
            policy_set_id: None,
            policy_set_version_id: None,
            manifest_sha: None,
            evaluation_status: r.get(5),
            determining_policies_json: canonical(r.get(6)),
            diagnostics_json: canonical(r.get(7)),
            metadata_json: canonical(r.get(8)),
            occurred_at,
            extra_json: None,
        };
        let view = ViewEvent::of(&event, r.get(10), r.get(11));
        by_request.entry(view.request_id.clone().expect("filtered")).or_default().push(view);
    }
    by_request.into_iter().map(|(id, events)| (id.clone(), TraceSummary::of(&id, events.iter()).stored)).collect()
}

fn stored_traces(env: &TestEnv) -> BTreeMap<String, StoredTrace> {
    env.query("SELECT request_id, trace::text FROM request_traces")
        .iter()
        .map(|r| (r.get(0), serde_json::from_str(&r.get::<_, String>(1)).expect("trace")))
        .collect()
}

/// The views without chain positions (which depend on arrival order between two runs).
fn positionless(traces: &BTreeMap<String, StoredTrace>) -> BTreeMap<String, StoredTrace> {
    traces
        .iter()
        .map(|(k, t)| {
            let mut t = t.clone();
            for e in &mut t.events {
                e.chain_id = 0;
                e.chain_seq = 0;
            }
            t.events.sort();
            (k.clone(), t)
        })
        .collect()
}

/// Two seconds of lateness and gap: the generator's 20 000 events span 140 s of event time,
/// so most of them leave memory during the run and a restart hydrates a fraction.
/// Five seconds of idleness: the delegation trees retire during the run too, and a restart
/// reads only the graph of the last few seconds.
const BOUNDED: &[&str] =
    &["--views-allowed-lateness-secs", "2", "--views-request-gap-secs", "2", "--views-session-idle-secs", "5"];

/// Waits until the ledger holds more than `rows` rows (a run is draining).
fn wait_for_rows(env: &TestEnv, rows: i64) {
    let started = Instant::now();
    while env.query("SELECT count(*) FROM audit_events")[0].get::<_, i64>(0) <= rows {
        assert!(started.elapsed() < LIMIT, "no progress; log:\n{}", env.log_tail());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn views_after_kill9_and_restart_equal_a_from_scratch_computation_and_an_uninterrupted_run() {
    let emit = ["--count", "20000", "--seed", "22", "--duplicate-ratio", "0.05", "--invalid-ratio", "0.01"];
    // Interrupted: killed while draining, then restarted.
    let env = TestEnv::new("views_restart");
    env.emit(&emit);
    assert!(env.output(&["migrate"]).status.success(), "migrate");
    let mut run = env.spawn_run(&[RUN, BOUNDED].concat(), &[]);
    wait_for_rows(&env, 4000);
    kill9(&mut run);
    drain(&env, BOUNDED);

    let views = stored_traces(&env);
    let scratch = traces_from_ledger(&env);
    assert_eq!(views.len(), scratch.len(), "one trace per request id in the ledger");
    assert_eq!(views, scratch, "incremental traces equal the from-scratch computation");
    let violations = stored_violations(&env);
    assert!(!violations.is_empty(), "the generator produces late allows on revoked sessions");
    assert_eq!(violations, violations_from_ledger(&env), "violations equal the recursive SQL over the ledger");

    // A stored trace that fell behind (as when the process dies between the ledger commit
    // and the view write). The next start re-derives every trace as new to it, so its COPY
    // meets rows already stored; the sink must fall back to the upsert and bring the stale
    // row up to date rather than give up on the batch.
    // (One of the newest requests: the restart holds those, not the whole history.)
    let stale: String =
        env.query("SELECT request_id FROM request_traces ORDER BY last_at DESC, request_id LIMIT 1")[0].get(0);
    env.query(&format!(
        "UPDATE request_traces SET event_count = 0, trace = '{{\"events\":[]}}' WHERE request_id = '{stale}'"
    ));
    assert_ne!(stored_traces(&env)[&stale], scratch[&stale], "the trace is stale before the restart");
    drain(&env, BOUNDED);
    assert_eq!(stored_traces(&env), scratch, "after a restart, a stale trace is rewritten and the rest are kept");
    // The restart read the last seconds of event time and the trees still in memory, not the
    // ledger, nor the whole delegation graph: the rest had retired, and its keys came back
    // from the stored filters.
    let (hydrated_all, rows) = (hydrated_rows(&env), env.ledger_rows());
    let graph: i64 = env.query(
        "SELECT count(*) FROM audit_events WHERE event_type LIKE 'session\\_%' OR event_type LIKE 'delegation\\_%'",
    )[0]
    .get(0);
    let hydrated_graph = hydrated(&env, "graph");
    assert!(
        hydrated_all < rows / 10 && hydrated_graph < graph / 4,
        "a restart of a drained pipeline hydrated {hydrated_all} of {rows} rows, {hydrated_graph} of the graph's {graph}"
    );
    let filters: i64 = env.query("SELECT count(DISTINCT worker) FROM audit_views_retired_pages")[0].get(0);
    assert!(filters > 0, "the workers stored their filters of retired trees");

    // Uninterrupted, same events.
    let other = TestEnv::new("views_uninterrupted");
    other.emit(&emit);
    drain(&other, BOUNDED);
    assert_eq!(positionless(&views), positionless(&stored_traces(&other)), "traces as if never stopped");
    assert_eq!(violations, stored_violations(&other), "violations as if never stopped");
    let statuses = |e: &TestEnv| -> Vec<(String, Vec<String>, Option<chrono::DateTime<chrono::Utc>>)> {
        e.query("SELECT revocation_event_id, affected, first_deny_after FROM revocation_propagation ORDER BY 1")
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect()
    };
    assert_eq!(statuses(&env), statuses(&other), "revocation status as if never stopped");
}

/// The last run's "views read back" summary line: (rows read back, of them kept from the
/// views by their budget); (0, 0) without one.
fn read_back(env: &TestEnv) -> (u64, u64) {
    let log = std::fs::read_to_string(env.dir.join("run.log")).unwrap_or_default();
    let last = log.split("auditflow run starting").last().unwrap_or_default();
    let Some(line) = last.lines().find(|l| l.trim_start().starts_with("views read back")) else { return (0, 0) };
    let numbers: Vec<u64> =
        line.split(|c: char| !c.is_ascii_digit()).filter(|w| !w.is_empty()).filter_map(|w| w.parse().ok()).collect();
    (numbers.first().copied().unwrap_or(0), numbers.get(1).copied().unwrap_or(0))
}

#[test]
fn views_over_their_budget_read_the_rest_back_from_the_ledger_and_end_equal_to_it() {
    // A budget of 1 000 rows against a backlog drained at full speed (about 1 500 rows an
    // epoch): the views fall behind it from the first epochs, so chains go behind and their
    // rows come back from the ledger, late in event time and out of order. Killed while
    // behind, the next start reads what the views had not written the same way.
    let budget = ["--views-budget-rows", "1000"];
    let emit =
        ["--count", "20000", "--seed", "24", "--zones", "4", "--duplicate-ratio", "0.02", "--invalid-ratio", "0.01"];
    let env = TestEnv::new("views_budget");
    let out = env.output(&["run", "--views-budget-rows", "10"]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "a budget too small to hold an epoch is bad config: {said}");
    assert!(said.contains("AUDITFLOW_VIEWS_BUDGET_ROWS") && said.contains("at least 1000"), "{said}");
    env.emit(&emit);
    assert!(env.output(&["migrate"]).status.success(), "migrate");
    let mut run = env.spawn_run(&[RUN, BOUNDED, &budget].concat(), &[]);
    wait_for_rows(&env, 6000);
    kill9(&mut run);
    drain(&env, &[BOUNDED, &budget].concat());
    let (read, shed) = read_back(&env);
    assert!(shed > 0, "the views' budget kept rows from them (log:\n{})", env.log_tail());
    assert!(read >= shed, "every row kept from the views was read back: {read} read, {shed} kept");

    let scratch = traces_from_ledger(&env);
    assert_eq!(stored_traces(&env), scratch, "traces equal the from-scratch computation");
    let violations = stored_violations(&env);
    assert!(!violations.is_empty(), "the generator produces late allows on revoked sessions");
    assert_eq!(violations, violations_from_ledger(&env), "violations equal the recursive SQL over the ledger");

    // Within the budget, uninterrupted: the same views.
    let other = TestEnv::new("views_budget_unbounded");
    other.emit(&emit);
    drain(&other, BOUNDED);
    assert_eq!(read_back(&other).1, 0, "a run within its budget keeps nothing from its views");
    assert_eq!(positionless(&scratch), positionless(&stored_traces(&other)), "traces as if within the budget");
    assert_eq!(violations, stored_violations(&other), "violations as if within the budget");
}

#[test]
fn revocations_on_the_revocation_stream_reach_the_ledger_once_and_the_view() {
    let env = TestEnv::new("views_revoke_stream");
    // The scenario's two revocations come as `caracal.sessions.revoke` entries at their
    // event time (the entry id is the revocation time); everything else as audit events.
    let (revocations, rest): (Vec<String>, Vec<String>) = scenario().into_iter().partition(|l| {
        let e: serde_json::Value = serde_json::from_str(l).expect("json");
        e["event_type"].as_str().is_some_and(|t| t.ends_with("_revoked"))
    });
    assert_eq!(revocations.len(), 2);
    publish(&env, &rest);
    let mut renamed = BTreeMap::new();
    for line in &revocations {
        let e: serde_json::Value = serde_json::from_str(line).expect("json");
        let meta = &e["metadata_json"];
        let mut data = serde_json::json!({
            "zone_id": e["zone_id"], "session_id": meta["session_id"],
            "agent_session_id": meta["agent_session_id"], "reason": "offboarded",
        });
        if !meta["delegation_edge_id"].is_null() {
            data["delegation_edge_id"] = meta["delegation_edge_id"].clone();
        }
        let data = data.to_string();
        let ms = time_us(e["occurred_at"].as_str().expect("time")) / 1000;
        let id = xadd(&env, &env.revocations, &format!("{ms}-0"), &data, &sign(&data));
        renamed.insert(e["id"].as_str().expect("id").to_owned(), format!("{}:{id}", env.revocations));
    }
    // One forged entry: dead-lettered with its stream named, not applied.
    let forged = r#"{"zone_id":"zone-a","session_id":"s-1","agent_session_id":"as-root","reason":"forged"}"#;
    let forged_id = xadd(&env, &env.revocations, "*", forged, &"00".repeat(32));
    drain(&env, &[]);
    assert_expected_renamed(&env, "revocations from the revocation stream", &renamed);

    let stored: Vec<(String, String, String)> = env
        .query(
            "SELECT id, event_type, metadata_json->>'reason' FROM audit_events \
             WHERE src_stream_id IS NOT NULL AND id LIKE 't.%' ORDER BY id",
        )
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let mut want: Vec<(String, String, String)> = renamed
        .iter()
        .map(|(fixture_id, id)| {
            let kind = if fixture_id == "rev-012" { "delegation_edge_revoked" } else { "session_revoked" };
            (id.clone(), kind.to_owned(), "offboarded".to_owned())
        })
        .collect();
    want.sort();
    assert_eq!(stored, want, "each revocation entry is one ledger row");
    let dlq = env.dlq_entries();
    assert_eq!(dlq.len(), 1, "{dlq:?}");
    assert_eq!((dlq[0].0.as_str(), dlq[0].1.as_str()), (forged_id.as_str(), "hmac_verify_failed"));
    assert_eq!(dlq[0].2.get("src_stream"), Some(&env.revocations));

    // Every revocation entry delivered again (the group rewound): duplicates, nothing doubled.
    let rows = |env: &TestEnv| -> i64 { env.query("SELECT count(*) FROM audit_events")[0].get(0) };
    let before = rows(&env);
    let _: String = redis::cmd("XGROUP")
        .arg("SETID")
        .arg(&env.revocations)
        .arg("audit-ingestor")
        .arg("0")
        .query(&mut env.redis())
        .expect("rewind the group");
    drain(&env, &[]);
    assert_eq!(rows(&env), before, "a re-delivered revocation was written twice");
    assert_expected_renamed(&env, "after re-delivery", &renamed);
}
