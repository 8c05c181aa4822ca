//! Caracal's own variables (its audit service's, and what its Helm chart sets), honoured
//! where auditflow's are not: so that swapping the image in Caracal's deployment keeps its
//! configuration. Order: auditflow's flag > auditflow's variable > the file > Caracal's
//! variable > the default (docs/caracal.md has the table).
//!
//! Where Caracal would panic on a value (an unreadable `_FILE`, `AUDIT_READY_*=0`), this
//! gives a configuration error naming the variable, or, for a gate of 0, turns it off as
//! auditflow's own gates do. An empty variable counts as unset, as in Caracal.

use super::error::ConfigError;
use super::redact::Secret;

/// The values Caracal's variables give, each already checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CaracalEnv {
    /// `DATABASE_URL` (or the file `DATABASE_URL_FILE` names).
    pub database_url: Option<String>,
    /// `REDIS_URL` (or `REDIS_URL_FILE`).
    pub redis_url: Option<String>,
    /// `METRICS_BEARER` (or `METRICS_BEARER_FILE`): the bearer `/metrics` and `/metrics.json`
    /// require.
    pub metrics_bearer: Option<Secret>,
    /// `AUDIT_ADMIN_TOKEN` (or `AUDIT_ADMIN_TOKEN_FILE`): the token Caracal's `/api/audit/*`
    /// requires; without it those routes do not exist.
    pub admin_token: Option<Secret>,
    /// `PORT`: Caracal listens on every interface.
    pub listen: Option<String>,
    /// `HOSTNAME`: Caracal's consumer name, here the consumer prefix.
    pub consumer_prefix: Option<String>,
    /// `AUDIT_CLAIM_IDLE_SECS`, in milliseconds.
    pub claim_idle_ms: Option<u64>,
    /// `AUDIT_MAX_DELIVERIES`.
    pub max_deliveries: Option<u64>,
    /// `AUDIT_RETENTION_DAYS`.
    pub retention_days: Option<u32>,
    /// `AUDIT_TAMPER_ROLLING_HOURS`.
    pub tamper_rolling_hours: Option<f64>,
    /// `AUDIT_READY_DLQ_MAX`.
    pub ready_max_dlq_size: Option<u64>,
    /// `AUDIT_READY_LAG_MAX`.
    pub ready_max_consumer_lag: Option<u64>,
    /// `AUDIT_READY_PEL_OLDEST_SECS_MAX`.
    pub ready_max_pending_age_secs: Option<u64>,
    /// `AUDIT_EXPORT_S3_BUCKET`, as `s3://<bucket>`.
    pub export_url: Option<String>,
    /// `AUDIT_EXPORT_S3_ENDPOINT` (path-style requests), where `AWS_ENDPOINT_URL` is unset.
    pub s3_endpoint: Option<String>,
    /// `AUDIT_EXPORT_S3_REGION`, where `AWS_REGION` is unset.
    pub s3_region: Option<String>,
}

impl CaracalEnv {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the variables through `lookup` (the environment, or a test's map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty());
        let secret = |name: &str| -> Result<Option<String>, ConfigError> {
            if let Some(value) = get(name) {
                return Ok(Some(value));
            }
            let file_var = format!("{name}_FILE");
            let Some(path) = get(&file_var) else { return Ok(None) };
            super::connections::read_secret_file(std::path::Path::new(&path), &file_var).map(Some)
        };
        let number = |name: &str| -> Result<Option<u64>, ConfigError> {
            get(name)
                .map(|v| {
                    v.trim().parse::<u64>().map_err(|_| {
                        ConfigError::new(name, format!("{v:?} is not a whole number (Caracal's variable)"))
                    })
                })
                .transpose()
        };
        let positive = |name: &str| -> Result<Option<u64>, ConfigError> {
            match number(name)? {
                Some(0) => Err(ConfigError::new(name, "must be greater than 0 (Caracal's variable)")),
                other => Ok(other),
            }
        };
        let listen = match number("PORT")? {
            Some(port) if port <= u64::from(u16::MAX) => Some(format!("0.0.0.0:{port}")),
            Some(port) => return Err(ConfigError::new("PORT", format!("{port} is not a TCP port"))),
            None => None,
        };
        let retention_days = positive("AUDIT_RETENTION_DAYS")?
            .map(|d| u32::try_from(d).map_err(|_| ConfigError::new("AUDIT_RETENTION_DAYS", "too many days")))
            .transpose()?;
        let export_url = get("AUDIT_EXPORT_S3_BUCKET")
            .map(|bucket| {
                if bucket.contains('/') || bucket.contains("://") {
                    Err(ConfigError::new("AUDIT_EXPORT_S3_BUCKET", format!("{bucket:?} is not a bucket name")))
                } else {
                    Ok(format!("s3://{bucket}"))
                }
            })
            .transpose()?;
        Ok(CaracalEnv {
            database_url: secret("DATABASE_URL")?,
            redis_url: secret("REDIS_URL")?,
            metrics_bearer: secret("METRICS_BEARER")?.map(Secret::new),
            admin_token: secret("AUDIT_ADMIN_TOKEN")?.map(Secret::new),
            listen,
            consumer_prefix: get("HOSTNAME"),
            claim_idle_ms: positive("AUDIT_CLAIM_IDLE_SECS")?.map(|s| s.saturating_mul(1000)),
            max_deliveries: positive("AUDIT_MAX_DELIVERIES")?,
            retention_days,
            tamper_rolling_hours: positive("AUDIT_TAMPER_ROLLING_HOURS")?.map(|h| h as f64),
            // 0 turns a gate off, as auditflow's own gates do (Caracal refuses to start).
            ready_max_dlq_size: number("AUDIT_READY_DLQ_MAX")?,
            ready_max_consumer_lag: number("AUDIT_READY_LAG_MAX")?,
            ready_max_pending_age_secs: number("AUDIT_READY_PEL_OLDEST_SECS_MAX")?,
            export_url,
            s3_endpoint: get("AUDIT_EXPORT_S3_ENDPOINT"),
            s3_region: get("AUDIT_EXPORT_S3_REGION"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> Result<CaracalEnv, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        CaracalEnv::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn nothing_set_gives_nothing() {
        assert_eq!(env(&[]).expect("empty"), CaracalEnv::default());
        assert_eq!(env(&[("PORT", ""), ("HOSTNAME", "")]).expect("empty values"), CaracalEnv::default());
    }

    #[test]
    fn each_variable_lands_in_its_setting() {
        let e = env(&[
            ("PORT", "9090"),
            ("HOSTNAME", "caracal-audit-7d9f-x2"),
            ("AUDIT_CLAIM_IDLE_SECS", "45"),
            ("AUDIT_MAX_DELIVERIES", "3"),
            ("AUDIT_RETENTION_DAYS", "90"),
            ("AUDIT_TAMPER_ROLLING_HOURS", "2"),
            ("AUDIT_READY_DLQ_MAX", "10"),
            ("AUDIT_READY_LAG_MAX", "0"),
            ("AUDIT_EXPORT_S3_BUCKET", "evidence"),
            ("AUDIT_EXPORT_S3_ENDPOINT", "http://127.0.0.1:9000"),
        ])
        .expect("valid");
        assert_eq!(e.listen.as_deref(), Some("0.0.0.0:9090"));
        assert_eq!(e.consumer_prefix.as_deref(), Some("caracal-audit-7d9f-x2"));
        assert_eq!((e.claim_idle_ms, e.max_deliveries, e.retention_days), (Some(45_000), Some(3), Some(90)));
        assert_eq!(e.tamper_rolling_hours, Some(2.0));
        assert_eq!((e.ready_max_dlq_size, e.ready_max_consumer_lag), (Some(10), Some(0)));
        assert_eq!(e.export_url.as_deref(), Some("s3://evidence"));
        assert_eq!(e.s3_endpoint.as_deref(), Some("http://127.0.0.1:9000"));
    }

    #[test]
    fn a_secret_comes_from_its_file_trimmed_and_a_bad_file_is_named() {
        let dir = std::env::temp_dir().join(format!("auditflow-caracal-env-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("auditDatabaseUrl");
        std::fs::write(&file, "postgres://caracalaudit@db:5432/caracal \n").expect("write");
        let path = file.display().to_string();
        let e = env(&[("DATABASE_URL_FILE", &path)]).expect("file");
        assert_eq!(e.database_url.as_deref(), Some("postgres://caracalaudit@db:5432/caracal"));
        let direct = env(&[("DATABASE_URL", "postgres://x@h/d"), ("DATABASE_URL_FILE", &path)]).expect("direct");
        assert_eq!(direct.database_url.as_deref(), Some("postgres://x@h/d"), "the variable wins over its file");
        let missing = env(&[("REDIS_URL_FILE", "/nonexistent/redisUrl")]).expect_err("missing file");
        assert!(
            missing.to_string().contains("REDIS_URL_FILE") && missing.to_string().contains("/nonexistent/redisUrl")
        );
        std::fs::write(&file, "\n").expect("write");
        assert!(env(&[("DATABASE_URL_FILE", &path)]).expect_err("empty").to_string().contains("is empty"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (name, value) in [
            ("PORT", "http"),
            ("PORT", "70000"),
            ("AUDIT_CLAIM_IDLE_SECS", "0"),
            ("AUDIT_MAX_DELIVERIES", "-1"),
            ("AUDIT_RETENTION_DAYS", "0"),
            ("AUDIT_READY_DLQ_MAX", "many"),
            ("AUDIT_EXPORT_S3_BUCKET", "s3://b/p"),
        ] {
            let err = env(&[(name, value)]).expect_err(name).to_string();
            assert!(err.contains(name), "{name}={value}: {err}");
        }
    }
}
