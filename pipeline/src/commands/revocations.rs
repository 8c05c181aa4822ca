//! `auditflow revocations`: revocation propagation, or the violations, from the live view.

use crate::connect::prepare_postgres;
use crate::queries::views::revocation_rows;
use crate::settings::flags::{GlobalFlags, PostgresFlags, SettingsFlags};
use crate::settings::{self, ConfigError};
use clap::Args;
use serde::Serialize;

/// `auditflow revocations`.
#[derive(Debug, Args, Serialize)]
pub struct RevocationsArgs {
    /// Only this zone.
    #[arg(long, value_name = "ZONE")]
    pub zone: Option<String>,
    /// List the violations (allows on revoked sessions after the grace period) instead.
    #[arg(long)]
    pub violations: bool,
    /// Rows to show at most.
    #[arg(long, default_value_t = 100)]
    pub limit: i64,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub postgres: PostgresFlags,
}

impl RevocationsArgs {
    /// The settings flags this command was given: the ledger's location.
    pub fn flags(&self) -> SettingsFlags {
        SettingsFlags::with_postgres(&self.postgres)
    }
}

/// Runs `revocations`.
pub fn run(global: &GlobalFlags, args: &RevocationsArgs) -> anyhow::Result<()> {
    if args.limit < 1 {
        return Err(ConfigError::new("--limit", "must be at least 1").into());
    }
    let settings = settings::resolve(global, &args.flags())?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let rows = runtime.block_on(async {
        let pool = prepare_postgres(&settings, std::time::Duration::from_secs(10)).await?;
        let c = auditflow_ledger::postgres::client(&pool).await?;
        let zones = args.zone.clone().map(|z| vec![z]);
        revocation_rows(&c, zones.as_deref(), args.violations, args.limit).await
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows).unwrap_or_default());
        return Ok(());
    }
    let s = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&chrono::Utc).format("%Y-%m-%d %H:%M:%S%.3fZ").to_string())
            .unwrap_or_else(|_| s.clone()),
        serde_json::Value::Null => "-".into(),
        other => other.to_string(),
    };
    if args.violations {
        println!("{:<24} {:<16} {:<18} {:<24} {:>8}", "violating event", "agent session", "revocation", "at", "lag s");
        for r in &rows {
            println!(
                "{:<24} {:<16} {:<18} {:<24} {:>8}",
                s(&r["event_id"]),
                s(&r["agent_session_id"]),
                s(&r["revocation_event_id"]),
                s(&r["occurred_at"]),
                s(&r["lag_seconds"])
            );
        }
        println!("{} violation(s)", rows.len());
    } else {
        println!(
            "{:<18} {:<10} {:<14} {:<26} {:>8} {:<26} {:>10}",
            "revocation", "zone", "root", "revoked at", "affected", "first deny after", "violations"
        );
        for r in &rows {
            let affected = r["affected"].as_array().map_or(0, Vec::len);
            println!(
                "{:<18} {:<10} {:<14} {:<26} {:>8} {:<26} {:>10}",
                s(&r["revocation_event_id"]),
                s(&r["zone_id"]),
                s(&r["root"]),
                s(&r["revoked_at"]),
                affected,
                s(&r["first_deny_after"]),
                s(&r["violations"])
            );
        }
        println!("{} revocation(s)", rows.len());
    }
    Ok(())
}
