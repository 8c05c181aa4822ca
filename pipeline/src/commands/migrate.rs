//! `auditflow migrate`: create or upgrade the ledger schema (`run` does it too), or adopt
//! the ledger of Caracal's audit service, which only this command does.

use crate::commands::verify::{caracal_keys, FindingsReported};
use crate::connect::{adopt_caracal_ledger, connect_postgres, prepare_postgres};
use crate::settings::flags::{GlobalFlags, PostgresFlags, ProducerKeyFlags, SettingsFlags};
use crate::settings::{self, redact};
use clap::Args;
use serde::Serialize;

/// `auditflow migrate`.
#[derive(Debug, Args, Serialize)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub postgres: PostgresFlags,
    /// Caracal keys its `chain_hmac` with the producers' key: give it (`AUDIT_HMAC_KEY`) so
    /// that adopting a Caracal ledger checks Caracal's HMACs too, not only its hashes and links.
    #[command(flatten)]
    pub producer_keys: ProducerKeyFlags,
    /// Adopt a Caracal ledger even though Caracal's algorithm finds problems in it; `verify`
    /// keeps reporting them. Without it, `migrate` lists them, changes nothing and exits 1.
    #[arg(long)]
    pub adopt_broken_caracal_ledger: bool,
    /// In a Caracal install Caracal's migrations create the audit tables: wait up to SECS for
    /// them, then adopt them, rather than create auditflow's own (which Caracal's baseline
    /// migration, run afterwards, could not create again). For installs that may run
    /// `auditflow migrate` before Caracal's migration job.
    #[arg(long, env = "AUDITFLOW_WAIT_FOR_CARACAL_SECS", value_name = "SECS")]
    pub wait_for_caracal: Option<u64>,
}

impl MigrateArgs {
    /// The settings flags this command was given: the ledger's location and the producers' keys.
    pub fn flags(&self) -> SettingsFlags {
        SettingsFlags { producer_keys: self.producer_keys.clone(), ..SettingsFlags::with_postgres(&self.postgres) }
    }
}

/// Findings printed before the adoption is refused or goes ahead.
const PRINTED: usize = 20;

/// Runs `migrate`: prints the schema version the ledger is at afterwards.
pub fn run(global: &GlobalFlags, args: &MigrateArgs) -> anyhow::Result<()> {
    let settings = settings::resolve(global, &args.flags())?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let timeout = std::time::Duration::from_secs(10);
        let pool = connect_postgres(&settings, timeout).await?;
        if let Some(secs) = args.wait_for_caracal {
            wait_for_caracal_tables(&pool, std::time::Duration::from_secs(secs)).await?;
        }
        if auditflow_ledger::adopt::holds_unadopted_caracal_ledger(&pool).await? {
            let keys = caracal_keys(&settings)?;
            let report =
                auditflow_ledger::verify::caracal_walk::verify_caracal_rows(&pool, keys.as_ref(), None, false).await?;
            println!(
                "found Caracal's audit ledger: {} rows in {} zones, checked with Caracal's algorithm",
                report.rows,
                report.zones
            );
            if keys.is_none() {
                println!("  note: no AUDIT_HMAC_KEY given: Caracal's chain_hmac values were not checked");
            }
            if report.without_hmac > 0 {
                println!("  note: {} rows carry no chain_hmac (Caracal ran without a key)", report.without_hmac);
            }
            for f in report.findings.iter().take(PRINTED) {
                println!("  {} at position {}: {}", f.kind, f.position().map_or(0, |p| p.1), f.detail);
            }
            if report.findings.len() > PRINTED {
                println!("  … and {} more", report.findings.len() - PRINTED);
            }
            if !report.findings.is_empty() && !args.adopt_broken_caracal_ledger {
                eprintln!(
                    "error: Caracal's ledger is already broken ({} findings above); nothing was changed. Adopt it anyway \
                     with --adopt-broken-caracal-ledger (verify will keep reporting these findings)",
                    report.findings.len()
                );
                return Err(FindingsReported(report.findings.len()).into());
            }
            let zones = adopt_caracal_ledger(&settings, &pool).await?;
            println!(
                "adopted: {zones} zones continue their chains from Caracal's heads; no row was changed{}",
                if report.findings.is_empty() { "" } else { " (adopted with the findings above)" }
            );
        }
        let pool = prepare_postgres(&settings, timeout).await?;
        let c = auditflow_ledger::postgres::client(&pool).await?;
        let row = c.query_one("SELECT max(version) FROM auditflow_schema_migrations", &[]).await?;
        let version: Option<i32> = row.get(0);
        println!("ledger schema at version {} in {}", version.unwrap_or(0), redact(&settings.database_url));
        Ok(())
    })
}

/// Waits until the database has an `audit_events` table (Caracal's, from its migrations, or
/// one adopted already), polling every second and saying so every ten.
async fn wait_for_caracal_tables(pool: &deadpool_postgres::Pool, patience: std::time::Duration) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let mut said = None::<std::time::Instant>;
    loop {
        let c = auditflow_ledger::postgres::client(pool).await?;
        let present: bool = c.query_one("SELECT to_regclass('public.audit_events') IS NOT NULL", &[]).await?.get(0);
        drop(c);
        if present {
            if said.is_some() {
                println!("Caracal's audit tables are there after {} s", started.elapsed().as_secs());
            }
            return Ok(());
        }
        if started.elapsed() >= patience {
            anyhow::bail!(
                "Caracal's migrations did not create audit_events within {} s; nothing was changed. Run Caracal's \
                 migration job against this database (or leave out --wait-for-caracal to give auditflow a ledger of \
                 its own)",
                patience.as_secs()
            );
        }
        if said.is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(10)) {
            println!(
                "waiting for Caracal's migrations to create audit_events ({} s left)",
                patience.saturating_sub(started.elapsed()).as_secs()
            );
            said = Some(std::time::Instant::now());
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}
