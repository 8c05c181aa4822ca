//! Adopting Caracal's audit ledger (issue 17): a database laid out like Caracal's
//! (tests/data/caracal-audit-layout.sql) with rows a test-side writer adds the way Caracal's
//! service does (its content hash, its `chain_hmac` under `AUDIT_HMAC_KEY`, `chain_seq` per
//! zone) is migrated, then `run` ingests new events. No old row changes (a dump before and
//! after), each zone's chain continues from Caracal's head, `verify` is clean and says which
//! algorithm holds where, an edited Caracal row and an edited new row are each named, an event
//! Caracal already stored is a duplicate when re-delivered and a tampered replay when altered,
//! and a Caracal ledger that is already broken is reported, not adopted.

use crate::common::{TestEnv, HMAC_KEY};
use auditflow_schemas::caracal::{chain_hmac_message, content_sha256, CaracalFields};
use auditflow_schemas::keyring::Keyring;
use std::collections::HashMap;
use std::time::Duration;

const ZONES: [&str; 3] = ["zone-a", "zone-b", "zone-c"];
const CARACAL_ROWS: usize = 2_000;

/// One row as Caracal's writer would store it, before chaining.
fn caracal_row(zone: &str, n: usize, metadata: &str, at: chrono::DateTime<chrono::Utc>) -> CaracalFields {
    CaracalFields {
        id: format!("car-{zone}-{n:05}"),
        zone_id: zone.to_owned(),
        event_type: if n.is_multiple_of(3) { "gateway_resource_request" } else { "token_exchange" }.to_owned(),
        request_id: format!("req-{zone}-{}", n / 2),
        decision: if n.is_multiple_of(5) { "deny" } else { "allow" }.to_owned(),
        policy_set_id: "ps-1".into(),
        policy_set_version_id: "psv-1".into(),
        manifest_sha: "m1".into(),
        evaluation_status: "complete".into(),
        determining_policies_json: None,
        diagnostics_json: None,
        metadata_json: Some(metadata.to_owned()),
        occurred_at_nanos: i128::from(at.timestamp_micros()) * 1000,
    }
}

/// Creates the Caracal-like database and writes `CARACAL_ROWS` rows per zone with Caracal's
/// algorithm. Returns the rows by id with their time.
fn build_caracal_ledger(env: &TestEnv) -> HashMap<String, (CaracalFields, chrono::DateTime<chrono::Utc>)> {
    let admin = env.admin_pg();
    env.runtime.block_on(admin.batch_execute(&format!("CREATE DATABASE \"{}\"", env.database))).expect("create");
    let layout =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/caracal-audit-layout.sql"))
            .expect("tests/data/caracal-audit-layout.sql");
    let mut client = env.pg();
    env.runtime.block_on(client.batch_execute(&layout)).expect("Caracal's layout");
    let key = Keyring::single_hex("default", HMAC_KEY).expect("key");
    let start = chrono::Utc::now() - chrono::Duration::hours(2);
    let mut rows = HashMap::new();
    env.runtime.block_on(async {
        // jsonb's own text form, as Caracal stores and hashes it.
        let mut metadata_text = Vec::new();
        for s in 0..7 {
            let raw =
                format!(r#"{{"session_id": "sess-{s}", "agent_session_id": "agent-{s}", "application_id": "app"}}"#);
            let row = client.query_one("SELECT $1::text::jsonb::text", &[&raw]).await.expect("jsonb text");
            metadata_text.push(row.get::<_, String>(0));
        }
        let tx = client.transaction().await.expect("begin");
        tx.batch_execute("SET LOCAL caracal.zone_id = '*'").await.expect("zone");
        let insert = tx
            .prepare(
                "INSERT INTO audit_events (id, zone_id, event_type, request_id, decision, policy_set_id, \
                 policy_set_version_id, manifest_sha, evaluation_status, metadata_json, occurred_at, content_sha256, \
                 prev_content_sha256, chain_hmac, chain_seq, ingest_signature) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::jsonb, $11, $12, $13, $14, $15, 'sig')",
            )
            .await
            .expect("prepare");
        for zone in ZONES {
            let mut prev: Option<String> = None;
            for n in 1..=CARACAL_ROWS {
                let at = start + chrono::Duration::milliseconds(n as i64 * 7);
                let at = chrono::DateTime::from_timestamp_micros(at.timestamp_micros()).expect("µs");
                let row = caracal_row(zone, n, &metadata_text[n % 7], at);
                let content = content_sha256(&row);
                let hmac = key.sign("default", chain_hmac_message(&content, prev.as_deref()).as_bytes()).expect("hmac");
                tx.execute(
                    &insert,
                    &[
                        &row.id,
                        &row.zone_id,
                        &row.event_type,
                        &row.request_id,
                        &row.decision,
                        &row.policy_set_id,
                        &row.policy_set_version_id,
                        &row.manifest_sha,
                        &row.evaluation_status,
                        &row.metadata_json,
                        &at,
                        &content,
                        &prev,
                        &hmac,
                        &(n as i64),
                    ],
                )
                .await
                .expect("insert a Caracal row");
                prev = Some(content);
                rows.insert(row.id.clone(), (row, at));
            }
        }
        tx.commit().await.expect("commit");
    });
    rows
}

/// Every Caracal column of Caracal's rows, as text, in chain order.
fn dump_caracal_rows(env: &TestEnv) -> Vec<String> {
    env.query(
        "SELECT concat_ws('|', id, zone_id, event_type, request_id, decision, policy_set_id, policy_set_version_id, \
         manifest_sha, evaluation_status, determining_policies_json::text, diagnostics_json::text, \
         metadata_json::text, occurred_at::text, ingested_at::text, content_sha256, prev_content_sha256, chain_hmac, \
         chain_seq::text, ingest_signature) FROM audit_events WHERE id LIKE 'car-%' ORDER BY zone_id, chain_seq",
    )
    .iter()
    .map(|r| r.get(0))
    .collect()
}

fn verify(env: &TestEnv, extra: &[&str]) -> (i32, serde_json::Value, String) {
    let mut args = vec!["verify", "--json"];
    args.extend_from_slice(extra);
    let out = env.output(&args);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("verify --json: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap_or(-1), report, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn findings(report: &serde_json::Value) -> Vec<(String, Option<String>, String)> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().expect("kind").to_owned(),
                f["row_id"].as_str().map(str::to_owned),
                f["detail"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Publishes an event Caracal stored, re-signed as a producer would send it again.
fn republish(env: &TestEnv, row: &CaracalFields, at: chrono::DateTime<chrono::Utc>, decision: &str) {
    let metadata: serde_json::Value =
        serde_json::from_str(row.metadata_json.as_deref().expect("metadata")).expect("metadata json");
    let data = serde_json::json!({
        "id": row.id, "zone_id": row.zone_id, "event_type": row.event_type, "request_id": row.request_id,
        "decision": decision, "policy_set_id": row.policy_set_id, "policy_set_version_id": row.policy_set_version_id,
        "manifest_sha": row.manifest_sha, "evaluation_status": row.evaluation_status, "metadata_json": metadata,
        "occurred_at": at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    })
    .to_string();
    env.publish_signed(&data);
}

#[test]
fn a_caracal_ledger_is_adopted_without_changing_a_row_and_its_chains_continue() {
    let env = TestEnv::new("adopt");
    let caracal = build_caracal_ledger(&env);
    let before = dump_caracal_rows(&env);
    assert_eq!(before.len(), ZONES.len() * CARACAL_ROWS);

    // `run` does not adopt behind the operator's back: it names the command that does.
    let out = env.output(&["run", "--exit-when-drained"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("auditflow migrate") && stderr.contains("Caracal"), "{stderr}");

    // A Caracal ledger that is already broken is reported and left alone.
    let broken = "car-zone-b-00777";
    env.tamper(&format!("UPDATE audit_events SET decision = 'allow-edited' WHERE id = '{broken}'"));
    let out = env.output(&["migrate"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("content_mismatch at position 777") && stdout.contains("zone-b"), "{stdout}");
    let untouched = env.query("SELECT to_regclass('auditflow_schema_migrations') IS NULL")[0].get::<_, bool>(0);
    assert!(untouched, "a refused adoption creates nothing");
    let decision = &caracal[broken].0.decision;
    env.tamper(&format!("UPDATE audit_events SET decision = '{decision}' WHERE id = '{broken}'"));

    // Adoption.
    let out = env.output(&["migrate"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains(&format!("{} rows in 3 zones", ZONES.len() * CARACAL_ROWS)), "{stdout}");
    assert!(stdout.contains("adopted: 3 zones"), "{stdout}");
    assert_eq!(dump_caracal_rows(&env), before, "adoption changes no row");

    // New events in the same zones, one re-delivery of an event Caracal stored, one altered.
    let manifest = env.emit(&[
        "--count",
        "3000",
        "--zone",
        "zone-a",
        "--zone",
        "zone-b",
        "--zone",
        "zone-c",
        "--invalid-ratio",
        "0",
        "--duplicate-ratio",
        "0",
        "--seed",
        "41",
    ]);
    let (same, same_at) = &caracal["car-zone-a-00010"];
    republish(&env, same, *same_at, &same.decision);
    let (altered, altered_at) = &caracal["car-zone-c-00020"];
    republish(&env, altered, *altered_at, "deny-altered");
    env.run_until_drained(&["--workers", "2"], Duration::from_secs(300));

    assert_eq!(dump_caracal_rows(&env), before, "ingesting after adoption changes no Caracal row");
    let new_rows: i64 = env.query("SELECT count(*) FROM audit_events WHERE chain_id IS NOT NULL")[0].get(0);
    assert_eq!(new_rows as usize, manifest.len(), "every new event once; the re-delivered ones not again");
    let dlq = env.dlq_entries();
    assert_eq!(dlq.len(), 1, "one dead letter: {dlq:?}");
    assert!(dlq[0].1.starts_with("tamper_on_replay"), "{dlq:?}");
    let alerts = env.query("SELECT zone_id, event_id FROM audit_ingest_alerts WHERE kind = 'tamper_on_replay'");
    assert_eq!(alerts.len(), 1);
    assert_eq!((alerts[0].get::<_, String>(0), alerts[0].get::<_, String>(1)), ("zone-c".into(), altered.id.clone()));

    // Each zone's chain continues from Caracal's head: seq n+1, prev = the head's hash; gapless.
    for zone in ZONES {
        let r = &env.query(&format!(
            "SELECT count(*), count(DISTINCT chain_seq), max(chain_seq), \
                    min(chain_seq) FILTER (WHERE chain_id IS NOT NULL) \
             FROM audit_events WHERE zone_id = '{zone}'"
        ))[0];
        let (n, distinct, max, first_new): (i64, i64, i64, i64) = (r.get(0), r.get(1), r.get(2), r.get(3));
        assert!(n == distinct && n == max, "zone {zone}: {n} rows, {distinct} positions, head {max}");
        assert_eq!(first_new, CARACAL_ROWS as i64 + 1, "zone {zone} continues after Caracal's head");
        let link = &env.query(&format!(
            "SELECT n.prev_content_sha256 = c.content_sha256 FROM audit_events n, audit_events c \
             WHERE n.zone_id = '{zone}' AND c.zone_id = '{zone}' AND n.chain_seq = {} AND c.chain_seq = {}",
            CARACAL_ROWS + 1,
            CARACAL_ROWS
        ))[0];
        assert!(link.get::<_, bool>(0), "zone {zone}: the first new row links to Caracal's head");
    }

    // verify covers both parts and says which algorithm holds where.
    let (code, report, stderr) = verify(&env, &[]);
    assert_eq!((code, findings(&report)), (0, vec![]), "{stderr}");
    let notes = report["notes"].to_string();
    assert!(notes.contains(&format!("positions 1..={CARACAL_ROWS} Caracal's")), "{notes}");
    assert!(notes.contains(&format!("positions {}..=", CARACAL_ROWS + 1)), "{notes}");
    let total: i64 = env.query("SELECT count(*) FROM audit_events")[0].get(0);
    assert_eq!(report["rows"].as_i64(), Some(total), "every row checked, Caracal's and auditflow's");
    let (code, report, _) = verify(&env, &["--zone", "zone-b"]);
    assert_eq!((code, findings(&report)), (0, vec![]));
    let zone_rows: i64 = env.query("SELECT count(*) FROM audit_events WHERE zone_id = 'zone-b'")[0].get(0);
    assert_eq!(report["rows"].as_i64(), Some(zone_rows), "verify --zone reads that zone's rows alone");

    // An edited Caracal row and an edited new row are each named.
    env.tamper("UPDATE audit_events SET decision = 'deny' WHERE id = 'car-zone-a-01234'");
    let new_id: String =
        env.query("SELECT id FROM audit_events WHERE zone_id = 'zone-b' AND chain_id IS NOT NULL LIMIT 1")[0].get(0);
    env.tamper(&format!("UPDATE audit_events SET request_id = 'edited' WHERE id = '{new_id}'"));
    let (code, report, _) = verify(&env, &[]);
    assert_eq!(code, 1);
    let found = findings(&report);
    let named = |id: &str| {
        found.iter().filter(|(kind, row, _)| kind == "content_mismatch" && row.as_deref() == Some(id)).count()
    };
    assert_eq!(named("car-zone-a-01234"), 1, "{found:?}");
    assert_eq!(named(&new_id), 1, "{found:?}");
    assert!(
        found.iter().any(
            |(_, row, detail)| row.as_deref() == Some("car-zone-a-01234") && detail.contains("Caracal's algorithm")
        ),
        "the Caracal row's finding says which algorithm: {found:?}"
    );
}
