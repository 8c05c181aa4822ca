//! What the live views (SPEC §5) see of a committed ledger row, and what they produce.
//!
//! Views are fed rows the ledger committed (never in-flight ones), so a re-delivered event
//! is seen once, with its chain position.

// longer than 500 lines because it is the views' data model: every type the views pass
// between operators, sink and queries (event, trace, propagation, violation) with its
// derivation from a ledger row, kept together so the rules that relate them read as one.

use crate::AuditEvent;
use serde::{Deserialize, Serialize};

/// A committed ledger row as the views need it. JSON fields are canonical JSON text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ViewEvent {
    /// Ledger chain. (The position comes first: it identifies the row, so the arrangements
    /// holding many events of one key order them by two integers, not by string compares.)
    pub chain_id: i32,
    /// Position in the chain.
    pub chain_seq: i64,
    /// Event id.
    pub id: String,
    /// Zone.
    pub zone_id: String,
    /// Event type.
    pub event_type: String,
    /// Request correlation id.
    pub request_id: Option<String>,
    /// Decision as sent.
    pub decision: Option<String>,
    /// Evaluation status.
    pub evaluation_status: Option<String>,
    /// Determining policies (canonical JSON).
    pub determining_policies_json: Option<String>,
    /// Diagnostics (canonical JSON).
    pub diagnostics_json: Option<String>,
    /// `metadata_json.session_id`.
    pub session_id: Option<String>,
    /// `metadata_json.agent_session_id`.
    pub agent_session_id: Option<String>,
    /// `metadata_json.delegation_edge_id`.
    pub delegation_edge_id: Option<String>,
    /// `metadata_json.parent_agent_session_id`.
    pub parent_agent_session_id: Option<String>,
    /// Event time, µs since the epoch.
    pub occurred_at_us: i64,
}

/// A committed row shared by every view and arrangement that holds it: the dataflow clones
/// the pointer, not the strings.
pub type SharedEvent = std::sync::Arc<ViewEvent>;

/// What a decision says, compared case-insensitively.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// `allow`.
    Allow,
    /// `deny`.
    Deny,
    /// Anything else (step-up states, none).
    Other,
}

impl ViewEvent {
    /// The view of a stored event at its chain position.
    ///
    /// ```
    /// use auditflow_schemas::view::ViewEvent;
    /// # use auditflow_schemas::AuditEvent;
    /// # let event = AuditEvent { id: "e1".into(), zone_id: "z".into(), event_type: "session_revoked".into(),
    /// #   request_id: None, decision: Some("allow".into()), policy_set_id: None, policy_set_version_id: None,
    /// #   manifest_sha: None, evaluation_status: None, determining_policies_json: None, diagnostics_json: None,
    /// #   metadata_json: Some(r#"{"agent_session_id":"as-a","session_id":"s-1"}"#.into()),
    /// #   occurred_at: chrono::DateTime::from_timestamp(1_000, 0).unwrap(), extra_json: None };
    /// let view = ViewEvent::of(&event, 3, 17);
    /// assert_eq!(view.agent_session_id.as_deref(), Some("as-a"));
    /// assert!(view.is_lifecycle());
    /// assert_eq!(view.occurred_at_us, 1_000_000_000);
    /// ```
    pub fn of(event: &AuditEvent, chain_id: i32, chain_seq: i64) -> Self {
        // Only the four fields the views use are decoded; the rest of the metadata is skipped.
        #[derive(Deserialize, Default)]
        struct Meta {
            session_id: Option<serde_json::Value>,
            agent_session_id: Option<serde_json::Value>,
            delegation_edge_id: Option<serde_json::Value>,
            parent_agent_session_id: Option<serde_json::Value>,
        }
        let text = |v: Option<serde_json::Value>| match v {
            Some(serde_json::Value::String(s)) => Some(s),
            _ => None,
        };
        let metadata: Meta = event
            .metadata_json
            .as_deref()
            .and_then(|m| {
                serde_json::from_str(m)
                    // A repeated key (refused by the struct): the last one counts, as in jsonb.
                    .or_else(|_| {
                        serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(m).map(|mut map| Meta {
                            session_id: map.remove("session_id"),
                            agent_session_id: map.remove("agent_session_id"),
                            delegation_edge_id: map.remove("delegation_edge_id"),
                            parent_agent_session_id: map.remove("parent_agent_session_id"),
                        })
                    })
                    .ok()
            })
            .unwrap_or_default();
        ViewEvent {
            id: event.id.clone(),
            zone_id: event.zone_id.clone(),
            event_type: event.event_type.clone(),
            request_id: event.request_id.clone(),
            decision: event.decision.clone(),
            evaluation_status: event.evaluation_status.clone(),
            determining_policies_json: event.determining_policies_json.clone(),
            diagnostics_json: event.diagnostics_json.clone(),
            session_id: text(metadata.session_id),
            agent_session_id: text(metadata.agent_session_id),
            delegation_edge_id: text(metadata.delegation_edge_id),
            parent_agent_session_id: text(metadata.parent_agent_session_id),
            occurred_at_us: event.occurred_at.timestamp_micros(),
            chain_id,
            chain_seq,
        }
    }

    /// Session and delegation lifecycle events (`session_*`, `delegation_*`); every other
    /// event is an access decision.
    pub fn is_lifecycle(&self) -> bool {
        self.event_type.starts_with("session_") || self.event_type.starts_with("delegation_")
    }

    /// A revocation: `session_revoked` or `delegation_edge_revoked`.
    pub fn is_revocation(&self) -> bool {
        self.event_type == "session_revoked" || self.event_type == "delegation_edge_revoked"
    }

    /// The decision, case-insensitively.
    pub fn verdict(&self) -> Verdict {
        Verdict::of(self.decision.as_deref())
    }
}

/// What an access decision on a revoked session says about the revocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RevocationHit {
    /// An allow later than the revocation plus the grace period.
    Violation,
    /// A deny at or after the revocation: the revocation reached the deciding component.
    Deny,
}

impl Verdict {
    /// What this decision at `at_us` on a session revoked at `revoked_at_us` means, with
    /// `grace_us` of grace: one rule for the live views and for the ledger look-up of a
    /// revocation that arrived after its accesses.
    ///
    /// ```
    /// use auditflow_schemas::view::{RevocationHit, Verdict};
    /// assert_eq!(Verdict::Allow.against(10, 16, 5), Some(RevocationHit::Violation));
    /// assert_eq!(Verdict::Allow.against(10, 15, 5), None);
    /// assert_eq!(Verdict::Deny.against(10, 10, 5), Some(RevocationHit::Deny));
    /// assert_eq!(Verdict::Deny.against(10, 9, 5), None);
    /// ```
    pub fn against(self, revoked_at_us: i64, at_us: i64, grace_us: i64) -> Option<RevocationHit> {
        match self {
            Verdict::Allow if at_us > revoked_at_us.saturating_add(grace_us) => Some(RevocationHit::Violation),
            Verdict::Deny if at_us >= revoked_at_us => Some(RevocationHit::Deny),
            _ => None,
        }
    }

    /// The verdict of a decision text, case-insensitively.
    pub fn of(decision: Option<&str>) -> Verdict {
        match decision {
            Some(d) if d.eq_ignore_ascii_case("allow") => Verdict::Allow,
            Some(d) if d.eq_ignore_ascii_case("deny") => Verdict::Deny,
            _ => Verdict::Other,
        }
    }
}

/// The propagation status of one revocation (`revocation_propagation`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Propagation {
    /// The `session_revoked` / `delegation_edge_revoked` event.
    pub revocation_event_id: String,
    /// Zone.
    pub zone_id: String,
    /// The revoked agent session (the edge's child for an edge revocation).
    pub root: String,
    /// Revocation time, µs since the epoch.
    pub revoked_at_us: i64,
    /// The root and every descendant, sorted.
    pub affected: Vec<String>,
    /// The first deny on an affected session at or after the revocation, µs.
    pub first_deny_after_us: Option<i64>,
}

/// An allow on a revoked session later than the revocation plus the grace period
/// (`revocation_violations`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Violation {
    /// The allowed access event.
    pub event_id: String,
    /// Zone.
    pub zone_id: String,
    /// The affected agent session it used.
    pub agent_session_id: String,
    /// The revocation it violates.
    pub revocation_event_id: String,
    /// Its time, µs.
    pub occurred_at_us: i64,
    /// Its time minus the revocation time, µs.
    pub lag_us: i64,
}

/// One event of a request's timeline.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TraceStep {
    /// Event time, µs (first: steps sort by time, then chain position).
    pub occurred_at_us: i64,
    /// Ledger chain.
    pub chain_id: i32,
    /// Position in the chain.
    pub chain_seq: i64,
    /// Event id.
    pub event_id: String,
    /// Event type.
    pub event_type: String,
    /// The component that emitted it (see [`producer_of`]).
    pub producer: String,
    /// Decision as sent.
    pub decision: Option<String>,
    /// Evaluation status.
    pub evaluation_status: Option<String>,
    /// Determining policies (canonical JSON).
    pub determining_policies_json: Option<String>,
    /// Diagnostics (canonical JSON).
    pub diagnostics_json: Option<String>,
    /// Session.
    pub session_id: Option<String>,
    /// Agent session.
    pub agent_session_id: Option<String>,
}

/// Where a step-up challenge got to within one request.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StepUp {
    /// `step_up_issued` seen.
    pub issued: bool,
    /// The decision of `step_up_decided`, if seen.
    pub decided: Option<String>,
    /// `step_up_consumed` seen.
    pub consumed: bool,
}

/// Everything known about one request (`request_traces`, `auditflow trace`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct RequestTrace {
    /// The request.
    pub request_id: String,
    /// Zone of its first event.
    pub zone_id: String,
    /// `deny` if any event denied, else the last event's decision.
    pub final_decision: Option<String>,
    /// The events, by time then chain position.
    pub steps: Vec<TraceStep>,
    /// Event ids of the denials (their policies and diagnostics are in `steps`).
    pub denials: Vec<String>,
    /// Step-up progress, when a step-up took part.
    pub step_up: Option<StepUp>,
    /// Sessions named by the events (usually one).
    pub session_ids: Vec<String>,
    /// Agent sessions named by the events.
    pub agent_session_ids: Vec<String>,
    /// Time of the first event, µs.
    pub first_at_us: i64,
    /// Time of the last event, µs.
    pub last_at_us: i64,
    /// Missing correlations, e.g. a gateway request without a token exchange.
    pub gaps: Vec<String>,
}

/// A ledger row a stored trace points at.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct EventRef {
    /// Event id.
    pub event_id: String,
    /// Ledger chain.
    pub chain_id: i32,
    /// Position in the chain.
    pub chain_seq: i64,
}

/// The `request_traces.trace` document: what the view derived about a request, with
/// references to its ledger rows rather than copies of them. The evidence stays in one
/// place (the hash-chained ledger), and the view's write costs a third of a full copy's.
/// Built by [`TraceSummary::of`]; `auditflow trace` joins it back with the rows
/// ([`RequestTrace::of`] over them).
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct StoredTrace {
    /// The request's rows, by time then chain position.
    pub events: Vec<EventRef>,
    /// Event ids of the denials.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub denials: Vec<String>,
    /// Step-up progress, when a step-up took part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_up: Option<StepUp>,
    /// Sessions named by the events.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub session_ids: Vec<String>,
    /// Agent sessions named by the events.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub agent_session_ids: Vec<String>,
    /// Missing correlations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub gaps: Vec<String>,
}

/// The producer behind an event type (Caracal's components): `token-service` for token,
/// step-up and replay events, `gateway` for `gateway_*`, `coordinator` for session and
/// delegation lifecycle, runs and control calls, `admin-api` for `admin_*`, else `unknown`.
pub fn producer_of(event_type: &str) -> &'static str {
    let t = event_type;
    if t.starts_with("gateway_") {
        "gateway"
    } else if t.starts_with("token_")
        || t.starts_with("step_up_")
        || t == "replay_detected"
        || t == "jti_collision"
        || t == "credential_revealed"
    {
        "token-service"
    } else if t.starts_with("session_")
        || t.starts_with("delegation_")
        || t.starts_with("run_")
        || t.starts_with("control.")
    {
        "coordinator"
    } else if t.starts_with("admin_") {
        "admin-api"
    } else {
        "unknown"
    }
}

/// What the live view keeps of a request: the derived facts, and where its rows are.
/// [`RequestTrace`] is the same with the rows' contents, for reading.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct TraceSummary {
    /// The request.
    pub request_id: String,
    /// Zone of its first event.
    pub zone_id: String,
    /// `deny` if any event denied, else the last event's decision.
    pub final_decision: Option<String>,
    /// Time of the first event, µs.
    pub first_at_us: i64,
    /// Time of the last event, µs.
    pub last_at_us: i64,
    /// The `request_traces.trace` document.
    pub stored: StoredTrace,
}

/// A request's events in trace order: by time, then chain position.
fn in_trace_order<'a>(events: impl Iterator<Item = &'a ViewEvent>) -> Vec<&'a ViewEvent> {
    let mut events: Vec<&ViewEvent> = events.collect();
    events.sort_by(|a, b| {
        (a.occurred_at_us, a.chain_id, a.chain_seq, &a.id).cmp(&(b.occurred_at_us, b.chain_id, b.chain_seq, &b.id))
    });
    events
}

impl TraceSummary {
    /// The summary of a request from its events (any order; at least one): what
    /// [`RequestTrace::of`] derives, without copying the rows.
    ///
    /// ```
    /// use auditflow_schemas::view::{RequestTrace, TraceSummary, ViewEvent};
    /// let ev = |id: &str, ty: &str, decision: &str, secs: i64| ViewEvent {
    ///     id: id.into(), zone_id: "z".into(), event_type: ty.into(), request_id: Some("r1".into()),
    ///     decision: Some(decision.into()), evaluation_status: None, determining_policies_json: None,
    ///     diagnostics_json: None, session_id: Some("s".into()), agent_session_id: None,
    ///     delegation_edge_id: None, parent_agent_session_id: None, occurred_at_us: secs, chain_id: 0, chain_seq: secs,
    /// };
    /// let events = [ev("g", "gateway_resource_request", "deny", 2), ev("t", "token_exchange", "allow", 1)];
    /// let summary = TraceSummary::of("r1", events.iter());
    /// assert_eq!(summary.final_decision.as_deref(), Some("deny"));
    /// assert_eq!((summary.first_at_us, summary.last_at_us), (1, 2));
    /// assert_eq!(summary.stored.events[0].event_id, "t");
    /// assert_eq!(summary.stored.denials, vec!["g".to_string()]);
    /// // Policies and diagnostics stay in the ledger rows: only references are stored.
    /// assert_eq!(
    ///     serde_json::to_string(&summary.stored).unwrap(),
    ///     r#"{"events":[{"event_id":"t","chain_id":0,"chain_seq":1},{"event_id":"g","chain_id":0,"chain_seq":2}],"denials":["g"],"session_ids":["s"]}"#
    /// );
    /// // The same facts as the full trace.
    /// let trace = RequestTrace::of("r1", events.iter());
    /// assert_eq!((summary.final_decision, summary.stored.gaps), (trace.final_decision, trace.gaps));
    /// ```
    pub fn of<'a>(request_id: &str, events: impl Iterator<Item = &'a ViewEvent>) -> Self {
        Self::of_ordered(request_id, &in_trace_order(events))
    }

    fn of_ordered(request_id: &str, events: &[&ViewEvent]) -> Self {
        let is = |d: &Option<String>, what: &str| d.as_deref().is_some_and(|d| d.eq_ignore_ascii_case(what));
        let denials: Vec<String> = events.iter().filter(|e| is(&e.decision, "deny")).map(|e| e.id.clone()).collect();
        let final_decision =
            if denials.is_empty() { events.last().and_then(|e| e.decision.clone()) } else { Some("deny".to_owned()) };
        let mut step_up: Option<StepUp> = None;
        for e in events {
            match e.event_type.as_str() {
                "step_up_issued" => step_up.get_or_insert_with(StepUp::default).issued = true,
                "step_up_decided" => step_up.get_or_insert_with(StepUp::default).decided = e.decision.clone(),
                "step_up_consumed" => step_up.get_or_insert_with(StepUp::default).consumed = true,
                _ => {}
            }
        }
        let distinct = |field: fn(&ViewEvent) -> &Option<String>| {
            let mut ids: Vec<String> = events.iter().filter_map(|e| field(e).clone()).collect();
            ids.sort();
            ids.dedup();
            ids
        };
        let session_ids = distinct(|e| &e.session_id);
        let agent_session_ids = distinct(|e| &e.agent_session_id);
        let has = |ty: &str| events.iter().any(|e| e.event_type == ty);
        let mut gaps = Vec::new();
        if events.iter().any(|e| e.event_type.starts_with("gateway_")) && !has("token_exchange") {
            gaps.push("a gateway event with no token_exchange for this request".to_owned());
        }
        if let Some(su) = &step_up {
            if !su.issued {
                gaps.push("a step-up decided or consumed that was never issued".to_owned());
            }
            if su.consumed && su.decided.is_none() {
                gaps.push("a step-up consumed without a decision".to_owned());
            }
        }
        if session_ids.len() > 1 {
            gaps.push(format!("the events name {} different sessions", session_ids.len()));
        }
        TraceSummary {
            request_id: request_id.to_owned(),
            zone_id: events.first().map(|e| e.zone_id.clone()).unwrap_or_default(),
            final_decision,
            first_at_us: events.first().map_or(0, |e| e.occurred_at_us),
            last_at_us: events.last().map_or(0, |e| e.occurred_at_us),
            stored: StoredTrace {
                events: events
                    .iter()
                    .map(|e| EventRef { event_id: e.id.clone(), chain_id: e.chain_id, chain_seq: e.chain_seq })
                    .collect(),
                denials,
                step_up,
                session_ids,
                agent_session_ids,
                gaps,
            },
        }
    }
}

impl RequestTrace {
    /// The trace of a request from its events (any order; at least one).
    ///
    /// ```
    /// use auditflow_schemas::view::{RequestTrace, ViewEvent};
    /// let ev = |id: &str, ty: &str, decision: &str, secs: i64| ViewEvent {
    ///     id: id.into(), zone_id: "z".into(), event_type: ty.into(), request_id: Some("r1".into()),
    ///     decision: Some(decision.into()), evaluation_status: None, determining_policies_json: None,
    ///     diagnostics_json: None, session_id: Some("s".into()), agent_session_id: None,
    ///     delegation_edge_id: None, parent_agent_session_id: None, occurred_at_us: secs, chain_id: 0, chain_seq: secs,
    /// };
    /// let trace = RequestTrace::of("r1", [ev("g", "gateway_resource_request", "deny", 2), ev("t", "token_exchange", "allow", 1)].iter());
    /// assert_eq!(trace.final_decision.as_deref(), Some("deny"));
    /// assert_eq!(trace.steps[0].event_id, "t");
    /// assert_eq!(trace.denials, vec!["g".to_string()]);
    /// assert!(trace.gaps.is_empty());
    /// ```
    pub fn of<'a>(request_id: &str, events: impl Iterator<Item = &'a ViewEvent>) -> Self {
        let events = in_trace_order(events);
        let summary = TraceSummary::of_ordered(request_id, &events);
        let steps = events
            .iter()
            .map(|e| TraceStep {
                occurred_at_us: e.occurred_at_us,
                chain_id: e.chain_id,
                chain_seq: e.chain_seq,
                event_id: e.id.clone(),
                event_type: e.event_type.clone(),
                producer: producer_of(&e.event_type).to_owned(),
                decision: e.decision.clone(),
                evaluation_status: e.evaluation_status.clone(),
                determining_policies_json: e.determining_policies_json.clone(),
                diagnostics_json: e.diagnostics_json.clone(),
                session_id: e.session_id.clone(),
                agent_session_id: e.agent_session_id.clone(),
            })
            .collect();
        let StoredTrace { denials, step_up, session_ids, agent_session_ids, gaps, .. } = summary.stored;
        RequestTrace {
            request_id: summary.request_id,
            zone_id: summary.zone_id,
            final_decision: summary.final_decision,
            first_at_us: summary.first_at_us,
            last_at_us: summary.last_at_us,
            denials,
            step_up,
            session_ids,
            agent_session_ids,
            gaps,
            steps,
        }
    }
}
