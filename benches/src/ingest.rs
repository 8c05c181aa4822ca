//! `auditflow bench ingest`: the end-to-end ingest benchmark.
//!
//! 1. Preloads N signed events into a scratch stream (nothing invalid, nothing doubled).
//! 2. Runs `auditflow run --exit-when-drained` as a child on a fresh scratch database and
//!    measures how fast it drains the backlog, sampling the child's peak RSS (VmHWM).
//! 3. COPY ceiling: the very rows the pipeline stored, binary-COPY'd in one stream into a
//!    scratch schema with the same tables, partitions and indexes.
//! 4. Row-at-a-time baseline on a sample: one transaction per event taking a per-zone
//!    advisory lock and reading the zone chain's head, as a naive chained ledger does.
//! 5. Latency: events published at a fixed rate while a pipeline runs; per row, the time
//!    from XADD (the stream id's clock) to the ledger transaction (`ingested_at`).
//!
//! Results are printed and written to `target/bench/ingest.json`.

use crate::harness::{
    clone_schema, copy_rows_into, fresh_database, machine, percentile, preload, run_pipeline, stored_rows_binary,
    wait_sampled, Globals, Scratch, BENCH_DB, BENCH_STREAM,
};
use clap::Args;
use std::process::Command;
use std::time::{Duration, Instant};

/// `auditflow bench ingest` options.
#[derive(Debug, Args, Clone)]
pub struct IngestBenchArgs {
    /// Events to preload.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Events for the row-at-a-time baseline (it is slow; the rate is what matters).
    #[arg(long, default_value_t = 20_000)]
    pub baseline_events: u64,
    /// Publish rate of the latency phase (events/s).
    #[arg(long, default_value_t = 10_000)]
    pub latency_rate: u64,
    /// Duration of the latency phase (seconds).
    #[arg(long, default_value_t = 30)]
    pub latency_secs: u64,
    /// Pipeline workers [default: one per core].
    #[arg(long)]
    pub workers: Option<usize>,
    /// Where to write the JSON results.
    #[arg(long, default_value = "target/bench/ingest.json")]
    pub out: std::path::PathBuf,
}

/// Runs the ingest benchmark.
pub fn run(global: &Globals, args: &IngestBenchArgs) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let settings = global.resolve()?;
    let mut redis =
        runtime.block_on(auditflow_sources::redis_stream::connect(&settings.redis, Duration::from_secs(60)))?;
    let latency_stream = format!("{BENCH_STREAM}.latency");
    for s in [BENCH_STREAM, &latency_stream] {
        let _: i64 = runtime.block_on(redis::cmd("DEL").arg(s).arg(format!("{s}.dlq")).query_async(&mut redis))?;
    }
    std::fs::create_dir_all("target/bench")?;
    let scratch = runtime.block_on(fresh_database(global, BENCH_DB))?;

    // 1. Preload.
    eprintln!("bench: preloading {} events into `{BENCH_STREAM}`", args.events);
    let loaded = preload(global, &scratch.url, BENCH_STREAM, args.events, "max")?;

    // 2. Drain.
    eprintln!("bench: draining with the pipeline");
    let started = Instant::now();
    let mut child = run_pipeline(global, &scratch.url, BENCH_STREAM, args.workers, true, &[])?;
    let (summary, peak_kib) = wait_sampled(&mut child)?;
    let drain_secs = started.elapsed().as_secs_f64();
    let stored = summary["stored"].as_u64().unwrap_or(0);
    anyhow::ensure!(stored == loaded.valid, "the pipeline stored {stored} of {} events", loaded.valid);
    let pipeline_rate = summary["events_per_sec"].as_f64().unwrap_or(0.0);

    // 3. COPY ceiling and 4. row-at-a-time baseline.
    let (copy_rate, copy_rows, naive_rate) = runtime.block_on(ceilings(&scratch, args.baseline_events))?;

    // 5. Latency at a fixed rate.
    eprintln!("bench: latency at {} events/s for {} s", args.latency_rate, args.latency_secs);
    // Let the previous phases' writes settle so they do not bill this phase.
    runtime.block_on(async {
        let c = auditflow_ledger::postgres::connect_once(&scratch.pg).await?;
        c.batch_execute("CHECKPOINT").await
    })?;
    let mut live = run_pipeline(global, &scratch.url, &latency_stream, args.workers, false, &[])?;
    std::thread::sleep(Duration::from_secs(2));
    let latency_count = args.latency_rate * args.latency_secs;
    let rows_before = runtime.block_on(ledger_rows(&scratch))?;
    let mark = chrono::Utc::now();
    preload(global, &scratch.url, &latency_stream, latency_count, &args.latency_rate.to_string())?;
    // Poll the watermarks (one row per chain), not the table, while the pipeline works.
    let wait_started = Instant::now();
    while runtime.block_on(ledger_rows(&scratch))? < rows_before + latency_count as i64
        && wait_started.elapsed() < Duration::from_secs(120)
    {
        std::thread::sleep(Duration::from_millis(500));
    }
    let latencies = runtime.block_on(latencies_since(&scratch, mark))?;
    let _ = Command::new("kill").arg("-TERM").arg(live.id().to_string()).status();
    let _ = live.wait();
    let mut sorted = latencies.clone();
    sorted.sort_by(|a, b| a.total_cmp(b));

    let result = serde_json::json!({
        "machine": machine(),
        "events": args.events,
        "workers": args.workers.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)),
        "pipeline_events_per_sec": pipeline_rate,
        "pipeline_drain_secs_incl_startup": drain_secs,
        "copy_ceiling_rows_per_sec": copy_rate,
        "copy_ceiling_rows": copy_rows,
        "ratio_to_copy_ceiling": pipeline_rate / copy_rate.max(1e-9),
        "row_at_a_time_events_per_sec": naive_rate,
        "speedup_over_row_at_a_time": pipeline_rate / naive_rate.max(1e-9),
        "latency_rate_events_per_sec": args.latency_rate,
        "latency_rows_measured": latencies.len(),
        "publish_to_ledger_ms_p50": percentile(&sorted, 0.50),
        "publish_to_ledger_ms_p99": percentile(&sorted, 0.99),
        "peak_rss_mib_draining_backlog": peak_kib as f64 / 1024.0,
        "goals": {"ratio_to_copy_ceiling": ">= 0.7", "speedup_over_row_at_a_time": ">= 50", "p99_ms": "<= 500", "peak_rss_mib": "<= 256"},
    });
    std::fs::write(&args.out, serde_json::to_string_pretty(&result)?)?;
    println!("{}", serde_json::to_string_pretty(&result)?);
    Ok(())
}

async fn ceilings(scratch: &Scratch, baseline_events: u64) -> anyhow::Result<(f64, u64, f64)> {
    let client = auditflow_ledger::postgres::connect_once(&scratch.pg).await?;
    let (chunks, rows) = stored_rows_binary(&client).await?;
    eprintln!("bench: COPY ceiling over {rows} rows");
    clone_schema(&client, "bench_copy").await?;
    let copy_rate = rows as f64 / copy_rows_into(&client, "bench_copy", chunks).await?;

    eprintln!("bench: row-at-a-time baseline over {baseline_events} events");
    clone_schema(&client, "bench_naive").await?;
    let sample = client
        .query(
            &format!("SELECT id, zone_id, event_type, occurred_at, content_sha256, metadata_json FROM public.audit_events LIMIT {baseline_events}"),
            &[],
        )
        .await?;
    let lock = client.prepare("SELECT pg_advisory_xact_lock(hashtext($1))").await?;
    let head = client.prepare("SELECT chain_seq, content_sha256 FROM bench_naive.audit_events WHERE chain_id = $1 ORDER BY chain_seq DESC LIMIT 1").await?;
    let insert = client
        .prepare(
            "INSERT INTO bench_naive.audit_events (id, zone_id, event_type, occurred_at, content_sha256, prev_content_sha256, \
             chain_hmac, chain_seq, chain_id, metadata_json) VALUES ($1, $2, $3, $4, $5, $6, 'naive', $7, $8, $9)",
        )
        .await?;
    let started = Instant::now();
    for row in &sample {
        let zone: String = row.get(1);
        let chain = (auditflow_schemas::shard::fnv1a64(zone.as_bytes()) % 1_000_000) as i32;
        client.batch_execute("BEGIN").await?;
        client.execute(&lock, &[&zone]).await?;
        let prev = client.query_opt(&head, &[&chain]).await?;
        let (seq, prev_sha): (i64, Option<String>) = prev.map(|r| (r.get::<_, i64>(0), r.get(1))).unwrap_or((0, None));
        let ts: chrono::DateTime<chrono::Utc> = row.get(3);
        let meta: Option<serde_json::Value> = row.get(5);
        client
            .execute(
                &insert,
                &[
                    &row.get::<_, String>(0),
                    &zone,
                    &row.get::<_, String>(2),
                    &ts,
                    &row.get::<_, String>(4),
                    &prev_sha,
                    &(seq + 1),
                    &chain,
                    &meta,
                ],
            )
            .await?;
        client.batch_execute("COMMIT").await?;
    }
    let naive_rate = sample.len() as f64 / started.elapsed().as_secs_f64();
    client.batch_execute("DROP SCHEMA bench_copy CASCADE; DROP SCHEMA bench_naive CASCADE").await?;
    Ok((copy_rate, rows as u64, naive_rate))
}

/// Rows committed so far, from the watermarks.
async fn ledger_rows(scratch: &Scratch) -> anyhow::Result<i64> {
    let client = auditflow_ledger::postgres::connect_once(&scratch.pg).await?;
    let row = client.query_one("SELECT coalesce(sum(rows_total), 0)::bigint FROM audit_ingest_watermarks", &[]).await?;
    Ok(row.get(0))
}

/// Publish-to-ledger latencies (ms) of rows whose stream id is newer than `since`.
async fn latencies_since(scratch: &Scratch, since: chrono::DateTime<chrono::Utc>) -> anyhow::Result<Vec<f64>> {
    let client = auditflow_ledger::postgres::connect_once(&scratch.pg).await?;
    let rows = client
        .query(
            "SELECT (extract(epoch FROM ingested_at) * 1000 - split_part(src_stream_id, '-', 1)::bigint)::float8 \
             FROM audit_events WHERE split_part(src_stream_id, '-', 1)::bigint >= $1",
            &[&since.timestamp_millis()],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get::<_, f64>(0)).collect())
}
