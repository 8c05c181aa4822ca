//! Reaching Redis, Postgres and the archive: bounded, logged retries while a service does not answer
//! (then [`Unreachable`], exit 3), and the mistakes no retry can fix (a refused login, a
//! shard count that differs from the ledger's) turned into configuration errors (exit 2).

use crate::settings::{redact, ConfigError, Resolved};
use auditflow_ledger::postgres::tls::TlsParam;
use auditflow_ledger::LedgerError;
use auditflow_retry::{Backoff, Retry};
use std::time::{Duration, Instant};

/// A dependency stayed unreachable: exit code 3.
#[derive(Debug, thiserror::Error)]
#[error("{service} unreachable at {target} after {waited_secs} s: {detail}")]
pub struct Unreachable {
    /// Redis or Postgres.
    pub service: &'static str,
    /// Where (credentials removed).
    pub target: String,
    /// How long start-up waited.
    pub waited_secs: u64,
    /// Last error.
    pub detail: String,
}

/// How one start-up attempt failed.
enum Attempt {
    /// The service did not answer: try again until the timeout.
    Unanswered(String),
    /// Retrying cannot help (a configuration problem, say).
    Fatal(anyhow::Error),
}

/// Retries `attempt` with logged, doubling backoff while the service is unreachable, for up
/// to `timeout`; then fails with [`Unreachable`] (exit 3).
async fn retry_until_reachable<T, F, Fut>(
    service: &'static str,
    url: &str,
    timeout: Duration,
    attempt: F,
) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, Attempt>>,
{
    let started = Instant::now();
    let outcome = Backoff::new(Duration::from_millis(200), Duration::from_secs(5))
        .retry(
            attempt,
            |failed, wait| match failed {
                Attempt::Unanswered(e) if started.elapsed() < timeout => {
                    tracing::warn!(target = %redact(url), error = %e, retry_in_ms = wait.as_millis() as u64, "{service} unreachable, retrying");
                    Retry::Again
                }
                _ => Retry::GiveUp,
            },
        )
        .await;
    match outcome {
        Ok(value) => Ok(value),
        Err(Attempt::Fatal(e)) => Err(e),
        Err(Attempt::Unanswered(detail)) => {
            Err(Unreachable { service, target: redact(url), waited_secs: started.elapsed().as_secs(), detail }.into())
        }
    }
}

/// Connects to Postgres (creating the database) and migrates, retrying while the server is
/// unreachable for up to `timeout`.
pub async fn prepare_postgres(settings: &Resolved, timeout: Duration) -> anyhow::Result<deadpool_postgres::Pool> {
    prepare(settings, timeout, true).await
}

/// Connects to Postgres (creating the database) without migrating: `migrate` looks at what
/// the database holds first.
pub async fn connect_postgres(settings: &Resolved, timeout: Duration) -> anyhow::Result<deadpool_postgres::Pool> {
    prepare(settings, timeout, false).await
}

/// Adopts Caracal's audit ledger (see `auditflow_ledger::adopt`); returns the zones adopted.
pub async fn adopt_caracal_ledger(settings: &Resolved, pool: &deadpool_postgres::Pool) -> anyhow::Result<i64> {
    auditflow_ledger::migrations::migrate_adopting_caracal(pool).await.map_err(|e| match classify(settings, e) {
        Attempt::Fatal(e) => e,
        Attempt::Unanswered(detail) => {
            Unreachable { service: "postgres", target: redact(&settings.database_url), waited_secs: 0, detail }.into()
        }
    })
}

/// The pool `run` writes through: every connection acts as the writer role, which may
/// only INSERT and SELECT evidence (SPEC §3). Checked once here so that a login that may not
/// take the role is a configuration error, not an endless retry.
pub async fn writer_pool(settings: &Resolved) -> anyhow::Result<deadpool_postgres::Pool> {
    use auditflow_ledger::migrations::WRITER_ROLE;
    let pool = auditflow_ledger::postgres::pool_as(&settings.pg, settings.pool_size, WRITER_ROLE)?;
    if let Err(e) = pool.get().await {
        let user = settings.pg.get_user().unwrap_or("the login role").to_owned();
        return Err(ConfigError::new(
            "AUDITFLOW_DATABASE_URL (--database-url)",
            format!(
                "cannot act as the ledger's writer role ({e}); as the ledger owner run: GRANT {WRITER_ROLE} TO \"{user}\""
            ),
        )
        .into());
    }
    Ok(pool)
}

async fn prepare(settings: &Resolved, timeout: Duration, migrate: bool) -> anyhow::Result<deadpool_postgres::Pool> {
    retry_until_reachable("postgres", &settings.database_url, timeout, || async {
        let attempt = async {
            auditflow_ledger::postgres::ensure_database(&settings.pg).await?;
            let pool = auditflow_ledger::postgres::pool(&settings.pg, settings.pool_size)?;
            if migrate {
                auditflow_ledger::migrations::migrate(&pool).await?;
            }
            Ok::<_, LedgerError>(pool)
        };
        attempt.await.map_err(|e| classify(settings, e))
    })
    .await
}

/// What a failure of the ledger's database means: a configuration problem (exit 2), or a
/// server that does not answer (retried, then exit 3).
fn classify(settings: &Resolved, e: LedgerError) -> Attempt {
    if let LedgerError::Postgres { source, .. } = &e {
        if let Some((param, cause)) = tls_failure(source) {
            return Attempt::Fatal(
                ConfigError::new(
                    crate::settings::connections::tls_setting(param),
                    format!("TLS to {} failed: {cause}", redact(&settings.database_url)),
                )
                .into(),
            );
        }
    }
    match e {
        LedgerError::Incompatible(message) => {
            Attempt::Fatal(ConfigError::new("AUDITFLOW_DATABASE_URL (--database-url)", message).into())
        }
        LedgerError::Postgres { source, .. }
            if source.code().is_some_and(|c| matches!(&c.code()[..2], "28" | "3D")) =>
        {
            Attempt::Fatal(
                ConfigError::new(
                    "AUDITFLOW_DATABASE_URL (--database-url)",
                    format!("Postgres refused the login: {source}"),
                )
                .into(),
            )
        }
        LedgerError::Postgres { source, .. } if source.code().is_some_and(|c| c.code().starts_with("42")) => {
            Attempt::Fatal(schema_conflict(&source).into())
        }
        e if e.is_retryable() => Attempt::Unanswered(e.to_string()),
        e => Attempt::Fatal(
            Unreachable {
                service: "postgres",
                target: redact(&settings.database_url),
                waited_secs: 0,
                detail: e.to_string(),
            }
            .into(),
        ),
    }
}

/// The database answered, but holds a schema auditflow's migrations cannot build on: a
/// configuration problem (exit 2) that says what was found, not an outage.
fn schema_conflict(source: &tokio_postgres::Error) -> ConfigError {
    let setting = "AUDITFLOW_DATABASE_URL (--database-url)";
    let found = source.as_db_error().map_or_else(|| source.to_string(), |db| db.message().to_owned());
    if source.code() == Some(&tokio_postgres::error::SqlState::DUPLICATE_TABLE) {
        ConfigError::new(
            setting,
            format!(
                "the database already holds tables auditflow did not create and cannot adopt ({found}): \
                 of other ledgers only Caracal's audit ledger (its baseline layout) is adopted (docs/caracal.md); \
                 point auditflow at a database of its own"
            ),
        )
    } else if source.code() == Some(&tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE) {
        ConfigError::new(
            setting,
            format!("the login may not create or change the ledger's objects ({found}): migrate as the ledger's owner"),
        )
    } else {
        ConfigError::new(setting, format!("the database's schema conflicts with auditflow's migrations: {found}"))
    }
}

/// What a failure to reach Redis means: a login or TLS problem no retry can fix (exit 2), or
/// a server that does not answer.
fn classify_redis(settings: &Resolved, e: redis::RedisError) -> Attempt {
    use crate::settings::connections::redis_setting;
    use auditflow_sources::redis_stream::RedisParam;
    let refused = matches!(e.code(), Some("WRONGPASS" | "NOAUTH" | "NOPERM"))
        || e.kind() == redis::ErrorKind::AuthenticationFailed;
    if refused {
        return Attempt::Fatal(
            ConfigError::new(
                "AUDITFLOW_REDIS_PASSWORD_FILE (--redis-password-file, AUDITFLOW_REDIS_PASSWORD, \
                 AUDITFLOW_REDIS_USERNAME, or the credentials in AUDITFLOW_REDIS_URL)",
                format!("Redis refused the login: {e}"),
            )
            .into(),
        );
    }
    match tls_failure(&e) {
        Some((param, cause)) => {
            let param = match param {
                TlsParam::RootCert => RedisParam::CaFile,
                TlsParam::ClientCert | TlsParam::ClientKey => RedisParam::CertFile,
                TlsParam::SslMode => RedisParam::Url,
            };
            Attempt::Fatal(
                ConfigError::new(
                    redis_setting(param),
                    format!("TLS to {} failed: {cause}", redact(&settings.redis_url)),
                )
                .into(),
            )
        }
        None => Attempt::Unanswered(e.to_string()),
    }
}

/// The TLS failure among `error`'s causes, if any: the parameter to look at and why, in
/// words that say what to fix. tokio-postgres and redis both keep rustls's error inside an
/// `io::Error` (redis behind an `Arc`), which is where this looks.
fn tls_failure(error: &(dyn std::error::Error + 'static)) -> Option<(TlsParam, String)> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = cause {
        let io = e.downcast_ref::<std::io::Error>().or_else(|| {
            e.downcast_ref::<std::sync::Arc<dyn std::error::Error + Send + Sync>>()
                .and_then(|inner| inner.downcast_ref::<std::io::Error>())
        });
        let tls = e
            .downcast_ref::<rustls::Error>()
            .or_else(|| io.and_then(|io| io.get_ref()).and_then(|inner| inner.downcast_ref::<rustls::Error>()));
        if let Some(tls) = tls {
            return Some(explain_tls(tls));
        }
        if e.to_string().contains("server does not support TLS") {
            return Some((
                TlsParam::SslMode,
                "the server does not offer TLS, and sslmode asks for it: turn ssl on in the server, or set sslmode \
                 to prefer or disable if plain connections are acceptable"
                    .into(),
            ));
        }
        cause = e.source();
    }
    None
}

fn explain_tls(error: &rustls::Error) -> (TlsParam, String) {
    use rustls::CertificateError;
    match error {
        rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer | CertificateError::BadSignature) => (
            TlsParam::RootCert,
            format!(
                "the server's certificate is not signed by a CA given as trusted ({error}): give the CA that signed it"
            ),
        ),
        rustls::Error::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
        ) => (
            TlsParam::SslMode,
            format!(
                "the server's certificate does not name the host connected to ({error}); full verification compares \
                 them: connect by a name the certificate holds (or, for Postgres, use sslmode=verify-ca)"
            ),
        ),
        rustls::Error::InvalidCertificate(CertificateError::Expired | CertificateError::ExpiredContext { .. }) => {
            (TlsParam::RootCert, format!("the server's certificate has expired ({error})"))
        }
        rustls::Error::AlertReceived(alert) => (
            TlsParam::ClientCert,
            format!("the server ended the TLS handshake ({alert:?}): it may want a client certificate it trusts"),
        ),
        other => (TlsParam::SslMode, format!("the TLS handshake failed: {other}")),
    }
}

/// Connects to Redis and creates the consumer group, retrying for up to `timeout`.
pub async fn prepare_redis(settings: &Resolved, timeout: Duration) -> anyhow::Result<()> {
    retry_until_reachable("redis", &settings.redis_url, timeout, || async {
        let mut con = auditflow_sources::redis_stream::connect(&settings.redis, Duration::from_secs(5))
            .await
            .map_err(|e| classify_redis(settings, e))?;
        auditflow_sources::redis_stream::reader::ensure_group(&mut con, &settings.stream, &settings.group)
            .await
            .map(|_created| ())
            .map_err(|e| Attempt::Unanswered(e.to_string()))
    })
    .await
}

/// One connection to Redis for a command that reads or writes a stream; unreachable within
/// 10 s is exit 3.
pub async fn redis(settings: &Resolved) -> anyhow::Result<redis::aio::MultiplexedConnection> {
    redis_waiting(settings, Duration::from_secs(10)).await
}

/// [`redis`], with replies awaited for up to `wait`.
pub async fn redis_waiting(settings: &Resolved, wait: Duration) -> anyhow::Result<redis::aio::MultiplexedConnection> {
    auditflow_sources::redis_stream::connect(&settings.redis, wait).await.map_err(|e| {
        match classify_redis(settings, e) {
            Attempt::Fatal(e) => e,
            Attempt::Unanswered(detail) => Unreachable {
                service: "Redis",
                target: redact(&settings.redis_url),
                waited_secs: wait.as_secs(),
                detail,
            }
            .into(),
        }
    })
}

/// The archive `AUDITFLOW_EXPORT_URL` names (the store is reached on first use).
pub fn archive(settings: &Resolved) -> Result<auditflow_archive::Archive, ConfigError> {
    let s3 = auditflow_archive::store::S3Defaults {
        endpoint: settings.s3_endpoint.clone(),
        region: settings.s3_region.clone(),
        ca_file: settings.s3_ca_file.clone(),
    };
    auditflow_archive::store::open_with(&settings.export_url, &s3).map_err(|e| match e {
        auditflow_archive::ExportError::Config { setting, message } => ConfigError::new(setting, message),
        e => ConfigError::new("AUDITFLOW_EXPORT_URL (--export-url, export.url)", e.to_string()),
    })
}

/// The OCSF archive's store (the main archive's S3 settings apply).
pub fn ocsf_archive(settings: &Resolved, url: &str) -> Result<auditflow_archive::Archive, ConfigError> {
    let s3 = auditflow_archive::store::S3Defaults {
        endpoint: settings.s3_endpoint.clone(),
        region: settings.s3_region.clone(),
        ca_file: settings.s3_ca_file.clone(),
    };
    auditflow_archive::store::open_with(url, &s3)
        .map_err(|e| ConfigError::new("AUDITFLOW_OCSF_URL (--ocsf-url, export.ocsf.url)", e.to_string()))
}

/// The archive to check and the export keys its manifests may be signed with: the key file's
/// when it exists, plus those given with `flag`.
pub fn archive_to_verify(
    settings: &Resolved,
    extra_keys: &[String],
    flag: &str,
) -> anyhow::Result<(auditflow_archive::Archive, Vec<ed25519_dalek::VerifyingKey>)> {
    let trusted = crate::settings::trusted_export_keys(&settings.export_signing_key_file, extra_keys, flag)?;
    Ok((archive(settings)?, trusted))
}
