-- The delegation graph leaves the views' memory tree by tree (issue 19), so what a row on a
-- retired tree needs is found in Postgres:
-- * `audit_events_delegation_parent_idx`: a revocation of a retired tree reaches its
-- descendants over the ledger's delegation edges (a recursive query, one index probe per
-- edge followed).
-- * `revocation_propagation_affected_idx` (GIN): an access on a retired agent session finds
-- the stored revocations affecting it.
-- * `audit_events_session_agents_idx`, `audit_events_delegation_edge_idx`: a revocation that
-- names only a session or only an edge finds the agent sessions it revokes.
-- * `audit_events_pinned_revocations_idx`: revocations naming no agent session (only a
-- session or an edge) stay in memory for ever, so hydration reads them all.
-- * `audit_views_retired`: per worker, the keys retired since its filter was last stored
-- whole, and where the rows of the trees in memory are in the ledger (hydration reads
-- those back, not the whole graph). `audit_views_retired_pages`: each worker's filter of
-- retired trees' keys (a fixed-size Bloom filter), in 256 KiB pages.
CREATE INDEX IF NOT EXISTS audit_events_delegation_parent_idx
    ON audit_events (zone_id, (metadata_json->>'parent_agent_session_id'))
    WHERE event_type = 'delegation_edge_created';
CREATE INDEX IF NOT EXISTS revocation_propagation_affected_idx ON revocation_propagation USING gin (affected);
CREATE INDEX IF NOT EXISTS audit_events_session_agents_idx
    ON audit_events (zone_id, (metadata_json->>'session_id'))
    WHERE event_type LIKE 'session\_%';
CREATE INDEX IF NOT EXISTS audit_events_delegation_edge_idx
    ON audit_events (zone_id, (metadata_json->>'delegation_edge_id'))
    WHERE event_type = 'delegation_edge_created';
CREATE INDEX IF NOT EXISTS audit_events_pinned_revocations_idx ON audit_events (chain_id)
    WHERE event_type IN ('session_revoked', 'delegation_edge_revoked')
      AND jsonb_typeof(metadata_json->'agent_session_id') IS DISTINCT FROM 'string';
CREATE TABLE audit_views_retired (
    worker      integer     PRIMARY KEY,
    added       bigint[]    NOT NULL DEFAULT '{}',
    live_chain  integer[]   NOT NULL DEFAULT '{}',
    live_seq    bigint[]    NOT NULL DEFAULT '{}',
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE audit_views_retired_pages (
    worker      integer     NOT NULL,
    page        integer     NOT NULL,
    bits        bytea       NOT NULL,
    PRIMARY KEY (worker, page)
);
GRANT SELECT, INSERT, UPDATE ON audit_views_retired, audit_views_retired_pages TO auditflow_writer;
