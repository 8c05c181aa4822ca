//! The archive (SPEC §4) against real Redis, Postgres, DuckDB and an S3 server (moto):
//! complete, never doubled, and provably the ledger — including after SIGKILLs inside the
//! export cycle and an object-store outage.

use crate::common::archive::{S3Server, S3_KEY_ID, S3_SECRET};
use crate::common::proxy::CuttableProxy;
use crate::common::{kill9, terminate, TestEnv};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(300);

/// Zones that need escaping in a path, and one that does not.
const ZONES: [&str; 5] = ["zone-a", "eu/west:1", "zürich", "100% \"quoted\"", "a=b?c#d"];

fn emit_args<'a>(count: &'a str, seed: &'a str) -> Vec<&'a str> {
    let mut args = vec!["--count", count, "--seed", seed, "--invalid-ratio", "0.02", "--duplicate-ratio", "0.02"];
    for z in ZONES {
        args.extend(["--zone", z]);
    }
    args
}

/// A config file with small segments, so that runs cut many manifests.
fn small_segments(env: &TestEnv, rows: u32) -> String {
    let path = env.dir.join("auditflow.toml");
    std::fs::write(&path, format!("[export]\ntarget_segment_rows = {rows}\n")).expect("config");
    path.to_str().expect("utf8").to_owned()
}

#[test]
fn duckdb_reads_the_archive_as_the_ledger() {
    let env = TestEnv::new("archive_duckdb");
    // Events over several hours and two dates, so several date and hour partitions exist.
    let manifest = env.emit(&[emit_args("30000", "3"), vec!["--start-time", "2026-03-01T23:59:45Z"]].concat());
    // One chain and tiny target files, so big partitions roll into several parts.
    let config = env.dir.join("auditflow.toml");
    std::fs::write(&config, "[ledger]\nshards = 1\n[export]\ntarget_file_mb = 0.05\n").expect("config");
    env.run_until_drained(&["--config", config.to_str().expect("utf8")], LIMIT);
    env.assert_exactly_once(&manifest);
    assert!(env.export_caught_up(), "a draining run exits only once the archive caught up");
    env.assert_archive_matches_ledger(&env.export_dir());
    env.assert_export_verifies();

    // Every zone became one decodable partition folder.
    let zones: Vec<String> = std::fs::read_dir(env.export_dir().join("audit_events"))
        .expect("table dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(zones.len(), ZONES.len(), "{zones:?}");
    assert!(zones.iter().all(|z| z.starts_with("zone_id=") && !z[8..].contains('/')), "{zones:?}");
    let dates = env.query("SELECT count(DISTINCT (occurred_at AT TIME ZONE 'UTC')::date) FROM audit_events");
    assert!(dates[0].get::<_, i64>(0) >= 2, "the events should span two dates");
    let parts = walk_files(&env.export_dir().join("audit_events"));
    assert!(
        parts.iter().any(|p| p.to_string_lossy().ends_with("-p1.parquet")),
        "no partition rolled into a second file at the 50 KiB target"
    );

    // A second run with nothing new writes nothing and changes nothing.
    let files_before = count_files(&env);
    env.run_until_drained(&["--config", config.to_str().expect("utf8")], LIMIT);
    assert_eq!(count_files(&env), files_before);
    env.assert_export_verifies();

    // Replays write the same names and bytes: wipe the archive, rewind the export watermarks
    // (the recorded segments stay), run again, and every object comes back identical.
    let before = hash_tree(&env.export_dir());
    std::fs::remove_dir_all(env.export_dir()).expect("wipe archive");
    env.query("UPDATE audit_export_watermarks SET manifest_seq = 0, to_seq = 0, manifest_sha256 = NULL");
    env.run_until_drained(&["--config", config.to_str().expect("utf8")], LIMIT);
    let after = hash_tree(&env.export_dir());
    assert_eq!(before.len(), after.len(), "a different number of objects after the replay");
    for (path, sha) in &before {
        assert_eq!(after.get(path), Some(sha), "{path} differs after the replay");
    }
    env.assert_export_verifies();
}

/// SHA-256 of every file under a folder, by relative path.
fn hash_tree(root: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    use sha2::Digest;
    walk_files(root)
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(root).expect("under root").to_string_lossy().into_owned();
            (rel, hex::encode(sha2::Sha256::digest(std::fs::read(&p).expect("read"))))
        })
        .collect()
}

#[test]
fn a_bad_export_url_is_a_configuration_error() {
    let mut env = TestEnv::new("archive_bad_url");
    env.export_url = "ftp://archive.example/x".into();
    let out = env.output(&["run", "--exit-when-drained"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("AUDITFLOW_EXPORT_URL") && stderr.contains("s3://bucket/prefix"), "{stderr}");
}

fn count_files(env: &TestEnv) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .map(|rd| rd.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum())
            .unwrap_or(0)
    }
    walk(&env.export_dir())
}

#[test]
fn exactly_once_under_sigkill_at_every_step_of_the_export_cycle() {
    let env = TestEnv::new("archive_sigkill");
    let config = small_segments(&env, 3000);
    let mut manifest = Vec::new();
    let stages = ["mid_file", "before_manifest", "mid_manifest", "before_watermark", "before_store_watermark"];
    for (i, stage) in stages.iter().enumerate() {
        let seed = (10 + i).to_string();
        manifest.extend(env.emit(&emit_args("8000", &seed)));
        // The n-th time varies so that kills land in later segments too.
        let failpoint = format!("export:{stage}:{}", 1 + i % 3);
        let mut child = env
            .spawn_run(&["--config", &config, "--exit-when-drained"], &[("AUDITFLOW_FAILPOINT", failpoint.as_str())]);
        let status = wait(&mut child, LIMIT);
        assert!(!status.success(), "failpoint {failpoint} did not kill the run; log:\n{}", env.log_tail());
    }
    // Random SIGKILLs while a long run exports continuously (max delay 1 s).
    manifest.extend(env.emit(&emit_args("40000", "99")));
    for round in 0..3 {
        let mut child = env.spawn_run(&["--config", &config, "--export-max-delay-secs", "1"], &[]);
        std::thread::sleep(Duration::from_millis(1500 + 700 * round));
        kill9(&mut child);
    }
    env.run_until_drained(&["--config", &config], LIMIT);
    env.assert_exactly_once(&manifest);
    assert!(env.export_caught_up());
    env.assert_archive_matches_ledger(&env.export_dir());
    env.assert_export_verifies();
    let log = std::fs::read_to_string(env.dir.join("run.log")).unwrap_or_default();
    assert!(log.contains("resuming a recorded segment"), "no run had to resume a segment; the kills missed the cycle");
    let manifests = env.query("SELECT sum(manifest_seq)::bigint FROM audit_export_watermarks")[0].get::<_, i64>(0);
    assert!(manifests > 16, "expected many segments, got {manifests} manifests");
}

fn wait(child: &mut std::process::Child, limit: Duration) -> std::process::ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(started.elapsed() < limit, "run did not end within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn s3_archive_waits_out_an_outage_and_loses_nothing() {
    let mut env = TestEnv::new("archive_s3");
    let s3 = S3Server::start();
    let proxy = CuttableProxy::start(s3.port);
    let bucket = "audit-archive";
    s3.create_bucket(bucket);
    env.export_url = format!("s3://{bucket}/auditflow/{}", env.name);
    env.extra_env = vec![
        ("AWS_ENDPOINT_URL".into(), proxy.endpoint()),
        ("AWS_ACCESS_KEY_ID".into(), S3_KEY_ID.into()),
        ("AWS_SECRET_ACCESS_KEY".into(), S3_SECRET.into()),
        ("AWS_REGION".into(), "us-east-1".into()),
    ];
    let config = small_segments(&env, 2000);
    let mut manifest = env.emit(&emit_args("20000", "5"));
    let migrated = env.output(&["migrate"]);
    assert!(migrated.status.success(), "{}", String::from_utf8_lossy(&migrated.stderr));
    let mut child = env.spawn_run(&["--config", &config, "--export-max-delay-secs", "1"], &[]);
    wait_until(LIMIT, || {
        env.export_caught_up() && env.query("SELECT count(*) FROM audit_events")[0].get::<_, i64>(0) > 0
    });

    // The store goes away while new events keep arriving: ingestion goes on, the export waits.
    proxy.cut();
    manifest.extend(env.emit(&emit_args("20000", "6")));
    wait_until(LIMIT, || {
        env.query("SELECT count(*) FROM audit_events")[0].get::<_, i64>(0)
            >= manifest.iter().filter(|m| m.2 == "ok").count() as i64
    });
    std::thread::sleep(Duration::from_secs(4));
    assert!(!env.export_caught_up(), "the export cannot have caught up while the store is unreachable");
    proxy.restore();
    wait_until(LIMIT, || env.export_caught_up());
    let status = terminate(&mut child, LIMIT);
    assert!(status.success(), "run exited with {status}; log:\n{}", env.log_tail());
    let log = std::fs::read_to_string(env.dir.join("run.log")).unwrap_or_default();
    assert!(log.contains("export step failed"), "the outage was not noticed:\n{}", env.log_tail());

    env.assert_exactly_once(&manifest);
    env.assert_export_verifies();
    let local = env.dir.join("s3-copy");
    let objects = s3.download(bucket, &format!("auditflow/{}", env.name), &local);
    assert!(objects > 20, "only {objects} objects in the bucket");
    env.assert_archive_matches_ledger(&local);
}

fn wait_until(limit: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < limit, "condition not reached within {limit:?}");
        std::thread::sleep(Duration::from_millis(250));
    }
}

#[test]
fn verify_export_names_every_kind_of_tampering() {
    let env = TestEnv::new("archive_tamper");
    let config = small_segments(&env, 4000);
    env.emit(&emit_args("12000", "7"));
    env.run_until_drained(&["--config", &config], LIMIT);
    env.assert_export_verifies();

    // The trust anchor: the public key logged when the export key was generated.
    let log = std::fs::read_to_string(env.dir.join("run.log")).expect("log");
    let public_key = log
        .lines()
        .find(|l| l.contains("export signing key"))
        .and_then(|l| l.split("public_key=").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the generated export key's public key is logged")
        .to_owned();
    let missing_key = env.dir.join("no-such.key");
    let missing = missing_key.to_str().expect("utf8");
    let out = env.output(&["verify-export", "--export-signing-key-file", missing]);
    assert_eq!(out.status.code(), Some(2), "a verifier must not invent a key");
    let out = env.output(&["verify-export", "--export-signing-key-file", missing, "--trusted-public-key", &public_key]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let other_key = env.dir.join("other.key");
    std::fs::write(&other_key, "11".repeat(32)).expect("key");
    let out = env.output(&["verify-export", "--export-signing-key-file", other_key.to_str().expect("utf8")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("manifest_invalid"), "manifests signed by another key must not verify:\n{stdout}");

    let root = env.export_dir();
    let files: Vec<std::path::PathBuf> = walk_files(&root.join("audit_events"));
    assert!(files.len() > 3);
    let rel = |p: &std::path::Path| p.strip_prefix(&root).expect("under root").to_string_lossy().into_owned();

    // 1. An altered data file.
    let victim = &files[0];
    let original = std::fs::read(victim).expect("read");
    let mut altered = original.clone();
    let mid = altered.len() / 2;
    altered[mid] ^= 0xff;
    std::fs::write(victim, &altered).expect("write");
    expect_problem(&env, "file_hash_mismatch", &rel(victim));
    std::fs::write(victim, &original).expect("restore");
    env.assert_export_verifies();

    // 2. A deleted data file.
    std::fs::remove_file(victim).expect("delete");
    expect_problem(&env, "file_missing", &rel(victim));
    expect_problem(&env, "row_missing", "ledger chain_id=");
    std::fs::write(victim, &original).expect("restore");
    env.assert_export_verifies();

    // 3. An extra file that no manifest lists (a copy: its rows would be doubled).
    let extra = victim.with_file_name("c0000-s000000000001-999999999999.parquet");
    std::fs::write(&extra, &original).expect("copy");
    expect_problem(&env, "unexpected_object", &rel(&extra));
    std::fs::remove_file(&extra).expect("remove");
    env.assert_export_verifies();

    // 4. An edited manifest (one row count changed): the signature no longer verifies.
    let manifest_path = walk_files(&root.join("_auditflow/manifests"))[0].clone();
    let text = std::fs::read_to_string(&manifest_path).expect("manifest");
    let edited = text.replacen("\"rows\": ", "\"rows\": 1", 1);
    assert_ne!(edited, text);
    std::fs::write(&manifest_path, edited).expect("edit");
    expect_problem(&env, "manifest_invalid", &rel(&manifest_path));
    std::fs::write(&manifest_path, text).expect("restore");
    env.assert_export_verifies();
}

fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("dir").flatten() {
        if e.path().is_dir() {
            out.extend(walk_files(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out.sort();
    out
}

fn expect_problem(env: &TestEnv, kind: &str, object: &str) {
    let (code, out) = env.verify_export();
    assert_eq!(code, 1, "verify-export should fail with {kind} on {object}:\n{out}");
    assert!(
        out.lines().any(|l| l.contains("PROBLEM") && l.contains(kind) && l.contains(object)),
        "verify-export did not name {kind} {object}:\n{out}"
    );
}

#[test]
fn a_ledger_gap_stops_the_export_of_that_chain_and_fails_the_run() {
    let env = TestEnv::new("archive_gap");
    env.emit(&emit_args("4000", "8"));
    env.run_until_drained(&[], LIMIT);
    env.assert_export_verifies();
    // Rewind the archive and remove a row from the middle of chain 0 (possible only until
    // the ledger's append-only guards exist): the export must refuse to archive around it.
    std::fs::remove_dir_all(env.export_dir()).expect("wipe archive");
    env.query("UPDATE audit_export_watermarks SET manifest_seq = 0, to_seq = 0, manifest_sha256 = NULL");
    // As a superuser with the append-only triggers bypassed: the only way to make a gap.
    env.tamper("DELETE FROM audit_events WHERE chain_id = 0 AND chain_seq = 2");
    let out = env.output(&["run", "--exit-when-drained"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("the archive could not be completed for 1 ledger chain"), "{stderr}");
    assert!(stderr.contains("chain_seq 2 is missing from the ledger"), "{stderr}");
}
