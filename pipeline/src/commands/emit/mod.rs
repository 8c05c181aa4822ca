//! `auditflow emit`: a deterministic generator of signed, realistic audit events.
//!
//! The same `--seed` and `--start-time` give the same events, ids and signatures. Events
//! come in request-shaped groups sharing a `request_id` (token exchange then gateway
//! request; step-up issued / decided / consumed; session and delegation lifecycle;
//! denials with determining policies and diagnostics). `--invalid-ratio` mixes in entries
//! the pipeline must dead-letter (tampered, wrong key, malformed JSON, schema-invalid) and
//! `--duplicate-ratio` re-publishes earlier entries unchanged, as a retrying producer does.
//! `--manifest` records, per written entry, its stream id and the expected outcome.

pub mod generator;

use crate::settings::flags::{GlobalFlags, ProducerKeyFlags, RedisFlags, SettingsFlags, StreamFlags};
use crate::settings::{self, ConfigError};
use anyhow::Context;
use chrono::Utc;
use clap::Args;
use generator::{next_entry, Entry, Expect, Generator};
use serde_json::json;
use std::collections::{BTreeMap, VecDeque};
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// `auditflow emit` options.
#[derive(Debug, Args, Clone, serde::Serialize)]
pub struct EmitArgs {
    /// Entries to write in total (valid, invalid and duplicates together).
    #[arg(long, default_value_t = 10_000)]
    pub count: u64,
    /// Events per second, or `max`.
    #[arg(long, default_value = "max")]
    pub rate: String,
    /// Number of zones (tenants) to spread events over.
    #[arg(long, default_value_t = 4)]
    pub zones: u32,
    /// Zone ids to use instead of `zone-0` … (repeatable; any UTF-8, e.g. to try the
    /// archive's path escaping). Overrides --zones.
    #[arg(long = "zone", value_name = "ZONE_ID")]
    pub zone_names: Vec<String>,
    /// Random seed; the same seed and start time give the same events.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Fraction of entries that must be dead-lettered (tampered, wrong key, malformed, schema-invalid).
    #[arg(long, default_value_t = 0.0)]
    pub invalid_ratio: f64,
    /// Fraction of entries that re-publish an earlier valid entry unchanged.
    #[arg(long, default_value_t = 0.0)]
    pub duplicate_ratio: f64,
    /// Fraction of requests that are session lifecycle: spawns with delegation trees (one
    /// to three levels deep), and revocations of a session or of one delegation edge.
    #[arg(long, default_value_t = 0.15)]
    pub lifecycle_ratio: f64,
    /// Fraction of access requests made on an already revoked agent session: half of them
    /// are denied (`session_revoked`), half wrongly allowed — the revocation violations the
    /// live views must find.
    #[arg(long, default_value_t = 0.02)]
    pub revoked_access_ratio: f64,
    /// Event time of the first event (RFC 3339) [default: today 00:00:00Z].
    #[arg(long)]
    pub start_time: Option<String>,
    /// Event time between consecutive events, ms (to spread a run over hours or days of
    /// event time).
    #[arg(long, default_value_t = 7, value_name = "MS")]
    pub event_spacing_ms: u64,
    /// Move each event later in event time by a random amount up to this many seconds, so a
    /// request's events spread over that span and arrive out of event-time order (a replayed
    /// spool, a merge of producers) [default: 0, in order].
    #[arg(long, default_value_t = 0, value_name = "SECS")]
    pub spread_secs: u64,
    /// Sign with this keyring key [default: the first active key].
    #[arg(long)]
    pub key_id: Option<String>,
    /// Add the `kid` field naming the signing key.
    #[arg(long)]
    pub with_kid: bool,
    /// Write one JSON line per entry: stream id, event id, expected outcome.
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<PathBuf>,
    /// XADDs per pipelined round trip.
    #[arg(long, default_value_t = 500)]
    pub pipeline: usize,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub redis: RedisFlags,
    #[command(flatten)]
    pub stream: StreamFlags,
    #[command(flatten)]
    pub producer_keys: ProducerKeyFlags,
}

impl EmitArgs {
    /// The settings flags this command was given.
    pub fn flags(&self) -> SettingsFlags {
        let mut flags = SettingsFlags {
            redis: self.redis.clone(),
            producer_keys: self.producer_keys.clone(),
            ..SettingsFlags::default()
        };
        flags.streams.stream = self.stream.clone();
        flags
    }
}

/// What `emit` wrote.
#[derive(Debug, Default, serde::Serialize)]
pub struct EmitSummary {
    /// Entries written.
    pub written: u64,
    /// Distinct valid events among them.
    pub valid: u64,
    /// Re-published duplicates.
    pub duplicates: u64,
    /// Invalid entries by expected DLQ reason.
    pub invalid: BTreeMap<String, u64>,
    /// Seconds taken.
    pub elapsed_secs: f64,
    /// Entries per second.
    pub rate: f64,
    /// Stream written to.
    pub stream: String,
}

fn parse_rate(rate: &str) -> anyhow::Result<Option<f64>> {
    if rate == "max" {
        return Ok(None);
    }
    match rate.parse::<f64>() {
        Ok(r) if r > 0.0 && r.is_finite() => Ok(Some(r)),
        _ => Err(ConfigError::new(
            "--rate",
            format!("`{rate}` is neither `max` nor a positive number of events per second"),
        )
        .into()),
    }
}

/// Runs `auditflow emit` and prints what it wrote.
pub fn run(global: &GlobalFlags, args: &EmitArgs) -> anyhow::Result<()> {
    let s = emit(global, args)?;
    if args.json {
        println!("{}", serde_json::to_string(&s).unwrap_or_default());
    } else {
        println!(
            "emitted {} entries to `{}` in {:.1} s ({:.0}/s): {} valid, {} duplicates, {} invalid {:?}",
            s.written,
            s.stream,
            s.elapsed_secs,
            s.rate,
            s.valid,
            s.duplicates,
            s.invalid.values().sum::<u64>(),
            s.invalid
        );
    }
    Ok(())
}

/// Publishes the entries `args` describe; what was written.
pub fn emit(global: &GlobalFlags, args: &EmitArgs) -> anyhow::Result<EmitSummary> {
    let settings = settings::resolve(global, &args.flags())?;
    let ring = settings.keyring(false)?;
    let key_id = match &args.key_id {
        Some(k) if ring.key_ids().any(|id| id == k) => k.clone(),
        Some(k) => return Err(ConfigError::new("--key-id", format!("no key `{k}` in the keyring")).into()),
        None => ring
            .active_key_id()
            .map(str::to_owned)
            .ok_or_else(|| ConfigError::new("producer keys", "no active key to sign with"))?,
    };
    for (name, ratio) in [("--invalid-ratio", args.invalid_ratio), ("--duplicate-ratio", args.duplicate_ratio)] {
        if !(0.0..=1.0).contains(&ratio) {
            return Err(ConfigError::new(name, format!("must be between 0 and 1, got {ratio}")).into());
        }
    }
    if args.invalid_ratio + args.duplicate_ratio > 1.0 {
        return Err(ConfigError::new("--invalid-ratio/--duplicate-ratio", "together must not exceed 1").into());
    }
    let rate = parse_rate(&args.rate)?;
    let start = match &args.start_time {
        Some(t) => auditflow_schemas::wire::parse_occurred_at(t).map_err(|e| ConfigError::new("--start-time", e))?,
        None => Utc::now().date_naive().and_hms_opt(0, 0, 0).map(|d| d.and_utc()).unwrap_or_else(Utc::now),
    };
    let mut manifest = match &args.manifest {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p)
                .map_err(|e| ConfigError::new("--manifest", format!("cannot create {}: {e}", p.display())))?,
        )),
        None => None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut con = runtime.block_on(crate::connect::redis_waiting(&settings, Duration::from_secs(30)))?;

    let bar = indicatif::ProgressBar::new(args.count);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} emit [{bar:40}] {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut generator = Generator::new(args.seed, args.zones, start)
        .with_ratios(args.lifecycle_ratio, args.revoked_access_ratio)
        .with_zone_names(args.zone_names.clone())
        .with_spacing_ms(args.event_spacing_ms)
        .with_spread_ms(args.spread_secs.saturating_mul(1000));
    let mut recent = VecDeque::new();
    let mut invalid_counter = 0;
    let mut summary = EmitSummary { stream: settings.stream.clone(), ..EmitSummary::default() };
    let started = Instant::now();
    let chunk = args.pipeline.max(1) as u64;
    while summary.written < args.count {
        let n = chunk.min(args.count - summary.written);
        let entries: Vec<Entry> = (0..n)
            .map(|_| {
                next_entry(
                    &mut generator,
                    &ring,
                    &key_id,
                    args.with_kid,
                    args.invalid_ratio,
                    args.duplicate_ratio,
                    &mut recent,
                    &mut invalid_counter,
                )
            })
            .collect();
        let mut pipe = redis::pipe();
        for e in &entries {
            let mut cmd = redis::cmd("XADD");
            cmd.arg(&settings.stream).arg("*");
            for (k, v) in &e.fields {
                cmd.arg(k).arg(v);
            }
            pipe.add_command(cmd);
        }
        let ids: Vec<String> = runtime.block_on(pipe.query_async(&mut con)).context("XADD failed")?;
        for (e, id) in entries.iter().zip(ids) {
            match &e.expect {
                Expect::Ok => summary.valid += 1,
                Expect::Duplicate => summary.duplicates += 1,
                Expect::Dead(r) => *summary.invalid.entry((*r).to_owned()).or_insert(0) += 1,
            }
            if let Some(m) = manifest.as_mut() {
                writeln!(m, "{}", json!({"stream_id": id, "event_id": e.event_id, "expect": e.expect.label()}))?;
            }
        }
        summary.written += n;
        bar.set_position(summary.written);
        if let Some(rate) = rate {
            let due = Duration::from_secs_f64(summary.written as f64 / rate);
            if let Some(wait) = due.checked_sub(started.elapsed()) {
                std::thread::sleep(wait);
            }
        }
    }
    if let Some(mut m) = manifest {
        m.flush()?;
    }
    bar.finish_and_clear();
    summary.elapsed_secs = started.elapsed().as_secs_f64();
    summary.rate = summary.written as f64 / summary.elapsed_secs.max(1e-9);
    Ok(summary)
}
