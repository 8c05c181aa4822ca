-- The live views in event time (issue 19): their state is bounded by open work, so what
-- left it must be found again in the ledger, and a restart must know where they got to.
--
-- * `audit_events_agent_session_idx`: a revocation that arrives after the accesses it
-- concerns left the views' memory finds them by agent session and time, as a late one
-- would have been found live.
-- * `audit_events_lifecycle_idx`: hydration reads the delegation graph (session and
-- delegation events, a small share of the rows) without scanning the ledger.
-- * `audit_views_progress`: per chain, the position up to which the views wrote what the
-- ledger committed, and the newest event time among those rows. Hydration re-reads every
-- row after the position (whatever its event time), so a late row committed just before a
-- crash is not missed, and takes the event time as its clock. Seeded from the ledger's
-- heads: a ledger upgraded from before this migration had its views written up to them.
-- * `revocation_propagation.checked_affected`: the affected sessions whose past accesses
-- were looked up in the ledger, so each is looked up once.
CREATE INDEX IF NOT EXISTS audit_events_agent_session_idx
    ON audit_events (zone_id, (metadata_json->>'agent_session_id'), occurred_at)
    WHERE metadata_json ? 'agent_session_id';
CREATE INDEX IF NOT EXISTS audit_events_lifecycle_idx ON audit_events (chain_id, chain_seq)
    WHERE event_type LIKE 'session\_%' OR event_type LIKE 'delegation\_%';
CREATE TABLE audit_views_progress (
    chain_id    integer     PRIMARY KEY,
    chain_seq   bigint      NOT NULL,
    newest_at   timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO audit_views_progress (chain_id, chain_seq, newest_at)
SELECT w.chain_id, w.chain_seq,
       (SELECT max(e.occurred_at) FROM audit_events e WHERE e.chain_id = w.chain_id AND e.chain_seq > w.chain_seq - 1000)
FROM audit_ingest_watermarks w WHERE w.sink = 'ledger';
ALTER TABLE revocation_propagation ADD COLUMN checked_affected text[] NOT NULL DEFAULT '{}';
GRANT SELECT, INSERT, UPDATE ON audit_views_progress TO auditflow_writer;
