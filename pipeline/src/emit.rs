//! `auditflow emit`: a deterministic generator of signed, realistic audit events.
//!
//! The same `--seed` and `--start-time` give the same events, ids and signatures. Events
//! come in request-shaped groups sharing a `request_id` (token exchange then gateway
//! request; step-up issued / decided / consumed; session and delegation lifecycle;
//! denials with determining policies and diagnostics). `--invalid-ratio` mixes in entries
//! the pipeline must dead-letter (tampered, wrong key, malformed JSON, schema-invalid) and
//! `--duplicate-ratio` re-publishes earlier entries unchanged, as a retrying producer does.
//! `--manifest` records, per written entry, its stream id and the expected outcome.

use anyhow::Context;
use auditflow_schemas::keyring::Keyring;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use clap::Args;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
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
}

/// What an entry is expected to become.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// A new ledger row.
    Ok,
    /// A re-publication of an earlier valid entry.
    Duplicate,
    /// A DLQ entry with this reason kind.
    Dead(&'static str),
}

impl Expect {
    fn label(&self) -> &'static str {
        match self {
            Expect::Ok => "ok",
            Expect::Duplicate => "duplicate",
            Expect::Dead(r) => r,
        }
    }
}

/// One entry to XADD.
#[derive(Clone, Debug)]
pub struct Entry {
    /// Field/value pairs.
    pub fields: Vec<(String, String)>,
    /// Event id.
    pub event_id: String,
    /// Expected outcome.
    pub expect: Expect,
}

/// Deterministic event generator.
pub struct Generator {
    rng: StdRng,
    seed: u64,
    zones: u32,
    zone_names: Vec<String>,
    start: DateTime<Utc>,
    events: u64,
    requests: u64,
    queue: VecDeque<serde_json::Value>,
    sessions: Vec<(String, String, String)>, // (zone, session, agent session)
    /// Delegation edges: (zone, parent) → (edge id, child).
    children: std::collections::HashMap<(String, String), Vec<(String, String)>>,
    /// Edges that can still be revoked: (zone, session, edge id, parent, child).
    edges: Vec<(String, String, String, String, String)>,
    /// Agent sessions revoked so far, with their descendants: (zone, agent).
    revoked: std::collections::HashSet<(String, String)>,
    lifecycle_ratio: f64,
    revoked_access_ratio: f64,
}

const RESOURCES: [&str; 5] = ["files", "mail", "calendar", "crm", "payments"];

impl Generator {
    /// A generator for `zones` zones whose first event happens at `start`.
    pub fn new(seed: u64, zones: u32, start: DateTime<Utc>) -> Self {
        Generator {
            rng: StdRng::seed_from_u64(seed),
            seed,
            zones: zones.max(1),
            zone_names: Vec::new(),
            start,
            events: 0,
            requests: 0,
            queue: VecDeque::new(),
            sessions: Vec::new(),
            children: Default::default(),
            edges: Vec::new(),
            revoked: Default::default(),
            lifecycle_ratio: 0.15,
            revoked_access_ratio: 0.02,
        }
    }

    /// Sets the share of lifecycle requests and of late allows on revoked sessions.
    pub fn with_ratios(mut self, lifecycle_ratio: f64, revoked_access_ratio: f64) -> Self {
        self.lifecycle_ratio = lifecycle_ratio.clamp(0.0, 1.0);
        self.revoked_access_ratio = revoked_access_ratio.clamp(0.0, 1.0);
        self
    }

    /// Marks `agent` and every descendant revoked.
    fn revoke(&mut self, zone: &str, agent: &str) {
        let mut todo = vec![agent.to_owned()];
        while let Some(a) = todo.pop() {
            if self.revoked.insert((zone.to_owned(), a.clone())) {
                if let Some(kids) = self.children.get(&(zone.to_owned(), a)) {
                    todo.extend(kids.iter().map(|(_, c)| c.clone()));
                }
            }
        }
    }

    /// An agent session for an access request: a live one, or (at the late-allow ratio) a
    /// revoked one — and then the request is allowed anyway.
    fn access_agent(&mut self, zone: &str) -> (String, bool) {
        if self.rng.random_bool(self.revoked_access_ratio) {
            let revoked: Vec<&String> = self.revoked.iter().filter(|(z, _)| z == zone).map(|(_, a)| a).collect();
            if !revoked.is_empty() {
                let mut sorted = revoked;
                sorted.sort();
                return (sorted[self.rng.random_range(0..sorted.len())].clone(), true);
            }
        }
        for _ in 0..8 {
            let agent = format!("as-{}", self.rng.random_range(0..5000));
            if !self.revoked.contains(&(zone.to_owned(), agent.clone())) {
                return (agent, false);
            }
        }
        (format!("as-r{}", self.requests), false)
    }

    fn base(&mut self, zone: &str, event_type: &str, request_id: &str, decision: &str) -> serde_json::Value {
        self.events += 1;
        let n = self.events;
        let jitter = self.rng.random_range(0..5);
        let at = self.start + ChronoDuration::milliseconds((n * 7 + jitter) as i64);
        json!({
            "id": format!("evt-{:x}-{n:010}", self.seed),
            "zone_id": zone,
            "event_type": event_type,
            "request_id": request_id,
            "decision": decision,
            "policy_set_id": format!("ps-{zone}"),
            "policy_set_version_id": "psv-7",
            "manifest_sha": "3f2a9c",
            "evaluation_status": "complete",
            "determining_policies_json": [],
            "diagnostics_json": {},
            "occurred_at": at.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        })
    }

    fn refill(&mut self) {
        self.requests += 1;
        let zone = if self.zone_names.is_empty() {
            format!("zone-{}", self.rng.random_range(0..self.zones))
        } else {
            self.zone_names[self.rng.random_range(0..self.zone_names.len())].clone()
        };
        let request_id = request_id(self.seed, self.requests);
        let session = format!("sess-{}", self.rng.random_range(0..2000));
        let resource = RESOURCES[self.rng.random_range(0..RESOURCES.len())];
        let mut batch = Vec::new();
        if !self.rng.random_bool(self.lifecycle_ratio) {
            let (agent, late) = self.access_agent(&zone);
            let meta = json!({"session_id": session, "agent_session_id": agent, "resource": resource,
                "trace_id": format!("{:032x}", self.rng.random::<u128>())});
            let roll = self.rng.random_range(0..85);
            if late && self.rng.random_bool(0.5) {
                // Revoked, and the gateway knows it.
                let mut gw = self.base(&zone, "gateway_resource_request", &request_id, "deny");
                gw["metadata_json"] = meta.clone();
                gw["metadata_json"]["revocation_interrupted"] = json!(true);
                gw["evaluation_status"] = json!("session_revoked");
                batch.push(gw);
            } else if roll < 55 || late {
                let mut te = self.base(&zone, "token_exchange", &request_id, "allow");
                te["metadata_json"] = meta.clone();
                let mut gw = self.base(&zone, "gateway_resource_request", &request_id, "allow");
                gw["metadata_json"] = meta.clone();
                batch.extend([te, gw]);
            } else if roll < 75 {
                let deny_at_gateway = self.rng.random_bool(0.5);
                let mut te =
                    self.base(&zone, "token_exchange", &request_id, if deny_at_gateway { "allow" } else { "deny" });
                te["metadata_json"] = meta.clone();
                if !deny_at_gateway {
                    te["evaluation_status"] = json!("scope_mismatch");
                    te["determining_policies_json"] = json!([{"policy": "deny-unscoped", "effect": "deny"}]);
                    te["diagnostics_json"] = json!({"missing_scopes": [format!("{resource}:write")]});
                    batch.push(te);
                } else {
                    let mut gw = self.base(&zone, "gateway_resource_request", &request_id, "deny");
                    gw["metadata_json"] = meta.clone();
                    gw["evaluation_status"] = json!("policy_denied");
                    gw["determining_policies_json"] =
                        json!([{"policy": format!("restrict-{resource}"), "effect": "deny"}]);
                    gw["diagnostics_json"] =
                        json!({"reason": "resource outside delegated scope", "resource": resource});
                    batch.extend([te, gw]);
                }
            } else {
                for (t, d) in
                    [("step_up_issued", "pending"), ("step_up_decided", "approved"), ("step_up_consumed", "consumed")]
                {
                    let mut e = self.base(&zone, t, &request_id, d);
                    e["metadata_json"] = meta.clone();
                    batch.push(e);
                }
            }
        } else if self.rng.random_bool(0.6) || self.sessions.is_empty() {
            // A session and a delegation tree under it, one to three levels deep.
            let root = format!("as-s{}", self.requests);
            let mut spawned = self.base(&zone, "session_spawned", &request_id, "allow");
            spawned["metadata_json"] = json!({"session_id": session, "agent_session_id": root});
            batch.push(spawned);
            let mut parent = root.clone();
            for depth in 0..self.rng.random_range(1..=3) {
                let child = format!("{root}-d{depth}");
                let edge_id = format!("edge-{}-{depth}", self.requests);
                let mut edge = self.base(&zone, "delegation_edge_created", &request_id, "allow");
                edge["metadata_json"] = json!({"session_id": session, "delegation_edge_id": edge_id,
                    "parent_agent_session_id": parent, "agent_session_id": child});
                batch.push(edge);
                self.children.entry((zone.clone(), parent.clone())).or_default().push((edge_id.clone(), child.clone()));
                self.edges.push((zone.clone(), session.clone(), edge_id, parent.clone(), child.clone()));
                parent = child;
            }
            self.sessions.push((zone.clone(), session.clone(), root));
        } else if self.rng.random_bool(0.3) && !self.edges.is_empty() {
            // One delegation edge revoked: its child and every descendant.
            let i = self.rng.random_range(0..self.edges.len());
            let (z, s, edge_id, parent, child) = self.edges.swap_remove(i);
            let mut e = self.base(&z, "delegation_edge_revoked", &request_id, "allow");
            e["metadata_json"] = json!({"session_id": s, "delegation_edge_id": edge_id,
                "parent_agent_session_id": parent, "agent_session_id": child, "reason": "operator"});
            batch.push(e);
            self.revoke(&z, &child);
        } else {
            let i = self.rng.random_range(0..self.sessions.len());
            let (z, s, a) = self.sessions.swap_remove(i);
            let kind = if self.rng.random_bool(0.5) { "session_terminated" } else { "session_revoked" };
            let mut e = self.base(&z, kind, &request_id, "allow");
            e["metadata_json"] = json!({"session_id": s, "agent_session_id": a, "reason": "operator"});
            batch.push(e);
            if kind == "session_revoked" {
                self.revoke(&z, &a);
            }
        }
        self.queue.extend(batch);
    }

    /// The next valid event.
    pub fn next_event(&mut self) -> serde_json::Value {
        if self.queue.is_empty() {
            self.refill();
        }
        self.queue.pop_front().unwrap_or_else(|| json!({}))
    }

    /// Random number in `[0, 1)` from the generator's stream.
    pub fn roll(&mut self) -> f64 {
        self.rng.random()
    }

    /// Random index below `n`.
    pub fn pick(&mut self, n: usize) -> usize {
        self.rng.random_range(0..n.max(1))
    }
}

/// The request id of the generator's `n`th request (from 1) under `seed`.
pub fn request_id(seed: u64, n: u64) -> String {
    format!("req-{seed:x}-{n}")
}

/// Builds the next entry: valid, invalid (one of four kinds, in turn) or a duplicate.
#[allow(clippy::too_many_arguments)]
pub fn next_entry(
    generator: &mut Generator,
    ring: &Keyring,
    key_id: &str,
    with_kid: bool,
    invalid_ratio: f64,
    duplicate_ratio: f64,
    recent_valid: &mut VecDeque<Entry>,
    invalid_counter: &mut u64,
) -> Entry {
    let roll = generator.roll();
    if roll < duplicate_ratio && !recent_valid.is_empty() {
        let i = generator.pick(recent_valid.len());
        let mut dup = recent_valid[i].clone();
        dup.expect = Expect::Duplicate;
        return dup;
    }
    let sign = |data: &str| ring.sign(key_id, data.as_bytes()).unwrap_or_default();
    let event = generator.next_event();
    let event_id = event["id"].as_str().unwrap_or_default().to_owned();
    let mut fields = vec![("id".to_owned(), event_id.clone())];
    if with_kid {
        fields.push(("kid".into(), key_id.to_owned()));
    }
    if roll < duplicate_ratio + invalid_ratio {
        *invalid_counter += 1;
        let bad_id = format!("{event_id}-bad");
        let mut event = event;
        event["id"] = json!(bad_id);
        fields[0].1 = bad_id.clone();
        let (data, sig, expect) = match *invalid_counter % 4 {
            0 => {
                let data = event.to_string();
                let sig = sign(&data);
                event["decision"] = json!("allow-tampered");
                (event.to_string(), sig, "hmac_verify_failed")
            }
            1 => {
                let data = event.to_string();
                let other =
                    Keyring::single_hex("other", &"c3".repeat(32)).ok().and_then(|r| r.sign("other", data.as_bytes()));
                (data, other.unwrap_or_default(), "hmac_verify_failed")
            }
            2 => {
                let full = event.to_string();
                let data = full[..full.len() / 2].to_owned();
                let sig = sign(&data);
                (data, sig, "json_parse_error")
            }
            _ => {
                if let Some(o) = event.as_object_mut() {
                    o.remove("zone_id");
                }
                let data = event.to_string();
                let sig = sign(&data);
                (data, sig, "schema_invalid")
            }
        };
        fields.push(("data".into(), data));
        fields.push(("sig".into(), sig));
        return Entry { fields, event_id: bad_id, expect: Expect::Dead(expect) };
    }
    let data = event.to_string();
    let sig = sign(&data);
    fields.push(("data".into(), data));
    fields.push(("sig".into(), sig));
    let entry = Entry { fields, event_id, expect: Expect::Ok };
    if recent_valid.len() >= 1000 {
        recent_valid.pop_front();
    }
    recent_valid.push_back(entry.clone());
    entry
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
        _ => Err(crate::settings::ConfigError::new(
            "--rate",
            format!("`{rate}` is neither `max` nor a positive number of events per second"),
        )
        .into()),
    }
}

/// Runs `auditflow emit`.
pub fn emit(global: &crate::cli::GlobalArgs, args: &EmitArgs) -> anyhow::Result<EmitSummary> {
    use crate::settings::ConfigError;
    let settings = crate::settings::resolve(global, None)?;
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
    let mut con = runtime
        .block_on(auditflow_sources::redis_stream::connect(&settings.redis_url, Duration::from_secs(30)))
        .map_err(|e| crate::run::Unreachable {
            service: "redis",
            target: crate::run::redact(&settings.redis_url),
            waited_secs: 0,
            detail: e.to_string(),
        })?;

    let bar = indicatif::ProgressBar::new(args.count);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} emit [{bar:40}] {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut generator =
        Generator::new(args.seed, args.zones, start).with_ratios(args.lifecycle_ratio, args.revoked_access_ratio);
    generator.zone_names = args.zone_names.clone();
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
