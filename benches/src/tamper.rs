//! `auditflow bench tamper`: what tamper evidence costs.
//!
//! 1. Chaining cost: the same N preloaded events drained by `auditflow run` into a fresh
//!    ledger with hash chains, HMACs and signed batch heads, and without them
//!    (`--bench-without-chaining`), alternating, `--rounds` times each; the cost compares
//!    the means.
//! 2. `verify` rate: the chained ledger walked by `verify_ledger` in this process on one
//!    thread, as `auditflow verify` does (two chains at a time; Postgres serves the `COPY`s
//!    from its own processes).
//!
//! Results are printed and written to `target/bench/tamper.json`.

use crate::harness::Globals;
use crate::harness::{drain_fresh, machine};
use clap::Args;
use std::time::Instant;

/// `auditflow bench tamper` options.
#[derive(Debug, Args, Clone)]
pub struct TamperBenchArgs {
    /// Events per drain (and rows `verify` walks).
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Drains with and without chaining, each.
    #[arg(long, default_value_t = 3)]
    pub rounds: u32,
    /// Where to write the JSON results.
    #[arg(long, default_value = "target/bench/tamper.json")]
    pub out: std::path::PathBuf,
}

const DB: &str = "auditflow_bench_tamper";
const STREAM: &str = "auditflow.bench.tamper";

/// One drain into a fresh ledger; returns events/s of the run.
fn drain(global: &Globals, io: &tokio::runtime::Runtime, events: u64, chained: bool) -> anyhow::Result<f64> {
    let extra: &[&str] = if chained { &[] } else { &["--bench-without-chaining"] };
    let (summary, _) = drain_fresh(global, io, DB, STREAM, events, extra)?;
    let rate = summary["events_per_sec"].as_f64().unwrap_or(0.0);
    eprintln!("bench tamper: {} drain: {rate:.0} events/s", if chained { "chained" } else { "unchained" });
    Ok(rate)
}

/// Runs the benchmark.
pub fn run(global: &Globals, args: &TamperBenchArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all("target/bench")?;
    let io = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let (mut with, mut without) = (Vec::new(), Vec::new());
    for _ in 0..args.rounds {
        without.push(drain(global, &io, args.events, false)?);
        with.push(drain(global, &io, args.events, true)?);
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let (rate_with, rate_without) = (mean(&with), mean(&without));

    // The last drain was chained: walk it.
    eprintln!("bench tamper: verify over the chained ledger");
    let mut settings = global.resolve()?;
    settings.pg.dbname(DB);
    let keys = auditflow_pipeline::settings::ledger_keys(
        std::path::Path::new("target/bench/ledger.key"),
        std::path::Path::new("target/bench/ledger-head.key"),
        false,
    )?
    .trusted(&[]);
    // As `auditflow verify` runs it: one thread, Postgres on the other core.
    let one_thread = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (secs, report) = one_thread.block_on(async {
        let pool = auditflow_ledger::postgres::pool(&settings.pg, 4)?;
        let started = Instant::now();
        let report = auditflow_ledger::verify::verify_ledger(
            &pool,
            &keys,
            &auditflow_ledger::verify::Scope::default(),
            &|_, _| {},
        )
        .await?;
        anyhow::Ok((started.elapsed().as_secs_f64(), report))
    })?;
    anyhow::ensure!(report.findings.is_empty(), "the benchmark ledger did not verify: {:?}", report.findings.first());
    let result = serde_json::json!({
        "machine": machine(),
        "events": args.events,
        "ingest_events_per_sec_chained": with,
        "ingest_events_per_sec_unchained": without,
        "ingest_mean_chained": rate_with,
        "ingest_mean_unchained": rate_without,
        "chaining_cost": 1.0 - rate_with / rate_without.max(1e-9),
        "verify_rows": report.rows,
        "verify_batches": report.batches,
        "verify_secs": secs,
        "verify_rows_per_sec": report.rows as f64 / secs,
        "goals": {"chaining_cost": "< 0.10", "verify_rows_per_sec": ">= 200000"},
    });
    std::fs::write(&args.out, serde_json::to_string_pretty(&result)?)?;
    println!("{}", serde_json::to_string_pretty(&result)?);
    Ok(())
}
