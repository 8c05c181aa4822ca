//! Tamper evidence (SPEC §3) on a real Postgres: the ledger is tampered with as a database
//! superuser with the append-only triggers bypassed, and `auditflow verify` must name what
//! changed — the exact row, or the first broken position — with exit code 1. Each tamper is
//! undone before the next, and the ledger verifies clean again in between.

use crate::common::{terminate, TestEnv};
use auditflow_schemas::canonical::{canonical_json, content_sha256};
use auditflow_schemas::chain::LedgerKey;
use auditflow_schemas::signer::{KeyRole, Signer};
use auditflow_schemas::tamper::{merkle_root, sha256_bytes, BatchHead};
use auditflow_schemas::AuditEvent;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(300);

/// `verify --json [extra]`: exit code and the report.
fn verify(env: &TestEnv, extra: &[&str]) -> (i32, serde_json::Value) {
    let mut args = vec!["verify", "--json"];
    args.extend_from_slice(extra);
    let out = env.output(&args);
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "verify printed no JSON report ({e}); exit {code}\nstdout: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (code, report)
}

/// The findings as (kind, chain, position, row id).
fn findings(report: &serde_json::Value) -> Vec<(String, i64, i64, Option<String>)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().expect("kind").to_owned(),
                f["chain_id"].as_i64().expect("chain"),
                f["chain_seq"].as_i64().expect("seq"),
                f["row_id"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn assert_clean(env: &TestEnv, rows: i64) {
    let (code, report) = verify(env, &[]);
    assert_eq!(findings(&report), vec![], "a clean ledger has no findings");
    assert_eq!(code, 0, "clean ledger: exit 0");
    assert_eq!(report["rows"].as_i64(), Some(rows), "every row was checked");
}

fn one_value(env: &TestEnv, sql: &str) -> String {
    env.query(sql)[0].get::<_, String>(0)
}

fn ledger_key(env: &TestEnv) -> LedgerKey {
    let hex_key = std::fs::read_to_string(env.dir.join("ledger.key")).expect("ledger key file");
    let secret = hex::decode(hex_key.trim()).expect("hex");
    use sha2::Digest;
    let id = format!("ledger-{}", &hex::encode(sha2::Sha256::digest(&secret))[..12]);
    LedgerKey::new(id, secret).expect("32 bytes")
}

fn head_key(env: &TestEnv) -> Signer {
    let hex_key = std::fs::read_to_string(env.dir.join("ledger-head.key")).expect("head key file");
    let seed: [u8; 32] = hex::decode(hex_key.trim()).expect("hex").try_into().expect("32 bytes");
    Signer::from_seed(KeyRole::Head, seed)
}

/// The event a ledger row holds, read back from its columns.
fn event_of(env: &TestEnv, chain: i32, seq: i64) -> AuditEvent {
    let row = &env.query(&format!(
        "SELECT id, zone_id, event_type, request_id, decision, policy_set_id, policy_set_version_id, manifest_sha, \
         evaluation_status, determining_policies_json::text, diagnostics_json::text, metadata_json::text, occurred_at, \
         extra_json::text FROM audit_events WHERE chain_id = {chain} AND chain_seq = {seq}"
    ))[0];
    let json = |i: usize| {
        row.get::<_, Option<String>>(i).map(|t| canonical_json(&serde_json::from_str(&t).expect("json column")))
    };
    AuditEvent {
        id: row.get(0),
        zone_id: row.get(1),
        event_type: row.get(2),
        request_id: row.get(3),
        decision: row.get(4),
        policy_set_id: row.get(5),
        policy_set_version_id: row.get(6),
        manifest_sha: row.get(7),
        evaluation_status: row.get(8),
        determining_policies_json: json(9),
        diagnostics_json: json(10),
        metadata_json: json(11),
        occurred_at: row.get(12),
        extra_json: json(13),
    }
}

/// What someone holding the ledger HMAC key can do: change row `seq` of `chain` and
/// recompute its hash, the links and every HMAC after it, so the chain is consistent again.
/// With `head_key`, also recompute and re-sign every batch head from there on.
fn rewrite_chain(env: &TestEnv, chain: i32, seq: i64, head_key: Option<&Signer>) {
    let key = ledger_key(env);
    let mut event = event_of(env, chain, seq);
    event.decision = Some(if event.decision.as_deref() == Some("allow") { "deny" } else { "allow" }.into());
    let new_sha = content_sha256(&event);
    let decision = event.decision.clone().expect("set");
    let prev: Option<String> = env
        .query(&format!("SELECT prev_content_sha256 FROM audit_events WHERE chain_id = {chain} AND chain_seq = {seq}"))
        [0]
    .get(0);
    let mut sql = vec![
        format!(
            "UPDATE audit_events SET decision = '{decision}', content_sha256 = '{new_sha}', chain_hmac = '{}' \
             WHERE chain_id = {chain} AND chain_seq = {seq}",
            key.chain_hmac(chain as u32, seq, prev.as_deref(), &new_sha)
        ),
        format!("UPDATE audit_event_ids SET content_sha256 = '{new_sha}' WHERE id = '{}'", event.id),
    ];
    // The next row's link and HMAC change; the rows after it keep theirs.
    let next: Option<String> = env
        .query(&format!("SELECT content_sha256 FROM audit_events WHERE chain_id = {chain} AND chain_seq = {}", seq + 1))
        .first()
        .map(|r| r.get(0));
    if let Some(next_sha) = next {
        sql.push(format!(
            "UPDATE audit_events SET prev_content_sha256 = '{new_sha}', chain_hmac = '{}' \
             WHERE chain_id = {chain} AND chain_seq = {}",
            key.chain_hmac(chain as u32, seq + 1, Some(&new_sha), &next_sha),
            seq + 1
        ));
    }
    env.tamper(&sql.join(";\n"));
    if let Some(head_key) = head_key {
        // Re-sign every batch from the changed one on (their Merkle roots and heads).
        for b in env.query(&format!(
            "SELECT from_seq, to_seq, hmac_key_id, committed_at_us FROM audit_ledger_batches \
             WHERE chain_id = {chain} AND to_seq >= {seq} ORDER BY from_seq"
        )) {
            let (from, to): (i64, i64) = (b.get(0), b.get(1));
            let rows = env.query(&format!(
                "SELECT content_sha256, chain_hmac FROM audit_events WHERE chain_id = {chain} \
                 AND chain_seq BETWEEN {from} AND {to} ORDER BY chain_seq"
            ));
            let leaves: Vec<[u8; 32]> =
                rows.iter().map(|r| sha256_bytes(&r.get::<_, String>(0)).expect("hex")).collect();
            let last = rows.last().expect("rows");
            let head = BatchHead {
                chain_id: chain,
                from_seq: from,
                to_seq: to,
                merkle_root: hex::encode(merkle_root(&leaves)),
                head_content_sha256: last.get(0),
                head_chain_hmac: last.get(1),
                hmac_key_id: b.get(2),
                committed_at_us: b.get(3),
            };
            env.tamper(&format!(
                "UPDATE audit_ledger_batches SET merkle_root = '{}', head_content_sha256 = '{}', head_chain_hmac = '{}', \
                 signature = '{}' WHERE chain_id = {chain} AND to_seq = {to}",
                head.merkle_root,
                head.head_content_sha256,
                head.head_chain_hmac,
                head_key.sign_hex(&head.signed_message())
            ));
        }
    }
}

#[test]
fn verify_names_every_kind_of_tampering_on_a_200k_row_ledger() {
    let env = TestEnv::new("tamper_verify");
    // 8 zones: 8 chains of about 25 000 rows, each tampered with in its own way below.
    env.emit(&["--count", "200000", "--zones", "8", "--seed", "11", "--invalid-ratio", "0", "--duplicate-ratio", "0"]);
    env.run_until_drained(&[], LIMIT);
    let rows: i64 = env.query("SELECT count(*) FROM audit_events")[0].get(0);
    assert_eq!(rows, 200_000);
    assert_clean(&env, rows);
    let (code, report) = verify(&env, &["--against-archive"]);
    assert_eq!((code, findings(&report)), (0, vec![]), "the archive agrees with the ledger");
    assert_eq!(report["archive"]["rows"].as_i64(), Some(rows), "every row was compared with the archive");

    // 1. One column of one row edited.
    let id = one_value(&env, "SELECT id FROM audit_events WHERE chain_id = 1 AND chain_seq = 500");
    let zone = one_value(&env, "SELECT zone_id FROM audit_events WHERE chain_id = 1 AND chain_seq = 500");
    env.tamper("UPDATE audit_events SET zone_id = zone_id || '-x' WHERE chain_id = 1 AND chain_seq = 500");
    let (code, report) = verify(&env, &[]);
    assert_eq!(code, 1);
    assert_eq!(findings(&report), vec![("content_mismatch".into(), 1, 500, Some(id.clone()))]);
    // --zone walks that zone's chain alone: the edited row is in it, whatever its zone
    // column now says; another zone's chain is clean.
    let (code, report) = verify(&env, &["--zone", &zone]);
    assert_eq!((code, findings(&report)), (1, vec![("content_mismatch".into(), 1, 500, Some(id.clone()))]));
    let other = one_value(&env, "SELECT zone_id FROM audit_zone_chains WHERE chain_id <> 1 ORDER BY chain_id LIMIT 1");
    let (code, report) = verify(&env, &["--zone", &other]);
    assert_eq!((code, findings(&report)), (0, vec![]), "another zone's chain holds no finding");
    env.tamper(&format!("UPDATE audit_events SET zone_id = '{zone}' WHERE chain_id = 1 AND chain_seq = 500"));
    assert_clean(&env, rows);

    // 2. A row deleted.
    let id = one_value(&env, "SELECT id FROM audit_events WHERE chain_id = 2 AND chain_seq = 700");
    env.tamper(
        "CREATE TABLE saved AS SELECT * FROM audit_events WHERE chain_id = 2 AND chain_seq = 700; \
         DELETE FROM audit_events WHERE chain_id = 2 AND chain_seq = 700",
    );
    let (code, report) = verify(&env, &[]);
    assert_eq!(code, 1);
    let found = findings(&report);
    assert!(found.contains(&("missing_rows".into(), 2, 700, Some(id.clone()))), "the deleted row is named: {found:?}");
    assert!(found.iter().all(|f| f.1 == 2 && f.2 <= 700), "only chain 2 up to the gap: {found:?}");
    env.tamper("INSERT INTO audit_events SELECT * FROM saved; DROP TABLE saved");
    assert_clean(&env, rows);

    // 3. A row inserted with a forged chain (no HMAC key: the attacker guesses).
    let head: i64 = env.query("SELECT max(chain_seq) FROM audit_events WHERE chain_id = 3")[0].get(0);
    env.tamper(&format!(
        "INSERT INTO audit_events (id, zone_id, event_type, decision, occurred_at, content_sha256, prev_content_sha256, \
         chain_hmac, chain_seq, chain_id) SELECT 'forged-1', zone_id, 'token_exchange', 'allow', occurred_at, \
         content_sha256, content_sha256, repeat('0', 64), {next}, 3 FROM audit_events WHERE chain_id = 3 AND chain_seq = {head}",
        next = head + 1
    ));
    let (code, report) = verify(&env, &[]);
    assert_eq!(code, 1);
    let found = findings(&report);
    assert!(found.contains(&("hmac_mismatch".into(), 3, head + 1, Some("forged-1".into()))), "{found:?}");
    assert!(found.contains(&("extra_rows".into(), 3, head + 1, None)), "not covered by a signed head: {found:?}");
    assert!(found.iter().all(|f| f.1 == 3 && f.2 == head + 1), "nothing else: {found:?}");
    env.tamper("DELETE FROM audit_events WHERE id = 'forged-1'");
    assert_clean(&env, rows);

    // 4. Two rows swapped.
    let id = one_value(&env, "SELECT id FROM audit_events WHERE chain_id = 4 AND chain_seq = 301");
    let swap = "UPDATE audit_events SET chain_seq = CASE chain_seq WHEN 300 THEN 301 ELSE 300 END \
                WHERE chain_id = 4 AND chain_seq IN (300, 301)";
    env.tamper(swap);
    let (code, report) = verify(&env, &[]);
    assert_eq!(code, 1);
    let found = findings(&report);
    let first_break = found.iter().find(|f| f.0 == "chain_break").expect("a chain break");
    assert_eq!(first_break, &("chain_break".to_string(), 4, 300, Some(id)), "the first broken position: {found:?}");
    env.tamper(swap);
    assert_clean(&env, rows);

    // 5. A whole chain recomputed with the HMAC key: links and HMACs hold, the signed head
    //    of the batch holding the changed row does not.
    env.tamper("CREATE TABLE saved AS SELECT * FROM audit_events WHERE chain_id = 5");
    env.tamper("CREATE TABLE saved_ids AS SELECT * FROM audit_event_ids WHERE chain_id = 5");
    rewrite_chain(&env, 5, 1000, None);
    let batch_from: i64 = env
        .query("SELECT from_seq FROM audit_ledger_batches WHERE chain_id = 5 AND from_seq <= 1000 AND to_seq >= 1000")
        [0]
    .get(0);
    let (code, report) = verify(&env, &[]);
    assert_eq!(code, 1);
    let found = findings(&report);
    assert!(
        found.iter().all(|f| f.0 == "head_signature_invalid" && f.1 == 5 && f.2 >= batch_from),
        "only signed heads fail, from the batch holding position 1000 on: {found:?}"
    );
    assert_eq!(found.first().map(|f| f.2), Some(batch_from), "the first broken position: {found:?}");
    let restore_chain_5 = "DELETE FROM audit_events WHERE chain_id = 5; INSERT INTO audit_events SELECT * FROM saved; \
         DELETE FROM audit_event_ids WHERE chain_id = 5; INSERT INTO audit_event_ids SELECT * FROM saved_ids";
    env.tamper(restore_chain_5);
    assert_clean(&env, rows);

    // 6. The same by someone who also holds the head key and re-signs: the ledger agrees
    //    with itself, not with the archive, which names the exact row.
    env.tamper("CREATE TABLE saved_batches AS SELECT * FROM audit_ledger_batches WHERE chain_id = 5");
    rewrite_chain(&env, 5, 1000, Some(&head_key(&env)));
    let changed = one_value(&env, "SELECT id FROM audit_events WHERE chain_id = 5 AND chain_seq = 1000");
    let (code, report) = verify(&env, &[]);
    assert_eq!((code, findings(&report)), (0, vec![]), "with both ledger keys a rewrite is consistent in the ledger");
    let (code, report) = verify(&env, &["--against-archive"]);
    assert_eq!(code, 1);
    let found = findings(&report);
    assert!(
        found.contains(&("archive_mismatch".into(), 5, 1000, Some(changed))),
        "the archive names the rewritten row: {found:?}"
    );
    env.tamper(&format!(
        "{restore_chain_5}; DELETE FROM audit_ledger_batches WHERE chain_id = 5; \
         INSERT INTO audit_ledger_batches SELECT * FROM saved_batches; DROP TABLE saved; DROP TABLE saved_ids; \
         DROP TABLE saved_batches"
    ));
    assert_clean(&env, rows);

    // Usage errors exit 2, an unreachable database 3.
    let out = env.output(&["verify", "--since", "yesterday-ish"]);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--since"));
    let mut cmd = env.command(&["verify"]);
    cmd.env("AUDITFLOW_DATABASE_URL", "postgres://postgres@127.0.0.1:1/nothing");
    let out = cmd.output().expect("run");
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    // A time window checks only the batches committed in it.
    let (code, report) = verify(&env, &["--since", "2000-01-01", "--until", "2000-01-02"]);
    assert_eq!((code, report["rows"].as_i64()), (0, Some(0)));
}

#[test]
fn the_writer_role_cannot_change_evidence_and_verify_privileges_sees_every_hole() {
    let env = TestEnv::new("tamper_privileges");
    env.emit(&["--count", "2000", "--seed", "12"]);
    env.run_until_drained(&[], LIMIT);
    let out = env.output(&["verify", "--privileges"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));

    let client = env.pg();
    let refused = |sql: &str| -> tokio_postgres::error::DbError {
        let e = env.runtime.block_on(client.batch_execute(sql)).expect_err(sql);
        e.as_db_error().unwrap_or_else(|| panic!("{sql}: {e}")).clone()
    };
    // As the writer role the pipeline uses: refused by privilege.
    for sql in [
        "UPDATE audit_events SET decision = 'allow'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
        "UPDATE audit_event_ids SET content_sha256 = ''",
        "DELETE FROM audit_ledger_batches",
        "TRUNCATE audit_events_default",
        "DROP TABLE audit_events_default",
    ] {
        let e = refused(&format!("SET ROLE auditflow_writer; {sql}"));
        env.runtime.block_on(client.batch_execute("RESET ROLE")).expect("reset role");
        assert_eq!(e.code().code(), "42501", "{sql}: {}", e.message());
        assert!(
            e.message().contains("permission denied") || e.message().contains("must be owner"),
            "{sql}: {}",
            e.message()
        );
    }
    // As the owner (superuser) with triggers in force: refused by trigger.
    let partition: String = env.query(
        "SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'audit_events'::regclass \
         AND inhrelid::regclass::text <> 'audit_events_default' LIMIT 1",
    )[0]
    .get(0);
    for sql in [
        "UPDATE audit_events SET decision = 'allow' WHERE chain_seq = 1".to_string(),
        "DELETE FROM audit_events WHERE chain_seq = 1".to_string(),
        "TRUNCATE audit_events".to_string(),
        format!("TRUNCATE {partition}"),
        "DELETE FROM audit_event_ids".to_string(),
        "UPDATE audit_ledger_batches SET signature = ''".to_string(),
        "TRUNCATE audit_ingest_alerts".to_string(),
    ] {
        let e = refused(&sql);
        assert!(e.message().contains("the audit ledger is append-only"), "{sql}: {}", e.message());
    }
    let count: i64 = env.query("SELECT count(*) FROM audit_events")[0].get(0);
    assert!(count > 1900, "nothing was removed: {count}");

    // Holes verify --privileges must see.
    let check = |expect: &[(&str, &str)]| {
        let out = env.output(&["verify", "--privileges", "--json"]);
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        let found: Vec<(String, String)> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| (f["kind"].as_str().unwrap_or("").to_owned(), f["object"].as_str().unwrap_or("").to_owned()))
            .collect();
        for (kind, object) in expect {
            assert!(found.contains(&(kind.to_string(), object.to_string())), "{kind} on {object} in {found:?}");
        }
        assert_eq!(out.status.code(), Some(if expect.is_empty() { 0 } else { 1 }), "{found:?}");
    };
    env.query("GRANT UPDATE ON audit_events TO auditflow_writer");
    check(&[("grant_too_wide", "audit_events")]);
    env.query("REVOKE UPDATE ON audit_events FROM auditflow_writer");
    env.query("GRANT DELETE ON audit_event_ids TO PUBLIC");
    check(&[("grant_too_wide", "audit_event_ids")]);
    env.query("REVOKE DELETE ON audit_event_ids FROM PUBLIC");
    env.query("DROP TRIGGER auditflow_append_only ON audit_ledger_batches");
    check(&[("trigger_missing", "audit_ledger_batches")]);
    env.query(&format!("DROP TRIGGER auditflow_no_truncate ON {partition}"));
    env.query("ALTER TABLE audit_events DISABLE TRIGGER auditflow_append_only");
    check(&[("trigger_missing", &partition), ("trigger_disabled", "audit_events")]);
}

#[test]
fn the_background_sweep_raises_one_alert_per_finding() {
    let env = TestEnv::new("tamper_sweep");
    env.emit(&["--count", "3000", "--seed", "13"]);
    env.run_until_drained(&[], LIMIT);
    // Tampered before the run: the full sweep at start-up finds it.
    let before = one_value(&env, "SELECT id FROM audit_events WHERE chain_id = 0 AND chain_seq = 5");
    env.tamper("UPDATE audit_events SET decision = 'tampered' WHERE chain_id = 0 AND chain_seq = 5");
    let mut run = env.spawn_run(&["--tamper-sweep-interval-secs", "1"], &[]);
    let alert = |kind: &str, id: &str| -> bool {
        !env.query(&format!(
            "SELECT 1 FROM audit_ingest_alerts WHERE kind = '{kind}' AND event_id = '{id}' AND src_stream = 'ledger'"
        ))
        .is_empty()
    };
    let wait_for = |what: &dyn Fn() -> bool, label: &str| {
        let started = Instant::now();
        while !what() {
            assert!(started.elapsed() < Duration::from_secs(60), "{label} not raised; log:\n{}", env.log_tail());
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    wait_for(&|| alert("content_mismatch", &before), "alert for the row tampered before start-up");
    // Tampered while running: the rolling sweep (recent batches) finds it.
    let during = one_value(&env, "SELECT id FROM audit_events WHERE chain_id = 1 AND chain_seq = 7");
    env.tamper("UPDATE audit_events SET prev_content_sha256 = repeat('f', 64) WHERE chain_id = 1 AND chain_seq = 7");
    wait_for(&|| alert("chain_break", &during), "alert for the row tampered while running");
    // Later sweeps see the same findings again but raise no second alert.
    std::thread::sleep(Duration::from_secs(3));
    let status = terminate(&mut run, Duration::from_secs(30));
    assert!(status.success(), "run failed; log:\n{}", env.log_tail());
    // One alert per finding `verify` reports on those rows (the changed link also fails the
    // row's HMAC, which covers it): each raised once, however many sweeps saw it.
    let alerts: Vec<(String, String)> = env
        .query(&format!(
            "SELECT kind, event_id FROM audit_ingest_alerts WHERE src_stream = 'ledger' \
             AND event_id IN ('{before}', '{during}') ORDER BY 1, 2"
        ))
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let (_, report) = verify(&env, &[]);
    let mut expected: Vec<(String, String)> = findings(&report)
        .into_iter()
        .filter_map(|(kind, _, _, id)| id.filter(|id| *id == before || *id == during).map(|id| (kind, id)))
        .collect();
    expected.sort();
    assert_eq!(alerts, expected, "one alert per finding");
    let log = std::fs::read_to_string(env.dir.join("run.log")).unwrap_or_default();
    assert!(log.contains("tamper sweep found problems"), "the sweep logs its findings");
}
