//! `auditflow bench search`: latency of the `/v1/events` API on a large ledger.
//!
//! 1. A ledger of N rows (default 10M) is filled directly with SQL (`generate_series`): 8
//!    zones, two events per request, 54 days across two monthly partitions, sessions in
//!    `metadata_json`; the same indexes as a real ledger. The rows' hashes are placeholders:
//!    this ledger is for searching, not verifying. `--reuse` keeps a filled one.
//! 2. The API is served in this process by the same router `auditflow run` serves, on a
//!    free loopback port, and queried over HTTP one request at a time: request-id lookups
//!    and zone + one-hour time-range pages of 100, at random. Clients keep their HTTP/1.1
//!    connection open between requests, as HTTP client libraries do.
//! 3. Ingestion impact: the same N preloaded events (default 1M) drained by `auditflow run
//!    --no-views`, alternately without and with a paced load of `--impact-rate` (default 200)
//!    API requests per second on its own `/v1/events` (zone pages and request-id lookups over
//!    loopback, one keep-alive connection per loader thread, bounded by the drain's end and
//!    by 10 minutes); the drains' events/s compared.
//!
//! Results are printed and written to `target/bench/search.json`.

use crate::harness::Globals;
use crate::harness::{fresh_database, machine, percentile};
use anyhow::Context;
use clap::Args;
use rand::{Rng, SeedableRng};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `auditflow bench search` options.
#[derive(Debug, Args, Clone)]
pub struct SearchBenchArgs {
    /// Ledger rows.
    #[arg(long, default_value_t = 10_000_000)]
    pub rows: i64,
    /// Requests of each kind.
    #[arg(long, default_value_t = 2000)]
    pub requests: usize,
    /// Keep a ledger a previous run filled with the same row count.
    #[arg(long)]
    pub reuse: bool,
    /// Events per drain of the ingestion-impact phase (0 skips it).
    #[arg(long, default_value_t = 1_000_000)]
    pub impact_events: u64,
    /// Drains with and without API load, each.
    #[arg(long, default_value_t = 3)]
    pub impact_rounds: u32,
    /// API requests per second during the loaded drains.
    #[arg(long, default_value_t = 200)]
    pub impact_rate: u64,
    /// Where to write the JSON results.
    #[arg(long, default_value = "target/bench/search.json")]
    pub out: std::path::PathBuf,
}

const DB: &str = "auditflow_bench_search";
const TOKEN: &str = "bench-search-token";
const DAYS: i64 = 54;
/// The stream the ingestion-impact drains read.
const STREAM: &str = "auditflow.bench.api";

async fn fill(client: &tokio_postgres::Client, rows: i64) -> anyhow::Result<()> {
    client
        .batch_execute(
            "SELECT auditflow_ensure_month_partition('2026-10-01'); SELECT auditflow_ensure_month_partition('2026-11-01');",
        )
        .await
        .context("create the month partitions")?;
    let bar = indicatif::ProgressBar::new(rows as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template("filling the ledger {bar:40} {pos}/{len} rows, {per_sec}, eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let chunk = 250_000i64;
    let mut from = 0i64;
    while from < rows {
        let to = (from + chunk).min(rows) - 1;
        client
            .execute(
                "INSERT INTO audit_events (id, zone_id, event_type, request_id, decision, evaluation_status, \
                    determining_policies_json, diagnostics_json, metadata_json, occurred_at, content_sha256, \
                    chain_hmac, chain_seq, chain_id, key_id, src_stream_id) \
                 SELECT 'evt-b-' || g, 'zone-' || ((g / 2) % 8), \
                    CASE WHEN g % 2 = 0 THEN 'token_exchange' ELSE 'gateway_resource_request' END, \
                    'req-b-' || (g / 2), CASE WHEN g % 10 = 9 THEN 'deny' ELSE 'allow' END, 'complete', \
                    '[]'::jsonb, '{}'::jsonb, \
                    jsonb_build_object('session_id', 'sess-' || (g / 20 % 100000), 'agent_session_id', 'as-' || (g / 10 % 200000)), \
                    timestamptz '2026-10-01 00:00:00+00' + (g::float8 / $3::float8) * interval '54 days', \
                    md5(g::text) || md5(g::text), md5('h' || g) || md5('h' || g), g / 16 + 1, (g % 16)::int, \
                    'default', '0-' || g \
                 FROM generate_series($1::bigint, $2::bigint) g",
                &[&from, &to, &(rows as f64)],
            )
            .await
            .context("fill the ledger")?;
        bar.inc((to - from + 1) as u64);
        from = to + 1;
    }
    bar.finish();
    client
        .batch_execute(
            "INSERT INTO audit_ingest_watermarks (sink, chain_id, chain_seq) \
               SELECT 'ledger', chain_id, max(chain_seq) FROM audit_events GROUP BY chain_id \
             ON CONFLICT (sink, chain_id) DO UPDATE SET chain_seq = excluded.chain_seq; \
             ANALYZE audit_events;",
        )
        .await
        .context("record the chain heads")?;
    Ok(())
}

/// One HTTP/1.1 keep-alive connection to the API, as a dashboard or a script with an HTTP
/// client library holds one; it reconnects when the server closed it.
struct Client {
    addr: std::net::SocketAddr,
    stream: Option<std::io::BufReader<std::net::TcpStream>>,
}

impl Client {
    fn new(addr: std::net::SocketAddr) -> Self {
        Self { addr, stream: None }
    }

    /// GETs `path`; the status and the body's length.
    fn get(&mut self, path: &str) -> anyhow::Result<(u16, usize)> {
        // A connection the server closed while idle fails on first use: one retry on a new one.
        match self.try_get(path) {
            Ok(answer) => Ok(answer),
            Err(_) => {
                self.stream = None;
                self.try_get(path)
            }
        }
    }

    fn try_get(&mut self, path: &str) -> anyhow::Result<(u16, usize)> {
        use std::io::{BufRead, Read, Write};
        let stream = match &mut self.stream {
            Some(s) => s,
            None => {
                let s = std::net::TcpStream::connect(self.addr)?;
                s.set_read_timeout(Some(Duration::from_secs(30)))?;
                s.set_nodelay(true)?;
                self.stream.insert(std::io::BufReader::new(s))
            }
        };
        write!(stream.get_mut(), "GET {path} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {TOKEN}\r\n\r\n")?;
        let mut line = String::new();
        stream.read_line(&mut line)?;
        let status: u16 = line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let (mut length, mut close) = (None, false);
        loop {
            line.clear();
            anyhow::ensure!(stream.read_line(&mut line)? > 0, "the server closed the connection mid-answer");
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            } else if name.eq_ignore_ascii_case("connection") && value.trim().eq_ignore_ascii_case("close") {
                close = true;
            }
        }
        let mut body = Vec::new();
        match length {
            Some(n) => {
                body.resize(n, 0);
                stream.read_exact(&mut body)?;
            }
            None => {
                stream.read_to_end(&mut body)?;
                close = true;
            }
        }
        if close {
            self.stream = None;
        }
        Ok((status, body.len()))
    }
}

/// Runs the benchmark.
pub fn run(global: &Globals, args: &SearchBenchArgs) -> anyhow::Result<()> {
    use sha2::Digest;
    std::fs::create_dir_all("target/bench")?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let base = global.resolve()?;
    let mut pg = base.pg.clone();
    pg.dbname(DB);
    let reusable = args.reuse
        && runtime.block_on(async {
            let Ok(c) = auditflow_ledger::postgres::connect_once(&pg).await else { return false };
            c.query_one("SELECT count(*) FROM audit_events", &[])
                .await
                .map(|r| r.get::<_, i64>(0) == args.rows)
                .unwrap_or(false)
        });
    let pool = runtime.block_on(async {
        if !reusable {
            fresh_database(global, DB).await?;
        }
        auditflow_ledger::postgres::ensure_database(&pg).await?;
        let pool = auditflow_ledger::postgres::pool(&pg, 4)?;
        auditflow_ledger::migrations::migrate(&pool).await?;
        if !reusable {
            let started = Instant::now();
            let c = auditflow_ledger::postgres::client(&pool).await?;
            fill(&c, args.rows).await?;
            eprintln!("bench search: filled {} rows in {:.0} s", args.rows, started.elapsed().as_secs_f64());
        }
        // The API reads through the same kind of pool `run` gives it.
        anyhow::Ok(auditflow_ledger::postgres::read_pool(&pg, 4)?)
    })?;

    let tamper = Arc::new(auditflow_ledger::verify::TamperStats::default());
    let api = Arc::new(auditflow_pipeline::ops::api::ApiState {
        tokens: vec![auditflow_pipeline::ops::api::TokenSpec {
            name: "bench".into(),
            sha256: hex::encode(sha2::Sha256::digest(TOKEN.as_bytes())),
            scopes: vec!["read".into()],
            zones: None,
        }],
        pool,
        redis: base.redis.clone(),
        dlq_stream: "auditflow.bench.search.dlq".into(),
        keyring: Arc::new(auditflow_schemas::keyring::Keyring::insecure_skip_verify()),
        limits: auditflow_schemas::wire::Limits::default(),
        revocation_stream: None,
        tamper: tamper.clone(),
    });
    let sources = auditflow_pipeline::ops::metrics::Sources {
        ledger: Arc::default(),
        export: Arc::default(),
        ocsf_export: None,
        tamper,
        views: Arc::default(),
        views_enabled: false,
        window: Arc::default(),
        read: Arc::default(),
        stream_resets: Arc::default(),
        frontier_advanced_ms: Arc::default(),
        verification_skipped: false,
        running: Arc::default(),
        cluster: Arc::default(),
        rewinds: Arc::default(),
    };
    let streams = auditflow_pipeline::ops::Streams {
        redis: base.redis.clone(),
        stream: "auditflow.bench.search".into(),
        revocation_stream: None,
        group: "audit-ingestor".into(),
        dlq: "auditflow.bench.search.dlq".into(),
    };
    let gates = auditflow_pipeline::ops::health::ReadyGates {
        max_dlq_size: 0,
        max_consumer_lag: 0,
        max_pending_age_secs: 0,
        max_views_lag_secs: 0,
        healthz_stall_secs: 0,
    };
    let access = auditflow_pipeline::ops::CaracalAccess::default();
    let addr = auditflow_pipeline::ops::serve("127.0.0.1:0", streams, gates, sources, api, access)?;

    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut client = Client::new(addr);
    let mut measure = |kind: &str, path: &dyn Fn(&mut rand::rngs::StdRng) -> String| -> anyhow::Result<Vec<f64>> {
        // Warm the connection pool and the plan cache first.
        for _ in 0..20 {
            client.get(&path(&mut rng))?;
        }
        let mut ms = Vec::with_capacity(args.requests);
        for _ in 0..args.requests {
            let p = path(&mut rng);
            let started = Instant::now();
            let (status, _) = client.get(&p)?;
            ms.push(started.elapsed().as_secs_f64() * 1000.0);
            anyhow::ensure!(status == 200, "{kind}: {p} answered {status}");
        }
        ms.sort_by(f64::total_cmp);
        eprintln!(
            "bench search: {kind}: p50 {:.2} ms, p99 {:.2} ms over {} requests",
            percentile(&ms, 0.5),
            percentile(&ms, 0.99),
            ms.len()
        );
        Ok(ms)
    };
    let requests = args.rows / 2;
    let by_request =
        measure("request-id lookup", &|rng| format!("/v1/events?request_id=req-b-{}", rng.random_range(0..requests)))?;
    let start = chrono::DateTime::parse_from_rfc3339("2026-10-01T00:00:00Z").expect("constant").timestamp();
    let by_zone_time = measure("zone + time-range page", &|rng| {
        let since = start + rng.random_range(0..(DAYS * 24 - 1)) * 3600;
        let t = |s: i64| {
            chrono::DateTime::from_timestamp(s, 0).unwrap_or_default().format("%Y-%m-%dT%H:%M:%SZ").to_string()
        };
        format!(
            "/v1/events?zone=zone-{}&since={}&until={}&limit=100",
            rng.random_range(0..8),
            t(since),
            t(since + 3600)
        )
    })?;

    let impact = if args.impact_events > 0 { Some(ingestion_impact(global, &runtime, args)?) } else { None };

    let result = serde_json::json!({
        "machine": machine(),
        "ledger_rows": args.rows,
        "requests_per_kind": args.requests,
        "request_id_lookup_ms": {"p50": percentile(&by_request, 0.5), "p99": percentile(&by_request, 0.99), "max": by_request.last()},
        "zone_time_page_ms": {"p50": percentile(&by_zone_time, 0.5), "p99": percentile(&by_zone_time, 0.99), "max": by_zone_time.last()},
        "ingestion_impact": impact,
        "goals": {"p99_ms": "<= 50", "ingest_with_api_load_to_without": ">= 0.95"},
    });
    std::fs::write(&args.out, serde_json::to_string_pretty(&result)?)?;
    println!("{}", serde_json::to_string_pretty(&result)?);
    Ok(())
}

/// What the paced load achieved.
#[derive(Debug, Default)]
struct LoadResult {
    /// Requests answered 200.
    ok: u64,
    /// Other answers, by status (0: unparseable).
    other: std::collections::BTreeMap<u16, u64>,
    /// Requests whose connection failed while the server was up.
    refused: u64,
    /// From the first request to the last answer, seconds.
    active_secs: f64,
}

/// Loader threads. Each paces its share of the rate; enough of them that a request slowed
/// by the busy machine does not hold up the others (a thread makes up its late slots, up to
/// a second's worth).
const LOADERS: u64 = 16;

/// Paces GETs at `rate` per second against `addr`, from [`LOADERS`] threads, until `stop`,
/// the server going away (the drain ended), or 10 minutes: half zone pages, half lookups of
/// the generator's request ids `(seed, how many)`.
fn load(addr: String, rate: u64, requests: (u64, u64), stop: Arc<std::sync::atomic::AtomicBool>) -> LoadResult {
    use std::sync::atomic::Ordering;
    let Ok(addr) = addr.parse::<std::net::SocketAddr>() else { return LoadResult::default() };
    let started = Instant::now();
    // The server comes up once the preload is done and `run` has started.
    while std::net::TcpStream::connect(addr).is_err() {
        if stop.load(Ordering::Relaxed) || started.elapsed() > Duration::from_secs(600) {
            return LoadResult::default();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let began = Instant::now();
    let threads: Vec<_> = (0..LOADERS)
        .map(|t| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut rng = rand::rngs::StdRng::seed_from_u64(11 + t);
                let mut out = LoadResult::default();
                let mut client = Client::new(addr);
                let interval = Duration::from_secs_f64(LOADERS as f64 / rate.max(1) as f64);
                let mut next = Instant::now() + interval.mul_f64(t as f64 / LOADERS as f64);
                while !stop.load(Ordering::Relaxed) && began.elapsed() < Duration::from_secs(600) {
                    if let Some(wait) = next.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    // A slot delayed by a slow answer or a busy scheduler is made up at once,
                    // so the rate holds on average; only a lag past a second is given up.
                    next = (next + interval).max(Instant::now() - Duration::from_secs(1));
                    let path = if rng.random_bool(0.5) {
                        format!("/v1/events?zone=zone-{}&limit=100", rng.random_range(0..8))
                    } else {
                        let (seed, count) = requests;
                        let id = auditflow_pipeline::commands::emit::generator::request_id(
                            seed,
                            rng.random_range(1..=count.max(1)),
                        );
                        format!("/v1/events?request_id={id}")
                    };
                    match client.get(&path) {
                        Ok((200, _)) => out.ok += 1,
                        Ok((status, _)) => {
                            if out.other.is_empty() {
                                eprintln!("bench search: {path} answered {status}");
                            }
                            *out.other.entry(status).or_default() += 1;
                        }
                        // Refused: the drain finished and the server is gone.
                        Err(_) if std::net::TcpStream::connect(addr).is_err() => break,
                        Err(_) => out.refused += 1,
                    }
                }
                out
            })
        })
        .collect();
    let mut total = LoadResult::default();
    for t in threads {
        let Ok(r) = t.join() else { continue };
        total.ok += r.ok;
        total.refused += r.refused;
        for (status, n) in r.other {
            *total.other.entry(status).or_default() += n;
        }
    }
    total.active_secs = began.elapsed().as_secs_f64();
    total
}

fn ingestion_impact(
    global: &Globals,
    runtime: &tokio::runtime::Runtime,
    args: &SearchBenchArgs,
) -> anyhow::Result<serde_json::Value> {
    use sha2::Digest;
    let tokens = std::path::PathBuf::from("target/bench/search-tokens.toml");
    std::fs::write(
        &tokens,
        format!(
            "[[tokens]]\nname = \"bench\"\nsha256 = \"{}\"\nscopes = [\"read\"]\n",
            hex::encode(sha2::Sha256::digest(TOKEN.as_bytes()))
        ),
    )?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let listen = format!("127.0.0.1:{port}");
    let tokens_arg = tokens.to_str().unwrap_or_default().to_owned();
    let extra = ["--no-views", "--listen", listen.as_str(), "--api-tokens-file", tokens_arg.as_str()];
    let drain =
        || crate::harness::drain_fresh(global, runtime, "auditflow_bench_api", STREAM, args.impact_events, &extra);
    let (mut quiet, mut loaded, mut answered, mut not_ok) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..args.impact_rounds {
        let (summary, _) = drain()?;
        let rate = summary["events_per_sec"].as_f64().unwrap_or(0.0);
        eprintln!("bench search: drain without API load: {rate:.0} events/s");
        quiet.push(rate);

        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let loader = {
            let (listen, stop) = (listen.clone(), stop.clone());
            let rate = args.impact_rate;
            // Ids of requests the drain carries (about one per two events), found once the
            // drain has reached them.
            let requests = (crate::harness::preload_seed(STREAM), args.impact_events / 2);
            std::thread::spawn(move || load(listen, rate, requests, stop))
        };
        let drained = drain();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let result = loader.join().unwrap_or_default();
        let (summary, _) = drained?;
        let rate = summary["events_per_sec"].as_f64().unwrap_or(0.0);
        let achieved = result.ok as f64 / result.active_secs.max(1e-9);
        eprintln!(
            "bench search: drain with {} API requests/s: {rate:.0} events/s ({} answered 200 at {achieved:.0}/s over {:.0} s, others {:?}, {} failed)",
            args.impact_rate, result.ok, result.active_secs, result.other, result.refused
        );
        anyhow::ensure!(
            result.refused == 0,
            "{} API requests failed to connect while the server was up",
            result.refused
        );
        loaded.push(rate);
        answered.push(achieved);
        not_ok.push(result.other.values().sum::<u64>());
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    Ok(serde_json::json!({
        "events": args.impact_events,
        "api_rate_target": args.impact_rate,
        "api_rate_achieved": answered,
        "api_answers_other_than_200": not_ok,
        "ingest_events_per_sec_without_api_load": quiet,
        "ingest_events_per_sec_with_api_load": loaded,
        "ratio_with_to_without": mean(&loaded) / mean(&quiet).max(1e-9),
    }))
}
