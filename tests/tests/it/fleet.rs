//! The fleet (issue 18): `auditflow run` as a timely cluster of processes on separate test
//! hosts (network namespaces on a bridge), SIGKILLed, rescaled and cut off mid-drain, with
//! the exactly-once checks of the ingest tests afterwards, and refused when a process
//! belongs to another generation or hostfile.

use crate::common::fleet::{process_log, Cluster};
use crate::common::hosts::Hosts;
use crate::common::TestEnv;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The documented bound from a lost peer to every other process's exit (docs/fleet.md).
const PEER_LOSS_BOUND: Duration = Duration::from_secs(10);
const DRAIN_LIMIT: Duration = Duration::from_secs(600);

fn emit(env: &TestEnv, count: &str, seed: &str) -> Vec<(String, String, String)> {
    assert!(env.output(&["migrate"]).status.success(), "migrate failed");
    env.emit(&[
        "--count",
        count,
        "--invalid-ratio",
        "0.02",
        "--duplicate-ratio",
        "0.02",
        "--zones",
        "12",
        "--seed",
        seed,
    ])
}

fn rows(env: &TestEnv) -> i64 {
    env.query("SELECT count(*) FROM audit_events").first().map(|r| r.get(0)).unwrap_or(0)
}

/// Starts a cluster of `processes`, waits until it commits, SIGKILLs one process (`victim`,
/// or a random one) at a random moment, and checks that every other process exits non-zero
/// within the bound with a line naming a lost peer. Returns the victim.
fn kill_one(
    env: &TestEnv,
    hosts: &Hosts,
    processes: usize,
    victim: Option<usize>,
    extra: &[&str],
    rng: &mut rand::rngs::StdRng,
) -> usize {
    // The logs are appended to across runs: only what this run writes counts.
    let log_offsets: Vec<usize> = (0..processes).map(|i| process_log(env, i).len()).collect();
    let mut cluster = Cluster::start(env, hosts, processes, extra);
    let before = rows(env);
    let started = Instant::now();
    let wait = Duration::from_millis(rng.random_range(100..1200));
    let mut growing_since = None;
    loop {
        for (i, child) in cluster.children.iter_mut().enumerate() {
            if let Some(status) = child.try_wait().expect("wait") {
                panic!("process {i} exited by itself with {status}\n{}", cluster.logs());
            }
        }
        if growing_since.is_none() && rows(env) > before {
            growing_since = Some(Instant::now());
        }
        if growing_since.is_some_and(|t| t.elapsed() >= wait) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the cluster committed nothing in 120 s\n{}",
            cluster.logs()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let victim = victim.unwrap_or_else(|| rng.random_range(0..processes));
    cluster.kill(victim);
    if processes > 1 {
        let exits = cluster.wait_all(PEER_LOSS_BOUND + Duration::from_secs(20));
        for (i, (status, took)) in exits.iter().enumerate().filter(|(i, _)| *i != victim) {
            assert!(!status.success(), "process {i} exited 0 after its peer {victim} was killed");
            assert!(
                *took <= PEER_LOSS_BOUND,
                "process {i} took {took:?} to stop after peer {victim} was killed (bound {PEER_LOSS_BOUND:?})"
            );
            let log = process_log(env, i);
            assert!(
                log[log_offsets[i]..].contains("is gone"),
                "process {i} did not log which peer it lost\n{}",
                cluster.logs()
            );
        }
    }
    victim
}

/// Copies the test's audit stream (and its group) to `other`'s before anything reads it, so
/// that both runs see the same entries under the same ids.
fn copy_stream(from: &TestEnv, to: &TestEnv) {
    let copied: i64 =
        redis::cmd("COPY").arg(&from.stream).arg(&to.stream).query(&mut from.redis()).expect("COPY stream");
    assert_eq!(copied, 1, "the stream was not copied");
}

/// The live views' tables, without what differs between two correct runs: write times and
/// chain positions (chains are numbered in commit order).
fn views(env: &TestEnv) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for row in env.query(
        "SELECT request_id, zone_id, final_decision, first_at::text, last_at::text, event_count, trace::text FROM request_traces",
    ) {
        let mut trace: serde_json::Value = serde_json::from_str(&row.get::<_, String>(6)).expect("trace");
        if let Some(events) = trace.get_mut("events").and_then(|e| e.as_array_mut()) {
            for event in events.iter_mut() {
                if let Some(o) = event.as_object_mut() {
                    o.remove("chain_id");
                    o.remove("chain_seq");
                }
            }
            events.sort_by_key(|e| e.to_string());
        }
        let key = format!("trace {}", row.get::<_, String>(0));
        let value = format!(
            "{} {:?} {} {} {} {trace}",
            row.get::<_, String>(1),
            row.get::<_, Option<String>>(2),
            row.get::<_, String>(3),
            row.get::<_, String>(4),
            row.get::<_, i32>(5)
        );
        out.insert(key, value);
    }
    for row in env.query(
        "SELECT revocation_event_id, zone_id, root, revoked_at::text, \
                (SELECT array_agg(a ORDER BY a) FROM unnest(affected) a)::text, first_deny_after::text \
         FROM revocation_propagation",
    ) {
        out.insert(
            format!("propagation {}", row.get::<_, String>(0)),
            format!(
                "{} {} {} {:?} {:?}",
                row.get::<_, String>(1),
                row.get::<_, String>(2),
                row.get::<_, String>(3),
                row.get::<_, Option<String>>(4),
                row.get::<_, Option<String>>(5)
            ),
        );
    }
    for row in env.query(
        "SELECT event_id, revocation_event_id, zone_id, agent_session_id, occurred_at::text, lag_ms FROM revocation_violations",
    ) {
        out.insert(
            format!("violation {} {}", row.get::<_, String>(0), row.get::<_, String>(1)),
            format!(
                "{} {} {} {}",
                row.get::<_, String>(2),
                row.get::<_, String>(3),
                row.get::<_, String>(4),
                row.get::<_, i64>(5)
            ),
        );
    }
    out
}

/// A test's environment with `count` events emitted, and a twin environment whose stream is
/// a copy of it, for a single-process run to compare the cluster's views with.
fn backlog_with_twin(name: &str, count: &str, seed: &str) -> (TestEnv, TestEnv, Vec<(String, String, String)>) {
    let env = TestEnv::new(name);
    let single = TestEnv::new(&format!("{name}_single"));
    let manifest = emit(&env, count, seed);
    copy_stream(&env, &single);
    (env, single, manifest)
}

/// Drains the twin with one process and compares its views with the cluster's.
fn assert_views_equal_to_a_single_process(cluster: &TestEnv, single: &TestEnv) {
    single.run_until_drained(&["--workers", "1"], DRAIN_LIMIT);
    let (a, b) = (views(cluster), views(single));
    assert!(a.keys().any(|k| k.starts_with("trace")), "the views hold no request traces");
    assert!(a.keys().any(|k| k.starts_with("violation")), "the events held no revocation violations to compare");
    let differ: Vec<&String> = a.keys().chain(b.keys()).filter(|k| a.get(*k) != b.get(*k)).take(5).collect();
    assert!(
        differ.is_empty(),
        "the cluster's views differ from a single process's over the same events ({} vs {} rows), e.g. {:?}",
        a.len(),
        b.len(),
        differ.iter().map(|k| (k, a.get(*k), b.get(*k))).collect::<Vec<_>>()
    );
}

/// The consumers of the group, with their pending counts.
fn consumers(env: &TestEnv) -> BTreeMap<String, i64> {
    let reply: Vec<Vec<redis::Value>> = redis::cmd("XINFO")
        .arg("CONSUMERS")
        .arg(&env.stream)
        .arg("audit-ingestor")
        .query(&mut env.redis())
        .expect("XINFO CONSUMERS");
    reply
        .into_iter()
        .map(|fields| {
            let field = |name: &str| {
                fields
                    .chunks(2)
                    .find(|p| redis::from_redis_value::<String>(p[0].clone()).ok().as_deref() == Some(name))
                    .map(|p| p[1].clone())
                    .expect("field")
            };
            (
                redis::from_redis_value::<String>(field("name")).expect("name"),
                redis::from_redis_value::<i64>(field("pending")).expect("pending"),
            )
        })
        .collect()
}

#[test]
fn three_hosts_survive_ten_random_sigkills_exactly_once() {
    // Every restart keeps the consumer names, so each process re-reads its own pending
    // entries and nothing needs claiming. With claims after 1 s idle, three processes on two
    // busy cores took each other's in-flight batches whenever a commit took longer than that,
    // each claim a delivery, until 592 valid entries passed `max_deliveries` and were
    // dead-lettered (CI of 350d3ea). An operator sets the claim idle above the commit time.
    const PATIENT: &[&str] = &["--claim-idle-ms", "30000"];
    let (env, single, manifest) = backlog_with_twin("fleet_kills", "200000", "18");
    let hosts = Hosts::new(3);
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x18);
    let mut victims = Vec::new();
    for _ in 0..10 {
        victims.push(kill_one(&env, &hosts, 3, None, PATIENT, &mut rng));
    }
    let partial = rows(&env) as usize;
    assert!(partial < manifest.len(), "the kills should interrupt the drain, but {partial} rows are in already");
    Cluster::drain(&env, &hosts, 3, PATIENT, DRAIN_LIMIT);
    env.assert_exactly_once(&manifest);
    env.assert_export_verifies();
    assert!(env.export_caught_up(), "the archive has not caught up with the ledger");
    let recovered: usize = (0..3).map(|i| process_log(&env, i).matches("re-reading own pending entries").count()).sum();
    assert!(recovered > 0, "restarted processes should have re-read their own pending entries");

    assert_views_equal_to_a_single_process(&env, &single);
    eprintln!("victims: {victims:?}; rows before the final drain: {partial}");
}

#[test]
fn rescaling_one_three_two_processes_mid_drain_is_exactly_once() {
    let (env, single, manifest) = backlog_with_twin("fleet_rescale", "100000", "19");
    let hosts = Hosts::new(3);
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x19);
    kill_one(&env, &hosts, 1, Some(0), &[], &mut rng);
    kill_one(&env, &hosts, 3, None, &[], &mut rng);
    let before_final = consumers(&env);
    assert!(
        before_final.keys().any(|c| c == "auditflow-2-0"),
        "a three-process run should have read as auditflow-2-0: {before_final:?}"
    );
    Cluster::drain(&env, &hosts, 2, &[], DRAIN_LIMIT);
    env.assert_exactly_once(&manifest);
    env.assert_export_verifies();
    let after = consumers(&env);
    assert_eq!(
        after.keys().cloned().collect::<Vec<_>>(),
        ["auditflow-0-0", "auditflow-1-0"],
        "consumers of the old sizes must be gone from the group: {after:?}"
    );
    assert!(after.values().all(|&p| p == 0), "entries are still pending: {after:?}");
    let log = process_log(&env, 0);
    assert!(log.contains("retired a consumer"), "process 0 should have retired the old consumers");
    // Single-owner duties run once in the cluster: process 0 sweeps, process 1 does not.
    assert!(sweeps(&env, 0) > 0 && sweeps(&env, 1) == 0, "sweeps: {} and {}", sweeps(&env, 0), sweeps(&env, 1));

    assert_views_equal_to_a_single_process(&env, &single);
}

/// Three processes started on the backlog, once the ledger has rows and a little more.
fn mid_drain<'a>(env: &'a TestEnv, hosts: &'a Hosts) -> Cluster<'a> {
    let cluster = Cluster::start(env, hosts, 3, &[]);
    let started = Instant::now();
    while rows(env) == 0 {
        assert!(started.elapsed() < Duration::from_secs(120), "nothing committed\n{}", cluster.logs());
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(500));
    cluster
}

#[test]
fn a_cut_link_stops_every_process_within_the_bound_and_the_restart_is_exactly_once() {
    let env = TestEnv::new("fleet_partition");
    let manifest = emit(&env, "100000", "20");
    let hosts = Hosts::new(3);
    let mut cluster = mid_drain(&env, &hosts);
    hosts.cut(1);
    let exits = cluster.wait_all(PEER_LOSS_BOUND + Duration::from_secs(30));
    for (i, (status, took)) in exits.iter().enumerate() {
        assert!(!status.success(), "process {i} exited 0 after the cut");
        assert!(
            *took <= PEER_LOSS_BOUND,
            "process {i} took {took:?} to stop after the cut (bound {PEER_LOSS_BOUND:?})"
        );
        assert!(process_log(&env, i).contains("is gone"), "process {i} did not name the lost peer\n{}", cluster.logs());
    }
    eprintln!("exits after the cut: {:?}", exits.iter().map(|e| e.1).collect::<Vec<_>>());
    drop(cluster);
    hosts.restore(1);
    Cluster::drain(&env, &hosts, 3, &[], DRAIN_LIMIT);
    env.assert_exactly_once(&manifest);
    env.assert_export_verifies();
}

#[test]
fn a_stopped_process_stops_the_others_within_the_bound_and_the_restart_is_exactly_once() {
    let env = TestEnv::new("fleet_sigstop");
    let manifest = emit(&env, "100000", "21");
    let hosts = Hosts::new(3);
    let mut cluster = mid_drain(&env, &hosts);
    // Alive but stuck: the kernel still answers its connections.
    let stopped = cluster.children[1].id().to_string();
    let signal = |sig: &str| {
        let ok = std::process::Command::new("kill").args([sig, &stopped]).status().is_ok_and(|s| s.success());
        assert!(ok, "kill {sig} {stopped}");
    };
    signal("-STOP");
    let stop_at = Instant::now();
    let mut exits: Vec<Option<Duration>> = vec![None; 3];
    while [0, 2].iter().any(|&i| exits[i].is_none()) {
        for i in [0, 2] {
            if exits[i].is_none() && cluster.children[i].try_wait().expect("wait").is_some() {
                exits[i] = Some(stop_at.elapsed());
            }
        }
        if stop_at.elapsed() > PEER_LOSS_BOUND + Duration::from_secs(30) {
            signal("-CONT");
            panic!("the others still run {:?} after one was stopped: {exits:?}\n{}", stop_at.elapsed(), cluster.logs());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    for i in [0, 2] {
        let took = exits[i].expect("exited");
        assert!(took <= PEER_LOSS_BOUND, "process {i} took {took:?} to stop (bound {PEER_LOSS_BOUND:?})");
        assert!(process_log(&env, i).contains("is gone"), "process {i} did not name the lost peer\n{}", cluster.logs());
    }
    eprintln!("exits after the SIGSTOP: {exits:?}");
    signal("-CONT");
    drop(cluster);
    Cluster::drain(&env, &hosts, 3, &[], DRAIN_LIMIT);
    env.assert_exactly_once(&manifest);
    env.assert_export_verifies();
}

/// Two processes on loopback with `extra0` / `extra1`; returns their outputs.
fn pair(env: &TestEnv, hostfiles: [&str; 2], extra: [&[&str]; 2]) -> [std::process::Output; 2] {
    let children: Vec<std::process::Child> = (0..2)
        .map(|i| {
            let path = env.dir.join(format!("hostfile-{i}"));
            std::fs::write(&path, hostfiles[i]).expect("hostfile");
            let process = i.to_string();
            let mut args = vec!["run", "--processes", "2", "--process", &process, "--workers", "1"];
            args.extend(["--hostfile", path.to_str().expect("utf8"), "--connect-timeout-secs", "5"]);
            args.extend_from_slice(extra[i]);
            env.command(&args)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let mut outputs = children.into_iter().map(|c| c.wait_with_output().expect("wait"));
    [outputs.next().expect("0"), outputs.next().expect("1")]
}

/// Both processes exited 2, each saying `fix`: each refused the other, kept waiting for a
/// peer it could accept, and gave up at its connect timeout naming the refusal.
fn assert_both_refused(outputs: &[std::process::Output; 2], fix: &str) {
    let stderr: Vec<String> = outputs.iter().map(|o| String::from_utf8_lossy(&o.stderr).into_owned()).collect();
    for (i, out) in outputs.iter().enumerate() {
        assert_eq!(out.status.code(), Some(2), "process {i} should be refused with exit 2:\n{}", stderr.join("\n"));
        assert!(stderr[i].contains(fix), "process {i} should say {fix:?}: {}", stderr[i]);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

#[test]
fn a_process_of_another_generation_or_hostfile_is_refused_with_exit_2() {
    let env = TestEnv::new("fleet_refuse");
    env.emit(&["--count", "100"]);
    let (a, b) = (free_port(), free_port());
    let hostfile = format!("127.0.0.1:{a}\n127.0.0.1:{b}\n");

    let refused = pair(&env, [&hostfile, &hostfile], [&["--generation", "blue"], &["--generation", "green"]]);
    assert_both_refused(&refused, "restart every process with the same --generation");
    assert!(String::from_utf8_lossy(&refused[0].stderr).contains("belongs to generation \"green\""));
    let other = format!("127.0.0.1:{a}\n127.0.0.2:{b}\n");
    assert_both_refused(&pair(&env, [&hostfile, &other], [&[], &[]]), "same --hostfile");
    assert_eq!(env.ledger_rows(), 0, "a refused cluster must not have ingested anything");

    // Settings a process can check alone.
    let path = env.dir.join("hostfile-0");
    let path = path.to_str().expect("utf8");
    for (args, says) in [
        (vec!["--processes", "3", "--process", "0", "--hostfile", path], "names 2 process(es) but --processes is 3"),
        (vec!["--processes", "2", "--process", "2", "--hostfile", path], "process 2 does not exist"),
        (vec!["--processes", "2", "--process", "1"], "needs a hostfile"),
    ] {
        let mut all = vec!["run"];
        all.extend(args);
        let out = env.output(&all);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{all:?}: {stderr}");
        assert!(stderr.contains(says), "{all:?} should say {says:?}: {stderr}");
    }
    // The same from the variables a StatefulSet sets: the index is the host name's ordinal.
    let out = env
        .command(&["run"])
        .env("AUDITFLOW_HOSTFILE", path)
        .env("HOSTNAME", "auditflow-5")
        .output()
        .expect("run auditflow");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("process 5 does not exist in a cluster of 2"), "{stderr}");
}

/// The tamper sweeps process `i` ran, from the summary its drain printed last.
fn sweeps(env: &TestEnv, i: usize) -> u64 {
    let log = process_log(env, i);
    let line = log.lines().rev().find(|l| l.starts_with("  tamper sweeps")).expect("a run summary in the log");
    line.split_whitespace().nth(2).and_then(|n| n.parse().ok()).expect("a sweep count")
}

#[test]
fn start_up_is_not_ready_and_counts_down_for_missing_peers_then_exits_3() {
    let env = TestEnv::new("fleet_countdown");
    let path = env.dir.join("hostfile");
    std::fs::write(&path, format!("127.0.0.1:{}\n127.0.0.1:{}\n", free_port(), free_port())).expect("hostfile");
    let started = Instant::now();
    let path = path.to_str().expect("utf8");
    let mut run =
        env.spawn_run(&["--processes", "2", "--process", "1", "--hostfile", path, "--connect-timeout-secs", "8"], &[]);
    // While it waits for its peer: alive, not ready, and its metrics carry its index.
    let addr = env.server_addr(1);
    assert_eq!(crate::common::http_get(&addr, "/healthz", &[]).0, 200);
    let (status, body) = crate::common::http_get(&addr, "/readyz", &[]);
    assert_eq!(status, 503, "not ready before the cluster formed: {body}");
    assert!(body.contains("waits for the cluster to form (0 of 1 peers connected)"), "{body}");
    let (_, metrics) = crate::common::http_get(&addr, "/metrics", &[]);
    let metrics = crate::common::parse_metrics(&metrics);
    assert_eq!(metrics.get("auditflow_cluster_processes{process=\"1\"}"), Some(&2.0), "{metrics:?}");
    assert_eq!(metrics.get("auditflow_cluster_peers_connected{process=\"1\"}"), Some(&0.0), "{metrics:?}");

    let status = run.wait().expect("wait");
    let log = std::fs::read_to_string(env.dir.join("run.log")).expect("log");
    assert_eq!(status.code(), Some(3), "{log}");
    assert!(started.elapsed() < Duration::from_secs(30), "gave up only after {:?}", started.elapsed());
    assert!(log.matches("waiting for cluster peers: 0 of 1 connected").count() >= 2, "a countdown every 5 s: {log}");
    assert!(log.contains("giving up in"), "{log}");
    assert!(log.contains("cluster peer unreachable"), "{log}");
}
