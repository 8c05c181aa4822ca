//! The delegation graph in memory, grouped into trees: the lifecycle rows linked by the
//! agent sessions and delegation edges they name. A tree is the unit that leaves memory: once
//! nothing has touched it for the idle period of event time (and the views have written
//! everything it took part in), its rows are retracted and its keys go into the filter of
//! retired keys.

use super::retired::graph_key;
use auditflow_schemas::view::{SharedEvent, ViewEvent};
use std::collections::HashMap;

/// Key kinds (the first byte hashed): an agent session and a delegation edge.
const NODE: u8 = 0;
const EDGE: u8 = 1;

/// The key of the agent session an access row concerns.
pub fn access_key(event: &ViewEvent) -> Option<u64> {
    event.agent_session_id.as_deref().map(|agent| graph_key(NODE, &event.zone_id, agent))
}

/// The keys a lifecycle row links: its agent session, its parent and its edge.
pub fn lifecycle_keys(event: &ViewEvent) -> Vec<u64> {
    let zone = event.zone_id.as_str();
    let nodes = [&event.agent_session_id, &event.parent_agent_session_id];
    let mut keys: Vec<u64> = nodes.into_iter().flatten().map(|n| graph_key(NODE, zone, n)).collect();
    keys.extend(event.delegation_edge_id.as_deref().map(|e| graph_key(EDGE, zone, e)));
    keys
}

/// A revocation that names no agent session: the revocation stream's entries naming only a
/// session (every agent session it started, even later) or only an edge. Its roots are found
/// by joining rows that may arrive long after it, so it stays in memory for ever (they are
/// rare) and is always also checked against the ledger.
pub fn is_pinned(event: &ViewEvent) -> bool {
    event.is_revocation() && event.agent_session_id.is_none()
}

/// One tree's rows and how recent it is.
#[derive(Debug)]
pub struct Tree {
    /// Its agent-session and edge keys.
    pub keys: Vec<u64>,
    /// Its lifecycle rows, each with the time it was inserted at.
    pub rows: Vec<(u64, SharedEvent)>,
    /// The latest event time of any row touching it, access rows included.
    pub last_activity: i64,
    /// The latest epoch any row touching it arrived at.
    pub last_epoch: u64,
}

/// The trees of one worker's window.
#[derive(Debug, Default)]
pub struct Trees {
    by_key: HashMap<u64, u32>,
    trees: HashMap<u32, Tree>,
    next: u32,
    rows: usize,
}

impl Trees {
    /// Adds a lifecycle row with its keys, merging the trees it links.
    pub fn add(&mut self, time: u64, event: SharedEvent, keys: &[u64]) {
        let mut ids: Vec<u32> = keys.iter().filter_map(|k| self.by_key.get(k).copied()).collect();
        ids.sort_unstable();
        ids.dedup();
        // The largest tree absorbs the others, so a key moves O(log n) times at most.
        ids.sort_by_key(|id| std::cmp::Reverse(self.trees.get(id).map_or(0, |t| t.keys.len() + t.rows.len())));
        let id = match ids.first() {
            Some(id) => *id,
            None => {
                self.next = self.next.wrapping_add(1);
                while self.trees.contains_key(&self.next) {
                    self.next = self.next.wrapping_add(1);
                }
                let at = event.occurred_at_us;
                self.trees.insert(
                    self.next,
                    Tree { keys: Vec::new(), rows: Vec::new(), last_activity: at, last_epoch: time },
                );
                self.next
            }
        };
        for other in ids.iter().skip(1) {
            if let Some(absorbed) = self.trees.remove(other) {
                for key in &absorbed.keys {
                    self.by_key.insert(*key, id);
                }
                if let Some(tree) = self.trees.get_mut(&id) {
                    tree.keys.extend(absorbed.keys);
                    tree.rows.extend(absorbed.rows);
                    tree.last_activity = tree.last_activity.max(absorbed.last_activity);
                    tree.last_epoch = tree.last_epoch.max(absorbed.last_epoch);
                }
            }
        }
        let Some(tree) = self.trees.get_mut(&id) else { return };
        for key in keys {
            if self.by_key.insert(*key, id).is_none() {
                tree.keys.push(*key);
            }
        }
        tree.last_activity = tree.last_activity.max(event.occurred_at_us);
        tree.last_epoch = tree.last_epoch.max(time);
        tree.rows.push((time, event));
        self.rows += 1;
    }

    /// An access on `key` at event time `at`, arriving at `time`: its tree stays.
    pub fn touch(&mut self, key: u64, at: i64, time: u64) {
        if let Some(tree) = self.by_key.get(&key).and_then(|id| self.trees.get_mut(id)) {
            tree.last_activity = tree.last_activity.max(at);
            tree.last_epoch = tree.last_epoch.max(time);
        }
    }

    /// Every key of the trees that hold any of `keys`, and their revocation rows.
    pub fn linked(&self, keys: &[u64]) -> (Vec<u64>, Vec<SharedEvent>) {
        let mut ids: Vec<u32> = keys.iter().filter_map(|k| self.by_key.get(k).copied()).collect();
        ids.sort_unstable();
        ids.dedup();
        let trees: Vec<&Tree> = ids.iter().filter_map(|id| self.trees.get(id)).collect();
        let linked = trees.iter().flat_map(|t| t.keys.iter().copied()).collect();
        let revocations = trees
            .iter()
            .flat_map(|t| t.rows.iter().map(|(_, row)| row))
            .filter(|row| row.is_revocation())
            .cloned()
            .collect();
        (linked, revocations)
    }

    /// Takes out the trees nothing has touched since `idle_before` (event time) whose last
    /// epoch the views have written (`written`: every epoch below it is written).
    pub fn retire(&mut self, idle_before: i64, written: u64) -> Vec<Tree> {
        let done: Vec<u32> = self
            .trees
            .iter()
            .filter(|(_, t)| t.last_activity < idle_before && t.last_epoch < written)
            .map(|(id, _)| *id)
            .collect();
        let mut out = Vec::with_capacity(done.len());
        for id in done {
            if let Some(tree) = self.trees.remove(&id) {
                for key in &tree.keys {
                    self.by_key.remove(key);
                }
                self.rows -= tree.rows.len();
                out.push(tree);
            }
        }
        out
    }

    /// Where every row in memory is in the ledger: (chain, position).
    pub fn positions(&self) -> Vec<(i32, i64)> {
        self.trees.values().flat_map(|t| t.rows.iter().map(|(_, row)| (row.chain_id, row.chain_seq))).collect()
    }

    /// Trees and lifecycle rows in memory.
    pub fn size(&self) -> (usize, usize) {
        (self.trees.len(), self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn row(ty: &str, agent: Option<&str>, parent: Option<&str>, edge: Option<&str>, at: i64) -> SharedEvent {
        Arc::new(ViewEvent {
            id: format!("{ty}-{agent:?}-{at}"),
            zone_id: "z".into(),
            event_type: ty.into(),
            request_id: None,
            decision: None,
            evaluation_status: None,
            determining_policies_json: None,
            diagnostics_json: None,
            session_id: Some("s".into()),
            agent_session_id: agent.map(Into::into),
            delegation_edge_id: edge.map(Into::into),
            parent_agent_session_id: parent.map(Into::into),
            occurred_at_us: at,
            chain_id: 0,
            chain_seq: 0,
        })
    }

    #[test]
    fn edges_join_trees_and_idle_trees_retire_once_written() {
        let mut trees = Trees::default();
        let spawn_a = row("session_spawned", Some("a"), None, None, 10);
        let spawn_b = row("session_spawned", Some("b"), None, None, 20);
        trees.add(0, spawn_a.clone(), &lifecycle_keys(&spawn_a));
        trees.add(0, spawn_b.clone(), &lifecycle_keys(&spawn_b));
        assert_eq!(trees.size(), (2, 2));
        // a -> b links the two; a session shared by both does not (it is not a key).
        let edge = row("delegation_edge_created", Some("b"), Some("a"), Some("e"), 30);
        trees.add(1, edge.clone(), &lifecycle_keys(&edge));
        assert_eq!(trees.size(), (1, 3));
        assert_eq!(trees.positions().len(), 3);
        let spawn_c = row("session_spawned", Some("c"), None, None, 5);
        trees.add(1, spawn_c.clone(), &lifecycle_keys(&spawn_c));
        trees.touch(access_key(&spawn_b).unwrap_or_default(), 100, 2);
        // Not idle long enough, then not written yet, then gone.
        assert_eq!(trees.retire(100, 10).len(), 1, "only c (last active at 5) retires");
        assert!(trees.retire(101, 2).is_empty(), "epoch 2 is not written yet");
        let gone = trees.retire(101, 3);
        assert_eq!(gone.len(), 1);
        assert_eq!(gone[0].rows.len(), 3);
        assert_eq!(gone[0].keys.len(), 3, "a, b and the edge");
        assert_eq!(trees.size(), (0, 0));
        assert!(is_pinned(&row("session_revoked", None, None, None, 0)));
        assert!(!is_pinned(&row("session_revoked", Some("a"), None, None, 0)));
    }
}
