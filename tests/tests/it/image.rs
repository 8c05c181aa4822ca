//! The image (`make image`, Containerfile) run the way Caracal's chart runs it: podman with a
//! read-only root, user 65532, every capability dropped, no privilege escalation, the host's
//! network; Caracal's variables (`PORT`, `DATABASE_URL_FILE`, `REDIS_URL_FILE`,
//! `AUDIT_HMAC_KEY_FILE`), the ledger, head and export keys in the read-only secret folder
//! the chart mounts at /run/secrets, the archive under the chart's one writable mount (the
//! emptyDir at /var/lib/caracal/audit-export), the chart's command `/usr/local/bin/audit`.
//! Against the machine's Redis and Postgres: the probes answer, 10 000 events land exactly
//! once, `verify` from the same image is clean, and SIGTERM ends it within 10 s with
//! nothing pending.

use crate::common::{http_get, TestEnv, HMAC_KEY};
use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(300);

fn image() -> String {
    format!("localhost/auditflow:{}", env!("CARGO_PKG_VERSION"))
}

fn podman(args: &[&str]) -> std::process::Output {
    Command::new("podman")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run podman ({e}): install it with `apt-get install podman buildah runc`"))
}

fn hex_key() -> String {
    use std::io::Read;
    let mut key = [0u8; 32];
    std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut key)).expect("/dev/urandom");
    hex::encode(key)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// The chart's secret folder: Caracal's keys as the runtime secret names them, auditflow's
/// three keys beside them; readable by the container's user, written by nobody.
fn secrets(env: &TestEnv) -> std::path::PathBuf {
    let dir = env.dir.join("secrets");
    std::fs::create_dir_all(dir.join("auditflow")).expect("secrets");
    for (name, value) in [
        ("auditDatabaseUrl", env.database_url()),
        ("redisUrl", env.redis_url.clone()),
        ("auditHmacKey", HMAC_KEY.to_owned()),
        ("auditflow/ledgerKey", hex_key()),
        ("auditflow/ledgerHeadKey", hex_key()),
        ("auditflow/exportKey", hex_key()),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, format!("{value}\n")).expect("secret");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).expect("mode");
    }
    for d in [dir.clone(), dir.join("auditflow")] {
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o555)).expect("mode");
    }
    dir
}

/// The arguments every container of the test runs with, as the chart's pod spec sets them.
fn chart_args<'a>(name: &'a str, secrets: &'a str, scratch: &'a str) -> Vec<String> {
    [
        "--name",
        name,
        "--read-only",
        "--user",
        "65532:65532",
        "--cap-drop",
        "ALL",
        "--security-opt",
        "no-new-privileges",
        "--network",
        "host",
        "--pull",
        "never",
        "-v",
        &format!("{secrets}:/run/secrets:ro"),
        "-v",
        &format!("{scratch}:/var/lib/caracal/audit-export"),
        "-e",
        "DATABASE_URL_FILE=/run/secrets/auditDatabaseUrl",
        "-e",
        "REDIS_URL_FILE=/run/secrets/redisUrl",
        "-e",
        "AUDIT_HMAC_KEY_FILE=/run/secrets/auditHmacKey",
        "-e",
        "AUDIT_EXPORT_TMP_DIR=/var/lib/caracal/audit-export",
        "-e",
        "AUDITFLOW_LEDGER_KEY_FILE=/run/secrets/auditflow/ledgerKey",
        "-e",
        "AUDITFLOW_LEDGER_HEAD_KEY_FILE=/run/secrets/auditflow/ledgerHeadKey",
        "-e",
        "AUDITFLOW_EXPORT_SIGNING_KEY_FILE=/run/secrets/auditflow/exportKey",
        "-e",
        "AUDITFLOW_EXPORT_URL=file:///var/lib/caracal/audit-export/archive",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

struct Container(String);

impl Drop for Container {
    fn drop(&mut self) {
        let _ = Command::new("podman").args(["rm", "--force", "--time", "0", &self.0]).output();
    }
}

#[test]
fn the_image_runs_as_caracals_chart_runs_it_and_lands_events_exactly_once() {
    let exists = podman(&["image", "exists", &image()]);
    assert!(
        exists.status.success(),
        "no image {}: build it with `make image` (`make test` does; it needs podman, buildah, runc and mmdebstrap: \
         apt-get install podman buildah runc mmdebstrap)",
        image()
    );
    let env = TestEnv::new("image");
    let secrets = secrets(&env);
    let scratch = env.dir.join("audit-export");
    std::fs::create_dir_all(&scratch).expect("scratch");
    // The emptyDir belongs to the pod's fsGroup; here, to the container's user.
    let chown = Command::new("chown").args(["65532:65532", scratch.to_str().expect("utf8")]).status().expect("chown");
    assert!(chown.success());
    let manifest = env.emit(&["--count", "10000", "--seed", "33"]);

    let port = free_port();
    let name = format!("auditflow-{}", env.name.replace('.', "-"));
    let container = Container(name.clone());
    let mut args = vec!["run".to_string(), "--detach".into()];
    args.extend(chart_args(&name, secrets.to_str().expect("utf8"), scratch.to_str().expect("utf8")));
    args.extend(
        [
            "-e",
            &format!("PORT={port}"),
            "-e",
            &format!("AUDITFLOW_STREAM={}", env.stream),
            "-e",
            &format!("AUDITFLOW_REVOCATION_STREAM={}", env.revocations),
            "--entrypoint",
            "/usr/local/bin/audit",
            &image(),
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = podman(&args);
    assert!(out.status.success(), "podman run: {}", String::from_utf8_lossy(&out.stderr));
    let logs = || {
        let out = podman(&["logs", "--tail", "40", &name]);
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
    };

    // The chart's probes, on PORT, on every interface.
    let addr = format!("127.0.0.1:{port}");
    let started = Instant::now();
    loop {
        // Until the container listens, nothing answers: ask only once a connection is taken.
        let listening = std::net::TcpStream::connect(&addr).is_ok();
        let health = if listening { http_get(&addr, "/health", &[]).0 } else { 0 };
        let ready = if listening { http_get(&addr, "/ready", &[]).0 } else { 0 };
        if health == 200 && ready == 200 {
            break;
        }
        assert!(started.elapsed() < LIMIT, "/health {health}, /ready {ready}; logs:\n{}", logs());
        std::thread::sleep(Duration::from_millis(250));
    }
    loop {
        let rows: i64 = env.query("SELECT count(*) FROM audit_events")[0].get(0);
        if rows >= 10_000 && env.pending() == 0 {
            break;
        }
        assert!(started.elapsed() < LIMIT, "{rows} rows after {:?}; logs:\n{}", started.elapsed(), logs());
        std::thread::sleep(Duration::from_millis(250));
    }

    // SIGTERM, as Kubernetes stops a pod: exit 0 within 10 s, nothing pending.
    let stopping = Instant::now();
    let out = podman(&["stop", "--time", "10", &name]);
    assert!(out.status.success(), "podman stop: {}", String::from_utf8_lossy(&out.stderr));
    let took = stopping.elapsed();
    let state = podman(&["inspect", "--format", "{{.State.ExitCode}} {{.State.OOMKilled}}", &name]);
    assert_eq!(String::from_utf8_lossy(&state.stdout).trim(), "0 false", "exit after SIGTERM; logs:\n{}", logs());
    assert!(took < Duration::from_secs(10), "SIGTERM took {took:?}");
    assert_eq!(env.pending(), 0, "entries left pending");
    env.assert_exactly_once(&manifest);
    let parquet =
        walk(&scratch.join("archive")).iter().filter(|p| p.extension().is_some_and(|e| e == "parquet")).count();
    assert!(parquet > 0, "the archive under the writable mount holds no Parquet file; logs:\n{}", logs());
    drop(container);

    // `verify` from the same image, with the same secrets, read-only.
    let verifier = format!("{name}-verify");
    let _verifier = Container(verifier.clone());
    let mut args = vec!["run".to_string()];
    args.extend(chart_args(&verifier, secrets.to_str().expect("utf8"), scratch.to_str().expect("utf8")));
    args.extend([image(), "verify".into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = podman(&args);
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "verify from the image: {text}");
    assert!(text.contains("10000"), "verify did not count the 10000 rows: {text}");
}

#[test]
fn the_image_has_no_shell_runs_as_65532_and_carries_its_labels() {
    let inspect = podman(&["image", "inspect", "--format", "{{json .Config}}", &image()]);
    assert!(inspect.status.success(), "no image {}: build it with `make image`", image());
    let config: serde_json::Value = serde_json::from_slice(&inspect.stdout).expect("config JSON");
    assert_eq!(config["User"], "65532:65532");
    let labels = &config["Labels"];
    assert_eq!(labels["org.opencontainers.image.version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(labels["org.opencontainers.image.licenses"], "Apache-2.0");
    for label in ["org.opencontainers.image.source", "org.opencontainers.image.revision"] {
        assert!(labels[label].as_str().is_some_and(|v| !v.is_empty() && v != "unknown"), "{label}: {labels}");
    }
    let name = format!("auditflow-shell-{}", std::process::id());
    let _c = Container(name.clone());
    let out = podman(&[
        "run",
        "--name",
        &name,
        "--read-only",
        "--pull",
        "never",
        "--entrypoint",
        "/bin/sh",
        &image(),
        "-c",
        "true",
    ]);
    assert!(!out.status.success(), "the image has a shell");
    let out = podman(&["run", "--rm", "--read-only", "--pull", "never", &image(), "--version"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
    let size: u64 = String::from_utf8_lossy(&podman(&["image", "inspect", "--format", "{{.Size}}", &image()]).stdout)
        .trim()
        .parse()
        .expect("size");
    assert!(size < 60_000_000, "the image is {size} bytes, over 60 MB");
    // The SBOM `make image` writes beside it lists the binary's dependencies.
    let sbom = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../target/image/auditflow-{}.cdx.json", env!("CARGO_PKG_VERSION")));
    let sbom: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&sbom).unwrap_or_else(|e| panic!("{}: {e}; `make image` writes it", sbom.display())),
    )
    .expect("SBOM JSON");
    assert_eq!(sbom["bomFormat"], "CycloneDX");
    let names: Vec<&str> =
        sbom["components"].as_array().expect("components").iter().filter_map(|c| c["name"].as_str()).collect();
    for dep in ["timely", "differential-dataflow", "tokio-postgres", "redis", "parquet", "rustls"] {
        assert!(names.contains(&dep), "the SBOM does not list {dep}");
    }
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}
