//! Opens the archive's object store from `AUDITFLOW_EXPORT_URL`.

use crate::error::ExportError;
use object_store::path::Path;
use object_store::{ClientOptions, ObjectStore, PutPayload, RetryConfig};
use std::sync::Arc;
use std::time::Duration;

/// An object store plus the prefix every archive key lives under.
#[derive(Clone, Debug)]
pub struct Archive {
    store: Arc<dyn ObjectStore>,
    prefix: String,
    url: String,
}

/// Builds the archive store for a URL:
/// - `file:///abs/path` or `file://./relative/path` (the folder is created);
/// - `s3://bucket/prefix`, configured by the usual AWS variables (`AWS_ACCESS_KEY_ID`,
///   `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT_URL`, …). With an endpoint the
///   requests are path-style, and plain `http://` endpoints are allowed.
pub fn open(url: &str) -> Result<Archive, ExportError> {
    open_with(url, &S3Defaults::default())
}

/// S3 settings that apply where the AWS variables leave them open (a deployment's own names
/// for them, such as Caracal's `AUDIT_EXPORT_S3_ENDPOINT` and `_REGION`).
#[derive(Clone, Debug, Default)]
pub struct S3Defaults {
    /// Endpoint (path-style requests), where `AWS_ENDPOINT_URL` / `AWS_ENDPOINT` is unset.
    pub endpoint: Option<String>,
    /// Region, where `AWS_REGION` / `AWS_DEFAULT_REGION` is unset (else `us-east-1`).
    pub region: Option<String>,
    /// CA certificates (PEM) trusted besides the platform's roots, for an https:// endpoint
    /// signed by a private CA.
    pub ca_file: Option<std::path::PathBuf>,
}

/// [`open`], with `defaults` for what the AWS variables leave open.
pub fn open_with(url: &str, defaults: &S3Defaults) -> Result<Archive, ExportError> {
    let bad = |message: String| ExportError::Config { setting: "AUDITFLOW_EXPORT_URL", message };
    let mut client =
        ClientOptions::new().with_timeout(Duration::from_secs(30)).with_connect_timeout(Duration::from_secs(5));
    if let Some(path) = &defaults.ca_file {
        let ca = |message: String| ExportError::Config {
            setting: "AUDITFLOW_EXPORT_CA_FILE (--export-ca-file, AWS_CA_BUNDLE)",
            message: format!("{}: {message}", path.display()),
        };
        let pem = std::fs::read(path).map_err(|e| ca(format!("cannot read: {e}")))?;
        let certificates = object_store::Certificate::from_pem_bundle(&pem)
            .map_err(|e| ca(format!("not a PEM bundle of certificates: {e}")))?;
        if certificates.is_empty() {
            return Err(ca("holds no certificate".into()));
        }
        for certificate in certificates {
            client = client.with_root_certificate(certificate);
        }
    }
    // The store's own retries are short; the exporter retries whole steps with its own backoff
    // for as long as the store stays down.
    let retry = RetryConfig { max_retries: 3, retry_timeout: Duration::from_secs(20), ..Default::default() };
    if let Some(path) = url.strip_prefix("file://") {
        if path.is_empty() {
            return Err(bad(
                "file:// needs a path, e.g. file://./auditflow-export or file:///var/lib/auditflow/export".into(),
            ));
        }
        std::fs::create_dir_all(path).map_err(|e| bad(format!("cannot create folder {path}: {e}")))?;
        let store = object_store::local::LocalFileSystem::new_with_prefix(path)
            .map_err(|e| bad(format!("cannot use folder {path}: {e}")))?;
        return Ok(Archive { store: Arc::new(store), prefix: String::new(), url: url.to_owned() });
    }
    if let Some(rest) = url.strip_prefix("s3://") {
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(bad("s3:// needs a bucket, e.g. s3://audit-archive/auditflow".into()));
        }
        let mut builder = object_store::aws::AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .with_retry(retry)
            .with_client_options(client);
        let endpoint = std::env::var("AWS_ENDPOINT_URL")
            .or_else(|_| std::env::var("AWS_ENDPOINT"))
            .ok()
            .or_else(|| defaults.endpoint.clone());
        if let Some(endpoint) = endpoint {
            builder = builder
                .with_endpoint(&endpoint)
                .with_virtual_hosted_style_request(false)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if std::env::var("AWS_REGION").is_err() && std::env::var("AWS_DEFAULT_REGION").is_err() {
            builder = builder.with_region(defaults.region.as_deref().unwrap_or("us-east-1"));
        }
        let store = builder.build().map_err(|e| bad(format!("cannot configure S3 for {url}: {e}")))?;
        return Ok(Archive {
            store: Arc::new(store),
            prefix: prefix.trim_matches('/').to_owned(),
            url: url.to_owned(),
        });
    }
    let parsed = url::Url::parse(url).map_err(|e| bad(format!("{url:?} is not a URL: {e}")))?;
    let (store, prefix) =
        object_store::parse_url(&parsed).map_err(|e| bad(format!("unsupported export URL {url}: {e}")))?;
    Ok(Archive { store: Arc::from(store), prefix: prefix.to_string(), url: url.to_owned() })
}

impl Archive {
    /// The URL the archive was opened from.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The store path of a key relative to the prefix.
    pub fn path(&self, key: &str) -> Result<Path, ExportError> {
        let full = if self.prefix.is_empty() { key.to_owned() } else { format!("{}/{key}", self.prefix) };
        Path::parse(&full).map_err(|e| ExportError::Store {
            op: "build key",
            key: full.clone(),
            message: e.to_string(),
        })
    }

    /// The key relative to the prefix of a store path (for listings).
    pub fn relative(&self, path: &Path) -> String {
        let s = path.as_ref();
        if self.prefix.is_empty() {
            s.to_owned()
        } else {
            s.strip_prefix(&self.prefix).map(|r| r.trim_start_matches('/').to_owned()).unwrap_or_else(|| s.to_owned())
        }
    }

    /// Writes (or overwrites) an object.
    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), ExportError> {
        let path = self.path(key)?;
        self.store.put(&path, PutPayload::from(bytes)).await.map_err(|e| ExportError::store("put", key, e))?;
        Ok(())
    }

    /// Reads an object; `None` when it does not exist.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, ExportError> {
        let path = self.path(key)?;
        match self.store.get(&path).await {
            Ok(result) => {
                let bytes = result.bytes().await.map_err(|e| ExportError::store("get", key, e))?;
                Ok(Some(bytes.to_vec()))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(ExportError::store("get", key, e)),
        }
    }

    /// Every key (relative to the prefix) under a relative folder, sorted.
    pub async fn list(&self, dir: &str) -> Result<Vec<(String, u64)>, ExportError> {
        use futures_util::TryStreamExt;
        // The whole archive: the prefix itself (an empty key is no path).
        let path = match (dir.is_empty(), self.prefix.is_empty()) {
            (false, _) => Some(self.path(dir)?),
            (true, false) => Some(Path::parse(&self.prefix).map_err(|e| ExportError::Store {
                op: "build key",
                key: self.prefix.clone(),
                message: e.to_string(),
            })?),
            (true, true) => None,
        };
        let metas: Vec<_> =
            self.store.list(path.as_ref()).try_collect().await.map_err(|e| ExportError::store("list", dir, e))?;
        let mut keys: Vec<(String, u64)> = metas.into_iter().map(|m| (self.relative(&m.location), m.size)).collect();
        keys.sort();
        Ok(keys)
    }

    /// Deletes an object (tests and repairs only; the exporter never deletes).
    pub async fn delete(&self, key: &str) -> Result<(), ExportError> {
        let path = self.path(key)?;
        self.store.delete(&path).await.map_err(|e| ExportError::store("delete", key, e))
    }
}
