//! The event generator behind `auditflow emit`: deterministic (the same seed and start
//! time give the same events, ids and signatures), request-shaped (events of one request
//! share a `request_id`), and able to mix in the invalid entries and re-sent duplicates the
//! pipeline must dead-letter or drop. Benchmarks and tests use it too.

use auditflow_schemas::keyring::Keyring;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use std::collections::VecDeque;

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
    /// The outcome's name in `--manifest` lines.
    pub fn label(&self) -> &'static str {
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
    /// The same agents per zone, in the order revoked, to draw from in constant time (an
    /// hour at 5 000 events/s revokes some 100 000 of them).
    revoked_in_zone: std::collections::HashMap<String, Vec<String>>,
    lifecycle_ratio: f64,
    revoked_access_ratio: f64,
    /// Event time between consecutive events, ms (a little jitter is added).
    spacing_ms: u64,
    /// Each event is moved later in event time by up to this much, at random, ms: a request's
    /// events spread over that span and arrive out of event-time order.
    spread_ms: u64,
}

/// Labels of agent sessions (`agent_labels`), which Caracal's console filters on.
const LABELS: &[&str] = &[
    "team:payments",
    "team:search",
    "team:ops",
    "env:prod",
    "env:staging",
    "tier:batch",
    "tier:interactive",
    "owner:platform",
];
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
            revoked_in_zone: Default::default(),
            lifecycle_ratio: 0.15,
            revoked_access_ratio: 0.02,
            spacing_ms: 7,
            spread_ms: 0,
        }
    }

    /// Moves each event later in event time by a random amount below `ms`: a replayed spool
    /// or a merge of producers, where a request's events arrive spread out and out of order.
    pub fn with_spread_ms(mut self, ms: u64) -> Self {
        self.spread_ms = ms;
        self
    }

    /// Spaces consecutive events `ms` apart in event time (a soak compresses days into
    /// minutes of wall time this way).
    pub fn with_spacing_ms(mut self, ms: u64) -> Self {
        self.spacing_ms = ms.max(1);
        self
    }

    /// Names the zones (instead of `zone-1` … `zone-N`).
    pub fn with_zone_names(mut self, zone_names: Vec<String>) -> Self {
        self.zone_names = zone_names;
        self
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
                self.revoked_in_zone.entry(zone.to_owned()).or_default().push(a.clone());
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
            if let Some(revoked) = self.revoked_in_zone.get(zone).filter(|r| !r.is_empty()) {
                return (revoked[self.rng.random_range(0..revoked.len())].clone(), true);
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
        // Drawn only when asked for, so that a seed gives the same events it always gave.
        let spread = if self.spread_ms > 0 { self.rng.random_range(0..self.spread_ms) } else { 0 };
        let at = self.start + ChronoDuration::milliseconds((n * self.spacing_ms + jitter + spread) as i64);
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
            // Caracal's token service adds the session's labels; derived from the agent, not
            // drawn, so the generator's random sequence (and every seeded scenario) is unchanged.
            let label =
                LABELS[agent.bytes().fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize)) % LABELS.len()];
            let meta = json!({"session_id": session, "agent_session_id": agent, "resource": resource,
                "agent_labels": [label], "trace_id": format!("{:032x}", self.rng.random::<u128>())});
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
