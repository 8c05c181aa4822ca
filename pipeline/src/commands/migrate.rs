//! `auditflow migrate`: create or upgrade the ledger schema (`run` does it too).

use crate::connect::prepare_postgres;
use crate::settings::flags::{GlobalFlags, PostgresFlags, SettingsFlags};
use crate::settings::{self, redact};
use clap::Args;
use serde::Serialize;

/// `auditflow migrate`.
#[derive(Debug, Args, Serialize)]
pub struct MigrateArgs {
    #[command(flatten)]
    pub postgres: PostgresFlags,
}

impl MigrateArgs {
    /// The settings flags this command was given: the ledger's location.
    pub fn flags(&self) -> SettingsFlags {
        SettingsFlags::with_postgres(&self.postgres)
    }
}

/// Runs `migrate`: prints the schema version the ledger is at afterwards.
pub fn run(global: &GlobalFlags, args: &MigrateArgs) -> anyhow::Result<()> {
    let settings = settings::resolve(global, &args.flags())?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let pool = prepare_postgres(&settings, std::time::Duration::from_secs(10)).await?;
        let c = auditflow_sinks::postgres::client(&pool).await?;
        let row = c.query_one("SELECT max(version) FROM auditflow_schema_migrations", &[]).await?;
        let version: Option<i32> = row.get(0);
        println!("ledger schema at version {} in {}", version.unwrap_or(0), redact(&settings.database_url));
        Ok(())
    })
}
