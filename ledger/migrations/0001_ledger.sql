-- `IF NOT EXISTS` on the tables and indexes Caracal's baseline also creates: a ledger adopted
-- from Caracal keeps its own (prepared by `auditflow_sinks::adopt`); a new ledger gets these.
CREATE TABLE IF NOT EXISTS audit_events (
    id                        text        NOT NULL,
    zone_id                   text        NOT NULL,
    event_type                text        NOT NULL,
    request_id                text,
    decision                  text,
    policy_set_id             text,
    policy_set_version_id     text,
    manifest_sha              text,
    evaluation_status         text,
    determining_policies_json jsonb,
    diagnostics_json          jsonb,
    metadata_json             jsonb,
    occurred_at               timestamptz NOT NULL,
    ingested_at               timestamptz NOT NULL DEFAULT now(),
    content_sha256            text        NOT NULL,
    prev_content_sha256       text,
    chain_hmac                text        NOT NULL,
    chain_seq                 bigint      NOT NULL,
    ingest_signature          text,
    chain_id                  integer     NOT NULL,
    key_id                    text,
    src_stream_id             text,
    extra_json                jsonb,
    PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);

CREATE TABLE IF NOT EXISTS audit_events_default PARTITION OF audit_events DEFAULT;
CREATE INDEX IF NOT EXISTS audit_events_chain_idx ON audit_events (chain_id, chain_seq);
CREATE INDEX IF NOT EXISTS audit_events_zone_time_idx ON audit_events (zone_id, occurred_at);
CREATE INDEX IF NOT EXISTS audit_events_request_idx ON audit_events (request_id) WHERE request_id IS NOT NULL;

-- Global id index of the ledger: one row per stored event id. The dedup check probes this
-- single index instead of every monthly partition of audit_events (whose primary key
-- includes occurred_at), so its cost does not grow with retention, and a replay that
-- changes occurred_at is still recognised as the same id. Written in the same transaction
-- as the ledger rows.
CREATE TABLE audit_event_ids (
    id             text        PRIMARY KEY,
    occurred_at    timestamptz NOT NULL,
    content_sha256 text        NOT NULL,
    chain_id       integer     NOT NULL,
    chain_seq      bigint      NOT NULL
);

-- Progress of each sink per chain, written in the same transaction as the rows it covers.
CREATE TABLE audit_ingest_watermarks (
    sink                text        NOT NULL,
    chain_id            integer     NOT NULL,
    epoch               bigint      NOT NULL DEFAULT 0,
    stream_id           text,
    chain_seq           bigint      NOT NULL DEFAULT 0,
    head_content_sha256 text,
    rows_total          bigint      NOT NULL DEFAULT 0,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (sink, chain_id)
);

CREATE TABLE IF NOT EXISTS audit_ingest_alerts (
    alert_id      bigserial   PRIMARY KEY,
    kind          text        NOT NULL,
    event_id      text,
    src_stream    text        NOT NULL,
    src_stream_id text        NOT NULL,
    detail        jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- A re-delivered tampered entry raises its alert once.
    UNIQUE (kind, src_stream, src_stream_id)
);

CREATE TABLE auditflow_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);

-- Owner function: the only way monthly partitions are created. A month whose rows already
-- sit in the default partition keeps them there (Postgres cannot attach over them).
CREATE FUNCTION auditflow_ensure_month_partition(month_start date) RETURNS boolean
LANGUAGE plpgsql AS $fn$
DECLARE
    m    date := date_trunc('month', month_start)::date;
    part text := format('audit_events_y%sm%s', to_char(m, 'YYYY'), to_char(m, 'MM'));
BEGIN
    PERFORM pg_advisory_xact_lock({{PARTITION_LOCK_KEY}});
    IF to_regclass(part) IS NOT NULL THEN
        RETURN false;
    END IF;
    IF EXISTS (SELECT 1 FROM audit_events_default
               WHERE occurred_at >= (m::text || ' 00:00:00+00')::timestamptz
                 AND occurred_at <  ((m + interval '1 month')::date::text || ' 00:00:00+00')::timestamptz) THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I PARTITION OF audit_events FOR VALUES FROM (%L) TO (%L)',
                   part, m::text || ' 00:00:00+00', (m + interval '1 month')::date::text || ' 00:00:00+00');
    RETURN true;
END
$fn$;
