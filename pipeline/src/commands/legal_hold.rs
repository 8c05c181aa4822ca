//! `auditflow legal-hold add|list|release` (SPEC §3): holds that keep evidence past its
//! retention, recorded append-only with who, when and why.

use crate::connect::prepare_postgres;
use crate::settings::flags::{GlobalFlags, PostgresFlags, SettingsFlags};
use crate::settings::{self, ConfigError};
use anyhow::Context;
use clap::{Args, Subcommand};

/// `auditflow legal-hold …`.
#[derive(Debug, Subcommand, serde::Serialize)]
pub enum LegalHoldCommand {
    /// Place a hold: no monthly partition overlapping [from, until) is dropped for the zone's
    /// sake while the hold is active. Prints the hold's id.
    Add(AddArgs),
    /// List active holds (with `--all`, released ones too, with who released them and why).
    List(ListArgs),
    /// Release a hold (recorded beside it; the hold itself is never edited).
    Release(ReleaseArgs),
}

/// `legal-hold add`.
#[derive(Debug, Args, serde::Serialize)]
pub struct AddArgs {
    /// The zone whose events the hold keeps.
    #[arg(long)]
    pub zone: String,
    /// Start of the held event time, RFC 3339 (inclusive).
    #[arg(long, value_name = "TIME")]
    pub from: String,
    /// End of the held event time, RFC 3339 (exclusive).
    #[arg(long, value_name = "TIME")]
    pub until: String,
    #[command(flatten)]
    pub record: Record,
    #[command(flatten)]
    pub postgres: PostgresFlags,
}

/// `legal-hold list`.
#[derive(Debug, Args, serde::Serialize)]
pub struct ListArgs {
    /// Include released holds.
    #[arg(long)]
    pub all: bool,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub postgres: PostgresFlags,
}

/// `legal-hold release`.
#[derive(Debug, Args, serde::Serialize)]
pub struct ReleaseArgs {
    /// The hold's id (as `legal-hold list` shows it).
    pub id: i64,
    #[command(flatten)]
    pub record: Record,
    #[command(flatten)]
    pub postgres: PostgresFlags,
}

/// Why and by whom a hold is placed or released, recorded with it.
#[derive(Debug, Args, serde::Serialize)]
pub struct Record {
    /// Why: a case number, a regulator's request (required).
    #[arg(long)]
    pub reason: String,
    /// Who acts [default: $USER].
    #[arg(long)]
    pub by: Option<String>,
}

/// A release that cannot happen: exit 1 with the reason.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HoldRefused(pub String);

/// Who acts: `--by`, else `$USER`; recorded with holds, releases and retention drops.
pub fn who(by: &Option<String>) -> Result<String, ConfigError> {
    by.clone()
        .or_else(|| std::env::var("USER").ok())
        .filter(|w| !w.trim().is_empty())
        .ok_or_else(|| ConfigError::new("--by", "say who acts (there is no $USER to default to)"))
}

fn time(flag: &str, text: &str) -> Result<chrono::DateTime<chrono::Utc>, ConfigError> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| ConfigError::new(flag, format!("{text:?} is not an RFC 3339 time such as 2026-01-01T00:00:00Z")))
}

impl LegalHoldCommand {
    /// The settings flags this command was given.
    pub fn flags(&self) -> SettingsFlags {
        SettingsFlags::with_postgres(match self {
            LegalHoldCommand::Add(a) => &a.postgres,
            LegalHoldCommand::List(a) => &a.postgres,
            LegalHoldCommand::Release(a) => &a.postgres,
        })
    }
}

/// Runs `legal-hold …`.
pub fn run(global: &GlobalFlags, command: &LegalHoldCommand) -> anyhow::Result<()> {
    // Check the input before touching the database.
    match command {
        LegalHoldCommand::Add(a) => {
            let (from, until) = (time("--from", &a.from)?, time("--until", &a.until)?);
            if from >= until {
                return Err(ConfigError::new("--until", "must be later than --from").into());
            }
            if a.zone.trim().is_empty() {
                return Err(ConfigError::new("--zone", "must not be empty").into());
            }
            if a.record.reason.trim().is_empty() {
                return Err(ConfigError::new("--reason", "say why the hold is placed").into());
            }
            who(&a.record.by)?;
        }
        LegalHoldCommand::Release(r) => {
            if r.record.reason.trim().is_empty() {
                return Err(ConfigError::new("--reason", "say why the hold is released").into());
            }
            who(&r.record.by)?;
        }
        LegalHoldCommand::List(_) => {}
    }
    let settings = settings::resolve(global, &command.flags())?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let pool = prepare_postgres(&settings, std::time::Duration::from_secs(10)).await?;
        let mut c = auditflow_ledger::postgres::client(&pool).await?;
        match command {
            LegalHoldCommand::Add(a) => {
                let (from, until) = (time("--from", &a.from)?, time("--until", &a.until)?);
                // Under the partition lock, so a retention pass running now either drops a
                // month before the hold exists or sees the hold.
                let tx = c.transaction().await.context("begin")?;
                tx.execute("SELECT pg_advisory_xact_lock($1)", &[&auditflow_ledger::partitions::PARTITION_LOCK_KEY])
                    .await
                    .context("take the partition lock")?;
                let row = tx
                    .query_one(
                        "INSERT INTO audit_legal_holds (zone_id, from_at, until_at, reason, created_by) \
                         VALUES ($1, $2, $3, $4, $5) RETURNING id",
                        &[&a.zone, &from, &until, &a.record.reason, &who(&a.record.by)?],
                    )
                    .await
                    .context("record the legal hold")?;
                let retired = tx
                    .query(
                        "SELECT partition_name, dropped_at::text FROM audit_retention_drops \
                         WHERE from_at < $2 AND until_at > $1 ORDER BY from_at",
                        &[&from, &until],
                    )
                    .await
                    .context("read the retention drops")?;
                tx.commit().await.context("commit the legal hold")?;
                let id: i64 = row.get(0);
                println!("legal hold {id} placed on zone {} from {} until {}", a.zone, a.from, a.until);
                for r in retired {
                    eprintln!(
                        "warning: {} (within the hold) was already dropped by retention at {}; the archive still has it",
                        r.get::<_, String>(0),
                        r.get::<_, String>(1)
                    );
                }
            }
            LegalHoldCommand::Release(r) => {
                let held = c
                    .query_opt(
                        "SELECT h.id, r.released_at IS NOT NULL FROM audit_legal_holds h \
                         LEFT JOIN audit_legal_hold_releases r ON r.hold_id = h.id WHERE h.id = $1",
                        &[&r.id],
                    )
                    .await
                    .context("read the legal hold")?;
                match held {
                    None => return Err(HoldRefused(format!("there is no legal hold {}", r.id)).into()),
                    Some(row) if row.get::<_, bool>(1) => {
                        return Err(HoldRefused(format!("legal hold {} is already released", r.id)).into())
                    }
                    Some(_) => {}
                }
                c.execute(
                    "INSERT INTO audit_legal_hold_releases (hold_id, reason, released_by) VALUES ($1, $2, $3)",
                    &[&r.id, &r.record.reason, &who(&r.record.by)?],
                )
                .await
                .context("record the release")?;
                println!("legal hold {} released", r.id);
            }
            LegalHoldCommand::List(l) => {
                let holds = auditflow_ledger::postgres::json_rows(
                    &c,
                    "SELECT json_build_object('id', h.id, 'zone_id', h.zone_id, 'from', h.from_at, 'until', h.until_at, \
                        'reason', h.reason, 'created_by', h.created_by, 'db_user', h.db_user, 'created_at', h.created_at, \
                        'released_at', r.released_at, 'released_by', r.released_by, 'release_reason', r.reason)::text \
                     FROM audit_legal_holds h LEFT JOIN audit_legal_hold_releases r ON r.hold_id = h.id \
                     WHERE $1 OR r.hold_id IS NULL ORDER BY h.id",
                    &[&l.all],
                    "read the legal holds",
                )
                .await?;
                if l.json {
                    println!("{}", serde_json::to_string_pretty(&holds)?);
                } else {
                    let s = |v: &serde_json::Value| v.as_str().map(str::to_owned).unwrap_or_else(|| "-".into());
                    println!("{:>4} {:<10} {:<32} {:<32} {:<14} {:<10} reason", "id", "zone", "from", "until", "by", "released");
                    for h in &holds {
                        println!(
                            "{:>4} {:<10} {:<32} {:<32} {:<14} {:<10} {}",
                            h["id"],
                            s(&h["zone_id"]),
                            s(&h["from"]),
                            s(&h["until"]),
                            s(&h["created_by"]),
                            if h["released_at"].is_null() { "active".to_owned() } else { s(&h["released_by"]) },
                            s(&h["reason"])
                        );
                    }
                    println!("{} hold(s)", holds.len());
                }
            }
        }
        anyhow::Ok(())
    })
}
