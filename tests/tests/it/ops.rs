//! The operations surface over real HTTP against a running pipeline (issue: operations
//! surface): `/metrics` equals a run of known content and passes `promtool`, the alert
//! rules pass `promtool`, `/readyz` follows the DLQ gate, and a DLQ replay after adding the
//! missing key lands each entry in the ledger exactly once.

use crate::common::{http_get, http_request, json_of, parse_metrics, promtool, sum_of, terminate, TestEnv};
use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(120);

/// Waits until `done` holds, or fails with the run log.
fn wait_until(env: &TestEnv, what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < LIMIT, "timed out waiting for {what}; log:\n{}", env.log_tail());
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn dlq_len(env: &TestEnv) -> usize {
    env.dlq_entries().len()
}

fn promtool_accepts(args: &[&str], stdin: Option<&str>) {
    let mut child = std::process::Command::new(promtool())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run promtool");
    if let Some(text) = stdin {
        child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("feed promtool");
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("promtool");
    assert!(
        out.status.success(),
        "promtool {args:?} refused it:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn metrics_after_a_known_run_equal_its_counts_and_promtool_accepts_them() {
    let env = TestEnv::new("ops_metrics");
    let manifest =
        env.emit(&["--count", "3000", "--seed", "41", "--invalid-ratio", "0.1", "--duplicate-ratio", "0.05"]);
    let count = |what: &str| manifest.iter().filter(|m| m.2 == what).count();
    let valid = count("ok");
    let duplicates = count("duplicate");
    let invalid = manifest.len() - valid - duplicates;
    let hmac = count("hmac_verify_failed");
    let parse = count("json_parse_error") + count("schema_invalid");
    assert!(hmac > 0 && parse > 0 && duplicates > 0, "the generator mixes every kind in");

    // With the OCSF archive on, so that its counters are in the scrape too.
    let ocsf = format!("file://{}", env.dir.join("ocsf").display());
    let mut run = env.spawn_run(&[], &[("AUDITFLOW_OCSF_URL", ocsf.as_str()), ("AUDITFLOW_OCSF_ROLL_SECS", "1")]);
    let addr = env.server_addr(1);
    wait_until(&env, "the run to drain", || {
        env.ledger_rows() == valid as i64 && dlq_len(&env) == invalid && env.pending() == 0
    });
    // The stream gauges come from a poll every second.
    let mut metrics = BTreeMap::new();
    let mut scrape = String::new();
    wait_until(&env, "the scrape to show the drained stream", || {
        let (status, body) = http_get(&addr, "/metrics", &[]);
        assert_eq!(status, 200);
        metrics = parse_metrics(&body);
        scrape = body;
        metrics.get("caracal_audit_dlq_size") == Some(&(invalid as f64))
            && metrics.get("auditflow_consumer_pending") == Some(&0.0)
            && metrics.get("auditflow_ocsf_export_events_total") == Some(&(valid as f64))
    });
    assert_eq!(metrics["caracal_audit_inserts_total"], valid as f64, "inserts");
    assert_eq!(sum_of(&metrics, "caracal_audit_dlq_total"), invalid as f64, "DLQ writes");
    assert_eq!(metrics["caracal_audit_dlq_total{reason=\"hmac_verify_failed\"}"], hmac as f64);
    assert_eq!(metrics["caracal_audit_hmac_failures_total"], hmac as f64, "hmac failures");
    assert_eq!(metrics["caracal_audit_parse_errors_total"], parse as f64, "parse errors");
    assert_eq!(metrics["auditflow_duplicates_dropped_total"], duplicates as f64, "duplicates");
    assert_eq!(metrics["auditflow_entries_read_total"], manifest.len() as f64, "entries read");
    assert_eq!(metrics["caracal_audit_consumer_lag"], 0.0, "lag");
    assert_eq!(metrics["caracal_audit_tamper_mismatch_total"], 0.0);
    assert_eq!(metrics["auditflow_verification_skipped"], 0.0);
    assert!(metrics["auditflow_sink_commit_seconds_count{sink=\"ledger\"}"] > 0.0, "commit latency observed");
    assert!(metrics.contains_key("caracal_audit_export_backlog_seconds"));
    promtool_accepts(&["check", "metrics"], Some(&scrape));
    // Every metric the shipped rules and dashboard query is one the scrape exposes.
    let families: HashSet<&str> =
        scrape.lines().filter_map(|l| l.strip_prefix("# TYPE ")).filter_map(|l| l.split_whitespace().next()).collect();
    for file in ["deploy/prometheus/auditflow-rules.yml", "deploy/grafana/auditflow-dashboard.json"] {
        let text = std::fs::read_to_string(format!("{}/../{file}", env!("CARGO_MANIFEST_DIR"))).expect(file);
        for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if word.starts_with("caracal_audit_") || word.starts_with("auditflow_") {
                let family = word.trim_end_matches("_bucket");
                assert!(families.contains(family), "{file} uses {word}, which /metrics does not expose");
            }
        }
    }
    let rules = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/prometheus/auditflow-rules.yml");
    promtool_accepts(&["check", "rules", rules], None);
    // For a fleet: stream-wide alerts fire once, not once per process; only process 0 sweeps.
    let rule_tests = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/prometheus/auditflow-rules.test.yml");
    promtool_accepts(&["test", "rules", rule_tests], None);

    assert_eq!(http_get(&addr, "/healthz", &[]).0, 200);
    let (status, body) = http_get(&addr, "/readyz", &[]);
    assert_eq!(status, 200, "ready under the default gates: {body}");
    assert!(terminate(&mut run, LIMIT).success(), "run exits cleanly; log:\n{}", env.log_tail());
}

const OTHER_KEY: &str = "c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3c3";

#[test]
fn readyz_follows_the_dlq_gate_and_a_replay_after_adding_the_key_lands_each_entry_once() {
    let env = TestEnv::new("ops_replay");
    let valid = env.emit(&["--count", "500", "--seed", "51"]);
    // A producer whose key auditflow does not have yet.
    let manifest = env.dir.join("other.ndjson");
    let out = env
        .command(&["emit", "--count", "60", "--seed", "52", "--manifest", manifest.to_str().expect("utf8")])
        .env("AUDIT_HMAC_KEY", OTHER_KEY)
        .output()
        .expect("emit");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let unknown: HashSet<String> = std::fs::read_to_string(&manifest)
        .expect("manifest")
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).expect("json")["event_id"].as_str().expect("id").to_owned()
        })
        .collect();
    assert_eq!(unknown.len(), 60);

    let gate = ["--readyz-max-dlq-size", "10"];
    let mut run = env.spawn_run(&gate, &[]);
    let addr = env.server_addr(1);
    wait_until(&env, "the valid events and the dead letters", || {
        env.ledger_rows() == valid.len() as i64 && dlq_len(&env) == 60 && env.pending() == 0
    });
    let mut body = String::new();
    wait_until(&env, "/readyz to fail on the DLQ gate", || {
        let (status, b) = http_get(&addr, "/readyz", &[]);
        body = b;
        status == 503
    });
    let report: serde_json::Value = serde_json::from_str(&body).expect("readyz json");
    let failing: Vec<&str> = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(failing, vec!["dlq_size"], "{body}");

    // The key is added: the pipeline restarts with it, and the operator replays.
    assert!(terminate(&mut run, LIMIT).success());
    let keyring = env.keyring_with_partner(OTHER_KEY);
    let ring = ("AUDITFLOW_KEYRING_FILE", keyring.as_str());
    let mut run = env.spawn_run(&gate, &[ring]);
    let addr = env.server_addr(2);

    let dlq = |args: &[&str]| {
        let mut all = vec!["dlq"];
        all.extend_from_slice(args);
        let out = env.command(&all).env(ring.0, ring.1).output().expect("dlq");
        assert!(out.status.success(), "dlq {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let listed: serde_json::Value = serde_json::from_str(&dlq(&["list", "--json", "--limit", "1000"])).expect("json");
    let listed = listed.as_array().expect("entries");
    assert_eq!(listed.len(), 60);
    assert!(listed.iter().all(|e| e["reason"] == "hmac_verify_failed"));
    let shown = dlq(&["show", listed[0]["id"].as_str().expect("id")]);
    assert!(shown.contains("field data") && shown.contains("hmac_verify_failed"), "{shown}");

    let dry = dlq(&["replay", "--dry-run"]);
    assert!(dry.contains("would replay 60 entries"), "{dry}");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(dlq_len(&env), 60, "--dry-run changes nothing");
    assert_eq!(env.ledger_rows(), valid.len() as i64, "--dry-run changes nothing");

    let done = dlq(&["replay"]);
    assert!(done.contains("replayed 60 entries"), "{done}");
    assert_eq!(dlq_len(&env), 0, "replayed entries leave the DLQ");
    wait_until(&env, "the replayed events in the ledger", || {
        env.ledger_rows() == (valid.len() + 60) as i64 && env.pending() == 0
    });
    let rows = env.query("SELECT id, count(*) FROM audit_events GROUP BY id HAVING count(*) > 1");
    assert!(rows.is_empty(), "no event twice");
    let stored: HashSet<String> = env.query("SELECT id FROM audit_events").iter().map(|r| r.get(0)).collect();
    let stored: HashSet<String> = stored.intersection(&unknown).cloned().collect();
    assert_eq!(stored, unknown, "each replayed event is in the ledger");
    assert!(dlq(&["replay"]).contains("replayed 0 entries"), "a second replay finds nothing");

    wait_until(&env, "/readyz to be ready again", || http_get(&addr, "/readyz", &[]).0 == 200);
    assert!(terminate(&mut run, LIMIT).success(), "log:\n{}", env.log_tail());
}

/// A tokens file: `reader` (read, zone-1 only), `ops` (read and admin, every zone).
fn tokens_file(env: &TestEnv) -> String {
    use sha2::Digest;
    let h = |t: &str| hex::encode(sha2::Sha256::digest(t.as_bytes()));
    let path = env.dir.join("tokens.toml");
    std::fs::write(
        &path,
        format!(
            "[[tokens]]\nname = \"reader\"\nsha256 = \"{}\"\nscopes = [\"read\"]\nzones = [\"zone-1\"]\n\n\
             [[tokens]]\nname = \"ops\"\nsha256 = \"{}\"\nscopes = [\"read\", \"admin\"]\n",
            h("reader-token"),
            h("ops-token")
        ),
    )
    .expect("tokens file");
    path.to_str().expect("utf8").to_owned()
}

#[test]
fn search_pages_return_each_matching_row_once_while_ingestion_continues_and_tokens_are_enforced() {
    let env = TestEnv::new("ops_search");
    env.emit(&["--count", "3000", "--seed", "61"]);
    let tokens = tokens_file(&env);
    let mut run = env.spawn_run(&["--api-tokens-file", &tokens], &[]);
    let addr = env.server_addr(1);
    wait_until(&env, "a first part of the ledger", || env.ledger_rows() >= 1000);
    // More events arrive while the client pages.
    let mut more = env
        .command(&["emit", "--count", "4000", "--seed", "62", "--rate", "2000"])
        .stdout(Stdio::null())
        .spawn()
        .expect("emit in the background");
    let ops = [("Authorization", "Bearer ops-token")];
    let reader = [("Authorization", "Bearer reader-token")];

    let mut seen: Vec<(String, String)> = Vec::new();
    let mut rendered: BTreeMap<String, serde_json::Value> = BTreeMap::new();
    // Small pages, so that even a snapshot pinned right at the first thousand rows spans many.
    const PAGE: usize = 23;
    let first = format!("/v1/events?zone=zone-1&decision=allow&since=2020-01-01T00:00:00Z&limit={PAGE}");
    let mut path = first.clone();
    let mut heads: Vec<i64> = Vec::new();
    let mut pages = 0;
    loop {
        let (status, page) = json_of(http_get(&addr, &path, &ops));
        assert_eq!(status, 200, "{page}");
        pages += 1;
        if heads.is_empty() {
            heads = page["chain_heads"].as_array().expect("heads").iter().map(|h| h.as_i64().expect("i64")).collect();
        }
        for e in page["events"].as_array().expect("events") {
            assert_eq!(e["zone_id"], "zone-1");
            assert!(e["decision"].as_str().expect("decision").eq_ignore_ascii_case("allow"));
            seen.push((e["id"].as_str().expect("id").to_owned(), e["occurred_at"].as_str().expect("t").to_owned()));
            rendered.insert(e["id"].as_str().expect("id").to_owned(), e.clone());
        }
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("{first}&cursor={c}"),
            None => break,
        }
        // Slow enough that ingestion goes on between pages.
        std::thread::sleep(Duration::from_millis(100));
    }
    let ids: Vec<&str> = seen.iter().map(|(id, _)| id.as_str()).collect();
    let distinct: HashSet<&str> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), ids.len(), "no row twice across pages");
    let heads_sql = heads.iter().map(|h| h.to_string()).collect::<Vec<_>>().join(",");
    let expected: HashSet<String> = env
        .query(&format!(
            "SELECT id FROM audit_events WHERE zone_id = 'zone-1' AND lower(decision) = 'allow' \
             AND chain_seq <= (ARRAY[{heads_sql}]::bigint[])[chain_id + 1]"
        ))
        .iter()
        .map(|r| r.get(0))
        .collect();
    let got: HashSet<String> = ids.iter().map(|s| s.to_string()).collect();
    assert_eq!(got, expected, "exactly the matching rows of the snapshot the first page pinned");
    assert!(pages > 3, "several pages ({pages} for {} rows)", expected.len());
    // Full pages until the last: the server reads one row past the page to know whether
    // another follows, so a full last page has no cursor and no empty page trails it.
    assert_eq!(pages, expected.len().div_ceil(PAGE), "pages of {PAGE} for {} rows", expected.len());
    // Each row is every column, as Postgres's own `row_to_json` renders it.
    let id_list = rendered.keys().map(|id| format!("'{id}'")).collect::<Vec<_>>().join(",");
    for row in env.query(&format!("SELECT e.id, row_to_json(e)::text FROM audit_events e WHERE e.id IN ({id_list})")) {
        let (id, json): (String, String) = (row.get(0), row.get(1));
        let postgres: serde_json::Value = serde_json::from_str(&json).expect("row_to_json");
        // Postgres writes times in the server's TimeZone, the API in UTC: compare instants.
        let instants = |row: &serde_json::Value| {
            let mut row = row.clone();
            for key in ["occurred_at", "ingested_at"] {
                if let Some(t) = row[key].as_str() {
                    let at = chrono::DateTime::parse_from_rfc3339(t).unwrap_or_else(|e| panic!("{key} {t}: {e}"));
                    row[key] = at.timestamp_micros().into();
                }
            }
            row
        };
        assert_eq!(instants(&rendered[&id]), instants(&postgres), "row {id} as the API renders it");
        assert!(rendered[&id]["occurred_at"].as_str().is_some_and(|t| t.ends_with("+00:00")), "UTC");
    }
    assert!(more.wait().expect("emit").success());
    wait_until(&env, "the second batch", || env.pending() == 0 && env.ledger_rows() >= 7000 * 9 / 10);
    let matching_now: i64 =
        env.query("SELECT count(*) FROM audit_events WHERE zone_id = 'zone-1' AND lower(decision) = 'allow'")[0].get(0);
    assert!(
        matching_now as usize > expected.len(),
        "matching rows arrived while the client paged ({matching_now} now, {} in the snapshot), and no page showed them",
        expected.len()
    );

    // Tokens and zones.
    assert_eq!(http_get(&addr, "/v1/events", &[]).0, 401, "no token");
    assert_eq!(http_get(&addr, "/v1/events", &[("Authorization", "Bearer wrong")]).0, 401, "unknown token");
    let (status, body) = json_of(http_request("POST", &addr, "/v1/dlq/replay", &reader, "{\"dry_run\":true}"));
    assert_eq!(status, 403, "replay needs the admin scope: {body}");
    assert_eq!(json_of(http_request("POST", &addr, "/v1/dlq/replay", &ops, "{\"dry_run\":true}")).0, 200);
    assert_eq!(http_get(&addr, "/v1/events?zone=zone-2", &reader).0, 403, "zone-limited token, other zone");
    let (status, page) = json_of(http_get(&addr, "/v1/events?limit=1000", &reader));
    assert_eq!(status, 200);
    let zones: HashSet<&str> =
        page["events"].as_array().expect("events").iter().map(|e| e["zone_id"].as_str().expect("zone")).collect();
    assert_eq!(zones, HashSet::from(["zone-1"]), "a zone-limited token sees only its zones");
    let other: String = env
        .query("SELECT request_id FROM audit_events WHERE zone_id = 'zone-2' AND request_id IS NOT NULL LIMIT 1")[0]
        .get(0);
    assert_eq!(http_get(&addr, &format!("/v1/requests/{other}/explain"), &reader).0, 404);
    let (status, explained) = json_of(http_get(&addr, &format!("/v1/requests/{other}/explain"), &ops));
    assert_eq!(status, 200);
    assert_eq!(explained["trace"]["request_id"], other.as_str());

    // Bad parameters name themselves.
    for (query, parameter) in [
        ("since=yesterday", "since"),
        ("until=2026-13-01", "until"),
        ("request_id=a%20b", "request_id"),
        ("limit=100000", "limit"),
        ("cursor=garbage", "cursor"),
    ] {
        let (status, body) = json_of(http_get(&addr, &format!("/v1/events?{query}"), &ops));
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["parameter"], parameter, "{query}: {body}");
    }
    assert_eq!(json_of(http_get(&addr, "/v1/requests/a%20b", &ops)).1["parameter"], "id");
    let (status, spec) = json_of(http_get(&addr, "/v1/openapi.json", &[]));
    assert_eq!(status, 200);
    assert!(spec["paths"]["/v1/events"].is_object());
    assert!(terminate(&mut run, LIMIT).success(), "log:\n{}", env.log_tail());

    // The CLI twin piped into a reader that stops early (`| head -1`) ends the Unix way, by
    // SIGPIPE, without a panic message.
    let mut search = env
        .command(&["search", "--zone", "zone-1", "--all"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("auditflow search");
    let mut stdout = std::io::BufReader::new(search.stdout.take().expect("stdout"));
    let mut header = String::new();
    std::io::BufRead::read_line(&mut stdout, &mut header).expect("first line");
    assert!(header.starts_with("occurred at"), "{header}");
    drop(stdout);
    let out = search.wait_with_output().expect("search ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "{stderr}");
    use std::os::unix::process::ExitStatusExt;
    assert!(out.status.success() || out.status.signal() == Some(13), "{:?}: {stderr}", out.status);
}

#[test]
fn a_search_snapshot_gives_a_chain_without_a_watermark_head_zero_and_finds_every_row() {
    // A chain whose watermark row is missing (a zone's chain row and its watermark are
    // created together, so only damage or a half-restored backup does this): the snapshot's
    // heads are indexed by chain id, and that chain must read as head 0, not shift the heads
    // after it.
    let env = TestEnv::new("ops_heads_gaps");
    env.emit(&["--count", "40", "--zones", "4", "--invalid-ratio", "0", "--seed", "67"]);
    env.run_until_drained(&[], Duration::from_secs(60));
    let committed: BTreeMap<i32, i64> = env
        .query("SELECT chain_id, chain_seq FROM audit_ingest_watermarks WHERE sink = 'ledger'")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert!(committed.len() >= 2, "several zones, several chains: {committed:?}");
    let gap = *committed.keys().next().expect("a chain");
    env.tamper(&format!("DELETE FROM audit_ingest_watermarks WHERE sink = 'ledger' AND chain_id = {gap}"));

    let out = env.output(&["search", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one page of JSON");
    let heads: Vec<i64> =
        page["chain_heads"].as_array().expect("heads").iter().map(|h| h.as_i64().expect("i64")).collect();
    let last_chain = *committed.keys().last().expect("chains");
    let expected: Vec<i64> =
        (0..=last_chain).map(|c| if c == gap { 0 } else { committed.get(&c).copied().unwrap_or(0) }).collect();
    assert_eq!(heads, expected, "one head per chain id, 0 for chain {gap} without a watermark");
    let mut found: Vec<String> =
        page["events"].as_array().expect("events").iter().map(|e| e["id"].as_str().expect("id").to_owned()).collect();
    let mut ids: Vec<String> =
        env.query(&format!("SELECT id FROM audit_events WHERE chain_id <> {gap}")).iter().map(|r| r.get(0)).collect();
    found.sort_unstable();
    ids.sort_unstable();
    assert_eq!(found, ids, "every committed row of the chains the snapshot covers, once");
}

#[test]
fn legal_holds_are_recorded_append_only_with_who_when_and_why() {
    let env = TestEnv::new("ops_holds");
    assert!(env.output(&["migrate"]).status.success(), "migrate");
    let cli = |args: &[&str]| {
        let mut all = vec!["legal-hold"];
        all.extend_from_slice(args);
        env.output(&all)
    };
    let add = |zone: &str, reason: &str| {
        let out = cli(&[
            "add",
            "--zone",
            zone,
            "--from",
            "2026-01-01T00:00:00Z",
            "--until",
            "2026-04-01T00:00:00Z",
            "--reason",
            reason,
            "--by",
            "counsel@example.com",
        ]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).split_whitespace().nth(2).expect("the id").to_owned()
    };
    let first = add("zone-1", "case 2026-17");
    let second = add("zone-2", "regulator request R-9");

    let out = cli(&["release", &first, "--reason", "case closed", "--by", "counsel@example.com"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again = cli(&["release", &first, "--reason", "twice", "--by", "x"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already released"));
    assert_eq!(cli(&["release", "999", "--reason", "none", "--by", "x"]).status.code(), Some(1), "no such hold");

    let list = |all: bool| -> Vec<serde_json::Value> {
        let mut args = vec!["list", "--json"];
        if all {
            args.push("--all");
        }
        serde_json::from_slice(&cli(&args).stdout).expect("json")
    };
    let active = list(false);
    assert_eq!(active.len(), 1);
    assert_eq!(active[0]["id"].to_string(), second);
    assert_eq!(active[0]["reason"], "regulator request R-9");
    assert_eq!(active[0]["created_by"], "counsel@example.com");
    assert!(active[0]["created_at"].is_string() && active[0]["db_user"] == "postgres");
    let everything = list(true);
    assert_eq!(everything.len(), 2);
    assert_eq!(everything[0]["release_reason"], "case closed");

    // Append-only, for the owner too.
    let pg = env.pg();
    for sql in [
        "UPDATE audit_legal_holds SET reason = 'edited'",
        "DELETE FROM audit_legal_holds",
        "DELETE FROM audit_legal_hold_releases",
        "TRUNCATE audit_legal_hold_releases",
    ] {
        let refused = env.runtime.block_on(pg.batch_execute(sql));
        assert!(refused.is_err(), "{sql} must be refused");
    }
    assert_eq!(list(true).len(), 2, "nothing changed");

    // Bad input is named and touches nothing.
    for (args, flag) in [
        (
            vec![
                "add",
                "--zone",
                "z",
                "--from",
                "yesterday",
                "--until",
                "2026-04-01T00:00:00Z",
                "--reason",
                "r",
                "--by",
                "b",
            ],
            "--from",
        ),
        (
            vec![
                "add",
                "--zone",
                "z",
                "--from",
                "2026-04-01T00:00:00Z",
                "--until",
                "2026-01-01T00:00:00Z",
                "--reason",
                "r",
                "--by",
                "b",
            ],
            "--until",
        ),
        (
            vec![
                "add",
                "--zone",
                "z",
                "--from",
                "2026-01-01T00:00:00Z",
                "--until",
                "2026-04-01T00:00:00Z",
                "--reason",
                " ",
                "--by",
                "b",
            ],
            "--reason",
        ),
    ] {
        let out = cli(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(flag),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(list(true).len(), 2);
}
