//! Where Redis is and how to log in: the URL (`redis://` or `rediss://` for TLS), an ACL
//! user and password given apart from it (the way Kubernetes mounts secrets), and for TLS a
//! CA and a client certificate. Files are read once, when the target is built, so a missing
//! or unreadable one is found before anything connects.

use redis::{ClientTlsConfig, IntoConnectionInfo, TlsCertificates};
use std::path::Path;

/// Which part of a Redis target a problem is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedisParam {
    /// The URL.
    Url,
    /// The CA file.
    CaFile,
    /// The client certificate.
    CertFile,
    /// The client certificate's key.
    KeyFile,
}

/// A Redis target that cannot work: a configuration problem, never worth a retry.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct RedisTargetError {
    /// The part at fault.
    pub param: RedisParam,
    /// What is wrong and what to do.
    pub message: String,
}

fn problem(param: RedisParam, message: impl Into<String>) -> RedisTargetError {
    RedisTargetError { param, message: message.into() }
}

/// How to reach Redis. Its `Debug` shows no password and no key.
#[derive(Clone)]
pub struct RedisTarget {
    url: String,
    username: Option<String>,
    password: Option<String>,
    tls: Option<TlsCertificates>,
}

impl RedisTarget {
    /// A target from a URL alone (`redis://[user:password@]host:port[/db]`, `rediss://…`).
    ///
    /// ```
    /// use auditflow_sources::redis_stream::RedisTarget;
    /// let target = RedisTarget::new("rediss://cache.internal:6380/0").unwrap();
    /// assert!(target.uses_tls());
    /// assert!(RedisTarget::new("http://cache").is_err());
    /// ```
    pub fn new(url: &str) -> Result<RedisTarget, RedisTargetError> {
        let target = RedisTarget { url: url.to_owned(), username: None, password: None, tls: None };
        target.client().map_err(|e| problem(RedisParam::Url, format!("not a valid redis:// or rediss:// URL: {e}")))?;
        Ok(target)
    }

    /// Logs in as this ACL user and password (each replaces the URL's when given).
    pub fn with_credentials(mut self, username: Option<String>, password: Option<String>) -> RedisTarget {
        self.username = username.or(self.username);
        self.password = password.or(self.password);
        self
    }

    /// Trusts the CA in `ca_file` (PEM) instead of the platform's roots, and presents the
    /// client certificate `cert_file` with its key `key_file` when both are given. Only a
    /// `rediss://` URL uses them.
    pub fn with_tls_files(
        mut self,
        ca_file: Option<&Path>,
        cert_file: Option<&Path>,
        key_file: Option<&Path>,
    ) -> Result<RedisTarget, RedisTargetError> {
        if ca_file.is_none() && cert_file.is_none() && key_file.is_none() {
            return Ok(self);
        }
        if !self.uses_tls() {
            return Err(problem(
                RedisParam::Url,
                "a CA or client certificate is set, but the URL is redis://: use rediss:// for TLS",
            ));
        }
        let read = |path: &Path, param| {
            std::fs::read(path).map_err(|e| problem(param, format!("cannot read {}: {e}", path.display())))
        };
        let root_cert = ca_file.map(|path| read(path, RedisParam::CaFile)).transpose()?;
        let client_tls = match (cert_file, key_file) {
            (None, None) => None,
            (Some(cert), Some(key)) => Some(ClientTlsConfig {
                client_cert: read(cert, RedisParam::CertFile)?,
                client_key: read(key, RedisParam::KeyFile)?,
            }),
            (Some(_), None) => {
                return Err(problem(RedisParam::KeyFile, "the client certificate is set without its key"))
            }
            (None, Some(_)) => {
                return Err(problem(RedisParam::CertFile, "the client key is set without its certificate"))
            }
        };
        self.tls = Some(TlsCertificates { client_tls, root_cert });
        self.client().map_err(|e| {
            let param = if ca_file.is_some() { RedisParam::CaFile } else { RedisParam::CertFile };
            problem(param, format!("the PEM files cannot be used: {e}"))
        })?;
        Ok(self)
    }

    /// The URL as given (it may hold a password: redact it before showing it).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The ACL user given apart from the URL.
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// Whether a password was given apart from the URL.
    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }

    /// Whether connections use TLS (`rediss://`).
    pub fn uses_tls(&self) -> bool {
        self.url.starts_with("rediss://")
    }

    /// A client for this target.
    pub fn client(&self) -> redis::RedisResult<redis::Client> {
        let mut info = self.url.as_str().into_connection_info()?;
        if self.username.is_some() || self.password.is_some() {
            let mut settings = info.redis_settings().clone();
            if let Some(username) = &self.username {
                settings = settings.set_username(username);
            }
            if let Some(password) = &self.password {
                settings = settings.set_password(password);
            }
            info = info.set_redis_settings(settings);
        }
        match &self.tls {
            Some(certificates) => redis::Client::build_with_tls(info, certificates.clone()),
            None => redis::Client::open(info),
        }
    }
}

impl std::fmt::Debug for RedisTarget {
    // The address only: the URL may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let addr = self.client().map(|c| c.get_connection_info().addr().to_string()).unwrap_or_default();
        f.debug_struct("RedisTarget")
            .field("addr", &addr)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("tls", &self.tls)
            .finish()
    }
}

/// Opens a multiplexed connection whose response timeout exceeds any BLOCK used on it.
pub async fn connect(
    target: &RedisTarget,
    response_timeout: std::time::Duration,
) -> redis::RedisResult<redis::aio::MultiplexedConnection> {
    let client = target.client()?;
    let config = redis::AsyncConnectionConfig::new()
        .set_response_timeout(Some(response_timeout))
        .set_connection_timeout(Some(std::time::Duration::from_secs(5)));
    client.get_multiplexed_async_connection_with_config(&config).await
}
