//! `auditflow trace` and `auditflow revocations`: the live views, read.

use crate::cli::GlobalArgs;
use crate::settings::{self, ConfigError};
use anyhow::Context;
use auditflow_schemas::view::{RequestTrace, StoredTrace, TraceSummary};
use clap::Args;

/// `auditflow trace`.
#[derive(Debug, Args, serde::Serialize)]
pub struct TraceArgs {
    /// The request id (`^[A-Za-z0-9_.\-:]{1,128}$`).
    pub request_id: String,
    /// Print the trace as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `auditflow revocations`.
#[derive(Debug, Args, serde::Serialize)]
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
}

/// The request was not found: exit 1, the message printed.
#[derive(Debug, thiserror::Error)]
#[error("no events with request id {0:?} in the views or the ledger")]
pub struct UnknownRequest(pub String);

fn time(us: i64) -> String {
    chrono::DateTime::from_timestamp_micros(us)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// A request's trace from the ledger rows, and where it stands in the live view: the view
/// stores what it derived and where the rows are; the rows themselves are read from the
/// ledger, so what is shown is the evidence, not a copy of it. `zones` limits the rows read
/// (an API token limited to zones). `None` when no (visible) row has the id.
pub async fn load_trace(
    pool: &deadpool_postgres::Pool,
    request_id: &str,
    zones: Option<&[String]>,
) -> anyhow::Result<Option<(RequestTrace, String)>> {
    let c = auditflow_sinks::postgres::client(pool).await?;
    let stored = c
        .query_opt("SELECT trace::text FROM request_traces WHERE request_id = $1", &[&request_id])
        .await
        .context("read request_traces")?
        .map(|row| serde_json::from_str::<StoredTrace>(&row.get::<_, String>(0)))
        .transpose()
        .context("a stored trace that does not parse")?;
    let events = match zones {
        None => auditflow_sinks::views::read_events(pool, "request_id = $1", &[&request_id]).await?,
        Some(zones) => {
            auditflow_sinks::views::read_events(pool, "request_id = $1 AND zone_id = ANY($2)", &[&request_id, &zones])
                .await?
        }
    };
    if events.is_empty() {
        return Ok(None);
    }
    let trace = RequestTrace::of(request_id, events.iter());
    let source = match stored {
        Some(stored) if stored == TraceSummary::of(request_id, events.iter()).stored => {
            "the live view; event details from the ledger".to_owned()
        }
        Some(stored) => format!(
            "the ledger; the live view has caught up with {} of its {} events",
            stored.events.len(),
            trace.steps.len()
        ),
        None => "the ledger (outside the view window)".to_owned(),
    };
    Ok(Some((trace, source)))
}

/// Rows of the revocation view as JSON: per revocation its status, or (`violations`) the
/// violations; newest first.
pub async fn revocation_rows(
    client: &tokio_postgres::Client,
    zones: Option<&[String]>,
    violations: bool,
    limit: i64,
) -> anyhow::Result<Vec<serde_json::Value>> {
    let zones: Option<Vec<String>> = zones.map(<[String]>::to_vec);
    let sql = if violations {
        "SELECT json_build_object('event_id', event_id, 'revocation_event_id', revocation_event_id, 'zone_id', zone_id, \
            'agent_session_id', agent_session_id, 'occurred_at', occurred_at, 'lag_seconds', lag_ms / 1000.0)::text \
         FROM revocation_violations WHERE $1::text[] IS NULL OR zone_id = ANY($1) ORDER BY occurred_at DESC LIMIT $2"
    } else {
        "SELECT json_build_object('revocation_event_id', p.revocation_event_id, 'zone_id', p.zone_id, 'root', p.root, \
            'revoked_at', p.revoked_at, 'affected', p.affected, 'first_deny_after', p.first_deny_after, \
            'violations', (SELECT count(*) FROM revocation_violations v WHERE v.revocation_event_id = p.revocation_event_id))::text \
         FROM revocation_propagation p WHERE $1::text[] IS NULL OR p.zone_id = ANY($1) ORDER BY p.revoked_at DESC LIMIT $2"
    };
    Ok(auditflow_sinks::postgres::json_rows(client, sql, &[&zones, &limit], "read the revocation view").await?)
}

/// Runs `trace`.
pub fn trace(global: &GlobalArgs, args: &TraceArgs) -> anyhow::Result<()> {
    if !auditflow_schemas::wire::is_valid_request_id(&args.request_id) {
        return Err(ConfigError::new(
            "<REQUEST_ID>",
            format!("{:?} is not a request id: 1 to 128 of A-Z a-z 0-9 _ . - :", args.request_id),
        )
        .into());
    }
    let settings = settings::resolve(global, None)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (trace, source) = runtime
        .block_on(async {
            let pool = crate::run::prepare_postgres_for_reading(&settings, std::time::Duration::from_secs(10)).await?;
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

/// Runs `revocations`.
pub fn revocations(global: &GlobalArgs, args: &RevocationsArgs) -> anyhow::Result<()> {
    if args.limit < 1 {
        return Err(ConfigError::new("--limit", "must be at least 1").into());
    }
    let settings = settings::resolve(global, None)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let rows = runtime.block_on(async {
        let pool = crate::run::prepare_postgres_for_reading(&settings, std::time::Duration::from_secs(10)).await?;
        let c = auditflow_sinks::postgres::client(&pool).await?;
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
