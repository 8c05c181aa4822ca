//! Shared harness: real Redis and Postgres, one database and one stream per test, the
//! `auditflow` binary run as a child process.

pub mod archive;
pub mod fleet;
pub mod hosts;
pub mod proxy;
pub mod servers;
pub mod stats;
pub mod views;

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

pub const REDIS_URL: &str = "redis://127.0.0.1:6379";
pub const PG_SERVER: &str = "postgres://postgres@127.0.0.1:5432";
pub const HMAC_KEY: &str = "6b65796b65796b65796b65796b65796b65796b65796b65796b65796b65796b6579";

/// The binary under test: `AUDITFLOW_BIN`, else the workspace's release, else debug build.
pub fn binary() -> PathBuf {
    if let Ok(p) = std::env::var("AUDITFLOW_BIN") {
        return PathBuf::from(p);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let target = std::env::var("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|_| root.join("target"));
    for profile in ["release", "debug"] {
        let p = target.join(profile).join("auditflow");
        if p.exists() {
            return p;
        }
    }
    panic!("the auditflow binary is not built: run `cargo build --release -p auditflow` (or `make test`), or set AUDITFLOW_BIN");
}

/// Fails the test with a clear message when Redis or Postgres is missing. Never skips.
pub fn require_services() {
    let redis_ok = redis::Client::open(REDIS_URL)
        .and_then(|c| c.get_connection_with_timeout(Duration::from_secs(2)))
        .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c))
        .is_ok();
    assert!(redis_ok, "Redis is not reachable at {REDIS_URL}: start it (make services) before running the tests");
    let pg_ok =
        std::net::TcpStream::connect_timeout(&"127.0.0.1:5432".parse().expect("addr"), Duration::from_secs(2)).is_ok();
    assert!(pg_ok, "Postgres is not reachable at 127.0.0.1:5432: start it (make services) before running the tests");
}

/// One isolated test environment.
/// A test that measures how the pipeline holds up over time at a fixed rate (the views'
/// soak) must have the machine to itself, as it had when each area was its own binary:
/// every other test holds this lock shared while its `TestEnv` lives, such a test holds it
/// exclusively ([`TestEnv::alone`]).
static MACHINE: RwLock<()> = RwLock::new(());

thread_local! {
    /// `TestEnv`s alive on this test's thread: a second one does not take the lock again
    /// (a waiting exclusive holder would otherwise block it forever).
    static HELD: Cell<usize> = const { Cell::new(0) };
}

/// This test's hold on [`MACHINE`].
enum Hold {
    // The guards are held, never read: dropping them releases the machine.
    Shared { _guard: RwLockReadGuard<'static, ()> },
    Exclusive { _guard: RwLockWriteGuard<'static, ()> },
    Nested,
}

impl Hold {
    fn take(exclusive: bool) -> Hold {
        let hold = if HELD.get() > 0 {
            Hold::Nested
        } else if exclusive {
            Hold::Exclusive { _guard: MACHINE.write().unwrap_or_else(|p| p.into_inner()) }
        } else {
            Hold::Shared { _guard: MACHINE.read().unwrap_or_else(|p| p.into_inner()) }
        };
        HELD.set(HELD.get() + 1);
        hold
    }
}

impl Drop for Hold {
    fn drop(&mut self) {
        HELD.set(HELD.get().saturating_sub(1));
    }
}

pub struct TestEnv {
    pub name: String,
    pub stream: String,
    pub dlq: String,
    /// The revocation stream (`caracal.sessions.revoke` in production).
    pub revocations: String,
    pub database: String,
    pub dir: PathBuf,
    pub runtime: tokio::runtime::Runtime,
    /// `AUDITFLOW_EXPORT_URL` for every command (a folder of the test by default).
    pub export_url: String,
    /// Extra environment for every command (e.g. AWS_* for the S3 tests).
    pub extra_env: Vec<(String, String)>,
    /// The Postgres server the harness creates, reads and drops the database on, as a URL
    /// without a database (the shared server unless a test starts its own).
    pub pg_server: String,
    /// The Redis the harness reads the streams from.
    pub redis_url: String,
    /// Held for the environment's life; dropped last.
    _machine: Hold,
}

impl TestEnv {
    pub fn new(test: &str) -> Self {
        Self::with_hold(test, Hold::take(false))
    }

    /// A test environment for a test that must have the machine to itself (see [`MACHINE`]):
    /// it waits for the tests running beside it, and the others wait for it.
    pub fn alone(test: &str) -> Self {
        Self::with_hold(test, Hold::take(true))
    }

    fn with_hold(test: &str, hold: Hold) -> Self {
        require_services();
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").subsec_nanos();
        let name = format!("{test}_{}_{nanos}", std::process::id());
        let dir = std::env::temp_dir().join(format!("auditflow-test-{name}"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let env = TestEnv {
            stream: format!("t.{name}.events"),
            dlq: format!("t.{name}.events.dlq"),
            revocations: format!("t.{name}.sessions.revoke"),
            database: format!("af_{name}").to_lowercase(),
            export_url: format!("file://{}", dir.join("export").display()),
            extra_env: Vec::new(),
            pg_server: PG_SERVER.to_owned(),
            redis_url: REDIS_URL.to_owned(),
            name,
            dir,
            runtime: tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime"),
            _machine: hold,
        };
        env
    }

    pub fn database_url(&self) -> String {
        format!("{}/{}", self.pg_server, self.database)
    }

    /// A command for the binary with this environment's settings.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(binary());
        cmd.args(args);
        self.configure(&mut cmd);
        cmd
    }

    /// Gives `cmd` this environment's settings.
    pub fn configure(&self, cmd: &mut Command) {
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AUDIT_HMAC_KEY", HMAC_KEY)
            .env("AUDITFLOW_REDIS_URL", &self.redis_url)
            .env("AUDITFLOW_DATABASE_URL", self.database_url())
            .env("AUDITFLOW_STREAM", &self.stream)
            .env("AUDITFLOW_REVOCATION_STREAM", &self.revocations)
            .env("AUDITFLOW_LEDGER_KEY_FILE", self.dir.join("ledger.key"))
            .env("AUDITFLOW_EXPORT_URL", &self.export_url)
            .env("AUDITFLOW_EXPORT_SIGNING_KEY_FILE", self.dir.join("export.key"))
            // Tests run in parallel: each server on a free port (the log names it).
            .env("AUDITFLOW_LISTEN", "127.0.0.1:0")
            .env("RUST_LOG", "warn,auditflow=info,auditflow_archive=info");
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
    }

    pub fn output(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run auditflow")
    }

    /// Emits entries and returns the manifest: (stream id, event id, expected outcome).
    pub fn emit(&self, extra: &[&str]) -> Vec<(String, String, String)> {
        let manifest = self.dir.join(format!("manifest-{}.ndjson", Instant::now().elapsed().as_nanos()));
        let mut args = vec!["emit", "--manifest", manifest.to_str().expect("utf8")];
        args.extend_from_slice(extra);
        let out = self.output(&args);
        assert!(out.status.success(), "emit failed: {}", String::from_utf8_lossy(&out.stderr));
        std::fs::read_to_string(&manifest)
            .expect("manifest")
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).expect("manifest line");
                (
                    v["stream_id"].as_str().expect("id").to_owned(),
                    v["event_id"].as_str().expect("eid").to_owned(),
                    v["expect"].as_str().expect("expect").to_owned(),
                )
            })
            .collect()
    }

    /// Starts `auditflow run` with logs to a file.
    pub fn spawn_run(&self, extra: &[&str], envs: &[(&str, &str)]) -> Child {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(self.dir.join("run.log")).expect("log");
        let mut args = vec!["run"];
        args.extend_from_slice(extra);
        let mut cmd = self.command(&args);
        for (k, v) in envs {
            cmd.env(k, v);
        }
        cmd.stdout(Stdio::from(log.try_clone().expect("log"))).stderr(Stdio::from(log)).spawn().expect("spawn run")
    }

    /// Runs until drained; panics (with the log tail) if it fails or takes over `limit`.
    pub fn run_until_drained(&self, extra: &[&str], limit: Duration) {
        let mut args = vec!["--exit-when-drained"];
        args.extend_from_slice(extra);
        let mut child = self.spawn_run(&args, &[]);
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                assert!(status.success(), "run failed with {status}; log:\n{}", self.log_tail());
                return;
            }
            if started.elapsed() > limit {
                let _ = child.kill();
                panic!("run did not drain within {limit:?}; log:\n{}", self.log_tail());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.join("run.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    pub fn pg(&self) -> tokio_postgres::Client {
        let url = self.database_url();
        self.runtime.block_on(async {
            let (client, conn) =
                tokio_postgres::connect(&url, tokio_postgres::NoTls).await.expect("connect test database");
            tokio::spawn(async move {
                let _ = conn.await;
            });
            client
        })
    }

    /// Runs `sql` as the superuser with triggers bypassed (`session_replication_role =
    /// replica`): how an attacker with database superuser rights rewrites the ledger.
    pub fn tamper(&self, sql: &str) {
        let client = self.pg();
        self.runtime
            .block_on(client.batch_execute(&format!("SET session_replication_role = replica; {sql}")))
            .unwrap_or_else(|e| panic!("tampering failed: {e:?}\n{sql}"));
    }

    /// Rows in the ledger.
    pub fn ledger_rows(&self) -> i64 {
        self.query("SELECT count(*) FROM audit_events")[0].get(0)
    }

    /// A connection to the server's `postgres` database as the superuser (to create, close
    /// or drop the test's database).
    pub fn admin_pg(&self) -> tokio_postgres::Client {
        self.runtime.block_on(async {
            let (client, conn) =
                tokio_postgres::connect(&format!("{}/postgres", self.pg_server), tokio_postgres::NoTls)
                    .await
                    .expect("connect as the admin");
            tokio::spawn(async move {
                let _ = conn.await;
            });
            client
        })
    }

    pub fn query(&self, sql: &str) -> Vec<tokio_postgres::Row> {
        let client = self.pg();
        self.runtime.block_on(client.query(sql, &[])).expect("query")
    }

    /// Publishes one entry to the audit stream as a producer would: `data` signed with the
    /// test's producer key.
    pub fn publish_signed(&self, data: &str) {
        let key = auditflow_schemas::keyring::Keyring::single_hex("default", HMAC_KEY).expect("producer key");
        let sig = key.sign("default", data.as_bytes()).expect("sign");
        let _: String = redis::cmd("XADD")
            .arg(&self.stream)
            .arg("*")
            .arg("data")
            .arg(data)
            .arg("sig")
            .arg(&sig)
            .query(&mut self.redis())
            .expect("XADD");
    }

    pub fn redis(&self) -> redis::Connection {
        redis::Client::open(self.redis_url.as_str()).expect("redis url").get_connection().expect("redis connection")
    }

    /// DLQ entries as src_stream_id -> reason.
    pub fn dlq_entries(&self) -> Vec<(String, String, HashMap<String, String>)> {
        let mut con = self.redis();
        let entries: redis::streams::StreamRangeReply =
            redis::cmd("XRANGE").arg(&self.dlq).arg("-").arg("+").query(&mut con).expect("XRANGE dlq");
        entries
            .ids
            .into_iter()
            .map(|e| {
                let fields: HashMap<String, String> = e
                    .map
                    .iter()
                    .map(|(k, v)| (k.clone(), redis::from_redis_value::<String>(v.clone()).unwrap_or_default()))
                    .collect();
                (
                    fields.get("src_stream_id").cloned().unwrap_or_default(),
                    fields.get("reason").cloned().unwrap_or_default(),
                    fields,
                )
            })
            .collect()
    }

    pub fn pending(&self) -> i64 {
        let mut con = self.redis();
        let reply: redis::Value =
            redis::cmd("XPENDING").arg(&self.stream).arg("audit-ingestor").query(&mut con).expect("XPENDING");
        match reply {
            redis::Value::Array(parts) => match parts.first() {
                Some(redis::Value::Int(n)) => *n,
                _ => 0,
            },
            _ => 0,
        }
    }

    /// Asserts the exactly-once contract against an emit manifest: the ledger holds exactly
    /// the distinct valid events, each once, in contiguous chains; the DLQ holds exactly the
    /// invalid entries with the right reasons; nothing is pending.
    pub fn assert_exactly_once(&self, manifest: &[(String, String, String)]) {
        let expected_ok: HashSet<&str> = manifest.iter().filter(|m| m.2 == "ok").map(|m| m.1.as_str()).collect();
        let expected_dead: BTreeMap<&str, &str> = manifest
            .iter()
            .filter(|m| m.2 != "ok" && m.2 != "duplicate")
            .map(|m| (m.0.as_str(), m.2.as_str()))
            .collect();
        assert!(!expected_ok.is_empty(), "the manifest has no valid events");

        let rows = self.query("SELECT id FROM audit_events");
        let stored: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
        let stored_set: HashSet<&str> = stored.iter().map(String::as_str).collect();
        assert_eq!(stored.len(), stored_set.len(), "an event id is stored more than once");
        let missing: Vec<_> = expected_ok.difference(&stored_set).take(5).collect();
        let extra: Vec<_> = stored_set.difference(&expected_ok).take(5).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "ledger differs: {} expected, {} stored; missing e.g. {missing:?}, unexpected e.g. {extra:?}",
            expected_ok.len(),
            stored.len()
        );

        let chain = self.query(
            "WITH c AS (SELECT chain_id, chain_seq, prev_content_sha256, \
               lag(content_sha256) OVER w AS prev, row_number() OVER w AS rn FROM audit_events \
               WINDOW w AS (PARTITION BY chain_id ORDER BY chain_seq)) \
             SELECT count(*) FILTER (WHERE chain_seq <> rn), count(*) FILTER (WHERE prev_content_sha256 IS DISTINCT FROM prev) FROM c",
        );
        let (gaps, breaks): (i64, i64) = (chain[0].get(0), chain[0].get(1));
        assert_eq!((gaps, breaks), (0, 0), "chains are not contiguous: {gaps} seq gaps, {breaks} prev-hash breaks");
        let heads = self.query(
            "SELECT count(*) FROM audit_ingest_watermarks w WHERE w.sink = 'ledger' AND w.chain_seq <> \
             (SELECT coalesce(max(chain_seq), 0) FROM audit_events e WHERE e.chain_id = w.chain_id)",
        );
        assert_eq!(heads[0].get::<_, i64>(0), 0, "a watermark disagrees with its chain's last row");
        let index = self.query(
            "SELECT count(*) FROM audit_events e FULL JOIN audit_event_ids i USING (id) \
             WHERE i.id IS NULL OR e.id IS NULL OR i.content_sha256 <> e.content_sha256 \
                OR i.chain_id <> e.chain_id OR i.chain_seq <> e.chain_seq",
        );
        assert_eq!(index[0].get::<_, i64>(0), 0, "the id index disagrees with the ledger");

        let dlq = self.dlq_entries();
        let mut seen = HashSet::new();
        for (src, reason, _) in &dlq {
            assert!(seen.insert(src.clone()), "DLQ holds stream entry {src} more than once");
            let want = expected_dead
                .get(src.as_str())
                .unwrap_or_else(|| panic!("DLQ holds {src} ({reason}) which should not be there"));
            assert!(reason.starts_with(want), "DLQ entry {src}: reason `{reason}`, expected `{want}`");
        }
        assert_eq!(dlq.len(), expected_dead.len(), "DLQ has {} entries, expected {}", dlq.len(), expected_dead.len());
        assert_eq!(self.pending(), 0, "the group still has pending entries");
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "test environment kept for inspection: database {}, stream {}, logs {}",
                self.database,
                self.stream,
                self.dir.display()
            );
            return;
        }
        // A test's own Redis may already be gone.
        if let Ok(mut con) = redis::Client::open(self.redis_url.as_str()).and_then(|c| c.get_connection()) {
            let _ = redis::cmd("DEL").arg(&self.stream).arg(&self.dlq).arg(&self.revocations).query::<i64>(&mut con);
            // The commit journal beside the stream (`<stream>:auditflow:…`).
            let journal: Vec<String> =
                redis::cmd("KEYS").arg(format!("{}:auditflow:*", self.stream)).query(&mut con).unwrap_or_default();
            if !journal.is_empty() {
                let _ = redis::cmd("DEL").arg(&journal).query::<i64>(&mut con);
            }
        }
        let db = self.database.clone();
        let _ = self.runtime.block_on(async {
            let (client, conn) =
                tokio_postgres::connect(&format!("{}/postgres", self.pg_server), tokio_postgres::NoTls).await?;
            tokio::spawn(async move {
                let _ = conn.await;
            });
            client.batch_execute(&format!("DROP DATABASE IF EXISTS \"{db}\" WITH (FORCE)")).await
        });
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// SIGKILLs a child.
pub fn kill9(child: &mut Child) {
    let _ = Command::new("kill").arg("-9").arg(child.id().to_string()).status();
    let _ = child.wait();
}

/// Sends SIGTERM and waits for the exit status.
pub fn terminate(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            panic!("no exit within {limit:?} after SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

impl TestEnv {
    /// How many HTTP servers `run` has started in this environment so far (the log names
    /// each one's address).
    /// A keyring file with the tests' producer key (`default`) and `partner_key` (`partner`),
    /// as after an operator added a producer's key; its path.
    pub fn keyring_with_partner(&self, partner_key: &str) -> String {
        let keyring = self.dir.join("keyring.toml");
        let text = format!(
            "[[keys]]\nid = \"default\"\nsecret = \"{HMAC_KEY}\"\n\n[[keys]]\nid = \"partner\"\nsecret = \"{partner_key}\"\n"
        );
        std::fs::write(&keyring, text).expect("keyring");
        keyring.to_str().expect("utf8").to_owned()
    }

    /// The address of the `n`-th HTTP server (1-based) once its log line appears.
    pub fn server_addr(&self, n: usize) -> String {
        let started = Instant::now();
        loop {
            let log = std::fs::read_to_string(self.dir.join("run.log")).unwrap_or_default();
            if let Some(line) = log.lines().filter(|l| l.contains("serving /healthz")).nth(n - 1) {
                let addr = line.split("listen=").nth(1).and_then(|rest| rest.split_whitespace().next());
                return addr.expect("the server's log line names its address").to_owned();
            }
            assert!(started.elapsed() < Duration::from_secs(60), "no HTTP server started; log:\n{}", self.log_tail());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// A plain HTTP/1.1 GET over loopback: (status, body). `headers` are sent as given.
pub fn http_get(addr: &str, path: &str, headers: &[(&str, &str)]) -> (u16, String) {
    http_request("GET", addr, path, headers, "")
}

/// One HTTP/1.1 request over loopback with an optional JSON body: (status, body).
pub fn http_request(method: &str, addr: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect to {addr}: {e}"));
    stream.set_read_timeout(Some(Duration::from_secs(30))).expect("timeout");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    if !body.is_empty() {
        request.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("send request");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).expect("read response");
    let text = String::from_utf8_lossy(&response).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).expect("a status line");
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    (status, if chunked { dechunk(body) } else { body.to_owned() })
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// `promtool` from Debian's prometheus package, unpacked by `make services`.
pub fn promtool() -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/tools/promtool");
    assert!(
        path.exists(),
        "promtool is missing at {}: run `make services` (scripts/services.sh unpacks it)",
        path.display()
    );
    path
}

/// A response's status and its body as JSON (the test fails when it is not JSON).
pub fn json_of(response: (u16, String)) -> (u16, serde_json::Value) {
    let value = serde_json::from_str(&response.1).unwrap_or_else(|e| panic!("not JSON ({e}): {}", response.1));
    (response.0, value)
}

/// A Prometheus text scrape as `name{labels}` → value.
pub fn parse_metrics(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let (name, value) = l.rsplit_once(' ')?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect()
}

/// The sum of a metric family's series in a scrape.
pub fn sum_of(metrics: &BTreeMap<String, f64>, family: &str) -> f64 {
    metrics.iter().filter(|(k, _)| *k == family || k.starts_with(&format!("{family}{{"))).map(|(_, v)| v).sum()
}
