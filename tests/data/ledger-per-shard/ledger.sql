--
-- PostgreSQL database dump
--


-- Dumped from database version 15.20 (Debian 15.20-0+deb12u1)
-- Dumped by pg_dump version 15.20 (Debian 15.20-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: auditflow_drop_month_partition(date, integer, text); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.auditflow_drop_month_partition(month_start date, retention_days integer, requested_by text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
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
    -- The partition lock: serialises with partition creation and with new legal holds.
    PERFORM pg_advisory_xact_lock(7022364613051705463);
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
    FOR chain IN EXECUTE format('SELECT chain_id, max(chain_seq) AS top FROM %I GROUP BY chain_id', part) LOOP
        IF NOT EXISTS (SELECT 1 FROM audit_export_watermarks w
                       WHERE w.chain_id = chain.chain_id AND w.to_seq >= chain.top) THEN
            RAISE EXCEPTION 'auditflow: % holds rows of chain % up to position % that the archive does not have yet',
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
$$;


--
-- Name: auditflow_ensure_month_partition(date); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.auditflow_ensure_month_partition(month_start date) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    m    date := date_trunc('month', month_start)::date;
    part text := format('audit_events_y%sm%s', to_char(m, 'YYYY'), to_char(m, 'MM'));
BEGIN
    PERFORM pg_advisory_xact_lock(7022364613051705463);
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
    EXECUTE format('CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON %I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION auditflow_refuse_change()', part);
    RETURN true;
END
$$;


--
-- Name: auditflow_refuse_change(); Type: FUNCTION; Schema: public; Owner: -
--

CREATE FUNCTION public.auditflow_refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    RAISE EXCEPTION 'auditflow: % on % refused: the audit ledger is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'evidence rows are never changed; retention drops whole partitions through its owner function';
END
$$;


SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: audit_event_ids; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_event_ids (
    id text NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    content_sha256 text NOT NULL,
    chain_id integer NOT NULL,
    chain_seq bigint NOT NULL
);


--
-- Name: audit_events; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_events (
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
    occurred_at timestamp with time zone NOT NULL,
    ingested_at timestamp with time zone DEFAULT now() NOT NULL,
    content_sha256 text NOT NULL,
    prev_content_sha256 text,
    chain_hmac text NOT NULL,
    chain_seq bigint NOT NULL,
    ingest_signature text,
    chain_id integer NOT NULL,
    key_id text,
    src_stream_id text,
    extra_json jsonb
)
PARTITION BY RANGE (occurred_at);


--
-- Name: audit_events_default; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_events_default (
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
    occurred_at timestamp with time zone NOT NULL,
    ingested_at timestamp with time zone DEFAULT now() NOT NULL,
    content_sha256 text NOT NULL,
    prev_content_sha256 text,
    chain_hmac text NOT NULL,
    chain_seq bigint NOT NULL,
    ingest_signature text,
    chain_id integer NOT NULL,
    key_id text,
    src_stream_id text,
    extra_json jsonb
);


--
-- Name: audit_events_y2026m12; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_events_y2026m12 (
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
    occurred_at timestamp with time zone NOT NULL,
    ingested_at timestamp with time zone DEFAULT now() NOT NULL,
    content_sha256 text NOT NULL,
    prev_content_sha256 text,
    chain_hmac text NOT NULL,
    chain_seq bigint NOT NULL,
    ingest_signature text,
    chain_id integer NOT NULL,
    key_id text,
    src_stream_id text,
    extra_json jsonb
);


--
-- Name: audit_events_y2027m01; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_events_y2027m01 (
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
    occurred_at timestamp with time zone NOT NULL,
    ingested_at timestamp with time zone DEFAULT now() NOT NULL,
    content_sha256 text NOT NULL,
    prev_content_sha256 text,
    chain_hmac text NOT NULL,
    chain_seq bigint NOT NULL,
    ingest_signature text,
    chain_id integer NOT NULL,
    key_id text,
    src_stream_id text,
    extra_json jsonb
);


--
-- Name: audit_events_y2027m02; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_events_y2027m02 (
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
    occurred_at timestamp with time zone NOT NULL,
    ingested_at timestamp with time zone DEFAULT now() NOT NULL,
    content_sha256 text NOT NULL,
    prev_content_sha256 text,
    chain_hmac text NOT NULL,
    chain_seq bigint NOT NULL,
    ingest_signature text,
    chain_id integer NOT NULL,
    key_id text,
    src_stream_id text,
    extra_json jsonb
);


--
-- Name: audit_events_y2027m03; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_events_y2027m03 (
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
    occurred_at timestamp with time zone NOT NULL,
    ingested_at timestamp with time zone DEFAULT now() NOT NULL,
    content_sha256 text NOT NULL,
    prev_content_sha256 text,
    chain_hmac text NOT NULL,
    chain_seq bigint NOT NULL,
    ingest_signature text,
    chain_id integer NOT NULL,
    key_id text,
    src_stream_id text,
    extra_json jsonb
);


--
-- Name: audit_export_segments; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_export_segments (
    chain_id integer NOT NULL,
    manifest_seq bigint NOT NULL,
    from_seq bigint NOT NULL,
    to_seq bigint NOT NULL,
    planned_at timestamp with time zone NOT NULL,
    exported_at timestamp with time zone,
    CONSTRAINT audit_export_segments_check CHECK ((from_seq <= to_seq))
);


--
-- Name: audit_export_watermarks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_export_watermarks (
    chain_id integer NOT NULL,
    manifest_seq bigint DEFAULT 0 NOT NULL,
    to_seq bigint DEFAULT 0 NOT NULL,
    manifest_sha256 text,
    rows_total bigint DEFAULT 0 NOT NULL,
    files_total bigint DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: audit_ingest_alerts; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_ingest_alerts (
    alert_id bigint NOT NULL,
    kind text NOT NULL,
    event_id text,
    src_stream text NOT NULL,
    src_stream_id text NOT NULL,
    detail jsonb,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: audit_ingest_alerts_alert_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

CREATE SEQUENCE public.audit_ingest_alerts_alert_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


--
-- Name: audit_ingest_alerts_alert_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -
--

ALTER SEQUENCE public.audit_ingest_alerts_alert_id_seq OWNED BY public.audit_ingest_alerts.alert_id;


--
-- Name: audit_ingest_watermarks; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_ingest_watermarks (
    sink text NOT NULL,
    chain_id integer NOT NULL,
    epoch bigint DEFAULT 0 NOT NULL,
    stream_id text,
    chain_seq bigint DEFAULT 0 NOT NULL,
    head_content_sha256 text,
    rows_total bigint DEFAULT 0 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: audit_ledger_batches; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_ledger_batches (
    chain_id integer NOT NULL,
    from_seq bigint NOT NULL,
    to_seq bigint NOT NULL,
    epoch bigint NOT NULL,
    merkle_root text NOT NULL,
    head_content_sha256 text NOT NULL,
    head_chain_hmac text NOT NULL,
    hmac_key_id text NOT NULL,
    committed_at_us bigint NOT NULL,
    head_key_id text NOT NULL,
    signature text NOT NULL,
    CONSTRAINT audit_ledger_batches_check CHECK ((from_seq <= to_seq))
);


--
-- Name: audit_legal_hold_releases; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_legal_hold_releases (
    hold_id bigint NOT NULL,
    reason text NOT NULL,
    released_by text NOT NULL,
    db_user text DEFAULT SESSION_USER NOT NULL,
    released_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT audit_legal_hold_releases_reason_check CHECK ((reason <> ''::text)),
    CONSTRAINT audit_legal_hold_releases_released_by_check CHECK ((released_by <> ''::text))
);


--
-- Name: audit_legal_holds; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_legal_holds (
    id bigint NOT NULL,
    zone_id text NOT NULL,
    from_at timestamp with time zone NOT NULL,
    until_at timestamp with time zone NOT NULL,
    reason text NOT NULL,
    created_by text NOT NULL,
    db_user text DEFAULT SESSION_USER NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT audit_legal_holds_check CHECK ((from_at < until_at)),
    CONSTRAINT audit_legal_holds_created_by_check CHECK ((created_by <> ''::text)),
    CONSTRAINT audit_legal_holds_reason_check CHECK ((reason <> ''::text)),
    CONSTRAINT audit_legal_holds_zone_id_check CHECK ((zone_id <> ''::text))
);


--
-- Name: audit_legal_holds_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.audit_legal_holds ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.audit_legal_holds_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: audit_retention_drops; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audit_retention_drops (
    id bigint NOT NULL,
    partition_name text NOT NULL,
    from_at timestamp with time zone NOT NULL,
    until_at timestamp with time zone NOT NULL,
    rows_dropped bigint NOT NULL,
    retention_days integer NOT NULL,
    requested_by text NOT NULL,
    db_user text DEFAULT SESSION_USER NOT NULL,
    dropped_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT audit_retention_drops_check CHECK ((from_at < until_at)),
    CONSTRAINT audit_retention_drops_requested_by_check CHECK ((requested_by <> ''::text))
);


--
-- Name: audit_retention_drops_id_seq; Type: SEQUENCE; Schema: public; Owner: -
--

ALTER TABLE public.audit_retention_drops ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.audit_retention_drops_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: audit_retired_events; Type: VIEW; Schema: public; Owner: -
--

CREATE VIEW public.audit_retired_events AS
 SELECT i.chain_id,
    i.chain_seq,
    i.id,
    i.occurred_at,
    i.content_sha256
   FROM public.audit_event_ids i
  WHERE ((EXISTS ( SELECT 1
           FROM public.audit_retention_drops d
          WHERE ((i.occurred_at >= d.from_at) AND (i.occurred_at < d.until_at)))) AND (NOT (EXISTS ( SELECT 1
           FROM public.audit_events e
          WHERE ((e.id = i.id) AND (e.occurred_at = i.occurred_at))))));


--
-- Name: auditflow_meta; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.auditflow_meta (
    key text NOT NULL,
    value text NOT NULL
);


--
-- Name: auditflow_schema_migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.auditflow_schema_migrations (
    version integer NOT NULL,
    name text NOT NULL,
    applied_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: request_traces; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.request_traces (
    request_id text NOT NULL COLLATE pg_catalog."C",
    zone_id text NOT NULL,
    final_decision text,
    first_at timestamp with time zone NOT NULL,
    last_at timestamp with time zone NOT NULL,
    event_count integer NOT NULL,
    trace jsonb NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: revocation_propagation; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.revocation_propagation (
    revocation_event_id text NOT NULL,
    zone_id text NOT NULL,
    root text NOT NULL,
    revoked_at timestamp with time zone NOT NULL,
    affected text[] NOT NULL,
    first_deny_after timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: revocation_violations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.revocation_violations (
    event_id text NOT NULL,
    revocation_event_id text NOT NULL,
    zone_id text NOT NULL,
    agent_session_id text NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    lag_ms bigint NOT NULL,
    detected_at timestamp with time zone DEFAULT now() NOT NULL
);


--
-- Name: audit_events_default; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events ATTACH PARTITION public.audit_events_default DEFAULT;


--
-- Name: audit_events_y2026m12; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events ATTACH PARTITION public.audit_events_y2026m12 FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2027-01-01 00:00:00+00');


--
-- Name: audit_events_y2027m01; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events ATTACH PARTITION public.audit_events_y2027m01 FOR VALUES FROM ('2027-01-01 00:00:00+00') TO ('2027-02-01 00:00:00+00');


--
-- Name: audit_events_y2027m02; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events ATTACH PARTITION public.audit_events_y2027m02 FOR VALUES FROM ('2027-02-01 00:00:00+00') TO ('2027-03-01 00:00:00+00');


--
-- Name: audit_events_y2027m03; Type: TABLE ATTACH; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events ATTACH PARTITION public.audit_events_y2027m03 FOR VALUES FROM ('2027-03-01 00:00:00+00') TO ('2027-04-01 00:00:00+00');


--
-- Name: audit_ingest_alerts alert_id; Type: DEFAULT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_ingest_alerts ALTER COLUMN alert_id SET DEFAULT nextval('public.audit_ingest_alerts_alert_id_seq'::regclass);


--
-- Data for Name: audit_event_ids; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000001', '2026-12-04 00:00:00.008+00', '30dd733fa2f1756b1b10147e4a9d0037624110e5420ced73763dc577a5ae57b5', 3, 1);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000012', '2026-12-04 00:00:00.088+00', '2d5867baee31e13ce0443cca36c516757701350a6b09ae7ba9c778691cdfb3e1', 3, 2);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000027', '2026-12-04 00:00:00.191+00', '0109a41cac72c92ce9373cfd457dcc037ff300a2bc3900717cb94dcc95c38451', 3, 3);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000038', '2026-12-04 00:00:00.269+00', '2d7aa7fd6231c2a528669589e71dfe462eb7e0e6f575ad88c185b6bcd685d1d8', 3, 4);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000063', '2026-12-04 00:00:00.444+00', 'c31bd1ddfbeabf84abf7769546eef9d93f4f4c4010670bae18f0b3f48504b759', 3, 5);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000074', '2026-12-04 00:00:00.518+00', '470bb59717fec408e2ec4da5e63c1e5d75b26b25091df24ff5156e21505e3c31', 3, 6);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000089', '2026-12-04 00:00:00.624+00', 'ac14f7239599ea7e0f95e94129964e7dbecb3b7aa11e6878d29282ede3af1caa', 3, 7);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000108', '2026-12-04 00:00:00.76+00', 'babc217fdfc83fb6fb0baae8715c064585c857ec0ca46f65326ba2ccb14d3c0a', 3, 8);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000117', '2026-12-04 00:00:00.821+00', '5053ec71c33daa6fabdb4761fa3e23a5fba08834b697067d24b09003bb85c488', 3, 9);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000122', '2026-12-04 00:00:00.858+00', 'd29238bf1b9f72e2fd6b39bda9b947d4c4123d713ad922c38a2161fbc6a86b11', 3, 10);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000131', '2026-12-04 00:00:00.918+00', 'd20d9a0962542c1d9ea2cfc65bff08d63f3bfdfdc3945c915674c73aefa8d393', 3, 11);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000144', '2026-12-04 00:00:01.01+00', '6ae836b5694383a8cae2de97ee05ebc8570bebbe49c89b360020a576f7238e12', 3, 12);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000153', '2026-12-04 00:00:01.072+00', 'c47e4a3e6d37cf199332b1066ca217187aaa0fcb4f15f9ed52e4be2cd4a6e918', 3, 13);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000013', '2026-12-04 00:00:00.095+00', '696a6a43bc04336ab65084b41329ca4e8186093f5f433485239c217199d9d027', 0, 1);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000026', '2026-12-04 00:00:00.185+00', '3dfd7f2bf7984c19f35ad60dab27b13bc3f1da3dc955597fe802b2515ec62180', 0, 2);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000039', '2026-12-04 00:00:00.277+00', '856c610427cf501e222aa0881c512fd66e34aeed8b395751145b8a5014d585f6', 0, 3);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000062', '2026-12-04 00:00:00.438+00', '48a064fad839d0b9dd7c3244329291bb0639142f207f0d3ade76075f65262f3e', 0, 4);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000075', '2026-12-04 00:00:00.528+00', '7bc0f2200e46c02da1e8add0d0f4aaf6e9d3fca897e89a25226b0a9b4f14c308', 0, 5);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000088', '2026-12-04 00:00:00.618+00', 'bdc814fd0f9611d35352508c675a8c2ce54b34dbd3d685b917913fb693268a7e', 0, 6);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000109', '2026-12-04 00:00:00.764+00', 'ebfe8acf5c3f09d4f81ef701f21e637b8322fab5368d6fc2977ce767befb7a3f', 0, 7);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000116', '2026-12-04 00:00:00.812+00', '948436f534442d4a4622d694d76fe8b4ea89a811e967dbcc218c30e308b81ddf', 0, 8);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000123', '2026-12-04 00:00:00.861+00', '6371187e33b1c62a54254ab25c4f445d57186faefc541eeafe86451372b29833', 0, 9);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000130', '2026-12-04 00:00:00.914+00', '34e69c7d92c07146914f6c4421d04d88a88d5c37bf5078ee72d2fed525204c7b', 0, 10);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000145', '2026-12-04 00:00:01.019+00', '3b802f4611d8291a64ac0dbe8b4d1ca02474a3f56bd938edfb2ddcbad9caa8b3', 0, 11);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000152', '2026-12-04 00:00:01.066+00', '183b972cc2101c20fa9563b38941b4aac50797debea9a27bac45a3687bd2b649', 0, 12);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000018', '2026-12-04 00:00:00.126+00', 'c7e32be7bc94f9469449cc75d38e06efe013ebd73f6c53adab3aba5543319ae3', 1, 1);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000032', '2026-12-04 00:00:00.224+00', '4f70c42394bd283e7373280ece5a4ae86e6178a2b4f2811460049162f8067990', 1, 2);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000047', '2026-12-04 00:00:00.33+00', '8cfe14cb161889a70a97b157b4838528193b8bd556b0d9912e6c80feaf9120b9', 1, 3);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000054', '2026-12-04 00:00:00.381+00', '91f6e1c9f35d5e25eb765aa7bba7d1cdf943c7de341862824d5a494806f2ff71', 1, 4);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000069', '2026-12-04 00:00:00.483+00', '4272e21f729388f0763dce79f42af1837f8d9978e766413966cf91fe47cfff82', 1, 5);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000083', '2026-12-04 00:00:00.581+00', '2b92bcf214bded64db9bd92a8b7473335103f764c1b509865ad25f7dd9a276c9', 1, 6);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000090', '2026-12-04 00:00:00.633+00', 'a548df1d6b44393f512ba87c1617f4d99306fa271ab3fa99cd815a620a363233', 1, 7);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000102', '2026-12-04 00:00:00.717+00', '739c75eb23eec9706bad82bd4f29b1bfcde7c777d693288b49d30f69a0c88104', 1, 8);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000128', '2026-12-04 00:00:00.899+00', 'd0f3daf4121432f6aa6f50222e4bb817117c5b311d4a49c8504dd61047bc92ee', 1, 9);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000159', '2026-12-04 00:00:01.117+00', '0e792c7f7b9b3de9b6c9510f537eddc37432025990f1da15d89b7dbef6d291a2', 1, 10);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000019', '2026-12-04 00:00:00.137+00', '6036c8c6be9bf0448fc6c7adbf4207170bb18cf8be8b00b5c17780ce95604974', 14, 1);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000033', '2026-12-04 00:00:00.234+00', 'c752a8cfdbbab63caff0f591084aa493566edfcc903f8c5c856c4229a7283757', 14, 2);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000046', '2026-12-04 00:00:00.323+00', '010baf9b73b764cac8fe2f57aeda2f1cf075c9e64165c12ade885a30909c29e3', 14, 3);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000055', '2026-12-04 00:00:00.387+00', '2feee99076c0da7343ca506083cf93657502f9c25df45a9c21a2b1a54d4b3b81', 14, 4);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000068', '2026-12-04 00:00:00.479+00', '2ef1cb904d9c89f984c1383acfbbedbda51d567841f1ed3c51f7f9ab4c94f27b', 14, 5);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000082', '2026-12-04 00:00:00.575+00', '62aa86c8b7f5ef29d4e0187230287788fb31998fc851adb8ab14166343fb8b74', 14, 6);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000091', '2026-12-04 00:00:00.64+00', '80e52e5502304656b1fad35319875d6028a6dff22bc85a7fb12286429c82e728', 14, 7);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000103', '2026-12-04 00:00:00.725+00', 'e21e2852090f00187244afd10a53ec7eac50067dad1a59fbaa3576e688c5530c', 14, 8);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000129', '2026-12-04 00:00:00.903+00', '7a728930cefbac4b00b6ecb2fd98128e32fad2042500fd609dca39b45994aa00', 14, 9);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000158', '2026-12-04 00:00:01.107+00', '2dee89404cac0a5abc7852a609733e196d583d1e81f50423adcc1e20f3fbc629', 14, 10);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000028', '2026-12-04 00:00:00.2+00', '09b0cd67016ad41239f87ab8a31bce55e7c8a81e93572e8f856055444af7f9d6', 10, 1);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000037', '2026-12-04 00:00:00.26+00', 'f575e352607ca94b4eff44b5e405eee83d7276704a0bea74d03ffcad665de512', 10, 2);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000042', '2026-12-04 00:00:00.297+00', 'bb99302e2b883d285974355dc6831f1a8dbffdc0f1a905e5190288f331e55f79', 10, 3);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000051', '2026-12-04 00:00:00.357+00', '09c055d8a9da1766d11ebb15e4f2bcd64f5954ab406307a71e30b5672d8131ab', 10, 4);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000086', '2026-12-04 00:00:00.605+00', '5f8e608d096c8d0d220671cc785ae474e0209a708019837ff1891ae57c65e042', 10, 5);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000095', '2026-12-04 00:00:00.668+00', 'cf8ccc50227fa9339e3be518bc848f6257a5ea19ef180f5cfecd7d9903f983dc', 10, 6);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000107', '2026-12-04 00:00:00.752+00', 'cb9253febcf82a958a0b297dd0a8d42e5c5b59453b27627f606e6650cb782744', 10, 7);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000118', '2026-12-04 00:00:00.83+00', '87e85a4c2e6a407a67304baf89a40249da9351335eb7dbd73c713f11d7e4add0', 10, 8);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000008', '2026-12-04 00:00:00.057+00', '6e775132ea62c45713f62194d31f28f43929c2daf8fe70f63331eb275879bbe3', 8, 1);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000031', '2026-12-04 00:00:00.218+00', 'd7b71cd3e64d52b60e82055c4b8a9bdd1826f6267d6ed764bd0f70b98dd01f47', 8, 2);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000044', '2026-12-04 00:00:00.31+00', '835eac59b113f9b38665519dea0b0faecd4b7b19c7437c9fe66b85e336b9638c', 8, 3);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000057', '2026-12-04 00:00:00.402+00', '97cba8c55ac97a55df6805056d2eb2c90a80a69c8664d929deb735b097075bfc', 8, 4);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000080', '2026-12-04 00:00:00.562+00', '3fc0ceb71995db94ad64b77184b743dca7061af4de08fac9a7160024c5ac5d14', 8, 5);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000093', '2026-12-04 00:00:00.651+00', '7c99224d7a31e3d0328e751793da3e9b39161f53be5156d49bf03e381c63ab06', 8, 6);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000101', '2026-12-04 00:00:00.708+00', 'f09fc7a3b975240d6300cebdf382be1a15559149a516de27cd6aaf4661457b91', 8, 7);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000138', '2026-12-04 00:00:00.966+00', '55fb56d1d82ce0daf3509b039d69032510000abbcd55a84ae678c1d3b3399d6d', 8, 8);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000002', '2026-12-04 00:00:00.014+00', '15f6d65baa693540557d8299d33b62cc9d464baf8c6f2fe8f93466229efe0166', 6, 1);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000011', '2026-12-04 00:00:00.079+00', '18e8dde8145c944662a61c2528d7d7e45abcfbe758ae1578d76caa701a6f8c4b', 6, 2);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000024', '2026-12-04 00:00:00.169+00', '356c7c70d78f1f104cc3d45adeaaefe7a99a2b75db7c743d8b93fb005ecb0172', 6, 3);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000060', '2026-12-04 00:00:00.42+00', '6bbd7a015259795f45ff33ce4e1dd91dc2e4222739d409eee0e80f7f3ba70bdb', 6, 4);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000077', '2026-12-04 00:00:00.54+00', 'b79f5635af608bde2c4c88099b8580042bd88c5d1bc8d9e2a1a604b818f03cda', 6, 5);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000099', '2026-12-04 00:00:00.696+00', 'a1f453ee3f195e6f9aafe664d6754e223e4824c476711133c749d42b3148fcb7', 6, 6);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000114', '2026-12-04 00:00:00.802+00', '85a5b8ae7b67f722cf8d072e35190ddc3696975bc492ab77925479158fa0f876', 6, 7);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000121', '2026-12-04 00:00:00.851+00', '246735ae774d93f412c509e3416ca7c6f8d09ccc22a28abbf7174677b7e6241e', 6, 8);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000132', '2026-12-04 00:00:00.925+00', '38d0e9559797a8771ad813a3308730b10192dad08587978ebfc49be4bbc524c6', 6, 9);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000147', '2026-12-04 00:00:01.032+00', 'bc4e6ddd3633f66dceaad1b9f2b2618b52004210225319a40e0096bb748264d7', 6, 10);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000150', '2026-12-04 00:00:01.054+00', '93bdc3e344cd0668ee2a190c82d5636264a8887e540fa14b545f9cca0576b5ac', 6, 11);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000035', '2026-12-04 00:00:00.245+00', 'ba5b9f977c28202bb92a15783976231bca17cbb362b3982409e1f1a92ca65e82', 4, 1);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000040', '2026-12-04 00:00:00.281+00', '1ccf1854266e7106fd4da99d1f947a957b1889385b93306d776c3875aaace365', 4, 2);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000053', '2026-12-04 00:00:00.373+00', '75a3f70985da832b252d663e481f3f2be909182f826758b278c99b4dcc6a538b', 4, 3);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000079', '2026-12-04 00:00:00.556+00', 'f77db63113aaca75d22ae3a7cc28b95a84fdd92f8a323f7fce81eb31206ea6e3', 4, 4);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000084', '2026-12-04 00:00:00.591+00', '4c564744b5fbcb51e35c996011ffb4659a2b24b3bafd39f1fba30af41dce91eb', 4, 5);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000097', '2026-12-04 00:00:00.679+00', 'f2fbf1cceb0655101cf630cdc0e04312230ab1e9c639c63cb152e835d36db37e', 4, 6);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000105', '2026-12-04 00:00:00.739+00', '5772cf3648e399e14bcfd627b8746a632593678a81cd4590d91d21949902df3b', 4, 7);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000149', '2026-12-04 00:00:01.046+00', 'ad7ca762d0022d0230793f848769b0cdce2695a9ae59386450c98cf14a9e4093', 4, 8);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000006', '2026-12-04 00:00:00.046+00', '1f60977d7b3f3a165fc39c27bafd3887e856b376583c4ad1adbb98d14b6b2d6c', 2, 1);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000015', '2026-12-04 00:00:00.108+00', '16ba6c18c4f4b02b72023168d88fbbd72b5b881b3f26a1e2b7a10a2df19a8f74', 2, 2);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000020', '2026-12-04 00:00:00.143+00', '0970dd28b5855833310ec502f8a57bdc4272f07716d58e2965a937bd3e97096a', 2, 3);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000059', '2026-12-04 00:00:00.415+00', 'a8552c749731c26ecc7bf1dfcc75b7e9adf48ffa32323e966e48c3e4f0c7e690', 2, 4);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000064', '2026-12-04 00:00:00.452+00', '44cb54ac6f4d2c1fe2957a0a213b33201e3f5e509392748dbdb3cd95d25d6813', 2, 5);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000073', '2026-12-04 00:00:00.512+00', '8cbe9bc0b471ee098beee7da093963dc93702c9e108de8cc683c98196d8ac084', 2, 6);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000110', '2026-12-04 00:00:00.77+00', '44d067d3c6039fc50984c385d0cf2cbbdef54af1eaabcb772aecc5b931463ecb', 2, 7);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000125', '2026-12-04 00:00:00.877+00', 'd9ca2bcee66e948e460e9c621fbe4da1062ba3a585925006c71bb8fac58863ba', 2, 8);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000136', '2026-12-04 00:00:00.954+00', '89c4cab745be61c6e07c07c77ce21695bf40231d48c770ebb6dfd9d7fc8eff72', 2, 9);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000143', '2026-12-04 00:00:01.001+00', '85f30ac17e834d20b7f4e90c150c061dfcbce7a1f8c23de4fe686859857c0861', 2, 10);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000154', '2026-12-04 00:00:01.082+00', '42da21c3281daaf2001be3726513240cbeb64a798eb7888f3b17d0132165ff3f', 2, 11);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000004', '2026-12-04 00:00:00.032+00', '86750a7a79c8fb0940dfe32ad23ada2c483808d37cd8abd5f3e04bd499db7229', 12, 1);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000017', '2026-12-04 00:00:00.122+00', '027e06788aa411cbba479df8e9fea50b7cd321100cbfbdf2b6be4877efe9a903', 12, 2);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000022', '2026-12-04 00:00:00.155+00', '447234c407bb7a5782d28e7defc1e9567d98c22c3279768e3dd6b08e091213c3', 12, 3);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000048', '2026-12-04 00:00:00.337+00', '1bf380920d0704c7350e35c84b55d3354acb4cf691bec4d65b403e7dbdc904e0', 12, 4);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000066', '2026-12-04 00:00:00.463+00', 'f7b786da0f549ac054a5115f8ea2cd31eb9690f012dc80d76de5e34d4623843a', 12, 5);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000071', '2026-12-04 00:00:00.499+00', '18921b96b7993dd9da3b786a9bdd185bf7923fdd2ebbf100238971e24ac4238f', 12, 6);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000112', '2026-12-04 00:00:00.786+00', '743b4c81beae559e9013840177fedffc4066f754b471cd8fd067e3c175d78b43', 12, 7);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000127', '2026-12-04 00:00:00.89+00', '6669dd972c25067701ad4cb75aa86ad0bd89d3b63e3bb51e17d6cbdaf7406085', 12, 8);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000134', '2026-12-04 00:00:00.938+00', '95b62d0eea7f7e5f8d19e951727ea1e170fcb621af1f1103be87fe10d579d53c', 12, 9);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000141', '2026-12-04 00:00:00.989+00', 'ce6bb15ed565fc76c51c40b5c5deeb96e39892301d929e9188081c492ef74a2c', 12, 10);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000156', '2026-12-04 00:00:01.093+00', '6c64b4ac51af67f1f5d862dd3d10bb3b77a232975f885923ed9edacaf7a5a76f', 12, 11);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000007', '2026-12-04 00:00:00.049+00', '68b2fe136825a0ebafadd1ad67459fdcf090baaafe3861ca0fce85b0706f368c', 5, 1);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000014', '2026-12-04 00:00:00.101+00', 'd7b3067160e6989c0c56392e8407e7f8c8aed62d73581a9044d8f7acc15f05d9', 5, 2);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000021', '2026-12-04 00:00:00.151+00', '5ee9ac343cedebd6f99b075d60497f25cc0dc79ea4104203260d354797d524da', 5, 3);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000058', '2026-12-04 00:00:00.41+00', '3b1abbb9d423681f6a024538dd2cf0e3b6a6bf77a923e78dbc621240264ea8a7', 5, 4);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000065', '2026-12-04 00:00:00.457+00', '9ee939e2dd8634e6ee3e2c5a3e0f07f526073196c00526c08da496bdae785ecb', 5, 5);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000072', '2026-12-04 00:00:00.508+00', '1bd7809afa1660f4c5e948cf1857101feff005b2bd1f76f74db9ccbbd3a4f183', 5, 6);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000111', '2026-12-04 00:00:00.78+00', '9b0774664ebe02f7f2af98267cabb92837e913bbf470a511aa45774135afe173', 5, 7);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000124', '2026-12-04 00:00:00.869+00', 'd191402537a021c8293fed67c34cc4993ffced55ae0f04bd61dc426c3d39adb0', 5, 8);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000137', '2026-12-04 00:00:00.962+00', '61ae238746579bcd24663edf74836cff72e818644959a767de1048ee7b08d2c7', 5, 9);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000142', '2026-12-04 00:00:00.994+00', '0f518936c40638d51109ad7267cf2a62374070fbcfdff451cde10fb0a19de7ee', 5, 10);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000155', '2026-12-04 00:00:01.086+00', '1969a4238fec75d5cc504d642eb05333cd86cc8ed7eea18cbb346f60c9011989', 5, 11);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000009', '2026-12-04 00:00:00.067+00', 'de2a8528228dd49603a34ba7130eeb99683fb2e95568b0cc6bc6b594198fed9b', 11, 1);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000030', '2026-12-04 00:00:00.212+00', '519431b2493ecfa290a162fad4dc616e1f41cb56679e9f835d4fc67dfe400650', 11, 2);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000045', '2026-12-04 00:00:00.319+00', 'f5134073f94a2a315d01ff982403495399cbd0bff5f456bd9e064e09fb3b0c77', 11, 3);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000056', '2026-12-04 00:00:00.394+00', '536714e6a2b98514ffee5aa7f0c2d48a6e8ac9642b87b9cc270984d67e73fc17', 11, 4);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000081', '2026-12-04 00:00:00.571+00', 'e4a4cc38f889c46c0fdbaa9a103a942c95a338c971ac1ef055526cf521a926ba', 11, 5);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000092', '2026-12-04 00:00:00.646+00', '770e097e244751ad0101cf49e0a79bbf941c7dee62c9ae9f8a6347ea528b18a8', 11, 6);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000100', '2026-12-04 00:00:00.701+00', 'a8a67c24dd65c5d8c29e259da0ceefb6b23c62017d97df4e671bfb0e553cf16a', 11, 7);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000139', '2026-12-04 00:00:00.973+00', 'f98adf7ec4e6a15470f81b2ef92a329ccb1607e5601da6f2036dab415f11cff3', 11, 8);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000003', '2026-12-04 00:00:00.023+00', '2a79fc303d46c4675a73be5a26a3eb8e85dc416b784b9da6484a9055495c372f', 9, 1);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000010', '2026-12-04 00:00:00.074+00', 'f6be7e8c028d901f18b1f377a367a3c2f7a8ad3c2113455719056bb29a95bb7e', 9, 2);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000025', '2026-12-04 00:00:00.178+00', 'bb06275dd9df8660cf3b57ad377f92cf3cffaabe98511fc926ac52c8b2c874cf', 9, 3);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000061', '2026-12-04 00:00:00.428+00', '9b5668104206c860b87fc5fe34722ab7e7ab4a42013e81c451dd0c01de9227f9', 9, 4);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000076', '2026-12-04 00:00:00.534+00', 'c09836aeec8f8bd5c21949d9cadf267ce8343d13a51e1c7bdf0c42d378dfaa2f', 9, 5);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000098', '2026-12-04 00:00:00.686+00', 'c9a6b1781329dfcf5669bc50de1876bb13e343d0ff417b5e525799828385a760', 9, 6);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000115', '2026-12-04 00:00:00.809+00', 'f79feaf95355ca4318cbc5d47dc096155d86e1298622b60bdc759704630b277d', 9, 7);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000120', '2026-12-04 00:00:00.842+00', '54c0f99d0335e971db2eb30c8d33546ff1a688928fa75ddfb3b19e0c6f29b89b', 9, 8);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000133', '2026-12-04 00:00:00.931+00', '91bb73a6fe269823fc41cddb61cb6d0670359a04312f3e5f573a3c13bfa560e3', 9, 9);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000146', '2026-12-04 00:00:01.023+00', 'e36df8440084f0419928ff98385340d4038838cd8011cad655f5f97dafd8af77', 9, 10);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000151', '2026-12-04 00:00:01.058+00', '6f29c0fbfb92ec67de086e7e03c2fc021e3dd7939fbc61898cc10a0f87cc95be', 9, 11);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000005', '2026-12-04 00:00:00.036+00', '57295b923bc09f983fd4fdcff4096e27f02fc86b6af0ac7c5f4e0ea5227cab4a', 15, 1);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000016', '2026-12-04 00:00:00.116+00', 'f4fd219b260b5823b8dc6af124aa0e22ce206df77a616a319527e083e0f092eb', 15, 2);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000023', '2026-12-04 00:00:00.163+00', 'f4f7cfdd1cc0128ffac8db4310fc7e69b0927a829705b9f491b180b0817c2acf', 15, 3);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000049', '2026-12-04 00:00:00.346+00', 'a40ea0d4378e392c3896b388eabbef9eacb9dd46ae7a545a4899405a2cfda8a8', 15, 4);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000067', '2026-12-04 00:00:00.472+00', '730be3ba35781de26cbdbc90126c295037f49c9c84388205c4aa52f0fe69ecab', 15, 5);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000070', '2026-12-04 00:00:00.494+00', 'cae9c7a1150d295d16f092fa70cf344bf6cefe67c7096f8bd37e4d40aae62b71', 15, 6);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000113', '2026-12-04 00:00:00.793+00', '6d73aad5938bd46387c5569733f2066f47e10ca8da529d398615b1f977f7cdf4', 15, 7);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000126', '2026-12-04 00:00:00.885+00', '79ac449ba9b26c5f4696f51fe09d888c470182f6f660c91245dccfd48b991531', 15, 8);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000135', '2026-12-04 00:00:00.949+00', '7debc6cdd48fc34f90417c7c97e4ed4b41ed60ee92433bc423a5bb32980c82dc', 15, 9);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000140', '2026-12-04 00:00:00.984+00', 'faeb4e4de310b28570edb8053ad85a4e79e400dde0b3765237c40e97b9d2a688', 15, 10);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000157', '2026-12-04 00:00:01.102+00', 'bf7594d33be20df242d41bdb23d78cade9636ff85620f4f1024713523fb7c691', 15, 11);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000034', '2026-12-04 00:00:00.238+00', '800bbb2bf28cb08764840fde28d5480300f12928842e24507c7f9f9555140f92', 7, 1);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000041', '2026-12-04 00:00:00.288+00', '57bb85e8e14891ee296486c96f48c54b415473aefb0f58e37ea4975cf437039b', 7, 2);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000052', '2026-12-04 00:00:00.364+00', '124094df22fa3090457986eb2f3e65331fd01abef729b3a277a7fbc9431e20e8', 7, 3);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000078', '2026-12-04 00:00:00.547+00', '87a0dea3d3f0912f29cb83782d88c73be13115f5bc9a94aca52c43bfd3187949', 7, 4);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000085', '2026-12-04 00:00:00.595+00', '1ce752efa599c3f68b2480c6bb67d3e36705469665c8be67a913bfcb5b469969', 7, 5);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000096', '2026-12-04 00:00:00.673+00', 'e1b1a933a760ba01d8a5f7a48d50b10c39783f0975aeec3879aafe288a3838e2', 7, 6);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000104', '2026-12-04 00:00:00.729+00', 'eae1855596bd902afadc262737761e3e16d4f3f79adde62dd993eca181ac5a0b', 7, 7);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000148', '2026-12-04 00:00:01.037+00', 'cade85ecacacc5e48213776d6f80126faa777f3f0fd2fbc43913651a63335d77', 7, 8);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000029', '2026-12-04 00:00:00.203+00', '7fb7fb73ce0732035252515ad0ea4a342336e6dea6be8f53279eeee9ac0532e6', 13, 1);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000036', '2026-12-04 00:00:00.255+00', '8e0b10ba944478e7cbd528d220d48f8602802b0cfda05e16558ca6cf28830b5d', 13, 2);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000043', '2026-12-04 00:00:00.303+00', '4073cd0352fc03a8dd95a51895ab6ed07bfe65c0c5a8f30f0008d35afdd6c855', 13, 3);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000050', '2026-12-04 00:00:00.352+00', '27d8d3692273f2ece033cd7ae1259ee1e41e10380ee60d6bff12635273adf3fe', 13, 4);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000087', '2026-12-04 00:00:00.61+00', '361cc66ca92fe26c80fd2c9777984992575042cfc93dc2e55dd8b6f3ea94c5c8', 13, 5);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000094', '2026-12-04 00:00:00.662+00', 'c01bf5241348b2ad13cc6aa0e7da9c8a6f34e11b652232ec0f5ee009c0f63a39', 13, 6);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000106', '2026-12-04 00:00:00.743+00', '608523bc8a63dfa2eb57f1d04318640055d8073bdcc20b807390a41e8487b742', 13, 7);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000119', '2026-12-04 00:00:00.833+00', '2ddb52d35c2a69cb320614acb366a443bc56f625ba544b072dca66b2142ad2df', 13, 8);
INSERT INTO public.audit_event_ids VALUES ('evt-4d-0000000160', '2026-12-04 00:00:01.12+00', '2df8fd4dacb9bab684ac531cd4cbeb044d8ff016ea2c41f0fd757d7b31132945', 13, 9);


--
-- Data for Name: audit_events_default; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: audit_events_y2026m12; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000001', 'zone-2', 'token_exchange', 'req-4d-1', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "3968c03d6fe240b641069d1bf4caf306", "session_id": "sess-1613", "agent_session_id": "as-3312"}', '2026-12-04 00:00:00.008+00', '2026-12-04 08:33:24.057725+00', '30dd733fa2f1756b1b10147e4a9d0037624110e5420ced73763dc577a5ae57b5', NULL, '977af39873ebf89d080b3e748da96771e29a20d2d16f0a1f96dab7a1477c0a4a', 1, '01ff739b5b964d8eca2e6ad1e3454b3bdba59bc8d79d500bfc297a5d56c8c6e1', 3, 'default', '1796373203308-0', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000012', 'zone-0', 'token_exchange', 'req-4d-7', 'deny', 'ps-zone-0', 'psv-7', '3f2a9c', 'scope_mismatch', '[{"effect": "deny", "policy": "deny-unscoped"}]', '{"missing_scopes": ["mail:write"]}', '{"resource": "mail", "trace_id": "3f2c586f3a533a3620dfc0e73b13e0c8", "session_id": "sess-1650", "agent_session_id": "as-1097"}', '2026-12-04 00:00:00.088+00', '2026-12-04 08:33:24.057725+00', '2d5867baee31e13ce0443cca36c516757701350a6b09ae7ba9c778691cdfb3e1', '30dd733fa2f1756b1b10147e4a9d0037624110e5420ced73763dc577a5ae57b5', 'c66f8f1fa02f8990e1a8e1f802101a97d77fd4e4eedf44cc808ef1f6657c73d9', 2, 'dc97213321a8a17a81518087d984b42dbe0900fbc4d48f8b9b3e0727adc91896', 3, 'default', '1796373203308-11', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000027', 'zone-2', 'gateway_resource_request', 'req-4d-14', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "98cda79d346b55ad3f300364b458b35f", "session_id": "sess-348", "agent_session_id": "as-4656"}', '2026-12-04 00:00:00.191+00', '2026-12-04 08:33:24.057725+00', '0109a41cac72c92ce9373cfd457dcc037ff300a2bc3900717cb94dcc95c38451', '2d5867baee31e13ce0443cca36c516757701350a6b09ae7ba9c778691cdfb3e1', 'bb20608fb3bf5cb20b76e4dc308b8f556d779e966a89617b089c9991abec56e3', 3, '4016cf675f91eba308babacdbdd91c15b3bfbbb4dec763c2bac9e5a6c33b6a5d', 3, 'default', '1796373203308-26', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000038', 'zone-2', 'token_exchange', 'req-4d-21', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "80f1e2e26bf6ac189dd1a8b246917a6f", "session_id": "sess-147", "agent_session_id": "as-2172"}', '2026-12-04 00:00:00.269+00', '2026-12-04 08:33:24.057725+00', '2d7aa7fd6231c2a528669589e71dfe462eb7e0e6f575ad88c185b6bcd685d1d8', '0109a41cac72c92ce9373cfd457dcc037ff300a2bc3900717cb94dcc95c38451', '4d9c756728bf6489db08a3d55bb98593ebf9ef5a46f4e48197fe4a948528531c', 4, 'de528781628e2ee1c2bfa8445dad9703010c13ff84ce9282e9a030a20aff0c5e', 3, 'default', '1796373203308-37', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000063', 'zone-2', 'token_exchange', 'req-4d-34', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "14ef07cd2efc92ad7201997bf0ddf768", "session_id": "sess-597", "agent_session_id": "as-660"}', '2026-12-04 00:00:00.444+00', '2026-12-04 08:33:24.057725+00', 'c31bd1ddfbeabf84abf7769546eef9d93f4f4c4010670bae18f0b3f48504b759', '2d7aa7fd6231c2a528669589e71dfe462eb7e0e6f575ad88c185b6bcd685d1d8', '9688ecce9ed56a0b66e428334f7f18b9c2c4998f6601cf5a492144de717cb002', 5, 'f14b5980f7ed16699325fa2bc926ec2a76077bf65173bf732e7f2c3c952dc4ee', 3, 'default', '1796373203308-62', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000074', 'zone-1', 'token_exchange', 'req-4d-39', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "39b6cb57613e4f5320865eb1b8f721df", "session_id": "sess-1773", "agent_session_id": "as-4720"}', '2026-12-04 00:00:00.518+00', '2026-12-04 08:33:24.057725+00', '470bb59717fec408e2ec4da5e63c1e5d75b26b25091df24ff5156e21505e3c31', 'c31bd1ddfbeabf84abf7769546eef9d93f4f4c4010670bae18f0b3f48504b759', '2d00119f24b3bd9193e3b6ac4ac1acf405f5c922ef181386da229a5302297b09', 6, '879e11fc2ac4f57deae4ba217423863856f5136c07c725aca7feb631d6a0b590', 3, 'default', '1796373203308-73', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000089', 'zone-2', 'gateway_resource_request', 'req-4d-47', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "70f4a183110e67f53b90033542812d04", "session_id": "sess-1467", "agent_session_id": "as-2338"}', '2026-12-04 00:00:00.624+00', '2026-12-04 08:33:24.057725+00', 'ac14f7239599ea7e0f95e94129964e7dbecb3b7aa11e6878d29282ede3af1caa', '470bb59717fec408e2ec4da5e63c1e5d75b26b25091df24ff5156e21505e3c31', '3aa0064cde9c6e6da6ad3f7fa741b04cbda8694c0b8962a1f5a95a17775e38fb', 7, '30c3bfbc22f3893a2d91f2d5ef5a802fee1d86158f9dd03b1c2b34ea86d5ee1f', 3, 'default', '1796373203308-88', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000108', 'zone-2', 'token_exchange', 'req-4d-56', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "584c353201bebbcce5e2c08cbca5f587", "session_id": "sess-1430", "agent_session_id": "as-2647"}', '2026-12-04 00:00:00.76+00', '2026-12-04 08:33:24.057725+00', 'babc217fdfc83fb6fb0baae8715c064585c857ec0ca46f65326ba2ccb14d3c0a', 'ac14f7239599ea7e0f95e94129964e7dbecb3b7aa11e6878d29282ede3af1caa', 'a59c6c6eeb1da6a4ce6d08cdcbb610597f31f0a3f386123cf42aab4c9a227e39', 8, 'c92febb212fbb0cb5247d1ccf44117e471b6dc37797967337a7e082da2b54671', 3, 'default', '1796373203308-107', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000117', 'zone-0', 'gateway_resource_request', 'req-4d-60', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "7e87701e493b5ab8fedafacde5b8d378", "session_id": "sess-969", "agent_session_id": "as-3575"}', '2026-12-04 00:00:00.821+00', '2026-12-04 08:33:24.057725+00', '5053ec71c33daa6fabdb4761fa3e23a5fba08834b697067d24b09003bb85c488', 'babc217fdfc83fb6fb0baae8715c064585c857ec0ca46f65326ba2ccb14d3c0a', '7426948775c9da3d59af8c88df89afe84680a7e8f25e0bc72078b85114c937ba', 9, 'f4a436e583638b3c2036a944a459c95295de7b69d7dac2897e3cf26db9caadd9', 3, 'default', '1796373203308-116', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000122', 'zone-2', 'token_exchange', 'req-4d-63', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "ebb910d110adba1162754c28421462ca", "session_id": "sess-1126", "agent_session_id": "as-3570"}', '2026-12-04 00:00:00.858+00', '2026-12-04 08:33:24.057725+00', 'd29238bf1b9f72e2fd6b39bda9b947d4c4123d713ad922c38a2161fbc6a86b11', '5053ec71c33daa6fabdb4761fa3e23a5fba08834b697067d24b09003bb85c488', 'ce618026f2807b3edc9c9400f8498735151ade2c91479b98431c3fd9cae4bc88', 10, 'f17710ba3b34d9dc806f960587489632c77ff3dfb2034d796ce3492b288a3b75', 3, 'default', '1796373203308-121', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000131', 'zone-0', 'token_exchange', 'req-4d-68', 'deny', 'ps-zone-0', 'psv-7', '3f2a9c', 'scope_mismatch', '[{"effect": "deny", "policy": "deny-unscoped"}]', '{"missing_scopes": ["calendar:write"]}', '{"resource": "calendar", "trace_id": "719ff2a2e2d4de798b6e74b61cee7a52", "session_id": "sess-706", "agent_session_id": "as-2372"}', '2026-12-04 00:00:00.918+00', '2026-12-04 08:33:24.057725+00', 'd20d9a0962542c1d9ea2cfc65bff08d63f3bfdfdc3945c915674c73aefa8d393', 'd29238bf1b9f72e2fd6b39bda9b947d4c4123d713ad922c38a2161fbc6a86b11', '0e83af4b992b9c93e48d46cadca40710bdfccf5e2b815dc4d2ee512325eb50fd', 11, '4867d6ec8a4920af22740f1c334867a1b7b1f6330dd463e8f93d83c5e12beef1', 3, 'default', '1796373203308-130', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000144', 'zone-2', 'gateway_resource_request', 'req-4d-74', 'deny', 'ps-zone-2', 'psv-7', '3f2a9c', 'policy_denied', '[{"effect": "deny", "policy": "restrict-files"}]', '{"reason": "resource outside delegated scope", "resource": "files"}', '{"resource": "files", "trace_id": "928915f0ca0125cf27d19f11e2391a66", "session_id": "sess-580", "agent_session_id": "as-1253"}', '2026-12-04 00:00:01.01+00', '2026-12-04 08:33:24.057725+00', '6ae836b5694383a8cae2de97ee05ebc8570bebbe49c89b360020a576f7238e12', 'd20d9a0962542c1d9ea2cfc65bff08d63f3bfdfdc3945c915674c73aefa8d393', '597988ab5ec53ce56114dc10eba140d0f9629c11360255ddc8ae27e05fceb21b', 12, '2d59cb962222b4a5f94d5d65e78cb95c71f6516d55dec0ed4aa84b999befa050', 3, 'default', '1796373203308-143', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000153', 'zone-0', 'token_exchange', 'req-4d-79', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "57a1cc0874cf4d2ea9952687e9ac2e0f", "session_id": "sess-1633", "agent_session_id": "as-4901"}', '2026-12-04 00:00:01.072+00', '2026-12-04 08:33:24.057725+00', 'c47e4a3e6d37cf199332b1066ca217187aaa0fcb4f15f9ed52e4be2cd4a6e918', '6ae836b5694383a8cae2de97ee05ebc8570bebbe49c89b360020a576f7238e12', '314ea69087cadd3acfe847ed958795ab7477bcacfec5cdfc97ece6dab5de2941', 13, 'bae0e81e8e890fd7100353ac42078c8ff9ef8644c67f90399fafd745dc40c28e', 3, 'default', '1796373203308-152', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000013', 'zone-0', 'token_exchange', 'req-4d-8', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "77cf5551adc7f557db1c9def27bbd297", "session_id": "sess-873", "agent_session_id": "as-3752"}', '2026-12-04 00:00:00.095+00', '2026-12-04 08:33:24.059915+00', '696a6a43bc04336ab65084b41329ca4e8186093f5f433485239c217199d9d027', NULL, '864464b040a591f9a34130ca72fcf7288a185a8a6f2f58f1c56436ae8347177a', 1, '41f442309ed98a9de1b05e949e2bf93b8d167406c009e1b79b0d1b1caf7c5797', 0, 'default', '1796373203308-12', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000026', 'zone-2', 'token_exchange', 'req-4d-14', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "98cda79d346b55ad3f300364b458b35f", "session_id": "sess-348", "agent_session_id": "as-4656"}', '2026-12-04 00:00:00.185+00', '2026-12-04 08:33:24.059915+00', '3dfd7f2bf7984c19f35ad60dab27b13bc3f1da3dc955597fe802b2515ec62180', '696a6a43bc04336ab65084b41329ca4e8186093f5f433485239c217199d9d027', 'e82bd7430199434cf419c4f59844c22fe908ab4347b4185e0041338bb9c28923', 2, '69bec1be6c2226939889b6c7e2e9540480bb67aa1cae2cc829e79c039ee2a48b', 0, 'default', '1796373203308-25', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000039', 'zone-2', 'gateway_resource_request', 'req-4d-21', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "80f1e2e26bf6ac189dd1a8b246917a6f", "session_id": "sess-147", "agent_session_id": "as-2172"}', '2026-12-04 00:00:00.277+00', '2026-12-04 08:33:24.059915+00', '856c610427cf501e222aa0881c512fd66e34aeed8b395751145b8a5014d585f6', '3dfd7f2bf7984c19f35ad60dab27b13bc3f1da3dc955597fe802b2515ec62180', '740756253147f2e17c71b8c52e2ccac71ed45e8e4b9f0a96a618ddedab25ed24', 3, '422fa8bff78592b71d940a0ae8be6c0db99689673de79819223609ad37a7b57e', 0, 'default', '1796373203308-38', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000062', 'zone-0', 'gateway_resource_request', 'req-4d-33', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "69f49002fac20a55dff563f8e3f2c7c9", "session_id": "sess-1355", "agent_session_id": "as-3768"}', '2026-12-04 00:00:00.438+00', '2026-12-04 08:33:24.059915+00', '48a064fad839d0b9dd7c3244329291bb0639142f207f0d3ade76075f65262f3e', '856c610427cf501e222aa0881c512fd66e34aeed8b395751145b8a5014d585f6', 'e0405bd7045ea0db9b27b02a4b91199a798c585a6a2536bc39131b065a6a8e94', 4, '1a97ca53b05b1206c72f5a69505935f86e653b9fb3d014808532e54ba0d6eedb', 0, 'default', '1796373203308-61', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000075', 'zone-1', 'gateway_resource_request', 'req-4d-39', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "39b6cb57613e4f5320865eb1b8f721df", "session_id": "sess-1773", "agent_session_id": "as-4720"}', '2026-12-04 00:00:00.528+00', '2026-12-04 08:33:24.059915+00', '7bc0f2200e46c02da1e8add0d0f4aaf6e9d3fca897e89a25226b0a9b4f14c308', '48a064fad839d0b9dd7c3244329291bb0639142f207f0d3ade76075f65262f3e', '8c8a6f5e211a3a4de2657dee8309429945fabbc1eb7dae68eea88a24c509f777', 5, 'fff36c48e4f75d2e16d660d549116de3dd8bb4cc8d36810c2fc11d1b07c40f2e', 0, 'default', '1796373203308-74', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000088', 'zone-2', 'token_exchange', 'req-4d-47', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "70f4a183110e67f53b90033542812d04", "session_id": "sess-1467", "agent_session_id": "as-2338"}', '2026-12-04 00:00:00.618+00', '2026-12-04 08:33:24.059915+00', 'bdc814fd0f9611d35352508c675a8c2ce54b34dbd3d685b917913fb693268a7e', '7bc0f2200e46c02da1e8add0d0f4aaf6e9d3fca897e89a25226b0a9b4f14c308', '73347750052a16a1c44a86f9819d6937339f1b86c9f9afad26778a52786c5599', 6, '639025f63c6452f0196c7b49675777fa634a105cb38ed9b505f60e05b4eba00e', 0, 'default', '1796373203308-87', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000109', 'zone-2', 'gateway_resource_request', 'req-4d-56', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "584c353201bebbcce5e2c08cbca5f587", "session_id": "sess-1430", "agent_session_id": "as-2647"}', '2026-12-04 00:00:00.764+00', '2026-12-04 08:33:24.059915+00', 'ebfe8acf5c3f09d4f81ef701f21e637b8322fab5368d6fc2977ce767befb7a3f', 'bdc814fd0f9611d35352508c675a8c2ce54b34dbd3d685b917913fb693268a7e', '74d562cc778e8a32f93690c3c09db1aea81afc5d1b903c7aa5d1040066142fb8', 7, 'fb386fdc3b8c66eedbfdd262eb0896b84ae6e7e54367cf8b31870e739c56868f', 0, 'default', '1796373203308-108', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000116', 'zone-0', 'token_exchange', 'req-4d-60', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "7e87701e493b5ab8fedafacde5b8d378", "session_id": "sess-969", "agent_session_id": "as-3575"}', '2026-12-04 00:00:00.812+00', '2026-12-04 08:33:24.059915+00', '948436f534442d4a4622d694d76fe8b4ea89a811e967dbcc218c30e308b81ddf', 'ebfe8acf5c3f09d4f81ef701f21e637b8322fab5368d6fc2977ce767befb7a3f', '59e2ceac3ad8cfdb5bc23ce982c1cb55ea80c70afd760403089ebbd13b1d737a', 8, 'f89cf42c3aca8bf39265df78d312df6aa7c8fdef8b89e10ded12241aac5d4415', 0, 'default', '1796373203308-115', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000123', 'zone-2', 'gateway_resource_request', 'req-4d-63', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "ebb910d110adba1162754c28421462ca", "session_id": "sess-1126", "agent_session_id": "as-3570"}', '2026-12-04 00:00:00.861+00', '2026-12-04 08:33:24.059915+00', '6371187e33b1c62a54254ab25c4f445d57186faefc541eeafe86451372b29833', '948436f534442d4a4622d694d76fe8b4ea89a811e967dbcc218c30e308b81ddf', '8dee8e603f03620ad7d9eba32ad95289b8760ebc86b8c28075cdab528fa636d5', 9, '0b9a20c2d79537e841013a64cc10197b32d6f3fe64afaf6a3e2440bb55ac859f', 0, 'default', '1796373203308-122', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000130', 'zone-0', 'gateway_resource_request', 'req-4d-67', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "ba29fb8558cbb9ebf483bfd63e3abb3f", "session_id": "sess-789", "agent_session_id": "as-4114"}', '2026-12-04 00:00:00.914+00', '2026-12-04 08:33:24.059915+00', '34e69c7d92c07146914f6c4421d04d88a88d5c37bf5078ee72d2fed525204c7b', '6371187e33b1c62a54254ab25c4f445d57186faefc541eeafe86451372b29833', '9a95d76f83dd6f5b4c31419e574f31e80fcc639453c4be9a23287c73823db9cb', 10, '75da908188252c34a57321f6a12e532eba852a2ce92c80e97f62125d2cefe585', 0, 'default', '1796373203308-129', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000145', 'zone-2', 'token_exchange', 'req-4d-75', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "36a428767d0f30de5c5bbde8147607a3", "session_id": "sess-324", "agent_session_id": "as-1060"}', '2026-12-04 00:00:01.019+00', '2026-12-04 08:33:24.059915+00', '3b802f4611d8291a64ac0dbe8b4d1ca02474a3f56bd938edfb2ddcbad9caa8b3', '34e69c7d92c07146914f6c4421d04d88a88d5c37bf5078ee72d2fed525204c7b', 'f6d8156e5506036f964487723b44b407f78bcd64663b932efe327d12988da5d2', 11, '6f46194b54c4d7d0324b447028e82a2ed2e65f960d4abab9121347e18a0d0acb', 0, 'default', '1796373203308-144', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000152', 'zone-2', 'gateway_resource_request', 'req-4d-78', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "67f12f5bbc917fa8b61754cd6b1a8e49", "session_id": "sess-1912", "agent_session_id": "as-2314"}', '2026-12-04 00:00:01.066+00', '2026-12-04 08:33:24.059915+00', '183b972cc2101c20fa9563b38941b4aac50797debea9a27bac45a3687bd2b649', '3b802f4611d8291a64ac0dbe8b4d1ca02474a3f56bd938edfb2ddcbad9caa8b3', 'fc25ae4ffe7a8a8c23299c415a29a370c480a7afd6ef5defb65ed75f153662c4', 12, '90598b697e48da92a7b5631a9880e18c5299aefad5cedc3b22d3b45254ccc8e9', 0, 'default', '1796373203308-151', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000019', 'zone-2', 'step_up_issued', 'req-4d-11', 'pending', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "a664d9f14b65feade6da54637db2b4dd", "session_id": "sess-471", "agent_session_id": "as-2670"}', '2026-12-04 00:00:00.137+00', '2026-12-04 08:33:24.061229+00', '6036c8c6be9bf0448fc6c7adbf4207170bb18cf8be8b00b5c17780ce95604974', NULL, '92bb907f304dd6071608a3682d963d0b245a574f4ce58863a12a48689630901e', 1, '52b5d7cc1d2179b4ec437f01b23334a6452c9bdc348dee88a8bd0ff47152e152', 14, 'default', '1796373203308-18', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000033', 'zone-2', 'gateway_resource_request', 'req-4d-17', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "ec955ae8d4df5c5864b63e04eb45e2bf", "session_id": "sess-1103", "agent_session_id": "as-1908"}', '2026-12-04 00:00:00.234+00', '2026-12-04 08:33:24.061229+00', 'c752a8cfdbbab63caff0f591084aa493566edfcc903f8c5c856c4229a7283757', '6036c8c6be9bf0448fc6c7adbf4207170bb18cf8be8b00b5c17780ce95604974', '9487c0fe115ce26fc6d1aead76a92194f989058d05c9d8723f77009ae8693643', 2, '1a633a6ab692be17532854b2cafa57eabb79174fd051a1c84919ae0c82728e4d', 14, 'default', '1796373203308-32', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000046', 'zone-1', 'gateway_resource_request', 'req-4d-24', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "d34f69c06b105915d9601bc372b58290", "session_id": "sess-342", "agent_session_id": "as-3657"}', '2026-12-04 00:00:00.323+00', '2026-12-04 08:33:24.061229+00', '010baf9b73b764cac8fe2f57aeda2f1cf075c9e64165c12ade885a30909c29e3', 'c752a8cfdbbab63caff0f591084aa493566edfcc903f8c5c856c4229a7283757', 'c55ac01c293ff633dffb90a6f83ead855534fe31a2a9f04f0aa215167acecf0a', 3, '92981996f380e0feac52b2290a935f16a78c568716889ac0399ea44e47f6d882', 14, 'default', '1796373203308-45', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000055', 'zone-1', 'token_exchange', 'req-4d-29', 'deny', 'ps-zone-1', 'psv-7', '3f2a9c', 'scope_mismatch', '[{"effect": "deny", "policy": "deny-unscoped"}]', '{"missing_scopes": ["payments:write"]}', '{"resource": "payments", "trace_id": "9b13518edc6ad67fb4a46d6144196956", "session_id": "sess-19", "agent_session_id": "as-117"}', '2026-12-04 00:00:00.387+00', '2026-12-04 08:33:24.061229+00', '2feee99076c0da7343ca506083cf93657502f9c25df45a9c21a2b1a54d4b3b81', '010baf9b73b764cac8fe2f57aeda2f1cf075c9e64165c12ade885a30909c29e3', '056bf2eeaca53adb6e4f5587228978fdd0c890fdb6be3af41b775bb07de95b78', 4, 'cc97ca3f478bb44ff1ca01366613fce12869cb7249ebfcd25887bf52a37dd5fa', 14, 'default', '1796373203308-54', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000068', 'zone-0', 'gateway_resource_request', 'req-4d-36', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "048894386b2499e94a9eaf0dd677cb95", "session_id": "sess-1110", "agent_session_id": "as-1760"}', '2026-12-04 00:00:00.479+00', '2026-12-04 08:33:24.061229+00', '2ef1cb904d9c89f984c1383acfbbedbda51d567841f1ed3c51f7f9ab4c94f27b', '2feee99076c0da7343ca506083cf93657502f9c25df45a9c21a2b1a54d4b3b81', 'fc3e2c6095b4762e672a1ec3bf86256d05e68d621e35200382e19d3178d8c054', 5, '9c4768ce486a323e030d30058e8b5597d2a7e335775fd9700f1781ef5c17dd98', 14, 'default', '1796373203308-67', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000082', 'zone-2', 'token_exchange', 'req-4d-43', 'deny', 'ps-zone-2', 'psv-7', '3f2a9c', 'scope_mismatch', '[{"effect": "deny", "policy": "deny-unscoped"}]', '{"missing_scopes": ["mail:write"]}', '{"resource": "mail", "trace_id": "c8d6c320264c777ced4820b4d14bb40b", "session_id": "sess-373", "agent_session_id": "as-2431"}', '2026-12-04 00:00:00.575+00', '2026-12-04 08:33:24.061229+00', '62aa86c8b7f5ef29d4e0187230287788fb31998fc851adb8ab14166343fb8b74', '2ef1cb904d9c89f984c1383acfbbedbda51d567841f1ed3c51f7f9ab4c94f27b', '2004e5070659d4ea3b5b34b6368d9889af2771c42211f9d5b44027c4212d5722', 6, '3113974e02cd2c3236ce3d26fe5a6a06c2b6f7bb930ba2e57fff35719dec3332', 14, 'default', '1796373203308-81', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000091', 'zone-0', 'gateway_resource_request', 'req-4d-48', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "828c78980042743af728de28246974f3", "session_id": "sess-389", "agent_session_id": "as-1517"}', '2026-12-04 00:00:00.64+00', '2026-12-04 08:33:24.061229+00', '80e52e5502304656b1fad35319875d6028a6dff22bc85a7fb12286429c82e728', '62aa86c8b7f5ef29d4e0187230287788fb31998fc851adb8ab14166343fb8b74', '0e06312ea6a240187ec1304d86bf6b0df238600edc7c56a29583ce28f63a7459', 7, '560ef935fce34bd4b4b348730651501f37a198011ac23b8d546e82f99fbb8146', 14, 'default', '1796373203308-90', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000103', 'zone-1', 'gateway_resource_request', 'req-4d-53', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "88153cd57e30d7e60c7c41abe3a0ff55", "session_id": "sess-1778", "agent_session_id": "as-4853"}', '2026-12-04 00:00:00.725+00', '2026-12-04 08:33:24.061229+00', 'e21e2852090f00187244afd10a53ec7eac50067dad1a59fbaa3576e688c5530c', '80e52e5502304656b1fad35319875d6028a6dff22bc85a7fb12286429c82e728', '81740059e9d89adb38d5b59f4090b89ff5ab2be118a96a75d4b07800eb795399', 8, '7dedbda27a0d665b2542dbc4384ff42d6d1baf9e039a293762fd7e4e03b9b6bc', 14, 'default', '1796373203308-102', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000129', 'zone-0', 'token_exchange', 'req-4d-67', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "ba29fb8558cbb9ebf483bfd63e3abb3f", "session_id": "sess-789", "agent_session_id": "as-4114"}', '2026-12-04 00:00:00.903+00', '2026-12-04 08:33:24.061229+00', '7a728930cefbac4b00b6ecb2fd98128e32fad2042500fd609dca39b45994aa00', 'e21e2852090f00187244afd10a53ec7eac50067dad1a59fbaa3576e688c5530c', '5204a780346453c37b3b8bacf4c43f93d0b0d66ac1eb8ee6fa2460746927b1c6', 9, '5e74c09cceea8a31e1c13283c6c69acd322f2e8f64dc0f773502b400d6b19451', 14, 'default', '1796373203308-128', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000158', 'zone-1', 'gateway_resource_request', 'req-4d-81', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "6cae7f4fab6c1f64298878770d68d909", "session_id": "sess-607", "agent_session_id": "as-3504"}', '2026-12-04 00:00:01.107+00', '2026-12-04 08:33:24.061229+00', '2dee89404cac0a5abc7852a609733e196d583d1e81f50423adcc1e20f3fbc629', '7a728930cefbac4b00b6ecb2fd98128e32fad2042500fd609dca39b45994aa00', '670d74b6831ffa6c259cb1cf46fef0b4b29fe7173219447771b08c77d1743f6a', 10, '8103249805e46bbb73513f42ee6645970b3b11126076fb352a6c08649cb724b8', 14, 'default', '1796373203308-157', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000018', 'zone-1', 'gateway_resource_request', 'req-4d-10', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "7841acc68c5c7d9158633f3f2130ff90", "session_id": "sess-1837", "agent_session_id": "as-2242"}', '2026-12-04 00:00:00.126+00', '2026-12-04 08:33:24.061103+00', 'c7e32be7bc94f9469449cc75d38e06efe013ebd73f6c53adab3aba5543319ae3', NULL, 'a1f7ebd935d3a11c04bd0e2288958d6572c2b8721e3d6e4d77c27c3ba12eba7b', 1, 'bf2abd1ff5a417ae832a85d73039ecbb907f9dbf680d7f12d76df5237883fa63', 1, 'default', '1796373203308-17', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000032', 'zone-2', 'token_exchange', 'req-4d-17', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "ec955ae8d4df5c5864b63e04eb45e2bf", "session_id": "sess-1103", "agent_session_id": "as-1908"}', '2026-12-04 00:00:00.224+00', '2026-12-04 08:33:24.061103+00', '4f70c42394bd283e7373280ece5a4ae86e6178a2b4f2811460049162f8067990', 'c7e32be7bc94f9469449cc75d38e06efe013ebd73f6c53adab3aba5543319ae3', '6780f650ade371fa69f99e5658128b3558106ace611081016617a51645512e4f', 2, '0850794d4c9c0d71f76e5fb460af71dff563a0918ccb7e14944260460359dada', 1, 'default', '1796373203308-31', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000047', 'zone-2', 'token_exchange', 'req-4d-25', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "229015e5d10d7508c0bc49ea9d6e3b80", "session_id": "sess-1665", "agent_session_id": "as-2013"}', '2026-12-04 00:00:00.33+00', '2026-12-04 08:33:24.061103+00', '8cfe14cb161889a70a97b157b4838528193b8bd556b0d9912e6c80feaf9120b9', '4f70c42394bd283e7373280ece5a4ae86e6178a2b4f2811460049162f8067990', 'aec5f876b00991ada2345d9be979ea78d75f4a43611f645e5dad28a6704f6dfe', 3, '993fe0578af9cf14848c042093973e207bae4a953dda45f3d44eba6c9e8e5d67', 1, 'default', '1796373203308-46', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000095', 'zone-2', 'gateway_resource_request', 'req-4d-50', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "773b9bf0d40f1cb5a9755c71484412c6", "session_id": "sess-418", "agent_session_id": "as-4138"}', '2026-12-04 00:00:00.668+00', '2026-12-04 08:33:24.072258+00', 'cf8ccc50227fa9339e3be518bc848f6257a5ea19ef180f5cfecd7d9903f983dc', '5f8e608d096c8d0d220671cc785ae474e0209a708019837ff1891ae57c65e042', 'f5ea2331595a7466daa287e337557677150eb676c767a78419184eab7bcdcdc9', 6, 'cea6a96149d527b76b0380ffed843df982e8a0b5f174e1137d93cd256c2c1fe0', 10, 'default', '1796373203308-94', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000054', 'zone-2', 'gateway_resource_request', 'req-4d-28', 'deny', 'ps-zone-2', 'psv-7', '3f2a9c', 'policy_denied', '[{"effect": "deny", "policy": "restrict-calendar"}]', '{"reason": "resource outside delegated scope", "resource": "calendar"}', '{"resource": "calendar", "trace_id": "eb333663922bee655f97abb053a76cc8", "session_id": "sess-488", "agent_session_id": "as-2639"}', '2026-12-04 00:00:00.381+00', '2026-12-04 08:33:24.061103+00', '91f6e1c9f35d5e25eb765aa7bba7d1cdf943c7de341862824d5a494806f2ff71', '8cfe14cb161889a70a97b157b4838528193b8bd556b0d9912e6c80feaf9120b9', '5d0939bca24893724f17430910f1cebbb81a0f1c9d65a00bf6548b0ebaad2fba', 4, 'd548fe151a0176e993b2763fa56ea79648f93505330af2509d71288c11d29dfb', 1, 'default', '1796373203308-53', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000069', 'zone-2', 'token_exchange', 'req-4d-37', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "434c42986f26370c7596af1fa198ef11", "session_id": "sess-251", "agent_session_id": "as-1996"}', '2026-12-04 00:00:00.483+00', '2026-12-04 08:33:24.061103+00', '4272e21f729388f0763dce79f42af1837f8d9978e766413966cf91fe47cfff82', '91f6e1c9f35d5e25eb765aa7bba7d1cdf943c7de341862824d5a494806f2ff71', 'a2372246061df2b6be63267b4ee684c53e8d9c6d4bce9e85f5a8c185dd3f8c69', 5, 'b067204f46b9924590bb939be91b75426ff667f3247ea70e36636b4244de3403', 1, 'default', '1796373203308-68', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000083', 'zone-2', 'token_exchange', 'req-4d-44', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "353afdf5acaa58ca0c4ef3ea5ddd0783", "session_id": "sess-1603", "agent_session_id": "as-2741"}', '2026-12-04 00:00:00.581+00', '2026-12-04 08:33:24.061103+00', '2b92bcf214bded64db9bd92a8b7473335103f764c1b509865ad25f7dd9a276c9', '4272e21f729388f0763dce79f42af1837f8d9978e766413966cf91fe47cfff82', 'd5d69ac192bafc409ea815d3ec8388a2025113f2b1f1fca9d40ca5bfe05bceb5', 6, '73b149e6bad1be104b3a549d858ade4acd1d6201e06ceb29d9cb54a9ea65e0c5', 1, 'default', '1796373203308-82', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000090', 'zone-0', 'token_exchange', 'req-4d-48', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "828c78980042743af728de28246974f3", "session_id": "sess-389", "agent_session_id": "as-1517"}', '2026-12-04 00:00:00.633+00', '2026-12-04 08:33:24.061103+00', 'a548df1d6b44393f512ba87c1617f4d99306fa271ab3fa99cd815a620a363233', '2b92bcf214bded64db9bd92a8b7473335103f764c1b509865ad25f7dd9a276c9', 'aeecddb4cdd2ac3ee91d04ce44ac6d9ae8b7075e88a62051facdefe9cd783a54', 7, '1f907421edff8de8a583c4d4c3f4fa45fc677d68fe50ca429939850eff7eaf0e', 1, 'default', '1796373203308-89', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000102', 'zone-1', 'token_exchange', 'req-4d-53', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "88153cd57e30d7e60c7c41abe3a0ff55", "session_id": "sess-1778", "agent_session_id": "as-4853"}', '2026-12-04 00:00:00.717+00', '2026-12-04 08:33:24.061103+00', '739c75eb23eec9706bad82bd4f29b1bfcde7c777d693288b49d30f69a0c88104', 'a548df1d6b44393f512ba87c1617f4d99306fa271ab3fa99cd815a620a363233', 'd5993523a6d3eca245a5b90dd75a6c40408d736b691342d1c626e47ce89274ed', 8, '72fb21b236d8c12d1e20277042cebce43519edd3aa183a63dc72bf90c9bfd780', 1, 'default', '1796373203308-101', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000128', 'zone-2', 'gateway_resource_request', 'req-4d-66', 'deny', 'ps-zone-2', 'psv-7', '3f2a9c', 'policy_denied', '[{"effect": "deny", "policy": "restrict-payments"}]', '{"reason": "resource outside delegated scope", "resource": "payments"}', '{"resource": "payments", "trace_id": "23a0ab22cf1f17ba991892024a661428", "session_id": "sess-1610", "agent_session_id": "as-4656"}', '2026-12-04 00:00:00.899+00', '2026-12-04 08:33:24.061103+00', 'd0f3daf4121432f6aa6f50222e4bb817117c5b311d4a49c8504dd61047bc92ee', '739c75eb23eec9706bad82bd4f29b1bfcde7c777d693288b49d30f69a0c88104', '5a8dbf5f777b3f7af5840caf66bc9e97646abaf4914755b909e2397d63758e11', 9, 'cb57160ac563222b1001e522618c4ffe0469219462b1740f9b16e564a6da7a5a', 1, 'default', '1796373203308-127', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000159', 'zone-0', 'token_exchange', 'req-4d-82', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "dd3210515eb2777b942d34823e984c6e", "session_id": "sess-124", "agent_session_id": "as-2079"}', '2026-12-04 00:00:01.117+00', '2026-12-04 08:33:24.061103+00', '0e792c7f7b9b3de9b6c9510f537eddc37432025990f1da15d89b7dbef6d291a2', 'd0f3daf4121432f6aa6f50222e4bb817117c5b311d4a49c8504dd61047bc92ee', '357eee29975ae7efaefed5e4f4c813ccdff03ff6e17e473fec8c36df966e2311', 10, 'b833980181d96f0b7574e627c1b45887bd58667318f05e468d4d5fffb72a9594', 1, 'default', '1796373203308-158', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000028', 'zone-1', 'token_exchange', 'req-4d-15', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "f4f6fb8fbbee62622f1927c630be9903", "session_id": "sess-239", "agent_session_id": "as-4625"}', '2026-12-04 00:00:00.2+00', '2026-12-04 08:33:24.072258+00', '09b0cd67016ad41239f87ab8a31bce55e7c8a81e93572e8f856055444af7f9d6', NULL, '6cac41bdf93558b2bd8bfc0f0890c14783a014e0edde193c3f7ca2ee45e944cc', 1, '39f2fdf59a42c8f4ae9f8d6c9c8f14d9254da0e5f3fe0c0d8370897c69fac67b', 10, 'default', '1796373203308-27', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000037', 'zone-1', 'token_exchange', 'req-4d-20', 'deny', 'ps-zone-1', 'psv-7', '3f2a9c', 'scope_mismatch', '[{"effect": "deny", "policy": "deny-unscoped"}]', '{"missing_scopes": ["calendar:write"]}', '{"resource": "calendar", "trace_id": "27e662e4a868d8239a9c4efaa1f5b306", "session_id": "sess-952", "agent_session_id": "as-3885"}', '2026-12-04 00:00:00.26+00', '2026-12-04 08:33:24.072258+00', 'f575e352607ca94b4eff44b5e405eee83d7276704a0bea74d03ffcad665de512', '09b0cd67016ad41239f87ab8a31bce55e7c8a81e93572e8f856055444af7f9d6', '401868166f4031ad22bf2d2beb59430e9dcc56b81e1b1d3821ce727f1324f064', 2, '718697f595cbcb62ae55fa0fa28e36354713477c9173057dbbce9e861f5cdba4', 10, 'default', '1796373203308-36', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000042', 'zone-0', 'step_up_consumed', 'req-4d-22', 'consumed', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "c8fa3d316bbbc98b4a51baf03c9f4e32", "session_id": "sess-1547", "agent_session_id": "as-1586"}', '2026-12-04 00:00:00.297+00', '2026-12-04 08:33:24.072258+00', 'bb99302e2b883d285974355dc6831f1a8dbffdc0f1a905e5190288f331e55f79', 'f575e352607ca94b4eff44b5e405eee83d7276704a0bea74d03ffcad665de512', 'b9052490d0fa0e3ad5f28739ccd88b7a35b46a3e9774649c100dcc6b2acab7b9', 3, '85693fd835777a9ca1e889648003b6f21d149b26de776bb1d1b9941a9399a4f6', 10, 'default', '1796373203308-41', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000051', 'zone-0', 'token_exchange', 'req-4d-27', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "e598373e2a5767aa3b9227ebd893bd46", "session_id": "sess-688", "agent_session_id": "as-779"}', '2026-12-04 00:00:00.357+00', '2026-12-04 08:33:24.072258+00', '09c055d8a9da1766d11ebb15e4f2bcd64f5954ab406307a71e30b5672d8131ab', 'bb99302e2b883d285974355dc6831f1a8dbffdc0f1a905e5190288f331e55f79', '3bc19ed33a9367e80812bee695b04ab96152b2dece86390124b17e7dc34e5f50', 4, '90e445b6d437bceebeae06a3a2d26b247a4065aedf48deba457b126d8a664cd2', 10, 'default', '1796373203308-50', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000086', 'zone-1', 'gateway_resource_request', 'req-4d-45', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "407dcf0a66fddf681f411ff7f630bf6d", "session_id": "sess-1841", "agent_session_id": "as-558"}', '2026-12-04 00:00:00.605+00', '2026-12-04 08:33:24.072258+00', '5f8e608d096c8d0d220671cc785ae474e0209a708019837ff1891ae57c65e042', '09c055d8a9da1766d11ebb15e4f2bcd64f5954ab406307a71e30b5672d8131ab', '322d05687788d26a9c3dac3925ced216a99a1cf293dc4552b9f026f4fc05d110', 5, '6dac1b6fa0c0b6a413a17d2d223d7056db34eec7037345238d08f643fcda6c89', 10, 'default', '1796373203308-85', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000007', 'zone-1', 'token_exchange', 'req-4d-4', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "08d2778201e3e1ff7416b112d00a8e78", "session_id": "sess-1834", "agent_session_id": "as-2584"}', '2026-12-04 00:00:00.049+00', '2026-12-04 08:33:24.085958+00', '68b2fe136825a0ebafadd1ad67459fdcf090baaafe3861ca0fce85b0706f368c', NULL, '318e3d6159e11a9d3a57cd490a18e52a2adf6a8c430db2273c4d9667115f5dfc', 1, 'efeb84861c5ac5d634eb14826d78453aab010fa3f27ccbda7d749c2f8facc01b', 5, 'default', '1796373203308-6', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000107', 'zone-0', 'gateway_resource_request', 'req-4d-55', 'deny', 'ps-zone-0', 'psv-7', '3f2a9c', 'policy_denied', '[{"effect": "deny", "policy": "restrict-crm"}]', '{"reason": "resource outside delegated scope", "resource": "crm"}', '{"resource": "crm", "trace_id": "da8f24b01b7090383ab42703bba81bad", "session_id": "sess-453", "agent_session_id": "as-2226"}', '2026-12-04 00:00:00.752+00', '2026-12-04 08:33:24.072258+00', 'cb9253febcf82a958a0b297dd0a8d42e5c5b59453b27627f606e6650cb782744', 'cf8ccc50227fa9339e3be518bc848f6257a5ea19ef180f5cfecd7d9903f983dc', '306b6ad476f7f4b5632016d20874582ded737a6c1f0ba261aec0456cba4341bb', 7, 'b0fbd46b433c8af25587f7070ab186996f3d938ec0442dc29b047838f142c5ec', 10, 'default', '1796373203308-106', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000118', 'zone-1', 'token_exchange', 'req-4d-61', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "e94a2ab20ff999702c7ba8ecfb9c9986", "session_id": "sess-523", "agent_session_id": "as-3276"}', '2026-12-04 00:00:00.83+00', '2026-12-04 08:33:24.072258+00', '87e85a4c2e6a407a67304baf89a40249da9351335eb7dbd73c713f11d7e4add0', 'cb9253febcf82a958a0b297dd0a8d42e5c5b59453b27627f606e6650cb782744', '0110fbb7b8b42012602cd00f04eac0d6f7d13ed6c10700c081a132857cffb082', 8, '9df981a2c6247a3f8ac9898b3b991ccc407a8e44b3485fcb8932d583a59eae94', 10, 'default', '1796373203308-117', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000008', 'zone-1', 'gateway_resource_request', 'req-4d-4', 'deny', 'ps-zone-1', 'psv-7', '3f2a9c', 'policy_denied', '[{"effect": "deny", "policy": "restrict-payments"}]', '{"reason": "resource outside delegated scope", "resource": "payments"}', '{"resource": "payments", "trace_id": "08d2778201e3e1ff7416b112d00a8e78", "session_id": "sess-1834", "agent_session_id": "as-2584"}', '2026-12-04 00:00:00.057+00', '2026-12-04 08:33:24.072543+00', '6e775132ea62c45713f62194d31f28f43929c2daf8fe70f63331eb275879bbe3', NULL, '785fdcec1640a6aa827a61c112f8cdc71e05289162f864f7acb1d7880e3ebb08', 1, 'cdbe8b692b5e553b73ebd3811c44815c6adb2dd08991290831fc7cbea3bc3abf', 8, 'default', '1796373203308-7', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000031', 'zone-0', 'gateway_resource_request', 'req-4d-16', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "1e1ae01b6d3b2fc77ad364e98cda2f29", "session_id": "sess-1708", "agent_session_id": "as-3503"}', '2026-12-04 00:00:00.218+00', '2026-12-04 08:33:24.072543+00', 'd7b71cd3e64d52b60e82055c4b8a9bdd1826f6267d6ed764bd0f70b98dd01f47', '6e775132ea62c45713f62194d31f28f43929c2daf8fe70f63331eb275879bbe3', 'e9b967b51f896aa88700146ea6b0483c2dcad8290eba8311bcfca76cf873fcb6', 2, '9517119d88f207ecc38cb33d47666bdf96d8e689c73780c8c4a094c5635b70de', 8, 'default', '1796373203308-30', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000044', 'zone-0', 'gateway_resource_request', 'req-4d-23', 'deny', 'ps-zone-0', 'psv-7', '3f2a9c', 'policy_denied', '[{"effect": "deny", "policy": "restrict-calendar"}]', '{"reason": "resource outside delegated scope", "resource": "calendar"}', '{"resource": "calendar", "trace_id": "05228ed41e0f4e7e2b9d123e59d29eb2", "session_id": "sess-842", "agent_session_id": "as-4695"}', '2026-12-04 00:00:00.31+00', '2026-12-04 08:33:24.072543+00', '835eac59b113f9b38665519dea0b0faecd4b7b19c7437c9fe66b85e336b9638c', 'd7b71cd3e64d52b60e82055c4b8a9bdd1826f6267d6ed764bd0f70b98dd01f47', '901c585d742bb859abb0c744b7d5d97416cfe37d002970f2b0944c8e9d9afe3e', 3, 'e0f3568a53af478de0da2fdb0641f4b842182e1df6cba5203857b002e91b779a', 8, 'default', '1796373203308-43', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000057', 'zone-2', 'gateway_resource_request', 'req-4d-30', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "61d99661ac41f38dfc8e228cb5ae06c4", "session_id": "sess-1556", "agent_session_id": "as-2104"}', '2026-12-04 00:00:00.402+00', '2026-12-04 08:33:24.072543+00', '97cba8c55ac97a55df6805056d2eb2c90a80a69c8664d929deb735b097075bfc', '835eac59b113f9b38665519dea0b0faecd4b7b19c7437c9fe66b85e336b9638c', '58ca68f84598ca8418150b07df370d49b90006fc16a7462de795a3cbdab641f7', 4, 'e75f423cd58a0da1b245c5be8d8082df5075a75ca584e5250eca71754b3d1dc7', 8, 'default', '1796373203308-56', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000080', 'zone-1', 'token_exchange', 'req-4d-42', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "488a365600f4a77ed9634fb012113545", "session_id": "sess-535", "agent_session_id": "as-4603"}', '2026-12-04 00:00:00.562+00', '2026-12-04 08:33:24.072543+00', '3fc0ceb71995db94ad64b77184b743dca7061af4de08fac9a7160024c5ac5d14', '97cba8c55ac97a55df6805056d2eb2c90a80a69c8664d929deb735b097075bfc', 'df933b9e86969d4b0ec6e5f7899db0c8d2f1dc72d5f1b55a7afbf2878a31ca0a', 5, 'd2e5f93471e1f224244a689d7dc547899f23f74d6a689f44e7fb23695209db17', 8, 'default', '1796373203308-79', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000093', 'zone-0', 'gateway_resource_request', 'req-4d-49', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "ec384006491717827c8c9a3ca44276bf", "session_id": "sess-848", "agent_session_id": "as-3597"}', '2026-12-04 00:00:00.651+00', '2026-12-04 08:33:24.072543+00', '7c99224d7a31e3d0328e751793da3e9b39161f53be5156d49bf03e381c63ab06', '3fc0ceb71995db94ad64b77184b743dca7061af4de08fac9a7160024c5ac5d14', 'a9efec1bce39b88a059b51a25f153f12aa9e73396c73317ed4e70571c6d90894', 6, '540c5f830c0baee7af439a966ea90823e1a5eab10b4d27000bb98267d79eae35', 8, 'default', '1796373203308-92', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000101', 'zone-1', 'step_up_consumed', 'req-4d-52', 'consumed', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "5fb27897eec88e9b5be6971e2ef14811", "session_id": "sess-1544", "agent_session_id": "as-3682"}', '2026-12-04 00:00:00.708+00', '2026-12-04 08:33:24.072543+00', 'f09fc7a3b975240d6300cebdf382be1a15559149a516de27cd6aaf4661457b91', '7c99224d7a31e3d0328e751793da3e9b39161f53be5156d49bf03e381c63ab06', 'b844481c979a8fff18bfe44bbde90d718295e8396c4bf2b36441ddcc0bd8d204', 7, '3fd3ed9787787d5edf91a14fb12142d79f5cccc83d6e59995a2c62e15b18bbe3', 8, 'default', '1796373203308-100', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000138', 'zone-1', 'gateway_resource_request', 'req-4d-71', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "ba5990f18eb22dfbec0b0636b07cad7c", "session_id": "sess-921", "agent_session_id": "as-4491"}', '2026-12-04 00:00:00.966+00', '2026-12-04 08:33:24.072543+00', '55fb56d1d82ce0daf3509b039d69032510000abbcd55a84ae678c1d3b3399d6d', 'f09fc7a3b975240d6300cebdf382be1a15559149a516de27cd6aaf4661457b91', '9546a87c96da2c04f620e292f3edb2a5cb24d6d32be6e50721c0b84f44365ffb', 8, '844e2b423a5b2e6731de1aa22f76a557a3886f1935beec38bc2579723735b411', 8, 'default', '1796373203308-137', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000002', 'zone-2', 'gateway_resource_request', 'req-4d-1', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "3968c03d6fe240b641069d1bf4caf306", "session_id": "sess-1613", "agent_session_id": "as-3312"}', '2026-12-04 00:00:00.014+00', '2026-12-04 08:33:24.073098+00', '15f6d65baa693540557d8299d33b62cc9d464baf8c6f2fe8f93466229efe0166', NULL, '02d61bdcbf1bf8ff88f1ea00f741c033c9155b5cacf1eec92f9e7f1aa3f17854', 1, 'd08df9b6a763f6042f0ca5f88c26fba073859472b3832ee41a7de85788d0d8ac', 6, 'default', '1796373203308-1', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000011', 'zone-0', 'gateway_resource_request', 'req-4d-6', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "ab84330bcaf38ecfd0387d030559fb8b", "session_id": "sess-1639", "agent_session_id": "as-4877"}', '2026-12-04 00:00:00.079+00', '2026-12-04 08:33:24.073098+00', '18e8dde8145c944662a61c2528d7d7e45abcfbe758ae1578d76caa701a6f8c4b', '15f6d65baa693540557d8299d33b62cc9d464baf8c6f2fe8f93466229efe0166', '5c90ec6e5f8df41b2fbbd1d0b1420ff33c6d4790d1d08119e965c42487ab36c2', 2, '140aaa4fa00930d3380f11062925670ec0cb48849afa6b9e083d7023a51e12ca', 6, 'default', '1796373203308-10', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000024', 'zone-1', 'token_exchange', 'req-4d-13', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "6433f55a669b61c2ae45fc9467731cd8", "session_id": "sess-864", "agent_session_id": "as-4433"}', '2026-12-04 00:00:00.169+00', '2026-12-04 08:33:24.073098+00', '356c7c70d78f1f104cc3d45adeaaefe7a99a2b75db7c743d8b93fb005ecb0172', '18e8dde8145c944662a61c2528d7d7e45abcfbe758ae1578d76caa701a6f8c4b', 'ffeb34b007ae3991a60ffacddc0887d82e1b34daec098b97ffe89c4c23f721b5', 3, '1a420370fd1d6e136993abc06f48d00414e3a9c16cd9fa655ce538de050f5546', 6, 'default', '1796373203308-23', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000060', 'zone-2', 'token_exchange', 'req-4d-32', 'deny', 'ps-zone-2', 'psv-7', '3f2a9c', 'scope_mismatch', '[{"effect": "deny", "policy": "deny-unscoped"}]', '{"missing_scopes": ["mail:write"]}', '{"resource": "mail", "trace_id": "3da0b41651ae545f513473e8d1bab14a", "session_id": "sess-1470", "agent_session_id": "as-2893"}', '2026-12-04 00:00:00.42+00', '2026-12-04 08:33:24.073098+00', '6bbd7a015259795f45ff33ce4e1dd91dc2e4222739d409eee0e80f7f3ba70bdb', '356c7c70d78f1f104cc3d45adeaaefe7a99a2b75db7c743d8b93fb005ecb0172', '99414436073f68fa83d4dcc0b3b7e39870e180fd46e47ec4996771ba94e4b2de', 4, 'a989c4c66cb0923b4247270f16edc80c430e32952f4fa523efb93ab655141d5a', 6, 'default', '1796373203308-59', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000077', 'zone-1', 'gateway_resource_request', 'req-4d-40', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "31d0a8b3e7558ff1f5140c22fcd58b62", "session_id": "sess-713", "agent_session_id": "as-2117"}', '2026-12-04 00:00:00.54+00', '2026-12-04 08:33:24.073098+00', 'b79f5635af608bde2c4c88099b8580042bd88c5d1bc8d9e2a1a604b818f03cda', '6bbd7a015259795f45ff33ce4e1dd91dc2e4222739d409eee0e80f7f3ba70bdb', '6421139300dba135049a0a1aa2102e64e993eb39fdaf54d98cae3f80fefe465d', 5, '27575c38ffaa95c174d8dc6b1ee917368e32055f9645117ca031b838bf61dab8', 6, 'default', '1796373203308-76', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000099', 'zone-1', 'step_up_issued', 'req-4d-52', 'pending', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "5fb27897eec88e9b5be6971e2ef14811", "session_id": "sess-1544", "agent_session_id": "as-3682"}', '2026-12-04 00:00:00.696+00', '2026-12-04 08:33:24.073098+00', 'a1f453ee3f195e6f9aafe664d6754e223e4824c476711133c749d42b3148fcb7', 'b79f5635af608bde2c4c88099b8580042bd88c5d1bc8d9e2a1a604b818f03cda', '8ed7637389fad525fb627b7ed7282ef047a5782a733efcb0e0f2ccef345cf286', 6, '6c084cdf88d8fe8fc0c4d3a320c211983a732e5651c1cb61c318815c65a686cf', 6, 'default', '1796373203308-98', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000114', 'zone-0', 'token_exchange', 'req-4d-59', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "43bf19903c9da9a549ea2c2395bc9f1c", "session_id": "sess-1237", "agent_session_id": "as-1"}', '2026-12-04 00:00:00.802+00', '2026-12-04 08:33:24.073098+00', '85a5b8ae7b67f722cf8d072e35190ddc3696975bc492ab77925479158fa0f876', 'a1f453ee3f195e6f9aafe664d6754e223e4824c476711133c749d42b3148fcb7', '101df3d8b6de76bb93509714ab304a8656c957648cf4b6cebf84ad97b93ccb99', 7, 'd6e8e6ebdc60050f2ea5aaae896fefba79036c8ea369cc5e16394840c5312ad3', 6, 'default', '1796373203308-113', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000121', 'zone-1', 'gateway_resource_request', 'req-4d-62', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "e4a79e63f2f2fed6172b1caa8596c743", "session_id": "sess-191", "agent_session_id": "as-723"}', '2026-12-04 00:00:00.851+00', '2026-12-04 08:33:24.073098+00', '246735ae774d93f412c509e3416ca7c6f8d09ccc22a28abbf7174677b7e6241e', '85a5b8ae7b67f722cf8d072e35190ddc3696975bc492ab77925479158fa0f876', '56106a06baeb7db9a38a91ffad1b2ef3147e32a1b62264b50f5d636da83ea712', 8, '199ba8aaf228b852a00d27b32371e2436d2e21c831ee7547778cefec0466a827', 6, 'default', '1796373203308-120', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000132', 'zone-1', 'token_exchange', 'req-4d-69', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "3ccad0361433affa698f9cb185272bf8", "session_id": "sess-162", "agent_session_id": "as-1812"}', '2026-12-04 00:00:00.925+00', '2026-12-04 08:33:24.073098+00', '38d0e9559797a8771ad813a3308730b10192dad08587978ebfc49be4bbc524c6', '246735ae774d93f412c509e3416ca7c6f8d09ccc22a28abbf7174677b7e6241e', '757acc163c09bc256f9d94b4079a3fa0394b71478388fe1a3d19cfe0c98f0a9a', 9, 'ad1b711c0026e04b82bb82e7652b3c26576fb51bffc8c98de2d3fd683d8be902', 6, 'default', '1796373203308-131', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000147', 'zone-0', 'token_exchange', 'req-4d-76', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "1cb216efca0c3c1989cfb5fb0202c80b", "session_id": "sess-220", "agent_session_id": "as-1217"}', '2026-12-04 00:00:01.032+00', '2026-12-04 08:33:24.073098+00', 'bc4e6ddd3633f66dceaad1b9f2b2618b52004210225319a40e0096bb748264d7', '38d0e9559797a8771ad813a3308730b10192dad08587978ebfc49be4bbc524c6', 'b9d80e2f32cd84589876ccec87b970e849e094e8b8ad5ff94c5f828177998886', 10, '805a3fedbf5616eea9bc4c26de548da733084a84cf23e2401aeed4c2b559ca1f', 6, 'default', '1796373203308-146', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000150', 'zone-0', 'gateway_resource_request', 'req-4d-77', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "fe6258de55fa24627aaa39178b8a588b", "session_id": "sess-1466", "agent_session_id": "as-2051"}', '2026-12-04 00:00:01.054+00', '2026-12-04 08:33:24.073098+00', '93bdc3e344cd0668ee2a190c82d5636264a8887e540fa14b545f9cca0576b5ac', 'bc4e6ddd3633f66dceaad1b9f2b2618b52004210225319a40e0096bb748264d7', '25eff3409ca3a7f667aded9ac1180d4054e8489ffdb917424b9c56cb86ab0dbe', 11, '758502fcf940ab7a6e0267c57671d439d9d8ce10b6b007cff23ecbf4cf9ba33c', 6, 'default', '1796373203308-149', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000035', 'zone-0', 'gateway_resource_request', 'req-4d-18', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "ff71ff14b782635d1c18aba7bba0ff9f", "session_id": "sess-1919", "agent_session_id": "as-3096"}', '2026-12-04 00:00:00.245+00', '2026-12-04 08:33:24.071839+00', 'ba5b9f977c28202bb92a15783976231bca17cbb362b3982409e1f1a92ca65e82', NULL, 'aa42aa0294343b5c48848f4639614925ed6d02ac3d8bc13be2d408377d9831b9', 1, '7d34d2e8f8b0a7fd67cb6ef93a28af37876bbb89a2d8fca1f60333636a381b58', 4, 'default', '1796373203308-34', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000040', 'zone-0', 'step_up_issued', 'req-4d-22', 'pending', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "c8fa3d316bbbc98b4a51baf03c9f4e32", "session_id": "sess-1547", "agent_session_id": "as-1586"}', '2026-12-04 00:00:00.281+00', '2026-12-04 08:33:24.071839+00', '1ccf1854266e7106fd4da99d1f947a957b1889385b93306d776c3875aaace365', 'ba5b9f977c28202bb92a15783976231bca17cbb362b3982409e1f1a92ca65e82', 'a395edd0fffc73e04660ae048e2a3829c296175c0b6ea18b0031a8b73d86eca0', 2, '44fe6700ad1700a37486c6fc642b92cdb240367db3fce6ea76cb94196732ae2f', 4, 'default', '1796373203308-39', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000053', 'zone-2', 'token_exchange', 'req-4d-28', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "eb333663922bee655f97abb053a76cc8", "session_id": "sess-488", "agent_session_id": "as-2639"}', '2026-12-04 00:00:00.373+00', '2026-12-04 08:33:24.071839+00', '75a3f70985da832b252d663e481f3f2be909182f826758b278c99b4dcc6a538b', '1ccf1854266e7106fd4da99d1f947a957b1889385b93306d776c3875aaace365', 'ce9ddfcd4c8658516568b61198b869c9b4e5434f90245bfafc0a419447d6a500', 3, '690a2fc89129592321c6fd35c51279feff39d880936ca7262c68ebe1e8f5108c', 4, 'default', '1796373203308-52', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000079', 'zone-2', 'gateway_resource_request', 'req-4d-41', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "f9be5abda25d8f8e2a71857f32d241aa", "session_id": "sess-99", "agent_session_id": "as-1337"}', '2026-12-04 00:00:00.556+00', '2026-12-04 08:33:24.071839+00', 'f77db63113aaca75d22ae3a7cc28b95a84fdd92f8a323f7fce81eb31206ea6e3', '75a3f70985da832b252d663e481f3f2be909182f826758b278c99b4dcc6a538b', 'e7dc094baf2d20dbf7e659452ac2ea8e7a704d0e2dfac3520e847178333cb122', 4, '9ca24cd727d90b107a0b1a0ddd3da4a6ea7eecae97529073bb90e53fb5ed56a9', 4, 'default', '1796373203308-78', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000084', 'zone-2', 'gateway_resource_request', 'req-4d-44', 'deny', 'ps-zone-2', 'psv-7', '3f2a9c', 'policy_denied', '[{"effect": "deny", "policy": "restrict-payments"}]', '{"reason": "resource outside delegated scope", "resource": "payments"}', '{"resource": "payments", "trace_id": "353afdf5acaa58ca0c4ef3ea5ddd0783", "session_id": "sess-1603", "agent_session_id": "as-2741"}', '2026-12-04 00:00:00.591+00', '2026-12-04 08:33:24.071839+00', '4c564744b5fbcb51e35c996011ffb4659a2b24b3bafd39f1fba30af41dce91eb', 'f77db63113aaca75d22ae3a7cc28b95a84fdd92f8a323f7fce81eb31206ea6e3', '5f0e5225c6bc203f25838e0d6326e1081ffc3b9087f5e24ed5b0c3028a552dcf', 5, '013a7871e7ba5c80d225068c1d98b14bf98f3373092421d3f84f98c4f4c879af', 4, 'default', '1796373203308-83', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000097', 'zone-0', 'step_up_decided', 'req-4d-51', 'approved', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "04858f2d105c02e7b53aabf4ec21c950", "session_id": "sess-1098", "agent_session_id": "as-2212"}', '2026-12-04 00:00:00.679+00', '2026-12-04 08:33:24.071839+00', 'f2fbf1cceb0655101cf630cdc0e04312230ab1e9c639c63cb152e835d36db37e', '4c564744b5fbcb51e35c996011ffb4659a2b24b3bafd39f1fba30af41dce91eb', '48a8a857b1680d3b2e21c9d860e089af3ef5dd25c1835e7dbadc4254d99f25f9', 6, '33f4026a2a809651ce48e7c3a896bfbd150cab6de7fe399d84857aef5e7e561e', 4, 'default', '1796373203308-96', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000105', 'zone-1', 'gateway_resource_request', 'req-4d-54', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "7c899637e84ac78ea2606207103c365d", "session_id": "sess-1194", "agent_session_id": "as-2999"}', '2026-12-04 00:00:00.739+00', '2026-12-04 08:33:24.071839+00', '5772cf3648e399e14bcfd627b8746a632593678a81cd4590d91d21949902df3b', 'f2fbf1cceb0655101cf630cdc0e04312230ab1e9c639c63cb152e835d36db37e', '46bcc44622cd4fa047b2e3866ab930ef0abe92f8e4058dc393df01d5d7554bd3', 7, '1cc4223a2b9ae50ccd7ce1243b16d15409e914a7682cd4cae0f047127ae25ecc', 4, 'default', '1796373203308-104', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000149', 'zone-0', 'token_exchange', 'req-4d-77', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "fe6258de55fa24627aaa39178b8a588b", "session_id": "sess-1466", "agent_session_id": "as-2051"}', '2026-12-04 00:00:01.046+00', '2026-12-04 08:33:24.071839+00', 'ad7ca762d0022d0230793f848769b0cdce2695a9ae59386450c98cf14a9e4093', '5772cf3648e399e14bcfd627b8746a632593678a81cd4590d91d21949902df3b', 'f0473e023659d064f23209bf34b4c8d7fd37c7c48afddb28d82ecf439fba1e5f', 8, '50884647ce520a0a5213e13f402ed4005c5e7ad21597bcf3acf91a852c86af02', 4, 'default', '1796373203308-148', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000006', 'zone-0', 'gateway_resource_request', 'req-4d-3', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "b1d84587ff59bbf48eceef321be824d0", "session_id": "sess-481", "agent_session_id": "as-4554"}', '2026-12-04 00:00:00.046+00', '2026-12-04 08:33:24.073035+00', '1f60977d7b3f3a165fc39c27bafd3887e856b376583c4ad1adbb98d14b6b2d6c', NULL, 'ab31901df138931910f875c02fb2b7d4a3ec8bc704ed9d404b343eddb3cd91fd', 1, '7c7d594fd6503706162b61e8ff10066894b684971b9d452d990bebed7d79f958', 2, 'default', '1796373203308-5', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000015', 'zone-2', 'token_exchange', 'req-4d-9', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "19accf6b8656d92bf2908edcc158a168", "session_id": "sess-297", "agent_session_id": "as-2838"}', '2026-12-04 00:00:00.108+00', '2026-12-04 08:33:24.073035+00', '16ba6c18c4f4b02b72023168d88fbbd72b5b881b3f26a1e2b7a10a2df19a8f74', '1f60977d7b3f3a165fc39c27bafd3887e856b376583c4ad1adbb98d14b6b2d6c', 'aec384b00e072894e94d362bcecbe4996d1227e8c3a314cad72a06656e6fe249', 2, '1c27afbe31d73d89c8d2ad757f7a1c40021cbc3688643ab95bb47a11505d0ca5', 2, 'default', '1796373203308-14', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000020', 'zone-2', 'step_up_decided', 'req-4d-11', 'approved', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "a664d9f14b65feade6da54637db2b4dd", "session_id": "sess-471", "agent_session_id": "as-2670"}', '2026-12-04 00:00:00.143+00', '2026-12-04 08:33:24.073035+00', '0970dd28b5855833310ec502f8a57bdc4272f07716d58e2965a937bd3e97096a', '16ba6c18c4f4b02b72023168d88fbbd72b5b881b3f26a1e2b7a10a2df19a8f74', 'dc456e9b003a6b447ea8504529b07ea57b4250fdce9d895793a539d17497a894', 3, 'bdd024975878ae610b72a0135d8d5af5f2da2762400f0b6358e57c046f03fb0e', 2, 'default', '1796373203308-19', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000059', 'zone-1', 'gateway_resource_request', 'req-4d-31', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "19e75bae2f114d58a4895a0d03b85511", "session_id": "sess-1618", "agent_session_id": "as-4450"}', '2026-12-04 00:00:00.415+00', '2026-12-04 08:33:24.073035+00', 'a8552c749731c26ecc7bf1dfcc75b7e9adf48ffa32323e966e48c3e4f0c7e690', '0970dd28b5855833310ec502f8a57bdc4272f07716d58e2965a937bd3e97096a', '868e96b99208df5e35dacc54d8799fc423326f6930a8ba02ffcba83bf1cbceb9', 4, 'ee4fa2a1a20d7b734978dd78748a28a6e748299df6609a9f0d6d1ee53af51ad7', 2, 'default', '1796373203308-58', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000064', 'zone-2', 'gateway_resource_request', 'req-4d-34', 'deny', 'ps-zone-2', 'psv-7', '3f2a9c', 'policy_denied', '[{"effect": "deny", "policy": "restrict-payments"}]', '{"reason": "resource outside delegated scope", "resource": "payments"}', '{"resource": "payments", "trace_id": "14ef07cd2efc92ad7201997bf0ddf768", "session_id": "sess-597", "agent_session_id": "as-660"}', '2026-12-04 00:00:00.452+00', '2026-12-04 08:33:24.073035+00', '44cb54ac6f4d2c1fe2957a0a213b33201e3f5e509392748dbdb3cd95d25d6813', 'a8552c749731c26ecc7bf1dfcc75b7e9adf48ffa32323e966e48c3e4f0c7e690', '7cb59cc2f169ce016fc89071f674f54c9a16272c4cedf673b097005990116321', 5, '34e32ec210918ee5dab26a0504c6564df94644cb81f71f982bb5e0786fceb9a6', 2, 'default', '1796373203308-63', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000073', 'zone-1', 'step_up_consumed', 'req-4d-38', 'consumed', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "812b78b5f7f32d220fbca6d245b3c366", "session_id": "sess-1298", "agent_session_id": "as-1908"}', '2026-12-04 00:00:00.512+00', '2026-12-04 08:33:24.073035+00', '8cbe9bc0b471ee098beee7da093963dc93702c9e108de8cc683c98196d8ac084', '44cb54ac6f4d2c1fe2957a0a213b33201e3f5e509392748dbdb3cd95d25d6813', 'ff388c8edc846c64b29a69fbb7647e0fa2c4301c804e2200116e6033a0d2f92c', 6, '5fa612ea28cbd0d927ffc60fe259a9a9e42267e9a893e52f8a2b1c9d16e9be05', 2, 'default', '1796373203308-72', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000110', 'zone-1', 'token_exchange', 'req-4d-57', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "86d96f0c96f0e64dd17b6a87c188726b", "session_id": "sess-339", "agent_session_id": "as-608"}', '2026-12-04 00:00:00.77+00', '2026-12-04 08:33:24.073035+00', '44d067d3c6039fc50984c385d0cf2cbbdef54af1eaabcb772aecc5b931463ecb', '8cbe9bc0b471ee098beee7da093963dc93702c9e108de8cc683c98196d8ac084', '61d4a7dba35f084b93b10b0de8cec7d5ab44743b5034b44eaa98634f39f03699', 7, '93546466ac51d033b873ac70d2b4a57c61f5fb5b6de2646fca7ab08b295fa2e9', 2, 'default', '1796373203308-109', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000125', 'zone-0', 'token_exchange', 'req-4d-65', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "1cb618860ca5c5772ce1da72ed3ab7e6", "session_id": "sess-1570", "agent_session_id": "as-1682"}', '2026-12-04 00:00:00.877+00', '2026-12-04 08:33:24.073035+00', 'd9ca2bcee66e948e460e9c621fbe4da1062ba3a585925006c71bb8fac58863ba', '44d067d3c6039fc50984c385d0cf2cbbdef54af1eaabcb772aecc5b931463ecb', '4eae3d730f22c9feaa9e9ec79e2019761b3c8792eafd3a76600ee23a50f36d9d', 8, 'ba7c84de6cc44246c0ed7a80798cbeff4065044da033ac7d8b931ace4c25759e', 2, 'default', '1796373203308-124', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000136', 'zone-2', 'step_up_consumed', 'req-4d-70', 'consumed', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "90d6ef80d61381757067886f93ee29a3", "session_id": "sess-699", "agent_session_id": "as-3560"}', '2026-12-04 00:00:00.954+00', '2026-12-04 08:33:24.073035+00', '89c4cab745be61c6e07c07c77ce21695bf40231d48c770ebb6dfd9d7fc8eff72', 'd9ca2bcee66e948e460e9c621fbe4da1062ba3a585925006c71bb8fac58863ba', '455ce1a3229e30cd0bb33773873d1468ac62bf81f8bb4307752fb568c2be4c42', 9, '28c684ffa24ede5f59188280565cd4d89b390057ba0aaefc3bab1738ea911583', 2, 'default', '1796373203308-135', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000143', 'zone-2', 'token_exchange', 'req-4d-74', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "928915f0ca0125cf27d19f11e2391a66", "session_id": "sess-580", "agent_session_id": "as-1253"}', '2026-12-04 00:00:01.001+00', '2026-12-04 08:33:24.073035+00', '85f30ac17e834d20b7f4e90c150c061dfcbce7a1f8c23de4fe686859857c0861', '89c4cab745be61c6e07c07c77ce21695bf40231d48c770ebb6dfd9d7fc8eff72', '0865ec0af8307b285d282fac746309529d254fed11c4b86c9890540f84a5aa72', 10, '09e86da87c9502109c6c1a53f6435c84bf2eddd57aee0fc4f2e59eeb7d99e849', 2, 'default', '1796373203308-142', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000154', 'zone-0', 'gateway_resource_request', 'req-4d-79', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "57a1cc0874cf4d2ea9952687e9ac2e0f", "session_id": "sess-1633", "agent_session_id": "as-4901"}', '2026-12-04 00:00:01.082+00', '2026-12-04 08:33:24.073035+00', '42da21c3281daaf2001be3726513240cbeb64a798eb7888f3b17d0132165ff3f', '85f30ac17e834d20b7f4e90c150c061dfcbce7a1f8c23de4fe686859857c0861', '7fcc42b3faaec560c2ad90689b39d6c02bb8a3a8be17c68c75be22be82038efe', 11, '311295ce253da80ab6c84b6c58dcdc7b76de469181a89db5d33f0ca7be720aa1', 2, 'default', '1796373203308-153', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000004', 'zone-0', 'gateway_resource_request', 'req-4d-2', 'deny', 'ps-zone-0', 'psv-7', '3f2a9c', 'policy_denied', '[{"effect": "deny", "policy": "restrict-payments"}]', '{"reason": "resource outside delegated scope", "resource": "payments"}', '{"resource": "payments", "trace_id": "9afec6647d4fb76dd2bd7189143f7a52", "session_id": "sess-91", "agent_session_id": "as-401"}', '2026-12-04 00:00:00.032+00', '2026-12-04 08:33:24.077504+00', '86750a7a79c8fb0940dfe32ad23ada2c483808d37cd8abd5f3e04bd499db7229', NULL, 'ca04f88eef45e1b4aca934ded517023cdd37fbd906241e1e8e1119af31b0fb36', 1, '8383c20df26cad84d3540c890e57ccef5015258b5ab8b70db40c5cd3a7e426b0', 12, 'default', '1796373203308-3', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000017', 'zone-1', 'token_exchange', 'req-4d-10', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "7841acc68c5c7d9158633f3f2130ff90", "session_id": "sess-1837", "agent_session_id": "as-2242"}', '2026-12-04 00:00:00.122+00', '2026-12-04 08:33:24.077504+00', '027e06788aa411cbba479df8e9fea50b7cd321100cbfbdf2b6be4877efe9a903', '86750a7a79c8fb0940dfe32ad23ada2c483808d37cd8abd5f3e04bd499db7229', '0323c37e4c08d40a56e85ddde10734f4ff7801d3fe37194f6f3e76b8cc4ede37', 2, '3c1e7f038e18ab30138702fffcc52e294a7fd6773168f666ba786cede7ee44c7', 12, 'default', '1796373203308-16', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000022', 'zone-2', 'token_exchange', 'req-4d-12', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "527a9a4169dccaa2bf55061261b5cb05", "session_id": "sess-258", "agent_session_id": "as-3653"}', '2026-12-04 00:00:00.155+00', '2026-12-04 08:33:24.077504+00', '447234c407bb7a5782d28e7defc1e9567d98c22c3279768e3dd6b08e091213c3', '027e06788aa411cbba479df8e9fea50b7cd321100cbfbdf2b6be4877efe9a903', 'ee48551c1e1fa123576af1bb744162faf84d0fd1a03f7a4113b8f581941122b4', 3, 'd40da1e497ef47e48bca6cfd54b395c06a4a62fcce0c217fea52d13918a9a0e3', 12, 'default', '1796373203308-21', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000048', 'zone-2', 'gateway_resource_request', 'req-4d-25', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "229015e5d10d7508c0bc49ea9d6e3b80", "session_id": "sess-1665", "agent_session_id": "as-2013"}', '2026-12-04 00:00:00.337+00', '2026-12-04 08:33:24.077504+00', '1bf380920d0704c7350e35c84b55d3354acb4cf691bec4d65b403e7dbdc904e0', '447234c407bb7a5782d28e7defc1e9567d98c22c3279768e3dd6b08e091213c3', 'ff278d41fe281d6fda616e615fcbedf6ed46cd802093b5869856295e4d1cffbe', 4, 'b89d10ff14d79c2f2e8943127cbd50f2fe13fc746c3187c4dede106666b371c5', 12, 'default', '1796373203308-47', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000066', 'zone-0', 'gateway_resource_request', 'req-4d-35', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "29e8d6fc4cd917093ea253da3de4c6d1", "session_id": "sess-258", "agent_session_id": "as-3561"}', '2026-12-04 00:00:00.463+00', '2026-12-04 08:33:24.077504+00', 'f7b786da0f549ac054a5115f8ea2cd31eb9690f012dc80d76de5e34d4623843a', '1bf380920d0704c7350e35c84b55d3354acb4cf691bec4d65b403e7dbdc904e0', 'f240d00cb03cc82241e67b94ac336faad09c4a3eafa0942d7a3c481a21b27549', 5, '58a28cc201ecfe6aa48bae64bd51151d33ac4ff2c4d61706e6fe64e05f681a26', 12, 'default', '1796373203308-65', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000071', 'zone-1', 'step_up_issued', 'req-4d-38', 'pending', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "812b78b5f7f32d220fbca6d245b3c366", "session_id": "sess-1298", "agent_session_id": "as-1908"}', '2026-12-04 00:00:00.499+00', '2026-12-04 08:33:24.077504+00', '18921b96b7993dd9da3b786a9bdd185bf7923fdd2ebbf100238971e24ac4238f', 'f7b786da0f549ac054a5115f8ea2cd31eb9690f012dc80d76de5e34d4623843a', '4259064415a5e2b4a2e3813be0b1d0a65795852bfb96c067c3bfef86a5978e1c', 6, 'cac086360e117838c3d35de632c481a6e543e4eb68055e4996468901e5048d3e', 12, 'default', '1796373203308-70', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000112', 'zone-2', 'token_exchange', 'req-4d-58', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "eba7586cd6b68917b9eb04f0b418019f", "session_id": "sess-552", "agent_session_id": "as-4719"}', '2026-12-04 00:00:00.786+00', '2026-12-04 08:33:24.077504+00', '743b4c81beae559e9013840177fedffc4066f754b471cd8fd067e3c175d78b43', '18921b96b7993dd9da3b786a9bdd185bf7923fdd2ebbf100238971e24ac4238f', '56e6e4a7262cc459d68719a64ff48dab50c51a4c10832539ab25bb9ec2163c6d', 7, '990bf7c354d6d717bc617767217293d3b802c9f4d2b49f7d5fe452d52ac1ba01', 12, 'default', '1796373203308-111', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000127', 'zone-2', 'token_exchange', 'req-4d-66', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "23a0ab22cf1f17ba991892024a661428", "session_id": "sess-1610", "agent_session_id": "as-4656"}', '2026-12-04 00:00:00.89+00', '2026-12-04 08:33:24.077504+00', '6669dd972c25067701ad4cb75aa86ad0bd89d3b63e3bb51e17d6cbdaf7406085', '743b4c81beae559e9013840177fedffc4066f754b471cd8fd067e3c175d78b43', 'fcceb285961bf075a0b5d6e5a9af82e801cc7dec76613423c91c08c8743ec6b7', 8, '3ce952bca97bd05a47d87e71a0e8a9e17de6bbde9477b189a3e68d25f86507ba', 12, 'default', '1796373203308-126', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000134', 'zone-2', 'step_up_issued', 'req-4d-70', 'pending', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "90d6ef80d61381757067886f93ee29a3", "session_id": "sess-699", "agent_session_id": "as-3560"}', '2026-12-04 00:00:00.938+00', '2026-12-04 08:33:24.077504+00', '95b62d0eea7f7e5f8d19e951727ea1e170fcb621af1f1103be87fe10d579d53c', '6669dd972c25067701ad4cb75aa86ad0bd89d3b63e3bb51e17d6cbdaf7406085', '3c93b64ac1ee6f44e20b61ea87fa4efe606e02be56c26d6ee432fc5036afef6e', 9, '663f4c5cc423d7316190f85a9f14d9abfcf5642073885f74d7bbc9fa92fd5533', 12, 'default', '1796373203308-133', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000141', 'zone-1', 'token_exchange', 'req-4d-73', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "44d75f54bfcf748879148281e657694e", "session_id": "sess-1977", "agent_session_id": "as-2042"}', '2026-12-04 00:00:00.989+00', '2026-12-04 08:33:24.077504+00', 'ce6bb15ed565fc76c51c40b5c5deeb96e39892301d929e9188081c492ef74a2c', '95b62d0eea7f7e5f8d19e951727ea1e170fcb621af1f1103be87fe10d579d53c', '2df5bac38c7bc50b58d13e776b8ad79c0af074f0a170ab65377f364686d35295', 10, 'ac5f972d9030750887ac48c2191b3cd5c88f03746f690469a60e7a3c2da4ec6b', 12, 'default', '1796373203308-140', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000156', 'zone-1', 'gateway_resource_request', 'req-4d-80', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "1735034ac871d6f14a2028b4e3c05d6a", "session_id": "sess-1247", "agent_session_id": "as-458"}', '2026-12-04 00:00:01.093+00', '2026-12-04 08:33:24.077504+00', '6c64b4ac51af67f1f5d862dd3d10bb3b77a232975f885923ed9edacaf7a5a76f', 'ce6bb15ed565fc76c51c40b5c5deeb96e39892301d929e9188081c492ef74a2c', '0ff187cac58741ae7e5fd0390811d5444b58e7bbf00da938eebaca3747e0df48', 11, '61e452f2bce75634382390211f8ba7e73ca98a34566de45c47590bb85ffa79a8', 12, 'default', '1796373203308-155', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000014', 'zone-0', 'gateway_resource_request', 'req-4d-8', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "77cf5551adc7f557db1c9def27bbd297", "session_id": "sess-873", "agent_session_id": "as-3752"}', '2026-12-04 00:00:00.101+00', '2026-12-04 08:33:24.085958+00', 'd7b3067160e6989c0c56392e8407e7f8c8aed62d73581a9044d8f7acc15f05d9', '68b2fe136825a0ebafadd1ad67459fdcf090baaafe3861ca0fce85b0706f368c', '40eee888a5c9c03de6f32842a057ed1dbd625391f6ac498633f8e5b5fa15f854', 2, 'e003a7cda398db794bb33244acf0c1319e6705af04c65468e7ff623bb009737d', 5, 'default', '1796373203308-13', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000021', 'zone-2', 'step_up_consumed', 'req-4d-11', 'consumed', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "a664d9f14b65feade6da54637db2b4dd", "session_id": "sess-471", "agent_session_id": "as-2670"}', '2026-12-04 00:00:00.151+00', '2026-12-04 08:33:24.085958+00', '5ee9ac343cedebd6f99b075d60497f25cc0dc79ea4104203260d354797d524da', 'd7b3067160e6989c0c56392e8407e7f8c8aed62d73581a9044d8f7acc15f05d9', '1b3c1c4d809f2b29b320dcde9d306898ba3ec805d718adfeb479ddf79ea95c53', 3, '3c3ebf1e3bda99a463b04c5011880f86b2a245e59535d388900181159b8eb596', 5, 'default', '1796373203308-20', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000058', 'zone-1', 'token_exchange', 'req-4d-31', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "19e75bae2f114d58a4895a0d03b85511", "session_id": "sess-1618", "agent_session_id": "as-4450"}', '2026-12-04 00:00:00.41+00', '2026-12-04 08:33:24.085958+00', '3b1abbb9d423681f6a024538dd2cf0e3b6a6bf77a923e78dbc621240264ea8a7', '5ee9ac343cedebd6f99b075d60497f25cc0dc79ea4104203260d354797d524da', '7a4286ba14d504d04d0fc98f69fe8c86982e61e6c954ec10a51d6f128a0f46b9', 4, 'f2cc9b1a138ab884fcf7921bcc2a0720c56871a2c02dfe467a7627a5cb28b4ca', 5, 'default', '1796373203308-57', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000065', 'zone-0', 'token_exchange', 'req-4d-35', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "29e8d6fc4cd917093ea253da3de4c6d1", "session_id": "sess-258", "agent_session_id": "as-3561"}', '2026-12-04 00:00:00.457+00', '2026-12-04 08:33:24.085958+00', '9ee939e2dd8634e6ee3e2c5a3e0f07f526073196c00526c08da496bdae785ecb', '3b1abbb9d423681f6a024538dd2cf0e3b6a6bf77a923e78dbc621240264ea8a7', '67057a871b4d23b390bcacefcb30de738bdad45d5d8dcb1c125abd6b375f5b89', 5, '81e1b3403f0fefcf75f30522c3865fa2a62e52d0ff20889682b4b1c1d6b4921f', 5, 'default', '1796373203308-64', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000072', 'zone-1', 'step_up_decided', 'req-4d-38', 'approved', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "812b78b5f7f32d220fbca6d245b3c366", "session_id": "sess-1298", "agent_session_id": "as-1908"}', '2026-12-04 00:00:00.508+00', '2026-12-04 08:33:24.085958+00', '1bd7809afa1660f4c5e948cf1857101feff005b2bd1f76f74db9ccbbd3a4f183', '9ee939e2dd8634e6ee3e2c5a3e0f07f526073196c00526c08da496bdae785ecb', 'fef01edd722728b71149084083bc8f237fcf656c4cda623e16883da1b2d7a0df', 6, 'd5ddf1fc684f77a79d93ed42af9c067ee723bcf287d5d05500d876a152a57b67', 5, 'default', '1796373203308-71', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000111', 'zone-1', 'gateway_resource_request', 'req-4d-57', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "86d96f0c96f0e64dd17b6a87c188726b", "session_id": "sess-339", "agent_session_id": "as-608"}', '2026-12-04 00:00:00.78+00', '2026-12-04 08:33:24.085958+00', '9b0774664ebe02f7f2af98267cabb92837e913bbf470a511aa45774135afe173', '1bd7809afa1660f4c5e948cf1857101feff005b2bd1f76f74db9ccbbd3a4f183', '42c0abc4cab9d3eda2beb213b87eb01c60f9f5d6d11ffffb02e2e4b45c474926', 7, '0239bc7c23ca70566fb8de26ca152a71e64b4be1c04167914cfdcfffdb125694', 5, 'default', '1796373203308-110', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000124', 'zone-0', 'token_exchange', 'req-4d-64', 'deny', 'ps-zone-0', 'psv-7', '3f2a9c', 'scope_mismatch', '[{"effect": "deny", "policy": "deny-unscoped"}]', '{"missing_scopes": ["calendar:write"]}', '{"resource": "calendar", "trace_id": "3ffdb9c9bf872bcd2ed9fba16555f0d1", "session_id": "sess-1867", "agent_session_id": "as-4768"}', '2026-12-04 00:00:00.869+00', '2026-12-04 08:33:24.085958+00', 'd191402537a021c8293fed67c34cc4993ffced55ae0f04bd61dc426c3d39adb0', '9b0774664ebe02f7f2af98267cabb92837e913bbf470a511aa45774135afe173', '9d687831d38e9d3ad0fd9c692846ca0bc74564889f9bdbe3e87623e38a3198e9', 8, '91f99d25a2b6d973fe06a925ff4ea75c3104156ff58a62970c2c0a21df02bb87', 5, 'default', '1796373203308-123', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000137', 'zone-1', 'token_exchange', 'req-4d-71', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "ba5990f18eb22dfbec0b0636b07cad7c", "session_id": "sess-921", "agent_session_id": "as-4491"}', '2026-12-04 00:00:00.962+00', '2026-12-04 08:33:24.085958+00', '61ae238746579bcd24663edf74836cff72e818644959a767de1048ee7b08d2c7', 'd191402537a021c8293fed67c34cc4993ffced55ae0f04bd61dc426c3d39adb0', 'f8a9412728ba3e7ef8812d314dfd897f424af8e497c4fa14c8934b7e73ae8cef', 9, 'a2b1cb33436fc06483527618a07ef0ee120aa87a6ac32161dc463384bbb81f45', 5, 'default', '1796373203308-136', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000142', 'zone-1', 'gateway_resource_request', 'req-4d-73', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "44d75f54bfcf748879148281e657694e", "session_id": "sess-1977", "agent_session_id": "as-2042"}', '2026-12-04 00:00:00.994+00', '2026-12-04 08:33:24.085958+00', '0f518936c40638d51109ad7267cf2a62374070fbcfdff451cde10fb0a19de7ee', '61ae238746579bcd24663edf74836cff72e818644959a767de1048ee7b08d2c7', '92956dcd1d673e080647da28813c9dcc79a8d1d295bccc48f7c87b3a50bccbb0', 10, '4dc6c6146ac0ececca23c6577c5ad99285ef83544060990a0c63574d073eba31', 5, 'default', '1796373203308-141', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000155', 'zone-1', 'token_exchange', 'req-4d-80', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "1735034ac871d6f14a2028b4e3c05d6a", "session_id": "sess-1247", "agent_session_id": "as-458"}', '2026-12-04 00:00:01.086+00', '2026-12-04 08:33:24.085958+00', '1969a4238fec75d5cc504d642eb05333cd86cc8ed7eea18cbb346f60c9011989', '0f518936c40638d51109ad7267cf2a62374070fbcfdff451cde10fb0a19de7ee', '500c8e2149cf98f04c3786e9dddec1d2d5027caf2e233fe9777a94af34dc1ff2', 11, '54915078e0caad7cf190aca16fac3af4b68cdeccd90315a8b5d379381be789d8', 5, 'default', '1796373203308-154', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000003', 'zone-0', 'token_exchange', 'req-4d-2', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "9afec6647d4fb76dd2bd7189143f7a52", "session_id": "sess-91", "agent_session_id": "as-401"}', '2026-12-04 00:00:00.023+00', '2026-12-04 08:33:24.090888+00', '2a79fc303d46c4675a73be5a26a3eb8e85dc416b784b9da6484a9055495c372f', NULL, '400726f0dd4eb5703c0766ff19c38411bbe85b4fdc2ae11afdfc9bd5f9070627', 1, '1a19e7935b94e50eafe3163c5a207447e618b51b990c2dc4c52ba433ec297395', 9, 'default', '1796373203308-2', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000010', 'zone-0', 'token_exchange', 'req-4d-6', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "ab84330bcaf38ecfd0387d030559fb8b", "session_id": "sess-1639", "agent_session_id": "as-4877"}', '2026-12-04 00:00:00.074+00', '2026-12-04 08:33:24.090888+00', 'f6be7e8c028d901f18b1f377a367a3c2f7a8ad3c2113455719056bb29a95bb7e', '2a79fc303d46c4675a73be5a26a3eb8e85dc416b784b9da6484a9055495c372f', '0e635c3c45095fd81759844a07eb47270867bf85174ea950f7f3b076c798d1b7', 2, '29ad21802cc3ad095b2f8902b534513e14c61930165237d56ce95b1f5c100c6c', 9, 'default', '1796373203308-9', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000025', 'zone-1', 'gateway_resource_request', 'req-4d-13', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "6433f55a669b61c2ae45fc9467731cd8", "session_id": "sess-864", "agent_session_id": "as-4433"}', '2026-12-04 00:00:00.178+00', '2026-12-04 08:33:24.090888+00', 'bb06275dd9df8660cf3b57ad377f92cf3cffaabe98511fc926ac52c8b2c874cf', 'f6be7e8c028d901f18b1f377a367a3c2f7a8ad3c2113455719056bb29a95bb7e', 'fcb214dd82373976d12493ec09199485cc25405183faa7ab2b6415f66c091c94', 3, 'b55c7437ee35ccf202418676589fadc91a75ca1367a15242ae4055f9de0e0925', 9, 'default', '1796373203308-24', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000061', 'zone-0', 'token_exchange', 'req-4d-33', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "69f49002fac20a55dff563f8e3f2c7c9", "session_id": "sess-1355", "agent_session_id": "as-3768"}', '2026-12-04 00:00:00.428+00', '2026-12-04 08:33:24.090888+00', '9b5668104206c860b87fc5fe34722ab7e7ab4a42013e81c451dd0c01de9227f9', 'bb06275dd9df8660cf3b57ad377f92cf3cffaabe98511fc926ac52c8b2c874cf', '0c4a0c4b9d8aa25b8c0e547384e2c5dc9eba3ac6a8c368d0dc12f5ee1beeac8d', 4, '124d2cca40fb7ab9a36b9034b8d4a3a6dc223827e7862585b431a5a3bd825351', 9, 'default', '1796373203308-60', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000076', 'zone-1', 'token_exchange', 'req-4d-40', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "31d0a8b3e7558ff1f5140c22fcd58b62", "session_id": "sess-713", "agent_session_id": "as-2117"}', '2026-12-04 00:00:00.534+00', '2026-12-04 08:33:24.090888+00', 'c09836aeec8f8bd5c21949d9cadf267ce8343d13a51e1c7bdf0c42d378dfaa2f', '9b5668104206c860b87fc5fe34722ab7e7ab4a42013e81c451dd0c01de9227f9', '0748fdd349f1d541b0035fff2b1bd8957956459aeced8ee35f59fd7e221459b0', 5, '68ade4b326c40bb5717c4d8b8cf120b25b3199e1787f3cdda3aa0fb578a8a108', 9, 'default', '1796373203308-75', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000098', 'zone-0', 'step_up_consumed', 'req-4d-51', 'consumed', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "04858f2d105c02e7b53aabf4ec21c950", "session_id": "sess-1098", "agent_session_id": "as-2212"}', '2026-12-04 00:00:00.686+00', '2026-12-04 08:33:24.090888+00', 'c9a6b1781329dfcf5669bc50de1876bb13e343d0ff417b5e525799828385a760', 'c09836aeec8f8bd5c21949d9cadf267ce8343d13a51e1c7bdf0c42d378dfaa2f', 'a390403ea7ffd17b0a12ff3436758e3d69d7f716bd4276289a29de05f331ff0a', 6, '5b10ba079b18f0c4a41a082ee256f45c1b9a7d37454bd5aec7adf17ba7fe2e67', 9, 'default', '1796373203308-97', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000115', 'zone-0', 'gateway_resource_request', 'req-4d-59', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "43bf19903c9da9a549ea2c2395bc9f1c", "session_id": "sess-1237", "agent_session_id": "as-1"}', '2026-12-04 00:00:00.809+00', '2026-12-04 08:33:24.090888+00', 'f79feaf95355ca4318cbc5d47dc096155d86e1298622b60bdc759704630b277d', 'c9a6b1781329dfcf5669bc50de1876bb13e343d0ff417b5e525799828385a760', 'e569e8da80edacc1d74da9a32db5f91a51c601d287f3219dc23451eaf19ab7a6', 7, '907922b0cb164aae84432e0ad7ec5550df4b4f782c6b306991bfa66505412f5c', 9, 'default', '1796373203308-114', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000120', 'zone-1', 'token_exchange', 'req-4d-62', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "e4a79e63f2f2fed6172b1caa8596c743", "session_id": "sess-191", "agent_session_id": "as-723"}', '2026-12-04 00:00:00.842+00', '2026-12-04 08:33:24.090888+00', '54c0f99d0335e971db2eb30c8d33546ff1a688928fa75ddfb3b19e0c6f29b89b', 'f79feaf95355ca4318cbc5d47dc096155d86e1298622b60bdc759704630b277d', 'ab06c24a061d414c2761e034bca96a86591e03d7ba0c0080094b8f79ae4a7791', 8, '50c12eea207eb7924baefcfcdb67c3d72c7ea2effb7451ce379a605854a64e71', 9, 'default', '1796373203308-119', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000133', 'zone-1', 'gateway_resource_request', 'req-4d-69', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "3ccad0361433affa698f9cb185272bf8", "session_id": "sess-162", "agent_session_id": "as-1812"}', '2026-12-04 00:00:00.931+00', '2026-12-04 08:33:24.090888+00', '91bb73a6fe269823fc41cddb61cb6d0670359a04312f3e5f573a3c13bfa560e3', '54c0f99d0335e971db2eb30c8d33546ff1a688928fa75ddfb3b19e0c6f29b89b', '600dd478e4c51c18f91bc5c57df2749fcf87fedc658d21145e7599ce55b06bd8', 9, 'c857b28d2961f52239a946d518c22f1f00ae35402a55bb2c7917b4cfc2896688', 9, 'default', '1796373203308-132', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000146', 'zone-2', 'gateway_resource_request', 'req-4d-75', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "36a428767d0f30de5c5bbde8147607a3", "session_id": "sess-324", "agent_session_id": "as-1060"}', '2026-12-04 00:00:01.023+00', '2026-12-04 08:33:24.090888+00', 'e36df8440084f0419928ff98385340d4038838cd8011cad655f5f97dafd8af77', '91bb73a6fe269823fc41cddb61cb6d0670359a04312f3e5f573a3c13bfa560e3', '7fdf83b74683daca27a04c954714828729aed47e3505432a8d8acdefcd565c8c', 10, 'ae8029089409eec13ab0d59912bc8b839585456760d264c82f8abcc051b38558', 9, 'default', '1796373203308-145', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000151', 'zone-2', 'token_exchange', 'req-4d-78', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "67f12f5bbc917fa8b61754cd6b1a8e49", "session_id": "sess-1912", "agent_session_id": "as-2314"}', '2026-12-04 00:00:01.058+00', '2026-12-04 08:33:24.090888+00', '6f29c0fbfb92ec67de086e7e03c2fc021e3dd7939fbc61898cc10a0f87cc95be', 'e36df8440084f0419928ff98385340d4038838cd8011cad655f5f97dafd8af77', '1d027bc3f0d37822a6e284af3deeb87b93d0d7bca8a1ed1ba1e9439a62d9b2aa', 11, '54624610f3f56d394a3709701e08d410df815b2951b2c83906c50d5782171153', 9, 'default', '1796373203308-150', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000009', 'zone-2', 'token_exchange', 'req-4d-5', 'deny', 'ps-zone-2', 'psv-7', '3f2a9c', 'scope_mismatch', '[{"effect": "deny", "policy": "deny-unscoped"}]', '{"missing_scopes": ["calendar:write"]}', '{"resource": "calendar", "trace_id": "8ee7c25e9c5d67b89a04e2791b6b6673", "session_id": "sess-1873", "agent_session_id": "as-3487"}', '2026-12-04 00:00:00.067+00', '2026-12-04 08:33:24.103976+00', 'de2a8528228dd49603a34ba7130eeb99683fb2e95568b0cc6bc6b594198fed9b', NULL, '734dd2e7df94e0f0fbf4371eab03f8a79c643056a5331df68a96aa8bb8bdc2fa', 1, 'bc9d28a94ee4c6b0b8b0d2e7a929f5c8f3b66d5f414058deda6f5b5e4611ca76', 11, 'default', '1796373203308-8', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000030', 'zone-0', 'token_exchange', 'req-4d-16', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "1e1ae01b6d3b2fc77ad364e98cda2f29", "session_id": "sess-1708", "agent_session_id": "as-3503"}', '2026-12-04 00:00:00.212+00', '2026-12-04 08:33:24.103976+00', '519431b2493ecfa290a162fad4dc616e1f41cb56679e9f835d4fc67dfe400650', 'de2a8528228dd49603a34ba7130eeb99683fb2e95568b0cc6bc6b594198fed9b', 'd67f052e308aaa7a703f46d29e998f60d85b302f35a7cde21411b10e525bc24a', 2, 'dd17ca0d0ea928af7e70d997cb41b291c4e4ca91e43b1ec7140136d9502e692b', 11, 'default', '1796373203308-29', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000045', 'zone-1', 'token_exchange', 'req-4d-24', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "d34f69c06b105915d9601bc372b58290", "session_id": "sess-342", "agent_session_id": "as-3657"}', '2026-12-04 00:00:00.319+00', '2026-12-04 08:33:24.103976+00', 'f5134073f94a2a315d01ff982403495399cbd0bff5f456bd9e064e09fb3b0c77', '519431b2493ecfa290a162fad4dc616e1f41cb56679e9f835d4fc67dfe400650', 'c01355dcb5ed6937c4bd3e261cebf3389af5d3d71fcb72af434b962a230b48bc', 3, '6e74c795b6bb75afd7baeb7f270da58f9dc5b3f38295c25de7a3e28f16384986', 11, 'default', '1796373203308-44', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000056', 'zone-2', 'token_exchange', 'req-4d-30', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "61d99661ac41f38dfc8e228cb5ae06c4", "session_id": "sess-1556", "agent_session_id": "as-2104"}', '2026-12-04 00:00:00.394+00', '2026-12-04 08:33:24.103976+00', '536714e6a2b98514ffee5aa7f0c2d48a6e8ac9642b87b9cc270984d67e73fc17', 'f5134073f94a2a315d01ff982403495399cbd0bff5f456bd9e064e09fb3b0c77', 'e3ae2e035228dce4e5fa1c54d2621fa455a71b7911919e7d5ae19dace42542a5', 4, '8679fe3d980e894545025857201a63673c54a731657e44bff4e4e4283f284fae', 11, 'default', '1796373203308-55', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000081', 'zone-1', 'gateway_resource_request', 'req-4d-42', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "488a365600f4a77ed9634fb012113545", "session_id": "sess-535", "agent_session_id": "as-4603"}', '2026-12-04 00:00:00.571+00', '2026-12-04 08:33:24.103976+00', 'e4a4cc38f889c46c0fdbaa9a103a942c95a338c971ac1ef055526cf521a926ba', '536714e6a2b98514ffee5aa7f0c2d48a6e8ac9642b87b9cc270984d67e73fc17', '58ac8badcc3a4cd574f2970afde3a9deaa42ca596b49051fcbf12c7de04f6811', 5, '269da33429de4cf5c1fcd5e9b0585fbf2df826a110eb3361b58f22897afa4a62', 11, 'default', '1796373203308-80', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000092', 'zone-0', 'token_exchange', 'req-4d-49', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "ec384006491717827c8c9a3ca44276bf", "session_id": "sess-848", "agent_session_id": "as-3597"}', '2026-12-04 00:00:00.646+00', '2026-12-04 08:33:24.103976+00', '770e097e244751ad0101cf49e0a79bbf941c7dee62c9ae9f8a6347ea528b18a8', 'e4a4cc38f889c46c0fdbaa9a103a942c95a338c971ac1ef055526cf521a926ba', 'e9c5a5e54099e19f52abd1d5c1ee3cc6f093b257010c7aad3e11859794f386dc', 6, 'd2d6df5590d8bf15aded3c3f98ea17e9af692b21b764474d2d7c69693a91484a', 11, 'default', '1796373203308-91', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000100', 'zone-1', 'step_up_decided', 'req-4d-52', 'approved', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "5fb27897eec88e9b5be6971e2ef14811", "session_id": "sess-1544", "agent_session_id": "as-3682"}', '2026-12-04 00:00:00.701+00', '2026-12-04 08:33:24.103976+00', 'a8a67c24dd65c5d8c29e259da0ceefb6b23c62017d97df4e671bfb0e553cf16a', '770e097e244751ad0101cf49e0a79bbf941c7dee62c9ae9f8a6347ea528b18a8', '7e4eea73aa8b9df339b7da79c3e5a273352f22f960722c69923db428b8b31e4f', 7, '1dbf0db62ccab78b3e22e738a95a15cae79b3afafedf3901c0c61d599659a692', 11, 'default', '1796373203308-99', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000139', 'zone-0', 'token_exchange', 'req-4d-72', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "59408dfc3753bf06c10535e297f7c11c", "session_id": "sess-1335", "agent_session_id": "as-435"}', '2026-12-04 00:00:00.973+00', '2026-12-04 08:33:24.103976+00', 'f98adf7ec4e6a15470f81b2ef92a329ccb1607e5601da6f2036dab415f11cff3', 'a8a67c24dd65c5d8c29e259da0ceefb6b23c62017d97df4e671bfb0e553cf16a', '38f7c178909360ae5447648a1ea532ba86f4cfffcb83170fbfd91a96a200f2ff', 8, 'ecf71803328e5408384d1d608813f6c521540bbb7b2a2fea3c42195a37323d05', 11, 'default', '1796373203308-138', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000005', 'zone-0', 'token_exchange', 'req-4d-3', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "b1d84587ff59bbf48eceef321be824d0", "session_id": "sess-481", "agent_session_id": "as-4554"}', '2026-12-04 00:00:00.036+00', '2026-12-04 08:33:24.094513+00', '57295b923bc09f983fd4fdcff4096e27f02fc86b6af0ac7c5f4e0ea5227cab4a', NULL, '0e44e3de8562e5f8ff749c4c23d7daa5b75aeb28c991b61fbeef20247f4eeb63', 1, 'cec78ecf1c76c2b701923463e46d581cfa99a1f3f8300d9ceb432d7553b3680b', 15, 'default', '1796373203308-4', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000016', 'zone-2', 'gateway_resource_request', 'req-4d-9', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "19accf6b8656d92bf2908edcc158a168", "session_id": "sess-297", "agent_session_id": "as-2838"}', '2026-12-04 00:00:00.116+00', '2026-12-04 08:33:24.094513+00', 'f4fd219b260b5823b8dc6af124aa0e22ce206df77a616a319527e083e0f092eb', '57295b923bc09f983fd4fdcff4096e27f02fc86b6af0ac7c5f4e0ea5227cab4a', 'efc583825e865d87c6ad402d42b3a82ac356cc6d551473eb8b7275b3a9db0e67', 2, '714bd20c4cdb10021d9f3f19d1eed8c3891a7fea852d3aaf565848c670f0c75b', 15, 'default', '1796373203308-15', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000023', 'zone-2', 'gateway_resource_request', 'req-4d-12', 'deny', 'ps-zone-2', 'psv-7', '3f2a9c', 'policy_denied', '[{"effect": "deny", "policy": "restrict-mail"}]', '{"reason": "resource outside delegated scope", "resource": "mail"}', '{"resource": "mail", "trace_id": "527a9a4169dccaa2bf55061261b5cb05", "session_id": "sess-258", "agent_session_id": "as-3653"}', '2026-12-04 00:00:00.163+00', '2026-12-04 08:33:24.094513+00', 'f4f7cfdd1cc0128ffac8db4310fc7e69b0927a829705b9f491b180b0817c2acf', 'f4fd219b260b5823b8dc6af124aa0e22ce206df77a616a319527e083e0f092eb', '821857a83107c5cf47bb746f4e689f81a5db058b07089ddc74b0f13bf734e844', 3, '5fc15e0381509df63860c31a03fb87cb81416dcdfa2dc890deec5f64c35a4263', 15, 'default', '1796373203308-22', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000049', 'zone-2', 'token_exchange', 'req-4d-26', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "059c69eb66ac707f7629c998337b935b", "session_id": "sess-1128", "agent_session_id": "as-4474"}', '2026-12-04 00:00:00.346+00', '2026-12-04 08:33:24.094513+00', 'a40ea0d4378e392c3896b388eabbef9eacb9dd46ae7a545a4899405a2cfda8a8', 'f4f7cfdd1cc0128ffac8db4310fc7e69b0927a829705b9f491b180b0817c2acf', '8a06de9772f235924908900acb57dabbc75c77c2f9c5dc7ce02c4d642350e589', 4, 'ab95e3b65c432ecf4c814448b78f27b021e65dbb3d2ee7195cc3c9918fcb125a', 15, 'default', '1796373203308-48', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000067', 'zone-0', 'token_exchange', 'req-4d-36', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "048894386b2499e94a9eaf0dd677cb95", "session_id": "sess-1110", "agent_session_id": "as-1760"}', '2026-12-04 00:00:00.472+00', '2026-12-04 08:33:24.094513+00', '730be3ba35781de26cbdbc90126c295037f49c9c84388205c4aa52f0fe69ecab', 'a40ea0d4378e392c3896b388eabbef9eacb9dd46ae7a545a4899405a2cfda8a8', '622141e4640bd9438e8ebd5f328745eba420af3684ed88d73ad0eaaf51436d66', 5, '9b5b95af411c0d4d0d2f3534f315527bf6e53d9dfbb4cadf5e419012eb6592f9', 15, 'default', '1796373203308-66', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000070', 'zone-2', 'gateway_resource_request', 'req-4d-37', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "434c42986f26370c7596af1fa198ef11", "session_id": "sess-251", "agent_session_id": "as-1996"}', '2026-12-04 00:00:00.494+00', '2026-12-04 08:33:24.094513+00', 'cae9c7a1150d295d16f092fa70cf344bf6cefe67c7096f8bd37e4d40aae62b71', '730be3ba35781de26cbdbc90126c295037f49c9c84388205c4aa52f0fe69ecab', 'd765826cf5d2d831fa5cd953096c5f6faeba9c5da8859a6dcc85a39c384bd337', 6, '5838c7526bd77c21b869bfc1df2234b2b74108f7dde4eba7b54443f3964cb334', 15, 'default', '1796373203308-69', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000113', 'zone-2', 'gateway_resource_request', 'req-4d-58', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "eba7586cd6b68917b9eb04f0b418019f", "session_id": "sess-552", "agent_session_id": "as-4719"}', '2026-12-04 00:00:00.793+00', '2026-12-04 08:33:24.094513+00', '6d73aad5938bd46387c5569733f2066f47e10ca8da529d398615b1f977f7cdf4', 'cae9c7a1150d295d16f092fa70cf344bf6cefe67c7096f8bd37e4d40aae62b71', '17596c85d62ec81e7bcd0d19c23e3ac3ee649c2b84ea44f95205c83881ad6191', 7, '969df56d97f570fd15dc0e15b2ddba4a4320a2fde871df78654814f47df48b85', 15, 'default', '1796373203308-112', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000126', 'zone-0', 'gateway_resource_request', 'req-4d-65', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "1cb618860ca5c5772ce1da72ed3ab7e6", "session_id": "sess-1570", "agent_session_id": "as-1682"}', '2026-12-04 00:00:00.885+00', '2026-12-04 08:33:24.094513+00', '79ac449ba9b26c5f4696f51fe09d888c470182f6f660c91245dccfd48b991531', '6d73aad5938bd46387c5569733f2066f47e10ca8da529d398615b1f977f7cdf4', '4c4a1a8aca9d32682ee3450969530ee7dc98693b1f7cb29fc8fa45302b31fe21', 8, '1dc33a3a78faa7c4620c69dbc97a22c5b8ce3d7631dacc09acc98f53bcacaa1f', 15, 'default', '1796373203308-125', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000135', 'zone-2', 'step_up_decided', 'req-4d-70', 'approved', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "90d6ef80d61381757067886f93ee29a3", "session_id": "sess-699", "agent_session_id": "as-3560"}', '2026-12-04 00:00:00.949+00', '2026-12-04 08:33:24.094513+00', '7debc6cdd48fc34f90417c7c97e4ed4b41ed60ee92433bc423a5bb32980c82dc', '79ac449ba9b26c5f4696f51fe09d888c470182f6f660c91245dccfd48b991531', '0c126e2fc0a3f7b54350c418c849c2ae704d901dfdb8f67fcca7b12f23e95f72', 9, '7a54f0879d647dd5e9d8240fe51bfdef61aa0e69053b66beffcd81edbfabd305', 15, 'default', '1796373203308-134', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000140', 'zone-0', 'gateway_resource_request', 'req-4d-72', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "59408dfc3753bf06c10535e297f7c11c", "session_id": "sess-1335", "agent_session_id": "as-435"}', '2026-12-04 00:00:00.984+00', '2026-12-04 08:33:24.094513+00', 'faeb4e4de310b28570edb8053ad85a4e79e400dde0b3765237c40e97b9d2a688', '7debc6cdd48fc34f90417c7c97e4ed4b41ed60ee92433bc423a5bb32980c82dc', '99d686817d1a3e8e0a8fdeaec4ce922bd7ada3a169e6e0c8ae5b1653ec88b1e1', 10, '06007ba67ecbdbf2d226d0f63fde66368b5aa631b00d3a902277f0c154125d5d', 15, 'default', '1796373203308-139', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000157', 'zone-1', 'token_exchange', 'req-4d-81', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "6cae7f4fab6c1f64298878770d68d909", "session_id": "sess-607", "agent_session_id": "as-3504"}', '2026-12-04 00:00:01.102+00', '2026-12-04 08:33:24.094513+00', 'bf7594d33be20df242d41bdb23d78cade9636ff85620f4f1024713523fb7c691', 'faeb4e4de310b28570edb8053ad85a4e79e400dde0b3765237c40e97b9d2a688', '1ae8e8269b53cac8fb4134d52a877d99e251046ab2534df96b5506082ca5f447', 11, '8e19f016d2ef6852ac34717f9003c8601cfc9df4fef6d74b448fdacd98e6a513', 15, 'default', '1796373203308-156', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000034', 'zone-0', 'token_exchange', 'req-4d-18', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "ff71ff14b782635d1c18aba7bba0ff9f", "session_id": "sess-1919", "agent_session_id": "as-3096"}', '2026-12-04 00:00:00.238+00', '2026-12-04 08:33:24.101908+00', '800bbb2bf28cb08764840fde28d5480300f12928842e24507c7f9f9555140f92', NULL, 'b09128071d520b2693b1b4d5a192e88927e87f9a7717362b5fd6a7715f434e23', 1, 'fee8e453d374acef4913e01d5deca83975849df2d2623d59e5ca452213b9a232', 7, 'default', '1796373203308-33', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000041', 'zone-0', 'step_up_decided', 'req-4d-22', 'approved', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "payments", "trace_id": "c8fa3d316bbbc98b4a51baf03c9f4e32", "session_id": "sess-1547", "agent_session_id": "as-1586"}', '2026-12-04 00:00:00.288+00', '2026-12-04 08:33:24.101908+00', '57bb85e8e14891ee296486c96f48c54b415473aefb0f58e37ea4975cf437039b', '800bbb2bf28cb08764840fde28d5480300f12928842e24507c7f9f9555140f92', '994279d7dccdce46c444a991435d1f95ee2de159763b7f84dd05d14282e43df0', 2, '711b8fbe10fe3ae66590b742a30ee5c391583783b93049dd485c44b9e6a07693', 7, 'default', '1796373203308-40', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000052', 'zone-0', 'gateway_resource_request', 'req-4d-27', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "e598373e2a5767aa3b9227ebd893bd46", "session_id": "sess-688", "agent_session_id": "as-779"}', '2026-12-04 00:00:00.364+00', '2026-12-04 08:33:24.101908+00', '124094df22fa3090457986eb2f3e65331fd01abef729b3a277a7fbc9431e20e8', '57bb85e8e14891ee296486c96f48c54b415473aefb0f58e37ea4975cf437039b', 'f7e74c30f9c54ba08277af0b9201e59f2a5a841f6104d99788bdad8784487b38', 3, 'dfc114e2aa3fc50c129a8abb353d81db4febd47da07ffdd832e45bc599f209fc', 7, 'default', '1796373203308-51', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000078', 'zone-2', 'token_exchange', 'req-4d-41', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "f9be5abda25d8f8e2a71857f32d241aa", "session_id": "sess-99", "agent_session_id": "as-1337"}', '2026-12-04 00:00:00.547+00', '2026-12-04 08:33:24.101908+00', '87a0dea3d3f0912f29cb83782d88c73be13115f5bc9a94aca52c43bfd3187949', '124094df22fa3090457986eb2f3e65331fd01abef729b3a277a7fbc9431e20e8', '37c7cd908082d3222f50632009f7a3eab87dc923ec2c126eff5c7b04c106859d', 4, 'e3e570c9f64c5a2a9fb8bf33f865c60de632e370fa3215017b7bd9d3ec22046d', 7, 'default', '1796373203308-77', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000085', 'zone-1', 'token_exchange', 'req-4d-45', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "407dcf0a66fddf681f411ff7f630bf6d", "session_id": "sess-1841", "agent_session_id": "as-558"}', '2026-12-04 00:00:00.595+00', '2026-12-04 08:33:24.101908+00', '1ce752efa599c3f68b2480c6bb67d3e36705469665c8be67a913bfcb5b469969', '87a0dea3d3f0912f29cb83782d88c73be13115f5bc9a94aca52c43bfd3187949', '596b298a4c8a7372d321cb6e44ad3856b987b16cb6674f450a5e50a32b5c9ef4', 5, '96b34149c7b1a1bc6bf938df7da909cd1ce31c3ce8619b9ad438dddcb1cd98ce', 7, 'default', '1796373203308-84', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000096', 'zone-0', 'step_up_issued', 'req-4d-51', 'pending', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "files", "trace_id": "04858f2d105c02e7b53aabf4ec21c950", "session_id": "sess-1098", "agent_session_id": "as-2212"}', '2026-12-04 00:00:00.673+00', '2026-12-04 08:33:24.101908+00', 'e1b1a933a760ba01d8a5f7a48d50b10c39783f0975aeec3879aafe288a3838e2', '1ce752efa599c3f68b2480c6bb67d3e36705469665c8be67a913bfcb5b469969', '360ed73b9d1a2504814ff2d9625bed9f6d1232891ccbb3fd30c43e592bdcb280', 6, '01cebc1cc7b50d37f25c3d3dc1e201e6ab112354615156b93fb02860248fe08b', 7, 'default', '1796373203308-95', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000104', 'zone-1', 'token_exchange', 'req-4d-54', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "7c899637e84ac78ea2606207103c365d", "session_id": "sess-1194", "agent_session_id": "as-2999"}', '2026-12-04 00:00:00.729+00', '2026-12-04 08:33:24.101908+00', 'eae1855596bd902afadc262737761e3e16d4f3f79adde62dd993eca181ac5a0b', 'e1b1a933a760ba01d8a5f7a48d50b10c39783f0975aeec3879aafe288a3838e2', '7dbe20f6ca135a49246f1eaa2d84cad3afbf5fac788fb5a7972be13b1b37bc5c', 7, '049f6ca33a0a9c17ed4470d7d453dbeb43000dacf3b0db9e80175b89fe3c2b03', 7, 'default', '1796373203308-103', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000148', 'zone-0', 'gateway_resource_request', 'req-4d-76', 'deny', 'ps-zone-0', 'psv-7', '3f2a9c', 'policy_denied', '[{"effect": "deny", "policy": "restrict-crm"}]', '{"reason": "resource outside delegated scope", "resource": "crm"}', '{"resource": "crm", "trace_id": "1cb216efca0c3c1989cfb5fb0202c80b", "session_id": "sess-220", "agent_session_id": "as-1217"}', '2026-12-04 00:00:01.037+00', '2026-12-04 08:33:24.101908+00', 'cade85ecacacc5e48213776d6f80126faa777f3f0fd2fbc43913651a63335d77', 'eae1855596bd902afadc262737761e3e16d4f3f79adde62dd993eca181ac5a0b', '004d81526445e0c9b6f1f1ef9ba09374ac4dbce02f98b735310b6ee12b955435', 8, '11d42130d1e1aa5b5451bc33bce4f4eda8f40798505c21ba1d584928174e92d7', 7, 'default', '1796373203308-147', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000029', 'zone-1', 'gateway_resource_request', 'req-4d-15', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "f4f6fb8fbbee62622f1927c630be9903", "session_id": "sess-239", "agent_session_id": "as-4625"}', '2026-12-04 00:00:00.203+00', '2026-12-04 08:33:24.105352+00', '7fb7fb73ce0732035252515ad0ea4a342336e6dea6be8f53279eeee9ac0532e6', NULL, 'f024e31a0abc969d89b632f92c261472f0c6287aa6199490f9644e7fefd2a0a1', 1, '785feb4fbf8ae0c35809a7fe566f689310b0b84385514ef61ebecf457c98a6c6', 13, 'default', '1796373203308-28', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000036', 'zone-1', 'token_exchange', 'req-4d-19', 'deny', 'ps-zone-1', 'psv-7', '3f2a9c', 'scope_mismatch', '[{"effect": "deny", "policy": "deny-unscoped"}]', '{"missing_scopes": ["payments:write"]}', '{"resource": "payments", "trace_id": "60be0479ad8a59e8053ac9361c99a598", "session_id": "sess-528", "agent_session_id": "as-4548"}', '2026-12-04 00:00:00.255+00', '2026-12-04 08:33:24.105352+00', '8e0b10ba944478e7cbd528d220d48f8602802b0cfda05e16558ca6cf28830b5d', '7fb7fb73ce0732035252515ad0ea4a342336e6dea6be8f53279eeee9ac0532e6', 'e88f8895ba79a644a4b28edad0a527d6876aa8df909cb42a91e9bfdacd7945bc', 2, '2c8aed0a0badbd17ab95ea75723e90ec769eef29fe31ca0e4f7efe842732d5d4', 13, 'default', '1796373203308-35', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000043', 'zone-0', 'token_exchange', 'req-4d-23', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "05228ed41e0f4e7e2b9d123e59d29eb2", "session_id": "sess-842", "agent_session_id": "as-4695"}', '2026-12-04 00:00:00.303+00', '2026-12-04 08:33:24.105352+00', '4073cd0352fc03a8dd95a51895ab6ed07bfe65c0c5a8f30f0008d35afdd6c855', '8e0b10ba944478e7cbd528d220d48f8602802b0cfda05e16558ca6cf28830b5d', '555eba026a9e7aa2281eef9fd3efba8698a9d46b8db521862fcde157d5e3f1e8', 3, '93b6fce1d64665b8f29b924fde649a5048e88ef77e52376fa39d75cd42234f87', 13, 'default', '1796373203308-42', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000050', 'zone-2', 'gateway_resource_request', 'req-4d-26', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "059c69eb66ac707f7629c998337b935b", "session_id": "sess-1128", "agent_session_id": "as-4474"}', '2026-12-04 00:00:00.352+00', '2026-12-04 08:33:24.105352+00', '27d8d3692273f2ece033cd7ae1259ee1e41e10380ee60d6bff12635273adf3fe', '4073cd0352fc03a8dd95a51895ab6ed07bfe65c0c5a8f30f0008d35afdd6c855', '76aa0de75aec97dcd93b3da5060fcf3d1cb18e359516d7b427f6b781323cae08', 4, '0dce478ce736cb9414dd25e9ff834e6939b6ec0d08130ca19c304bc967e13fee', 13, 'default', '1796373203308-49', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000087', 'zone-0', 'token_exchange', 'req-4d-46', 'deny', 'ps-zone-0', 'psv-7', '3f2a9c', 'scope_mismatch', '[{"effect": "deny", "policy": "deny-unscoped"}]', '{"missing_scopes": ["crm:write"]}', '{"resource": "crm", "trace_id": "0cda26c13f3384340517b9b65c2fa496", "session_id": "sess-1724", "agent_session_id": "as-1381"}', '2026-12-04 00:00:00.61+00', '2026-12-04 08:33:24.105352+00', '361cc66ca92fe26c80fd2c9777984992575042cfc93dc2e55dd8b6f3ea94c5c8', '27d8d3692273f2ece033cd7ae1259ee1e41e10380ee60d6bff12635273adf3fe', 'f1d9f7bd2b99c9a67928917ea5904fa54425e6b4627320ed0620d2acb19dc9bf', 5, 'fa3d18d07450d7a378ee6e362953091d3febc032d9db16d1d89e3fdcf5be4508', 13, 'default', '1796373203308-86', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000094', 'zone-2', 'token_exchange', 'req-4d-50', 'allow', 'ps-zone-2', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "mail", "trace_id": "773b9bf0d40f1cb5a9755c71484412c6", "session_id": "sess-418", "agent_session_id": "as-4138"}', '2026-12-04 00:00:00.662+00', '2026-12-04 08:33:24.105352+00', 'c01bf5241348b2ad13cc6aa0e7da9c8a6f34e11b652232ec0f5ee009c0f63a39', '361cc66ca92fe26c80fd2c9777984992575042cfc93dc2e55dd8b6f3ea94c5c8', '34933487c6e4ba5bfc98a097dcfcf4b46d0151b8e45bcefcf1ff8765d3a02d2d', 6, '4965e5cc3086c3d0ecdc886a99f703c039759f365181e0ca37eec6ae76227a27', 13, 'default', '1796373203308-93', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000106', 'zone-0', 'token_exchange', 'req-4d-55', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "crm", "trace_id": "da8f24b01b7090383ab42703bba81bad", "session_id": "sess-453", "agent_session_id": "as-2226"}', '2026-12-04 00:00:00.743+00', '2026-12-04 08:33:24.105352+00', '608523bc8a63dfa2eb57f1d04318640055d8073bdcc20b807390a41e8487b742', 'c01bf5241348b2ad13cc6aa0e7da9c8a6f34e11b652232ec0f5ee009c0f63a39', 'ad4c71033e32a3891dfba680a3beceab53a5690b858abab7d4b26472cb7b83fa', 7, '71e3d92760af00033c1b7d610f28c88fa7a0177f75a61cca284da8525640482d', 13, 'default', '1796373203308-105', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000119', 'zone-1', 'gateway_resource_request', 'req-4d-61', 'allow', 'ps-zone-1', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "e94a2ab20ff999702c7ba8ecfb9c9986", "session_id": "sess-523", "agent_session_id": "as-3276"}', '2026-12-04 00:00:00.833+00', '2026-12-04 08:33:24.105352+00', '2ddb52d35c2a69cb320614acb366a443bc56f625ba544b072dca66b2142ad2df', '608523bc8a63dfa2eb57f1d04318640055d8073bdcc20b807390a41e8487b742', '847e08cf9268b0e3554983e09eab2ae592d6b42f970d20167502ac814d4cb4e6', 8, 'db67be4e8ee38e335c165f40abe6c3e2534ce4f3ebdc7d757d65fa78c5cbcf39', 13, 'default', '1796373203308-118', NULL);
INSERT INTO public.audit_events_y2026m12 VALUES ('evt-4d-0000000160', 'zone-0', 'gateway_resource_request', 'req-4d-82', 'allow', 'ps-zone-0', 'psv-7', '3f2a9c', 'complete', '[]', '{}', '{"resource": "calendar", "trace_id": "dd3210515eb2777b942d34823e984c6e", "session_id": "sess-124", "agent_session_id": "as-2079"}', '2026-12-04 00:00:01.12+00', '2026-12-04 08:33:24.105352+00', '2df8fd4dacb9bab684ac531cd4cbeb044d8ff016ea2c41f0fd757d7b31132945', '2ddb52d35c2a69cb320614acb366a443bc56f625ba544b072dca66b2142ad2df', 'b77ce0a14e97e566e3ae486f12219f5bc0ec6be14810de926d0a31124b6b2fb4', 9, '5eee25ae7cefb23dd44f72e5a9eec546b930e99ee3d5c5c87ff63cc7afe3bd64', 13, 'default', '1796373203308-159', NULL);


--
-- Data for Name: audit_events_y2027m01; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: audit_events_y2027m02; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: audit_events_y2027m03; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: audit_export_segments; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.audit_export_segments VALUES (1, 1, 1, 10, '2026-12-04 08:33:24.198+00', '2026-12-04 08:33:24.22213+00');
INSERT INTO public.audit_export_segments VALUES (2, 1, 1, 11, '2026-12-04 08:33:24.203+00', '2026-12-04 08:33:24.228206+00');
INSERT INTO public.audit_export_segments VALUES (0, 1, 1, 12, '2026-12-04 08:33:24.203+00', '2026-12-04 08:33:24.237982+00');
INSERT INTO public.audit_export_segments VALUES (3, 1, 1, 13, '2026-12-04 08:33:24.2+00', '2026-12-04 08:33:24.236657+00');
INSERT INTO public.audit_export_segments VALUES (5, 1, 1, 11, '2026-12-04 08:33:24.228+00', '2026-12-04 08:33:24.24238+00');
INSERT INTO public.audit_export_segments VALUES (4, 1, 1, 8, '2026-12-04 08:33:24.237+00', '2026-12-04 08:33:24.272343+00');
INSERT INTO public.audit_export_segments VALUES (6, 1, 1, 11, '2026-12-04 08:33:24.24+00', '2026-12-04 08:33:24.273759+00');
INSERT INTO public.audit_export_segments VALUES (7, 1, 1, 8, '2026-12-04 08:33:24.243+00', '2026-12-04 08:33:24.274607+00');
INSERT INTO public.audit_export_segments VALUES (9, 1, 1, 11, '2026-12-04 08:33:24.245+00', '2026-12-04 08:33:24.276445+00');
INSERT INTO public.audit_export_segments VALUES (13, 1, 1, 9, '2026-12-04 08:33:24.278+00', '2026-12-04 08:33:24.302745+00');
INSERT INTO public.audit_export_segments VALUES (8, 1, 1, 8, '2026-12-04 08:33:24.277+00', '2026-12-04 08:33:24.30303+00');
INSERT INTO public.audit_export_segments VALUES (10, 1, 1, 8, '2026-12-04 08:33:24.278+00', '2026-12-04 08:33:24.304109+00');
INSERT INTO public.audit_export_segments VALUES (11, 1, 1, 8, '2026-12-04 08:33:24.278+00', '2026-12-04 08:33:24.302966+00');
INSERT INTO public.audit_export_segments VALUES (12, 1, 1, 11, '2026-12-04 08:33:24.307+00', '2026-12-04 08:33:24.335632+00');
INSERT INTO public.audit_export_segments VALUES (14, 1, 1, 10, '2026-12-04 08:33:24.307+00', '2026-12-04 08:33:24.330333+00');
INSERT INTO public.audit_export_segments VALUES (15, 1, 1, 11, '2026-12-04 08:33:24.309+00', '2026-12-04 08:33:24.341277+00');


--
-- Data for Name: audit_export_watermarks; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.audit_export_watermarks VALUES (1, 1, 10, '5149b9e9215d89c8bf2336ac5c2dda9ed8c87d883fccc236dea1ceb8137118ce', 10, 3, '2026-12-04 08:33:24.22213+00');
INSERT INTO public.audit_export_watermarks VALUES (2, 1, 11, 'db5ed1e6a613518dd620eb911fcd7d0edc2b0c6f80b6dd3ebdbccfd0951c76c4', 11, 3, '2026-12-04 08:33:24.228206+00');
INSERT INTO public.audit_export_watermarks VALUES (0, 1, 12, '8c6c5910ea7c8be54e8d1e0e76aae203bc70e09dee6ef5aea77a19178d4b447f', 12, 3, '2026-12-04 08:33:24.237982+00');
INSERT INTO public.audit_export_watermarks VALUES (3, 1, 13, '2979096923312d10e8a7010795a058cf2a2cfcea99403e73dfc2e1d5391f48fb', 13, 3, '2026-12-04 08:33:24.236657+00');
INSERT INTO public.audit_export_watermarks VALUES (5, 1, 11, 'b7f51499c918c6d5fb414fc7be55ebfe6eaead764ccb0cd55f8b454f0ca3ca27', 11, 3, '2026-12-04 08:33:24.24238+00');
INSERT INTO public.audit_export_watermarks VALUES (4, 1, 8, 'c56e6f48eef02becdf10011f0bfcfebcf251e4f03dfa202cb6160131d0552cdb', 8, 3, '2026-12-04 08:33:24.272343+00');
INSERT INTO public.audit_export_watermarks VALUES (6, 1, 11, '2ff569de4a247eed1a9f4f7aacd913a91c071b0a94f60419075149a4ae51fcd3', 11, 3, '2026-12-04 08:33:24.273759+00');
INSERT INTO public.audit_export_watermarks VALUES (7, 1, 8, '94d233a507e8c1bff15ba5f8473a3d6fe1bf4d3deeba7b10b2a51172dad8607f', 8, 3, '2026-12-04 08:33:24.274607+00');
INSERT INTO public.audit_export_watermarks VALUES (9, 1, 11, '7627dd37bf5feb750acb925aebba80a2c8fa9d55597d6386dee0b90ef0f693c4', 11, 3, '2026-12-04 08:33:24.276445+00');
INSERT INTO public.audit_export_watermarks VALUES (13, 1, 9, 'd4e0a93a74420533100dd979266ce81c84958a7beabee740fdd83f2d1697ca0c', 9, 3, '2026-12-04 08:33:24.302745+00');
INSERT INTO public.audit_export_watermarks VALUES (8, 1, 8, 'e27d9c9e49d007db12671954603e0fc758d1d92fd5f191f295aa6a8472290791', 8, 3, '2026-12-04 08:33:24.30303+00');
INSERT INTO public.audit_export_watermarks VALUES (10, 1, 8, '335b139c61c61191a40d674aa33e3c5dde9106a21c7c8011078aee73c7b49ada', 8, 3, '2026-12-04 08:33:24.304109+00');
INSERT INTO public.audit_export_watermarks VALUES (11, 1, 8, '904185a7172fbbce9d55ccae3701752eb5f14bdc53be5e5091b2276c1e7d60e7', 8, 3, '2026-12-04 08:33:24.302966+00');
INSERT INTO public.audit_export_watermarks VALUES (14, 1, 10, '269ec4fb92c3acdb6955dd3f6d11fefb46aaf513e54133c7a01d5431990e02f3', 10, 3, '2026-12-04 08:33:24.330333+00');
INSERT INTO public.audit_export_watermarks VALUES (12, 1, 11, '603441ae6652cbfbb2c2357a7954600b704d14220421e27947e8b0c1a0ebd242', 11, 3, '2026-12-04 08:33:24.335632+00');
INSERT INTO public.audit_export_watermarks VALUES (15, 1, 11, 'f2405c57b68c509aba6aa3c198f3baf61ec87689ead5d69c241773c8f49593b0', 11, 3, '2026-12-04 08:33:24.341277+00');


--
-- Data for Name: audit_ingest_alerts; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: audit_ingest_watermarks; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.audit_ingest_watermarks VALUES ('ledger', 3, 1796373203900, '1796373203308-152', 13, 'c47e4a3e6d37cf199332b1066ca217187aaa0fcb4f15f9ed52e4be2cd4a6e918', 13, '2026-12-04 08:33:24.057725+00');
INSERT INTO public.audit_ingest_watermarks VALUES ('ledger', 0, 1796373203900, '1796373203308-151', 12, '183b972cc2101c20fa9563b38941b4aac50797debea9a27bac45a3687bd2b649', 12, '2026-12-04 08:33:24.059915+00');
INSERT INTO public.audit_ingest_watermarks VALUES ('ledger', 1, 1796373203900, '1796373203308-158', 10, '0e792c7f7b9b3de9b6c9510f537eddc37432025990f1da15d89b7dbef6d291a2', 10, '2026-12-04 08:33:24.061103+00');
INSERT INTO public.audit_ingest_watermarks VALUES ('ledger', 8, 1796373203900, '1796373203308-137', 8, '55fb56d1d82ce0daf3509b039d69032510000abbcd55a84ae678c1d3b3399d6d', 8, '2026-12-04 08:33:24.072543+00');
INSERT INTO public.audit_ingest_watermarks VALUES ('ledger', 14, 1796373203900, '1796373203308-157', 10, '2dee89404cac0a5abc7852a609733e196d583d1e81f50423adcc1e20f3fbc629', 10, '2026-12-04 08:33:24.061229+00');
INSERT INTO public.audit_ingest_watermarks VALUES ('ledger', 10, 1796373203900, '1796373203308-117', 8, '87e85a4c2e6a407a67304baf89a40249da9351335eb7dbd73c713f11d7e4add0', 8, '2026-12-04 08:33:24.072258+00');
INSERT INTO public.audit_ingest_watermarks VALUES ('ledger', 4, 1796373203900, '1796373203308-148', 8, 'ad7ca762d0022d0230793f848769b0cdce2695a9ae59386450c98cf14a9e4093', 8, '2026-12-04 08:33:24.071839+00');
INSERT INTO public.audit_ingest_watermarks VALUES ('ledger', 6, 1796373203900, '1796373203308-149', 11, '93bdc3e344cd0668ee2a190c82d5636264a8887e540fa14b545f9cca0576b5ac', 11, '2026-12-04 08:33:24.073098+00');
INSERT INTO public.audit_ingest_watermarks VALUES ('ledger', 12, 1796373203900, '1796373203308-155', 11, '6c64b4ac51af67f1f5d862dd3d10bb3b77a232975f885923ed9edacaf7a5a76f', 11, '2026-12-04 08:33:24.077504+00');
INSERT INTO public.audit_ingest_watermarks VALUES ('ledger', 11, 1796373203900, '1796373203308-138', 8, 'f98adf7ec4e6a15470f81b2ef92a329ccb1607e5601da6f2036dab415f11cff3', 8, '2026-12-04 08:33:24.103976+00');
INSERT INTO public.audit_ingest_watermarks VALUES ('ledger', 5, 1796373203900, '1796373203308-154', 11, '1969a4238fec75d5cc504d642eb05333cd86cc8ed7eea18cbb346f60c9011989', 11, '2026-12-04 08:33:24.085958+00');
INSERT INTO public.audit_ingest_watermarks VALUES ('ledger', 2, 1796373203900, '1796373203308-153', 11, '42da21c3281daaf2001be3726513240cbeb64a798eb7888f3b17d0132165ff3f', 11, '2026-12-04 08:33:24.073035+00');
INSERT INTO public.audit_ingest_watermarks VALUES ('ledger', 9, 1796373203900, '1796373203308-150', 11, '6f29c0fbfb92ec67de086e7e03c2fc021e3dd7939fbc61898cc10a0f87cc95be', 11, '2026-12-04 08:33:24.090888+00');
INSERT INTO public.audit_ingest_watermarks VALUES ('ledger', 15, 1796373203900, '1796373203308-156', 11, 'bf7594d33be20df242d41bdb23d78cade9636ff85620f4f1024713523fb7c691', 11, '2026-12-04 08:33:24.094513+00');
INSERT INTO public.audit_ingest_watermarks VALUES ('ledger', 13, 1796373203900, '1796373203308-159', 9, '2df8fd4dacb9bab684ac531cd4cbeb044d8ff016ea2c41f0fd757d7b31132945', 9, '2026-12-04 08:33:24.105352+00');
INSERT INTO public.audit_ingest_watermarks VALUES ('ledger', 7, 1796373203900, '1796373203308-147', 8, 'cade85ecacacc5e48213776d6f80126faa777f3f0fd2fbc43913651a63335d77', 8, '2026-12-04 08:33:24.101908+00');


--
-- Data for Name: audit_ledger_batches; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.audit_ledger_batches VALUES (3, 1, 13, 1796373203900, '3a0f526fc904ec0d58400b09430cbc6c88b75d9d626a35b7765e4f5b717c4790', 'c47e4a3e6d37cf199332b1066ca217187aaa0fcb4f15f9ed52e4be2cd4a6e918', '314ea69087cadd3acfe847ed958795ab7477bcacfec5cdfc97ece6dab5de2941', 'ledger-a36d16836c4c', 1796373204086262, 'head-fce94df3d4b5', 'd132cdee4732c563f91a71c60b82074d4588ee7c4d6f1f3771116a922f6dfff0680847fa00a2437cc1cf1feed49a72b7f0aa2131003d7a418df4d62e409b5205');
INSERT INTO public.audit_ledger_batches VALUES (0, 1, 12, 1796373203900, '722a7a192b8c7eeebebb74def1094a5a83a064fb48bacea2db58f6316136ae2a', '183b972cc2101c20fa9563b38941b4aac50797debea9a27bac45a3687bd2b649', 'fc25ae4ffe7a8a8c23299c415a29a370c480a7afd6ef5defb65ed75f153662c4', 'ledger-a36d16836c4c', 1796373204086786, 'head-fce94df3d4b5', 'b947f8d4f8cae4992226f1c65c5903b56e4bcf3d0f5e2578482fd1e0251beac5b14b4f39fd4264368ef7e564118eeb25fb94d201654e30a7d1c4dffcad937a01');
INSERT INTO public.audit_ledger_batches VALUES (1, 1, 10, 1796373203900, 'c8d94b19e9403330e12a6a1a19a0069b877d946370c483d24d7debeef8be288b', '0e792c7f7b9b3de9b6c9510f537eddc37432025990f1da15d89b7dbef6d291a2', '357eee29975ae7efaefed5e4f4c813ccdff03ff6e17e473fec8c36df966e2311', 'ledger-a36d16836c4c', 1796373204093266, 'head-fce94df3d4b5', '2dd8a6ee5fa7e2c979022461383fa9c69cd399102fdb76de708852e37f9dc521951609c34d258a6d66243abba163137ae600eaa591ca5cbd2f7db972d7ca8706');
INSERT INTO public.audit_ledger_batches VALUES (14, 1, 10, 1796373203900, '66cff61450b1eb7d20e31887a7651d91a5402bd43e4722d9812b6877d4d91a4b', '2dee89404cac0a5abc7852a609733e196d583d1e81f50423adcc1e20f3fbc629', '670d74b6831ffa6c259cb1cf46fef0b4b29fe7173219447771b08c77d1743f6a', 'ledger-a36d16836c4c', 1796373204093407, 'head-fce94df3d4b5', '00fd13f33508c6a2857012968a06d5047390d2a405389fbd2ce98a8aa0f5e1d96b36d2ede658c17db200d30e5f135f640518dc4717e4aa02a9a20ccaf35a770b');
INSERT INTO public.audit_ledger_batches VALUES (10, 1, 8, 1796373203900, '8aaa184e1787d6468ad7b75c0a167a5d19ab116472ef379dadd2fdc9c0ac8698', '87e85a4c2e6a407a67304baf89a40249da9351335eb7dbd73c713f11d7e4add0', '0110fbb7b8b42012602cd00f04eac0d6f7d13ed6c10700c081a132857cffb082', 'ledger-a36d16836c4c', 1796373204101332, 'head-fce94df3d4b5', '43a90c9747bee601f9b453d8c8ecb73e1efec486ade80e40f264e811a8e3da7bc5ba55f80812b3a3377559dd1b65981e46607390acabc478564add2a4b04a602');
INSERT INTO public.audit_ledger_batches VALUES (8, 1, 8, 1796373203900, 'df14c1ab102c54e525956efb18906b835ab933f8e020d78cc7ae60a2122f31a2', '55fb56d1d82ce0daf3509b039d69032510000abbcd55a84ae678c1d3b3399d6d', '9546a87c96da2c04f620e292f3edb2a5cb24d6d32be6e50721c0b84f44365ffb', 'ledger-a36d16836c4c', 1796373204102255, 'head-fce94df3d4b5', '79d63c345b5a878fafb5efd6e1b31986bf2919606178dcf5691b9720f57961642fc8e36eac2e4adcbc1837a637fbe16fe5fc650e9b90afd2ce5320af0ca99608');
INSERT INTO public.audit_ledger_batches VALUES (4, 1, 8, 1796373203900, 'b1d3d8229bcef69460d1ef5c31c8cc1a208c95053dfd80954189fb879093e2f4', 'ad7ca762d0022d0230793f848769b0cdce2695a9ae59386450c98cf14a9e4093', 'f0473e023659d064f23209bf34b4c8d7fd37c7c48afddb28d82ecf439fba1e5f', 'ledger-a36d16836c4c', 1796373204104360, 'head-fce94df3d4b5', '0626e81a078259127a440c3f5f2fd44b62751d8d6f95aacf52eeed21c909d4f66765b0010e16ee8d6cba80c5a2df1c8c5e53ac1ffbb5d22f00373062509c730f');
INSERT INTO public.audit_ledger_batches VALUES (6, 1, 11, 1796373203900, '3fcfbdffbcc59ce999e2ded2f141f9196629e218b615dbf2edb59007336bd501', '93bdc3e344cd0668ee2a190c82d5636264a8887e540fa14b545f9cca0576b5ac', '25eff3409ca3a7f667aded9ac1180d4054e8489ffdb917424b9c56cb86ab0dbe', 'ledger-a36d16836c4c', 1796373204103770, 'head-fce94df3d4b5', 'f8eb2678a64e01a0879cb2f6c5b65f5f6ec3f5e0867574064fec01435d64fc634b44f5b590d91aaeadb7f2a223c63af8547825f39e648f0b43d9992b0e4a3a0d');
INSERT INTO public.audit_ledger_batches VALUES (12, 1, 11, 1796373203900, '16665f6dbe107f3263645ff848c3b2a11a7e3d04d0887080bad9251b6fad899d', '6c64b4ac51af67f1f5d862dd3d10bb3b77a232975f885923ed9edacaf7a5a76f', '0ff187cac58741ae7e5fd0390811d5444b58e7bbf00da938eebaca3747e0df48', 'ledger-a36d16836c4c', 1796373204114807, 'head-fce94df3d4b5', 'db6e4e49b207549f22fcea9080bf735ba2c44feb093f3195270571f0c1e9aeed27953dc1e9097e81489083b30b7742d049276927ab828c385cc2c78a9bd66001');
INSERT INTO public.audit_ledger_batches VALUES (2, 1, 11, 1796373203900, 'ce98ddfe44897f777c9160e798aaf6fad5a5cb7c3fea885b6c809321691eabee', '42da21c3281daaf2001be3726513240cbeb64a798eb7888f3b17d0132165ff3f', '7fcc42b3faaec560c2ad90689b39d6c02bb8a3a8be17c68c75be22be82038efe', 'ledger-a36d16836c4c', 1796373204114283, 'head-fce94df3d4b5', '5a66a445c985e39db0563c863b13aed575f176545e8c68b45b004dc6b130ae00448c005e8f6f95b5b81549fc0a13cf101b66e4fb40279ed52616a5dedf18de01');
INSERT INTO public.audit_ledger_batches VALUES (5, 1, 11, 1796373203900, '1dadcf9dd5f8197a996ada5f0c33ac6fa190efb40cbe936e9e625303cd281931', '1969a4238fec75d5cc504d642eb05333cd86cc8ed7eea18cbb346f60c9011989', '500c8e2149cf98f04c3786e9dddec1d2d5027caf2e233fe9777a94af34dc1ff2', 'ledger-a36d16836c4c', 1796373204115308, 'head-fce94df3d4b5', '820acb3cc5908cd5b7be5f1d81a4ecea84fb8f84bc1e168e80c8f5bb3afef2cc69cda4695e0506bf431f4cfd03b66e2c09e500949f56e240c83736675c289500');
INSERT INTO public.audit_ledger_batches VALUES (11, 1, 8, 1796373203900, 'cc5deb46537a02531ee260251727baa96cd335781cb175c9154f7a92227da354', 'f98adf7ec4e6a15470f81b2ef92a329ccb1607e5601da6f2036dab415f11cff3', '38f7c178909360ae5447648a1ea532ba86f4cfffcb83170fbfd91a96a200f2ff', 'ledger-a36d16836c4c', 1796373204116293, 'head-fce94df3d4b5', '5fda070a03d692eb13e9b473a962f3c5f4e9844b5d98857709170442e39a1eaee6ca49edc160064d9af347dfea5797404c43b68ab81418c4e3ae2db129ffc601');
INSERT INTO public.audit_ledger_batches VALUES (9, 1, 11, 1796373203900, '29c18a561c34e9e0c8a79b6387b4c0779020abd63bbe145bf065edeaa2157bfa', '6f29c0fbfb92ec67de086e7e03c2fc021e3dd7939fbc61898cc10a0f87cc95be', '1d027bc3f0d37822a6e284af3deeb87b93d0d7bca8a1ed1ba1e9439a62d9b2aa', 'ledger-a36d16836c4c', 1796373204119036, 'head-fce94df3d4b5', '47a9a438b55f61ff0a830b02c1110e3a3fe4f0662ef8be725febf7ec21d66523dbe7f3241ac986e9689aadd0f6fe8b852f600e65fd4307c63ca21b7488a87f03');
INSERT INTO public.audit_ledger_batches VALUES (13, 1, 9, 1796373203900, 'c80f536354e1dacfdbe6bfd168776afe4e46b45f4e94fede4b8cf81b313d4503', '2df8fd4dacb9bab684ac531cd4cbeb044d8ff016ea2c41f0fd757d7b31132945', 'b77ce0a14e97e566e3ae486f12219f5bc0ec6be14810de926d0a31124b6b2fb4', 'ledger-a36d16836c4c', 1796373204127804, 'head-fce94df3d4b5', '92242f166c7bb88bd17e5c7b7c5e55c508ffab03f0f7d7a6ecacfc6d9e54effe1298c9300189a3e9c56fc111db861681fc73d0ae48edafcbb7349c8a04e3fa0a');
INSERT INTO public.audit_ledger_batches VALUES (15, 1, 11, 1796373203900, '1da9b3e6782207c03bea0470575c14f852956cc2eae9d5ca291d24e161297437', 'bf7594d33be20df242d41bdb23d78cade9636ff85620f4f1024713523fb7c691', '1ae8e8269b53cac8fb4134d52a877d99e251046ab2534df96b5506082ca5f447', 'ledger-a36d16836c4c', 1796373204125440, 'head-fce94df3d4b5', 'bb14cc8f53d40d4308f8b86b71945b962718e14eafb23e5c26979f8add5145e9301b0f85ed52a824d2d2fa8206a30f43a69b4734ab9fd9be608ef56fa3d2d00c');
INSERT INTO public.audit_ledger_batches VALUES (7, 1, 8, 1796373203900, '3c8c4f29ecd3a345e8b1a824649601d177581efb22fe482840b8c2bde4bf79e2', 'cade85ecacacc5e48213776d6f80126faa777f3f0fd2fbc43913651a63335d77', '004d81526445e0c9b6f1f1ef9ba09374ac4dbce02f98b735310b6ee12b955435', 'ledger-a36d16836c4c', 1796373204127503, 'head-fce94df3d4b5', 'ff17a36aca309ff4fe060211114b88455799bab731ad897cce4c2bdc562d3dd539a34eb5c9559fba5d5d1b7df846c651a0fe52029033e799b95f604d5a460e0c');


--
-- Data for Name: audit_legal_hold_releases; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: audit_legal_holds; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: audit_retention_drops; Type: TABLE DATA; Schema: public; Owner: -
--



--
-- Data for Name: auditflow_meta; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.auditflow_meta VALUES ('ledger_shards', '16');


--
-- Data for Name: auditflow_schema_migrations; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.auditflow_schema_migrations VALUES (1, 'ledger', '2026-12-04 08:33:23.445225+00');
INSERT INTO public.auditflow_schema_migrations VALUES (2, 'export', '2026-12-04 08:33:23.520387+00');
INSERT INTO public.auditflow_schema_migrations VALUES (3, 'tamper evidence', '2026-12-04 08:33:23.540291+00');
INSERT INTO public.auditflow_schema_migrations VALUES (4, 'live views', '2026-12-04 08:33:23.562718+00');
INSERT INTO public.auditflow_schema_migrations VALUES (5, 'leaner request traces', '2026-12-04 08:33:23.58835+00');
INSERT INTO public.auditflow_schema_migrations VALUES (6, 'legal holds', '2026-12-04 08:33:23.608405+00');
INSERT INTO public.auditflow_schema_migrations VALUES (7, 'retention', '2026-12-04 08:33:23.640246+00');


--
-- Name: audit_ingest_alerts_alert_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.audit_ingest_alerts_alert_id_seq', 1, false);


--
-- Name: audit_legal_holds_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.audit_legal_holds_id_seq', 1, false);


--
-- Name: audit_retention_drops_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -
--

SELECT pg_catalog.setval('public.audit_retention_drops_id_seq', 1, false);


--
-- Name: audit_event_ids audit_event_ids_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_event_ids
    ADD CONSTRAINT audit_event_ids_pkey PRIMARY KEY (id);


--
-- Name: audit_events audit_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events
    ADD CONSTRAINT audit_events_pkey PRIMARY KEY (id, occurred_at);


--
-- Name: audit_events_default audit_events_default_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events_default
    ADD CONSTRAINT audit_events_default_pkey PRIMARY KEY (id, occurred_at);


--
-- Name: audit_events_y2026m12 audit_events_y2026m12_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events_y2026m12
    ADD CONSTRAINT audit_events_y2026m12_pkey PRIMARY KEY (id, occurred_at);


--
-- Name: audit_events_y2027m01 audit_events_y2027m01_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events_y2027m01
    ADD CONSTRAINT audit_events_y2027m01_pkey PRIMARY KEY (id, occurred_at);


--
-- Name: audit_events_y2027m02 audit_events_y2027m02_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events_y2027m02
    ADD CONSTRAINT audit_events_y2027m02_pkey PRIMARY KEY (id, occurred_at);


--
-- Name: audit_events_y2027m03 audit_events_y2027m03_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_events_y2027m03
    ADD CONSTRAINT audit_events_y2027m03_pkey PRIMARY KEY (id, occurred_at);


--
-- Name: audit_export_segments audit_export_segments_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_export_segments
    ADD CONSTRAINT audit_export_segments_pkey PRIMARY KEY (chain_id, manifest_seq);


--
-- Name: audit_export_watermarks audit_export_watermarks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_export_watermarks
    ADD CONSTRAINT audit_export_watermarks_pkey PRIMARY KEY (chain_id);


--
-- Name: audit_ingest_alerts audit_ingest_alerts_kind_src_stream_src_stream_id_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_ingest_alerts
    ADD CONSTRAINT audit_ingest_alerts_kind_src_stream_src_stream_id_key UNIQUE (kind, src_stream, src_stream_id);


--
-- Name: audit_ingest_alerts audit_ingest_alerts_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_ingest_alerts
    ADD CONSTRAINT audit_ingest_alerts_pkey PRIMARY KEY (alert_id);


--
-- Name: audit_ingest_watermarks audit_ingest_watermarks_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_ingest_watermarks
    ADD CONSTRAINT audit_ingest_watermarks_pkey PRIMARY KEY (sink, chain_id);


--
-- Name: audit_ledger_batches audit_ledger_batches_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_ledger_batches
    ADD CONSTRAINT audit_ledger_batches_pkey PRIMARY KEY (chain_id, to_seq);


--
-- Name: audit_legal_hold_releases audit_legal_hold_releases_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_legal_hold_releases
    ADD CONSTRAINT audit_legal_hold_releases_pkey PRIMARY KEY (hold_id);


--
-- Name: audit_legal_holds audit_legal_holds_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_legal_holds
    ADD CONSTRAINT audit_legal_holds_pkey PRIMARY KEY (id);


--
-- Name: audit_retention_drops audit_retention_drops_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_retention_drops
    ADD CONSTRAINT audit_retention_drops_pkey PRIMARY KEY (id);


--
-- Name: auditflow_meta auditflow_meta_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.auditflow_meta
    ADD CONSTRAINT auditflow_meta_pkey PRIMARY KEY (key);


--
-- Name: auditflow_schema_migrations auditflow_schema_migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.auditflow_schema_migrations
    ADD CONSTRAINT auditflow_schema_migrations_pkey PRIMARY KEY (version);


--
-- Name: request_traces request_traces_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.request_traces
    ADD CONSTRAINT request_traces_pkey PRIMARY KEY (request_id);


--
-- Name: revocation_propagation revocation_propagation_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.revocation_propagation
    ADD CONSTRAINT revocation_propagation_pkey PRIMARY KEY (revocation_event_id);


--
-- Name: revocation_violations revocation_violations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.revocation_violations
    ADD CONSTRAINT revocation_violations_pkey PRIMARY KEY (event_id, revocation_event_id);


--
-- Name: audit_event_ids_chain_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_event_ids_chain_idx ON public.audit_event_ids USING btree (chain_id, chain_seq);


--
-- Name: audit_events_chain_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_chain_idx ON ONLY public.audit_events USING btree (chain_id, chain_seq);


--
-- Name: audit_events_default_chain_id_chain_seq_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_default_chain_id_chain_seq_idx ON public.audit_events_default USING btree (chain_id, chain_seq);


--
-- Name: audit_events_request_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_request_idx ON ONLY public.audit_events USING btree (request_id) WHERE (request_id IS NOT NULL);


--
-- Name: audit_events_default_request_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_default_request_id_idx ON public.audit_events_default USING btree (request_id) WHERE (request_id IS NOT NULL);


--
-- Name: audit_events_zone_time_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_zone_time_idx ON ONLY public.audit_events USING btree (zone_id, occurred_at);


--
-- Name: audit_events_default_zone_id_occurred_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_default_zone_id_occurred_at_idx ON public.audit_events_default USING btree (zone_id, occurred_at);


--
-- Name: audit_events_y2026m12_chain_id_chain_seq_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_y2026m12_chain_id_chain_seq_idx ON public.audit_events_y2026m12 USING btree (chain_id, chain_seq);


--
-- Name: audit_events_y2026m12_request_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_y2026m12_request_id_idx ON public.audit_events_y2026m12 USING btree (request_id) WHERE (request_id IS NOT NULL);


--
-- Name: audit_events_y2026m12_zone_id_occurred_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_y2026m12_zone_id_occurred_at_idx ON public.audit_events_y2026m12 USING btree (zone_id, occurred_at);


--
-- Name: audit_events_y2027m01_chain_id_chain_seq_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_y2027m01_chain_id_chain_seq_idx ON public.audit_events_y2027m01 USING btree (chain_id, chain_seq);


--
-- Name: audit_events_y2027m01_request_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_y2027m01_request_id_idx ON public.audit_events_y2027m01 USING btree (request_id) WHERE (request_id IS NOT NULL);


--
-- Name: audit_events_y2027m01_zone_id_occurred_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_y2027m01_zone_id_occurred_at_idx ON public.audit_events_y2027m01 USING btree (zone_id, occurred_at);


--
-- Name: audit_events_y2027m02_chain_id_chain_seq_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_y2027m02_chain_id_chain_seq_idx ON public.audit_events_y2027m02 USING btree (chain_id, chain_seq);


--
-- Name: audit_events_y2027m02_request_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_y2027m02_request_id_idx ON public.audit_events_y2027m02 USING btree (request_id) WHERE (request_id IS NOT NULL);


--
-- Name: audit_events_y2027m02_zone_id_occurred_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_y2027m02_zone_id_occurred_at_idx ON public.audit_events_y2027m02 USING btree (zone_id, occurred_at);


--
-- Name: audit_events_y2027m03_chain_id_chain_seq_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_y2027m03_chain_id_chain_seq_idx ON public.audit_events_y2027m03 USING btree (chain_id, chain_seq);


--
-- Name: audit_events_y2027m03_request_id_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_y2027m03_request_id_idx ON public.audit_events_y2027m03 USING btree (request_id) WHERE (request_id IS NOT NULL);


--
-- Name: audit_events_y2027m03_zone_id_occurred_at_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_events_y2027m03_zone_id_occurred_at_idx ON public.audit_events_y2027m03 USING btree (zone_id, occurred_at);


--
-- Name: audit_ledger_batches_time_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_ledger_batches_time_idx ON public.audit_ledger_batches USING btree (committed_at_us);


--
-- Name: audit_retention_drops_range_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX audit_retention_drops_range_idx ON public.audit_retention_drops USING btree (from_at, until_at);


--
-- Name: revocation_propagation_zone_idx; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX revocation_propagation_zone_idx ON public.revocation_propagation USING btree (zone_id, revoked_at);


--
-- Name: audit_events_default_chain_id_chain_seq_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_chain_idx ATTACH PARTITION public.audit_events_default_chain_id_chain_seq_idx;


--
-- Name: audit_events_default_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_pkey ATTACH PARTITION public.audit_events_default_pkey;


--
-- Name: audit_events_default_request_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_request_idx ATTACH PARTITION public.audit_events_default_request_id_idx;


--
-- Name: audit_events_default_zone_id_occurred_at_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_zone_time_idx ATTACH PARTITION public.audit_events_default_zone_id_occurred_at_idx;


--
-- Name: audit_events_y2026m12_chain_id_chain_seq_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_chain_idx ATTACH PARTITION public.audit_events_y2026m12_chain_id_chain_seq_idx;


--
-- Name: audit_events_y2026m12_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_pkey ATTACH PARTITION public.audit_events_y2026m12_pkey;


--
-- Name: audit_events_y2026m12_request_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_request_idx ATTACH PARTITION public.audit_events_y2026m12_request_id_idx;


--
-- Name: audit_events_y2026m12_zone_id_occurred_at_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_zone_time_idx ATTACH PARTITION public.audit_events_y2026m12_zone_id_occurred_at_idx;


--
-- Name: audit_events_y2027m01_chain_id_chain_seq_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_chain_idx ATTACH PARTITION public.audit_events_y2027m01_chain_id_chain_seq_idx;


--
-- Name: audit_events_y2027m01_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_pkey ATTACH PARTITION public.audit_events_y2027m01_pkey;


--
-- Name: audit_events_y2027m01_request_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_request_idx ATTACH PARTITION public.audit_events_y2027m01_request_id_idx;


--
-- Name: audit_events_y2027m01_zone_id_occurred_at_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_zone_time_idx ATTACH PARTITION public.audit_events_y2027m01_zone_id_occurred_at_idx;


--
-- Name: audit_events_y2027m02_chain_id_chain_seq_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_chain_idx ATTACH PARTITION public.audit_events_y2027m02_chain_id_chain_seq_idx;


--
-- Name: audit_events_y2027m02_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_pkey ATTACH PARTITION public.audit_events_y2027m02_pkey;


--
-- Name: audit_events_y2027m02_request_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_request_idx ATTACH PARTITION public.audit_events_y2027m02_request_id_idx;


--
-- Name: audit_events_y2027m02_zone_id_occurred_at_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_zone_time_idx ATTACH PARTITION public.audit_events_y2027m02_zone_id_occurred_at_idx;


--
-- Name: audit_events_y2027m03_chain_id_chain_seq_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_chain_idx ATTACH PARTITION public.audit_events_y2027m03_chain_id_chain_seq_idx;


--
-- Name: audit_events_y2027m03_pkey; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_pkey ATTACH PARTITION public.audit_events_y2027m03_pkey;


--
-- Name: audit_events_y2027m03_request_id_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_request_idx ATTACH PARTITION public.audit_events_y2027m03_request_id_idx;


--
-- Name: audit_events_y2027m03_zone_id_occurred_at_idx; Type: INDEX ATTACH; Schema: public; Owner: -
--

ALTER INDEX public.audit_events_zone_time_idx ATTACH PARTITION public.audit_events_y2027m03_zone_id_occurred_at_idx;


--
-- Name: audit_event_ids auditflow_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_append_only BEFORE DELETE OR UPDATE ON public.audit_event_ids FOR EACH ROW EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_events auditflow_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_append_only BEFORE DELETE OR UPDATE ON public.audit_events FOR EACH ROW EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_ingest_alerts auditflow_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_append_only BEFORE DELETE OR UPDATE ON public.audit_ingest_alerts FOR EACH ROW EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_ledger_batches auditflow_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_append_only BEFORE DELETE OR UPDATE ON public.audit_ledger_batches FOR EACH ROW EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_legal_hold_releases auditflow_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_append_only BEFORE DELETE OR UPDATE ON public.audit_legal_hold_releases FOR EACH ROW EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_legal_holds auditflow_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_append_only BEFORE DELETE OR UPDATE ON public.audit_legal_holds FOR EACH ROW EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_retention_drops auditflow_append_only; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_append_only BEFORE DELETE OR UPDATE ON public.audit_retention_drops FOR EACH ROW EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_event_ids auditflow_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON public.audit_event_ids FOR EACH STATEMENT EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_events auditflow_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON public.audit_events FOR EACH STATEMENT EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_events_default auditflow_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON public.audit_events_default FOR EACH STATEMENT EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_events_y2026m12 auditflow_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON public.audit_events_y2026m12 FOR EACH STATEMENT EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_events_y2027m01 auditflow_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON public.audit_events_y2027m01 FOR EACH STATEMENT EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_events_y2027m02 auditflow_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON public.audit_events_y2027m02 FOR EACH STATEMENT EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_events_y2027m03 auditflow_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON public.audit_events_y2027m03 FOR EACH STATEMENT EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_ingest_alerts auditflow_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON public.audit_ingest_alerts FOR EACH STATEMENT EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_ledger_batches auditflow_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON public.audit_ledger_batches FOR EACH STATEMENT EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_legal_hold_releases auditflow_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON public.audit_legal_hold_releases FOR EACH STATEMENT EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_legal_holds auditflow_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON public.audit_legal_holds FOR EACH STATEMENT EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_retention_drops auditflow_no_truncate; Type: TRIGGER; Schema: public; Owner: -
--

CREATE TRIGGER auditflow_no_truncate BEFORE TRUNCATE ON public.audit_retention_drops FOR EACH STATEMENT EXECUTE FUNCTION public.auditflow_refuse_change();


--
-- Name: audit_legal_hold_releases audit_legal_hold_releases_hold_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audit_legal_hold_releases
    ADD CONSTRAINT audit_legal_hold_releases_hold_id_fkey FOREIGN KEY (hold_id) REFERENCES public.audit_legal_holds(id);


--
-- Name: FUNCTION auditflow_drop_month_partition(month_start date, retention_days integer, requested_by text); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.auditflow_drop_month_partition(month_start date, retention_days integer, requested_by text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auditflow_drop_month_partition(month_start date, retention_days integer, requested_by text) TO auditflow_writer;


--
-- Name: FUNCTION auditflow_ensure_month_partition(month_start date); Type: ACL; Schema: public; Owner: -
--

REVOKE ALL ON FUNCTION public.auditflow_ensure_month_partition(month_start date) FROM PUBLIC;
GRANT ALL ON FUNCTION public.auditflow_ensure_month_partition(month_start date) TO auditflow_writer;


--
-- Name: TABLE audit_event_ids; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.audit_event_ids TO auditflow_writer;


--
-- Name: TABLE audit_events; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.audit_events TO auditflow_writer;


--
-- Name: TABLE audit_export_segments; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.audit_export_segments TO auditflow_writer;


--
-- Name: TABLE audit_export_watermarks; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,UPDATE ON TABLE public.audit_export_watermarks TO auditflow_writer;


--
-- Name: TABLE audit_ingest_alerts; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.audit_ingest_alerts TO auditflow_writer;


--
-- Name: SEQUENCE audit_ingest_alerts_alert_id_seq; Type: ACL; Schema: public; Owner: -
--

GRANT USAGE ON SEQUENCE public.audit_ingest_alerts_alert_id_seq TO auditflow_writer;


--
-- Name: TABLE audit_ingest_watermarks; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,UPDATE ON TABLE public.audit_ingest_watermarks TO auditflow_writer;


--
-- Name: TABLE audit_ledger_batches; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT ON TABLE public.audit_ledger_batches TO auditflow_writer;


--
-- Name: TABLE audit_legal_hold_releases; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.audit_legal_hold_releases TO auditflow_writer;


--
-- Name: TABLE audit_legal_holds; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.audit_legal_holds TO auditflow_writer;


--
-- Name: TABLE audit_retention_drops; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.audit_retention_drops TO auditflow_writer;


--
-- Name: TABLE audit_retired_events; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.audit_retired_events TO auditflow_writer;


--
-- Name: TABLE auditflow_meta; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.auditflow_meta TO auditflow_writer;


--
-- Name: TABLE auditflow_schema_migrations; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.auditflow_schema_migrations TO auditflow_writer;


--
-- Name: TABLE request_traces; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.request_traces TO auditflow_writer;


--
-- Name: TABLE revocation_propagation; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.revocation_propagation TO auditflow_writer;


--
-- Name: TABLE revocation_violations; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.revocation_violations TO auditflow_writer;


--
-- PostgreSQL database dump complete
--


