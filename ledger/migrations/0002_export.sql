-- The archive's progress (SPEC §4): per chain, the export watermark (how far the archive
-- is complete, and the manifest that says so) and every planned segment. A segment's range
-- is recorded *before* its files are written, so a retry after a crash rewrites the same
-- objects with the same bytes instead of choosing new boundaries.
CREATE TABLE audit_export_watermarks (
    chain_id        integer     PRIMARY KEY,
    manifest_seq    bigint      NOT NULL DEFAULT 0,
    to_seq          bigint      NOT NULL DEFAULT 0,
    manifest_sha256 text,
    rows_total      bigint      NOT NULL DEFAULT 0,
    files_total     bigint      NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE audit_export_segments (
    chain_id     integer     NOT NULL,
    manifest_seq bigint      NOT NULL,
    from_seq     bigint      NOT NULL,
    to_seq       bigint      NOT NULL,
    planned_at   timestamptz NOT NULL,
    exported_at  timestamptz,
    PRIMARY KEY (chain_id, manifest_seq),
    CHECK (from_seq <= to_seq)
);
