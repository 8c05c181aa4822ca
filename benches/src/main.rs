//! `auditflow-bench`: the end-to-end benchmarks, built on the `auditflow` pipeline library
//! and run against the configured Redis and Postgres. Each writes its results as JSON under
//! `target/bench/` and prints them; `auditflow bench …` runs this binary.

mod caracal_readers;
mod cost;
mod export;
mod fleet;
mod harness;
mod ingest;
mod search;
mod soak;
mod tamper;
mod views;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// auditflow's end-to-end benchmarks (`make bench` runs them all).
#[derive(Debug, Parser)]
#[command(name = "auditflow bench", max_term_width = 100)]
struct Cli {
    #[command(flatten)]
    globals: harness::Globals,
    #[command(subcommand)]
    command: BenchCommand,
}

/// Benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// What an event costs: a backlog drained with the views on and off, in two shapes (in
    /// order; spread over 2 h of event time and out of order), against a COPY of the same
    /// rows; CPU per event for auditflow and for the rest of the machine, from /proc.
    /// `--quick` (under two minutes) before and after any change to the hot path.
    Cost(cost::CostBenchArgs),
    /// Preload events into Redis and measure the pipeline draining them into the ledger,
    /// against the raw COPY ceiling and a row-at-a-time baseline.
    Ingest(ingest::IngestBenchArgs),
    /// Fill a ledger, then measure the export archiving it as Parquet on one core, against
    /// DuckDB's `COPY … TO … (FORMAT parquet)` of the same rows.
    Export(export::ExportBenchArgs),
    /// What the live views cost: ingest with and without them, their memory, and the time
    /// from an event's commit to its view update.
    Views(views::ViewsBenchArgs),
    /// What tamper evidence costs: ingest with and without hash chains and signed heads,
    /// and `verify`'s rate on a ledger of N rows.
    Tamper(tamper::TamperBenchArgs),
    /// Latency of the search API (request-id lookup, zone + time-range page) on a ledger of
    /// N rows (default 10M).
    Search(search::SearchBenchArgs),
    /// What a cluster costs: the same backlog drained by 1 process x 2 workers, 2 x 1 and
    /// 3 x 1 on separate test hosts (network namespaces; needs root), recovery time from a
    /// SIGKILL, and the views' memory per process.
    Fleet(fleet::FleetBenchArgs),
    /// A long run at a fixed rate into a running pipeline: RSS, open descriptors, Postgres
    /// and Redis connections, commit latency and lag over time, their slopes after a
    /// warm-up, and a plot (target/bench/soak.json, target/bench/soak.svg).
    Soak(soak::SoakBenchArgs),
    /// Caracal's console and dispatcher queries (apps/api) on 1M rows in Caracal's layout, in
    /// it adopted by auditflow and in a ledger auditflow created: median per query.
    CaracalReaders(caracal_readers::CaracalReadersArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let global = &cli.globals;
    let result = match &cli.command {
        BenchCommand::Cost(args) => cost::run(global, args),
        BenchCommand::Ingest(args) => ingest::run(global, args),
        BenchCommand::Export(args) => export::run(global, args),
        BenchCommand::Tamper(args) => tamper::run(global, args),
        BenchCommand::Views(args) => views::run(global, args),
        BenchCommand::Search(args) => search::run(global, args),
        BenchCommand::Fleet(args) => fleet::run(global, args),
        BenchCommand::Soak(args) => soak::run(global, args),
        BenchCommand::CaracalReaders(args) => caracal_readers::run(global, args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("auditflow-bench: {error:#}");
            ExitCode::FAILURE
        }
    }
}
