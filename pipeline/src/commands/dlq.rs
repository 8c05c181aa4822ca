//! `auditflow dlq list|show|replay` (SPEC §2): the dead-letter stream, listed, shown and
//! replayed from the command line. Reading and replaying are [`crate::queries::dead_letters`],
//! which the API shares.

use crate::connect;
use crate::queries::dead_letters::{read_dlq, read_one, replay_entries, NotInDlq, ReplayRequest};
use crate::settings::flags::{
    DeadLetterFlags, GlobalFlags, ProducerKeyFlags, RedisFlags, RevocationFlags, SettingsFlags,
};
use crate::settings::{self, ConfigError};
use auditflow_schemas::wire::Limits;
use clap::{Args, Subcommand};
use serde::Serialize;

/// The settings every `dlq` command uses.
#[derive(Debug, Args, Clone, Serialize)]
pub struct DlqSettings {
    #[command(flatten)]
    redis: RedisFlags,
    #[command(flatten)]
    streams: DeadLetterFlags,
    #[command(flatten)]
    revocations: RevocationFlags,
    #[command(flatten)]
    producer_keys: ProducerKeyFlags,
}

impl DlqSettings {
    /// These flags, the other settings at their defaults.
    pub fn flags(&self) -> SettingsFlags {
        SettingsFlags {
            redis: self.redis.clone(),
            streams: self.streams.clone(),
            revocations: self.revocations.clone(),
            producer_keys: self.producer_keys.clone(),
            ..SettingsFlags::default()
        }
    }
}

/// `auditflow dlq …`.
#[derive(Debug, Subcommand, Serialize)]
pub enum DlqCommand {
    /// List dead letters, oldest first: id, reason, source entry, event id, when received.
    List(ListArgs),
    /// Show one dead letter with every field (the original entry's fields as `src_*`).
    Show(ShowArgs),
    /// Re-publish dead letters whose cause is fixed (e.g. after adding a key to the keyring)
    /// to their source stream and remove them from the DLQ. Entries that still fail
    /// verification stay, and the reason they fail now is printed. `tamper_on_replay` entries
    /// are replayed only when `--reason` names them.
    Replay(ReplayArgs),
}

/// `dlq list`.
#[derive(Debug, Args, Serialize)]
pub struct ListArgs {
    /// Only reasons starting with this (e.g. `hmac_verify_failed`, `schema_invalid:zone_id`).
    #[arg(long, value_name = "PREFIX")]
    pub reason: Option<String>,
    /// Entries to show at most.
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub settings: DlqSettings,
}

/// `dlq show`.
#[derive(Debug, Args, Serialize)]
pub struct ShowArgs {
    /// The DLQ entry id (as `dlq list` prints it).
    pub id: String,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub settings: DlqSettings,
}

/// `dlq replay`.
#[derive(Debug, Args, Serialize)]
pub struct ReplayArgs {
    /// Only reasons starting with this.
    #[arg(long, value_name = "PREFIX")]
    pub reason: Option<String>,
    /// Replay at most this many entries.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Report what would be replayed and what still fails; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub settings: DlqSettings,
}

impl DlqCommand {
    /// The settings flags this command was given.
    pub fn flags(&self) -> SettingsFlags {
        match self {
            DlqCommand::List(a) => a.settings.flags(),
            DlqCommand::Show(a) => a.settings.flags(),
            DlqCommand::Replay(a) => a.settings.flags(),
        }
    }
}

/// Runs `dlq …`.
pub fn run(global: &GlobalFlags, command: &DlqCommand) -> anyhow::Result<()> {
    let settings = settings::resolve(global, &command.flags())?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    match command {
        DlqCommand::List(args) => {
            if args.limit == 0 {
                return Err(ConfigError::new("--limit", "must be at least 1").into());
            }
            let entries = runtime.block_on(async {
                let mut con = connect::redis(&settings).await?;
                read_dlq(&mut con, &settings.dlq_stream, args.reason.as_deref(), args.limit).await
            })?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&entries)?);
                return Ok(());
            }
            println!(
                "{:<18} {:<26} {:<24} {:<24} {:<18} reason",
                "dlq id", "received", "event id", "source", "source id"
            );
            for e in &entries {
                println!(
                    "{:<18} {:<26} {:<24} {:<24} {:<18} {}",
                    e.id,
                    e.received(),
                    if e.src_id.is_empty() { "-" } else { &e.src_id },
                    e.src_stream,
                    e.src_stream_id,
                    e.reason
                );
            }
            println!(
                "{} entr{} in {}",
                entries.len(),
                if entries.len() == 1 { "y" } else { "ies" },
                settings.dlq_stream
            );
            Ok(())
        }
        DlqCommand::Show(args) => {
            let entry = runtime.block_on(async {
                let mut con = connect::redis(&settings).await?;
                read_one(&mut con, &settings.dlq_stream, &args.id).await
            })?;
            let Some(entry) = entry else {
                return Err(NotInDlq(args.id.clone(), settings.dlq_stream.clone()).into());
            };
            if args.json {
                println!("{}", serde_json::to_string_pretty(&entry)?);
                return Ok(());
            }
            println!("dlq id        {}", entry.id);
            println!("reason        {}", entry.reason);
            println!("received      {} by {}", entry.received(), entry.consumer);
            println!("source        {} {}", entry.src_stream, entry.src_stream_id);
            println!("event id      {}", if entry.src_id.is_empty() { "-" } else { &entry.src_id });
            for (k, v) in &entry.original {
                println!("field {k:<8} {}", String::from_utf8_lossy(v));
            }
            Ok(())
        }
        DlqCommand::Replay(args) => replay(&settings, &runtime, args),
    }
}

fn replay(settings: &settings::Resolved, runtime: &tokio::runtime::Runtime, args: &ReplayArgs) -> anyhow::Result<()> {
    let keyring = settings.keyring(false)?;
    let limits = Limits { max_data_bytes: settings.max_event_bytes };
    let request = ReplayRequest { reason: args.reason.clone(), limit: args.limit, dry_run: args.dry_run };
    let report = runtime.block_on(async {
        let mut con = connect::redis(settings).await?;
        replay_entries(
            &mut con,
            &settings.dlq_stream,
            &keyring,
            &limits,
            settings.revocation_stream.as_deref(),
            &request,
        )
        .await
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let verb = if args.dry_run { "would replay" } else { "replayed" };
    println!("{verb} {} entr{}", report.replayed.len(), if report.replayed.len() == 1 { "y" } else { "ies" });
    let mut by_reason: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for (_, reason) in &report.still_failing {
        *by_reason.entry(reason.split(':').next().unwrap_or_default()).or_default() += 1;
    }
    for (reason, n) in by_reason {
        println!("still failing: {n} ({reason}); they stay in the DLQ");
    }
    if report.skipped_tamper > 0 {
        println!(
            "left alone: {} tamper_on_replay entr{} (replay them with --reason tamper_on_replay)",
            report.skipped_tamper,
            if report.skipped_tamper == 1 { "y" } else { "ies" }
        );
    }
    if report.gone > 0 {
        println!(
            "{} entr{} already replayed by someone else",
            report.gone,
            if report.gone == 1 { "y was" } else { "ies were" }
        );
    }
    Ok(())
}
