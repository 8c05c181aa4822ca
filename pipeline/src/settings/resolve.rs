//! Resolution: flag > environment variable (both through clap) > file > default, each value
//! checked, into one [`Resolved`]. A value that cannot work is a [`ConfigError`] naming the
//! setting (exit 2), found here before anything connects.

use super::caracal::CaracalEnv;
use super::error::ConfigError;
use super::file::{load_file, RetentionFile};
use super::flags::{GlobalFlags, SettingsFlags};
use super::resolved::{KeySource, ReadyGates, Resolved};
use std::path::PathBuf;

/// Checks the archive URL's scheme and shape (the store itself is reached later).
pub fn check_export_url(url: &str) -> Result<(), ConfigError> {
    let setting = "AUDITFLOW_EXPORT_URL (--export-url, export.url)";
    let ok = match url.split_once("://") {
        Some(("file", rest)) => !rest.is_empty(),
        Some(("s3", rest)) => !rest.is_empty() && !rest.starts_with('/'),
        Some((scheme, _)) => matches!(scheme, "memory" | "s3a"),
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ConfigError::new(
            setting,
            format!(
                "{url:?} is not a usable archive URL; use file:///path, file://./relative/path or s3://bucket/prefix"
            ),
        ))
    }
}

fn positive<T: PartialOrd + Default + std::fmt::Display>(value: T, setting: &str) -> Result<T, ConfigError> {
    if value > T::default() {
        Ok(value)
    } else {
        Err(ConfigError::new(setting, format!("must be greater than 0, got {value}")))
    }
}

/// Resolves shared and run settings (flags and environment come in through clap).
pub fn resolve(global: &GlobalFlags, flags: &SettingsFlags) -> Result<Resolved, ConfigError> {
    let mut file = load_file(global.config.as_deref())?;
    // Caracal's variables fill in what auditflow's own settings leave open.
    let caracal = CaracalEnv::from_env()?;
    let redis_url = flags
        .redis
        .redis_url
        .clone()
        .or(file.redis_url)
        .or(caracal.redis_url)
        .unwrap_or_else(|| "redis://127.0.0.1:6379".into());
    let env = |name: &str| std::env::var(name).ok();
    let redis = super::connections::redis_target(&flags.redis, &redis_url, env)?;
    let database_url = flags
        .postgres
        .database_url
        .clone()
        .or(file.database_url)
        .or(caracal.database_url)
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/auditflow".into());
    let pg = super::connections::postgres_target(&flags.postgres, &database_url, env)?;
    let stream = flags.streams.stream.stream.clone().or(file.stream).unwrap_or_else(|| "caracal.audit.events".into());
    if stream.is_empty() {
        return Err(ConfigError::new("AUDITFLOW_STREAM (--stream)", "must not be empty"));
    }
    let group = flags.group.group.clone().or(file.group).unwrap_or_else(|| "audit-ingestor".into());
    let dlq_stream = flags.streams.dlq_stream.clone().or(file.dlq_stream).unwrap_or_else(|| format!("{stream}.dlq"));
    if dlq_stream == stream {
        return Err(ConfigError::new("AUDITFLOW_DLQ_STREAM (--dlq-stream)", "must differ from the audit stream"));
    }
    let revocation_stream = flags
        .revocations
        .revocation_stream
        .clone()
        .or(file.revocation_stream)
        .unwrap_or_else(|| "caracal.sessions.revoke".into());
    let revocation_stream = (!revocation_stream.is_empty()).then_some(revocation_stream);
    if revocation_stream.as_ref().is_some_and(|r| *r == stream || *r == dlq_stream) {
        return Err(ConfigError::new(
            "AUDITFLOW_REVOCATION_STREAM (--revocation-stream)",
            "must differ from the audit and dead-letter streams",
        ));
    }
    let ledger_key_file = flags
        .ledger_keys
        .ledger_key_file
        .clone()
        .or(file.ledger_key_file)
        .unwrap_or_else(|| PathBuf::from("auditflow-keys/ledger.key"));
    let ledger_head_key_file =
        flags.ledger_keys.ledger_head_key_file.clone().or(file.ledger_head_key_file).unwrap_or_else(|| {
            ledger_key_file
                .parent()
                .map(|d| d.join("ledger-head.key"))
                .unwrap_or_else(|| PathBuf::from("ledger-head.key"))
        });
    if ledger_head_key_file == ledger_key_file {
        return Err(ConfigError::new(
            "AUDITFLOW_LEDGER_HEAD_KEY_FILE (--ledger-head-key-file)",
            "must differ from the ledger HMAC key file: the head key must survive the HMAC key's disclosure",
        ));
    }
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let p = &flags.pipeline;
    let workers = p.workers.or(file.pipeline.workers).unwrap_or(cores);
    let workers = positive(workers, "AUDITFLOW_WORKERS (--workers, pipeline.workers)")?;
    let epoch_ms = p.epoch_ms.or(file.pipeline.epoch_ms).unwrap_or(100);
    let epoch_ms = positive(epoch_ms, "AUDITFLOW_EPOCH_MS (--epoch-ms, pipeline.epoch_ms)")?;
    let batch_size = p.batch_size.or(file.source.batch_size).unwrap_or(2000);
    let batch_size = positive(batch_size, "AUDITFLOW_BATCH_SIZE (--batch-size, source.batch_size)")?;
    let claim_idle_ms = p.claim_idle_ms.or(file.source.claim_idle_ms).or(caracal.claim_idle_ms).unwrap_or(30_000);
    let claim_idle_ms = positive(claim_idle_ms, "AUDITFLOW_CLAIM_IDLE_MS (--claim-idle-ms, source.claim_idle_ms)")?;
    let max_deliveries = p.max_deliveries.or(file.source.max_deliveries).or(caracal.max_deliveries).unwrap_or(8);
    let max_deliveries =
        positive(max_deliveries, "AUDITFLOW_MAX_DELIVERIES (--max-deliveries, source.max_deliveries)")?;
    let max_in_flight = p.max_in_flight.or(file.source.max_in_flight).unwrap_or(20_000);
    let max_in_flight = positive(max_in_flight, "AUDITFLOW_MAX_IN_FLIGHT (--max-in-flight, source.max_in_flight)")?;
    let shards = p.ledger_shards.or(file.ledger.shards).unwrap_or(16);
    let shards = positive(shards, "AUDITFLOW_LEDGER_SHARDS (--ledger-shards, ledger.shards)")?;
    let pool_size = file.ledger.pool_size.unwrap_or(shards as usize + 2);
    let export_url = flags
        .archive
        .export_url
        .clone()
        .or(file.export.url)
        .or(caracal.export_url)
        .unwrap_or_else(|| "file://./auditflow-export".into());
    check_export_url(&export_url)?;
    let export_signing_key_file = flags
        .archive
        .export_signing_key_file
        .clone()
        .or(file.export.signing_key_file)
        .unwrap_or_else(|| PathBuf::from("auditflow-keys/export.key"));
    let max_delay_secs = p.export_max_delay_secs.or(file.export.max_delay_secs).unwrap_or(60);
    let max_delay_secs =
        positive(max_delay_secs, "AUDITFLOW_EXPORT_MAX_DELAY_SECS (--export-max-delay-secs, export.max_delay_secs)")?;
    let target_file_mb = positive(file.export.target_file_mb.unwrap_or(128.0), "export.target_file_mb")?;
    let target_segment_rows =
        positive(file.export.target_segment_rows.unwrap_or(1_000_000), "export.target_segment_rows")?;
    let export = auditflow_archive::ExportConfig {
        max_delay: std::time::Duration::from_secs(max_delay_secs),
        target_file_bytes: (target_file_mb * 1048576.0) as usize,
        target_segment_rows,
    };
    let ocsf = super::ocsf::resolve(&flags.archive, std::mem::take(&mut file.export.ocsf), &export, &export_url)?;
    let rolling_hours =
        p.tamper_rolling_hours.or(file.tamper.rolling_hours).or(caracal.tamper_rolling_hours).unwrap_or(4.0);
    let rolling_hours =
        positive(rolling_hours, "AUDITFLOW_TAMPER_ROLLING_HOURS (--tamper-rolling-hours, tamper.rolling_hours)")?;
    let sweep_secs = p.tamper_sweep_interval_secs.or(file.tamper.sweep_interval_secs).unwrap_or(3600);
    let sweep_secs = positive(
        sweep_secs,
        "AUDITFLOW_TAMPER_SWEEP_INTERVAL_SECS (--tamper-sweep-interval-secs, tamper.sweep_interval_secs)",
    )?;
    let views_enabled = !p.no_views && file.views.enabled.unwrap_or(true);
    if file.views.trace_window_secs.is_some() {
        tracing::warn!(
            "views.trace_window_secs is no longer used: the views run in event time (views.allowed_lateness_secs, \
             views.request_gap_secs); remove it from the settings file"
        );
    }
    let views_window = auditflow_operators::window::WindowSettings {
        allowed_lateness_us: p.views_allowed_lateness_secs.or(file.views.allowed_lateness_secs).unwrap_or(300) as i64
            * 1_000_000,
        request_gap_us: p.views_request_gap_secs.or(file.views.request_gap_secs).unwrap_or(60) as i64 * 1_000_000,
        max_clock_skew_us: positive(
            p.views_max_clock_skew_secs.or(file.views.max_clock_skew_secs).unwrap_or(3600),
            "AUDITFLOW_VIEWS_MAX_CLOCK_SKEW_SECS (--views-max-clock-skew-secs, views.max_clock_skew_secs)",
        )? as i64
            * 1_000_000,
        session_idle_us: positive(
            p.views_session_idle_secs.or(file.views.session_idle_secs).unwrap_or(3600),
            "AUDITFLOW_VIEWS_SESSION_IDLE_SECS (--views-session-idle-secs, views.session_idle_secs)",
        )? as i64
            * 1_000_000,
    };
    let grace_secs = p.views_revocation_grace_secs.or(file.views.revocation_grace_secs).unwrap_or(5.0);
    if !(0.0..=86_400.0).contains(&grace_secs) {
        return Err(ConfigError::new(
            "AUDITFLOW_VIEWS_REVOCATION_GRACE_SECS (--views-revocation-grace-secs, views.revocation_grace_secs)",
            format!("must be between 0 and 86400 seconds, got {grace_secs}"),
        ));
    }
    let budget_rows = p.views_budget_rows.or(file.views.budget_rows).unwrap_or(200_000);
    if budget_rows < 1_000 {
        return Err(ConfigError::new(
            "AUDITFLOW_VIEWS_BUDGET_ROWS (--views-budget-rows, views.budget_rows)",
            format!("must be at least 1000 rows, got {budget_rows}"),
        ));
    }
    let listen = p.listen.clone().or(file.http.listen).or(caracal.listen).unwrap_or_else(|| "127.0.0.1:9090".into());
    if listen.parse::<std::net::SocketAddr>().is_err() {
        return Err(ConfigError::new(
            "AUDITFLOW_LISTEN (--listen, http.listen)",
            format!("{listen:?} is not an address like 127.0.0.1:9090 (port 0 picks a free one)"),
        ));
    }
    let api_tokens = match p.api_tokens_file.clone().or(file.http.api_tokens_file) {
        Some(path) => super::tokens::load_tokens(&path)?,
        None => Vec::new(),
    };
    let ready_gates = ReadyGates {
        max_dlq_size: p.readyz_max_dlq_size.or(file.readyz.max_dlq_size).or(caracal.ready_max_dlq_size).unwrap_or(1000),
        max_consumer_lag: p
            .readyz_max_consumer_lag
            .or(file.readyz.max_consumer_lag)
            .or(caracal.ready_max_consumer_lag)
            .unwrap_or(100_000),
        max_pending_age_secs: p
            .readyz_max_pending_age_secs
            .or(file.readyz.max_pending_age_secs)
            .or(caracal.ready_max_pending_age_secs)
            .unwrap_or(300),
        max_views_lag_secs: p.readyz_max_views_lag_secs.or(file.readyz.max_views_lag_secs).unwrap_or(300),
        healthz_stall_secs: p.healthz_stall_secs.or(file.http.healthz_stall_secs).unwrap_or(60),
    };
    let (retention_days, retention_interval) =
        retention(flags.retention.retention_days, caracal.retention_days, p.retention_interval_secs, &file.retention)?;
    let consumer_prefix = p
        .consumer_prefix
        .clone()
        .or(file.source.consumer_prefix)
        .or(caracal.consumer_prefix)
        .unwrap_or_else(|| "auditflow".into());
    Ok(Resolved {
        redis_url,
        redis,
        database_url,
        pg,
        stream,
        group,
        dlq_stream,
        revocation_stream,
        ledger_key_file,
        ledger_head_key_file,
        tamper_rolling: std::time::Duration::from_secs_f64(rolling_hours * 3600.0),
        tamper_sweep_interval: std::time::Duration::from_secs(sweep_secs),
        views_enabled,
        views_window,
        views_revocation_grace: std::time::Duration::from_secs_f64(grace_secs),
        views_budget_rows: budget_rows as usize,
        workers,
        epoch_ms,
        batch_size,
        claim_idle_ms,
        max_deliveries,
        max_in_flight,
        max_event_bytes: file.source.max_event_bytes.unwrap_or(1 << 20),
        shards,
        pool_size,
        consumer_prefix,
        keys: KeySource {
            hmac_key: flags.producer_keys.hmac_key.clone().or(file.hmac_key),
            hmac_key_file: flags.producer_keys.hmac_key_file.clone().or(file.hmac_key_file),
            keyring_file: flags.producer_keys.keyring_file.clone().or(file.keyring_file),
        },
        export_url,
        s3_endpoint: caracal.s3_endpoint,
        s3_region: caracal.s3_region,
        s3_ca_file: flags
            .archive
            .export_ca_file
            .clone()
            .or_else(|| std::env::var_os("AWS_CA_BUNDLE").filter(|v| !v.is_empty()).map(PathBuf::from)),
        export_signing_key_file,
        export,
        ocsf,
        listen,
        metrics_bearer: caracal.metrics_bearer,
        admin_token: caracal.admin_token,
        ready_gates,
        api_tokens,
        retention_days,
        retention_interval,
    })
}

/// The retention in days (a table setting may only shorten it) and `run`'s interval, from
/// the flags (or their variables), then the file, then Caracal's `AUDIT_RETENTION_DAYS`.
fn retention(
    days_flag: Option<u32>,
    caracal_days: Option<u32>,
    interval_flag: Option<u64>,
    file: &RetentionFile,
) -> Result<(u32, Option<std::time::Duration>), ConfigError> {
    let days = days_flag.or(file.days).or(caracal_days).unwrap_or(365);
    let days = positive(days, "AUDITFLOW_RETENTION_DAYS (--retention-days, retention.days)")?;
    let days = match file.tables.audit_events {
        Some(table) if table > days => {
            return Err(ConfigError::new(
                "retention.tables.audit_events",
                format!(
                    "{table} days is longer than the retention of {days} days; a table setting may only shorten it"
                ),
            ))
        }
        Some(table) => positive(table, "retention.tables.audit_events")?,
        None => days,
    };
    let interval = interval_flag.or(file.interval_secs).unwrap_or(6 * 3600);
    Ok((days, (interval > 0).then(|| std::time::Duration::from_secs(interval))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_retention_may_only_shorten_the_retention() {
        let file = |text: &str| -> RetentionFile { toml::from_str(text).expect("toml") };
        let day = std::time::Duration::from_secs(6 * 3600);
        assert_eq!(super::retention(None, None, None, &file("")).unwrap(), (365, Some(day)));
        assert_eq!(super::retention(None, None, None, &file("days = 400\n[tables]\naudit_events = 90")).unwrap().0, 90);
        assert_eq!(super::retention(Some(30), None, Some(0), &file("days = 400")).unwrap(), (30, None));
        let longer = super::retention(None, None, None, &file("[tables]\naudit_events = 400")).unwrap_err();
        assert!(longer.to_string().contains("retention.tables.audit_events"), "{longer}");
        assert!(longer.to_string().contains("may only shorten"), "{longer}");
        assert!(super::retention(Some(0), None, None, &file("")).is_err(), "0 days");
        assert_eq!(super::retention(None, Some(90), None, &file("")).unwrap().0, 90, "Caracal's over the default");
        assert_eq!(
            super::retention(None, Some(90), None, &file("days = 40")).unwrap().0,
            40,
            "the file over Caracal's"
        );
        assert!(toml::from_str::<RetentionFile>("[tables]\nrequest_traces = 3").is_err(), "unknown table");
    }
}
