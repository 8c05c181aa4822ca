//! Retention and legal holds (SPEC §3, issue: operations surface) on a real Postgres: months
//! past the retention are dropped, a held month is kept, `--dry-run` changes nothing, the
//! ledger and the archive still verify over the retired positions, a re-delivered event of
//! a retired month is not written again, a SIGKILL between two drops loses and doubles
//! nothing, and `run` applies retention by itself.

use crate::common::{terminate, TestEnv};
use chrono::{Datelike, Months, NaiveDate, Utc};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(180);

/// The first day of the month `back` months before this one.
fn month_back(back: u32) -> NaiveDate {
    let today = Utc::now().date_naive();
    let first = NaiveDate::from_ymd_opt(today.year(), today.month(), 1).expect("first of month");
    first.checked_sub_months(Months::new(back)).expect("month")
}

fn partition(month: NaiveDate) -> String {
    format!("audit_events_y{:04}m{:02}", month.year(), month.month())
}

/// Three old months (past a 365-day retention, within the 24 months back that get partitions)
/// and the current one, 120 entries each, seeded apart so their ids differ.
fn old_months() -> [NaiveDate; 3] {
    [month_back(16), month_back(15), month_back(14)]
}

fn emit_months(env: &TestEnv) -> Vec<(String, String, String)> {
    let mut manifest = Vec::new();
    for (i, month) in old_months().iter().enumerate() {
        let start = format!("{month}T03:00:00Z");
        let seed = (i + 1).to_string();
        manifest.extend(env.emit(&["--count", "120", "--seed", &seed, "--start-time", &start]));
    }
    manifest.extend(env.emit(&["--count", "120", "--seed", "9"]));
    manifest
}

/// Ledger rows per partition.
fn rows_by_partition(env: &TestEnv) -> BTreeMap<String, i64> {
    env.query("SELECT tableoid::regclass::text, count(*) FROM audit_events GROUP BY 1")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

fn partitions(env: &TestEnv) -> Vec<String> {
    env.query(
        "SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid \
         WHERE i.inhparent = 'audit_events'::regclass ORDER BY 1",
    )
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// `(partition, rows, requested_by)` of every recorded drop, in order.
fn drops(env: &TestEnv) -> Vec<(String, i64, String)> {
    env.query("SELECT partition_name, rows_dropped, requested_by FROM audit_retention_drops ORDER BY id")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

fn json_of(out: &std::process::Output, what: &str) -> serde_json::Value {
    assert!(out.status.success(), "{what} failed ({}): {}", out.status, String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{what} printed no JSON: {e}"))
}

/// The decision `retention apply --json` reports for `partition`.
fn action(report: &serde_json::Value, partition: &str) -> String {
    report["months"]
        .as_array()
        .expect("months")
        .iter()
        .find(|m| m["partition"] == partition)
        .unwrap_or_else(|| panic!("{partition} is not in the report: {report}"))["action"]
        .as_str()
        .expect("action")
        .to_owned()
}

/// `verify --against-archive` and `verify-export` both pass; returns how many positions
/// verify counted retired.
fn assert_verifies(env: &TestEnv) -> u64 {
    let out = env.output(&["verify", "--json", "--against-archive"]);
    let report = json_of(&out, "verify");
    assert_eq!(report["findings"].as_array().map(Vec::len), Some(0), "verify findings: {report}");
    let out = env.output(&["verify-export", "--json"]);
    let export = json_of(&out, "verify-export");
    assert_eq!(out.status.code(), Some(0), "verify-export: {export}");
    report["retired"].as_u64().expect("retired count")
}

fn total_rows(env: &TestEnv) -> i64 {
    env.query("SELECT count(*) FROM audit_events")[0].get(0)
}

/// Places a legal hold on zone-1 from `from` for `days` days.
fn hold_zone_1(env: &TestEnv, from: NaiveDate, days: i64, reason: &str) {
    let (from, until) = (format!("{from}T00:00:00Z"), format!("{}T00:00:00Z", from + chrono::Duration::days(days)));
    let out = env.output(&[
        "legal-hold",
        "add",
        "--zone",
        "zone-1",
        "--from",
        &from,
        "--until",
        &until,
        "--reason",
        reason,
        "--by",
        "counsel@example.com",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn retention_drops_old_months_keeps_held_ones_and_dry_run_changes_nothing() {
    let env = TestEnv::new("retention_apply");
    let manifest = emit_months(&env);
    env.run_until_drained(&[], LIMIT);
    env.assert_exactly_once(&manifest);
    let [first, held, third] = old_months();
    let before = rows_by_partition(&env);
    for m in old_months() {
        assert!(before.get(&partition(m)).copied().unwrap_or(0) > 0, "{} holds no rows: {before:?}", partition(m));
    }
    assert!(!before.contains_key("audit_events_default"), "late events went to the default partition: {before:?}");
    // Past months get a partition only when their first event arrives; empty months would
    // slow every search that is not bounded in time.
    let mut expected: Vec<String> = old_months().iter().map(|m| partition(*m)).collect();
    expected.extend(
        (0..=3u32).map(|ahead| partition(month_back(0).checked_add_months(Months::new(ahead)).expect("month"))),
    );
    expected.push("audit_events_default".into());
    expected.sort();
    assert_eq!(partitions(&env), expected, "partitions other than the months with events and the coming ones");
    let total = total_rows(&env);

    // A hold on one zone over part of the middle month keeps the whole month.
    hold_zone_1(&env, held, 10, "case 2026-41");

    // A table setting may only shorten the retention.
    let config = env.dir.join("retention.toml");
    std::fs::write(&config, "[retention]\ndays = 365\n[retention.tables]\naudit_events = 400\n").expect("config");
    let out =
        env.output(&["--config", config.to_str().expect("utf8"), "retention", "apply", "--dry-run", "--by", "ops"]);
    assert_eq!(out.status.code(), Some(2), "a longer table setting is a usage error");
    assert!(String::from_utf8_lossy(&out.stderr).contains("retention.tables.audit_events"));

    // Dry run: the plan, and nothing changed.
    let partitions_before = partitions(&env);
    let dry = json_of(&env.output(&["retention", "apply", "--dry-run", "--json", "--by", "ops"]), "dry run");
    assert_eq!(dry["dry_run"], true);
    assert_eq!(action(&dry, &partition(first)), "drop");
    assert_eq!(action(&dry, &partition(held)), "held");
    assert_eq!(action(&dry, &partition(third)), "drop");
    assert_eq!(action(&dry, &partition(month_back(0))), "keep");
    assert_eq!(partitions(&env), partitions_before, "a dry run created or dropped partitions");
    assert_eq!(rows_by_partition(&env), before, "a dry run changed rows");
    assert!(drops(&env).is_empty(), "a dry run recorded drops");

    // For real.
    let report = json_of(&env.output(&["retention", "apply", "--json", "--by", "ops@example.com"]), "apply");
    assert_eq!(action(&report, &partition(held)), "held");
    let now = partitions(&env);
    assert!(!now.contains(&partition(first)) && !now.contains(&partition(third)), "old months still there: {now:?}");
    assert!(now.contains(&partition(held)), "the held month was dropped");
    for ahead in 1..=3u32 {
        let month = month_back(0).checked_add_months(Months::new(ahead)).expect("month");
        assert!(now.contains(&partition(month)), "{} was not created ahead", partition(month));
    }
    let recorded = drops(&env);
    let dropped_rows = before[&partition(first)] + before[&partition(third)];
    let by_name: BTreeMap<&str, i64> = recorded.iter().map(|(p, n, _)| (p.as_str(), *n)).collect();
    assert_eq!(by_name.get(partition(first).as_str()), Some(&before[&partition(first)]));
    assert_eq!(by_name.get(partition(third).as_str()), Some(&before[&partition(third)]));
    assert_eq!(recorded.iter().map(|d| d.1).sum::<i64>(), dropped_rows, "drops of empty months record 0 rows");
    assert!(recorded.iter().all(|d| d.2 == "ops@example.com"), "{recorded:?}");
    assert_eq!(report["dropped_rows"], dropped_rows);
    assert_eq!(total_rows(&env), total - dropped_rows);
    assert_eq!(rows_by_partition(&env)[&partition(held)], before[&partition(held)]);

    // The drop record is evidence too: append-only for the owner.
    let pg = env.pg();
    for sql in ["UPDATE audit_retention_drops SET rows_dropped = 0", "DELETE FROM audit_retention_drops"] {
        let refused = env.runtime.block_on(pg.batch_execute(sql));
        assert!(refused.is_err(), "{sql} was allowed");
    }
    // The owner function refuses what retention must keep, whoever calls it.
    for (month, why) in [(held, "legal hold"), (month_back(0), "newer than")] {
        let refused = env
            .runtime
            .block_on(pg.query_one("SELECT auditflow_drop_month_partition($1, 365, 'x')", &[&month]))
            .expect_err("the drop was allowed");
        let message = refused.as_db_error().map(|d| d.message().to_owned()).unwrap_or_default();
        assert!(message.contains(why), "{month}: {message}");
    }

    // The chains, signed heads and archive still account for every retired position.
    assert_eq!(assert_verifies(&env), dropped_rows as u64);

    // Re-delivered events of a retired month are recognised, not written again.
    let again = env.emit(&["--count", "120", "--seed", "1", "--start-time", &format!("{first}T03:00:00Z")]);
    assert!(again.iter().any(|m| m.2 == "ok"));
    env.run_until_drained(&[], LIMIT);
    assert_eq!(total_rows(&env), total - dropped_rows, "a retired event was written again");

    // Released, the held month goes at the next pass; the hold stays on record.
    let out = env.output(&["legal-hold", "release", "1", "--reason", "case closed", "--by", "counsel@example.com"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report = json_of(&env.output(&["retention", "apply", "--json", "--by", "ops@example.com"]), "apply");
    assert_eq!(action(&report, &partition(held)), "drop", "{report}");
    assert!(!partitions(&env).contains(&partition(held)));
    assert_eq!(total_rows(&env), before[&partition(month_back(0))]);
    assert_eq!(assert_verifies(&env), (total - before[&partition(month_back(0))]) as u64);

    let history = json_of(&env.output(&["retention", "history", "--json"]), "history");
    assert_eq!(history.as_array().map(Vec::len), Some(drops(&env).len()));
    assert_eq!(history[0]["db_user"], "postgres");
}

#[test]
fn retention_killed_around_a_drop_loses_nothing_and_doubles_nothing() {
    let env = TestEnv::new("retention_kill");
    let manifest = emit_months(&env);
    env.run_until_drained(&[], LIMIT);
    env.assert_exactly_once(&manifest);
    let before = rows_by_partition(&env);
    let total = total_rows(&env);
    let kept = before[&partition(month_back(0))];

    // Killed inside the first drop's transaction: nothing happened.
    let out = env
        .command(&["retention", "apply", "--by", "ops"])
        .env("AUDITFLOW_FAILPOINT", "retention:before_commit:1")
        .output()
        .expect("run");
    assert!(!out.status.success(), "the failpoint did not fire");
    assert!(drops(&env).is_empty(), "a drop was recorded by a killed transaction");
    assert_eq!(rows_by_partition(&env), before);

    // Killed right after the first drop committed: exactly that one month is gone.
    let out = env
        .command(&["retention", "apply", "--by", "ops"])
        .env("AUDITFLOW_FAILPOINT", "retention:after_drop:1")
        .output()
        .expect("run");
    assert!(!out.status.success(), "the failpoint did not fire");
    let first = drops(&env);
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(!partitions(&env).contains(&first[0].0));
    assert_eq!(total_rows(&env) + first[0].1, total);
    assert_eq!(assert_verifies(&env), first[0].1 as u64);

    // The next pass finishes the job; every month is dropped once, every row accounted for.
    let out = env.output(&["retention", "apply", "--by", "ops"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let all = drops(&env);
    let mut names: Vec<&str> = all.iter().map(|d| d.0.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), all.len(), "a month was dropped twice: {all:?}");
    for m in old_months() {
        assert!(names.contains(&partition(m).as_str()), "{} not dropped: {all:?}", partition(m));
    }
    assert_eq!(total_rows(&env), kept);
    assert_eq!(all.iter().map(|d| d.1).sum::<i64>() + kept, total);
    assert_eq!(assert_verifies(&env), (total - kept) as u64);
}

#[test]
fn run_applies_retention_on_its_own() {
    let env = TestEnv::new("retention_run");
    emit_months(&env);
    assert!(env.output(&["migrate"]).status.success(), "migrate");
    let mut child = env.spawn_run(&["--export-max-delay-secs", "1"], &[("AUDITFLOW_RETENTION_INTERVAL_SECS", "1")]);
    let started = Instant::now();
    let wanted: Vec<String> = old_months().iter().map(|m| partition(*m)).collect();
    loop {
        let done = drops(&env);
        if wanted.iter().all(|w| done.iter().any(|d| &d.0 == w && d.2 == "auditflow run" && d.1 > 0)) {
            break;
        }
        if let Some(status) = child.try_wait().expect("wait") {
            panic!("run exited with {status}; log:\n{}", env.log_tail());
        }
        assert!(started.elapsed() < LIMIT, "run did not apply retention; drops {done:?}; log:\n{}", env.log_tail());
        std::thread::sleep(Duration::from_millis(250));
    }
    assert!(terminate(&mut child, Duration::from_secs(60)).success(), "log:\n{}", env.log_tail());
    assert!(env.log_tail().contains("retention dropped a partition"), "log:\n{}", env.log_tail());
    assert_verifies(&env);
}

/// The month Caracal's console retention of 30 days makes old enough to drop: the month of
/// the day 40 days back when it ended 30 days ago, else the month before it.
fn month_past_thirty_days() -> NaiveDate {
    let back = Utc::now().date_naive() - chrono::Duration::days(40);
    let month = NaiveDate::from_ymd_opt(back.year(), back.month(), 1).expect("first of month");
    let end = month.checked_add_months(Months::new(1)).expect("month");
    if end <= Utc::now().date_naive() - chrono::Duration::days(31) {
        month
    } else {
        month.checked_sub_months(Months::new(1)).expect("month")
    }
}

/// What `retention apply --dry-run --json` plans under the given maximum.
fn plan_under(env: &TestEnv, max_days: &str) -> serde_json::Value {
    json_of(
        &env.output(&["retention", "apply", "--dry-run", "--json", "--by", "ops", "--retention-days", max_days]),
        "dry run",
    )
}

#[test]
fn retention_honours_caracals_console_setting_within_the_maximum() {
    let env = TestEnv::new("retention_console");
    let month = month_past_thirty_days();
    let manifest = env.emit(&[
        "--count",
        "80",
        "--seed",
        "3",
        "--start-time",
        &format!("{}T03:00:00Z", month + chrono::Duration::days(2)),
    ]);
    env.run_until_drained(&[], LIMIT);
    env.assert_exactly_once(&manifest);
    let old = partition(month);
    assert!(rows_by_partition(&env).get(&old).copied().unwrap_or(0) > 0, "{old} holds no rows");

    // Without Caracal's table the configured retention applies.
    let plan = plan_under(&env, "365");
    assert_eq!(
        (plan["retention_days"].as_u64(), plan["retention_source"]["source"].as_str()),
        (Some(365), Some("configured"))
    );
    assert_eq!(action(&plan, &old), "keep");

    // Caracal's console writes audit_retention (its baseline's table; the API's role may change it).
    env.query(
        "CREATE TABLE audit_retention (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton), \
         retention_days integer NOT NULL CHECK (retention_days >= 1), updated_at timestamptz NOT NULL DEFAULT now(), \
         updated_by text)",
    );
    env.query("INSERT INTO audit_retention (retention_days, updated_by) VALUES (400, 'console')");
    let capped = plan_under(&env, "365");
    assert_eq!(capped["retention_days"], 365, "a console value above the maximum is capped: {capped}");
    assert_eq!(capped["retention_source"]["source"], "console_capped");
    assert_eq!(capped["retention_source"]["console_days"], 400);
    assert_eq!(action(&capped, &old), "keep");
    let text = env.output(&["retention", "apply", "--dry-run", "--by", "ops", "--retention-days", "365"]);
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    assert!(text.contains("the configured maximum (Caracal's console asks for 400 days"), "{text}");

    // 30 days from the console under a maximum of 365: the old month goes, read afresh.
    env.query("UPDATE audit_retention SET retention_days = 30");
    let plan = plan_under(&env, "365");
    assert_eq!(plan["retention_days"], 30, "{plan}");
    assert_eq!(plan["retention_source"]["source"], "console");
    assert_eq!(action(&plan, &old), "drop");
    let text = env.output(&["retention", "apply", "--dry-run", "--by", "ops", "--retention-days", "365"]);
    assert!(
        String::from_utf8_lossy(&text.stdout).contains("retention 30 days, from Caracal's console (audit_retention)")
    );

    // A legal hold still wins over the console.
    hold_zone_1(&env, month, 5, "case 2026-88");
    assert_eq!(action(&plan_under(&env, "365"), &old), "held");
    let held: i64 = env.query("SELECT id FROM audit_legal_holds ORDER BY id DESC LIMIT 1")[0].get(0);
    let out =
        env.output(&["legal-hold", "release", &held.to_string(), "--reason", "closed", "--by", "counsel@example.com"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let applied =
        json_of(&env.output(&["retention", "apply", "--json", "--by", "ops", "--retention-days", "365"]), "apply");
    assert_eq!(action(&applied, &old), "drop", "{applied}");
    assert!(!partitions(&env).contains(&old), "{old} is still there");
    let recorded =
        env.query(&format!("SELECT retention_days FROM audit_retention_drops WHERE partition_name = '{old}'"));
    assert_eq!(recorded.first().map(|r| r.get::<_, i32>(0)), Some(30), "the drop records the console's 30 days");
}
