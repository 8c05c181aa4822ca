//! The OCSF archive and `verify-archive` (issue 32) against real Redis, Postgres, DuckDB and
//! an S3 server (moto): every event valid OCSF 1.3.0 of its class, one class per file in
//! Security Lake's layout, exactly once under SIGKILLs, and an archive that verifies with
//! the public key alone and names each kind of tampering.

use crate::common::archive::{require_python_module, S3Server, S3_KEY_ID, S3_SECRET};
use crate::common::TestEnv;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(300);
const ZONES: [&str; 3] = ["zone-a", "eu/west:1", "zürich"];

fn emit_args<'a>(count: &'a str, seed: &'a str) -> Vec<&'a str> {
    let mut args = vec!["--count", count, "--seed", seed, "--invalid-ratio", "0.02", "--lifecycle-ratio", "0.3"];
    for z in ZONES {
        args.extend(["--zone", z]);
    }
    args
}

/// Event types the generator does not emit: lifecycle endings, administrative changes, a
/// control invocation and types no mapping knows.
fn publish_the_rest(env: &TestEnv) -> usize {
    let extra = [
        ("session_revoked", "allow", r#"{"session_id":"sess-1","agent_session_id":"as-1"}"#),
        ("session_expired", "allow", r#"{"session_id":"sess-2"}"#),
        ("session_terminated", "allow", r#"{}"#),
        ("admin_policy_updated", "allow", r#"{"policy_id":"pol-9"}"#),
        ("agent_registered", "allow", r#"{"agent_id":"agent-7"}"#),
        ("control.invoke", "deny", r#"{"agent_id":"agent-7","operation":"rotate","http_method":"POST"}"#),
        ("token_refreshed", "allow", r#"{"agent_session_id":"as-2","scopes":["mail:read"]}"#),
        ("quantum_flux_observed", "allow", r#"{"note":"a type no mapping knows"}"#),
        ("x", "maybe", r#"{"list":[1,2,3]}"#),
    ];
    for (i, (t, d, meta)) in extra.iter().enumerate() {
        let data = format!(
            r#"{{"id":"extra-{i}","zone_id":"zone-a","event_type":"{t}","request_id":"req-extra-{i}","decision":"{d}","occurred_at":"2026-03-01T12:00:0{i}.000123Z","metadata_json":{meta},"determining_policies_json":[{{"policy":"p-{i}","effect":"{d}"}}],"custom_field":{{"b":1}}}}"#
        );
        env.publish_signed(&data);
    }
    extra.len()
}

/// A config file: OCSF on, small segments so that runs cut several manifests.
fn config(env: &TestEnv, ocsf_url: &str, format: &str, segment_rows: u32) -> String {
    let path = env.dir.join("auditflow.toml");
    std::fs::write(
        &path,
        format!(
            "[export]\ntarget_segment_rows = {segment_rows}\n[export.ocsf]\nurl = \"{ocsf_url}\"\nformat = \"{format}\"\n\
             region = \"eu-west-1\"\naccount_id = \"123456789012\"\nroll_secs = 2\n"
        ),
    )
    .expect("config");
    path.to_str().expect("utf8").to_owned()
}

/// Reads every OCSF file under a folder (DuckDB for Parquet, gzip for JSON lines), validates
/// each event against the OCSF 1.3.0 JSON Schema of its class and checks the layout.
const VALIDATE: &str = r#"
import duckdb, gzip, json, os, re, sys, datetime
import jsonschema
from ocsf_json_schema import get_ocsf_schema, OcsfJsonSchemaEmbedded
root = sys.argv[1]
ocsf = OcsfJsonSchemaEmbedded(get_ocsf_schema(version='1.3.0'))
validators = {}
def validator(uid):
    if uid not in validators:
        schema = ocsf.get_class_schema(ocsf.lookup_class_name_from_uid(uid))
        validators[uid] = jsonschema.validators.validator_for(schema)(schema)
    return validators[uid]
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if x is not None}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
layout = re.compile(r'^auditflow-(\d{4})/region=eu-west-1/accountId=123456789012/eventDay=(\d{8})/c\d{4}-s\d{12}-\d{12}-(\d{4})(-p\d+)?\.(parquet|json\.gz)$')
out = {"events": 0, "files": 0, "uids": 0, "per_class_day": {}, "errors": [], "classes_per_file": []}
uids = set()
c = duckdb.connect()
for dirpath, _, files in os.walk(root):
    for f in files:
        rel = os.path.relpath(os.path.join(dirpath, f), root)
        if rel.startswith('_auditflow/'):
            continue
        out["files"] += 1
        m = layout.match(rel)
        if not m:
            out["errors"].append(f"{rel}: not Security Lake's layout"); continue
        path = os.path.join(root, rel)
        if rel.endswith('.parquet'):
            events = [json.loads(r[0]) for r in c.sql(f"SELECT to_json(t) FROM read_parquet('{path}', hive_partitioning = false) t").fetchall()]
        else:
            events = [json.loads(l) for l in gzip.open(path, 'rt') if l.strip()]
        classes = set()
        for e in events:
            e = strip(e)
            out["events"] += 1
            uids.add(e["metadata"]["uid"])
            classes.add(e["class_uid"])
            day = datetime.datetime.fromtimestamp(e["time"] / 1000, datetime.timezone.utc).strftime('%Y%m%d')
            if day != m.group(2) or str(e["class_uid"]) != m.group(1) or m.group(1) != m.group(3):
                out["errors"].append(f"{rel}: event {e['metadata']['uid']} of class {e['class_uid']} day {day}")
            key = f"{e['class_uid']}|{day}"
            out["per_class_day"][key] = out["per_class_day"].get(key, 0) + 1
            for err in list(validator(e["class_uid"]).iter_errors(e))[:1]:
                if len(out["errors"]) < 20:
                    out["errors"].append(f"{rel}: {e['metadata']['uid']}: {err.message} at {list(err.absolute_path)}")
        out["classes_per_file"].append(len(classes))
out["uids"] = len(uids)
print(json.dumps(out))
"#;

fn validate(dir: &Path) -> serde_json::Value {
    require_python_module("duckdb");
    require_python_module("ocsf_json_schema");
    require_python_module("jsonschema");
    let out = Command::new("python3").arg("-c").arg(VALIDATE).arg(dir).output().expect("python3");
    assert!(out.status.success(), "validation script failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

/// The class of each event type, as docs/ocsf.md maps them.
fn class_of(event_type: &str) -> i64 {
    let entity = ["delegation_", "admin_", "admin.", "policy_", "agent_", "zone_", "principal_", "key_"];
    if event_type.starts_with("token_") {
        3003
    } else if event_type.starts_with("step_up_") || event_type.starts_with("session_") {
        3002
    } else if entity.iter().any(|p| event_type.starts_with(p)) {
        3004
    } else {
        6003
    }
}

/// The ledger's rows per (class, UTC day), by the documented mapping.
fn ledger_per_class_day(env: &TestEnv) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for r in env.query(
        "SELECT event_type, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYYMMDD'), count(*) FROM audit_events GROUP BY 1, 2",
    ) {
        let key = format!("{}|{}", class_of(r.get::<_, &str>(0)), r.get::<_, String>(1));
        *out.entry(key).or_default() += r.get::<_, i64>(2);
    }
    out
}

/// `verify-archive` with no database reachable at all; returns (exit code, stdout).
fn verify_archive(env: &TestEnv, url: &str, extra: &[&str]) -> (i32, String) {
    let key = public_key(env);
    let mut args = vec!["verify-archive", "--url", url, "--trusted-public-key", key.as_str()];
    args.extend_from_slice(extra);
    let mut cmd = env.command(&args);
    cmd.env("AUDITFLOW_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .env("AUDITFLOW_REDIS_URL", "redis://127.0.0.1:1")
        .env("AUDITFLOW_EXPORT_SIGNING_KEY_FILE", env.dir.join("no-such.key"));
    let out = cmd.output().expect("verify-archive");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// The export public key, as an auditor would be given it.
fn public_key(env: &TestEnv) -> String {
    let seed = std::fs::read_to_string(env.dir.join("export.key")).expect("export key");
    let seed: [u8; 32] = hex::decode(seed.trim()).expect("hex").try_into().expect("32 bytes");
    let signer = auditflow_schemas::signer::Signer::from_seed(auditflow_schemas::signer::KeyRole::Export, seed);
    hex::encode(signer.public_key().as_bytes())
}

fn file_url(dir: &Path) -> String {
    format!("file://{}", dir.display())
}

#[test]
fn ocsf_events_of_the_full_mix_validate_against_their_class_in_both_formats() {
    for format in ["parquet", "json-gz"] {
        let env = TestEnv::new(&format!("ocsf_mix_{}", format.replace('-', "_")));
        let ocsf_dir = env.dir.join("ocsf");
        let config = config(&env, &file_url(&ocsf_dir), format, 2500);
        let mut manifest = env.emit(&[emit_args("6000", "41"), vec!["--start-time", "2026-03-01T23:59:40Z"]].concat());
        let extra = publish_the_rest(&env);
        env.run_until_drained(&["--config", &config], LIMIT);
        manifest.retain(|m| m.2 == "ok");
        let rows = env.ledger_rows();
        assert_eq!(rows as usize, manifest.len() + extra, "every valid event is in the ledger once");

        let seen = validate(&ocsf_dir);
        let errors = seen["errors"].as_array().expect("errors");
        assert!(errors.is_empty(), "{format}: {} problems, first: {errors:#?}", errors.len());
        assert_eq!(seen["events"].as_i64(), Some(rows), "{format}: OCSF events = ledger rows");
        assert_eq!(seen["uids"].as_i64(), Some(rows), "{format}: each event once");
        assert!(seen["classes_per_file"].as_array().expect("files").iter().all(|n| n.as_i64() == Some(1)));
        let per_class_day: BTreeMap<String, i64> =
            serde_json::from_value(seen["per_class_day"].clone()).expect("counts");
        assert_eq!(per_class_day, ledger_per_class_day(&env), "{format}: counts per class and day");
        assert_eq!(per_class_day.keys().map(|k| &k[..4]).collect::<std::collections::BTreeSet<_>>().len(), 4);
        assert!(per_class_day.keys().any(|k| k.ends_with("20260302")), "the events span two days");

        if format == "parquet" {
            // DuckDB with hive_partitioning: the partitions are columns, counts per class and day match.
            let out = Command::new("python3")
                .arg("-c")
                .arg(
                    "import duckdb, json, sys\nr = duckdb.sql(f\"SELECT class_uid, eventDay, accountId, count(*) FROM \
                     read_parquet('{sys.argv[1]}/*/*/*/*/*.parquet', hive_partitioning = true, hive_types_autocast = false, union_by_name = true) \
                     GROUP BY ALL\").fetchall()\nprint(json.dumps({f'{a}|{b}': n for a, b, c, n in r if c == '123456789012'}))",
                )
                .arg(&ocsf_dir)
                .output()
                .expect("duckdb");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let duck: BTreeMap<String, i64> = serde_json::from_slice(&out.stdout).expect("json");
            assert_eq!(duck, per_class_day, "DuckDB hive_partitioning counts");
        }
        if format == "parquet" {
            // Retention drops a month only once both archives hold it.
            let march = |env: &TestEnv| -> String {
                let out =
                    env.output(&["retention", "apply", "--dry-run", "--json", "--by", "ops", "--retention-days", "30"]);
                assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
                let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("retention report");
                let months = report["months"].as_array().expect("months");
                let month = months.iter().find(|m| m["partition"] == "audit_events_y2026m03").expect("March");
                format!(
                    "{} {}",
                    month["action"].as_str().unwrap_or_default(),
                    month["detail"].as_str().unwrap_or_default()
                )
            };
            assert!(march(&env).starts_with("drop"), "{}", march(&env));
            env.query("UPDATE audit_ocsf_watermarks SET to_seq = to_seq - 1");
            assert!(
                march(&env).starts_with("not_archived"),
                "retention must wait for the OCSF archive: {}",
                march(&env)
            );
            env.query("UPDATE audit_ocsf_watermarks SET to_seq = to_seq + 1");
        }
        // Both archives verify with the public key alone, no database.
        for url in [file_url(&ocsf_dir), env.export_url.clone()] {
            let (code, out) = verify_archive(&env, &url, &[]);
            assert_eq!(code, 0, "verify-archive {url}:\n{out}");
            assert!(out.contains(&format!("{rows} rows checked")), "{out}");
        }
    }
}

#[test]
fn the_ocsf_export_is_exactly_once_under_sigkill_at_every_step_on_s3() {
    let mut env = TestEnv::new("ocsf_sigkill");
    let s3 = S3Server::start();
    let bucket = "security-lake";
    s3.create_bucket(bucket);
    env.extra_env = vec![
        ("AWS_ENDPOINT_URL".into(), s3.endpoint()),
        ("AWS_ACCESS_KEY_ID".into(), S3_KEY_ID.into()),
        ("AWS_SECRET_ACCESS_KEY".into(), S3_SECRET.into()),
        ("AWS_REGION".into(), "us-east-1".into()),
    ];
    let ocsf_url = format!("s3://{bucket}/ext/{}", env.name);
    let config = config(&env, &ocsf_url, "parquet", 1500);
    let mut manifest = Vec::new();
    let stages = ["mid_file", "before_manifest", "mid_manifest", "before_watermark", "before_store_watermark"];
    for (i, stage) in stages.iter().enumerate() {
        manifest.extend(env.emit(&emit_args("3000", &(50 + i).to_string())));
        let failpoint = format!("ocsf:{stage}:{}", 1 + i % 2);
        let mut child = env
            .spawn_run(&["--config", &config, "--exit-when-drained"], &[("AUDITFLOW_FAILPOINT", failpoint.as_str())]);
        let started = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait") {
                break s;
            }
            assert!(started.elapsed() < LIMIT, "run did not end");
            std::thread::sleep(Duration::from_millis(100));
        };
        assert!(!status.success(), "failpoint {failpoint} did not kill the run; log:\n{}", env.log_tail());
    }
    env.run_until_drained(&["--config", &config], LIMIT);
    env.assert_exactly_once(&manifest);
    let log = std::fs::read_to_string(env.dir.join("run.log")).unwrap_or_default();
    assert!(log.contains("resuming a recorded segment"), "no run resumed a segment; the kills missed the cycle");
    let rows = env.ledger_rows();
    let (code, out) = verify_archive(&env, &ocsf_url, &["--json"]);
    assert_eq!(code, 0, "{out}");
    // The pretty JSON report: from its first line to its closing brace (stderr follows).
    let json: Vec<&str> = out.lines().skip_while(|l| *l != "{").collect();
    let end = json.iter().position(|l| *l == "}").expect("end of the report");
    let report: serde_json::Value = serde_json::from_str(&json[..=end].join("\n")).expect("report");
    assert_eq!(report["rows"].as_i64(), Some(rows), "every ledger row in the OCSF archive exactly once: {report}");
    let local = env.dir.join("s3-copy");
    s3.download(bucket, &format!("ext/{}", env.name), &local);
    let seen = validate(&local);
    assert_eq!(seen["events"].as_i64(), Some(rows));
    assert_eq!(seen["uids"].as_i64(), Some(rows), "no event twice");
    let manifests = env.query("SELECT sum(manifest_seq)::bigint FROM audit_ocsf_watermarks")[0].get::<_, i64>(0);
    assert!(manifests >= 10, "expected many segments, got {manifests}");
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).expect("under");
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&entry, &dest).expect("copy");
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if e.path().is_dir() {
            out.extend(walk(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out.sort();
    out
}

/// Removes whitespace outside strings: a pretty-printed manifest's compact body.
fn compact(text: &str) -> String {
    let (mut out, mut in_string, mut escaped) = (String::new(), false, false);
    for c in text.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if !c.is_whitespace() {
            out.push(c);
            in_string = c == '"';
        }
    }
    out
}

/// Re-signs a manifest object with another Ed25519 key.
fn resign_with_another_key(path: &Path) {
    let doc = compact(&std::fs::read_to_string(path).expect("manifest"));
    let body = doc.strip_prefix("{\"manifest\":").and_then(|d| d.split(",\"signature\":").next()).expect("shape");
    let other = auditflow_schemas::signer::Signer::from_seed(auditflow_schemas::signer::KeyRole::Export, [9; 32]);
    let signature = other.sign_hex(format!("auditflow-export-manifest-v1\n{body}").as_bytes());
    std::fs::write(path, format!("{{\"manifest\":{body},\"signature\":\"{signature}\"}}\n")).expect("write");
}

/// A file of the archive under `dir` whose path contains `part`.
fn some_file(dir: &Path, part: &str) -> PathBuf {
    walk(dir)
        .into_iter()
        .find(|p| p.to_string_lossy().contains(part) && !p.to_string_lossy().contains("_auditflow"))
        .expect("a data file")
}

#[test]
fn verify_archive_needs_no_database_and_names_each_kind_of_tampering() {
    let env = TestEnv::new("verify_archive");
    let ocsf_dir = env.dir.join("ocsf");
    let config = config(&env, &file_url(&ocsf_dir), "json-gz", 400);
    env.emit(&emit_args("5000", "77"));
    env.run_until_drained(&["--config", &config], LIMIT);
    let archive = env.export_dir();
    let chain_a: i32 = env.query("SELECT chain_id FROM audit_zone_chains WHERE zone_id = 'zone-a'")[0].get(0);
    let manifests_a = archive.join(format!("_auditflow/manifests/chain={chain_a:04}"));
    assert!(walk(&manifests_a).len() >= 3, "zone-a needs three manifests or more");

    let case = |name: &str, tamper: &dyn Fn(&Path), kind: &str| {
        let copy = env.dir.join(format!("case-{name}"));
        copy_tree(&archive, &copy);
        tamper(&copy);
        let (code, out) = verify_archive(&env, &file_url(&copy), &[]);
        assert_eq!(code, 1, "{name}: expected findings:\n{out}");
        assert!(out.contains(kind), "{name}: expected {kind}:\n{out}");
    };
    let (code, out) = verify_archive(&env, &file_url(&archive), &[]);
    assert_eq!(code, 0, "{out}");
    case(
        "flipped",
        &|d| {
            let f = some_file(d, "zone_id=zone-a");
            let mut bytes = std::fs::read(&f).expect("read");
            let i = bytes.len() / 2;
            bytes[i] ^= 0x01;
            std::fs::write(&f, bytes).expect("write");
        },
        "file_hash_mismatch",
    );
    case("deleted", &|d| std::fs::remove_file(some_file(d, "zone_id=zone-a")).expect("rm"), "file_missing");
    case(
        "row_removed",
        &|d| {
            let f = some_file(d, "zone_id=zone-a");
            let script = "import duckdb, sys\nc = duckdb.connect()\nc.sql(f\"CREATE TABLE t AS SELECT * FROM read_parquet('{sys.argv[1]}')\")\n\
                      c.sql(\"DELETE FROM t WHERE chain_seq = (SELECT min(chain_seq) + 1 FROM t)\")\n\
                      c.sql(f\"COPY t TO '{sys.argv[1]}' (FORMAT parquet, COMPRESSION zstd)\")";
            let out = Command::new("python3").arg("-c").arg(script).arg(&f).output().expect("duckdb");
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        },
        "row_missing",
    );
    case(
        "other_key",
        &|d| resign_with_another_key(&d.join(format!("_auditflow/manifests/chain={chain_a:04}/m0000000002.json"))),
        "manifest_invalid",
    );
    case(
        "gap",
        &|d| {
            std::fs::remove_file(d.join(format!("_auditflow/manifests/chain={chain_a:04}/m0000000002.json")))
                .expect("rm")
        },
        "manifest_missing",
    );
    // The OCSF archive too.
    case_ocsf(&env, &ocsf_dir);

    // A tenant's hand-over: the zone's partition folder, its chain's manifests and watermark.
    let handover = env.dir.join("handover");
    let zone_dir = "audit_events/zone_id=zone-a";
    copy_tree(&archive.join(zone_dir), &handover.join(zone_dir));
    copy_tree(&manifests_a, &handover.join(format!("_auditflow/manifests/chain={chain_a:04}")));
    let wm = format!("_auditflow/watermarks/chain={chain_a:04}.json");
    std::fs::create_dir_all(handover.join("_auditflow/watermarks")).expect("mkdir");
    std::fs::copy(archive.join(&wm), handover.join(&wm)).expect("watermark");
    let (code, out) = verify_archive(&env, &file_url(&handover), &["--zone", "zone-a"]);
    assert_eq!(code, 0, "{out}");
    let zone_rows = env.query("SELECT count(*) FROM audit_events WHERE zone_id = 'zone-a'")[0].get::<_, i64>(0);
    assert!(out.contains(&format!("{zone_rows} rows checked")), "{out}");
    // The full archive checked for that zone alone gives the same.
    let (code, out) = verify_archive(&env, &file_url(&archive), &["--zone", "zone-a"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("{zone_rows} rows checked")), "{out}");
    let f = some_file(&handover, zone_dir);
    let mut bytes = std::fs::read(&f).expect("read");
    let n = bytes.len();
    bytes[n / 3] ^= 0x20;
    std::fs::write(&f, bytes).expect("write");
    let (code, out) = verify_archive(&env, &file_url(&handover), &["--zone", "zone-a"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("file_hash_mismatch"), "{out}");
    // Usage and reachability have their own exit codes.
    let (code, out) = verify_archive(&env, "ftp://nowhere", &[]);
    assert_eq!(code, 2, "{out}");
    let (code, out) = verify_archive(&env, &file_url(&env.dir.join("empty")), &[]);
    assert_eq!(code, 1, "an empty location is no clean archive: {out}");
    assert!(out.contains("manifest_missing"), "{out}");
    let key = public_key(&env);
    let out = env
        .command(&["verify-archive", "--url", "s3://nowhere/archive", "--trusted-public-key", &key])
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        .env("AWS_ACCESS_KEY_ID", "x")
        .env("AWS_SECRET_ACCESS_KEY", "x")
        .env("AUDITFLOW_EXPORT_SIGNING_KEY_FILE", env.dir.join("no-such.key"))
        .output()
        .expect("verify-archive");
    assert_eq!(
        out.status.code(),
        Some(3),
        "a store that does not answer is exit 3: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn case_ocsf(env: &TestEnv, ocsf_dir: &Path) {
    let (code, out) = verify_archive(env, &file_url(ocsf_dir), &[]);
    assert_eq!(code, 0, "{out}");
    let copy = env.dir.join("ocsf-flipped");
    copy_tree(ocsf_dir, &copy);
    let f = some_file(&copy, ".json.gz");
    let mut bytes = std::fs::read(&f).expect("read");
    let n = bytes.len();
    bytes[n / 2] ^= 0x01;
    std::fs::write(&f, bytes).expect("write");
    let (code, out) = verify_archive(env, &file_url(&copy), &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("file_hash_mismatch"), "{out}");
}
