//! What every end-to-end benchmark shares: the settings it runs against, a scratch
//! database and stream, preloading signed events with the `emit` generator, running the
//! `auditflow` binary as a child (so its memory is its own) and sampling its peak RSS.

use anyhow::Context;
use auditflow_pipeline::commands::emit::{self, EmitArgs, EmitSummary};
use auditflow_pipeline::settings::flags::{
    DeadLetterFlags, GlobalFlags, PostgresFlags, ProducerKeyFlags, RedisFlags, SettingsFlags, StreamFlags,
};
use auditflow_pipeline::settings::{self, Resolved};
use clap::Args;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

/// The settings the benchmarks run against (flag > environment > file > default, as for
/// `auditflow`).
#[derive(Debug, Args, Clone, Default)]
pub struct Globals {
    /// TOML configuration file.
    #[arg(long, env = "AUDITFLOW_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub redis: RedisFlags,
    #[command(flatten)]
    pub postgres: PostgresFlags,
    #[command(flatten)]
    pub streams: DeadLetterFlags,
    #[command(flatten)]
    pub producer_keys: ProducerKeyFlags,
}

impl Globals {
    /// The resolved settings.
    pub fn resolve(&self) -> anyhow::Result<Resolved> {
        let global = GlobalFlags { config: self.config.clone(), ..GlobalFlags::default() };
        let flags = SettingsFlags {
            redis: self.redis.clone(),
            postgres: self.postgres.clone(),
            streams: self.streams.clone(),
            producer_keys: self.producer_keys.clone(),
            ..SettingsFlags::default()
        };
        Ok(settings::resolve(&global, &flags)?)
    }
}

/// The `auditflow` binary the benchmarks drive: `AUDITFLOW_BIN`, else `auditflow` beside
/// this binary (both are built into the same target folder).
pub(crate) fn auditflow_binary() -> anyhow::Result<PathBuf> {
    if let Some(path) = std::env::var_os("AUDITFLOW_BIN") {
        return Ok(PathBuf::from(path));
    }
    let exe = std::env::current_exe().context("own executable")?;
    let beside = exe.parent().map(|dir| dir.join("auditflow")).filter(|p| p.exists());
    beside.context(
        "no auditflow binary beside auditflow-bench: run `cargo build --release -p auditflow` or set AUDITFLOW_BIN",
    )
}

pub(crate) const BENCH_DB: &str = "auditflow_bench";
pub(crate) const BENCH_STREAM: &str = "auditflow.bench.events";

pub(crate) fn bench_globals(global: &Globals, db_url: &str, stream: &str) -> Globals {
    let mut g = global.clone();
    g.postgres.database_url = Some(db_url.to_owned());
    g.streams.stream.stream = Some(stream.to_owned());
    g.streams.dlq_stream = Some(format!("{stream}.dlq"));
    let keys = &mut g.producer_keys;
    if keys.hmac_key.is_none() && keys.hmac_key_file.is_none() && keys.keyring_file.is_none() {
        keys.hmac_key = Some("be".repeat(32));
    }
    g
}

pub(crate) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
        })
        .unwrap_or_else(|| "unknown cpu".into());
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<u64>().unwrap_or(0) / 1024 / 1024)
        })
        .unwrap_or(0);
    format!("{cpu}, {cores} cores, {mem} GiB; Redis and Postgres on the same machine")
}

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

pub(crate) fn vm_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()
}

pub(crate) fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()
}

/// Waits for a `run --summary-json` child, sampling its peak RSS; its summary and the peak
/// in KiB.
pub(crate) fn wait_sampled(child: &mut std::process::Child) -> anyhow::Result<(serde_json::Value, u64)> {
    let pid = child.id();
    let mut peak_kib = 0;
    let mut stdout = child.stdout.take().context("child stdout")?;
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut s);
        s
    });
    let status = loop {
        if let Some(kib) = vm_hwm_kib(pid) {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    anyhow::ensure!(status.success(), "the pipeline failed: {status}");
    let summary = serde_json::from_str(&reader.join().unwrap_or_default()).context("run summary")?;
    Ok((summary, peak_kib))
}

/// Preloads `events` into a cleared `stream` and drains them with `run --exit-when-drained
/// <extra>` into a fresh database `db`; the run summary (checked: every valid event stored)
/// and the peak RSS in KiB.
pub(crate) fn drain_fresh(
    global: &Globals,
    io: &tokio::runtime::Runtime,
    db: &str,
    stream: &str,
    events: u64,
    extra: &[&str],
) -> anyhow::Result<(serde_json::Value, u64)> {
    let redis_target = global.resolve()?.redis;
    let mut redis = io.block_on(auditflow_sources::redis_stream::connect(&redis_target, Duration::from_secs(60)))?;
    let _: i64 = io.block_on(redis::cmd("DEL").arg(stream).arg(format!("{stream}.dlq")).query_async(&mut redis))?;
    let scratch = io.block_on(fresh_database(global, db))?;
    let loaded = preload(global, &scratch.url, stream, events, "max")?;
    let mut child = run_pipeline(global, &scratch.url, stream, None, true, extra)?;
    let (summary, peak_kib) = wait_sampled(&mut child)?;
    anyhow::ensure!(
        summary["stored"].as_u64() == Some(loaded.valid),
        "the pipeline stored {} of {} events",
        summary["stored"],
        loaded.valid
    );
    Ok((summary, peak_kib))
}

pub(crate) struct Scratch {
    pub(crate) url: String,
    pub(crate) pg: auditflow_ledger::postgres::PgTarget,
}

pub(crate) async fn fresh_database(global: &Globals, name: &str) -> anyhow::Result<Scratch> {
    let base = global.resolve()?;
    let mut admin = base.pg.clone();
    admin.dbname("postgres");
    let c = auditflow_ledger::postgres::connect_once(&admin).await.context("connect to Postgres")?;
    c.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await?;
    let mut pg = base.pg.clone();
    pg.dbname(name);
    let url = {
        let host = match pg.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(h)) => h.clone(),
            _ => "127.0.0.1".into(),
        };
        let port = pg.get_ports().first().copied().unwrap_or(5432);
        let user = pg.get_user().unwrap_or("postgres");
        format!("postgres://{user}@{host}:{port}/{name}")
    };
    Ok(Scratch { url, pg })
}

pub(crate) fn run_pipeline(
    global: &Globals,
    db_url: &str,
    stream: &str,
    workers: Option<usize>,
    drain: bool,
    extra_run_args: &[&str],
) -> anyhow::Result<std::process::Child> {
    Ok(pipeline_command(global, db_url, stream, workers, drain, extra_run_args)?.spawn()?)
}

/// The command [`run_pipeline`] spawns, to adjust before spawning.
pub(crate) fn pipeline_command(
    global: &Globals,
    db_url: &str,
    stream: &str,
    workers: Option<usize>,
    drain: bool,
    extra_run_args: &[&str],
) -> anyhow::Result<Command> {
    let mut cmd = Command::new(auditflow_binary()?);
    cmd.arg("run");
    cmd.arg("--database-url").arg(db_url).arg("--stream").arg(stream).arg("--dlq-stream").arg(format!("{stream}.dlq"));
    if let Some(k) = bench_globals(global, db_url, stream).producer_keys.hmac_key {
        cmd.env("AUDIT_HMAC_KEY", k);
    }
    cmd.arg("--summary-json").env("RUST_LOG", "warn");
    if drain {
        cmd.arg("--exit-when-drained");
    }
    if let Some(w) = workers {
        cmd.arg("--workers").arg(w.to_string());
    }
    cmd.args(extra_run_args);
    cmd.env("AUDITFLOW_LEDGER_KEY_FILE", "target/bench/ledger.key");
    cmd.env("AUDITFLOW_LISTEN", "127.0.0.1:0");
    // The run archives too (as in production); its archive is scratch.
    let archive = std::env::current_dir().context("cwd")?.join("target/bench").join(format!("archive-{stream}"));
    let _ = std::fs::remove_dir_all(&archive);
    cmd.env("AUDITFLOW_EXPORT_URL", format!("file://{}", archive.display()));
    cmd.env("AUDITFLOW_EXPORT_SIGNING_KEY_FILE", "target/bench/export.key");
    cmd.stdout(Stdio::piped()).stderr(Stdio::inherit());
    Ok(cmd)
}

/// The generator seed a bench preload of `stream` uses (so a load tool can ask for the
/// request ids it produced).
pub(crate) fn preload_seed(stream: &str) -> u64 {
    if stream == BENCH_STREAM {
        99
    } else {
        100
    }
}

pub(crate) fn preload(
    global: &Globals,
    db_url: &str,
    stream: &str,
    count: u64,
    rate: &str,
) -> anyhow::Result<EmitSummary> {
    preload_zones(global, db_url, stream, count, rate, 8)
}

/// [`preload`] over `zones` zones (a cluster needs enough of them to spread its shards).
pub(crate) fn preload_zones(
    global: &Globals,
    db_url: &str,
    stream: &str,
    count: u64,
    rate: &str,
    zones: u32,
) -> anyhow::Result<EmitSummary> {
    preload_with(global, db_url, stream, count, rate, EventTime { zones, spacing_ms: 7, spread_secs: 0, start: None })
}

/// [`preload`] with events `spacing_ms` apart in event time, from `start` (default: today's
/// midnight, UTC).
pub(crate) fn preload_spaced(
    global: &Globals,
    db_url: &str,
    stream: &str,
    count: u64,
    rate: &str,
    spacing_ms: u64,
    start: Option<chrono::DateTime<chrono::Utc>>,
) -> anyhow::Result<EmitSummary> {
    preload_with(global, db_url, stream, count, rate, EventTime { zones: 8, spacing_ms, spread_secs: 0, start })
}

/// Where the preloaded events fall: over how many zones, how far apart, how far each is
/// moved later at random (`emit --spread-secs`) and from when.
pub(crate) struct EventTime {
    pub(crate) zones: u32,
    pub(crate) spacing_ms: u64,
    pub(crate) spread_secs: u64,
    pub(crate) start: Option<chrono::DateTime<chrono::Utc>>,
}

pub(crate) fn preload_with(
    global: &Globals,
    db_url: &str,
    stream: &str,
    count: u64,
    rate: &str,
    shape: EventTime,
) -> anyhow::Result<EmitSummary> {
    let EventTime { zones, spacing_ms, spread_secs, start } = shape;
    let g = bench_globals(global, db_url, stream);
    emit::emit(
        &GlobalFlags { config: g.config.clone(), ..GlobalFlags::default() },
        &EmitArgs {
            count,
            rate: rate.to_owned(),
            zones,
            zone_names: Vec::new(),
            seed: preload_seed(stream),
            invalid_ratio: 0.0,
            duplicate_ratio: 0.0,
            lifecycle_ratio: 0.15,
            revoked_access_ratio: 0.02,
            start_time: start.map(|t| t.to_rfc3339()),
            event_spacing_ms: spacing_ms,
            spread_secs,
            key_id: None,
            with_kid: false,
            manifest: None,
            pipeline: 1000,
            json: true,
            redis: g.redis.clone(),
            stream: StreamFlags { stream: Some(stream.to_owned()) },
            producer_keys: g.producer_keys.clone(),
        },
    )
}

/// Clones the ledger schema into `schema` of the same database (same tables, partitions and
/// indexes) by running the migration there.
pub(crate) async fn clone_schema(client: &tokio_postgres::Client, schema: &str) -> anyhow::Result<()> {
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}; SET search_path = {schema}"
        ))
        .await?;
    // The migrations grant on the bookkeeping table, so the copy needs one of its own.
    client.batch_execute(auditflow_ledger::migrations::BOOTSTRAP).await?;
    for m in auditflow_ledger::migrations::MIGRATIONS {
        client.batch_execute(&m.sql()).await?;
    }
    for month in auditflow_ledger::partitions::months_ahead(chrono::Utc::now().date_naive()) {
        client.query_one("SELECT auditflow_ensure_month_partition($1)", &[&month]).await?;
    }
    Ok(())
}

/// The rows of `public.audit_events`, every column the ledger sink writes, in binary COPY
/// format in memory, and their count: what the COPY baselines write again.
pub(crate) async fn stored_rows_binary(client: &tokio_postgres::Client) -> anyhow::Result<(Vec<bytes::Bytes>, i64)> {
    use futures_util::StreamExt;
    let cols = auditflow_ledger::row::name_list(auditflow_ledger::row::WRITTEN);
    let out =
        client.copy_out(&format!("COPY (SELECT {cols} FROM public.audit_events) TO STDOUT (FORMAT binary)")).await?;
    futures_util::pin_mut!(out);
    let mut chunks = Vec::new();
    while let Some(chunk) = out.next().await {
        chunks.push(chunk?);
    }
    let rows: i64 = client.query_one("SELECT count(*) FROM public.audit_events", &[]).await?.get(0);
    Ok((chunks, rows))
}

/// Binary-COPYs rows read by [`stored_rows_binary`] into `schema.audit_events`; the seconds the
/// COPY took.
pub(crate) async fn copy_rows_into(
    client: &tokio_postgres::Client,
    schema: &str,
    chunks: Vec<bytes::Bytes>,
) -> anyhow::Result<f64> {
    use futures_util::SinkExt;
    let cols = auditflow_ledger::row::name_list(auditflow_ledger::row::WRITTEN);
    let started = std::time::Instant::now();
    let sink = client.copy_in(&format!("COPY {schema}.audit_events ({cols}) FROM STDIN (FORMAT binary)")).await?;
    futures_util::pin_mut!(sink);
    for chunk in chunks {
        sink.send(chunk).await?;
    }
    sink.finish().await?;
    Ok(started.elapsed().as_secs_f64())
}
