//! Servers a test starts for itself, so that it can configure, stop or restart them: a
//! Redis (optionally with a TLS port and ACL users, optionally persistent), a Postgres
//! cluster (optionally with TLS and client-certificate logins), and the test CA they use.
//! Each lives in the test's directory and is stopped on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free port").port()
}

fn run(cmd: &mut Command, what: &str) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: cannot start {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A throwaway certificate authority with a server certificate (for `localhost` only, so
/// that connecting by `127.0.0.1` is a host-name mismatch), a client certificate for the
/// login `auditflow`, and an unrelated CA that signed neither.
pub struct TestPki {
    pub ca: PathBuf,
    pub other_ca: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
    pub client_cert: PathBuf,
    pub client_key: PathBuf,
}

impl TestPki {
    /// Generates the certificates with the `openssl` command line tool under `dir/pki`.
    pub fn new(dir: &Path) -> Self {
        let dir = dir.join("pki");
        std::fs::create_dir_all(&dir).expect("pki dir");
        let openssl = |args: &[&str], what: &str| {
            let mut cmd = Command::new("openssl");
            cmd.current_dir(&dir).args(args);
            if cmd.output().is_err() {
                panic!("openssl is not installed: run `make services` (scripts/services.sh installs it)");
            }
            run(&mut cmd, what);
        };
        for (name, cn) in [("ca", "auditflow test CA"), ("other-ca", "some other CA")] {
            openssl(
                &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", &format!("{name}.key")],
                "CA key",
            );
            openssl(
                &[
                    "req",
                    "-x509",
                    "-new",
                    "-key",
                    &format!("{name}.key"),
                    "-subj",
                    &format!("/CN={cn}"),
                    "-days",
                    "3",
                    "-addext",
                    "basicConstraints=critical,CA:TRUE",
                    "-addext",
                    "keyUsage=critical,keyCertSign,cRLSign",
                    "-out",
                    &format!("{name}.pem"),
                ],
                "CA certificate",
            );
        }
        for (name, cn, ext) in [
            ("server", "localhost", "subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n"),
            ("client", "auditflow", "extendedKeyUsage=clientAuth\n"),
        ] {
            std::fs::write(dir.join(format!("{name}.ext")), ext).expect("ext");
            openssl(
                &["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", &format!("{name}.key")],
                "key",
            );
            openssl(
                &[
                    "req",
                    "-new",
                    "-key",
                    &format!("{name}.key"),
                    "-subj",
                    &format!("/CN={cn}"),
                    "-out",
                    &format!("{name}.csr"),
                ],
                "CSR",
            );
            openssl(
                &[
                    "x509",
                    "-req",
                    "-in",
                    &format!("{name}.csr"),
                    "-CA",
                    "ca.pem",
                    "-CAkey",
                    "ca.key",
                    "-CAcreateserial",
                    "-days",
                    "3",
                    "-extfile",
                    &format!("{name}.ext"),
                    "-out",
                    &format!("{name}.pem"),
                ],
                "certificate",
            );
        }
        TestPki {
            ca: dir.join("ca.pem"),
            other_ca: dir.join("other-ca.pem"),
            server_cert: dir.join("server.pem"),
            server_key: dir.join("server.key"),
            client_cert: dir.join("client.pem"),
            client_key: dir.join("client.key"),
        }
    }
}

/// How a [`PrivateRedis`] is set up.
#[derive(Default)]
pub struct RedisSetup<'a> {
    /// A TLS port besides the plain one, with this CA's server certificate, where clients
    /// must present a certificate it signed.
    pub tls: Option<&'a TestPki>,
    /// ACL users `(name, password)` with every right; with any, the default user is off and
    /// the harness logs in as `admin` / `admin-pw`.
    pub users: Vec<(&'a str, &'a str)>,
    /// Append-only file on, so that a restart keeps the data.
    pub persistent: bool,
}

/// A Redis server of the test's own on free ports.
pub struct PrivateRedis {
    child: Option<Child>,
    args: Vec<String>,
    dir: PathBuf,
    pub port: u16,
    pub tls_port: Option<u16>,
    /// What the harness connects with (the plain port, as admin when there are ACL users).
    pub url: String,
}

impl PrivateRedis {
    /// A plain server without persistence.
    pub fn start(dir: &Path) -> Self {
        Self::start_with(dir, RedisSetup::default())
    }

    pub fn start_with(dir: &Path, setup: RedisSetup<'_>) -> Self {
        let dir = dir.join(format!("redis-{}", free_port()));
        std::fs::create_dir_all(&dir).expect("redis dir");
        let port = free_port();
        let mut args: Vec<String> =
            ["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", ""].iter().map(|s| s.to_string()).collect();
        if setup.persistent {
            // Every write on disk before it is answered: a SIGKILL loses nothing.
            args.extend(["--appendonly", "yes", "--appendfsync", "always"].map(String::from));
        } else {
            args.extend(["--appendonly", "no"].map(String::from));
        }
        args.extend(["--dir".into(), dir.display().to_string()]);
        let mut tls_port = None;
        if let Some(pki) = setup.tls {
            let p = free_port();
            tls_port = Some(p);
            args.extend(["--tls-port".into(), p.to_string()]);
            args.extend(["--tls-cert-file".into(), pki.server_cert.display().to_string()]);
            args.extend(["--tls-key-file".into(), pki.server_key.display().to_string()]);
            args.extend(["--tls-ca-cert-file".into(), pki.ca.display().to_string()]);
            // Clients on the TLS port must present a certificate the CA signed.
            args.extend(["--tls-auth-clients".into(), "yes".into()]);
        }
        let mut url = format!("redis://127.0.0.1:{port}");
        if !setup.users.is_empty() {
            for (name, password) in setup.users.iter().chain([&("admin", "admin-pw")]) {
                // One word per argument: redis-server joins them into the config line.
                args.extend(["--user", name, "on", &format!(">{password}"), "~*", "&*", "+@all"].map(String::from));
            }
            args.extend(["--user", "default", "off"].map(String::from));
            url = format!("redis://admin:admin-pw@127.0.0.1:{port}");
        }
        let mut redis = PrivateRedis { child: None, args, dir, port, tls_port, url };
        redis.spawn();
        redis
    }

    // The child is waited for in `stop` (or before the panic when it does not start).
    #[allow(clippy::zombie_processes)]
    fn spawn(&mut self) {
        let log = std::fs::File::create(self.dir.join("redis.log")).expect("redis log");
        let mut child = Command::new("redis-server")
            .args(&self.args)
            .stdout(Stdio::from(log))
            .spawn()
            .expect("redis-server is not installed: run `make services` (scripts/services.sh installs it)");
        let started = Instant::now();
        loop {
            let up = redis::Client::open(self.url.as_str())
                .and_then(|c| c.get_connection_with_timeout(Duration::from_millis(200)))
                .and_then(|mut c| redis::cmd("PING").query::<String>(&mut c))
                .is_ok();
            if up {
                self.child = Some(child);
                return;
            }
            if started.elapsed() > Duration::from_secs(10) {
                let _ = child.kill();
                let _ = child.wait();
                let log = std::fs::read_to_string(self.dir.join("redis.log")).unwrap_or_default();
                panic!("the test's own redis-server did not start on port {}:\n{log}", self.port);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A connection as the harness.
    pub fn connection(&self) -> redis::Connection {
        redis::Client::open(self.url.as_str()).expect("url").get_connection().expect("the test's redis answers")
    }

    /// Kills the server (SIGKILL: whatever was not on disk is gone).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same ports and directory.
    pub fn restart(&mut self) {
        self.kill();
        self.spawn();
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A Postgres cluster of the test's own: `initdb` into the test's directory, on a free port,
/// run as the `postgres` system user. `postgres` logs in over plain TCP without a password
/// (the harness); with TLS, the login `auditflow` (a superuser) must come over TLS with a
/// client certificate the test CA signed.
pub struct PrivatePostgres {
    data: PathBuf,
    bin: PathBuf,
    log: PathBuf,
    pub port: u16,
}

impl PrivatePostgres {
    pub fn start(dir: &Path, tls: Option<&TestPki>) -> Self {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()
            .and_then(|versions| {
                let mut found: Vec<PathBuf> =
                    versions.flatten().map(|v| v.path().join("bin")).filter(|b| b.join("initdb").exists()).collect();
                found.sort();
                found.pop()
            })
            .expect("Postgres server binaries are not in /usr/lib/postgresql/*/bin: run `make services`");
        let root = dir.join(format!("pg-{}", free_port()));
        let data = root.join("data");
        std::fs::create_dir_all(&root).expect("pg dir");
        run(Command::new("chown").arg("-R").arg("postgres:postgres").arg(&root), "chown the cluster's directory");
        let as_postgres = |program: &Path| {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(program);
            cmd
        };
        run(
            as_postgres(&bin.join("initdb")).arg("-D").arg(&data).args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ]),
            "initdb",
        );
        let port = free_port();
        let mut conf = format!(
            "listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{}'\nfsync = off\n\
             max_connections = 200\n",
            root.display()
        );
        // Replication too: a test may start a standby of this cluster (`standby_of`).
        let mut hba =
            "local all all trust\nhost all postgres 127.0.0.1/32 trust\nhost replication postgres 127.0.0.1/32 trust\n"
                .to_owned();
        if let Some(pki) = tls {
            for (from, to) in [(&pki.server_cert, "server.crt"), (&pki.server_key, "server.key"), (&pki.ca, "ca.crt")] {
                std::fs::copy(from, data.join(to)).expect("copy certificate");
            }
            run(Command::new("chown").arg("postgres:postgres").arg(data.join("server.key")), "chown key");
            run(Command::new("chmod").arg("600").arg(data.join("server.key")), "chmod key");
            conf.push_str(
                "ssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nssl_ca_file = 'ca.crt'\n",
            );
            hba.push_str("hostssl all auditflow 127.0.0.1/32 cert\n");
        } else {
            conf.push_str("ssl = off\n");
            hba.push_str("host all auditflow 127.0.0.1/32 trust\n");
        }
        let mut existing = std::fs::read_to_string(data.join("postgresql.conf")).expect("postgresql.conf");
        existing.push_str(&conf);
        std::fs::write(data.join("postgresql.conf"), existing).expect("postgresql.conf");
        std::fs::write(data.join("pg_hba.conf"), hba).expect("pg_hba.conf");
        let pg = PrivatePostgres { data, bin, port, log: root.join("postgres.log") };
        pg.pg_ctl(&["start", "-w", "-t", "30"]);
        let admin = pg.admin();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let (client, conn) =
                tokio_postgres::connect(&admin, tokio_postgres::NoTls).await.expect("the cluster answers");
            tokio::spawn(async move {
                let _ = conn.await;
            });
            client.batch_execute("CREATE ROLE auditflow LOGIN SUPERUSER").await.expect("create the auditflow login");
        });
        pg
    }

    // The server's output goes to the log file: were it left on pg_ctl's pipe, waiting for
    // pg_ctl would wait for the server too.
    fn pg_ctl(&self, args: &[&str]) {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(self.bin.join("pg_ctl")).arg("-D").arg(&self.data).args(args);
        cmd.arg("-l").arg(&self.log);
        run(&mut cmd, &format!("pg_ctl {}", args.join(" ")));
    }

    /// A streaming standby of `primary` (`pg_basebackup -R`: asynchronous until the primary
    /// names it in `synchronous_standby_names`), known to the primary as `name` (its
    /// `cluster_name`, which the WAL receiver sends as its `application_name`).
    pub fn standby_of(primary: &PrivatePostgres, dir: &Path, name: &str) -> Self {
        let bin = primary.bin.clone();
        let root = dir.join(format!("pg-{}", free_port()));
        let data = root.join("data");
        std::fs::create_dir_all(&root).expect("standby dir");
        run(Command::new("chown").arg("-R").arg("postgres:postgres").arg(&root), "chown the standby's directory");
        let mut backup = Command::new("runuser");
        backup.args(["-u", "postgres", "--"]).arg(bin.join("pg_basebackup")).arg("-D").arg(&data).args([
            "-R",
            "--no-sync",
            "-X",
            "stream",
            "-c",
            "fast",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-p",
            &primary.port.to_string(),
        ]);
        run(&mut backup, "pg_basebackup of the primary");
        let port = free_port();
        // Appended after the primary's own lines, which the backup copied: the last one wins.
        let mut conf = std::fs::read_to_string(data.join("postgresql.conf")).expect("postgresql.conf");
        conf.push_str(&format!(
            "port = {port}\nunix_socket_directories = '{}'\ncluster_name = '{name}'\n",
            root.display()
        ));
        std::fs::write(data.join("postgresql.conf"), conf).expect("postgresql.conf");
        let standby = PrivatePostgres { data, bin, port, log: root.join("postgres.log") };
        standby.pg_ctl(&["start", "-w", "-t", "30"]);
        standby
    }

    /// Runs `sql` as `postgres` on the `postgres` database.
    pub fn sql(&self, sql: &str) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        runtime.block_on(async {
            let (client, conn) =
                tokio_postgres::connect(&self.admin(), tokio_postgres::NoTls).await.expect("the cluster answers");
            tokio::spawn(async move {
                let _ = conn.await;
            });
            client.batch_execute(sql).await.unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        });
    }

    /// Restarts the cluster (`fast`: sessions are ended, `immediate`: the server is killed
    /// and recovers from its WAL on start).
    pub fn restart(&self, mode: &str) {
        self.pg_ctl(&["restart", "-w", "-t", "30", "-m", mode]);
    }

    /// SIGKILLs the postmaster (its children see it gone and exit): a primary that dies
    /// without a shutdown checkpoint or a last word to its standbys.
    pub fn kill(&self) {
        let pid = std::fs::read_to_string(self.data.join("postmaster.pid"))
            .ok()
            .and_then(|s| s.lines().next().and_then(|l| l.trim().parse::<i32>().ok()))
            .expect("postmaster.pid names the server's pid");
        run(Command::new("kill").args(["-KILL", &pid.to_string()]), "SIGKILL the postmaster");
    }

    /// Promotes a standby to primary (`pg_ctl promote`, waiting until it accepts writes).
    /// A standby that is restarting after a crash of one of its processes is waited for
    /// first: a promotion asked for in the middle of that restart would be lost.
    pub fn promote(&self) {
        let started = std::time::Instant::now();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        while runtime.block_on(async {
            match tokio_postgres::connect(&self.admin(), tokio_postgres::NoTls).await {
                Ok((client, conn)) => {
                    tokio::spawn(async move {
                        let _ = conn.await;
                    });
                    client.simple_query("SELECT 1").await.is_err()
                }
                Err(_) => true,
            }
        }) {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(60),
                "the standby did not come back to promote it"
            );
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        self.pg_ctl(&["promote", "-w", "-t", "60"]);
    }

    /// The harness's base URL (plain TCP as `postgres`), without a database.
    pub fn server(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}", self.port)
    }

    fn admin(&self) -> String {
        format!("{}/postgres", self.server())
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--"])
            .arg(self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(["stop", "-m", "immediate"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}
