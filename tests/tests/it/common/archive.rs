//! Archive checks: DuckDB (the `duckdb` Python package) reading the Parquet archive, an S3
//! server (moto in server mode) behind a proxy that can cut it off, and `verify-export`.

use super::TestEnv;
use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Fails (never skips) when a Python module the archive tests need is missing.
pub fn require_python_module(module: &str) {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    assert!(
        ok,
        "the Python module `{module}` is missing: run `make services` (it pip-installs duckdb and moto[server]) \
         or `python3 -m pip install duckdb 'moto[server]'`"
    );
}

fn python(script: &str, args: &[&str]) -> String {
    let out = Command::new("python3").arg("-c").arg(script).args(args).output().expect("run python3");
    assert!(out.status.success(), "python failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf8")
}

/// What DuckDB sees in an archive folder.
#[derive(Debug)]
pub struct DuckView {
    pub total: i64,
    pub distinct_ids: i64,
    /// (zone_id, event_date, hour) -> rows, with partition values as DuckDB decodes them.
    pub groups: BTreeMap<(String, String, String), i64>,
    /// column -> DuckDB type.
    pub types: BTreeMap<String, String>,
    /// Rows whose file `zone_id` column differs from the decoded partition value.
    pub zone_mismatches: i64,
}

const DUCK_SCRIPT: &str = r#"
import duckdb, json, sys
c = duckdb.connect()
src = f"read_parquet('{sys.argv[1]}/audit_events/**/*.parquet', hive_partitioning = true, hive_types_autocast = false, union_by_name = false)"
total, distinct = c.sql(f"SELECT count(*), count(DISTINCT id) FROM {src}").fetchall()[0]
groups = c.sql(f"SELECT zone_id, CAST(event_date AS VARCHAR), CAST(hour AS VARCHAR), count(*) FROM {src} GROUP BY ALL").fetchall()
types = {r[0]: r[1] for r in c.sql(f"DESCRIBE SELECT * FROM {src}").fetchall()}
plain = f"read_parquet('{sys.argv[1]}/audit_events/**/*.parquet', hive_partitioning = false, filename = true)"
mismatch = c.sql(f"""SELECT count(*) FROM {plain}
    WHERE NOT contains(filename, '/zone_id=')""").fetchall()[0][0]
print(json.dumps({"total": total, "distinct": distinct, "types": types, "unpartitioned": mismatch,
                  "groups": [[g[0], g[1], g[2], g[3]] for g in groups]}))
"#;

/// Reads an archive folder with DuckDB `hive_partitioning`.
pub fn duck_view(dir: &Path) -> DuckView {
    require_python_module("duckdb");
    let out = python(DUCK_SCRIPT, &[dir.to_str().expect("utf8 path")]);
    let v: serde_json::Value = serde_json::from_str(out.trim()).expect("duckdb json");
    let groups = v["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            let hour: i64 = g[2].as_str().expect("hour").parse().expect("hour is a number");
            (
                (
                    g[0].as_str().expect("zone").to_owned(),
                    g[1].as_str().expect("date").to_owned(),
                    format!("{hour:02}"),
                ),
                g[3].as_i64().expect("count"),
            )
        })
        .collect();
    DuckView {
        total: v["total"].as_i64().expect("total"),
        distinct_ids: v["distinct"].as_i64().expect("distinct"),
        groups,
        types: v["types"]
            .as_object()
            .expect("types")
            .iter()
            .map(|(k, t)| (k.clone(), t.as_str().unwrap_or_default().to_owned()))
            .collect(),
        zone_mismatches: v["unpartitioned"].as_i64().expect("unpartitioned"),
    }
}

impl TestEnv {
    /// The archive folder of a `file://` export.
    pub fn export_dir(&self) -> PathBuf {
        PathBuf::from(self.export_url.strip_prefix("file://").expect("a file:// export"))
    }

    /// Ledger rows per (zone, UTC date, UTC hour).
    pub fn ledger_groups(&self) -> BTreeMap<(String, String, String), i64> {
        self.query(
            "SELECT zone_id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), \
                    to_char(occurred_at AT TIME ZONE 'UTC', 'HH24'), count(*) FROM audit_events GROUP BY 1, 2, 3",
        )
        .iter()
        .map(|r| ((r.get(0), r.get(1), r.get(2)), r.get(3)))
        .collect()
    }

    /// DuckDB over the archive folder agrees with the ledger: same total, no id twice, the
    /// same counts per (zone, date, hour), typed columns.
    pub fn assert_archive_matches_ledger(&self, dir: &Path) {
        let ledger = self.ledger_groups();
        let ledger_total: i64 = ledger.values().sum();
        assert!(ledger_total > 0, "the ledger is empty");
        let duck = duck_view(dir);
        assert_eq!(duck.total, ledger_total, "DuckDB reads {} rows, the ledger holds {ledger_total}", duck.total);
        assert_eq!(duck.distinct_ids, duck.total, "an id appears more than once in the archive");
        if duck.groups != ledger {
            let diff: Vec<_> = ledger
                .iter()
                .filter(|(k, v)| duck.groups.get(*k) != Some(v))
                .map(|(k, v)| (k.clone(), *v, duck.groups.get(k).copied()))
                .chain(
                    duck.groups.iter().filter(|(k, _)| !ledger.contains_key(*k)).map(|(k, v)| (k.clone(), 0, Some(*v))),
                )
                .take(10)
                .collect();
            panic!("per-(zone, date, hour) counts differ (ledger, duckdb): {diff:?}");
        }
        for (column, want) in [
            ("occurred_at", "TIMESTAMP WITH TIME ZONE"),
            ("ingested_at", "TIMESTAMP WITH TIME ZONE"),
            ("chain_seq", "BIGINT"),
            ("chain_id", "INTEGER"),
            ("content_sha256", "VARCHAR"),
            ("class_uid", "INTEGER"),
            ("type_uid", "BIGINT"),
            ("time", "BIGINT"),
        ] {
            assert_eq!(
                duck.types.get(column).map(String::as_str),
                Some(want),
                "column {column} type; all: {:?}",
                duck.types
            );
        }
        assert_eq!(duck.zone_mismatches, 0, "a data file lies outside a zone_id= partition");
    }

    /// Runs `verify-export`; returns (exit code, stdout).
    pub fn verify_export(&self) -> (i32, String) {
        let out = self.output(&["verify-export"]);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let code = out.status.code().unwrap_or(-1);
        assert!(
            code == 0 || code == 1,
            "verify-export exited {code}: {}\n{stdout}",
            String::from_utf8_lossy(&out.stderr)
        );
        (code, stdout)
    }

    /// Asserts `verify-export` passes.
    pub fn assert_export_verifies(&self) {
        let (code, out) = self.verify_export();
        assert_eq!(code, 0, "verify-export found problems:\n{out}");
        assert!(out.contains("OK:"), "{out}");
    }

    /// Export watermarks: sum of rows archived per Postgres, and whether every chain's
    /// export watermark reached its ledger head.
    pub fn export_caught_up(&self) -> bool {
        let rows = self.query(
            "SELECT count(*) FROM audit_export_watermarks e JOIN audit_ingest_watermarks l \
             ON l.sink = 'ledger' AND l.chain_id = e.chain_id WHERE e.to_seq <> l.chain_seq",
        );
        rows[0].get::<_, i64>(0) == 0
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn wait_for_port(port: u16, limit: Duration) -> bool {
    let started = Instant::now();
    while started.elapsed() < limit {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    false
}

/// An S3-compatible server (moto in server mode) for one test.
pub struct S3Server {
    child: Child,
    pub port: u16,
    /// The CA of an HTTPS server (`None`: plain HTTP).
    ca: Option<PathBuf>,
}

pub const S3_KEY_ID: &str = "testing";
pub const S3_SECRET: &str = "testing";

impl S3Server {
    pub fn start() -> Self {
        Self::start_serving(None)
    }

    /// A server on HTTPS with the test CA's certificate for `localhost`.
    pub fn start_https(pki: &super::servers::TestPki) -> Self {
        Self::start_serving(Some(pki))
    }

    fn start_serving(tls: Option<&super::servers::TestPki>) -> Self {
        require_python_module("moto");
        require_python_module("boto3");
        let port = free_port();
        let mut cmd = Command::new("python3");
        cmd.args(["-m", "moto.server", "-H", "127.0.0.1", "-p", &port.to_string()]);
        if let Some(pki) = tls {
            cmd.arg("-c").arg(&pki.server_cert).arg("-k").arg(&pki.server_key);
        }
        let child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto server (python3 -m moto.server)");
        let mut server = S3Server { child, port, ca: tls.map(|pki| pki.ca.clone()) };
        if !wait_for_port(port, Duration::from_secs(30)) {
            let _ = server.child.kill();
            panic!("the moto S3 server did not listen on port {port} within 30 s");
        }
        server
    }

    pub fn endpoint(&self) -> String {
        match self.ca {
            Some(_) => format!("https://localhost:{}", self.port),
            None => format!("http://127.0.0.1:{}", self.port),
        }
    }

    /// boto3's `verify`: the CA file, or empty for the default.
    fn verify(&self) -> String {
        self.ca.as_ref().map(|ca| ca.display().to_string()).unwrap_or_default()
    }

    pub fn create_bucket(&self, bucket: &str) {
        python(
            "import boto3, sys\nboto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id='testing', \
             aws_secret_access_key='testing', region_name='us-east-1', verify=sys.argv[3] or None)\
             .create_bucket(Bucket=sys.argv[2])",
            &[&self.endpoint(), bucket, &self.verify()],
        );
    }

    /// Copies every object under `prefix` to `dest` (keys kept as relative paths).
    pub fn download(&self, bucket: &str, prefix: &str, dest: &Path) -> usize {
        let out = python(
            r#"
import boto3, os, sys
s3 = boto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id='testing', aws_secret_access_key='testing', region_name='us-east-1', verify=sys.argv[5] or None)
n = 0
for page in s3.get_paginator('list_objects_v2').paginate(Bucket=sys.argv[2], Prefix=sys.argv[3] + '/'):
    for o in page.get('Contents', []):
        rel = o['Key'][len(sys.argv[3]) + 1:]
        path = os.path.join(sys.argv[4], rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        s3.download_file(sys.argv[2], o['Key'], path)
        n += 1
print(n)
"#,
            &[&self.endpoint(), bucket, prefix, dest.to_str().expect("utf8"), &self.verify()],
        );
        out.trim().parse().expect("count")
    }
}

impl Drop for S3Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
