//! `auditflow trace`: one request explained from the live view (or the ledger, outside the
//! view's window).

use crate::connect::prepare_postgres;
use crate::queries::views::{load_trace, UnknownRequest};
use crate::settings::flags::{GlobalFlags, PostgresFlags, SettingsFlags};
use crate::settings::{self, ConfigError};
use auditflow_schemas::view::RequestTrace;
use clap::Args;
use serde::Serialize;

/// `auditflow trace`.
#[derive(Debug, Args, Serialize)]
pub struct TraceArgs {
    /// The request id (`^[A-Za-z0-9_.\-:]{1,128}$`).
    pub request_id: String,
    /// Print the trace as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub postgres: PostgresFlags,
}

impl TraceArgs {
    /// The settings flags this command was given: the ledger's location.
    pub fn flags(&self) -> SettingsFlags {
        SettingsFlags::with_postgres(&self.postgres)
    }
}

/// Runs `trace`.
pub fn run(global: &GlobalFlags, args: &TraceArgs) -> anyhow::Result<()> {
    if !auditflow_schemas::wire::is_valid_request_id(&args.request_id) {
        return Err(ConfigError::new(
            "<REQUEST_ID>",
            format!("{:?} is not a request id: 1 to 128 of A-Z a-z 0-9 _ . - :", args.request_id),
        )
        .into());
    }
    let settings = settings::resolve(global, &args.flags())?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (trace, source) = runtime
        .block_on(async {
            let pool = prepare_postgres(&settings, std::time::Duration::from_secs(10)).await?;
            load_trace(&pool, &args.request_id, None).await
        })?
        .unzip();
    let source = source.unwrap_or_default();
    let Some(trace) = trace else {
        return Err(UnknownRequest(args.request_id.clone()).into());
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&trace).unwrap_or_default());
    } else {
        print_trace(&trace, &source);
    }
    Ok(())
}

fn print_trace(t: &RequestTrace, source: &str) {
    println!("request {}  (zone {}; from {source})", t.request_id, t.zone_id);
    println!(
        "  final decision: {}   {} event(s), {} .. {}",
        t.final_decision.as_deref().unwrap_or("-").to_uppercase(),
        t.steps.len(),
        time(t.first_at_us),
        time(t.last_at_us)
    );
    if !t.session_ids.is_empty() || !t.agent_session_ids.is_empty() {
        println!("  session: {}   agent session: {}", t.session_ids.join(", "), t.agent_session_ids.join(", "));
    }
    if let Some(su) = &t.step_up {
        println!(
            "  step-up: issued {}, decided {}, consumed {}",
            if su.issued { "yes" } else { "no" },
            su.decided.as_deref().unwrap_or("no"),
            if su.consumed { "yes" } else { "no" }
        );
    }
    println!();
    println!(
        "  {:<24} {:<14} {:<26} {:<10} {:<16} {:<10} event id",
        "time", "producer", "event", "decision", "status", "chain:seq"
    );
    for s in &t.steps {
        println!(
            "  {:<24} {:<14} {:<26} {:<10} {:<16} {:<10} {}",
            time(s.occurred_at_us),
            s.producer,
            s.event_type,
            s.decision.as_deref().unwrap_or("-"),
            s.evaluation_status.as_deref().unwrap_or("-"),
            format!("{}:{}", s.chain_id, s.chain_seq),
            s.event_id
        );
        let empty = |j: &Option<String>| j.as_deref().is_none_or(|j| j == "[]" || j == "{}" || j == "null");
        if !empty(&s.determining_policies_json) {
            println!("  {:<24} policies:    {}", "", s.determining_policies_json.as_deref().unwrap_or(""));
        }
        if !empty(&s.diagnostics_json) {
            println!("  {:<24} diagnostics: {}", "", s.diagnostics_json.as_deref().unwrap_or(""));
        }
    }
    if !t.denials.is_empty() {
        println!();
        println!("  denied by: {}", t.denials.join(", "));
    }
    for gap in &t.gaps {
        println!("  correlation gap: {gap}");
    }
}

fn time(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}
