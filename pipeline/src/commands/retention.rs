//! `auditflow retention apply|history` (SPEC §3): drop the ledger's monthly partitions past
//! the retention, never one under an active legal hold or not yet archived, and create the
//! coming months; list what retention dropped, when and for whom.

use crate::commands::legal_hold::who;
use crate::connect::prepare_postgres;
use crate::settings;
use crate::settings::flags::{GlobalFlags, PostgresFlags, RetentionFlags, SettingsFlags};
use anyhow::Context;
use auditflow_ledger::retention::{Decision, RetentionReport};
use clap::{Args, Subcommand};

/// `auditflow retention …`.
#[derive(Debug, Subcommand, serde::Serialize)]
pub enum RetentionCommand {
    /// Drop every monthly partition of `audit_events` whose month ended more than
    /// --retention-days ago, unless an active legal hold overlaps it or the archive does not
    /// have all its rows yet; create this month and the next three. Each drop is recorded
    /// (append-only) in the same transaction; `verify` and `verify-export` still account for
    /// every retired position through the id index.
    Apply(ApplyArgs),
    /// List past drops: partition, months, rows, retention, who, database login, when.
    History(HistoryArgs),
}

/// The settings every `retention` command uses: the ledger and the retention.
#[derive(Debug, Args, serde::Serialize)]
pub struct RetentionSettings {
    #[command(flatten)]
    postgres: PostgresFlags,
    #[command(flatten)]
    retention: RetentionFlags,
}

/// `retention apply`.
#[derive(Debug, Args, serde::Serialize)]
pub struct ApplyArgs {
    /// Only print what would be dropped and created; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Who applies it, recorded with each drop [default: $USER].
    #[arg(long)]
    pub by: Option<String>,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub settings: RetentionSettings,
}

/// `retention history`.
#[derive(Debug, Args, serde::Serialize)]
pub struct HistoryArgs {
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub settings: RetentionSettings,
}

impl RetentionCommand {
    /// The settings flags this command was given.
    pub fn flags(&self) -> SettingsFlags {
        let RetentionSettings { postgres, retention } = match self {
            RetentionCommand::Apply(a) => &a.settings,
            RetentionCommand::History(a) => &a.settings,
        };
        SettingsFlags { postgres: postgres.clone(), retention: retention.clone(), ..SettingsFlags::default() }
    }
}

/// Runs `retention …`.
pub fn run(global: &GlobalFlags, command: &RetentionCommand) -> anyhow::Result<()> {
    let by = match command {
        RetentionCommand::Apply(a) => Some(who(&a.by)?),
        RetentionCommand::History(_) => None,
    };
    let settings = settings::resolve(global, &command.flags())?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let pool = prepare_postgres(&settings, std::time::Duration::from_secs(10)).await?;
        match command {
            RetentionCommand::Apply(a) => {
                let by = by.as_deref().unwrap_or("auditflow");
                let report = auditflow_ledger::retention::apply(
                    &pool,
                    settings.retention_days,
                    by,
                    a.dry_run,
                    chrono::Utc::now(),
                )
                .await
                .context("apply retention")?;
                if a.json {
                    println!("{}", serde_json::to_string_pretty(&report)?);
                } else {
                    print_report(&report);
                }
            }
            RetentionCommand::History(h) => {
                let c = auditflow_ledger::postgres::client(&pool).await?;
                let drops = auditflow_ledger::postgres::json_rows(
                    &c,
                    "SELECT json_build_object('id', id, 'partition', partition_name, 'from', from_at, 'until', until_at, \
                        'rows', rows_dropped, 'retention_days', retention_days, 'requested_by', requested_by, \
                        'db_user', db_user, 'dropped_at', dropped_at)::text \
                     FROM audit_retention_drops ORDER BY id",
                    &[],
                    "read the retention drops",
                )
                .await?;
                if h.json {
                    println!("{}", serde_json::to_string_pretty(&drops)?);
                } else {
                    let s = |v: &serde_json::Value| v.as_str().map(str::to_owned).unwrap_or_else(|| "-".into());
                    println!("{:>4} {:<22} {:>10} {:>5} {:<16} {:<10} dropped at", "id", "partition", "rows", "days", "by", "login");
                    for d in &drops {
                        println!(
                            "{:>4} {:<22} {:>10} {:>5} {:<16} {:<10} {}",
                            d["id"],
                            s(&d["partition"]),
                            d["rows"],
                            d["retention_days"],
                            s(&d["requested_by"]),
                            s(&d["db_user"]),
                            s(&d["dropped_at"])
                        );
                    }
                    println!("{} drop(s)", drops.len());
                }
            }
        }
        anyhow::Ok(())
    })
}

fn print_report(r: &RetentionReport) {
    let verb = if r.dry_run { "would drop" } else { "dropped" };
    println!(
        "retention {} days, from {}; the maximum is {} days",
        r.retention_days, r.retention_source, r.max_retention_days
    );
    println!(
        "events before {} are past it{}",
        r.cutoff.format("%Y-%m-%dT%H:%M:%SZ"),
        if r.dry_run { " (dry run: nothing changed)" } else { "" }
    );
    println!("{:<22} {:>10}  action", "partition", "rows");
    for m in &r.months {
        let rows = m.rows.map(|n| n.to_string()).unwrap_or_else(|| "-".into());
        let action = match &m.decision {
            Decision::Keep => "keep (within retention)".to_owned(),
            Decision::Held { holds } => {
                format!("keep (legal hold {})", holds.iter().map(|h| h.to_string()).collect::<Vec<_>>().join(", "))
            }
            Decision::NotArchived { detail } => format!("keep (not archived yet: {detail})"),
            Decision::Drop => verb.to_owned(),
            Decision::Refused { detail } => format!("keep (refused: {detail})"),
        };
        println!("{:<22} {:>10}  {action}", m.partition, rows);
    }
    println!(
        "{verb} {} partition(s), {} row(s); {} {} month(s) ahead{}",
        r.dropped_partitions,
        r.dropped_rows,
        if r.dry_run { "would create" } else { "created" },
        r.created.len(),
        if r.created.is_empty() {
            String::new()
        } else {
            format!(" ({})", r.created.iter().map(|m| m.format("%Y-%m").to_string()).collect::<Vec<_>>().join(", "))
        }
    );
}
