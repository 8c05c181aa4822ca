//! `auditflow bench views`: what the live views cost.
//!
//! 1. The same N preloaded events drained by `auditflow run` into a fresh ledger with the
//!    views and without them (`--no-views`), alternating, `--rounds` times each; the peak
//!    RSS of each drain is sampled, so the views' memory is the difference.
//! 2. Commit-to-view latency: events published at a fixed rate to a running pipeline; per
//!    request, the time from the ledger transaction of its last event (`ingested_at`) to
//!    the write of its trace (`request_traces.updated_at`).
//!
//! Results are printed and written to `target/bench/views.json`.

use crate::harness::Globals;
use crate::harness::{drain_fresh, fresh_database, machine, percentile, preload, run_pipeline};
use clap::Args;
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
    /// Publish rate of the latency phase (events/s).
    #[arg(long, default_value_t = 5_000)]
    pub latency_rate: u64,
    /// Duration of the latency phase (seconds).
    #[arg(long, default_value_t = 20)]
    pub latency_secs: u64,
    /// Where to write the JSON results.
    #[arg(long, default_value = "target/bench/views.json")]
    pub out: std::path::PathBuf,
}

const DB: &str = "auditflow_bench_views";
const STREAM: &str = "auditflow.bench.views";

async fn clear(redis_url: &str, stream: &str) -> anyhow::Result<()> {
    let mut redis = auditflow_sources::redis_stream::connect(redis_url, Duration::from_secs(60)).await?;
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

    // Latency at a fixed rate.
    eprintln!("bench views: commit-to-view latency at {} events/s for {} s", args.latency_rate, args.latency_secs);
    let redis_url = global.resolve()?.redis_url;
    let stream = format!("{STREAM}.latency");
    io.block_on(clear(&redis_url, &stream))?;
    let scratch = io.block_on(fresh_database(global, DB))?;
    let mut live = run_pipeline(global, &scratch.url, &stream, None, false, &[])?;
    std::thread::sleep(Duration::from_secs(2));
    let count = args.latency_rate * args.latency_secs;
    let loaded = preload(global, &scratch.url, &stream, count, &args.latency_rate.to_string())?;
    let c = io.block_on(auditflow_sinks::postgres::connect_once(&scratch.pg))?;
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

    let result = serde_json::json!({
        "machine": machine(),
        "events": args.events,
        "ingest_events_per_sec_views_on": on.iter().map(|x| x.0).collect::<Vec<_>>(),
        "ingest_events_per_sec_views_off": off.iter().map(|x| x.0).collect::<Vec<_>>(),
        "ratio_on_to_off": rate_on / rate_off.max(1e-9),
        "peak_rss_mib_views_on": rss_on,
        "peak_rss_mib_views_off": rss_off,
        "views_memory_mib": rss_on - rss_off,
        "latency_rate_events_per_sec": args.latency_rate,
        "latency_requests_measured": latencies.len(),
        "commit_to_view_ms_p50": percentile(&sorted, 0.50),
        "commit_to_view_ms_p99": percentile(&sorted, 0.99),
        "goals": {"ratio_on_to_off": ">= 0.8"},
    });
    std::fs::write(&args.out, serde_json::to_string_pretty(&result)?)?;
    println!("{}", serde_json::to_string_pretty(&result)?);
    Ok(())
}
