//! `auditflow search`: the ledger searched from the command line, with the filters and
//! cursor pages of the API ([`crate::queries::search`]).

use crate::connect::prepare_postgres;
use crate::queries::search::{self as query, search, RawQuery};
use crate::settings::flags::{GlobalFlags, PostgresFlags, SettingsFlags};
use crate::settings::{self, ConfigError};
use serde::Serialize;

/// `auditflow search`.
#[derive(Debug, clap::Args, Serialize)]
pub struct SearchArgs {
    /// The filters and page, as the API takes them.
    #[command(flatten)]
    pub query: RawQuery,
    // The ledger searched.
    #[command(flatten)]
    pub postgres: PostgresFlags,
    /// Follow the cursor to the last page.
    #[arg(long)]
    pub all: bool,
    /// Print JSON on stdout (one page object per page).
    #[arg(long)]
    pub json: bool,
}

impl SearchArgs {
    /// The settings flags this command was given: the ledger's location.
    pub fn flags(&self) -> SettingsFlags {
        SettingsFlags::with_postgres(&self.postgres)
    }
}

/// Runs `search`.
pub fn run(global: &GlobalFlags, args: &SearchArgs) -> anyhow::Result<()> {
    let mut filters = query::parse(&args.query, None)
        .map_err(|e| ConfigError::new(&format!("--{}", e.parameter.replace('_', "-")), e.message))?;
    let settings = settings::resolve(global, &args.flags())?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let pool = prepare_postgres(&settings, std::time::Duration::from_secs(10)).await?;
        let c = auditflow_ledger::postgres::client(&pool).await?;
        let mut shown = 0usize;
        if !args.json {
            println!(
                "{:<27} {:<10} {:<26} {:<8} {:<20} {:<24} chain:seq",
                "occurred at", "zone", "event", "decision", "request", "id"
            );
        }
        loop {
            let page = search(&c, &filters).await?;
            shown += page.events.len();
            if args.json {
                println!("{}", page.to_json());
            } else {
                for raw in &page.events {
                    let e: serde_json::Value = serde_json::from_str(raw)?;
                    let s = |k: &str| e[k].as_str().unwrap_or("-").to_owned();
                    println!(
                        "{:<27} {:<10} {:<26} {:<8} {:<20} {:<24} {}:{}",
                        s("occurred_at"),
                        s("zone_id"),
                        s("event_type"),
                        s("decision"),
                        s("request_id"),
                        s("id"),
                        e["chain_id"],
                        e["chain_seq"]
                    );
                }
            }
            match page.next_cursor {
                Some(next) if args.all => query::follow(&mut filters, &next)?,
                Some(next) => {
                    if !args.json {
                        println!("{shown} rows; more with --cursor {next} (or --all)");
                    }
                    break;
                }
                None => {
                    if !args.json {
                        println!("{shown} rows");
                    }
                    break;
                }
            }
        }
        anyhow::Ok(())
    })
}
