//! The subcommands, one module each: its clap arguments (the setting flags it uses,
//! flattened from [`crate::settings::flags`], and its own), its work and its output. This
//! file is the index: the command line as a whole and the dispatch.

pub mod archive_report;
pub mod bench;
pub mod dlq;
pub mod emit;
pub mod export;
pub mod legal_hold;
pub mod migrate;
pub mod retention;
pub mod revocations;
pub mod run;
pub mod search;
pub mod trace;
pub mod verify;
pub mod verify_archive;
pub mod verify_export;

use crate::settings::flags::{GlobalFlags, SettingsFlags};
use crate::settings::{self, Resolved};
use clap::{Parser, Subcommand};
use serde::Serialize;

/// auditflow: verified, exactly-once audit evidence from a Redis stream into an
/// append-only, hash-chained Postgres ledger.
///
/// Producers XADD HMAC-signed decision events to `caracal.audit.events`; `auditflow run`
/// verifies each one, dead-letters what fails (with a reason) to `<stream>.dlq`, and writes
/// the rest exactly once into the `audit_events` ledger.
///
/// Quick start: `make demo`, or
///   export AUDIT_HMAC_KEY=$(openssl rand -hex 32)
///   auditflow emit --count 10000 && auditflow run --exit-when-drained
#[derive(Debug, Parser)]
#[command(name = "auditflow", version, propagate_version = true, max_term_width = 100)]
pub struct Cli {
    /// Flags every command takes.
    #[command(flatten)]
    pub global: GlobalFlags,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
// Parsed once per process: boxing `run`'s many flags would save nothing that matters.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand, Serialize)]
pub enum Command {
    /// Run the pipeline: read, verify, dead-letter, commit to the ledger, acknowledge, archive.
    Run(run::RunArgs),
    /// Create or upgrade the ledger schema (tables, partitions, watermarks).
    Migrate(migrate::MigrateArgs),
    /// Publish signed, realistic audit events (demos, tests, load).
    Emit(emit::EmitArgs),
    /// Check the archive against the ledger: manifests, signatures, file hashes and row
    /// counts, every ledger row in exactly one file. Exit 0 clean, 1 problems found.
    VerifyExport(verify_export::VerifyExportArgs),
    /// Check an archive (the main one or the OCSF one) with only read access to the store
    /// and the export public key, no database: manifest chain and signatures, file hashes,
    /// sizes and row counts, every row's content hash and chain link, gaps. Exit 0 clean,
    /// 1 problems found, 2 usage, 3 store unreachable.
    VerifyArchive(verify_archive::VerifyArchiveArgs),
    /// Check the ledger for tampering: recompute every row's hash, walk the chains, check
    /// HMACs and the signed batch heads (or, with --privileges, the database's grants and
    /// triggers). Exit 0 clean, 1 findings, 2 usage, 3 unreachable.
    Verify(verify::VerifyArgs),
    /// Explain one request from the live view (or the ledger, outside the view's window): its
    /// events in order with producer, decision, status, policies, diagnostics and chain
    /// position; the final decision; step-up progress; correlation gaps. Unknown id: exit 1.
    Trace(trace::TraceArgs),
    /// Revocation propagation: per revocation the affected sessions, the first deny after
    /// it and the violations (allows on revoked sessions after the grace period).
    Revocations(revocations::RevocationsArgs),
    /// Search the ledger by zone, time range, request id, decision, event type, session or
    /// agent session; pages follow a cursor and each matching row comes exactly once.
    Search(search::SearchArgs),
    /// Legal holds: keep a zone's evidence for a time range past its retention; recorded
    /// append-only with who, when and why.
    #[command(subcommand)]
    LegalHold(legal_hold::LegalHoldCommand),
    /// Retention: drop monthly partitions past --retention-days (never one under an active
    /// legal hold or not yet archived), create the coming months, list past drops.
    #[command(subcommand)]
    Retention(retention::RetentionCommand),
    /// The dead-letter stream: list, show, and replay entries whose cause is fixed.
    #[command(subcommand)]
    Dlq(dlq::DlqCommand),
    /// Archive helpers (`export athena-ddl`, `export security-lake-setup`).
    #[command(subcommand)]
    Export(export::ExportCommand),
    /// Benchmarks against the configured Redis and Postgres (run by the `auditflow-bench`
    /// binary of `benches/`; `auditflow bench --help` lists them).
    #[serde(skip)]
    Bench(bench::BenchArgs),
}

impl Command {
    /// The setting flags this command was given; `None` for the commands that use no
    /// settings. Each command's own `flags()` decides, so that `--print-settings` shows what
    /// the command resolves when it runs.
    pub fn settings_flags(&self) -> Option<SettingsFlags> {
        Some(match self {
            Command::Run(a) => a.flags(),
            Command::Migrate(a) => a.flags(),
            Command::Emit(a) => a.flags(),
            Command::VerifyExport(a) => a.flags(),
            Command::VerifyArchive(a) => a.flags(),
            Command::Verify(a) => a.flags(),
            Command::Trace(a) => a.flags(),
            Command::Revocations(a) => a.flags(),
            Command::Search(a) => a.flags(),
            Command::LegalHold(c) => c.flags(),
            Command::Retention(c) => c.flags(),
            Command::Dlq(c) => c.flags(),
            Command::Export(_) | Command::Bench(_) => return None,
        })
    }

    /// Commands that only read and print: piped into `head` or a pager that quits early,
    /// they end quietly the Unix way (killed by SIGPIPE, as `ls | head` is) rather than
    /// panicking on the failed print. Commands that write keep Rust's default (SIGPIPE
    /// ignored): they finish their work, and a failed print is their only casualty.
    pub fn only_reads(&self) -> bool {
        matches!(
            self,
            Command::Trace(_)
                | Command::Revocations(_)
                | Command::Search(_)
                | Command::Verify(_)
                | Command::VerifyExport(_)
                | Command::VerifyArchive(_)
                | Command::Export(_)
                | Command::Dlq(dlq::DlqCommand::List(_) | dlq::DlqCommand::Show(_))
                | Command::LegalHold(legal_hold::LegalHoldCommand::List(_))
                | Command::Retention(retention::RetentionCommand::History(_))
        )
    }
}

/// The command line as given, except when the binary is invoked as `audit` (the path
/// Caracal's Helm chart runs, `/usr/local/bin/audit`, with no arguments): then it is
/// `auditflow run` with whatever global flags were given.
///
/// ```
/// use auditflow_pipeline::commands::as_invoked;
/// let args = |a: &[&str]| a.iter().map(std::ffi::OsString::from).collect::<Vec<_>>();
/// assert_eq!(as_invoked(args(&["/usr/local/bin/audit"])), args(&["/usr/local/bin/audit", "run"]));
/// assert_eq!(as_invoked(args(&["audit", "--print-settings"])), args(&["audit", "run", "--print-settings"]));
/// assert_eq!(as_invoked(args(&["auditflow", "verify"])), args(&["auditflow", "verify"]));
/// ```
pub fn as_invoked(args: impl IntoIterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let mut args: Vec<std::ffi::OsString> = args.into_iter().collect();
    let as_audit = args.first().and_then(|a| std::path::Path::new(a).file_name()).is_some_and(|n| n == "audit");
    if as_audit {
        args.insert(1, "run".into());
    }
    args
}

/// Runs the command (or, with `--print-settings`, only shows what it would run with).
pub fn execute(cli: &Cli) -> anyhow::Result<()> {
    let global = &cli.global;
    if global.print_settings {
        return print_settings(cli);
    }
    match &cli.command {
        Command::Run(args) => run::run(global, args),
        Command::Migrate(args) => migrate::run(global, args),
        Command::Emit(args) => emit::run(global, args),
        Command::VerifyExport(args) => verify_export::run(global, args),
        Command::VerifyArchive(args) => verify_archive::run(global, args),
        Command::Verify(args) => verify::run(global, args),
        Command::Trace(args) => trace::run(global, args),
        Command::Revocations(args) => revocations::run(global, args),
        Command::LegalHold(command) => legal_hold::run(global, command),
        Command::Retention(command) => retention::run(global, command),
        Command::Search(args) => search::run(global, args),
        Command::Dlq(command) => dlq::run(global, command),
        Command::Export(command) => export::run(command),
        Command::Bench(args) => bench::run(args),
    }
}

/// `--print-settings`: what the command would run with, resolved and redacted, as JSON.
fn print_settings(cli: &Cli) -> anyhow::Result<()> {
    let settings: Option<Resolved> =
        cli.command.settings_flags().map(|flags| settings::resolve(&cli.global, &flags)).transpose()?;
    let args = match &cli.command {
        Command::Bench(_) => serde_json::Value::Null,
        command => serde_json::to_value(command)?,
    };
    let described = serde_json::json!({
        "settings": settings.map(|s| s.describe()),
        "args": args,
    });
    println!("{}", serde_json::to_string_pretty(&described)?);
    Ok(())
}
