//! The live views computed from scratch over the ledger, to compare the stored ones with.

use super::TestEnv;

/// Violations computed from scratch with SQL: reachability over the delegation edges by a
/// recursive query, then every allow on a reached session later than revocation + 5 s.
pub fn violations_from_ledger(env: &TestEnv) -> Vec<(String, String)> {
    env.query(
        "WITH RECURSIVE edges AS ( \
            SELECT zone_id, metadata_json->>'parent_agent_session_id' AS parent, metadata_json->>'agent_session_id' AS child \
            FROM audit_events WHERE event_type = 'delegation_edge_created'), \
         revs AS ( \
            SELECT id, zone_id, metadata_json->>'agent_session_id' AS root, occurred_at FROM audit_events \
            WHERE event_type IN ('session_revoked', 'delegation_edge_revoked') AND metadata_json ? 'agent_session_id'), \
         reach(rev, zone_id, node) AS ( \
            SELECT id, zone_id, root FROM revs \
            UNION SELECT r.rev, r.zone_id, e.child FROM reach r JOIN edges e ON e.zone_id = r.zone_id AND e.parent = r.node) \
         SELECT DISTINCT a.id, v.id FROM reach r JOIN revs v ON v.id = r.rev \
         JOIN audit_events a ON a.zone_id = r.zone_id AND a.metadata_json ? 'agent_session_id' \
              AND a.metadata_json->>'agent_session_id' = r.node \
         WHERE lower(a.decision) = 'allow' AND a.event_type NOT LIKE 'session\\_%' AND a.event_type NOT LIKE 'delegation\\_%' \
           AND a.occurred_at > v.occurred_at + interval '5 seconds' ORDER BY 1, 2",
    )
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect()
}

/// The stored violations: (event, revocation).
pub fn stored_violations(env: &TestEnv) -> Vec<(String, String)> {
    env.query("SELECT event_id, revocation_event_id FROM revocation_violations ORDER BY 1, 2")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}
