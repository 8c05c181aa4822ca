//! Revocation propagation (SPEC §5) as a differential dataflow over committed events.
//!
//! Delegation edges (`delegation_edge_created`: parent agent session → child) form a graph
//! per zone. A revocation — `session_revoked` (its agent session, or, when it names only a
//! session, every agent session that session started) or `delegation_edge_revoked` (the
//! edge's child, named in the event or found by edge id) — reaches its roots and every
//! descendant (`iterate` to a fixed point). Joined with the
//! access decisions on those sessions it yields, per revocation, the first deny at or after
//! it, and every *allow* later than the revocation time plus the grace period: a violation.
//!
//! Everything is computed from event times carried in the data, never from arrival order,
//! epochs or batching: the collections are multisets, so any order of the same events gives
//! the same result.

use auditflow_schemas::delegation::Revokes;
use auditflow_schemas::view::{Propagation, RevocationHit, SharedEvent, Verdict, Violation};
use differential_dataflow::hashable::Hashable;
use differential_dataflow::lattice::Lattice;
use differential_dataflow::operators::iterate::Iterate;
use differential_dataflow::VecCollection;
use timely::progress::Timestamp;

/// An agent session, scoped by zone.
type Node = (String, String);

/// A revocation: (event id, zone, root, revoked at µs).
type Revocation = (String, String, String, i64);

/// The per-revocation facts `propagation` folds into one [`Propagation`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
enum Fact {
    /// The revocation itself (zone, root, time).
    Revoked(String, String, i64),
    /// An affected session.
    Affected(String),
    /// A deny on an affected session at or after the revocation, µs.
    Deny(i64),
}

/// Extension trait: revocation views of a collection of committed events.
///
/// ```
/// use auditflow_operators::RevocationViews;
/// use auditflow_schemas::view::{SharedEvent, ViewEvent};
/// use differential_dataflow::input::Input;
/// use std::sync::{Arc, Mutex};
///
/// let ev = |id: &str, ty: &str, decision: &str, agent: &str, parent: Option<&str>, secs: i64| SharedEvent::new(ViewEvent {
///     id: id.into(), zone_id: "z".into(), event_type: ty.into(), request_id: None,
///     decision: Some(decision.into()), evaluation_status: None, determining_policies_json: None,
///     diagnostics_json: None, session_id: None, agent_session_id: Some(agent.into()),
///     delegation_edge_id: None, parent_agent_session_id: parent.map(Into::into),
///     occurred_at_us: secs * 1_000_000, chain_id: 0, chain_seq: 0,
/// });
/// let found = Arc::new(Mutex::new(Vec::new()));
/// let sink = found.clone();
/// timely::execute_directly(move |worker| {
///     let mut input = worker.dataflow::<u64, _, _>(|scope| {
///         let (input, events) = scope.new_collection();
///         let (_, violations) = events.revocation_views(5_000_000);
///         violations.inspect(move |(v, _, diff)| sink.lock().unwrap().push((v.event_id.clone(), *diff)));
///         input
///     });
///     input.insert(ev("edge", "delegation_edge_created", "allow", "child", Some("root"), 0));
///     input.insert(ev("rev", "session_revoked", "allow", "root", None, 10));
///     input.insert(ev("late", "gateway_resource_request", "allow", "child", None, 20));
///     input.insert(ev("grace", "gateway_resource_request", "allow", "child", None, 12));
/// });
/// assert_eq!(*found.lock().unwrap(), vec![("late".to_string(), 1)]);
/// ```
pub trait RevocationViews<'s, T: Timestamp + Lattice + Ord> {
    /// Per-revocation propagation status and the violations, with `grace_us` of grace.
    fn revocation_views(self, grace_us: i64) -> (VecCollection<'s, T, Propagation>, VecCollection<'s, T, Violation>);
}

impl<'s, T: Timestamp + Lattice + Ord> RevocationViews<'s, T> for VecCollection<'s, T, SharedEvent> {
    fn revocation_views(self, grace_us: i64) -> (VecCollection<'s, T, Propagation>, VecCollection<'s, T, Violation>) {
        // The graph's rules (what is an edge, what a revocation names) are
        // `auditflow_schemas::delegation`'s, shared with the ledger's walk.
        let lifecycle = self.clone().filter(|e| e.is_lifecycle());
        // parent → child.
        let edges: VecCollection<'s, T, (Node, Node)> = lifecycle.clone().flat_map(|e| {
            let (parent, child) = e.delegation()?;
            Some(((e.zone_id.clone(), parent.to_owned()), (e.zone_id.clone(), child.to_owned())))
        });
        // (zone, edge id) → child, for edge revocations that name only the edge.
        let edge_children: VecCollection<'s, T, ((String, String), String)> = lifecycle.clone().flat_map(|e| {
            let (edge, child) = e.edge_child()?;
            Some(((e.zone_id.clone(), edge.to_owned()), child.to_owned()))
        });
        // (zone, session) → the agent sessions it started, for revocations that name only the
        // session (the revocation stream's `session_id`-only entries).
        let session_agents: VecCollection<'s, T, ((String, String), String)> = lifecycle.clone().flat_map(|e| {
            let (session, agent) = e.session_agent()?;
            Some(((e.zone_id.clone(), session.to_owned()), agent.to_owned()))
        });
        let revoking = lifecycle.filter(|e| e.is_revocation());
        let direct: VecCollection<'s, T, Revocation> = revoking.clone().flat_map(|e| match e.revokes()? {
            Revokes::Agent(root) => Some((e.id.clone(), e.zone_id.clone(), root.to_owned(), e.occurred_at_us)),
            _ => None,
        });
        let by_session: VecCollection<'s, T, Revocation> = revoking
            .clone()
            .flat_map(|e| match e.revokes()? {
                Revokes::Session(session) => {
                    Some(((e.zone_id.clone(), session.to_owned()), (e.id.clone(), e.occurred_at_us)))
                }
                _ => None,
            })
            .join_map(session_agents, |(zone, _), (id, at), agent| (id.clone(), zone.clone(), agent.clone(), *at));
        let by_edge: VecCollection<'s, T, Revocation> = revoking
            .flat_map(|e| match e.revokes()? {
                Revokes::Edge(edge) => Some(((e.zone_id.clone(), edge.to_owned()), (e.id.clone(), e.occurred_at_us))),
                _ => None,
            })
            .join_map(edge_children, |(zone, _), (id, at), child| (id.clone(), zone.clone(), child.clone(), *at));
        let revocations = direct.concat(by_edge).concat(by_session);

        // (node, revocation id) for the root and every descendant.
        let roots: VecCollection<'s, T, (Node, String)> =
            revocations.clone().map(|(id, zone, root, _)| ((zone, root), id));
        let reach = roots.clone().iterate(|scope, inner| {
            let edges = edges.enter(scope);
            let roots = roots.enter(scope);
            inner.join_map(edges, |_parent, id, child| (child.clone(), id.clone())).concat(roots).distinct()
        });

        // (node, (revocation id, revoked at)).
        let times = revocations.clone().map(|(id, _, _, at)| (id, at));
        let affected: VecCollection<'s, T, (Node, (String, i64))> = reach
            .clone()
            .map(|(node, id)| (id, node))
            .join_map(times, |id, node, at| (node.clone(), (id.clone(), *at)));
        // Access decisions, by far the most rows, keyed by a hash of their node and carried as
        // the shared row: arrangement merges then copy a `u64` and a pointer, not three
        // strings. The join compares the nodes themselves, so a collision joins nothing.
        let access: VecCollection<'s, T, (u64, SharedEvent)> = self.flat_map(|e| {
            if e.is_lifecycle() || e.verdict() == Verdict::Other {
                return None;
            }
            let key = (e.zone_id.as_str(), e.agent_session_id.as_deref()?).hashed();
            Some((key, e))
        });
        let affected = affected.map(|(node, rev)| ((node.0.as_str(), node.1.as_str()).hashed(), (node, rev)));
        let hits = affected
            .join_map(access, move |_, ((zone, agent), (rev, at)), e| {
                if e.zone_id != *zone || e.agent_session_id.as_deref() != Some(agent.as_str()) {
                    return None;
                }
                let hit = e.verdict().against(*at, e.occurred_at_us, grace_us)?;
                Some((rev.clone(), (zone.clone(), agent.clone()), *at, e.id.clone(), e.occurred_at_us, hit))
            })
            .flat_map(|hit| hit);
        let violations = hits.clone().flat_map(|(rev, (zone, agent), at, event, t, hit)| {
            (hit == RevocationHit::Violation).then(|| Violation {
                event_id: event,
                zone_id: zone,
                agent_session_id: agent,
                revocation_event_id: rev,
                occurred_at_us: t,
                lag_us: t - at,
            })
        });

        let facts = revocations
            .map(|(id, zone, root, at)| (id, Fact::Revoked(zone, root, at)))
            .concat(reach.map(|((_, agent), id)| (id, Fact::Affected(agent))))
            .concat(
                hits.flat_map(|(rev, _, _, _, t, hit)| (hit == RevocationHit::Deny).then_some((rev, Fact::Deny(t)))),
            );
        let propagation = facts
            .reduce(|id, facts, out| {
                let mut revoked = None;
                let mut affected = Vec::new();
                let mut first_deny: Option<i64> = None;
                for (fact, _) in facts {
                    match fact {
                        Fact::Revoked(zone, root, at) => revoked = Some((zone.clone(), root.clone(), *at)),
                        Fact::Affected(agent) => affected.push(agent.clone()),
                        Fact::Deny(t) => first_deny = Some(first_deny.map_or(*t, |f| f.min(*t))),
                    }
                }
                // Facts about a revocation that is itself not (or no longer) there say nothing.
                if let Some((zone_id, root, revoked_at_us)) = revoked {
                    affected.dedup();
                    out.push((
                        Propagation {
                            revocation_event_id: id.clone(),
                            zone_id,
                            root,
                            revoked_at_us,
                            affected,
                            first_deny_after_us: first_deny,
                        },
                        1isize,
                    ));
                }
            })
            .map(|(_, p)| p);
        (propagation, violations)
    }
}
