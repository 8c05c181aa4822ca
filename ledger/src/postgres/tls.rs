//! TLS to Postgres as libpq does it: `sslmode` (`disable`, `prefer`, `require`, `verify-ca`,
//! `verify-full`), `sslrootcert`, `sslcert` and `sslkey`, with rustls (no OpenSSL).
//!
//! tokio-postgres parses only `disable`, `prefer` and `require` and refuses the other
//! parameters, so [`split_tls_params`] takes the four out of the URL before it is parsed, and
//! the modes that check certificates are carried out by the verifier given to rustls:
//!
//! | mode | the server's certificate |
//! |---|---|
//! | `disable` | no TLS |
//! | `prefer` | TLS when the server offers it, certificate not checked |
//! | `require` | TLS or no connection; not checked, unless `sslrootcert` is set (then as `verify-ca`) |
//! | `verify-ca` | signed by a CA in `sslrootcert` (the host name is not compared) |
//! | `verify-full` | signed by such a CA and naming the host connected to |
//!
//! `sslrootcert=system` takes the platform's roots, as libpq 16 does.

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// libpq's `sslmode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SslMode {
    /// Plain TCP only.
    Disable,
    /// TLS when the server offers it (libpq's default).
    #[default]
    Prefer,
    /// TLS or nothing.
    Require,
    /// TLS with a certificate signed by a trusted CA.
    VerifyCa,
    /// TLS with a trusted certificate that names the host.
    VerifyFull,
}

impl SslMode {
    /// The name libpq uses.
    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }

    /// Whether a certificate that no trusted CA signed ends the connection.
    pub fn checks_certificates(self) -> bool {
        matches!(self, SslMode::VerifyCa | SslMode::VerifyFull)
    }
}

impl std::str::FromStr for SslMode {
    type Err = TlsSetupError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Ok(match value {
            "disable" => SslMode::Disable,
            "prefer" | "allow" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(TlsSetupError::new(
                    TlsParam::SslMode,
                    format!("{other:?} is not an sslmode; use disable, prefer, require, verify-ca or verify-full"),
                ))
            }
        })
    }
}

/// Which TLS parameter a problem is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsParam {
    /// `sslmode`.
    SslMode,
    /// `sslrootcert`.
    RootCert,
    /// `sslcert`.
    ClientCert,
    /// `sslkey`.
    ClientKey,
}

impl TlsParam {
    /// The libpq parameter name.
    pub fn as_str(self) -> &'static str {
        match self {
            TlsParam::SslMode => "sslmode",
            TlsParam::RootCert => "sslrootcert",
            TlsParam::ClientCert => "sslcert",
            TlsParam::ClientKey => "sslkey",
        }
    }
}

/// A TLS parameter that cannot work (a file that cannot be read, an unknown mode): a
/// configuration problem, never worth a retry.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", param.as_str())]
pub struct TlsSetupError {
    /// The parameter at fault.
    pub param: TlsParam,
    /// What is wrong and what to do.
    pub message: String,
}

impl TlsSetupError {
    fn new(param: TlsParam, message: impl Into<String>) -> Self {
        TlsSetupError { param, message: message.into() }
    }
}

/// The TLS parameters of one source (the URL, the settings, libpq's variables); unset ones
/// are left to the next source by [`TlsOptions::or`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// `sslmode`.
    pub mode: Option<SslMode>,
    /// `sslrootcert`: a PEM file of CA certificates, or `system`.
    pub root_cert: Option<PathBuf>,
    /// `sslcert`: the client certificate (PEM).
    pub client_cert: Option<PathBuf>,
    /// `sslkey`: the client certificate's key (PEM).
    pub client_key: Option<PathBuf>,
}

impl TlsOptions {
    /// Each parameter from `self`, else from `other`.
    pub fn or(self, other: TlsOptions) -> TlsOptions {
        TlsOptions {
            mode: self.mode.or(other.mode),
            root_cert: self.root_cert.or(other.root_cert),
            client_cert: self.client_cert.or(other.client_cert),
            client_key: self.client_key.or(other.client_key),
        }
    }

    fn set(&mut self, key: &str, value: &str) -> Result<bool, TlsSetupError> {
        match key {
            "sslmode" => self.mode = Some(value.parse()?),
            "sslrootcert" => self.root_cert = Some(PathBuf::from(value)),
            "sslcert" => self.client_cert = Some(PathBuf::from(value)),
            "sslkey" => self.client_key = Some(PathBuf::from(value)),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Takes the TLS parameters out of a Postgres URL (`postgres://…?sslmode=…`) or key=value
/// string (`host=… sslmode=…`): returns what tokio-postgres can parse, and the parameters.
///
/// ```
/// use auditflow_ledger::postgres::tls::{split_tls_params, SslMode};
/// let (rest, tls) =
///     split_tls_params("postgres://u@db:5432/ledger?sslmode=verify-full&sslrootcert=%2Fca.pem&application_name=a")
///         .unwrap();
/// assert_eq!(rest, "postgres://u@db:5432/ledger?application_name=a");
/// assert_eq!(tls.mode, Some(SslMode::VerifyFull));
/// assert_eq!(tls.root_cert.unwrap().to_str(), Some("/ca.pem"));
/// let (rest, tls) = split_tls_params("host=db user=u sslmode=require").unwrap();
/// assert_eq!((rest.as_str(), tls.mode), ("host=db user=u", Some(SslMode::Require)));
/// ```
pub fn split_tls_params(url: &str) -> Result<(String, TlsOptions), TlsSetupError> {
    let mut options = TlsOptions::default();
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let Some((base, query)) = url.split_once('?') else { return Ok((url.to_owned(), options)) };
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let decoded: String = url::form_urlencoded::parse(format!("v={value}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default();
            if !options.set(key, &decoded)? {
                kept.push(pair);
            }
        }
        let rest = if kept.is_empty() { base.to_owned() } else { format!("{base}?{}", kept.join("&")) };
        return Ok((rest, options));
    }
    let mut kept = Vec::new();
    for token in url.split_whitespace() {
        let (key, value) = token.split_once('=').unwrap_or((token, ""));
        if !options.set(key.trim(), value.trim().trim_matches('\''))? {
            kept.push(token);
        }
    }
    Ok((kept.join(" "), options))
}

/// A connection string that is not one.
#[derive(Debug, thiserror::Error)]
#[error("not a valid Postgres URL: {0}")]
pub struct InvalidUrl(#[source] tokio_postgres::Error);

/// Parses a Postgres URL or key=value string whose TLS parameters were taken out
/// ([`split_tls_params`]).
pub fn parse_config(url: &str) -> Result<tokio_postgres::Config, InvalidUrl> {
    url.parse::<tokio_postgres::Config>().map_err(InvalidUrl)
}

/// Why a whole connection string (TLS parameters included) is unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TargetError {
    /// The URL does not parse.
    #[error(transparent)]
    Url(#[from] InvalidUrl),
    /// A TLS parameter is wrong, or its files cannot be read.
    #[error(transparent)]
    Tls(#[from] TlsSetupError),
}

/// Where the ledger is and how to reach it: the parsed connection settings and the TLS
/// connector their `sslmode` asks for. Reads as a `tokio_postgres::Config` (it dereferences
/// to one), so a copy for another database is `target.clone()` then `.dbname(…)`.
#[derive(Clone)]
pub struct PgTarget {
    config: tokio_postgres::Config,
    tls: MakeRustlsConnect,
    mode: SslMode,
    options: TlsOptions,
}

/// Deadlines on the connection itself, where the URL sets none (libpq's `connect_timeout`,
/// `keepalives_idle`, `tcp_user_timeout` still win): a host that never answers a connect
/// is skipped after 10 s (the next of several hosts is tried), data the server stops
/// acknowledging ends the connection after 30 s, and an idle connection to a vanished server
/// is found within a minute. Without them a connection to a dead primary can wait for the
/// kernel's defaults (hours of keepalive, about 15 minutes of retransmission).
fn set_deadlines(config: &mut tokio_postgres::Config) {
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(std::time::Duration::from_secs(10));
    }
    if config.get_tcp_user_timeout().is_none() {
        config.tcp_user_timeout(std::time::Duration::from_secs(30));
    }
    // tokio-postgres's default idle time is libpq's two hours.
    if config.get_keepalives_idle() == std::time::Duration::from_secs(2 * 60 * 60) {
        config.keepalives_idle(std::time::Duration::from_secs(30));
        config.keepalives_interval(std::time::Duration::from_secs(10));
        config.keepalives_retries(3);
    }
}

impl PgTarget {
    /// Builds the connector `options` ask for (each unset parameter at libpq's default), and
    /// sets the matching `sslmode` on `config`.
    pub fn new(mut config: tokio_postgres::Config, options: &TlsOptions) -> Result<PgTarget, TlsSetupError> {
        let mut mode = options.mode.unwrap_or_default();
        // libpq: `require` with a root certificate checks it as `verify-ca` does.
        if mode == SslMode::Require && options.root_cert.is_some() {
            mode = SslMode::VerifyCa;
        }
        config.ssl_mode(match mode {
            SslMode::Disable => tokio_postgres::config::SslMode::Disable,
            SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
            _ => tokio_postgres::config::SslMode::Require,
        });
        // Several hosts (libpq's `host=a,b` or `postgres://h1,h2/db`) are a primary and its
        // standbys: whichever is writable now takes the writes, and a connection to a
        // read-only one (a standby, or a demoted primary) is never used for them.
        if config.get_hosts().len() > 1 {
            config.target_session_attrs(tokio_postgres::config::TargetSessionAttrs::ReadWrite);
        }
        set_deadlines(&mut config);
        let tls = MakeRustlsConnect::new(client_config(mode, options)?);
        Ok(PgTarget { config, tls, mode, options: TlsOptions { mode: Some(mode), ..options.clone() } })
    }

    /// A URL or key=value string, its TLS parameters included, with every other parameter
    /// at libpq's default (what tests and benchmarks use).
    pub fn parse(url: &str) -> Result<PgTarget, TargetError> {
        let (rest, options) = split_tls_params(url)?;
        let config = parse_config(&rest)?;
        Ok(PgTarget::new(config, &options)?)
    }

    /// The TLS connector for `tokio_postgres` and deadpool.
    pub fn connector(&self) -> MakeRustlsConnect {
        self.tls.clone()
    }

    /// The `sslmode` in force.
    pub fn ssl_mode(&self) -> SslMode {
        self.mode
    }

    /// The TLS parameters in force (the mode always set).
    pub fn tls_options(&self) -> &TlsOptions {
        &self.options
    }

    /// The connection settings.
    pub fn config(&self) -> &tokio_postgres::Config {
        &self.config
    }
}

impl std::ops::Deref for PgTarget {
    type Target = tokio_postgres::Config;

    fn deref(&self) -> &Self::Target {
        &self.config
    }
}

impl std::ops::DerefMut for PgTarget {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.config
    }
}

impl std::fmt::Debug for PgTarget {
    // tokio-postgres's own Debug leaves the password out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgTarget").field("config", &self.config).field("sslmode", &self.mode.as_str()).finish()
    }
}

fn client_config(mode: SslMode, options: &TlsOptions) -> Result<ClientConfig, TlsSetupError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsSetupError::new(TlsParam::SslMode, format!("rustls cannot offer TLS 1.2 or 1.3: {e}")))?;
    let builder = if mode.checks_certificates() {
        let Some(root) = &options.root_cert else {
            return Err(TlsSetupError::new(
                TlsParam::RootCert,
                format!(
                    "sslmode={} checks the server's certificate against a CA, and none is given: set sslrootcert to \
                     the CA's PEM file (or to `system` for the platform's roots)",
                    mode.as_str()
                ),
            ));
        };
        let roots = Arc::new(root_store(root)?);
        let verifier = WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
            .build()
            .map_err(|e| TlsSetupError::new(TlsParam::RootCert, format!("{}: {e}", root.display())))?;
        if mode == SslMode::VerifyFull {
            builder.with_webpki_verifier(verifier)
        } else {
            let verify_ca = LibpqVerifier { chain: Some(verifier), provider };
            builder.dangerous().with_custom_certificate_verifier(Arc::new(verify_ca))
        }
    } else {
        builder.dangerous().with_custom_certificate_verifier(Arc::new(LibpqVerifier { chain: None, provider }))
    };
    match (&options.client_cert, &options.client_key) {
        (None, None) => Ok(builder.with_no_client_auth()),
        (Some(cert), Some(key)) => {
            let chain = read_certificates(cert, TlsParam::ClientCert)?;
            let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
                TlsSetupError::new(
                    TlsParam::ClientKey,
                    format!("cannot read a PEM private key from {}: {e}", key.display()),
                )
            })?;
            builder.with_client_auth_cert(chain, key).map_err(|e| {
                TlsSetupError::new(
                    TlsParam::ClientKey,
                    format!("the key does not go with the certificate in sslcert: {e}"),
                )
            })
        }
        (Some(_), None) => Err(TlsSetupError::new(TlsParam::ClientKey, "sslcert is set without its key: set sslkey")),
        (None, Some(_)) => {
            Err(TlsSetupError::new(TlsParam::ClientCert, "sslkey is set without its certificate: set sslcert"))
        }
    }
}

fn read_certificates(path: &Path, param: TlsParam) -> Result<Vec<CertificateDer<'static>>, TlsSetupError> {
    let read = |e: &dyn std::fmt::Display| {
        TlsSetupError::new(param, format!("cannot read PEM certificates from {}: {e}", path.display()))
    };
    let certificates = CertificateDer::pem_file_iter(path)
        .map_err(|e| read(&e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| read(&e))?;
    if certificates.is_empty() {
        return Err(read(&"the file holds no certificate"));
    }
    Ok(certificates)
}

fn root_store(root: &Path) -> Result<RootCertStore, TlsSetupError> {
    let mut store = RootCertStore::empty();
    if root == Path::new("system") {
        let found = rustls_native_certs::load_native_certs();
        store.add_parsable_certificates(found.certs);
        if store.is_empty() {
            return Err(TlsSetupError::new(TlsParam::RootCert, "sslrootcert=system, but the platform has no CA roots"));
        }
        return Ok(store);
    }
    for certificate in read_certificates(root, TlsParam::RootCert)? {
        store.add(certificate).map_err(|e| {
            TlsSetupError::new(
                TlsParam::RootCert,
                format!("{} holds a certificate that is not a CA: {e}", root.display()),
            )
        })?;
    }
    Ok(store)
}

/// libpq's certificate rules for the modes rustls has no verifier for: `verify-ca` (the chain
/// must lead to a trusted CA, the host name is not compared) and `prefer` / `require` without
/// a CA (the certificate is taken as it comes). The handshake's signatures are checked in
/// every mode, so the connection is still bound to the certificate's key.
#[derive(Debug)]
struct LibpqVerifier {
    /// The CA check (`None`: no check).
    chain: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for LibpqVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else { return Ok(ServerCertVerified::assertion()) };
        // webpki checks the chain before the name, so a name mismatch means the chain held.
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}
