//! The `auditflow` binary: parse, validate into ready-to-run settings, run, map errors to
//! the documented exit codes (0 ok, 1 a check found a problem or a run failed, 2 usage or
//! configuration error, 3 a dependency was unreachable).

mod bench;
mod bench_export;
mod bench_search;
mod bench_tamper;
mod bench_views;
mod cli;
mod dlq_cmd;
mod dlq_stats;
mod emit;
mod export_cmd;
mod legal_hold_cmd;
mod ops;
mod retention_cmd;
mod run;
mod search;
mod settings;
mod verify_cmd;
mod views_cmd;

use clap::Parser;
use std::process::ExitCode;

// glibc malloc dominated profiles of the ingest path (many short-lived event buffers moved
// between threads); mimalloc handles that pattern far better.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Transparent huge pages off for this process, unless the operator decides otherwise
/// through mimalloc's own `MIMALLOC_ALLOW_THP` (then mimalloc's choice stands).
///
/// The views' arrangements and the sinks' buffers grow and shrink by many megabytes, and
/// each huge-page fault zeroes 2 MiB however little of it is used. On the 2-core VM the
/// benchmarks run on, that was 1.1–1.4 s of kernel time per 400k events with the views on
/// (`clear_page_erms` under `do_huge_pmd_anonymous_page`); with huge pages off it fell by
/// about half, and both drains got faster (1M events, four rounds each: views on +5 %, off
/// +3–4 %; docs/benchmarks.md).
fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        if let Err(e) = nix::sys::prctl::set_thp_disable(true) {
            // Only a missed speed-up: nothing depends on it.
            tracing::debug!(error = %e, "could not turn transparent huge pages off");
        }
    }
}

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tokio_postgres=warn"));
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn exit_code(error: &anyhow::Error) -> u8 {
    if error.downcast_ref::<settings::ConfigError>().is_some() {
        2
    } else if error.downcast_ref::<run::Unreachable>().is_some() {
        3
    } else {
        1
    }
}

/// Commands that only read and print: piped into `head` or a pager that quits early, they
/// end quietly the Unix way (killed by SIGPIPE, as `ls | head` is) rather than panicking on
/// the failed print. Commands that write keep Rust's default (SIGPIPE ignored): they finish
/// their work, and a failed print is their only casualty.
fn only_reads(command: &cli::Command) -> bool {
    use cli::Command;
    matches!(
        command,
        Command::Trace(_)
            | Command::Revocations(_)
            | Command::Search(_)
            | Command::Verify(_)
            | Command::VerifyExport(_)
            | Command::Export(_)
            | Command::Dlq(dlq_cmd::DlqCommand::List(_) | dlq_cmd::DlqCommand::Show(_))
            | Command::LegalHold(legal_hold_cmd::LegalHoldCommand::List(_))
            | Command::Retention(retention_cmd::RetentionCommand::History(_))
    )
}

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    if only_reads(&cli.command) {
        // Before any other thread exists.
        sigpipe::reset();
    }
    init_logging(&cli.global.log_format);
    disable_transparent_huge_pages();
    let result = if cli.global.print_settings { print_settings(&cli) } else { execute(&cli) };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("auditflow: {error:#}");
            ExitCode::from(exit_code(&error))
        }
    }
}

/// `--print-settings`: what the command would run with, resolved and redacted, as JSON.
fn print_settings(cli: &cli::Cli) -> anyhow::Result<()> {
    let settings = match &cli.command {
        cli::Command::Run(args) => Some(settings::resolve(&cli.global, Some(args))?),
        cli::Command::Export(_) | cli::Command::Bench(_) => None,
        _ => Some(settings::resolve(&cli.global, None)?),
    };
    let args = match &cli.command {
        cli::Command::Bench(_) => serde_json::Value::Null,
        command => serde_json::to_value(command)?,
    };
    let described = serde_json::json!({
        "settings": settings.map(|s| s.describe()),
        "args": args,
    });
    println!("{}", serde_json::to_string_pretty(&described)?);
    Ok(())
}

fn execute(cli: &cli::Cli) -> anyhow::Result<()> {
    match &cli.command {
        cli::Command::Run(args) => run::run(&cli.global, args).map(|summary| {
            if args.summary_json {
                println!("{}", serde_json::to_string_pretty(&summary).unwrap_or_default());
            } else {
                print_run_summary(&summary);
            }
        }),
        cli::Command::Migrate => migrate(&cli.global),
        cli::Command::Emit(args) => emit::emit(&cli.global, args).map(|s| {
            if args.json {
                println!("{}", serde_json::to_string(&s).unwrap_or_default());
            } else {
                println!(
                    "emitted {} entries to `{}` in {:.1} s ({:.0}/s): {} valid, {} duplicates, {} invalid {:?}",
                    s.written,
                    s.stream,
                    s.elapsed_secs,
                    s.rate,
                    s.valid,
                    s.duplicates,
                    s.invalid.values().sum::<u64>(),
                    s.invalid
                );
            }
        }),
        cli::Command::VerifyExport(args) => export_cmd::verify_export(&cli.global, args),
        cli::Command::Verify(args) => verify_cmd::verify(&cli.global, args),
        cli::Command::Trace(args) => views_cmd::trace(&cli.global, args),
        cli::Command::Revocations(args) => views_cmd::revocations(&cli.global, args),
        cli::Command::LegalHold(command) => legal_hold_cmd::legal_hold(&cli.global, command),
        cli::Command::Retention(command) => retention_cmd::retention(&cli.global, command),
        cli::Command::Search(args) => search::run(&cli.global, args),
        cli::Command::Dlq(command) => dlq_cmd::dlq(&cli.global, command),
        cli::Command::Export(export_cmd::ExportCommand::AthenaDdl(args)) => export_cmd::athena_ddl(args),
        cli::Command::Bench(command) => bench::bench(&cli.global, command),
    }
}

fn migrate(global: &cli::GlobalArgs) -> anyhow::Result<()> {
    let settings = settings::resolve(global, None)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let pool = run::prepare_postgres(&settings, std::time::Duration::from_secs(10)).await?;
        let c = auditflow_sinks::postgres::client(&pool).await?;
        let row = c.query_one("SELECT max(version) FROM auditflow_schema_migrations", &[]).await?;
        let version: Option<i32> = row.get(0);
        println!("ledger schema at version {} in {}", version.unwrap_or(0), run::redact(&settings.database_url));
        Ok(())
    })
}

fn print_run_summary(s: &run::RunSummary) {
    println!("auditflow run finished in {:.1} s", s.elapsed_secs);
    println!("  read from the stream     {:>10}  ({:.0} events/s)", s.read, s.events_per_sec);
    println!("  stored in the ledger     {:>10}", s.stored);
    println!("  duplicates dropped       {:>10}", s.duplicates_dropped);
    println!("  tampered replays (DLQ)   {:>10}", s.tamper_on_replay);
    println!("  dead-lettered this run   {:>10}", s.dead_lettered);
    println!("  ledger rows in total     {:>10}", s.ledger_rows_total);
    println!("  still pending in group   {:>10}", s.pending);
    println!(
        "  archived this run        {:>10}  ({} files, {:.1} MiB, {} manifests) to {}",
        s.exported_rows,
        s.exported_files,
        s.exported_bytes as f64 / (1024.0 * 1024.0),
        s.export_manifests,
        s.export_url
    );
    println!(
        "  tamper sweeps            {:>10}  (last one checked {} rows; {} new findings{})",
        s.tamper_sweeps,
        s.tamper_last_sweep_rows,
        s.tamper_findings,
        if s.tamper_findings > 0 { ": see audit_ingest_alerts, run `auditflow verify`" } else { "" }
    );
    if !s.dlq_by_reason.is_empty() {
        println!("  DLQ by reason:");
        for (reason, n) in &s.dlq_by_reason {
            println!("    {reason:<34} {n:>8}");
        }
    }
}
