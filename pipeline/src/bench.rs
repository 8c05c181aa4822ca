//! `auditflow bench`: end-to-end benchmarks against the configured services.

use clap::{Args, Subcommand};

/// Benchmarks.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Preload events into Redis and measure the pipeline draining them into the ledger,
    /// against the raw COPY ceiling and a row-at-a-time baseline.
    Ingest(IngestBenchArgs),
}

/// `auditflow bench ingest` options.
#[derive(Debug, Args, Clone)]
pub struct IngestBenchArgs {
    /// Events to preload.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
}

/// Runs a benchmark.
pub fn bench(_global: &crate::cli::GlobalArgs, command: &BenchCommand) -> anyhow::Result<()> {
    match command {
        BenchCommand::Ingest(_) => anyhow::bail!("bench ingest is not implemented yet"),
    }
}
