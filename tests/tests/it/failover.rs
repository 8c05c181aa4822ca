//! A ledger database with a standby: what `verify --privileges` says a failover would lose,
//! and where a two-host URL writes (issue 31).

use crate::common::servers::PrivatePostgres;
use crate::common::TestEnv;
use std::time::{Duration, Instant};

fn durability(env: &TestEnv) -> serde_json::Value {
    let out = env.output(&["verify", "--privileges", "--json"]);
    assert!(out.status.success(), "verify --privileges: {}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("verify --privileges --json is JSON");
    report["durability"].clone()
}

fn wait_for(env: &TestEnv, what: &str, mut done: impl FnMut(&serde_json::Value) -> bool) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let d = durability(env);
        if done(&d) {
            return d;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "{what}: not within 60 s; last report {d}");
        std::thread::sleep(Duration::from_millis(300));
    }
}

#[test]
fn verify_privileges_says_whether_a_failover_loses_acknowledged_events_and_two_hosts_write_to_the_primary() {
    let mut env = TestEnv::new("failover_durability");
    let primary = PrivatePostgres::start(&env.dir, None);
    env.pg_server = primary.server();
    let out = env.output(&["migrate"]);
    assert!(out.status.success(), "migrate: {}", String::from_utf8_lossy(&out.stderr));

    let alone = durability(&env);
    assert_eq!(alone["zero_loss"], false, "{alone}");
    assert!(alone["verdict"].as_str().unwrap_or_default().starts_with("no standby"), "{alone}");

    let standby = PrivatePostgres::standby_of(&primary, &env.dir, "standby1");
    let asynchronous = wait_for(&env, "the standby streaming", |d| {
        d["standbys"].as_array().is_some_and(|s| s.iter().any(|s| s["name"] == "standby1" && s["state"] == "streaming"))
    });
    assert_eq!(asynchronous["zero_loss"], false, "{asynchronous}");
    assert!(asynchronous["verdict"].as_str().unwrap_or_default().contains("asynchronous"), "{asynchronous}");

    // Two statements: ALTER SYSTEM may not run in the implicit transaction of a batch.
    primary.sql("ALTER SYSTEM SET synchronous_standby_names = 'standby1'");
    primary.sql("SELECT pg_reload_conf()");
    let synchronous = wait_for(&env, "the standby synchronous", |d| d["zero_loss"] == true);
    assert!(synchronous["verdict"].as_str().unwrap_or_default().contains("standby1"), "{synchronous}");
    let out = env.output(&["verify", "--privileges"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("OK failover: synchronous standby standby1"));

    // The standby first in a two-host URL: every write still lands on the primary, and a
    // drain through it is exactly once.
    env.extra_env.push((
        "AUDITFLOW_DATABASE_URL".into(),
        format!("postgres://postgres@127.0.0.1:{},127.0.0.1:{}/{}", standby.port, primary.port, env.database),
    ));
    let manifest = env.emit(&["--count", "2000", "--invalid-ratio", "0.02", "--seed", "91"]);
    let out = env.output(&["run", "--workers", "2", "--exit-when-drained"]);
    assert!(
        out.status.success(),
        "run on a two-host URL: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        env.log_tail()
    );
    env.assert_exactly_once(&manifest);
}
