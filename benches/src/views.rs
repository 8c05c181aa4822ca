//! `auditflow bench views`: what the live views cost.
//!
//! 1. The same N preloaded events drained by `auditflow run` into a fresh ledger with the
//!    views and without them (`--no-views`), alternating, `--rounds` times each; the peak
//!    RSS of each drain is sampled, so the views' memory is the difference.
//! 2. Memory per open request: one more drain with an allowed lateness of thirty years (every
//!    request stays open), against the bounded drain; and the memory of the delegation graph
//!    per lifecycle row (the bounded drain ends holding little else).
//! 3. Steady state: events published at a fixed rate (default 10 000/s) to a running
//!    pipeline with event time running ten times faster than the wall clock (1 ms apart), so
//!    3 minutes cover 30 minutes of event time. The RSS is sampled every second and its
//!    slope reported; commit-to-view latency per request is the time from the ledger
//!    transaction of its last event (`ingested_at`) to the write of its trace
//!    (`request_traces.updated_at`).
//! 4. Hydration: the steady pipeline is stopped and started again; the workers' start-up
//!    read of the views' state, as they log it.
//!
//! Results are printed and written to `target/bench/views.json`.

use crate::harness::Globals;
use crate::harness::{drain_fresh, fresh_database, machine, percentile, pipeline_command, run_pipeline};
use clap::Args;

// The soak test's statistics, shared rather than copied.
#[path = "../../tests/tests/it/common/stats.rs"]
mod stats;
use stats::slope;
use std::time::{Duration, Instant};

/// `auditflow bench views` options.
#[derive(Debug, Args, Clone)]
pub struct ViewsBenchArgs {
    /// Events per drain.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Drains with and without views, each.
    #[arg(long, default_value_t = 2)]
    pub rounds: u32,
    /// Publish rate of the steady phase (events/s).
    #[arg(long, default_value_t = 10_000)]
    pub latency_rate: u64,
    /// Duration of the steady phase (seconds of wall time; event time runs ten times faster).
    #[arg(long, default_value_t = 180)]
    pub latency_secs: u64,
    /// `--views-session-idle-secs` of the steady phase (event time): a delegation tree leaves
    /// memory this long after it was last touched, so the graph is bounded within the run.
    #[arg(long, default_value_t = 300)]
    pub session_idle_secs: u64,
    /// Where to write the JSON results.
    #[arg(long, default_value = "target/bench/views.json")]
    pub out: std::path::PathBuf,
}

const DB: &str = "auditflow_bench_views";
const STREAM: &str = "auditflow.bench.views";

async fn clear(target: &auditflow_sources::redis_stream::RedisTarget, stream: &str) -> anyhow::Result<()> {
    let mut redis = auditflow_sources::redis_stream::connect(target, Duration::from_secs(60)).await?;
    let _: i64 = redis::cmd("DEL").arg(stream).arg(format!("{stream}.dlq")).query_async(&mut redis).await?;
    Ok(())
}

/// One drain: events/s and peak RSS in MiB.
fn drain(global: &Globals, io: &tokio::runtime::Runtime, events: u64, views: bool) -> anyhow::Result<(f64, f64)> {
    let extra: &[&str] = if views { &[] } else { &["--no-views"] };
    let (summary, peak_kib) = drain_fresh(global, io, DB, STREAM, events, extra)?;
    let rate = summary["events_per_sec"].as_f64().unwrap_or(0.0);
    let mib = peak_kib as f64 / 1024.0;
    eprintln!("bench views: views {}: {rate:.0} events/s, peak RSS {mib:.0} MiB", if views { "on" } else { "off" });
    Ok((rate, mib))
}

/// Runs the benchmark.
pub fn run(global: &Globals, args: &ViewsBenchArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all("target/bench")?;
    let io = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let (mut on, mut off) = (Vec::new(), Vec::new());
    for _ in 0..args.rounds {
        off.push(drain(global, &io, args.events, false)?);
        on.push(drain(global, &io, args.events, true)?);
    }
    let mean = |v: &[(f64, f64)], f: fn(&(f64, f64)) -> f64| v.iter().map(f).sum::<f64>() / v.len().max(1) as f64;
    let (rate_on, rate_off) = (mean(&on, |x| x.0), mean(&off, |x| x.0));
    let (rss_on, rss_off) = (mean(&on, |x| x.1), mean(&off, |x| x.1));

    // Every request open: the difference is the memory of open requests.
    let (rate_unbounded, rss_unbounded) = {
        let (summary, peak_kib) =
            drain_fresh(global, &io, DB, STREAM, args.events, &["--views-allowed-lateness-secs", "946080000"])?;
        (summary["events_per_sec"].as_f64().unwrap_or(0.0), peak_kib as f64 / 1024.0)
    };
    let mut drained = global.resolve()?.pg;
    drained.dbname(DB);
    let c = io.block_on(auditflow_ledger::postgres::connect_once(&drained))?;
    let requests: i64 = io.block_on(c.query_one("SELECT count(*) FROM request_traces", &[]))?.get(0);
    let lifecycle: i64 = io
        .block_on(c.query_one(
            "SELECT count(*) FROM audit_events WHERE event_type LIKE 'session\\_%' OR event_type LIKE 'delegation\\_%'",
            &[],
        ))?
        .get(0);
    drop(c);
    let per_open_request_kib = (rss_unbounded - rss_on) * 1024.0 / requests.max(1) as f64;
    let graph_kib_per_lifecycle_row = (rss_on - rss_off) * 1024.0 / lifecycle.max(1) as f64;
    eprintln!(
        "bench views: every request open: {rate_unbounded:.0} events/s, peak {rss_unbounded:.0} MiB; \
         {per_open_request_kib:.2} KiB per open request ({requests}), at most {graph_kib_per_lifecycle_row:.2} KiB \
         per lifecycle row ({lifecycle})"
    );

    // Steady state at a fixed rate, event time ten times the wall clock.
    eprintln!("bench views: steady state at {} events/s for {} s", args.latency_rate, args.latency_secs);
    let redis_target = global.resolve()?.redis;
    let stream = format!("{STREAM}.latency");
    io.block_on(clear(&redis_target, &stream))?;
    let scratch = io.block_on(fresh_database(global, DB))?;
    let idle = args.session_idle_secs.to_string();
    let steady_flags = ["--views-session-idle-secs", idle.as_str()];
    let mut live = run_pipeline(global, &scratch.url, &stream, None, false, &steady_flags)?;
    std::thread::sleep(Duration::from_secs(2));
    let count = args.latency_rate * args.latency_secs;
    let pid = live.id();
    let sampling = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        std::thread::spawn(move || {
            let started = Instant::now();
            let mut samples = Vec::new();
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                if let Some(kib) = crate::harness::vm_rss_kib(pid) {
                    samples.push((started.elapsed().as_secs_f64(), kib as f64 / 1024.0));
                }
                std::thread::sleep(Duration::from_secs(1));
            }
            samples
        })
    };
    let loaded =
        crate::harness::preload_spaced(global, &scratch.url, &stream, count, &args.latency_rate.to_string(), 1, None)?;
    let c = io.block_on(auditflow_ledger::postgres::connect_once(&scratch.pg))?;
    let waited = Instant::now();
    loop {
        let rows: i64 = io.block_on(c.query_one("SELECT count(*) FROM audit_events", &[]))?.get(0);
        if rows as u64 >= loaded.valid || waited.elapsed() > Duration::from_secs(120) {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    // Let the last epoch's views land.
    std::thread::sleep(Duration::from_secs(2));
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let rss = sampler.join().unwrap_or_default();
    let latencies: Vec<f64> = io
        .block_on(c.query(
            "SELECT (extract(epoch FROM t.updated_at - max(e.ingested_at)) * 1000)::float8 \
             FROM request_traces t JOIN audit_events e ON e.request_id = t.request_id \
             GROUP BY t.request_id, t.updated_at",
            &[],
        ))?
        .iter()
        .map(|r| r.get::<_, f64>(0))
        .collect();
    let _ = std::process::Command::new("kill").arg("-TERM").arg(live.id().to_string()).status();
    let _ = live.wait();
    let mut sorted = latencies.clone();
    sorted.sort_by(f64::total_cmp);
    // After the first tenth (three minutes of event time): the steady part.
    let steady: Vec<(f64, f64)> = rss.iter().copied().filter(|(t, _)| *t > args.latency_secs as f64 / 10.0).collect();
    let rss_slope_mib_per_min = slope(&steady) * 60.0;
    let rss_steady_max = steady.iter().map(|p| p.1).fold(0.0, f64::max);
    eprintln!(
        "bench views: steady RSS max {rss_steady_max:.0} MiB, slope {rss_slope_mib_per_min:.2} MiB per minute; \
         commit-to-view p50 {:.0} ms p99 {:.0} ms",
        percentile(&sorted, 0.5),
        percentile(&sorted, 0.99)
    );

    // Hydration after a restart of the steady pipeline.
    let log_path = std::env::current_dir()?.join("target/bench/views-restart.log");
    let log = std::fs::File::create(&log_path)?;
    let mut cmd = pipeline_command(global, &scratch.url, &stream, None, true, &steady_flags)?;
    cmd.env("RUST_LOG", "info").stderr(log);
    let restart = cmd.spawn()?;
    let started = Instant::now();
    let output = restart.wait_with_output()?;
    anyhow::ensure!(output.status.success(), "the restarted pipeline failed: {}", output.status);
    let restart_secs = started.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(&log_path)?;
    let field = |line: &str, name: &str| -> f64 {
        line.split(&format!("{name}="))
            .nth(1)
            .and_then(|r| r.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    let hydrations: Vec<&str> = text.lines().filter(|l| l.contains("views hydrated")).collect();
    let hydration_ms = hydrations.iter().map(|l| field(l, "ms")).fold(0.0, f64::max);
    let hydrated_rows: f64 = hydrations.iter().map(|l| field(l, "rows") + field(l, "graph")).sum();
    let hydrated_graph: f64 = hydrations.iter().map(|l| field(l, "graph")).sum();
    let ledger_rows: i64 = io.block_on(c.query_one("SELECT count(*) FROM audit_events", &[]))?.get(0);
    eprintln!(
        "bench views: restart hydrated {hydrated_rows} of {ledger_rows} rows ({hydrated_graph} of them the live \
         trees' graph) in {hydration_ms} ms (slowest worker)"
    );

    let result = serde_json::json!({
        "machine": machine(),
        "events": args.events,
        "ingest_events_per_sec_views_on": on.iter().map(|x| x.0).collect::<Vec<_>>(),
        "ingest_events_per_sec_views_off": off.iter().map(|x| x.0).collect::<Vec<_>>(),
        "ratio_on_to_off": rate_on / rate_off.max(1e-9),
        "peak_rss_mib_views_on": rss_on,
        "peak_rss_mib_views_off": rss_off,
        "views_memory_mib": rss_on - rss_off,
        "peak_rss_mib_every_request_open": rss_unbounded,
        "ingest_events_per_sec_every_request_open": rate_unbounded,
        "requests": requests,
        "lifecycle_rows": lifecycle,
        "memory_kib_per_open_request": per_open_request_kib,
        "memory_kib_per_lifecycle_row_at_most": graph_kib_per_lifecycle_row,
        "steady_rate_events_per_sec": args.latency_rate,
        "steady_wall_secs": args.latency_secs,
        "steady_event_time_minutes": args.latency_secs as f64 * 10.0 / 60.0,
        "steady_rss_mib": rss,
        "steady_rss_max_mib": rss_steady_max,
        "steady_rss_slope_mib_per_min": rss_slope_mib_per_min,
        "latency_requests_measured": latencies.len(),
        "commit_to_view_ms_p50": percentile(&sorted, 0.50),
        "commit_to_view_ms_p99": percentile(&sorted, 0.99),
        "steady_session_idle_secs": args.session_idle_secs,
        "restart_hydrated_rows": hydrated_rows,
        "restart_hydrated_graph_rows": hydrated_graph,
        "restart_ledger_rows": ledger_rows,
        "restart_hydration_ms_slowest_worker": hydration_ms,
        "restart_drain_secs": restart_secs,
        "goals": {"ratio_on_to_off": ">= 0.9", "steady_views_memory": "flat, <= 256 MiB",
                  "commit_to_view_ms_p99": "<= 100 at 10k events/s", "hydration": "<= 5 s"},
    });
    std::fs::write(&args.out, serde_json::to_string_pretty(&result)?)?;
    println!("{}", serde_json::to_string_pretty(&result)?);
    Ok(())
}
