//! `auditflow bench …`: the end-to-end benchmarks live in the `auditflow-bench` binary of
//! the `benches/` crate (built on this library); this thin entry finds that binary beside
//! this one and hands it the arguments, so `auditflow bench ingest` keeps working.

use crate::settings::ConfigError;
use clap::Args;
use std::path::PathBuf;

/// `auditflow bench …`: everything after `bench` goes to `auditflow-bench`.
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct BenchArgs {
    /// The benchmark and its flags (`ingest`, `export`, `tamper`, `views`, `search`, `fleet`; `--help`
    /// lists them).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "BENCHMARK")]
    pub args: Vec<String>,
}

/// The benchmark binary: `AUDITFLOW_BENCH_BIN`, else `auditflow-bench` beside this binary.
fn bench_binary() -> Result<PathBuf, ConfigError> {
    if let Some(path) = std::env::var_os("AUDITFLOW_BENCH_BIN") {
        return Ok(PathBuf::from(path));
    }
    let beside = std::env::current_exe().ok().and_then(|exe| exe.parent().map(|dir| dir.join("auditflow-bench")));
    match beside {
        Some(path) if path.exists() => Ok(path),
        _ => Err(ConfigError::new(
            "auditflow bench",
            "the benchmarks are not built: run `cargo build --release -p auditflow-benches` (or `make bench`), \
             or point AUDITFLOW_BENCH_BIN at the auditflow-bench binary",
        )),
    }
}

/// Runs the benchmark binary with `args` and ends with its exit code.
pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let binary = bench_binary()?;
    let status = std::process::Command::new(&binary)
        .args(&args.args)
        .env("AUDITFLOW_BIN", std::env::current_exe()?)
        .status()
        .map_err(|e| ConfigError::new("AUDITFLOW_BENCH_BIN", format!("cannot start {}: {e}", binary.display())))?;
    if status.success() {
        Ok(())
    } else {
        anyhow::bail!("auditflow-bench failed: {status}")
    }
}
