-- The OCSF archive's progress (issue 32): the same shape as the main archive's, kept apart
-- so that each archive has its own watermark and manifests. A chain's row is created by the
-- OCSF exporter the first time it sees the chain (the archive may be switched on later).
CREATE TABLE audit_ocsf_watermarks (
    chain_id        integer     PRIMARY KEY,
    manifest_seq    bigint      NOT NULL DEFAULT 0,
    to_seq          bigint      NOT NULL DEFAULT 0,
    manifest_sha256 text,
    rows_total      bigint      NOT NULL DEFAULT 0,
    files_total     bigint      NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_ocsf_segments (
    chain_id     integer     NOT NULL,
    manifest_seq bigint      NOT NULL,
    from_seq     bigint      NOT NULL,
    to_seq       bigint      NOT NULL,
    planned_at   timestamptz NOT NULL,
    exported_at  timestamptz,
    PRIMARY KEY (chain_id, manifest_seq),
    CHECK (from_seq <= to_seq)
);

REVOKE ALL ON audit_ocsf_watermarks, audit_ocsf_segments FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE ON audit_ocsf_watermarks, audit_ocsf_segments TO auditflow_writer;

-- Retention drops a month only once both archives hold it: the OCSF archive's watermark is
-- checked where the chain has one (the OCSF archive is on, or was).
CREATE OR REPLACE FUNCTION auditflow_drop_month_partition(month_start date, retention_days integer, requested_by text)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
    m     date := date_trunc('month', month_start)::date;
    part  text := format('audit_events_y%sm%s', to_char(m, 'YYYY'), to_char(m, 'MM'));
    lo    timestamptz := (m::text || ' 00:00:00+00')::timestamptz;
    hi    timestamptz := ((m + interval '1 month')::date::text || ' 00:00:00+00')::timestamptz;
    held  bigint;
    chain record;
    n     bigint;
BEGIN
    IF retention_days IS NULL OR retention_days < 1 THEN
        RAISE EXCEPTION 'auditflow: retention_days must be at least 1, got %', retention_days
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF coalesce(requested_by, '') = '' THEN
        RAISE EXCEPTION 'auditflow: say who drops the partition' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_advisory_xact_lock({{PARTITION_LOCK_KEY}});
    IF to_regclass(part) IS NULL THEN
        RETURN NULL;
    END IF;
    IF hi > now() - make_interval(days => retention_days) THEN
        RAISE EXCEPTION 'auditflow: % holds events newer than % days', part, retention_days
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    SELECT h.id INTO held FROM audit_legal_holds h
    WHERE h.from_at < hi AND h.until_at > lo
      AND NOT EXISTS (SELECT 1 FROM audit_legal_hold_releases r WHERE r.hold_id = h.id)
    ORDER BY h.id LIMIT 1;
    IF held IS NOT NULL THEN
        RAISE EXCEPTION 'auditflow: % overlaps active legal hold %', part, held
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    FOR chain IN EXECUTE format('SELECT chain_id, max(chain_seq) AS top FROM %I WHERE chain_id IS NOT NULL GROUP BY chain_id', part) LOOP
        IF NOT EXISTS (SELECT 1 FROM audit_export_watermarks w
                       WHERE w.chain_id = chain.chain_id AND w.to_seq >= chain.top) THEN
            RAISE EXCEPTION 'auditflow: % holds rows of chain % up to position % that the archive does not have yet',
                part, chain.chain_id, chain.top
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
        IF EXISTS (SELECT 1 FROM audit_ocsf_watermarks o
                   WHERE o.chain_id = chain.chain_id AND o.to_seq < chain.top) THEN
            RAISE EXCEPTION 'auditflow: % holds rows of chain % up to position % that the OCSF archive does not have yet',
                part, chain.chain_id, chain.top
                USING ERRCODE = 'object_not_in_prerequisite_state';
        END IF;
    END LOOP;
    EXECUTE format('SELECT count(*) FROM %I', part) INTO n;
    INSERT INTO audit_retention_drops (partition_name, from_at, until_at, rows_dropped, retention_days, requested_by)
    VALUES (part, lo, hi, n, retention_days, requested_by);
    EXECUTE format('DROP TABLE %I', part);
    RETURN n;
END
$fn$;
