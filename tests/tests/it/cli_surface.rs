//! The command-line surface: every command accepts each flag and variable it uses, with the
//! same meaning and default. Written before the `pipeline` crate was split into one module
//! per command (issue 16) and kept as the guard of that surface.
//!
//! `--print-settings` resolves a command's settings (flag > environment > file > default)
//! and prints them with the command's own arguments as JSON, without touching Redis or
//! Postgres, so this test needs neither.

use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// One setting: its flag, its variable (empty: flag only), a value to give, the key
/// `--print-settings` shows it under, what that key then holds, and its default.
struct Setting {
    flag: Str,
    env: Str,
    value: Str,
    key: Str,
    expect: Value,
    default: Value,
}

type Str = &'static str;

fn s(flag: Str, env: Str, value: Str, key: Str, expect: Value, default: Value) -> Setting {
    Setting { flag, env, value, key, expect, default }
}

/// A setting whose value is shown as given.
fn plain(flag: Str, env: Str, value: Str, key: Str, default: Value) -> Setting {
    s(flag, env, value, key, json!(value), default)
}

fn redis() -> Vec<Setting> {
    vec![
        plain(
            "--redis-url",
            "AUDITFLOW_REDIS_URL",
            "redis://127.0.0.2:6390",
            "redis_url",
            json!("redis://127.0.0.1:6379"),
        ),
        plain("--redis-username", "AUDITFLOW_REDIS_USERNAME", "auditor", "redis_username", Value::Null),
    ]
}

fn postgres() -> Vec<Setting> {
    let default = json!("postgres://postgres@127.0.0.1:5432/auditflow");
    vec![
        plain(
            "--database-url",
            "AUDITFLOW_DATABASE_URL",
            "postgres://alice@127.0.0.3:5439/ledger",
            "database_url",
            default,
        ),
        plain("--database-sslmode", "AUDITFLOW_DATABASE_SSLMODE", "disable", "database_sslmode", json!("prefer")),
        plain(
            "--database-sslrootcert",
            "AUDITFLOW_DATABASE_SSLROOTCERT",
            "/etc/af/ca.pem",
            "database_sslrootcert",
            Value::Null,
        ),
    ]
}

fn audit_stream() -> Vec<Setting> {
    vec![plain("--stream", "AUDITFLOW_STREAM", "t.events", "stream", json!("caracal.audit.events"))]
}

/// The dead-letter stream, whose default follows the audit stream.
fn dead_letters() -> Vec<Setting> {
    let default = json!("caracal.audit.events.dlq");
    vec![
        plain("--dlq-stream", "AUDITFLOW_DLQ_STREAM", "t.dead", "dlq_stream", default.clone()),
        s("--stream", "AUDITFLOW_STREAM", "t.events", "dlq_stream", json!("t.events.dlq"), default),
    ]
}

fn group() -> Vec<Setting> {
    vec![plain("--group", "AUDITFLOW_GROUP", "g-1", "group", json!("audit-ingestor"))]
}

fn revocation_stream() -> Vec<Setting> {
    vec![plain(
        "--revocation-stream",
        "AUDITFLOW_REVOCATION_STREAM",
        "t.revoke",
        "revocation_stream",
        json!("caracal.sessions.revoke"),
    )]
}

fn producer_keys() -> Vec<Setting> {
    const KEY: &str = "abababababababababababababababababababababababababababababababab";
    vec![
        s("--hmac-key", "AUDIT_HMAC_KEY", KEY, "hmac_key", json!("<redacted>"), Value::Null),
        plain("--hmac-key-file", "AUDIT_HMAC_KEY_FILE", "/etc/af/producer.key", "hmac_key_file", Value::Null),
        plain("--keyring-file", "AUDITFLOW_KEYRING_FILE", "/etc/af/ring.toml", "keyring_file", Value::Null),
    ]
}

fn ledger_keys() -> Vec<Setting> {
    let (hmac, head) = (json!("auditflow-keys/ledger.key"), json!("auditflow-keys/ledger-head.key"));
    vec![
        plain("--ledger-key-file", "AUDITFLOW_LEDGER_KEY_FILE", "/var/lib/af/ledger.key", "ledger_key_file", hmac),
        // The head key's default lives beside the HMAC key.
        s(
            "--ledger-key-file",
            "AUDITFLOW_LEDGER_KEY_FILE",
            "/var/lib/af/ledger.key",
            "ledger_head_key_file",
            json!("/var/lib/af/ledger-head.key"),
            head.clone(),
        ),
        plain(
            "--ledger-head-key-file",
            "AUDITFLOW_LEDGER_HEAD_KEY_FILE",
            "/var/lib/af/head.key",
            "ledger_head_key_file",
            head,
        ),
    ]
}

fn archive() -> Vec<Setting> {
    vec![
        plain(
            "--export-url",
            "AUDITFLOW_EXPORT_URL",
            "file:///var/lib/af/export",
            "export_url",
            json!("file://./auditflow-export"),
        ),
        plain(
            "--export-signing-key-file",
            "AUDITFLOW_EXPORT_SIGNING_KEY_FILE",
            "/var/lib/af/export.key",
            "export_signing_key_file",
            json!("auditflow-keys/export.key"),
        ),
    ]
}

fn retention_days() -> Vec<Setting> {
    vec![s("--retention-days", "AUDITFLOW_RETENTION_DAYS", "30", "retention_days", json!(30), json!(365))]
}

/// `run`'s tuning settings.
fn run_tuning(tokens_file: &'static str) -> Vec<Setting> {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    vec![
        s("--workers", "AUDITFLOW_WORKERS", "3", "workers", json!(3), json!(cores)),
        s("--epoch-ms", "AUDITFLOW_EPOCH_MS", "250", "epoch_ms", json!(250), json!(100)),
        s("--batch-size", "AUDITFLOW_BATCH_SIZE", "500", "batch_size", json!(500), json!(2000)),
        s("--claim-idle-ms", "AUDITFLOW_CLAIM_IDLE_MS", "1500", "claim_idle_ms", json!(1500), json!(30000)),
        s("--max-deliveries", "AUDITFLOW_MAX_DELIVERIES", "3", "max_deliveries", json!(3), json!(8)),
        s("--max-in-flight", "AUDITFLOW_MAX_IN_FLIGHT", "700", "max_in_flight", json!(700), json!(20000)),
        s("--ledger-shards", "AUDITFLOW_LEDGER_SHARDS", "4", "shards", json!(4), json!(16)),
        s("--ledger-shards", "AUDITFLOW_LEDGER_SHARDS", "4", "pool_size", json!(6), json!(18)),
        s("--consumer-prefix", "AUDITFLOW_CONSUMER_PREFIX", "pod", "consumer_prefix", json!("pod"), json!("auditflow")),
        s(
            "--export-max-delay-secs",
            "AUDITFLOW_EXPORT_MAX_DELAY_SECS",
            "7",
            "export_max_delay_secs",
            json!(7),
            json!(60),
        ),
        s(
            "--tamper-rolling-hours",
            "AUDITFLOW_TAMPER_ROLLING_HOURS",
            "2",
            "tamper_rolling_secs",
            json!(7200),
            json!(14400),
        ),
        s(
            "--tamper-sweep-interval-secs",
            "AUDITFLOW_TAMPER_SWEEP_INTERVAL_SECS",
            "90",
            "tamper_sweep_interval_secs",
            json!(90),
            json!(3600),
        ),
        s("--no-views", "", "", "views_enabled", json!(false), json!(true)),
        s(
            "--views-allowed-lateness-secs",
            "AUDITFLOW_VIEWS_ALLOWED_LATENESS_SECS",
            "600",
            "views_allowed_lateness_secs",
            json!(600),
            json!(300),
        ),
        s(
            "--views-request-gap-secs",
            "AUDITFLOW_VIEWS_REQUEST_GAP_SECS",
            "90",
            "views_request_gap_secs",
            json!(90),
            json!(60),
        ),
        s(
            "--views-max-clock-skew-secs",
            "AUDITFLOW_VIEWS_MAX_CLOCK_SKEW_SECS",
            "120",
            "views_max_clock_skew_secs",
            json!(120),
            json!(3600),
        ),
        s(
            "--views-session-idle-secs",
            "AUDITFLOW_VIEWS_SESSION_IDLE_SECS",
            "900",
            "views_session_idle_secs",
            json!(900),
            json!(3600),
        ),
        s(
            "--views-revocation-grace-secs",
            "AUDITFLOW_VIEWS_REVOCATION_GRACE_SECS",
            "1.5",
            "views_revocation_grace_secs",
            json!(1.5),
            json!(5),
        ),
        s(
            "--views-budget-rows",
            "AUDITFLOW_VIEWS_BUDGET_ROWS",
            "4000",
            "views_budget_rows",
            json!(4000),
            json!(200000),
        ),
        s("--listen", "AUDITFLOW_LISTEN", "127.0.0.1:9191", "listen", json!("127.0.0.1:9191"), json!("127.0.0.1:9090")),
        s("--api-tokens-file", "AUDITFLOW_API_TOKENS_FILE", tokens_file, "api_tokens", json!(["ops"]), json!([])),
        s("--readyz-max-dlq-size", "AUDITFLOW_READYZ_MAX_DLQ_SIZE", "5", "readyz_max_dlq_size", json!(5), json!(1000)),
        s(
            "--readyz-max-consumer-lag",
            "AUDITFLOW_READYZ_MAX_CONSUMER_LAG",
            "6",
            "readyz_max_consumer_lag",
            json!(6),
            json!(100000),
        ),
        s(
            "--readyz-max-pending-age-secs",
            "AUDITFLOW_READYZ_MAX_PENDING_AGE_SECS",
            "7",
            "readyz_max_pending_age_secs",
            json!(7),
            json!(300),
        ),
        s(
            "--readyz-max-views-lag-secs",
            "AUDITFLOW_READYZ_MAX_VIEWS_LAG_SECS",
            "30",
            "readyz_max_views_lag_secs",
            json!(30),
            json!(300),
        ),
        s("--healthz-stall-secs", "AUDITFLOW_HEALTHZ_STALL_SECS", "15", "healthz_stall_secs", json!(15), json!(60)),
        s(
            "--retention-interval-secs",
            "AUDITFLOW_RETENTION_INTERVAL_SECS",
            "60",
            "retention_interval_secs",
            json!(60),
            json!(21600),
        ),
        s(
            "--retention-interval-secs",
            "AUDITFLOW_RETENTION_INTERVAL_SECS",
            "0",
            "retention_interval_secs",
            Value::Null,
            json!(21600),
        ),
    ]
}

/// A command's own argument: flag, variable (empty: none), value (empty: a switch), the
/// argument's name in the printed `args`, what it then holds, and its default.
type Own = (&'static str, &'static str, &'static str, &'static str, Value, Value);

/// One command as invoked (with any required arguments), the settings it uses, and its own
/// arguments.
struct Case {
    argv: Vec<&'static str>,
    settings: Vec<Setting>,
    own: Vec<Own>,
}

fn switch(flag: &'static str, key: &'static str) -> Own {
    (flag, "", "", key, json!(true), json!(false))
}

fn cases(tokens_file: &'static str) -> Vec<Case> {
    let case = |argv: &[&'static str], settings: Vec<Vec<Setting>>, own: Vec<Own>| Case {
        argv: argv.to_vec(),
        settings: settings.into_iter().flatten().collect(),
        own,
    };
    let json_switch = || switch("--json", "json");
    vec![
        case(
            &["run"],
            vec![
                redis(),
                postgres(),
                audit_stream(),
                group(),
                dead_letters(),
                revocation_stream(),
                producer_keys(),
                ledger_keys(),
                archive(),
                retention_days(),
                run_tuning(tokens_file),
            ],
            vec![
                (
                    "--connect-timeout-secs",
                    "AUDITFLOW_CONNECT_TIMEOUT_SECS",
                    "5",
                    "connect_timeout_secs",
                    json!(5),
                    json!(60),
                ),
                switch("--exit-when-drained", "exit_when_drained"),
                switch("--insecure-skip-verify", "insecure_skip_verify"),
                switch("--summary-json", "summary_json"),
            ],
        ),
        case(
            &["migrate"],
            vec![postgres(), producer_keys()],
            vec![switch("--adopt-broken-caracal-ledger", "adopt_broken_caracal_ledger")],
        ),
        case(
            &["emit"],
            vec![redis(), audit_stream(), producer_keys()],
            vec![
                ("--count", "", "12", "count", json!(12), json!(10000)),
                ("--rate", "", "250", "rate", json!("250"), json!("max")),
                ("--zones", "", "9", "zones", json!(9), json!(4)),
                ("--zone", "", "zone-a", "zone_names", json!(["zone-a"]), json!([])),
                ("--seed", "", "7", "seed", json!(7), json!(1)),
                ("--invalid-ratio", "", "0.5", "invalid_ratio", json!(0.5), json!(0.0)),
                ("--duplicate-ratio", "", "0.25", "duplicate_ratio", json!(0.25), json!(0.0)),
                ("--lifecycle-ratio", "", "0.5", "lifecycle_ratio", json!(0.5), json!(0.15)),
                ("--revoked-access-ratio", "", "0.5", "revoked_access_ratio", json!(0.5), json!(0.02)),
                ("--start-time", "", "2026-01-01T00:00:00Z", "start_time", json!("2026-01-01T00:00:00Z"), Value::Null),
                ("--key-id", "", "k2", "key_id", json!("k2"), Value::Null),
                switch("--with-kid", "with_kid"),
                ("--manifest", "", "/tmp/m.ndjson", "manifest", json!("/tmp/m.ndjson"), Value::Null),
                ("--pipeline", "", "50", "pipeline", json!(50), json!(500)),
                json_switch(),
            ],
        ),
        case(
            &["verify"],
            vec![postgres(), ledger_keys(), archive(), producer_keys()],
            vec![
                ("--zone", "", "zone-1", "zone", json!("zone-1"), Value::Null),
                ("--since", "", "2026-01-01T00:00:00Z", "since", json!("2026-01-01T00:00:00Z"), Value::Null),
                ("--until", "", "2026-02-01T00:00:00Z", "until", json!("2026-02-01T00:00:00Z"), Value::Null),
                json_switch(),
                switch("--privileges", "privileges"),
                switch("--against-archive", "against_archive"),
                ("--trusted-head-key", "", "aa", "trusted_head_key", json!(["aa"]), json!([])),
                ("--trusted-export-key", "", "bb", "trusted_export_key", json!(["bb"]), json!([])),
            ],
        ),
        case(
            &["verify-export"],
            vec![postgres(), archive()],
            vec![("--trusted-public-key", "", "cc", "trusted_public_key", json!(["cc"]), json!([])), json_switch()],
        ),
        case(&["trace", "req-1"], vec![postgres()], vec![json_switch()]),
        case(
            &["revocations"],
            vec![postgres()],
            vec![
                ("--zone", "", "zone-1", "zone", json!("zone-1"), Value::Null),
                switch("--violations", "violations"),
                ("--limit", "", "5", "limit", json!(5), json!(100)),
                json_switch(),
            ],
        ),
        case(
            &["search"],
            vec![postgres()],
            vec![
                ("--zone", "", "zone-1", "zone", json!("zone-1"), Value::Null),
                ("--since", "", "2026-01-01T00:00:00Z", "since", json!("2026-01-01T00:00:00Z"), Value::Null),
                ("--until", "", "2026-02-01T00:00:00Z", "until", json!("2026-02-01T00:00:00Z"), Value::Null),
                ("--request-id", "", "req-1", "request_id", json!("req-1"), Value::Null),
                ("--decision", "", "deny", "decision", json!("deny"), Value::Null),
                ("--event-type", "", "token_exchange", "event_type", json!("token_exchange"), Value::Null),
                ("--session-id", "", "s-1", "session_id", json!("s-1"), Value::Null),
                ("--agent-session-id", "", "as-1", "agent_session_id", json!("as-1"), Value::Null),
                ("--limit", "", "10", "limit", json!("10"), Value::Null),
                ("--cursor", "", "abc", "cursor", json!("abc"), Value::Null),
                switch("--all", "all"),
                json_switch(),
            ],
        ),
        case(
            &["dlq", "list"],
            vec![redis(), dead_letters(), revocation_stream(), producer_keys()],
            vec![
                ("--reason", "", "hmac", "reason", json!("hmac"), Value::Null),
                ("--limit", "", "5", "limit", json!(5), json!(100)),
                json_switch(),
            ],
        ),
        case(
            &["dlq", "show", "1-0"],
            vec![redis(), dead_letters(), revocation_stream(), producer_keys()],
            vec![json_switch()],
        ),
        case(
            &["dlq", "replay"],
            vec![redis(), dead_letters(), revocation_stream(), producer_keys()],
            vec![
                ("--reason", "", "hmac", "reason", json!("hmac"), Value::Null),
                ("--limit", "", "5", "limit", json!(5), Value::Null),
                switch("--dry-run", "dry_run"),
                json_switch(),
            ],
        ),
        case(
            &["retention", "apply"],
            vec![postgres(), retention_days()],
            vec![switch("--dry-run", "dry_run"), ("--by", "", "ops", "by", json!("ops"), Value::Null), json_switch()],
        ),
        case(&["retention", "history"], vec![postgres(), retention_days()], vec![json_switch()]),
        case(
            &"legal-hold add --zone z --from 2026-01-01T00:00:00Z --until 2026-02-01T00:00:00Z --reason r"
                .split(' ')
                .collect::<Vec<_>>(),
            vec![postgres()],
            vec![("--by", "", "ops", "by", json!("ops"), Value::Null)],
        ),
        case(&["legal-hold", "list"], vec![postgres()], vec![switch("--all", "all"), json_switch()]),
        case(
            &["legal-hold", "release", "5", "--reason", "r"],
            vec![postgres()],
            vec![("--by", "", "ops", "by", json!("ops"), Value::Null)],
        ),
        case(
            &["export", "athena-ddl", "--location", "s3://bucket/prefix"],
            vec![],
            vec![
                ("--table", "", "events", "table", json!("events"), json!("audit_events")),
                ("--since", "", "2025-06-01", "since", json!("2025-06-01"), json!("2024-01-01")),
            ],
        ),
    ]
}

/// Runs `auditflow <argv> --print-settings` with only `env` set and returns the JSON.
fn print_settings(dir: &Path, argv: &[&str], env: &[(&str, &str)]) -> Value {
    let mut cmd = Command::new(crate::common::binary());
    cmd.args(argv)
        .arg("--print-settings")
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run auditflow");
    assert!(
        out.status.success(),
        "`auditflow {} --print-settings` (env {env:?}) failed: {}",
        argv.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("`auditflow {}` printed no JSON ({e}): {}", argv.join(" "), String::from_utf8_lossy(&out.stdout))
    })
}

/// The first value under `key` anywhere in `value` (the command's arguments nest by
/// subcommand).
fn find<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) => map.get(key).or_else(|| map.values().find_map(|v| find(v, key))),
        Value::Array(items) => items.iter().find_map(|v| find(v, key)),
        _ => None,
    }
}

fn same(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => (x - y).abs() < 1e-9,
        _ => a == b,
    }
}

fn check(what: &str, printed: Option<&Value>, expected: &Value, failures: &mut Vec<String>) {
    let printed = printed.cloned().unwrap_or(Value::Null);
    if !same(&printed, expected) {
        failures.push(format!("{what}: got {printed}, expected {expected}"));
    }
}

/// A folder of this test's own (relative key paths resolve against it) holding one file;
/// the folder and the file.
fn scratch_file(test: &str, name: &str, contents: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("auditflow-cli-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join(name);
    std::fs::write(&file, contents).expect("write the test's file");
    (dir, file)
}

#[test]
fn every_command_accepts_its_flags_and_variables_with_the_same_meaning_and_default() {
    let tokens_toml = format!("[[tokens]]\nname = \"ops\"\nsha256 = \"{}\"\nscopes = [\"read\"]\n", "ab".repeat(32));
    let (dir, tokens) = scratch_file("surface", "tokens.toml", &tokens_toml);
    let tokens_file: &'static str = Box::leak(tokens.display().to_string().into_boxed_str());
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in cases(tokens_file) {
        let name = case.argv.join(" ");
        let defaults = print_settings(&dir, &case.argv, &[]);
        for setting in &case.settings {
            check(
                &format!("{name}: default of {}", setting.key),
                find(&defaults["settings"], setting.key),
                &setting.default,
                &mut failures,
            );
            let mut argv = case.argv.clone();
            argv.push(setting.flag);
            if !setting.value.is_empty() {
                argv.push(setting.value);
            }
            let by_flag = print_settings(&dir, &argv, &[]);
            check(
                &format!("{name} {}: {}", setting.flag, setting.key),
                find(&by_flag["settings"], setting.key),
                &setting.expect,
                &mut failures,
            );
            if !setting.env.is_empty() {
                let by_env = print_settings(&dir, &case.argv, &[(setting.env, setting.value)]);
                check(
                    &format!("{name} with {}: {}", setting.env, setting.key),
                    find(&by_env["settings"], setting.key),
                    &setting.expect,
                    &mut failures,
                );
            }
            checked += 1;
        }
        for (flag, env, value, key, expect, default) in &case.own {
            check(&format!("{name}: default of --{key}"), find(&defaults["args"], key), default, &mut failures);
            let mut argv = case.argv.clone();
            argv.push(flag);
            if !value.is_empty() {
                argv.push(value);
            }
            check(
                &format!("{name} {flag}"),
                find(&print_settings(&dir, &argv, &[])["args"], key),
                expect,
                &mut failures,
            );
            if !env.is_empty() {
                let by_env = print_settings(&dir, &case.argv, &[(env, value)]);
                check(&format!("{name} with {env}"), find(&by_env["args"], key), expect, &mut failures);
            }
            checked += 1;
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(checked >= 148, "only {checked} flags checked: a command or setting fell out of the table");
    assert!(failures.is_empty(), "{} of {checked} flags changed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_config_file_reaches_every_command_that_uses_its_keys() {
    let (dir, config) = scratch_file(
        "config",
        "auditflow.toml",
        r#"
redis_url = "redis://127.0.0.4:6391"
database_url = "postgres://bob@127.0.0.5:5440/evidence"
stream = "f.events"
group = "f-group"
revocation_stream = "f.revoke"
ledger_key_file = "/srv/af/ledger.key"
[export]
url = "file:///srv/af/export"
[retention]
days = 40
[source]
max_event_bytes = 4096
"#,
    );
    let config_arg: &'static str = Box::leak(config.display().to_string().into_boxed_str());
    let expected: [(&str, Value); 9] = [
        ("redis_url", json!("redis://127.0.0.4:6391")),
        ("database_url", json!("postgres://bob@127.0.0.5:5440/evidence")),
        ("stream", json!("f.events")),
        ("dlq_stream", json!("f.events.dlq")),
        ("revocation_stream", json!("f.revoke")),
        ("ledger_key_file", json!("/srv/af/ledger.key")),
        ("export_url", json!("file:///srv/af/export")),
        ("retention_days", json!(40)),
        ("max_event_bytes", json!(4096)),
    ];
    // Which of those keys each command uses.
    let uses: [(&[&str], &[&str]); 8] = [
        (
            &["run"],
            &[
                "redis_url",
                "database_url",
                "stream",
                "dlq_stream",
                "revocation_stream",
                "ledger_key_file",
                "export_url",
                "retention_days",
                "max_event_bytes",
            ],
        ),
        (&["migrate"], &["database_url"]),
        (&["emit"], &["redis_url", "stream"]),
        (&["verify"], &["database_url", "ledger_key_file", "export_url"]),
        (&["verify-export"], &["database_url", "export_url"]),
        (&["search"], &["database_url"]),
        (&["dlq", "list"], &["redis_url", "dlq_stream", "revocation_stream", "max_event_bytes"]),
        (&["retention", "apply"], &["database_url", "retention_days"]),
    ];
    let mut failures = Vec::new();
    for (argv, keys) in uses {
        for via in ["flag", "variable"] {
            let printed = if via == "flag" {
                let mut with_flag = argv.to_vec();
                with_flag.extend(["--config", config_arg]);
                print_settings(&dir, &with_flag, &[])
            } else {
                print_settings(&dir, argv, &[("AUDITFLOW_CONFIG", config_arg)])
            };
            for key in keys {
                let (_, want) = expected.iter().find(|(k, _)| k == key).expect("expected key");
                check(
                    &format!("{} (config by {via}): {key}", argv.join(" ")),
                    find(&printed["settings"], key),
                    want,
                    &mut failures,
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bench_without_the_benchmark_binary_says_how_to_build_it() {
    let out = Command::new(crate::common::binary())
        .args(["bench", "ingest", "--events", "10"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AUDITFLOW_BENCH_BIN", "/nonexistent/auditflow-bench")
        .output()
        .expect("run auditflow");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("AUDITFLOW_BENCH_BIN") && stderr.contains("/nonexistent/auditflow-bench"), "{stderr}");
}

#[test]
fn each_command_help_lists_the_settings_it_uses_and_no_others() {
    let every_setting_flag: BTreeSet<&str> =
        cases("/tokens.toml").iter().flat_map(|c| c.settings.iter().map(|s| s.flag)).collect();
    let mut failures = Vec::new();
    for case in cases("/tokens.toml") {
        // The command's own words only (a positional argument would be taken for --help's value).
        let words: Vec<&str> = case.argv.iter().copied().take_while(|w| !w.starts_with('-')).collect();
        let words: Vec<&str> = match words.as_slice() {
            ["trace", ..] => vec!["trace"],
            ["dlq", "show", ..] => vec!["dlq", "show"],
            ["legal-hold", "release", ..] => vec!["legal-hold", "release"],
            _ => words,
        };
        let out = Command::new(crate::common::binary())
            .args(&words)
            .arg("--help")
            .env_clear()
            .output()
            .expect("run auditflow");
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{} --help failed", words.join(" "));
        let listed: BTreeSet<&str> = every_setting_flag
            .iter()
            .copied()
            .filter(|flag| {
                help.lines().map(str::trim).any(|line| line == *flag || line.starts_with(&format!("{flag} ")))
            })
            .collect();
        let uses: BTreeSet<&str> = case.settings.iter().map(|s| s.flag).collect();
        if listed != uses {
            failures.push(format!(
                "{}: lists {:?} it does not use, misses {:?}",
                words.join(" "),
                listed.difference(&uses).collect::<Vec<_>>(),
                uses.difference(&listed).collect::<Vec<_>>()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A command, Caracal's variable and its value, the key it sets and what that then holds,
/// and auditflow's own variable for the same setting with a value of its own.
type CaracalCase = (&'static [&'static str], Str, Str, Str, Value, Str, Str);

/// Caracal's variables (issue 17): each fills in its setting where auditflow's own flag,
/// variable and file key are not set, and loses to each of them.
#[test]
fn caracal_variables_fill_in_where_auditflows_own_are_not_set() {
    let (dir, db_url_file) =
        scratch_file("caracal", "auditDatabaseUrl", "postgres://caracalaudit@127.0.0.6:5432/caracal\n");
    let db_url_file: &'static str = Box::leak(db_url_file.display().to_string().into_boxed_str());
    let cases: Vec<CaracalCase> = vec![
        (
            &["run"],
            "DATABASE_URL",
            "postgres://c@127.0.0.6:5432/caracal",
            "database_url",
            json!("postgres://c@127.0.0.6:5432/caracal"),
            "AUDITFLOW_DATABASE_URL",
            "postgres://a@127.0.0.7/x",
        ),
        (
            &["search"],
            "DATABASE_URL_FILE",
            db_url_file,
            "database_url",
            json!("postgres://caracalaudit@127.0.0.6:5432/caracal"),
            "AUDITFLOW_DATABASE_URL",
            "postgres://a@127.0.0.7/x",
        ),
        (
            &["emit"],
            "REDIS_URL",
            "redis://127.0.0.6:6380",
            "redis_url",
            json!("redis://127.0.0.6:6380"),
            "AUDITFLOW_REDIS_URL",
            "redis://127.0.0.7:6381",
        ),
        (&["run"], "PORT", "9090", "listen", json!("0.0.0.0:9090"), "AUDITFLOW_LISTEN", "127.0.0.1:9191"),
        (
            &["run"],
            "HOSTNAME",
            "caracal-audit-5f6d-x2",
            "consumer_prefix",
            json!("caracal-audit-5f6d-x2"),
            "AUDITFLOW_CONSUMER_PREFIX",
            "pod",
        ),
        (&["run"], "AUDIT_CLAIM_IDLE_SECS", "45", "claim_idle_ms", json!(45000), "AUDITFLOW_CLAIM_IDLE_MS", "1500"),
        (&["run"], "AUDIT_MAX_DELIVERIES", "3", "max_deliveries", json!(3), "AUDITFLOW_MAX_DELIVERIES", "5"),
        (
            &["retention", "apply"],
            "AUDIT_RETENTION_DAYS",
            "90",
            "retention_days",
            json!(90),
            "AUDITFLOW_RETENTION_DAYS",
            "30",
        ),
        (
            &["run"],
            "AUDIT_TAMPER_ROLLING_HOURS",
            "2",
            "tamper_rolling_secs",
            json!(7200),
            "AUDITFLOW_TAMPER_ROLLING_HOURS",
            "1",
        ),
        (&["run"], "AUDIT_READY_DLQ_MAX", "10", "readyz_max_dlq_size", json!(10), "AUDITFLOW_READYZ_MAX_DLQ_SIZE", "5"),
        (
            &["run"],
            "AUDIT_READY_LAG_MAX",
            "0",
            "readyz_max_consumer_lag",
            json!(0),
            "AUDITFLOW_READYZ_MAX_CONSUMER_LAG",
            "6",
        ),
        (
            &["run"],
            "AUDIT_READY_PEL_OLDEST_SECS_MAX",
            "60",
            "readyz_max_pending_age_secs",
            json!(60),
            "AUDITFLOW_READYZ_MAX_PENDING_AGE_SECS",
            "7",
        ),
        (
            &["verify-export"],
            "AUDIT_EXPORT_S3_BUCKET",
            "evidence",
            "export_url",
            json!("s3://evidence"),
            "AUDITFLOW_EXPORT_URL",
            "file:///srv/x",
        ),
    ];
    let mut failures = Vec::new();
    for (argv, var, value, key, expect, own, own_value) in &cases {
        let name = argv.join(" ");
        let printed = print_settings(&dir, argv, &[(var, value)]);
        check(&format!("{name} with {var}"), find(&printed["settings"], key), expect, &mut failures);
        let printed = print_settings(&dir, argv, &[(var, value), (own, own_value)]);
        let own_expect = print_settings(&dir, argv, &[(own, own_value)]);
        check(
            &format!("{name} with {var} and {own}"),
            find(&printed["settings"], key),
            &own_expect["settings"][*key],
            &mut failures,
        );
    }
    // The file is auditflow's own too: it wins over Caracal's variable.
    let config = dir.join("auditflow.toml");
    std::fs::write(&config, "[retention]\ndays = 40\n").expect("config");
    let config = config.display().to_string();
    let printed = print_settings(&dir, &["retention", "apply", "--config", &config], &[("AUDIT_RETENTION_DAYS", "90")]);
    check(
        "retention apply with a file and AUDIT_RETENTION_DAYS",
        find(&printed["settings"], "retention_days"),
        &json!(40),
        &mut failures,
    );
    let s3 = print_settings(
        &dir,
        &["run"],
        &[("AUDIT_EXPORT_S3_ENDPOINT", "http://127.0.0.1:9000"), ("AUDIT_EXPORT_S3_REGION", "eu-west-1")],
    );
    check(
        "run with AUDIT_EXPORT_S3_ENDPOINT",
        find(&s3["settings"], "s3_endpoint"),
        &json!("http://127.0.0.1:9000"),
        &mut failures,
    );
    check("run with AUDIT_EXPORT_S3_REGION", find(&s3["settings"], "s3_region"), &json!("eu-west-1"), &mut failures);
    // A value Caracal would panic on is a configuration error naming its variable.
    for (var, value) in
        [("PORT", "http"), ("AUDIT_CLAIM_IDLE_SECS", "0"), ("DATABASE_URL_FILE", "/nonexistent/auditDatabaseUrl")]
    {
        let out = Command::new(crate::common::binary())
            .args(["run", "--print-settings"])
            .current_dir(&dir)
            .env_clear()
            .env(var, value)
            .output()
            .expect("run auditflow");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.code() != Some(2) || !stderr.contains(var) {
            failures.push(format!("{var}={value}: exit {:?}, {stderr}", out.status.code()));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Caracal's Helm chart runs `/usr/local/bin/audit` with no arguments: invoked under that
/// name, the binary is `auditflow run`, settings from Caracal's variables included.
#[test]
fn invoked_as_caracals_audit_binary_it_runs_the_pipeline() {
    let dir = std::env::temp_dir().join(format!("auditflow-as-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let audit = dir.join("audit");
    let _ = std::fs::remove_file(&audit);
    std::os::unix::fs::symlink(crate::common::binary(), &audit).expect("symlink");
    let out = Command::new(&audit)
        .arg("--print-settings")
        .current_dir(&dir)
        .env_clear()
        .env("PORT", "9090")
        .env("DATABASE_URL", "postgres://caracalaudit@127.0.0.6:5432/caracal")
        .output()
        .expect("run as audit");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed: Value = serde_json::from_slice(&out.stdout).expect("settings JSON");
    assert!(printed["args"]["Run"].is_object(), "the run command's arguments: {printed}");
    assert_eq!(printed["settings"]["listen"], json!("0.0.0.0:9090"), "{printed}");
    assert_eq!(printed["settings"]["database_url"], json!("postgres://caracalaudit@127.0.0.6:5432/caracal"));
    let _ = std::fs::remove_dir_all(&dir);
}
