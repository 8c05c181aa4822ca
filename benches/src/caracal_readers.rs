//! `auditflow bench caracal-readers`: Caracal's console and notification dispatcher read
//! `audit_events` directly (apps/api: the zone audit list and its filters, by-request and
//! explain, the overview, the sinks' head, the dispatcher's page). This runs those queries,
//! as Caracal's API sends them, on the same rows in three layouts:
//!
//! - `caracal`: Caracal's own (the baseline's tables, indexes, row-level security, grants:
//!   tests/data/caracal-audit-layout.sql);
//! - `adopted`: that layout after `auditflow migrate` adopted it, as a Caracal install with
//!   auditflow has it whichever migrations ran first;
//! - `auditflow`: a ledger auditflow created, given Caracal's grant and policy so that the
//!   API reads it under the same rules.
//!
//! Every layout holds the same N rows (default 1M) over ~20 zones and 45 days, sessions,
//! authority records, applications and labels in `metadata_json`, filled with SQL. The
//! queries run as Caracal's API runs them: role `caracalapi`, `caracal.zone_id = '*'` (the
//! console's global tokens and the dispatcher), parameters inlined as the API's unnamed
//! statements are planned with their values. Rounds interleave the layouts (their order
//! alternating) and draw fresh parameters, the same for every layout; the median per query
//! and layout is reported. `--as-owner` runs them as the tables' owner instead, without
//! row-level security. Results: target/bench/caracal-readers.json.

use crate::harness::{fresh_database, machine, Globals};
use anyhow::Context;
use clap::Args;
use rand::{Rng, SeedableRng};
use std::time::Instant;

/// `auditflow bench caracal-readers` options.
#[derive(Debug, Args, Clone)]
pub struct CaracalReadersArgs {
    /// Rows in each layout.
    #[arg(long, default_value_t = 1_000_000)]
    pub rows: i64,
    /// Zones the rows are spread over.
    #[arg(long, default_value_t = 20)]
    pub zones: i64,
    /// Timed rounds (each runs every query once in every layout).
    #[arg(long, default_value_t = 31)]
    pub rounds: usize,
    /// Keep the layouts a previous run filled with the same row count.
    #[arg(long)]
    pub reuse: bool,
    /// Query as the tables' owner (no row-level security) rather than as `caracalapi`.
    #[arg(long)]
    pub as_owner: bool,
    /// Mark jsonb's `->>`, `->` and `@>` functions LEAKPROOF in the three databases (needs a
    /// superuser), so that under row-level security the metadata filters may use indexes;
    /// without it they are marked as Postgres ships them.
    #[arg(long)]
    pub leakproof_json: bool,
    /// Where to write the JSON results.
    #[arg(long, default_value = "target/bench/caracal-readers.json")]
    pub out: std::path::PathBuf,
}

const LAYOUTS: [&str; 3] = ["caracal", "adopted", "auditflow"];
const CARACAL_LAYOUT: &str = include_str!("../../tests/data/caracal-audit-layout.sql");
const DAYS: i64 = 45;
const SESSIONS: i64 = 20_000;
const AUTHORITY_RECORDS: i64 = 4_000;
const APPLICATIONS: i64 = 60;
const LABELS: i64 = 8;

/// Caracal's access to a ledger auditflow created: the policy and grant of its baseline.
const CARACAL_ACCESS: &str = "
    ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
    DROP POLICY IF EXISTS zone_isolation ON audit_events;
    CREATE POLICY zone_isolation ON audit_events
        USING (current_setting('caracal.zone_id', true) = '*' OR current_setting('caracal.zone_id', true) = zone_id)
        WITH CHECK (current_setting('caracal.zone_id', true) = '*' OR current_setting('caracal.zone_id', true) = zone_id);
    GRANT SELECT ON audit_events TO caracalapi;";

fn database(layout: &str) -> String {
    format!("auditflow_bench_readers_{layout}")
}

/// Fills `layout` with the benchmark's rows, ending now. Every layout gets the same values;
/// the ledger auditflow created also needs its own NOT NULL columns.
async fn fill(c: &tokio_postgres::Client, layout: &str, rows: i64, zones: i64) -> anyhow::Result<()> {
    let auditflow_columns = layout == "auditflow";
    let (extra_cols, extra_vals) = if auditflow_columns {
        (", chain_id, key_id, src_stream_id", ", (g % $4)::int + 1, 'default', '0-' || g")
    } else {
        ("", "")
    };
    let sql = format!(
        "INSERT INTO audit_events (id, zone_id, event_type, request_id, decision, evaluation_status, \
            determining_policies_json, diagnostics_json, metadata_json, occurred_at, content_sha256, \
            chain_hmac, chain_seq{extra_cols}) \
         SELECT 'evt-r-' || g, 'zone-' || lpad((g % $4)::text, 2, '0'), \
            CASE WHEN (g / $4) % 50 < 22 THEN 'token_exchange' WHEN (g / $4) % 50 < 44 THEN 'gateway_resource_request' \
                 WHEN (g / $4) % 50 = 44 THEN 'step_up_issued' WHEN (g / $4) % 50 = 45 THEN 'step_up_decided' \
                 WHEN (g / $4) % 50 = 46 THEN 'session_created' WHEN (g / $4) % 50 = 47 THEN 'session_revoked' \
                 WHEN (g / $4) % 50 = 48 THEN 'delegation_edge_created' ELSE 'policy_changed' END, \
            'req-' || (g % $4) || '-' || (g / (2 * $4)), CASE WHEN (g / $4) % 10 = 9 THEN 'deny' ELSE 'allow' END, 'complete', \
            '[]'::jsonb, '{{}}'::jsonb, \
            jsonb_build_object('application_id', 'app-' || (g % {APPLICATIONS}), \
                               'agent_session_id', 'as-' || (g % {SESSIONS}), \
                               'session_id', 'ar-' || (g % {AUTHORITY_RECORDS}), \
                               'agent_labels', jsonb_build_array('label-' || ((g / $4 / 7) % {LABELS})), \
                               'resource', 'files', 'trace_id', md5(g::text)), \
            now() - interval '{DAYS} days' + (g::float8 / $3::float8) * interval '{DAYS} days', \
            md5(g::text) || md5(g::text), md5('h' || g) || md5('h' || g), g / $4 + 1{extra_vals} \
         FROM generate_series($1::bigint, $2::bigint) g"
    );
    let bar = indicatif::ProgressBar::new(rows as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "filling {layout:<9} {{bar:40}} {{pos}}/{{len}} rows, eta {{eta}}"
        ))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let chunk = 200_000i64;
    let mut from = 0i64;
    while from < rows {
        let to = (from + chunk).min(rows) - 1;
        c.execute(&sql, &[&from, &to, &(rows as f64), &zones]).await.with_context(|| format!("fill {layout}"))?;
        bar.inc((to - from + 1) as u64);
        from = to + 1;
    }
    bar.finish_and_clear();
    c.batch_execute("ANALYZE audit_events").await.context("analyze")?;
    Ok(())
}

/// Makes the three layouts (unless `--reuse` finds them filled).
async fn prepare(
    global: &Globals,
    args: &CaracalReadersArgs,
) -> anyhow::Result<Vec<auditflow_ledger::postgres::PgTarget>> {
    let base = global.resolve()?;
    let mut targets = Vec::new();
    for layout in LAYOUTS {
        let mut pg = base.pg.clone();
        pg.dbname(database(layout));
        let filled = match auditflow_ledger::postgres::connect_once(&pg).await {
            Ok(c) => c
                .query_one("SELECT count(*) FROM audit_events", &[])
                .await
                .map(|r| r.get::<_, i64>(0) == args.rows)
                .unwrap_or(false),
            Err(_) => false,
        };
        if !(args.reuse && filled) {
            let started = Instant::now();
            fresh_database(global, &database(layout)).await?;
            auditflow_ledger::postgres::ensure_database(&pg).await?;
            // Adoption and migrations take connections of their own beside `c`.
            let pool = auditflow_ledger::postgres::pool(&pg, 6)?;
            let c = auditflow_ledger::postgres::client(&pool).await?;
            match layout {
                "caracal" => c.batch_execute(CARACAL_LAYOUT).await.context("lay out Caracal's tables")?,
                "adopted" => {
                    c.batch_execute(CARACAL_LAYOUT).await.context("lay out Caracal's tables")?;
                    auditflow_ledger::migrations::migrate_adopting_caracal(&pool).await.context("adopt")?;
                }
                _ => {
                    c.batch_execute(CARACAL_LAYOUT.split("CREATE TABLE audit_events").next().unwrap_or(""))
                        .await
                        .context("create Caracal's roles")?;
                    auditflow_ledger::migrations::migrate(&pool).await.context("migrate")?;
                    // Past months get their partition when their first event arrives, as
                    // the pipeline does; a bulk fill makes them first.
                    c.batch_execute(&format!(
                        "SELECT auditflow_ensure_month_partition(m::date) FROM generate_series( \
                           date_trunc('month', now() - interval '{DAYS} days'), now(), interval '1 month') m"
                    ))
                    .await
                    .context("create the months")?;
                    c.batch_execute(CARACAL_ACCESS).await.context("give Caracal's API its access")?;
                }
            }
            fill(&c, layout, args.rows, args.zones).await?;
            eprintln!("bench caracal-readers: {layout} filled in {:.0} s", started.elapsed().as_secs_f64());
        }
        targets.push(pg);
    }
    Ok(targets)
}

/// One round's parameters, drawn from the values the rows hold; the same for every layout.
struct Draw {
    zone: String,
    request: String,
    cursor_at: String,
    cursor_id: String,
    chain_seq: i64,
    application: String,
    session: String,
    authority_record: String,
    label: String,
    since: String,
    until: String,
}

fn draw(rng: &mut rand::rngs::StdRng, rows: i64, zones: i64, now: chrono::DateTime<chrono::Utc>) -> Draw {
    let z = rng.random_range(0..zones);
    let per_zone = rows / zones;
    let at = |g: i64| {
        let t = now - chrono::Duration::days(DAYS)
            + chrono::Duration::milliseconds((g as f64 / rows as f64 * (DAYS * 86_400_000) as f64) as i64);
        t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    };
    // A row of this zone a third of the way back: a cursor into the middle of its history.
    let g_cursor = (per_zone * 2 / 3) * zones + z;
    let day = rng.random_range(1..DAYS - 1);
    Draw {
        zone: format!("zone-{z:02}"),
        request: format!("req-{z}-{}", rng.random_range(0..per_zone / 2)),
        cursor_at: at(g_cursor),
        cursor_id: format!("evt-r-{g_cursor}"),
        chain_seq: rng.random_range(0..per_zone),
        application: format!("app-{}", pick_in_zone(rng, APPLICATIONS, zones, z)),
        session: format!("as-{}", pick_in_zone(rng, SESSIONS, zones, z)),
        authority_record: format!("ar-{}", pick_in_zone(rng, AUTHORITY_RECORDS, zones, z)),
        label: format!("label-{}", rng.random_range(0..LABELS)),
        since: (now - chrono::Duration::days(day + 1)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        until: (now - chrono::Duration::days(day)).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    }
}

/// A value `g % modulus` that occurs in zone `z` (`g % zones == z`).
fn pick_in_zone(rng: &mut rand::rngs::StdRng, modulus: i64, zones: i64, z: i64) -> i64 {
    rng.random_range(0..modulus / zones) * zones + z
}

const LIST: &str = "SELECT id, zone_id, event_type, request_id, decision, policy_set_id, policy_set_version_id, \
    manifest_sha, evaluation_status, determining_policies_json, diagnostics_json, metadata_json, occurred_at, \
    ingested_at FROM audit_events WHERE zone_id = ";
const LIST_END: &str = " ORDER BY occurred_at DESC, id DESC LIMIT 100";

fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The readers, each as the API assembles it for one set of filters.
fn queries(d: &Draw) -> Vec<(&'static str, String)> {
    let z = lit(&d.zone);
    let list = |filters: String| format!("{LIST}{z}{filters}{LIST_END}");
    let steps = "'{\"step_up_issued\",\"step_up_decided\"}'";
    let cursor = format!(" AND (occurred_at, id) < ({}, {})", lit(&d.cursor_at), lit(&d.cursor_id));
    vec![
        ("list", list(String::new())),
        ("list: next page (cursor)", list(cursor.clone())),
        ("list: since + until (one day)", list(format!(" AND occurred_at >= {} AND occurred_at < {}", lit(&d.since), lit(&d.until)))),
        ("list: request_id", list(format!(" AND request_id = {}", lit(&d.request)))),
        ("list: decision deny", list(" AND decision = 'deny'".into())),
        ("list: one event type", list(" AND event_type = 'session_revoked'".into())),
        ("list: two event types + cursor", list(format!(" AND event_type = ANY({steps}){cursor}"))),
        ("list: application_id", list(format!(" AND metadata_json->>'application_id' = {}", lit(&d.application)))),
        ("list: session_id (agent session)", list(format!(" AND metadata_json->>'agent_session_id' = {}", lit(&d.session)))),
        (
            "list: authority_record_id",
            list(format!(" AND metadata_json->>'session_id' = {}", lit(&d.authority_record))),
        ),
        ("list: label", list(format!(" AND metadata_json->'agent_labels' @> {}::jsonb", lit(&format!("[\"{}\"]", d.label))))),
        (
            "list: label + decision deny",
            list(format!(
                " AND decision = 'deny' AND metadata_json->'agent_labels' @> {}::jsonb",
                lit(&format!("[\"{}\"]", d.label))
            )),
        ),
        (
            "list: label + two types + cursor",
            list(format!(
                " AND event_type = ANY({steps}) AND metadata_json->'agent_labels' @> {}::jsonb{cursor}",
                lit(&format!("[\"{}\"]", d.label))
            )),
        ),
        (
            "by-request / explain",
            format!(
                "SELECT id, zone_id, event_type, request_id, decision, policy_set_id, policy_set_version_id, manifest_sha, \
                 evaluation_status, determining_policies_json, diagnostics_json, metadata_json, occurred_at, ingested_at \
                 FROM audit_events WHERE zone_id = {z} AND request_id = {} ORDER BY occurred_at ASC",
                lit(&d.request)
            ),
        ),
        (
            "overview: 24 h decisions",
            format!(
                "SELECT count(*) FILTER (WHERE decision = 'allow')::int, count(*) FILTER (WHERE decision = 'deny')::int \
                 FROM audit_events WHERE zone_id = {z} AND occurred_at >= now() - interval '24 hours'"
            ),
        ),
        (
            "overview: 10 most recent",
            format!(
                "SELECT id, event_type, request_id, decision, metadata_json, occurred_at FROM audit_events \
                 WHERE zone_id = {z} ORDER BY occurred_at DESC, id DESC LIMIT 10"
            ),
        ),
        ("sink / dispatcher: head", format!("SELECT COALESCE(MAX(chain_seq), 0)::text FROM audit_events WHERE zone_id = {z}")),
        (
            "dispatcher: page",
            format!(
                "SELECT id, zone_id, event_type, decision, metadata_json, occurred_at, chain_seq FROM audit_events \
                 WHERE zone_id = {z} AND chain_seq > {} AND event_type = ANY({steps}) ORDER BY chain_seq ASC LIMIT 100",
                d.chain_seq
            ),
        ),
    ]
}

/// Runs the benchmark.
pub fn run(global: &Globals, args: &CaracalReadersArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all("target/bench")?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let mut medians: Vec<(String, Vec<f64>, Vec<usize>)> = Vec::new();
    runtime.block_on(async {
        let targets = prepare(global, args).await?;
        let mut clients = Vec::new();
        let leakproof = if args.leakproof_json { "LEAKPROOF" } else { "NOT LEAKPROOF" };
        for pg in &targets {
            let c = auditflow_ledger::postgres::connect_once(pg).await.context("connect")?;
            c.batch_execute(&format!(
                "ALTER FUNCTION pg_catalog.jsonb_object_field_text(jsonb, text) {leakproof}; \
                 ALTER FUNCTION pg_catalog.jsonb_object_field(jsonb, text) {leakproof}; \
                 ALTER FUNCTION pg_catalog.jsonb_contains(jsonb, jsonb) {leakproof}"
            ))
            .await
            .context("mark jsonb's functions (needs a superuser)")?;
            if !args.as_owner {
                c.batch_execute("SET ROLE caracalapi; SELECT set_config('caracal.zone_id', '*', false)").await?;
            }
            clients.push(c);
        }
        let mut rng = rand::rngs::StdRng::seed_from_u64(33);
        let now = chrono::Utc::now();
        let names: Vec<&str> = queries(&draw(&mut rng, args.rows, args.zones, now)).iter().map(|q| q.0).collect();
        // [query][layout] -> samples (ms), and the rows each layout returned in the last round.
        let mut samples = vec![vec![Vec::<f64>::new(); LAYOUTS.len()]; names.len()];
        let mut returned = vec![vec![0usize; LAYOUTS.len()]; names.len()];
        let bar = indicatif::ProgressBar::new((args.rounds + 1) as u64);
        for round in 0..=args.rounds {
            let d = draw(&mut rng, args.rows, args.zones, now);
            for (qi, (_, sql)) in queries(&d).iter().enumerate() {
                let mut order: Vec<usize> = (0..LAYOUTS.len()).collect();
                order.rotate_left((round + qi) % LAYOUTS.len());
                let mut counts = vec![0usize; LAYOUTS.len()];
                for li in order {
                    let started = Instant::now();
                    let messages = clients[li].simple_query(sql).await.with_context(|| sql.clone())?;
                    let ms = started.elapsed().as_secs_f64() * 1000.0;
                    counts[li] =
                        messages.iter().filter(|m| matches!(m, tokio_postgres::SimpleQueryMessage::Row(_))).count();
                    // Round 0 warms the caches and plans nothing is kept from.
                    if round > 0 {
                        samples[qi][li].push(ms);
                    }
                }
                anyhow::ensure!(
                    counts.iter().all(|c| *c == counts[0]),
                    "the layouts disagree on {}: {counts:?} rows",
                    names[qi]
                );
                returned[qi] = counts;
            }
            bar.inc(1);
        }
        bar.finish_and_clear();
        for (qi, name) in names.iter().enumerate() {
            let m = samples[qi]
                .iter_mut()
                .map(|s| {
                    s.sort_by(f64::total_cmp);
                    s[s.len() / 2]
                })
                .collect();
            medians.push(((*name).to_owned(), m, returned[qi].clone()));
        }
        anyhow::Ok(())
    })?;

    let who = match (args.as_owner, args.leakproof_json) {
        (true, _) => "the tables' owner (no row-level security)",
        (false, false) => "caracalapi under row-level security, zone '*'",
        (false, true) => "caracalapi under row-level security, zone '*', jsonb's functions LEAKPROOF",
    };
    println!(
        "Caracal's readers on {} rows, {} zones, as {who}: median of {} interleaved rounds, ms",
        args.rows, args.zones, args.rounds
    );
    println!("{:<36} {:>8} {:>8} {:>9} {:>7} {:>8}", "query", "caracal", "adopted", "auditflow", "rows", "vs Caracal");
    let mut results = Vec::new();
    for (name, m, rows) in &medians {
        let worst = m[1].max(m[2]);
        println!("{name:<36} {:>8.2} {:>8.2} {:>9.2} {:>7} {:>7.2}x", m[0], m[1], m[2], rows[0], worst / m[0]);
        results.push(serde_json::json!({
            "query": name, "rows_returned": rows[0],
            "median_ms": {"caracal": m[0], "adopted": m[1], "auditflow": m[2]},
        }));
    }
    let json = serde_json::json!({
        "bench": "caracal-readers", "machine": machine(), "rows": args.rows, "zones": args.zones,
        "rounds": args.rounds, "as": if args.as_owner { "owner" } else { "caracalapi" }, "jsonb_leakproof": args.leakproof_json, "queries": results,
    });
    std::fs::write(&args.out, serde_json::to_string_pretty(&json)?)?;
    println!("wrote {}", args.out.display());
    Ok(())
}
