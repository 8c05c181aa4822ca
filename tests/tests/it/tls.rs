//! Production connections (issue 20): a Postgres cluster and a Redis the test starts with its
//! own CA. The pipeline reaches Postgres as `auditflow` over TLS with a client certificate
//! (the cluster accepts that login no other way) and Redis on its TLS port as an ACL user
//! whose password comes from a file, and exactly-once holds. A TLS mistake is exit 2 naming
//! the setting to fix, never an outage (exit 3). The archive reaches an S3 server on HTTPS
//! whose certificate a private CA signed.

use crate::common::archive::{S3Server, S3_KEY_ID, S3_SECRET};
use crate::common::servers::{PrivatePostgres, PrivateRedis, RedisSetup, TestPki};
use crate::common::TestEnv;
use std::path::Path;
use std::process::Output;
use std::time::Duration;

const REDIS_PASSWORD: &str = "redis-pw-4f9c";

fn path(p: &Path) -> String {
    p.to_str().expect("utf8 path").to_owned()
}

/// The test's own servers, with the harness pointed at them (plain logins) and the
/// pipeline's settings reaching them over TLS.
struct TlsServers {
    pki: TestPki,
    pg: PrivatePostgres,
    redis: PrivateRedis,
}

impl TlsServers {
    fn start(env: &mut TestEnv) -> Self {
        let pki = TestPki::new(&env.dir);
        let pg = PrivatePostgres::start(&env.dir, Some(&pki));
        let redis = PrivateRedis::start_with(
            &env.dir,
            RedisSetup { tls: Some(&pki), users: vec![("auditflow", REDIS_PASSWORD)], persistent: false },
        );
        env.pg_server = pg.server();
        env.redis_url = redis.url.clone();
        let password_file = env.dir.join("redis-password");
        std::fs::write(&password_file, format!("{REDIS_PASSWORD}\n")).expect("password file");
        let settings = [
            (
                "AUDITFLOW_DATABASE_URL",
                format!(
                    "postgres://auditflow@localhost:{}/{}?sslmode=verify-full&sslrootcert={}",
                    pg.port,
                    env.database,
                    path(&pki.ca)
                ),
            ),
            ("AUDITFLOW_DATABASE_SSLCERT", path(&pki.client_cert)),
            ("AUDITFLOW_DATABASE_SSLKEY", path(&pki.client_key)),
            ("AUDITFLOW_REDIS_URL", format!("rediss://localhost:{}", redis.tls_port.expect("a TLS port"))),
            ("AUDITFLOW_REDIS_USERNAME", "auditflow".to_owned()),
            ("AUDITFLOW_REDIS_PASSWORD_FILE", path(&password_file)),
            ("AUDITFLOW_REDIS_CA_FILE", path(&pki.ca)),
            ("AUDITFLOW_REDIS_CERT_FILE", path(&pki.client_cert)),
            ("AUDITFLOW_REDIS_KEY_FILE", path(&pki.client_key)),
            // A TLS problem taken for an outage would retry this long, then exit 3.
            ("AUDITFLOW_CONNECT_TIMEOUT_SECS", "10".to_owned()),
        ];
        env.extra_env.extend(settings.into_iter().map(|(k, v)| (k.to_owned(), v)));
        TlsServers { pki, pg, redis }
    }
}

fn assert_exit(out: &Output, code: i32, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "expected exit {code}; stderr:\n{stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "expected `{needle}` in stderr:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "a panic is not an error message:\n{stderr}");
    assert!(!stderr.contains(REDIS_PASSWORD), "a password reached the error:\n{stderr}");
}

#[test]
fn run_ingests_exactly_once_over_tls_with_client_certificates_and_an_acl_login() {
    let mut env = TestEnv::new("tls_run");
    let servers = TlsServers::start(&mut env);
    let manifest =
        env.emit(&["--count", "3000", "--invalid-ratio", "0.02", "--duplicate-ratio", "0.02", "--seed", "20"]);
    env.run_until_drained(&["--ledger-shards", "4"], Duration::from_secs(180));
    env.assert_exactly_once(&manifest);

    // The cluster lets `auditflow` in only over TLS with a certificate; Redis's default user
    // is off, so every entry went through the ACL login on the TLS port.
    let users: Vec<String> = redis::cmd("ACL")
        .arg("LIST")
        .query::<Vec<String>>(&mut servers.redis.connection())
        .expect("ACL LIST")
        .into_iter()
        .filter(|u| u.starts_with("user default"))
        .collect();
    assert!(users.iter().all(|u| u.contains(" off ")), "the default user is off: {users:?}");
    let log = std::fs::read_to_string(env.dir.join("run.log")).expect("run log");
    assert!(!log.contains(REDIS_PASSWORD), "the Redis password reached the log");
    assert!(servers.pki.ca.exists());
    drop(servers.pg);
}

#[test]
fn tls_mistakes_exit_2_naming_the_setting() {
    let mut env = TestEnv::new("tls_mistakes");
    let servers = TlsServers::start(&mut env);
    let pki = &servers.pki;
    let url = |host: &str, mode: &str, ca: &Path| {
        format!(
            "postgres://auditflow@{host}:{}/{}?sslmode={mode}&sslrootcert={}",
            servers.pg.port,
            env.database,
            path(ca)
        )
    };
    let run = |vars: &[(&str, String)]| {
        let mut cmd = env.command(&["run", "--exit-when-drained"]);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        cmd.output().expect("run")
    };

    // Postgres: a CA that did not sign the server's certificate.
    let out = run(&[("AUDITFLOW_DATABASE_URL", url("localhost", "verify-full", &pki.other_ca))]);
    assert_exit(&out, 2, &["AUDITFLOW_DATABASE_SSLROOTCERT", "not signed by a CA"]);
    // Postgres: the certificate names `localhost`, not `127.0.0.1`.
    let out = run(&[("AUDITFLOW_DATABASE_URL", url("127.0.0.1", "verify-full", &pki.ca))]);
    assert_exit(&out, 2, &["AUDITFLOW_DATABASE_SSLMODE", "does not name the host"]);
    // verify-ca does not compare the name: the same address is accepted (and migrated).
    let out = env
        .command(&["migrate"])
        .env("AUDITFLOW_DATABASE_URL", url("127.0.0.1", "verify-ca", &pki.ca))
        .output()
        .expect("migrate");
    assert!(out.status.success(), "verify-ca by address: {}", String::from_utf8_lossy(&out.stderr));
    // Postgres: TLS required of a server without it.
    let plain = PrivatePostgres::start(&env.dir, None);
    let out = run(&[(
        "AUDITFLOW_DATABASE_URL",
        format!("postgres://auditflow@127.0.0.1:{}/{}?sslmode=require", plain.port, env.database),
    )]);
    assert_exit(&out, 2, &["AUDITFLOW_DATABASE_SSLMODE", "does not offer TLS"]);
    // Postgres: no client certificate, so the cluster refuses the login.
    let out = env
        .command(&["run", "--exit-when-drained"])
        .env_remove("AUDITFLOW_DATABASE_SSLCERT")
        .env_remove("AUDITFLOW_DATABASE_SSLKEY")
        .output()
        .expect("run");
    assert_exit(&out, 2, &["AUDITFLOW_DATABASE_URL", "refused the login"]);

    // Redis: a CA that did not sign the server's certificate.
    let out = run(&[("AUDITFLOW_REDIS_CA_FILE", path(&pki.other_ca))]);
    assert_exit(&out, 2, &["AUDITFLOW_REDIS_CA_FILE", "not signed by a CA"]);
    // Redis: the certificate does not name the address connected to.
    let tls_port = servers.redis.tls_port.expect("a TLS port");
    let out = run(&[("AUDITFLOW_REDIS_URL", format!("rediss://127.0.0.1:{tls_port}"))]);
    assert_exit(&out, 2, &["AUDITFLOW_REDIS_URL", "does not name the host"]);
    // Redis: a wrong password, from the file; the error names the setting, not the secret.
    let wrong = env.dir.join("wrong-password");
    std::fs::write(&wrong, "not-it\n").expect("file");
    let out = run(&[("AUDITFLOW_REDIS_PASSWORD_FILE", path(&wrong))]);
    assert_exit(&out, 2, &["AUDITFLOW_REDIS_PASSWORD_FILE", "refused the login"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("not-it"), "the wrong password was printed");
    // A password file that cannot be read.
    let out = run(&[("AUDITFLOW_REDIS_PASSWORD_FILE", path(&env.dir.join("absent")))]);
    assert_exit(&out, 2, &["AUDITFLOW_REDIS_PASSWORD_FILE", "cannot read"]);
}

#[test]
fn the_archive_reaches_s3_over_https_signed_by_a_private_ca() {
    let mut env = TestEnv::new("tls_s3");
    let pki = TestPki::new(&env.dir);
    let s3 = S3Server::start_https(&pki);
    let bucket = "audit-archive";
    s3.create_bucket(bucket);
    env.export_url = format!("s3://{bucket}/auditflow/{}", env.name);
    env.extra_env = vec![
        ("AWS_ENDPOINT_URL".into(), s3.endpoint()),
        ("AWS_ACCESS_KEY_ID".into(), S3_KEY_ID.into()),
        ("AWS_SECRET_ACCESS_KEY".into(), S3_SECRET.into()),
        ("AWS_REGION".into(), "us-east-1".into()),
        ("AUDITFLOW_EXPORT_CA_FILE".into(), path(&pki.ca)),
    ];
    let manifest = env.emit(&["--count", "3000", "--invalid-ratio", "0.02", "--seed", "22"]);
    env.run_until_drained(&["--export-max-delay-secs", "1"], Duration::from_secs(180));
    env.assert_exactly_once(&manifest);
    assert!(env.export_caught_up(), "the export did not archive every committed row");
    env.assert_export_verifies();
    let local = env.dir.join("s3-copy");
    let objects = s3.download(bucket, &format!("auditflow/{}", env.name), &local);
    assert!(objects > 0, "nothing reached the bucket");
    env.assert_archive_matches_ledger(&local);

    // The CA file is checked before anything is read.
    let out = env.command(&["verify-export"]).env("AUDITFLOW_EXPORT_CA_FILE", env.dir.join("absent.pem")).output();
    assert_exit(&out.expect("verify-export"), 2, &["AUDITFLOW_EXPORT_CA_FILE", "absent.pem"]);
}
