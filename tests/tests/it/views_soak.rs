//! A soak of the live views in event time (issue 19) against real Redis and Postgres: two
//! million events spread over 48 hours of event time, published at a fixed rate (3 000/s)
//! to a running pipeline. The views' window must hold open work only (requests still active, accesses a revocation could still
//! reach on time), whatever the volume, and the views' tables must end equal to a
//! from-scratch computation over the ledger. The delegation graph must hold the trees
//! touched within the idle period only, and what the views hold must stay within their
//! budget while a busy loop takes one of the machine's cores (issue 30: before the budget,
//! views that fell behind held their whole lag). The process's memory is sampled and its
//! slope reported.

use crate::common::stats::slope;
use crate::common::views::{stored_violations, violations_from_ledger};
use crate::common::{http_get, parse_metrics, TestEnv};
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(1200);

fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

#[test]
fn two_million_events_over_48_hours_keep_the_views_window_to_open_work_and_end_equal_to_the_ledger() {
    let count: u64 = std::env::var("AUDITFLOW_SOAK_EVENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000_000);
    // 5 000/s with one core of the two busy. The builds of issue 29 fell behind at this rate
    // even without the busy loop and held 56-60k lifecycle rows (bound 27.7k). Today's keep
    // up, holding up to about 3 000 rows unwritten at their peaks (2026-12-07): a budget of
    // 2 000 makes them fall behind it at every peak, so the soak also runs the read-back
    // from the ledger throughout, and what they have not written stays within the budget.
    let rate: u64 = std::env::var("AUDITFLOW_SOAK_RATE").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000);
    let spacing_ms = (48 * 3_600_000 / count).max(1);
    // Alone otherwise: the busy loop is the load it measures against.
    let env = TestEnv::alone("views_soak");
    let budget = 2_000u64;
    assert!(env.output(&["migrate"]).status.success(), "migrate");
    // A minute of lateness and 30 s of request gap: about 1 000 events of event time.
    let (lateness_s, gap_s) = (60u64, 30u64);
    let per_window = (lateness_s + gap_s) * 1000 / spacing_ms;
    // Ten minutes of idleness: a delegation tree leaves memory ten minutes (event time)
    // after it was last touched, about 7 000 events later at this spacing.
    let idle_s = 600u64;
    let per_idle = (idle_s + lateness_s) * 1000 / spacing_ms;
    let mut run = env.spawn_run(
        &[
            "--retention-interval-secs",
            "0",
            "--views-allowed-lateness-secs",
            &lateness_s.to_string(),
            "--views-request-gap-secs",
            &gap_s.to_string(),
            "--views-session-idle-secs",
            &idle_s.to_string(),
            "--views-budget-rows",
            &budget.to_string(),
            "--listen",
            "127.0.0.1:0",
        ],
        &[],
    );
    let addr = env.server_addr(1);
    let started = Instant::now();
    // (rows committed, RSS MiB, open requests, access events held, lifecycle rows held,
    // rows unwritten)
    let mut samples: Vec<(f64, f64, f64, f64, f64, f64)> = Vec::new();
    let mut shed = 0.0f64;
    let (mut lag_reported, mut readyz_gates_lag) = (false, false);
    let emitted = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        // A busy loop on one core while the events are published, bounded by the soak's limit.
        scope.spawn(|| {
            let mut x = 0u64;
            while !emitted.load(std::sync::atomic::Ordering::Relaxed) && started.elapsed() < LIMIT {
                for i in 0..1_000_000u64 {
                    x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
                }
            }
        });
        scope.spawn(|| {
            let out = env.output(&[
                "emit",
                "--count",
                &count.to_string(),
                "--seed",
                "33",
                "--zones",
                "8",
                "--event-spacing-ms",
                &spacing_ms.to_string(),
                "--start-time",
                "2026-06-01T00:00:00Z",
                "--rate",
                &rate.to_string(),
            ]);
            assert!(out.status.success(), "emit: {}", String::from_utf8_lossy(&out.stderr));
            emitted.store(true, std::sync::atomic::Ordering::SeqCst);
        });
        // Until everything is published, committed and in the views (lag 0 twice running).
        let mut caught_up = 0;
        while caught_up < 2 {
            assert!(run.try_wait().expect("wait").is_none(), "the run stopped; log:\n{}", env.log_tail());
            assert!(started.elapsed() < LIMIT, "the soak did not finish in {LIMIT:?}; log:\n{}", env.log_tail());
            std::thread::sleep(Duration::from_millis(500));
            let (code, body) = http_get(&addr, "/metrics", &[]);
            let Some(rss) = rss_mib(run.id()) else { continue };
            if code != 200 {
                continue;
            }
            let m = parse_metrics(&body);
            lag_reported |= m.contains_key("auditflow_views_lag_seconds");
            if !readyz_gates_lag {
                readyz_gates_lag = http_get(&addr, "/readyz", &[]).1.contains("\"views_lag\"");
            }
            let get = |k: &str| m.get(k).copied().unwrap_or(0.0);
            let committed = get("caracal_audit_inserts_total");
            samples.push((
                committed,
                rss,
                get("auditflow_views_open_requests"),
                get("auditflow_views_held_access_events"),
                get("auditflow_views_graph_rows"),
                get("auditflow_views_unwritten_rows"),
            ));
            shed = shed.max(get("auditflow_views_shed_rows_total"));
            let done = emitted.load(std::sync::atomic::Ordering::SeqCst)
                && committed >= count as f64
                && get("auditflow_views_lag_seconds") == 0.0;
            caught_up = if done { caught_up + 1 } else { 0 };
        }
    });
    let _ = std::process::Command::new("kill").arg("-TERM").arg(run.id().to_string()).status();
    let status = run.wait().expect("wait");
    assert!(status.success(), "run failed: {status}; log:\n{}", env.log_tail());
    assert!(lag_reported, "/metrics has auditflow_views_lag_seconds");
    assert!(readyz_gates_lag, "/readyz has a views_lag check");
    let rows = env.ledger_rows() as f64;

    // After the first hour of event time (1/48 of the rows).
    let steady: Vec<&(f64, f64, f64, f64, f64, f64)> = samples.iter().filter(|s| s.0 > rows / 48.0).collect();
    assert!(steady.len() >= 10, "too few samples after the first hour: {}", steady.len());
    let max_open = steady.iter().map(|s| s.2).fold(0.0, f64::max);
    let max_held = steady.iter().map(|s| s.3).fold(0.0, f64::max);
    // Bounded by the events in a lateness-plus-gap span (with room for an epoch's worth
    // of arrivals not yet evicted), not by the millions drained.
    let bound = 8.0 * per_window as f64 + 20_000.0;
    assert!(max_open <= bound, "open requests reached {max_open} (bound {bound}, {rows} rows)");
    assert!(max_held <= bound, "access events held reached {max_held} (bound {bound}, {rows} rows)");
    assert!(max_held > 0.0, "the window gauges were read: {samples:?}");
    // The graph: the lifecycle rows of an idle period (the generator's are 16 % of its
    // events), with the same room, not every session ever created.
    let max_graph = steady.iter().map(|s| s.4).fold(0.0, f64::max);
    let every = (samples.len() / 12).max(1);
    let series: Vec<(u64, u64)> = samples.iter().step_by(every).map(|s| (s.0 as u64, s.4 as u64)).collect();
    eprintln!("soak: (rows committed, lifecycle rows held) over the run: {series:?}");
    let max_unwritten = samples.iter().map(|s| s.5).fold(0.0, f64::max);
    // Each read-back brings at most a quarter of the budget, issued once the views are down to
    // half of it, and a step of the worker can admit what one epoch commits before it
    // notices the budget is spent.
    assert!(
        max_unwritten <= 2.0 * budget as f64,
        "rows given to the views and not written reached {max_unwritten} (budget {budget})"
    );
    eprintln!(
        "soak: rows unwritten max {max_unwritten} (budget {budget}), rows kept from the views and read back {shed}"
    );
    assert!(shed > 0.0, "the views fell behind their budget of {budget} rows at least once");
    let graph_bound = per_idle as f64 + 20_000.0;
    assert!(max_graph <= graph_bound, "lifecycle rows held reached {max_graph} (bound {graph_bound}, {rows} rows)");
    assert!(max_graph > 0.0, "the graph gauge was read");
    let retired: i64 = env.query("SELECT count(DISTINCT worker) FROM audit_views_retired_pages")[0].get(0);
    assert!(retired > 0, "the workers stored their filters of retired trees");
    let rss: Vec<(f64, f64)> = steady.iter().map(|s| (s.0, s.1)).collect();
    let graph: i64 = env.query(
        "SELECT count(*) FROM audit_events WHERE event_type LIKE 'session\\_%' OR event_type LIKE 'delegation\\_%'",
    )[0]
    .get(0);
    eprintln!(
        "soak: {rows} rows, {graph} lifecycle rows, {} samples; after the first hour: open requests max {max_open}, \
         access events held max {max_held}, lifecycle rows held max {max_graph}, RSS {:.0} → {:.0} MiB, slope {:.2} MiB per 100k rows",
        steady.len(),
        rss.first().map_or(0.0, |p| p.1),
        rss.last().map_or(0.0, |p| p.1),
        slope(&rss) * 100_000.0
    );

    // The views' tables equal a from-scratch computation over the ledger.
    let differing: i64 = env.query(
        "WITH l AS (SELECT request_id, array_agg(id ORDER BY id) AS ids, \
                           CASE WHEN bool_or(lower(decision) = 'deny') THEN 'deny' END AS denied \
                    FROM audit_events WHERE request_id IS NOT NULL GROUP BY request_id), \
              v AS (SELECT request_id, final_decision, \
                           ARRAY(SELECT e->>'event_id' FROM jsonb_array_elements(trace->'events') e ORDER BY 1) AS ids \
                    FROM request_traces) \
         SELECT count(*) FROM l FULL JOIN v USING (request_id) \
         WHERE l.ids IS DISTINCT FROM v.ids OR (l.denied = 'deny' AND v.final_decision IS DISTINCT FROM 'deny')",
    )[0]
    .get(0);
    assert_eq!(differing, 0, "request traces that differ from the ledger's");
    let violations = stored_violations(&env);
    assert_eq!(violations, violations_from_ledger(&env), "violations equal the recursive SQL over the ledger");
    assert!(!violations.is_empty(), "the generator produces allows on revoked sessions");
}
