-- Legal holds (SPEC §3 retention): recorded append-only with who, when and why; a release
-- is a second record, never an edit. Retention never drops a partition an active hold
-- overlaps. `db_user` is the database login that wrote the record, beside the person named.
CREATE TABLE audit_legal_holds (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    zone_id     text        NOT NULL CHECK (zone_id <> ''),
    from_at     timestamptz NOT NULL,
    until_at    timestamptz NOT NULL,
    reason      text        NOT NULL CHECK (reason <> ''),
    created_by  text        NOT NULL CHECK (created_by <> ''),
    db_user     text        NOT NULL DEFAULT session_user,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (from_at < until_at)
);
CREATE TABLE audit_legal_hold_releases (
    hold_id     bigint      PRIMARY KEY REFERENCES audit_legal_holds (id),
    reason      text        NOT NULL CHECK (reason <> ''),
    released_by text        NOT NULL CHECK (released_by <> ''),
    db_user     text        NOT NULL DEFAULT session_user,
    released_at timestamptz NOT NULL DEFAULT now()
);
DO $do$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['audit_legal_holds', 'audit_legal_hold_releases'] LOOP
        EXECUTE format('CREATE TRIGGER auditflow_append_only BEFORE UPDATE OR DELETE ON %I '
                       'FOR EACH ROW EXECUTE FUNCTION auditflow_refuse_change()', t);
        EXECUTE format('CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION auditflow_refuse_change()', t);
    END LOOP;
END
$do$;
REVOKE ALL ON audit_legal_holds, audit_legal_hold_releases FROM PUBLIC;
GRANT SELECT ON audit_legal_holds, audit_legal_hold_releases TO auditflow_writer;
