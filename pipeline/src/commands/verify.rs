//! `auditflow verify`: is the ledger what the pipeline wrote?

use crate::connect::{archive_to_verify, prepare_postgres};
use crate::settings::flags::{EvidenceFlags, GlobalFlags, ProducerKeyFlags, SettingsFlags};
use crate::settings::{self, redact, ConfigError};
use anyhow::Context;
use auditflow_schemas::tamper::{Finding, FindingKind};
use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use std::collections::BTreeMap;
use std::time::Instant;

/// `auditflow verify`.
#[derive(Debug, Args, serde::Serialize)]
pub struct VerifyArgs {
    /// Verify only this zone's chain, from its rows and signed heads alone (what a tenant's
    /// auditor can be handed). Chains closed when a ledger's chains became per zone mix
    /// zones: they are walked whole, and only this zone's findings reported.
    #[arg(long, value_name = "ZONE")]
    pub zone: Option<String>,
    /// Only the batches committed at or after this time (RFC 3339, or YYYY-MM-DD for
    /// midnight UTC), with the link to the row before them.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only the batches committed at or before this time (RFC 3339 or YYYY-MM-DD).
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Instead of the rows, inspect the database's grants and triggers: the writer role may
    /// only INSERT and SELECT evidence, and triggers refuse UPDATE, DELETE and TRUNCATE.
    #[arg(long)]
    pub privileges: bool,
    /// Also compare the ledger with the archive's signed manifests and files
    /// (AUDITFLOW_EXPORT_URL): detects a ledger rewritten by someone holding the ledger keys
    /// but not the export signing key.
    #[arg(long)]
    pub against_archive: bool,
    /// Also trust batch heads signed by this Ed25519 public key (64 hex digits;
    /// repeatable). The keys in AUDITFLOW_LEDGER_HEAD_KEY_FILE, when it exists, are trusted.
    #[arg(long, value_name = "HEX")]
    pub trusted_head_key: Vec<String>,
    /// With --against-archive: also trust manifests signed by this export public key
    /// (repeatable). The key in AUDITFLOW_EXPORT_SIGNING_KEY_FILE, when it exists, is trusted.
    #[arg(long, value_name = "HEX")]
    pub trusted_export_key: Vec<String>,
    #[command(flatten)]
    pub evidence: EvidenceFlags,
    /// In a ledger adopted from Caracal, Caracal's `chain_hmac` is keyed with the producers'
    /// key (`AUDIT_HMAC_KEY`): give it to check them.
    #[command(flatten)]
    pub producer_keys: ProducerKeyFlags,
}

impl VerifyArgs {
    /// The settings flags this command was given: the ledger, its keys, the archive and the
    /// producers' keys.
    pub fn flags(&self) -> SettingsFlags {
        SettingsFlags { producer_keys: self.producer_keys.clone(), ..SettingsFlags::with_evidence(&self.evidence) }
    }
}

/// The producers' keys, when any is configured: Caracal keyed its `chain_hmac` with them.
pub(crate) fn caracal_keys(
    settings: &settings::resolved::Resolved,
) -> Result<Option<auditflow_schemas::keyring::Keyring>, ConfigError> {
    let k = &settings.keys;
    if k.hmac_key.is_none() && k.hmac_key_file.is_none() && k.keyring_file.is_none() {
        return Ok(None);
    }
    settings.keyring(false).map(Some)
}

/// Findings were printed: exit 1.
#[derive(Debug, thiserror::Error)]
#[error("verify found {0} problem(s)")]
pub struct FindingsReported(pub usize);

fn parse_time(value: &str, flag: &str) -> Result<DateTime<Utc>, ConfigError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        if let Some(t) = d.and_hms_opt(0, 0, 0) {
            return Ok(t.and_utc());
        }
    }
    Err(ConfigError::new(flag, format!("{value:?} is not a time: use RFC 3339 (2026-11-23T06:00:00Z) or YYYY-MM-DD")))
}

/// The JSON report.
#[derive(Debug, serde::Serialize)]
struct Report {
    chains: usize,
    rows: u64,
    batches: u64,
    /// Positions whose rows retention dropped, checked through the id index.
    retired: u64,
    rows_per_sec: f64,
    findings: Vec<Finding>,
    counts: BTreeMap<FindingKind, usize>,
    notes: Vec<String>,
    archive: Option<auditflow_archive::anchor::AnchorReport>,
}

/// Runs `verify`.
pub fn run(global: &GlobalFlags, args: &VerifyArgs) -> anyhow::Result<()> {
    let settings = settings::resolve(global, &args.flags())?;
    if args.privileges {
        return privileges(&settings, args.json);
    }
    let since = args.since.as_deref().map(|s| parse_time(s, "--since")).transpose()?;
    let until = args.until.as_deref().map(|s| parse_time(s, "--until")).transpose()?;
    if let (Some(s), Some(u)) = (since, until) {
        if s > u {
            return Err(ConfigError::new("--since", "must not be later than --until").into());
        }
    }
    // A verifier never generates keys: a fresh key would only prove that nothing verifies.
    if !settings.ledger_key_file.exists() {
        return Err(ConfigError::new(
            "AUDITFLOW_LEDGER_KEY_FILE (--ledger-key-file)",
            format!("{} does not exist: verification needs the ledger HMAC key(s)", settings.ledger_key_file.display()),
        )
        .into());
    }
    let hmac = settings::hmac_keys(&settings.ledger_key_file, false)?;
    let heads = if settings.ledger_head_key_file.exists() {
        settings::head_keys(&settings.ledger_head_key_file, false)?
    } else if args.trusted_head_key.is_empty() {
        return Err(ConfigError::new(
            "AUDITFLOW_LEDGER_HEAD_KEY_FILE (--ledger-head-key-file)",
            format!(
                "{} does not exist: point it at the head key, or pass its public key with --trusted-head-key",
                settings.ledger_head_key_file.display()
            ),
        )
        .into());
    } else {
        Vec::new()
    };
    let extra_heads = settings::public_keys(&args.trusted_head_key, "--trusted-head-key")?;
    let keys = settings::LedgerKeys { hmac, heads }.trusted(&extra_heads);
    let (archive, export_keys) = if args.against_archive {
        let (archive, trusted) = archive_to_verify(&settings, &args.trusted_export_key, "--trusted-export-key")?;
        (Some(archive), trusted)
    } else {
        (None, Vec::new())
    };
    let scope = auditflow_ledger::verify::Scope {
        zone: args.zone.clone(),
        since,
        until,
        chains: Vec::new(),
        caracal_keys: caracal_keys(&settings)?,
    };

    // One thread: the work is CPU-bound and Postgres needs the other core to produce the
    // rows; a second runtime thread only added cross-thread wake-ups (measured).
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let started = Instant::now();
    let (ledger, anchored) = runtime.block_on(async {
        let pool = prepare_postgres(&settings, std::time::Duration::from_secs(10)).await?;
        let bar = progress_bar("verify {bar:40} {pos}/{len} rows {per_sec} {eta}", args.json);
        let progress = |done: u64, total: u64| {
            bar.set_length(total.max(done));
            bar.set_position(done);
        };
        let ledger = auditflow_ledger::verify::verify_ledger(&pool, &keys, &scope, &progress)
            .await
            .context("verify could not finish")?;
        bar.finish_and_clear();
        let anchored = match &archive {
            Some(archive) => {
                let bar = progress_bar("against the archive {bar:40} {pos}/{len} manifests {eta}", args.json);
                let progress = |done: u64, total: u64| {
                    bar.set_length(total.max(done));
                    bar.set_position(done);
                };
                let report = auditflow_archive::anchor::check_against_archive(&pool, archive, &export_keys, &progress)
                    .await
                    .context("the comparison with the archive could not finish")?;
                bar.finish_and_clear();
                Some(report)
            }
            None => None,
        };
        anyhow::Ok((ledger, anchored))
    })?;
    let secs = started.elapsed().as_secs_f64();
    let mut findings = ledger.findings;
    let mut notes = ledger.notes;
    if let Some(a) = &anchored {
        findings.extend(a.findings.iter().cloned());
        notes.extend(a.notes.iter().cloned());
    }
    let mut counts: BTreeMap<FindingKind, usize> = BTreeMap::new();
    for f in &findings {
        *counts.entry(f.kind).or_default() += 1;
    }
    let report = Report {
        chains: ledger.chains,
        rows: ledger.rows,
        batches: ledger.batches,
        retired: ledger.retired,
        rows_per_sec: if secs > 0.0 { ledger.rows as f64 / secs } else { 0.0 },
        findings,
        counts,
        notes,
        archive: anchored,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        print_report(&report, secs);
    }
    if report.findings.is_empty() {
        Ok(())
    } else {
        Err(FindingsReported(report.findings.len()).into())
    }
}

fn progress_bar(template: &str, hidden: bool) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(template).unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    if hidden {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar
}

/// Findings printed per kind in text mode (all of them are in `--json`).
const PRINTED_PER_KIND: usize = 50;

fn print_report(report: &Report, secs: f64) {
    println!(
        "verify: {} chains, {} rows, {} signed batch heads checked in {:.1} s ({:.0} rows/s)",
        report.chains, report.rows, report.batches, secs, report.rows_per_sec
    );
    if let Some(a) = &report.archive {
        println!("  against the archive: {} manifests, {} archived rows compared", a.manifests, a.rows);
    }
    for note in &report.notes {
        println!("  note: {note}");
    }
    let mut printed: BTreeMap<FindingKind, usize> = BTreeMap::new();
    for f in &report.findings {
        let n = printed.entry(f.kind).or_default();
        *n += 1;
        if *n > PRINTED_PER_KIND {
            continue;
        }
        println!("  FINDING {:<22} {}: {}", f.kind.as_str(), f.place, f.detail);
    }
    for (kind, n) in &report.counts {
        if *n > PRINTED_PER_KIND {
            println!("  … {} more {kind} findings (all are in --json)", n - PRINTED_PER_KIND);
        }
    }
    if report.findings.is_empty() {
        println!("  OK: every row hashes to its content_sha256, every link, HMAC and signed head holds");
    } else {
        let summary: Vec<String> = report.counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
        println!("  {} findings: {}", report.findings.len(), summary.join(", "));
    }
}

fn privileges(settings: &settings::resolved::Resolved, json: bool) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (findings, durability) = runtime.block_on(async {
        let pool = prepare_postgres(settings, std::time::Duration::from_secs(10)).await?;
        let findings = auditflow_ledger::verify::check_privileges(&pool).await.context("cannot read the catalogs")?;
        let durability =
            auditflow_ledger::verify::check_durability(&pool).await.context("cannot read the replication state")?;
        anyhow::Ok((findings, durability))
    })?;
    if json {
        let report = serde_json::json!({ "findings": findings, "durability": durability });
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        println!("verify --privileges: {}", redact(&settings.database_url));
        for f in &findings {
            println!("  FINDING {:<24} {}: {}", f.kind, f.place, f.detail);
        }
        if findings.is_empty() {
            println!("  OK: the writer role may only INSERT and SELECT evidence; every append-only trigger is in place and enabled");
        }
        // Reported, not a finding: a single server is a deployment choice, not tampering.
        let mark = if durability.zero_loss { "OK" } else { "NOTE" };
        println!("  {mark} failover: {}", durability.verdict);
    }
    if findings.is_empty() {
        Ok(())
    } else {
        Err(FindingsReported(findings.len()).into())
    }
}
