-- A database laid out like Caracal's audit ledger (infra/postgres/migrations/0001_baseline,
-- the audit part), written from the description in docs/caracal-reference.md §1.1: the
-- tables, columns, partitions, indexes, row-level security and grants auditflow meets when it
-- adopts such a ledger. Not Caracal's file: what the adoption tests and `bench caracal-readers` need.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'caracalaudit') THEN
        CREATE ROLE caracalaudit NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'caracalapi') THEN
        CREATE ROLE caracalapi NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

CREATE TABLE audit_events (
    id text NOT NULL,
    zone_id text NOT NULL,
    event_type text NOT NULL,
    request_id text,
    decision text,
    policy_set_id text,
    policy_set_version_id text,
    manifest_sha text,
    evaluation_status text,
    determining_policies_json jsonb,
    diagnostics_json jsonb,
    metadata_json jsonb,
    occurred_at timestamptz NOT NULL,
    ingested_at timestamptz NOT NULL DEFAULT now(),
    content_sha256 text,
    prev_content_sha256 text,
    chain_hmac text,
    chain_seq bigint,
    ingest_signature text,
    CONSTRAINT audit_events_pkey PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);
CREATE TABLE audit_events_default PARTITION OF audit_events DEFAULT;
CREATE INDEX audit_events_zone_chain ON audit_events (zone_id, chain_seq DESC);
CREATE INDEX audit_events_zone_id_occurred_at_idx ON audit_events (zone_id, occurred_at DESC);
CREATE INDEX audit_events_request_id_idx ON audit_events (request_id) WHERE request_id IS NOT NULL;
CREATE INDEX audit_events_agent_session_idx ON audit_events ((metadata_json->>'agent_session_id'))
    WHERE metadata_json ? 'agent_session_id';
CREATE INDEX audit_events_session_idx ON audit_events ((metadata_json->>'session_id'))
    WHERE metadata_json ? 'session_id';
CREATE INDEX audit_events_agent_labels_idx ON audit_events USING gin ((metadata_json->'agent_labels'));

-- The month of the test's Caracal rows and the current month onwards, as Caracal's baseline
-- creates them (audit_events_yYYYYmMM).
DO $$
DECLARE m date;
BEGIN
    FOR m IN SELECT generate_series(date_trunc('month', now())::date - interval '2 months',
                                    date_trunc('month', now())::date + interval '3 months', interval '1 month')::date LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)',
                       format('audit_events_y%sm%s', to_char(m, 'YYYY'), to_char(m, 'MM')),
                       m::text || ' 00:00:00+00', (m + interval '1 month')::date::text || ' 00:00:00+00');
    END LOOP;
END
$$;

CREATE TABLE audit_ingest_alerts (
    id bigserial PRIMARY KEY,
    event_id text NOT NULL,
    zone_id text NOT NULL,
    kind text NOT NULL,
    detail text,
    observed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_ingest_alerts_zone_time ON audit_ingest_alerts (zone_id, observed_at DESC);

CREATE TABLE audit_chain_rehash (
    id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    completed_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE audit_export_watermark (
    name text PRIMARY KEY,
    last_exported_hour timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE audit_retention (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    retention_days integer NOT NULL CHECK (retention_days >= 1),
    updated_at timestamptz NOT NULL DEFAULT now(),
    updated_by text
);

ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY zone_isolation ON audit_events
    USING (current_setting('caracal.zone_id', true) = '*' OR current_setting('caracal.zone_id', true) = zone_id)
    WITH CHECK (current_setting('caracal.zone_id', true) = '*' OR current_setting('caracal.zone_id', true) = zone_id);

GRANT SELECT, INSERT ON audit_events TO caracalaudit;
GRANT SELECT ON audit_events TO caracalapi;
GRANT SELECT, INSERT ON audit_ingest_alerts TO caracalaudit;
GRANT USAGE ON SEQUENCE audit_ingest_alerts_id_seq TO caracalaudit;
GRANT SELECT, INSERT, UPDATE, DELETE ON audit_retention TO caracalapi;
GRANT SELECT ON audit_retention TO caracalaudit;
