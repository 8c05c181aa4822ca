//! `auditflow bench soak --minutes M --rate R`: events published at a fixed rate into a
//! running pipeline for M minutes, and what a long run must keep flat, sampled over time:
//! the process's resident memory and open descriptors, its Postgres and Redis connections,
//! the ledger's commit latency and the consumer lag. The samples and their slopes after a
//! warm-up go to `target/bench/soak.json`; a plot of them goes to `target/bench/soak.svg`.

use crate::harness::{fresh_database, machine, run_pipeline, Globals};
use anyhow::Context;
use plotters::prelude::*;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `auditflow bench soak`.
#[derive(Debug, clap::Args)]
pub struct SoakBenchArgs {
    /// Minutes to publish for.
    #[arg(long, default_value_t = 60)]
    pub minutes: u64,
    /// Events per second.
    #[arg(long, default_value_t = 5000)]
    pub rate: u64,
    /// Seconds between samples.
    #[arg(long, default_value_t = 10)]
    pub sample_secs: u64,
    /// Minutes at the start left out of the slopes (caches, pools and the views' window
    /// filling up: about 30 minutes at 5 000 events/s with the default views settings, as the
    /// generator keeps touching old delegation trees).
    #[arg(long, default_value_t = 30.0)]
    pub warmup_minutes: f64,
    /// Where the samples go (the plot goes beside it, as .svg).
    #[arg(long, default_value = "target/bench/soak.json")]
    pub out: PathBuf,
}

const DB: &str = "auditflow_bench_soak";
const STREAM: &str = "auditflow.bench.soak";

/// One sample.
#[derive(Debug, Clone, Default, serde::Serialize)]
struct Sample {
    minutes: f64,
    rss_mib: f64,
    open_fds: f64,
    postgres_connections: f64,
    redis_connections: f64,
    /// Ledger commits since the last sample: mean and p99 (from the histogram's buckets).
    commit_mean_ms: f64,
    commit_p99_ms: f64,
    consumer_lag: f64,
    inserted: f64,
    /// What the views hold (their window): open requests, access events, delegation rows.
    views_open_requests: f64,
    views_held_access_events: f64,
    views_graph_rows: f64,
    /// How far the views' writes trail the ledger.
    views_lag_seconds: f64,
}

pub fn run(global: &Globals, args: &SoakBenchArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.minutes > 0 && args.rate > 0, "--minutes and --rate must be greater than 0");
    let io = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let redis_target = global.resolve()?.redis;
    io.block_on(async {
        let mut redis = auditflow_sources::redis_stream::connect(&redis_target, Duration::from_secs(60)).await?;
        redis::cmd("DEL").arg(STREAM).arg(format!("{STREAM}.dlq")).query_async::<i64>(&mut redis).await?;
        anyhow::Ok(())
    })?;
    let scratch = io.block_on(fresh_database(global, DB))?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = run_pipeline(global, &scratch.url, STREAM, None, false, &["--listen", &addr])?;
    let started = Instant::now();
    while scrape(&addr).is_err() {
        anyhow::ensure!(started.elapsed() < Duration::from_secs(120), "the pipeline did not serve /metrics");
        anyhow::ensure!(child.try_wait()?.is_none(), "the pipeline exited at start-up");
        std::thread::sleep(Duration::from_millis(200));
    }
    eprintln!("bench soak: {} events/s for {} min into a running pipeline ({})", args.rate, args.minutes, machine());

    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (sampling, addr, pg, redis, every) =
            (sampling.clone(), addr.clone(), scratch.pg.clone(), redis_target.clone(), args.sample_secs.max(1));
        let pid = child.id();
        std::thread::spawn(move || sample_until_stopped(&sampling, pid, &addr, &pg, &redis, every))
    };
    let count = args.rate * args.minutes * 60;
    // Events 1 ms apart (the generator's finest spacing): at 5 000 events/s, event time runs
    // five times the wall clock, so the views' window (lateness plus session idleness, 65 min
    // by default) fills in 13 minutes of wall time. The first event is placed so that the
    // last one is stamped about when it is published: the views never see an event ahead of
    // the wall clock, which would stop their watermark (views.max_clock_skew_secs).
    let span_ms = i64::try_from(count).unwrap_or(i64::MAX);
    let wall_ms = i64::try_from(args.minutes * 60_000).unwrap_or(i64::MAX);
    let start = chrono::Utc::now() - chrono::Duration::milliseconds(span_ms.saturating_sub(wall_ms).max(0));
    let loaded =
        crate::harness::preload_spaced(global, &scratch.url, STREAM, count, &args.rate.to_string(), 1, Some(start));
    // Let the pipeline finish what was published before the last samples.
    let waited = Instant::now();
    while waited.elapsed() < Duration::from_secs(120) {
        let lag = scrape(&addr).ok().map(|m| family(&m, "caracal_audit_consumer_lag")).unwrap_or(0.0);
        if lag == 0.0 {
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    sampling.store(false, Ordering::Relaxed);
    let samples = sampler.join().map_err(|_| anyhow::anyhow!("the sampler panicked"))??;
    let _ = std::process::Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let status = child.wait()?;
    let loaded = loaded?;
    anyhow::ensure!(status.success(), "the pipeline exited with {status}");

    let steady: Vec<&Sample> = samples.iter().filter(|s| s.minutes >= args.warmup_minutes).collect();
    let slope_per_hour = |value: fn(&Sample) -> f64| {
        let points: Vec<(f64, f64)> = steady.iter().map(|s| (s.minutes / 60.0, value(s))).collect();
        slope(&points)
    };
    let half = steady.len() / 2;
    let p99 = |part: &[&Sample]| {
        let mut values: Vec<f64> = part.iter().map(|s| s.commit_p99_ms).filter(|v| *v > 0.0).collect();
        values.sort_by(f64::total_cmp);
        crate::harness::percentile(&values, 0.5)
    };
    let result = serde_json::json!({
        "machine": machine(),
        "minutes": args.minutes,
        "rate": args.rate,
        "published": loaded.valid,
        "warmup_minutes": args.warmup_minutes,
        "slopes_per_hour_after_warmup": {
            "rss_mib": slope_per_hour(|s| s.rss_mib),
            "open_fds": slope_per_hour(|s| s.open_fds),
            "postgres_connections": slope_per_hour(|s| s.postgres_connections),
            "redis_connections": slope_per_hour(|s| s.redis_connections),
            "commit_p99_ms": slope_per_hour(|s| s.commit_p99_ms),
            "views_open_requests": slope_per_hour(|s| s.views_open_requests),
            "views_held_access_events": slope_per_hour(|s| s.views_held_access_events),
            "views_graph_rows": slope_per_hour(|s| s.views_graph_rows),
        },
        "event_spacing_ms": 1,
        "event_time_start": start.to_rfc3339(),
        "commit_p99_ms_median": { "first_half": p99(&steady[..half]), "second_half": p99(&steady[half..]) },
        "rss_mib": { "first": steady.first().map(|s| s.rss_mib), "last": steady.last().map(|s| s.rss_mib),
                     "max": samples.iter().map(|s| s.rss_mib).fold(0.0, f64::max) },
        "samples": samples,
    });
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&result)?)?;
    let svg = args.out.with_extension("svg");
    plot(&samples, args, &svg)?;
    println!(
        "{}",
        serde_json::to_string_pretty(&serde_json::json!({
            "slopes_per_hour_after_warmup": result["slopes_per_hour_after_warmup"],
            "commit_p99_ms_median": result["commit_p99_ms_median"],
            "rss_mib": result["rss_mib"],
        }))?
    );
    eprintln!("bench soak: samples in {}, plot in {}", args.out.display(), svg.display());
    Ok(())
}

fn sample_until_stopped(
    sampling: &AtomicBool,
    pid: u32,
    addr: &str,
    pg: &auditflow_ledger::postgres::PgTarget,
    redis: &auditflow_sources::redis_stream::RedisTarget,
    every_secs: u64,
) -> anyhow::Result<Vec<Sample>> {
    let io = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let pg_client = io.block_on(auditflow_ledger::postgres::connect_once(pg))?;
    let mut redis_con = io.block_on(auditflow_sources::redis_stream::connect(redis, Duration::from_secs(10)))?;
    let started = Instant::now();
    let mut samples = Vec::new();
    let mut last_buckets: BTreeMap<String, f64> = BTreeMap::new();
    let (mut last_sum, mut last_count) = (0.0, 0.0);
    while sampling.load(Ordering::Relaxed) {
        let metrics = scrape(addr).unwrap_or_default();
        let buckets: BTreeMap<String, f64> = metrics
            .iter()
            .filter(|(k, _)| k.starts_with("auditflow_sink_commit_seconds_bucket{") && k.contains("sink=\"ledger\""))
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        let sum = metric(&metrics, "auditflow_sink_commit_seconds_sum", "ledger");
        let count = metric(&metrics, "auditflow_sink_commit_seconds_count", "ledger");
        let commits = count - last_count;
        let postgres_connections: i64 = io
            .block_on(pg_client.query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
                &[],
            ))?
            .get(0);
        let info: String = io.block_on(redis::cmd("INFO").arg("clients").query_async(&mut redis_con))?;
        let redis_connections = info
            .lines()
            .find_map(|l| l.strip_prefix("connected_clients:"))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or(0.0);
        samples.push(Sample {
            minutes: started.elapsed().as_secs_f64() / 60.0,
            rss_mib: crate::harness::vm_rss_kib(pid).unwrap_or(0) as f64 / 1024.0,
            open_fds: std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count() as f64).unwrap_or(0.0),
            postgres_connections: postgres_connections as f64,
            redis_connections,
            commit_mean_ms: if commits > 0.0 { (sum - last_sum) / commits * 1000.0 } else { 0.0 },
            commit_p99_ms: p99_ms(&buckets, &last_buckets),
            consumer_lag: family(&metrics, "caracal_audit_consumer_lag"),
            inserted: family(&metrics, "caracal_audit_inserts_total"),
            views_open_requests: family(&metrics, "auditflow_views_open_requests"),
            views_held_access_events: family(&metrics, "auditflow_views_held_access_events"),
            views_graph_rows: family(&metrics, "auditflow_views_graph_rows"),
            views_lag_seconds: family(&metrics, "auditflow_views_lag_seconds"),
        });
        (last_buckets, last_sum, last_count) = (buckets, sum, count);
        io.block_on(trim_acknowledged(&mut redis_con, STREAM))?;
        let next = Duration::from_secs(every_secs);
        let slept = Instant::now();
        while slept.elapsed() < next && sampling.load(Ordering::Relaxed) {
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    Ok(samples)
}

/// Trims the entries every group has acknowledged, as a producer's `MAXLEN` or an operator's
/// `XTRIM` would in production (auditflow never trims a stream it does not own): an hour at
/// 5 000 events/s would otherwise hold 18M entries, some 10 GiB, in this machine's Redis.
async fn trim_acknowledged(con: &mut redis::aio::MultiplexedConnection, stream: &str) -> anyhow::Result<()> {
    let groups: redis::streams::StreamInfoGroupsReply =
        redis::cmd("XINFO").arg("GROUPS").arg(stream).query_async(con).await?;
    let mut keep: Option<(u64, u64)> = None;
    for group in &groups.groups {
        let pending: redis::streams::StreamPendingReply =
            redis::cmd("XPENDING").arg(stream).arg(&group.name).query_async(con).await?;
        let oldest_needed = match &pending {
            redis::streams::StreamPendingReply::Data(data) => data.start_id.as_str(),
            _ => group.last_delivered_id.as_str(),
        };
        let id = stream_id(oldest_needed);
        keep = Some(keep.map_or(id, |k| k.min(id)));
    }
    if let Some((ms, seq)) = keep {
        // `LIMIT 0`: an approximate trim otherwise stops after 100 macro nodes, which at
        // 5 000 events/s of 600-byte entries is a fifth of what arrives between samples.
        redis::cmd("XTRIM")
            .arg(stream)
            .arg("MINID")
            .arg("~")
            .arg(format!("{ms}-{seq}"))
            .arg("LIMIT")
            .arg(0)
            .query_async::<i64>(con)
            .await?;
    }
    Ok(())
}

/// A stream id as (milliseconds, sequence), for comparing; `0-0` if it does not parse.
fn stream_id(id: &str) -> (u64, u64) {
    let (ms, seq) = id.split_once('-').unwrap_or((id, "0"));
    (ms.parse().unwrap_or(0), seq.parse().unwrap_or(0))
}

/// The 99th percentile of the commits between two scrapes of the histogram (the upper bound
/// of the bucket it falls in), in ms; 0 without commits.
fn p99_ms(now: &BTreeMap<String, f64>, before: &BTreeMap<String, f64>) -> f64 {
    let mut buckets: Vec<(f64, f64)> = now
        .iter()
        .filter_map(|(k, v)| {
            let le = k.split("le=\"").nth(1)?.split('"').next()?;
            let bound = if le == "+Inf" { f64::INFINITY } else { le.parse().ok()? };
            Some((bound, v - before.get(k).copied().unwrap_or(0.0)))
        })
        .collect();
    buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
    let Some(&(_, total)) = buckets.last() else { return 0.0 };
    if total <= 0.0 {
        return 0.0;
    }
    let bound = buckets.iter().find(|(_, cumulative)| *cumulative >= total * 0.99).map_or(f64::INFINITY, |b| b.0);
    if bound.is_finite() {
        bound * 1000.0
    } else {
        // Past the last finite bucket: report that bucket's bound, the most that is known.
        buckets.iter().rev().find(|b| b.0.is_finite()).map_or(0.0, |b| b.0 * 1000.0)
    }
}

/// The series of a scrape, by their full names (labels included).
fn scrape(addr: &str) -> anyhow::Result<BTreeMap<String, f64>> {
    let mut stream = std::net::TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET /metrics HTTP/1.0\r\nHost: {addr}\r\n\r\n")?;
    let mut text = String::new();
    stream.read_to_string(&mut text)?;
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).context("an HTTP response")?;
    Ok(body
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (name, value) = l.rsplit_once(' ')?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect())
}

fn family(metrics: &BTreeMap<String, f64>, name: &str) -> f64 {
    metrics.iter().filter(|(k, _)| *k == name || k.starts_with(&format!("{name}{{"))).map(|(_, v)| v).sum()
}

fn metric(metrics: &BTreeMap<String, f64>, name: &str, sink: &str) -> f64 {
    metrics.get(&format!("{name}{{sink=\"{sink}\"}}")).copied().unwrap_or(0.0)
}

/// Least-squares slope of `points` (x, y).
fn slope(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let (mx, my) = (points.iter().map(|p| p.0).sum::<f64>() / n, points.iter().map(|p| p.1).sum::<f64>() / n);
    let var: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if var == 0.0 {
        return 0.0;
    }
    points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum::<f64>() / var
}

/// Four panels over time: RSS; descriptors and connections; commit latency; consumer lag.
fn plot(samples: &[Sample], args: &SoakBenchArgs, path: &Path) -> anyhow::Result<()> {
    let root = SVGBackend::new(path, (1200, 900)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(
        &format!("auditflow soak: {} events/s for {} min ({})", args.rate, args.minutes, machine()),
        ("sans-serif", 20),
    )?;
    let panels = root.split_evenly((2, 2));
    let end = samples.last().map_or(1.0, |s| s.minutes.max(1.0));
    type Series<'a> = (&'a str, fn(&Sample) -> f64, RGBColor);
    let charts: [(&str, &str, Vec<Series>); 4] = [
        ("memory", "RSS (MiB)", vec![("rss", |s| s.rss_mib, BLUE)]),
        (
            "descriptors and connections",
            "count",
            vec![
                ("open fds", |s| s.open_fds, BLUE),
                ("postgres", |s| s.postgres_connections, RED),
                ("redis", |s| s.redis_connections, GREEN),
            ],
        ),
        ("ledger commit latency", "ms", vec![("p99", |s| s.commit_p99_ms, RED), ("mean", |s| s.commit_mean_ms, BLUE)]),
        ("consumer lag", "entries", vec![("lag", |s| s.consumer_lag, BLUE)]),
    ];
    for (area, (title, unit, series)) in panels.iter().zip(charts) {
        let top = samples.iter().flat_map(|s| series.iter().map(move |(_, f, _)| f(s))).fold(1.0, f64::max) * 1.1;
        let mut chart = ChartBuilder::on(area)
            .caption(title, ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(50)
            .build_cartesian_2d(0.0..end, 0.0..top)?;
        chart.configure_mesh().x_desc("minutes").y_desc(unit).draw()?;
        for (name, value, color) in series {
            chart
                .draw_series(LineSeries::new(samples.iter().map(|s| (s.minutes, value(s))), color))?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 15, y)], color));
        }
        chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw()?;
    }
    root.present()?;
    Ok(())
}
