-- The live views' tables (SPEC §5). Derived state, rebuilt from the ledger on start-up:
-- not evidence, so the writer may update them.
CREATE TABLE request_traces (
    request_id     text        PRIMARY KEY,
    zone_id        text        NOT NULL,
    final_decision text,
    first_at       timestamptz NOT NULL,
    last_at        timestamptz NOT NULL,
    event_count    integer     NOT NULL,
    trace          jsonb       NOT NULL,
    updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX request_traces_zone_time_idx ON request_traces (zone_id, last_at);

CREATE TABLE revocation_propagation (
    revocation_event_id text        PRIMARY KEY,
    zone_id             text        NOT NULL,
    root                text        NOT NULL,
    revoked_at          timestamptz NOT NULL,
    affected            text[]      NOT NULL,
    first_deny_after    timestamptz,
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX revocation_propagation_zone_idx ON revocation_propagation (zone_id, revoked_at);

CREATE TABLE revocation_violations (
    event_id            text        NOT NULL,
    revocation_event_id text        NOT NULL,
    zone_id             text        NOT NULL,
    agent_session_id    text        NOT NULL,
    occurred_at         timestamptz NOT NULL,
    lag_ms              bigint      NOT NULL,
    detected_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (event_id, revocation_event_id)
);

GRANT SELECT, INSERT, UPDATE ON request_traces, revocation_propagation, revocation_violations TO auditflow_writer;
