//! `auditflow bench cost`: what an event costs auditflow and the machine under it, against
//! what a COPY of the same stored rows costs (issue 30: measured the same way every time).
//!
//! For each backlog shape:
//! 1. preloads N signed events into a scratch stream, once;
//! 2. drains it with `run --exit-when-drained` twice, each with its own consumer group into
//!    a fresh database: views on, then views off (`--no-views`);
//! 3. reads the rows the views-on drain stored, and binary-COPYs them into a fresh ledger of
//!    the same schema (tables, partitions, indexes, triggers) in the same database.
//!
//! CPU comes from `/proc`: auditflow's is the waited-for child's (`cutime + cstime` of this
//! process, which counts only that child while it runs), the rest of the machine's (Postgres,
//! Redis) is every core's busy time over the drain minus auditflow's and this process's own.
//! The COPY's CPU per row is the whole machine's over the COPY, its client (this process)
//! included, as `psql` would be.
//!
//! The shapes:
//! * `ordered`: `auditflow emit` as it is, a request's events adjacent and in event time;
//! * `spread`: 3 zones, each event moved later by up to 2 h of event time at random, so a
//!   request's events spread over hours and arrive out of order (a replayed spool, a merge
//!   of producers).
//!
//! Results are printed as a table and written to `target/bench/cost.json`.

use crate::harness::{
    clone_schema, copy_rows_into, fresh_database, machine, pipeline_command, preload_with, stored_rows_binary,
    wait_sampled, EventTime, Globals, Scratch,
};
use anyhow::Context;
use clap::Args;
use std::time::{Duration, Instant};

/// `auditflow bench cost` options.
#[derive(Debug, Args, Clone)]
pub struct CostBenchArgs {
    /// Events per backlog.
    #[arg(long, default_value_t = 300_000)]
    pub events: u64,
    /// The short run a developer makes before and after a change to the hot path (under two
    /// minutes): 50 000 events per backlog unless `--events` says otherwise.
    #[arg(long)]
    pub quick: bool,
    /// Only this shape (`ordered` or `spread`) [default: both].
    #[arg(long, value_parser = ["ordered", "spread"])]
    pub shape: Option<String>,
    /// Pipeline workers [default: one per core].
    #[arg(long)]
    pub workers: Option<usize>,
    /// Where to write the JSON results.
    #[arg(long, default_value = "target/bench/cost.json")]
    pub out: std::path::PathBuf,
}

/// Clock ticks per second of `/proc`'s CPU counters (`USER_HZ`: 100 on every Linux that
/// exports it differently would say so in `getconf CLK_TCK`).
fn ticks_per_sec() -> f64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0)
}

/// CPU counters at one moment, in ticks.
#[derive(Clone, Copy, Debug)]
struct Cpu {
    /// Every core's busy time (user, nice, system, irq, softirq, steal).
    machine_busy: u64,
    /// This process's own time (its threads).
    own: u64,
    /// Time of the children this process has waited for.
    children: u64,
}

impl Cpu {
    fn now() -> anyhow::Result<Cpu> {
        let stat = std::fs::read_to_string("/proc/stat").context("read /proc/stat")?;
        let line = stat.lines().next().context("empty /proc/stat")?;
        let fields: Vec<u64> = line.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
        anyhow::ensure!(fields.len() >= 8, "unexpected /proc/stat: {line}");
        // user nice system idle iowait irq softirq steal (guest time is inside user).
        let machine_busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
        let own = std::fs::read_to_string("/proc/self/stat").context("read /proc/self/stat")?;
        // The fields after the command name, which is in parentheses and may hold spaces.
        let rest = own.rsplit_once(')').map(|(_, r)| r).context("unexpected /proc/self/stat")?;
        let f: Vec<u64> = rest.split_whitespace().map(|x| x.parse().unwrap_or(0)).collect();
        // After the name: state(0) ... utime(11) stime(12) cutime(13) cstime(14).
        anyhow::ensure!(f.len() > 14, "unexpected /proc/self/stat");
        Ok(Cpu { machine_busy, own: f[11] + f[12], children: f[13] + f[14] })
    }
}

/// One drain of a backlog.
#[derive(Debug, serde::Serialize)]
struct Drain {
    events: u64,
    /// As the run reports it (first read to drained).
    events_per_sec: f64,
    /// From spawning the process to its exit.
    wall_secs: f64,
    auditflow_cpu_us_per_event: f64,
    rest_cpu_us_per_event: f64,
    peak_rss_mib: f64,
}

/// The COPY of the stored rows into a fresh ledger.
#[derive(Debug, serde::Serialize)]
struct Copy {
    rows: u64,
    rows_per_sec: f64,
    machine_cpu_us_per_row: f64,
}

/// One shape's results.
#[derive(Debug, serde::Serialize)]
struct Shape {
    shape: &'static str,
    views_on: Drain,
    views_off: Drain,
    copy: Copy,
    /// Drain (views on) over the COPY's rate: goal >= 0.9.
    on_to_copy_rate: f64,
    /// Drain (views off) over the COPY's rate.
    off_to_copy_rate: f64,
    /// Postgres + Redis CPU per event (views on) over the COPY's CPU per row: goal <= 1.5.
    rest_on_to_copy_cpu: f64,
    /// Views on over views off, events/s: goal >= 0.9.
    views_on_to_off_rate: f64,
}

/// Runs the cost benchmark.
pub fn run(global: &Globals, args: &CostBenchArgs) -> anyhow::Result<()> {
    let events = if args.quick && args.events == 300_000 { 50_000 } else { args.events };
    let io = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    std::fs::create_dir_all("target/bench")?;
    let hz = ticks_per_sec();
    let shapes: Vec<(&'static str, EventTime)> = [
        ("ordered", EventTime { zones: 8, spacing_ms: 7, spread_secs: 0, start: None }),
        ("spread", EventTime { zones: 3, spacing_ms: 7, spread_secs: 7_200, start: None }),
    ]
    .into_iter()
    .filter(|(name, _)| args.shape.as_deref().is_none_or(|s| s == *name))
    .collect();
    let mut results = Vec::new();
    // One settings resolution and one Redis connection for every shape.
    let redis_target = global.resolve()?.redis;
    let mut redis = io.block_on(auditflow_sources::redis_stream::connect(&redis_target, Duration::from_secs(60)))?;
    for (name, shape) in shapes {
        let stream = format!("auditflow.bench.cost.{name}");
        let _: i64 =
            io.block_on(redis::cmd("DEL").arg(&stream).arg(format!("{stream}.dlq")).query_async(&mut redis))?;
        let on_db = io.block_on(fresh_database(global, &format!("auditflow_bench_cost_{name}_on")))?;
        let off_db = io.block_on(fresh_database(global, &format!("auditflow_bench_cost_{name}_off")))?;
        eprintln!("bench cost: preloading {events} events ({name})");
        let loaded = preload_with(global, &on_db.url, &stream, events, "max", shape)?;
        anyhow::ensure!(loaded.valid == events, "the preload wrote {} valid events of {events}", loaded.valid);
        eprintln!("bench cost: draining ({name}, views on)");
        let views_on = drain(global, &on_db, &stream, args.workers, &["--group", "cost-on"], events, hz)?;
        eprintln!("bench cost: draining ({name}, views off)");
        let views_off =
            drain(global, &off_db, &stream, args.workers, &["--group", "cost-off", "--no-views"], events, hz)?;
        eprintln!("bench cost: COPY of the {name} rows into a fresh ledger");
        let copy = io.block_on(copy_rows(&on_db, hz))?;
        let _: i64 = io.block_on(redis::cmd("DEL").arg(&stream).query_async(&mut redis))?;
        results.push(Shape {
            shape: name,
            on_to_copy_rate: views_on.events_per_sec / copy.rows_per_sec.max(1e-9),
            off_to_copy_rate: views_off.events_per_sec / copy.rows_per_sec.max(1e-9),
            rest_on_to_copy_cpu: views_on.rest_cpu_us_per_event / copy.machine_cpu_us_per_row.max(1e-9),
            views_on_to_off_rate: views_on.events_per_sec / views_off.events_per_sec.max(1e-9),
            views_on,
            views_off,
            copy,
        });
    }
    print_table(&results);
    let json = serde_json::json!({
        "machine": machine(),
        "events_per_backlog": events,
        "quick": args.quick,
        "shapes": results,
        "goals": {
            "on_to_copy_rate": ">= 0.9",
            "auditflow_cpu_us_per_event": "<= 10 views off, <= 15 views on",
            "rest_on_to_copy_cpu": "<= 1.5",
            "views_on_to_off_rate": ">= 0.9",
        },
    });
    std::fs::write(&args.out, serde_json::to_string_pretty(&json)?)?;
    eprintln!("bench cost: written to {}", args.out.display());
    Ok(())
}

/// Drains `stream` into `db` with `run_args` (each drain names its own consumer group),
/// measuring it.
fn drain(
    global: &Globals,
    db: &Scratch,
    stream: &str,
    workers: Option<usize>,
    run_args: &[&str],
    events: u64,
    hz: f64,
) -> anyhow::Result<Drain> {
    let mut cmd = pipeline_command(global, &db.url, stream, workers, true, run_args)?;
    let before = Cpu::now()?;
    let started = Instant::now();
    let mut child = cmd.spawn()?;
    let (summary, peak_kib) = wait_sampled(&mut child)?;
    let wall_secs = started.elapsed().as_secs_f64();
    let after = Cpu::now()?;
    let stored = summary["stored"].as_u64().unwrap_or(0);
    anyhow::ensure!(stored == events, "the pipeline stored {stored} of {events} events");
    let auditflow = (after.children - before.children) as f64;
    let rest = (after.machine_busy - before.machine_busy) as f64 - auditflow - (after.own - before.own) as f64;
    let us_per_event = |ticks: f64| ticks / hz * 1e6 / events as f64;
    Ok(Drain {
        events,
        events_per_sec: summary["events_per_sec"].as_f64().unwrap_or(0.0),
        wall_secs,
        auditflow_cpu_us_per_event: us_per_event(auditflow),
        rest_cpu_us_per_event: us_per_event(rest.max(0.0)),
        peak_rss_mib: peak_kib as f64 / 1024.0,
    })
}

/// Reads the rows `db` holds (binary, into memory), then COPYs them into a fresh copy of the
/// ledger's schema in the same database and measures that COPY alone.
async fn copy_rows(db: &Scratch, hz: f64) -> anyhow::Result<Copy> {
    let client = auditflow_ledger::postgres::connect_once(&db.pg).await?;
    let (chunks, rows) = stored_rows_binary(&client).await?;
    clone_schema(&client, "bench_cost_copy").await?;
    // What the drains left for the background writer should not bill the COPY.
    client.batch_execute("CHECKPOINT").await?;
    let before = Cpu::now()?;
    let secs = copy_rows_into(&client, "bench_cost_copy", chunks).await?;
    let after = Cpu::now()?;
    client.batch_execute("DROP SCHEMA bench_cost_copy CASCADE").await?;
    let busy = (after.machine_busy - before.machine_busy) as f64;
    Ok(Copy {
        rows: rows as u64,
        rows_per_sec: rows as f64 / secs.max(1e-9),
        machine_cpu_us_per_row: busy / hz * 1e6 / (rows.max(1) as f64),
    })
}

fn print_table(results: &[Shape]) {
    println!("| shape | views | events/s | auditflow CPU µs/event | Postgres + Redis CPU µs/event | peak RSS MiB | COPY rows/s | COPY CPU µs/row | rate / COPY | rest CPU / COPY |");
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for r in results {
        for (views, d) in [("on", &r.views_on), ("off", &r.views_off)] {
            println!(
                "| {} | {views} | {:.0} | {:.1} | {:.1} | {:.0} | {:.0} | {:.1} | {:.2} | {:.2} |",
                r.shape,
                d.events_per_sec,
                d.auditflow_cpu_us_per_event,
                d.rest_cpu_us_per_event,
                d.peak_rss_mib,
                r.copy.rows_per_sec,
                r.copy.machine_cpu_us_per_row,
                d.events_per_sec / r.copy.rows_per_sec.max(1e-9),
                d.rest_cpu_us_per_event / r.copy.machine_cpu_us_per_row.max(1e-9),
            );
        }
        println!("|   | on / off | {:.2} | | | | | | | |", r.views_on_to_off_rate);
    }
}
