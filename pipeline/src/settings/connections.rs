//! How to reach Redis and Postgres: credentials (given directly or in files, the way
//! Kubernetes mounts secrets) and TLS, merged from the flags, the URL and the variables libpq
//! users already set, into a [`PgTarget`] and a [`RedisTarget`]. A password is never put in
//! an error or a log line; a file that cannot be read is named.

use super::error::ConfigError;
use super::flags::{PostgresFlags, RedisFlags};
use auditflow_ledger::postgres::tls::{split_tls_params, PgTarget, TlsOptions, TlsParam};
use auditflow_sources::redis_stream::{RedisParam, RedisTarget};
use std::path::{Path, PathBuf};

const DATABASE_URL: &str = "AUDITFLOW_DATABASE_URL (--database-url)";

/// The flag and variables that set one TLS parameter of the ledger's connection.
pub fn tls_setting(param: TlsParam) -> &'static str {
    match param {
        TlsParam::SslMode => "AUDITFLOW_DATABASE_SSLMODE (--database-sslmode, sslmode in the URL, PGSSLMODE)",
        TlsParam::RootCert => {
            "AUDITFLOW_DATABASE_SSLROOTCERT (--database-sslrootcert, sslrootcert in the URL, PGSSLROOTCERT)"
        }
        TlsParam::ClientCert => "AUDITFLOW_DATABASE_SSLCERT (--database-sslcert, sslcert in the URL, PGSSLCERT)",
        TlsParam::ClientKey => "AUDITFLOW_DATABASE_SSLKEY (--database-sslkey, sslkey in the URL, PGSSLKEY)",
    }
}

/// The flag and variable that set one part of the Redis connection.
pub fn redis_setting(param: RedisParam) -> &'static str {
    match param {
        RedisParam::Url => "AUDITFLOW_REDIS_URL (--redis-url)",
        RedisParam::CaFile => "AUDITFLOW_REDIS_CA_FILE (--redis-ca-file)",
        RedisParam::CertFile => "AUDITFLOW_REDIS_CERT_FILE (--redis-cert-file)",
        RedisParam::KeyFile => "AUDITFLOW_REDIS_KEY_FILE (--redis-key-file)",
    }
}

/// A secret held in a file (a Kubernetes secret mount): the first line's content, without
/// the trailing newline editors and `kubectl create secret --from-file` leave.
pub fn read_secret_file(path: &Path, setting: &str) -> Result<String, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(setting, format!("cannot read {}: {e}", path.display())))?;
    let value = text.trim_end_matches([' ', '\t', '\r', '\n']).to_owned();
    if value.is_empty() {
        return Err(ConfigError::new(setting, format!("{} is empty", path.display())));
    }
    Ok(value)
}

/// A password: the variable, else the file the flag or its variable names.
fn password(
    env: &impl Fn(&str) -> Option<String>,
    variable: &str,
    file: Option<&Path>,
    setting: &str,
) -> Result<Option<String>, ConfigError> {
    if let Some(value) = env(variable).filter(|v| !v.is_empty()) {
        return Ok(Some(value));
    }
    file.map(|path| read_secret_file(path, setting)).transpose()
}

/// The ledger's connection: `url` with the password and TLS parameters of the flags over the
/// URL's, over libpq's variables (`PGPASSWORD`, `PGSSLMODE`, …) read through `env`.
pub fn postgres_target(
    flags: &PostgresFlags,
    url: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Result<PgTarget, ConfigError> {
    let (rest, from_url) = split_tls_params(url).map_err(|e| ConfigError::new(tls_setting(e.param), e.message))?;
    let mut config =
        auditflow_ledger::postgres::parse_config(&rest).map_err(|e| ConfigError::new(DATABASE_URL, e.to_string()))?;
    if config.get_hosts().is_empty() {
        return Err(ConfigError::new(DATABASE_URL, "names no host"));
    }
    let given = password(
        &env,
        "AUDITFLOW_DATABASE_PASSWORD",
        flags.database_password_file.as_deref(),
        "AUDITFLOW_DATABASE_PASSWORD_FILE (--database-password-file)",
    )?;
    let fallback = if config.get_password().is_none() { env("PGPASSWORD").filter(|v| !v.is_empty()) } else { None };
    if let Some(secret) = given.or(fallback) {
        config.password(secret);
    }
    let mode = flags.database_sslmode.as_deref().map(str::parse).transpose().map_err(
        |e: auditflow_ledger::postgres::tls::TlsSetupError| ConfigError::new(tls_setting(e.param), e.message),
    )?;
    let from_flags = TlsOptions {
        mode,
        root_cert: flags.database_sslrootcert.clone(),
        client_cert: flags.database_sslcert.clone(),
        client_key: flags.database_sslkey.clone(),
    };
    let path = |name: &str| env(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    let from_env =
        TlsOptions {
            mode: env("PGSSLMODE").filter(|v| !v.is_empty()).map(|v| v.parse()).transpose().map_err(
                |e: auditflow_ledger::postgres::tls::TlsSetupError| ConfigError::new("PGSSLMODE", e.message),
            )?,
            root_cert: path("PGSSLROOTCERT"),
            client_cert: path("PGSSLCERT"),
            client_key: path("PGSSLKEY"),
        };
    PgTarget::new(config, &from_flags.or(from_url).or(from_env))
        .map_err(|e| ConfigError::new(tls_setting(e.param), e.message))
}

/// Redis: `url` with the ACL user, password and TLS files of the flags.
pub fn redis_target(
    flags: &RedisFlags,
    url: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Result<RedisTarget, ConfigError> {
    let problem =
        |e: auditflow_sources::redis_stream::RedisTargetError| ConfigError::new(redis_setting(e.param), e.message);
    let secret = password(
        &env,
        "AUDITFLOW_REDIS_PASSWORD",
        flags.redis_password_file.as_deref(),
        "AUDITFLOW_REDIS_PASSWORD_FILE (--redis-password-file)",
    )?;
    RedisTarget::new(url)
        .map_err(problem)?
        .with_credentials(flags.redis_username.clone(), secret)
        .with_tls_files(
            flags.redis_ca_file.as_deref(),
            flags.redis_cert_file.as_deref(),
            flags.redis_key_file.as_deref(),
        )
        .map_err(problem)
}

#[cfg(test)]
mod tests {
    use super::*;
    use auditflow_ledger::postgres::tls::SslMode;

    fn flags() -> PostgresFlags {
        PostgresFlags::default()
    }

    #[test]
    fn flags_win_over_the_url_which_wins_over_libpq_variables() {
        let env = |name: &str| match name {
            "PGSSLMODE" => Some("disable".to_owned()),
            "PGPASSWORD" => Some("from-libpq".to_owned()),
            _ => None,
        };
        let target = postgres_target(&flags(), "postgres://u@db/ledger?sslmode=require", env).expect("target");
        assert_eq!(target.ssl_mode(), SslMode::Require);
        assert_eq!(target.get_password(), Some(&b"from-libpq"[..]));
        let target = postgres_target(&flags(), "postgres://u:inline@db/ledger", env).expect("target");
        assert_eq!(target.ssl_mode(), SslMode::Disable);
        assert_eq!(target.get_password(), Some(&b"inline"[..]), "the URL's password beats PGPASSWORD");
        let mut given = flags();
        given.database_sslmode = Some("prefer".into());
        let target = postgres_target(&given, "postgres://u@db/ledger?sslmode=require", env).expect("target");
        assert_eq!(target.ssl_mode(), SslMode::Prefer);
    }

    #[test]
    fn a_password_file_replaces_the_urls_password_and_a_missing_one_is_named() {
        let dir = std::env::temp_dir().join(format!("af-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("password");
        std::fs::write(&file, "s3cret\n").expect("write");
        let mut given = flags();
        given.database_password_file = Some(file.clone());
        let target = postgres_target(&given, "postgres://u:old@db/ledger", |_| None).expect("target");
        assert_eq!(target.get_password(), Some(&b"s3cret"[..]));
        given.database_password_file = Some(dir.join("absent"));
        let err = postgres_target(&given, "postgres://u@db/ledger", |_| None).expect_err("missing file");
        assert!(err.setting.contains("AUDITFLOW_DATABASE_PASSWORD_FILE"), "{err}");
        assert!(!err.to_string().contains("s3cret"));
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn verify_modes_without_a_ca_and_unknown_modes_name_the_setting() {
        let err = postgres_target(&flags(), "postgres://u@db/l?sslmode=verify-full", |_| None).expect_err("no CA");
        assert!(err.setting.contains("SSLROOTCERT") && err.message.contains("sslrootcert"), "{err}");
        let err = postgres_target(&flags(), "postgres://u@db/l?sslmode=on", |_| None).expect_err("bad mode");
        assert!(err.setting.contains("SSLMODE") && err.message.contains("verify-full"), "{err}");
        let err =
            postgres_target(&flags(), "postgres://u@db/l?sslmode=require&sslrootcert=/nonexistent/ca.pem", |_| None)
                .expect_err("unreadable CA");
        assert!(err.message.contains("/nonexistent/ca.pem"), "{err}");
    }

    #[test]
    fn redis_tls_files_need_a_rediss_url() {
        let given = RedisFlags { redis_ca_file: Some(PathBuf::from("/nonexistent/ca.pem")), ..RedisFlags::default() };
        let err = redis_target(&given, "redis://127.0.0.1:6379", |_| None).expect_err("plain URL");
        assert!(err.message.contains("rediss://"), "{err}");
        let err = redis_target(&given, "rediss://127.0.0.1:6380", |_| None).expect_err("missing CA");
        assert!(err.setting.contains("AUDITFLOW_REDIS_CA_FILE") && err.message.contains("/nonexistent"), "{err}");
    }
}
