//! A fresh Caracal install either way round (issue 33): whether Caracal's migrations run
//! before `auditflow migrate` or after it, the ledger ends up Caracal's layout adopted by
//! auditflow, and Caracal's API role reads what auditflow wrote with the grants and the
//! row-level security it has on Caracal's layout: every zone's rows under `caracal.zone_id =
//! '*'`, one zone's under that zone, nothing it may not, and no write.

use crate::common::TestEnv;
use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(180);

fn caracal_layout() -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/caracal-audit-layout.sql"))
        .expect("tests/data/caracal-audit-layout.sql")
}

fn create_database(env: &TestEnv) {
    let admin = env.admin_pg();
    env.runtime.block_on(admin.batch_execute(&format!("CREATE DATABASE \"{}\"", env.database))).expect("create");
}

/// Emits events over three zones, drains them and checks they landed exactly once.
fn ingest(env: &TestEnv) -> BTreeMap<String, i64> {
    let manifest = env.emit(&["--count", "300", "--zones", "3", "--seed", "33"]);
    env.run_until_drained(&[], LIMIT);
    env.assert_exactly_once(&manifest);
    env.query("SELECT zone_id, count(*) FROM audit_events GROUP BY 1").iter().map(|r| (r.get(0), r.get(1))).collect()
}

/// Reads the ledger as Caracal's API does: role `caracalapi`, the zone in `caracal.zone_id`.
fn read_as_caracal_api(env: &TestEnv, per_zone: &BTreeMap<String, i64>) {
    assert!(per_zone.len() >= 2, "the events cover too few zones: {per_zone:?}");
    let client = env.pg();
    env.runtime.block_on(async {
        client.batch_execute("SET ROLE caracalapi").await.expect("caracalapi");
        let count = |zone: &str| {
            let client = &client;
            let zone = zone.to_owned();
            async move {
                client.execute("SELECT set_config('caracal.zone_id', $1, false)", &[&zone]).await.expect("zone");
                client
                    .query_one("SELECT count(*) FROM audit_events", &[])
                    .await
                    .unwrap_or_else(|e| panic!("caracalapi cannot read audit_events under {zone}: {e}"))
                    .get::<_, i64>(0)
            }
        };
        assert_eq!(count("*").await, per_zone.values().sum::<i64>(), "zone '*' sees every row");
        for (zone, rows) in per_zone {
            assert_eq!(count(zone).await, *rows, "zone {zone} sees its own rows only");
        }
        assert_eq!(count("zone-nobody").await, 0, "an unknown zone sees nothing");
        // Caracal's console path: the zone list with its filters, by the same role.
        let (zone, rows) = per_zone.iter().next().expect("a zone");
        client.execute("SELECT set_config('caracal.zone_id', $1, false)", &[zone]).await.expect("zone");
        let listed = client
            .query(
                "SELECT id FROM audit_events WHERE zone_id = $1 ORDER BY occurred_at DESC, id DESC LIMIT 1000",
                &[zone],
            )
            .await
            .expect("the zone list");
        assert_eq!(listed.len() as i64, (*rows).min(1000));
        let insert = client
            .execute(
                "INSERT INTO audit_events (id, zone_id, event_type, occurred_at, content_sha256, chain_hmac, chain_seq) \
                 VALUES ('forged', $1, 'x', now(), 'x', 'x', 1)",
                &[zone],
            )
            .await
            .expect_err("caracalapi wrote to the ledger");
        assert_eq!(insert.code().map(|c| c.code()), Some("42501"), "{insert}");
        // The console's retention setting stays the API's to write.
        client.batch_execute("SELECT set_config('caracal.zone_id', '*', false)").await.expect("zone");
        client
            .execute(
                "INSERT INTO audit_retention (retention_days, updated_by) VALUES (90, 'console') \
                 ON CONFLICT (singleton) DO UPDATE SET retention_days = excluded.retention_days",
                &[],
            )
            .await
            .expect("caracalapi writes audit_retention");
    });
}

#[test]
fn caracals_migrations_first_then_auditflow_adopts_and_caracals_api_reads_the_ledger() {
    let env = TestEnv::new("install_caracal_first");
    create_database(&env);
    env.runtime.block_on(env.pg().batch_execute(&caracal_layout())).expect("Caracal's migrations");
    let out = env.output(&["migrate", "--wait-for-caracal", "60"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "migrate: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("adopted"), "{stdout}");
    assert!(!stdout.contains("waiting"), "nothing to wait for: {stdout}");
    let per_zone = ingest(&env);
    read_as_caracal_api(&env, &per_zone);
}

#[test]
fn auditflow_first_waits_for_caracals_migrations_then_adopts_and_caracals_api_reads_the_ledger() {
    let env = TestEnv::new("install_auditflow_first");
    create_database(&env);
    let mut migrate = env.command(&["migrate", "--wait-for-caracal", "120"]);
    let mut child = migrate.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("migrate");
    // auditflow creates nothing Caracal's baseline would then fail on.
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        assert!(child.try_wait().expect("wait").is_none(), "migrate did not wait for Caracal's migrations");
        std::thread::sleep(Duration::from_millis(200));
    }
    let tables: Vec<String> = env
        .query("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(tables.is_empty(), "auditflow created tables before Caracal's migrations ran: {tables:?}");
    // Caracal's migration job runs now, unchanged: its CREATE TABLEs find nothing in the way.
    env.runtime.block_on(env.pg().batch_execute(&caracal_layout())).expect("Caracal's migrations after auditflow's");
    while child.try_wait().expect("wait").is_none() {
        assert!(started.elapsed() < LIMIT, "migrate did not finish after Caracal's migrations ran");
        std::thread::sleep(Duration::from_millis(200));
    }
    let out = child.wait_with_output().expect("migrate's output");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "migrate: {stdout}{stderr}");
    assert!(stdout.contains("waiting for Caracal's migrations"), "{stdout}");
    assert!(stdout.contains("adopted"), "{stdout}");
    let per_zone = ingest(&env);
    read_as_caracal_api(&env, &per_zone);
}

#[test]
fn waiting_for_caracals_migrations_ends_with_a_clear_error_and_changes_nothing() {
    let env = TestEnv::new("install_no_caracal");
    create_database(&env);
    let out = env.output(&["migrate", "--wait-for-caracal", "2"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("Caracal's migrations did not create audit_events within 2 s"), "{stderr}");
    let tables = env.query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'");
    assert_eq!(tables[0].get::<_, i64>(0), 0, "auditflow changed the database");
}
