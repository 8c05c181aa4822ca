//! Rows touching delegation trees that left the views' memory (`Held::Check`), checked
//! against what holds them now: the stored revocation statuses and the ledger.
//!
//! * A revocation: its roots (named, or found from the edge or session it names) and
//!   everything they reach over the ledger's delegation edges, one level per statement (the
//!   index on the edge's parent finds the candidates). Which rows are edges and what a
//!   revocation names is decided by `auditflow_schemas::delegation`, the rules the
//!   dataflow's `iterate` follows, not restated here in SQL. Its accesses are then looked up
//!   like any revocation's.
//! * Another lifecycle row (an edge, a session event) on a retired agent session: every
//!   stored revocation that affects one of its sessions now also affects what its agent
//!   session reaches in the ledger.
//! * An access on a retired agent session: judged against every stored revocation that
//!   affects it (the GIN index on `affected`), by the same rule as the dataflow.

use super::read::{probe_each, probe_each_as, query_events_from};
use crate::LedgerError;
use auditflow_schemas::delegation::Revokes;
use auditflow_schemas::view::{Propagation, RevocationHit, ViewEvent, Violation};
use std::collections::{BTreeMap, BTreeSet};
use tokio_postgres::Transaction;

type Timestamp = chrono::DateTime<chrono::Utc>;

/// (input row, zone, key): a look-up for the row at that index of a batch.
type Lookup<'a> = (usize, &'a str, &'a str);

/// A batch's checked rows, by what checking them takes.
#[derive(Default)]
pub(super) struct Checks<'a> {
    pub(super) revocations: Vec<&'a ViewEvent>,
    pub(super) links: Vec<&'a ViewEvent>,
    pub(super) accesses: Vec<&'a ViewEvent>,
}

impl<'a> Checks<'a> {
    pub(super) fn of(rows: impl Iterator<Item = &'a ViewEvent>) -> Self {
        let mut checks = Checks::default();
        let mut seen = BTreeSet::new();
        for row in rows.filter(|row| seen.insert(row.id.as_str())) {
            if row.is_revocation() {
                checks.revocations.push(row);
            } else if row.is_lifecycle() {
                checks.links.push(row);
            } else {
                checks.accesses.push(row);
            }
        }
        checks
    }

    pub(super) fn is_empty(&self) -> bool {
        self.revocations.is_empty() && self.links.is_empty() && self.accesses.is_empty()
    }
}

/// Each revocation's status as the ledger gives it: its roots and every agent session they
/// reach (no deny yet: its accesses are looked up once the status is stored).
pub(super) async fn revocations_in_ledger(
    tx: &Transaction<'_>,
    rows: &[&ViewEvent],
) -> Result<Vec<Propagation>, LedgerError> {
    // (row, zone, root) for the roots named in the rows.
    let mut roots: Vec<(usize, String, String)> = Vec::new();
    let (mut by_edge, mut by_session): (Vec<Lookup>, Vec<Lookup>) = Default::default();
    for (i, row) in rows.iter().enumerate() {
        match row.revokes() {
            Some(Revokes::Agent(agent)) => roots.push((i, row.zone_id.clone(), agent.to_owned())),
            Some(Revokes::Edge(edge)) => by_edge.push((i, &row.zone_id, edge)),
            Some(Revokes::Session(session)) => by_session.push((i, &row.zone_id, session)),
            None => {}
        }
    }
    // The rows the dataflow joins for these, as the ledger has them; the candidates the
    // indexes find are judged by the shared rules.
    for (i, zone, child) in lookup(tx, &by_edge, EDGES_BY_ID, ViewEvent::edge_child).await? {
        roots.push((i, zone, child));
    }
    for (i, zone, agent) in lookup(tx, &by_session, SESSION_AGENTS, ViewEvent::session_agent).await? {
        roots.push((i, zone, agent));
    }
    let reached = reach_in_ledger(tx, &roots).await?;
    let mut out: BTreeMap<usize, Propagation> = BTreeMap::new();
    for (i, zone, root) in roots {
        let row = rows[i];
        let status = out.entry(i).or_insert_with(|| Propagation {
            revocation_event_id: row.id.clone(),
            zone_id: zone,
            root: root.clone(),
            revoked_at_us: row.occurred_at_us,
            affected: Vec::new(),
            first_deny_after_us: None,
        });
        // As the dataflow's fold does: with several roots, the last in order names it.
        status.root = status.root.clone().max(root);
    }
    for (i, node) in reached {
        if let Some(status) = out.get_mut(&i) {
            status.affected.push(node);
        }
    }
    Ok(settled(out.into_values()))
}

/// Every stored revocation affecting a session of a linking row now also affects what the
/// row's agent session reaches in the ledger.
pub(super) async fn links_in_ledger(
    tx: &Transaction<'_>,
    rows: &[&ViewEvent],
) -> Result<Vec<Propagation>, LedgerError> {
    let mut nodes: Vec<Lookup> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if row.agent_session_id.is_none() {
            continue;
        }
        for node in [&row.agent_session_id, &row.parent_agent_session_id].into_iter().flatten() {
            nodes.push((i, &row.zone_id, node));
        }
    }
    let statuses = statuses_affecting(tx, &nodes).await?;
    if statuses.is_empty() {
        return Ok(Vec::new());
    }
    let starts: Vec<(usize, String, String)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, r.zone_id.clone(), r.agent_session_id.clone()?)))
        .collect();
    let mut reached: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (i, node) in reach_in_ledger(tx, &starts).await? {
        reached.entry(i).or_default().push(node);
    }
    let mut out: BTreeMap<String, Propagation> = BTreeMap::new();
    for status in statuses {
        let Some(nodes) = reached.get(&status.row) else { continue };
        let p = out.entry(status.revocation.clone()).or_insert_with(|| Propagation {
            revocation_event_id: status.revocation,
            zone_id: status.zone,
            root: status.root,
            revoked_at_us: status.revoked_at_us,
            affected: Vec::new(),
            first_deny_after_us: None,
        });
        p.affected.extend(nodes.iter().cloned());
    }
    Ok(settled(out.into_values()))
}

/// Judges each access against the stored revocations affecting its agent session: new
/// violations join `violations`, the earliest deny per revocation is returned.
pub(super) async fn accesses_against_stored(
    tx: &Transaction<'_>,
    rows: &[&ViewEvent],
    grace_us: i64,
    violations: &mut BTreeMap<(String, String), Vec<Violation>>,
) -> Result<BTreeMap<String, i64>, LedgerError> {
    let nodes: Vec<Lookup> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, r.zone_id.as_str(), r.agent_session_id.as_deref()?)))
        .collect();
    let mut first_deny: BTreeMap<String, i64> = BTreeMap::new();
    for status in statuses_affecting(tx, &nodes).await? {
        let access = rows[status.row];
        match access.verdict().against(status.revoked_at_us, access.occurred_at_us, grace_us) {
            Some(RevocationHit::Violation) => {
                violations.entry((access.id.clone(), status.revocation.clone())).or_default().push(Violation {
                    event_id: access.id.clone(),
                    zone_id: access.zone_id.clone(),
                    agent_session_id: access.agent_session_id.clone().unwrap_or_default(),
                    revocation_event_id: status.revocation,
                    occurred_at_us: access.occurred_at_us,
                    lag_us: access.occurred_at_us - status.revoked_at_us,
                });
            }
            Some(RevocationHit::Deny) => {
                let first = first_deny.entry(status.revocation).or_insert(access.occurred_at_us);
                *first = (*first).min(access.occurred_at_us);
            }
            None => {}
        }
    }
    Ok(first_deny)
}

/// Statuses with their affected sessions sorted and each once.
fn settled(statuses: impl Iterator<Item = Propagation>) -> Vec<Propagation> {
    statuses
        .map(|mut p| {
            p.affected.sort();
            p.affected.dedup();
            p
        })
        .collect()
}

/// A stored revocation affecting the session of input row `row`.
struct Affecting {
    row: usize,
    revocation: String,
    zone: String,
    root: String,
    revoked_at_us: i64,
}

/// The stored revocations affecting each (row, zone, agent session).
async fn statuses_affecting(
    tx: &Transaction<'_>,
    nodes: &[(usize, &str, &str)],
) -> Result<Vec<Affecting>, LedgerError> {
    if nodes.is_empty() {
        return Ok(Vec::new());
    }
    // One probe of the GIN index on `affected` per distinct (zone, session): many accesses
    // of a batch share a session. As a plain join over a batch of a 1M-event spread backlog
    // Postgres compared every status of the zone with every key (325 ms a batch, 19 % of
    // the drain's statement time, with the other worker waiting on the revocation lock).
    // The zone is checked outside the probe, so that the zone's index is no alternative.
    let wanted = by_key(nodes);
    let (zones, agents): (Vec<&str>, Vec<&str>) = wanted.keys().copied().unzip();
    let sql = format!(
        "SELECT u.zone, u.node, p.revocation_event_id, p.zone_id, p.root, p.revoked_at FROM {} \
         WHERE p.zone_id = u.zone",
        probe_each_as(
            "unnest($1::text[], $2::text[]) AS u(zone, node)",
            "SELECT s.revocation_event_id, s.zone_id, s.root, s.revoked_at FROM revocation_propagation s \
             WHERE s.affected @> ARRAY[u.node]",
            "p",
        )
    );
    let rows = tx
        .query(&sql, &[&zones, &agents])
        .await
        .map_err(LedgerError::pg("find the stored revocations affecting retired sessions"))?;
    let mut out = Vec::new();
    for r in rows {
        let key: (&str, &str) = (r.get(0), r.get(1));
        for &row in wanted.get(&key).into_iter().flatten() {
            out.push(Affecting {
                row,
                revocation: r.get(2),
                zone: r.get(3),
                root: r.get(4),
                revoked_at_us: r.get::<_, Timestamp>(5).timestamp_micros(),
            });
        }
    }
    out.sort_by(|a, b| (a.row, &a.revocation).cmp(&(b.row, &b.revocation)));
    Ok(out)
}

/// The input rows of each distinct (zone, key): a look-up probes each key once, however
/// many rows of the batch share it.
fn by_key<'a>(keys: &[Lookup<'a>]) -> BTreeMap<(&'a str, &'a str), Vec<usize>> {
    let mut wanted: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for &(i, zone, key) in keys {
        wanted.entry((zone, key)).or_default().push(i);
    }
    wanted
}

/// Candidate `delegation_edge_created` rows by (zone, edge id).
const EDGES_BY_ID: &str =
    "e.event_type = 'delegation_edge_created' AND (e.metadata_json->>'delegation_edge_id') = u.key";
/// Candidate session lifecycle rows by (zone, session id).
const SESSION_AGENTS: &str = "e.event_type LIKE 'session\\_%' AND (e.metadata_json->>'session_id') = u.key";
/// Candidate `delegation_edge_created` rows by (zone, parent agent session).
const EDGES_BY_PARENT: &str =
    "e.event_type = 'delegation_edge_created' AND (e.metadata_json->>'parent_agent_session_id') = u.key";

/// For each (row, zone, key), the ledger rows `candidates` finds in that zone for that key
/// which `rule` maps to `(key, value)`: `(row, zone, value)` for each.
async fn lookup(
    tx: &Transaction<'_>,
    keys: &[Lookup<'_>],
    candidates: &str,
    rule: fn(&ViewEvent) -> Option<(&str, &str)>,
) -> Result<Vec<(usize, String, String)>, LedgerError> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let wanted = by_key(keys);
    let (zones, names): (Vec<&str>, Vec<&str>) = wanted.keys().copied().unzip();
    let found = query_events_from(
        tx,
        &probe_each(
            "unnest($1::text[], $2::text[]) AS u(zone, key)",
            &format!("SELECT e.* FROM audit_events e WHERE e.zone_id = u.zone AND {candidates}"),
        ),
        "true",
        &[&zones, &names],
    )
    .await?;
    let mut out = Vec::new();
    for row in &found {
        let Some((key, value)) = rule(row) else { continue };
        for &i in wanted.get(&(row.zone_id.as_str(), key)).into_iter().flatten() {
            out.push((i, row.zone_id.clone(), value.to_owned()));
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Every agent session each (row, zone, root) reaches over the ledger's delegation edges,
/// the root included: a breadth-first walk, one statement per level, that ends on a cycle
/// because each (row, node) is visited once.
async fn reach_in_ledger(
    tx: &Transaction<'_>,
    roots: &[(usize, String, String)],
) -> Result<Vec<(usize, String)>, LedgerError> {
    let mut seen: BTreeSet<(usize, String, String)> = roots.iter().cloned().collect();
    let mut frontier: Vec<(usize, String, String)> = seen.iter().cloned().collect();
    while !frontier.is_empty() {
        let level: Vec<Lookup> = frontier.iter().map(|(i, zone, node)| (*i, zone.as_str(), node.as_str())).collect();
        let children = lookup(tx, &level, EDGES_BY_PARENT, ViewEvent::delegation).await?;
        frontier = children.into_iter().filter(|child| seen.insert(child.clone())).collect();
    }
    Ok(seen.into_iter().map(|(i, _, node)| (i, node)).collect())
}
