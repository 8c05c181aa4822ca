//! `auditflow bench fleet`: what running as a cluster costs on this machine.
//!
//! 1. The same backlog (one preloaded stream, copied afresh for each run) drained into a
//!    fresh ledger by 1 process x 2 workers, 2 processes x 1 and 3 x 1, each process on its
//!    own test host (a network namespace, as in the cluster tests); events/s of each and the
//!    ratio to the single process. Every configuration reaches Redis and Postgres through
//!    the same proxies on the hosts' bridge, so the comparison is fair; the proxies' copying
//!    costs CPU the 2-core box would otherwise give to the pipeline.
//! 2. Recovery: a 3-process cluster draining, one random process SIGKILLed, the others'
//!    exit awaited (fail-stop), the cluster restarted at once as a supervisor would: the
//!    time from the kill to the first row committed after the restart, over `--kills` kills.
//! 3. Peak RSS per process with the views on and off, 1 process against 3.
//!
//! Results are printed and written to `target/bench/fleet.json`.

use crate::harness::{auditflow_binary, bench_globals, fresh_database, machine, percentile, preload_zones, vm_hwm_kib};
use crate::harness::{Globals, Scratch};
use anyhow::Context;
use clap::Args;
use rand::{Rng, SeedableRng};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

// The cluster tests' test hosts, shared rather than copied.
#[path = "../../tests/tests/it/common"]
#[allow(dead_code, clippy::unwrap_used)]
mod test_hosts {
    pub mod hosts;
    pub mod proxy;
}
use test_hosts::hosts::Hosts;

/// `auditflow bench fleet` options.
#[derive(Debug, Args, Clone)]
pub struct FleetBenchArgs {
    /// Events in the backlog each configuration drains.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Zones of the backlog (the unit of sharding: enough to spread over 3 processes).
    #[arg(long, default_value_t = 24)]
    pub zones: u32,
    /// SIGKILLs of the recovery measurement.
    #[arg(long, default_value_t = 10)]
    pub kills: u32,
    /// Where to write the JSON results.
    #[arg(long, default_value = "target/bench/fleet.json")]
    pub out: PathBuf,
}

const DB: &str = "auditflow_bench_fleet";
const TEMPLATE: &str = "auditflow.bench.fleet.template";
const STREAM: &str = "auditflow.bench.fleet";

struct Bench<'a> {
    global: &'a Globals,
    io: tokio::runtime::Runtime,
    hosts: Hosts,
    redis: redis::aio::MultiplexedConnection,
    dir: PathBuf,
}

/// One drain of the backlog: the processes' summaries and peak RSS (MiB).
struct Drain {
    events_per_sec: f64,
    stored: u64,
    peak_rss_mib: Vec<f64>,
}

impl Bench<'_> {
    /// A fresh ledger and a fresh copy of the backlog.
    fn reset(&mut self) -> anyhow::Result<Scratch> {
        let _: i64 = self
            .io
            .block_on(redis::cmd("DEL").arg(STREAM).arg(format!("{STREAM}.dlq")).query_async(&mut self.redis))?;
        let copied: i64 =
            self.io.block_on(redis::cmd("COPY").arg(TEMPLATE).arg(STREAM).query_async(&mut self.redis))?;
        anyhow::ensure!(copied == 1, "cannot copy the backlog");
        self.io.block_on(fresh_database(self.global, DB))
    }

    /// Starts `processes` processes of `workers` workers, process i on host i. The hostfile
    /// is written once, before any process reads it.
    fn start(&self, scratch: &Scratch, processes: usize, workers: usize, extra: &[&str]) -> anyhow::Result<Vec<Child>> {
        let hostfile = self.hosts.hostfile(&self.dir, processes);
        (0..processes).map(|i| self.spawn(scratch, &hostfile, processes, i, workers, extra)).collect()
    }

    /// Starts process `i` of `processes` on host i.
    fn spawn(
        &self,
        scratch: &Scratch,
        hostfile: &Path,
        processes: usize,
        i: usize,
        workers: usize,
        extra: &[&str],
    ) -> anyhow::Result<Child> {
        let gateway = self.hosts.gateway();
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.hosts.namespace(i)]).arg(auditflow_binary()?);
        cmd.args(["run", "--summary-json", "--workers", &workers.to_string(), "--connect-timeout-secs", "120"]);
        cmd.arg("--stream").arg(STREAM).arg("--dlq-stream").arg(format!("{STREAM}.dlq"));
        if processes > 1 {
            cmd.arg("--processes").arg(processes.to_string()).arg("--process").arg(i.to_string());
            cmd.arg("--hostfile").arg(hostfile);
        }
        cmd.args(extra);
        let db = scratch.url.rsplit('/').next().unwrap_or(DB);
        cmd.env("AUDITFLOW_DATABASE_URL", format!("postgres://postgres@{gateway}:5432/{db}"))
            .env("AUDITFLOW_REDIS_URL", format!("redis://{gateway}:6379"))
            .env("AUDITFLOW_LEDGER_KEY_FILE", self.dir.join("ledger.key"))
            .env("AUDITFLOW_LEDGER_HEAD_KEY_FILE", self.dir.join("ledger-head.key"))
            .env("AUDITFLOW_EXPORT_SIGNING_KEY_FILE", self.dir.join("export.key"))
            .env("AUDITFLOW_EXPORT_URL", format!("file://{}", self.dir.join("archive").display()))
            .env("AUDITFLOW_LISTEN", "127.0.0.1:0")
            .env("RUST_LOG", "warn");
        if let Some(k) = bench_globals(self.global, &scratch.url, STREAM).producer_keys.hmac_key {
            cmd.env("AUDIT_HMAC_KEY", k);
        }
        let log =
            std::fs::OpenOptions::new().create(true).append(true).open(self.dir.join(format!("process-{i}.log")))?;
        cmd.stdout(Stdio::piped()).stderr(Stdio::from(log));
        cmd.spawn().context("start auditflow in a test host")
    }

    /// Drains the backlog with `processes` x `workers`.
    fn drain(&mut self, processes: usize, workers: usize, extra: &[&str]) -> anyhow::Result<Drain> {
        let scratch = self.reset()?;
        let _ = std::fs::remove_dir_all(self.dir.join("archive"));
        let mut args = vec!["--exit-when-drained"];
        args.extend_from_slice(extra);
        let mut children = self.start(&scratch, processes, workers, &args)?;
        let mut peaks = vec![0u64; processes];
        let mut done: Vec<Option<std::process::ExitStatus>> = vec![None; processes];
        while done.iter().any(Option::is_none) {
            for (i, child) in children.iter_mut().enumerate() {
                if done[i].is_none() {
                    if let Some(kib) = vm_hwm_kib(child.id()) {
                        peaks[i] = peaks[i].max(kib);
                    }
                    done[i] = child.try_wait()?;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let mut stored = 0;
        let mut elapsed: f64 = 0.0;
        for (i, child) in children.iter_mut().enumerate() {
            anyhow::ensure!(done[i].is_some_and(|s| s.success()), "process {i} failed; see {}", self.dir.display());
            let mut out = String::new();
            std::io::Read::read_to_string(child.stdout.as_mut().context("stdout")?, &mut out)?;
            let summary: serde_json::Value = serde_json::from_str(&out).context("run summary")?;
            stored += summary["stored"].as_u64().unwrap_or(0);
            elapsed = elapsed.max(summary["elapsed_secs"].as_f64().unwrap_or(0.0));
        }
        let drain = Drain {
            events_per_sec: stored as f64 / elapsed.max(1e-9),
            stored,
            peak_rss_mib: peaks.iter().map(|k| *k as f64 / 1024.0).collect(),
        };
        eprintln!(
            "bench fleet: {processes} x {workers} {}: {:.0} events/s, peak RSS per process {:?} MiB",
            extra.join(" "),
            drain.events_per_sec,
            drain.peak_rss_mib.iter().map(|m| m.round()).collect::<Vec<_>>()
        );
        Ok(drain)
    }

    /// Ledger rows; 0 until the cluster has created the database and its tables.
    fn rows(&self, scratch: &Scratch) -> anyhow::Result<i64> {
        let counted = self.io.block_on(async {
            let c = auditflow_ledger::postgres::connect_once(&scratch.pg).await?;
            c.query_one("SELECT count(*) FROM audit_events", &[]).await
        });
        Ok(counted.map(|row| row.get(0)).unwrap_or(0))
    }

    /// Kill-to-resumed times (seconds) over `kills` SIGKILLs of a 3-process cluster.
    fn recovery(&mut self, kills: u32, backlog: u64) -> anyhow::Result<Vec<f64>> {
        let scratch = self.reset()?;
        let mut rng = rand::rngs::StdRng::seed_from_u64(18);
        let mut children = self.start(&scratch, 3, 1, &[])?;
        let mut times = Vec::new();
        for _ in 0..kills {
            // Let it commit for a while, then kill one process at random.
            let start = self.rows(&scratch)?;
            let waited = Instant::now();
            while self.rows(&scratch)? <= start {
                anyhow::ensure!(waited.elapsed() < Duration::from_secs(180), "the cluster committed nothing in 180 s");
                std::thread::sleep(Duration::from_millis(50));
            }
            std::thread::sleep(Duration::from_millis(rng.random_range(200..1000)));
            let victim = rng.random_range(0..3);
            let killed = Instant::now();
            let _ = children[victim].kill();
            for child in &mut children {
                let _ = child.wait();
            }
            let at_kill = self.rows(&scratch)?;
            anyhow::ensure!(
                (at_kill as u64) < backlog * 9 / 10,
                "the backlog is nearly drained after {} kills: run with more --events",
                times.len() + 1
            );
            children = self.start(&scratch, 3, 1, &[])?;
            while self.rows(&scratch)? <= at_kill {
                anyhow::ensure!(killed.elapsed() < Duration::from_secs(180), "ingestion did not resume in 180 s");
                std::thread::sleep(Duration::from_millis(20));
            }
            let took = killed.elapsed().as_secs_f64();
            eprintln!("bench fleet: process {victim} killed, ingestion resumed after {took:.2} s");
            times.push(took);
        }
        for child in &mut children {
            let _ = child.kill();
            let _ = child.wait();
        }
        Ok(times)
    }
}

/// Runs the benchmark.
pub fn run(global: &Globals, args: &FleetBenchArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all("target/bench/fleet")?;
    let dir = std::fs::canonicalize("target/bench/fleet")?;
    let io = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let redis_target = global.resolve()?.redis;
    let mut redis = io.block_on(auditflow_sources::redis_stream::connect(&redis_target, Duration::from_secs(60)))?;
    let _: i64 = io.block_on(redis::cmd("DEL").arg(TEMPLATE).query_async(&mut redis))?;
    eprintln!("bench fleet: preloading {} events over {} zones", args.events, args.zones);
    let scratch = io.block_on(fresh_database(global, DB))?;
    let loaded = preload_zones(global, &scratch.url, TEMPLATE, args.events, "max", args.zones)?;
    let hosts = Hosts::new(3);
    let mut bench = Bench { global, io, hosts, redis, dir: dir.clone() };
    let mut configs = Vec::new();
    for (processes, workers) in [(1usize, 2usize), (2, 1), (3, 1)] {
        let drain = bench.drain(processes, workers, &[])?;
        anyhow::ensure!(
            drain.stored == loaded.valid,
            "{processes} x {workers} stored {} of {}",
            drain.stored,
            loaded.valid
        );
        configs.push((processes, workers, drain));
    }
    let single_no_views = bench.drain(1, 2, &["--no-views"])?;
    let cluster_no_views = bench.drain(3, 1, &["--no-views"])?;
    let recovery = bench.recovery(args.kills, loaded.valid)?;
    let mut sorted = recovery.clone();
    sorted.sort_by(f64::total_cmp);
    let base = configs[0].2.events_per_sec;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let result = serde_json::json!({
        "machine": machine(),
        "events": args.events,
        "zones": args.zones,
        "topology": "each process in its own network namespace; Redis and Postgres reached through user-space proxies on the bridge",
        "configurations": configs.iter().map(|(p, w, d)| serde_json::json!({
            "processes": p, "workers_per_process": w,
            "events_per_sec": d.events_per_sec,
            "ratio_to_single_process": d.events_per_sec / base.max(1e-9),
            "peak_rss_mib_per_process": d.peak_rss_mib,
        })).collect::<Vec<_>>(),
        "recovery_secs": recovery,
        "recovery_secs_p50": percentile(&sorted, 0.5),
        "recovery_secs_max": sorted.last().copied().unwrap_or(0.0),
        "views_memory_mib_per_process": {
            "1_process": mean(&configs[0].2.peak_rss_mib) - mean(&single_no_views.peak_rss_mib),
            "3_processes": mean(&configs[2].2.peak_rss_mib) - mean(&cluster_no_views.peak_rss_mib),
        },
        "peak_rss_mib_per_process_views_off": {
            "1_process": single_no_views.peak_rss_mib,
            "3_processes": cluster_no_views.peak_rss_mib,
        },
        "goals": {"ratio_to_single_process": ">= 0.9", "recovery_secs": "<= 10"},
    });
    std::fs::write(&args.out, serde_json::to_string_pretty(&result)?)?;
    println!("{}", serde_json::to_string_pretty(&result)?);
    let _ = std::fs::remove_dir_all(Path::new(&dir).join("archive"));
    Ok(())
}
