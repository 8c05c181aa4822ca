//! `auditflow bench export`: the archive benchmark.
//!
//! 1. Preloads N signed events and drains them with `auditflow run` (which archives as it
//!    goes), so the ledger holds N rows and the run's own export had to keep up with ingest.
//! 2. Resets the export state and archives the whole ledger again in this process on a
//!    single-threaded runtime (one core; Postgres serves from its own process): rows/s from
//!    the first ledger read to the last watermark, files and bytes written.
//! 3. Parquet writing alone: the same rows read untimed into memory, one chain at a time,
//!    then encoded into the export's files and written to disk (what DuckDB's figure covers).
//! 4. Reference: DuckDB (Python package, `SET threads = 1`) loads the same rows from that
//!    archive into memory, then `COPY … TO … (FORMAT parquet, COMPRESSION zstd)` is timed.
//!
//! Results are printed and written to `target/bench/export.json`.

use crate::harness::Globals;
use crate::harness::{fresh_database, machine, preload, run_pipeline};
use anyhow::Context;
use clap::Args;
use std::time::{Duration, Instant};

/// `auditflow bench export` options.
#[derive(Debug, Args, Clone)]
pub struct ExportBenchArgs {
    /// Ledger rows to archive.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: u64,
    /// Where to write the JSON results.
    #[arg(long, default_value = "target/bench/export.json")]
    pub out: std::path::PathBuf,
    /// Reuse the ledger a previous run filled (for profiling the export alone); the result
    /// then has no ingest figures.
    #[arg(long)]
    pub skip_ingest: bool,
}

const DB: &str = "auditflow_bench_export";
const STREAM: &str = "auditflow.bench.export";

fn walk(dir: &std::path::Path) -> (u64, u64) {
    let mut out = (0, 0);
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                let (n, b) = walk(&p);
                out = (out.0 + n, out.1 + b);
            } else if p.extension().is_some_and(|x| x == "parquet" || x == "gz") {
                out = (out.0 + 1, out.1 + e.metadata().map(|m| m.len()).unwrap_or(0));
            }
        }
    }
    out
}

const DUCKDB_REFERENCE: &str = r#"
import duckdb, json, sys, time
c = duckdb.connect()
c.sql("SET threads = 1")
c.sql("SET enable_progress_bar = false")
c.sql(f"CREATE TABLE t AS SELECT * FROM read_parquet('{sys.argv[1]}/audit_events/**/*.parquet', hive_partitioning = false) ORDER BY occurred_at")
rows = c.sql("SELECT count(*) FROM t").fetchall()[0][0]
started = time.perf_counter()
c.sql(f"COPY t TO '{sys.argv[2]}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 131072)")
secs = time.perf_counter() - started
print(json.dumps({"rows": rows, "secs": secs, "version": duckdb.__version__}))
"#;

/// Runs the benchmark.
pub fn run(global: &Globals, args: &ExportBenchArgs) -> anyhow::Result<()> {
    std::fs::create_dir_all("target/bench")?;
    let io = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let settings = global.resolve()?;
    // The bench's own database on the configured server.
    let mut bench_settings = settings.clone();
    bench_settings.pg.dbname(DB);
    bench_settings.database_url =
        format!("{} (database {DB})", auditflow_pipeline::settings::redact(&settings.database_url));
    let (stored, summary, drain_secs) = if args.skip_ingest {
        let rows: i64 = io.block_on(async {
            let c = auditflow_ledger::postgres::connect_once(&bench_settings.pg).await?;
            anyhow::Ok(c.query_one("SELECT count(*) FROM audit_events", &[]).await?.get(0))
        })?;
        anyhow::ensure!(rows > 0, "--skip-ingest needs a ledger filled by an earlier `bench export`");
        (rows as u64, serde_json::Value::Null, 0.0)
    } else {
        let mut redis =
            io.block_on(auditflow_sources::redis_stream::connect(&settings.redis, Duration::from_secs(60)))?;
        let _: i64 = io.block_on(redis::cmd("DEL").arg(STREAM).arg(format!("{STREAM}.dlq")).query_async(&mut redis))?;
        let scratch = io.block_on(fresh_database(global, DB))?;
        eprintln!("bench export: preloading {} events and draining them (ingest + live export)", args.events);
        let loaded = preload(global, &scratch.url, STREAM, args.events, "max")?;
        let started = Instant::now();
        let child = run_pipeline(global, &scratch.url, STREAM, None, true, &[])?;
        let output = child.wait_with_output()?;
        let drain_secs = started.elapsed().as_secs_f64();
        anyhow::ensure!(output.status.success(), "the pipeline failed: {}", output.status);
        let summary: serde_json::Value = serde_json::from_slice(&output.stdout).context("run summary")?;
        let stored = summary["stored"].as_u64().unwrap_or(0);
        let live_exported = summary["exported_rows"].as_u64().unwrap_or(0);
        anyhow::ensure!(stored == loaded.valid, "stored {stored} of {}", loaded.valid);
        anyhow::ensure!(live_exported == stored, "the live export archived {live_exported} of {stored}");
        (stored, summary, drain_secs)
    };

    eprintln!("bench export: archiving the {stored} ledger rows again on one core");
    let settings = bench_settings;
    let dir = std::env::current_dir()?.join("target/bench/archive-catchup");
    let _ = std::fs::remove_dir_all(&dir);
    let one_core = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let (secs, chains) = one_core.block_on(async {
        let pool = auditflow_pipeline::connect::prepare_postgres(&settings, Duration::from_secs(10)).await?;
        let c = auditflow_ledger::postgres::client(&pool).await?;
        c.batch_execute(
            "TRUNCATE audit_export_segments; UPDATE audit_export_watermarks SET manifest_seq = 0, to_seq = 0, \
             manifest_sha256 = NULL, rows_total = 0, files_total = 0; CHECKPOINT",
        )
        .await?;
        let chains: Vec<i32> = c
            .query("SELECT chain_id FROM audit_export_watermarks ORDER BY chain_id", &[])
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        drop(c);
        let archive = auditflow_archive::store::open(&format!("file://{}", dir.display()))?;
        let signer = auditflow_schemas::signer::Signer::from_seed(auditflow_schemas::signer::KeyRole::Export, [42; 32]);
        let exporter = auditflow_archive::Exporter::new(pool, archive, signer, settings.export.clone());
        let started = Instant::now();
        exporter.catch_up(&chains).await?;
        anyhow::Ok((started.elapsed().as_secs_f64(), chains.len()))
    })?;
    let (files, bytes) = walk(&dir.join("audit_events"));
    let rate = stored as f64 / secs;

    // The OCSF archive (issue 32) from the same rows, on one core, in both formats.
    let mut ocsf = serde_json::Map::new();
    let chain_list = chains_of(&settings, &one_core)?;
    for format in [auditflow_archive::ocsf::OcsfFormat::Parquet, auditflow_archive::ocsf::OcsfFormat::JsonGz] {
        let name = format.extension().replace('.', "_");
        eprintln!("bench export: the OCSF archive ({name}) of the {stored} rows on one core");
        let dir = std::env::current_dir()?.join(format!("target/bench/ocsf-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        let secs = one_core.block_on(async {
            let pool = auditflow_pipeline::connect::prepare_postgres(&settings, Duration::from_secs(10)).await?;
            let c = auditflow_ledger::postgres::client(&pool).await?;
            c.batch_execute("TRUNCATE audit_ocsf_segments; DELETE FROM audit_ocsf_watermarks; CHECKPOINT").await?;
            drop(c);
            let archive = auditflow_archive::store::open(&format!("file://{}", dir.display()))?;
            let signer =
                auditflow_schemas::signer::Signer::from_seed(auditflow_schemas::signer::KeyRole::Export, [42; 32]);
            let target = auditflow_archive::ocsf::OcsfTarget {
                source: "auditflow".into(),
                region: "us-east-1".into(),
                account_id: "000000000000".into(),
                format,
            };
            let exporter = auditflow_archive::Exporter::with_target(
                pool,
                archive,
                signer,
                settings.export.clone(),
                auditflow_archive::exporter::Target::Ocsf(target),
            );
            let started = Instant::now();
            exporter.catch_up(&chain_list).await?;
            anyhow::Ok(started.elapsed().as_secs_f64())
        })?;
        let (files, bytes) = walk(&dir);
        ocsf.insert(
            name,
            serde_json::json!({"rows_per_sec_one_core": stored as f64 / secs, "secs": secs, "files": files,
                "bytes": bytes, "rate_vs_main_archive": (stored as f64 / secs) / rate}),
        );
    }

    eprintln!("bench export: Parquet writing alone, from rows already in memory (DuckDB's measured part)");
    let encode_dir = std::env::current_dir()?.join("target/bench/archive-encode-only");
    let encode_secs = one_core.block_on(encode_only(&settings, &chains_of(&settings, &one_core)?, &encode_dir))?;
    let encode_rate = stored as f64 / encode_secs;

    eprintln!("bench export: DuckDB reference (threads = 1)");
    let duck_out = std::env::current_dir()?.join("target/bench/duckdb-reference.parquet");
    let out = std::process::Command::new("python3")
        .args(["-c", DUCKDB_REFERENCE, &dir.display().to_string(), &duck_out.display().to_string()])
        .output()
        .context("python3 with the duckdb package (pip install duckdb)")?;
    anyhow::ensure!(out.status.success(), "DuckDB reference failed: {}", String::from_utf8_lossy(&out.stderr));
    // The result is the last line (DuckDB may print progress before it).
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().rev().find(|l| l.trim_start().starts_with('{')).unwrap_or_default();
    let duck: serde_json::Value = serde_json::from_str(last).context("DuckDB reference output")?;
    let duck_rate = duck["rows"].as_f64().unwrap_or(0.0) / duck["secs"].as_f64().unwrap_or(f64::MAX);
    let duck_bytes = std::fs::metadata(&duck_out).map(|m| m.len()).unwrap_or(0);

    let result = serde_json::json!({
        "machine": machine(),
        "rows": stored,
        "chains": chains,
        "ingest_with_live_export_events_per_sec": summary["events_per_sec"],
        "ingest_with_live_export_drain_secs": drain_secs,
        "export_rows_per_sec_one_core": rate,
        "encode_only_rows_per_sec_one_core": encode_rate,
        "encode_only_secs": encode_secs,
        "export_secs": secs,
        "export_files": files,
        "export_bytes": bytes,
        "export_mean_file_mib": bytes as f64 / files.max(1) as f64 / 1048576.0,
        "duckdb_version": duck["version"],
        "duckdb_copy_rows_per_sec_one_thread": duck_rate,
        "duckdb_copy_secs": duck["secs"],
        "duckdb_file_bytes": duck_bytes,
        "ratio_to_duckdb": rate / duck_rate.max(1e-9),
        "encode_only_ratio_to_duckdb": encode_rate / duck_rate.max(1e-9),
        "export_vs_ingest_rate": summary["events_per_sec"].as_f64().map(|r| rate / r),
        "ocsf": ocsf,
        "goals": {"ratio_to_duckdb": ">= 0.5", "export_vs_ingest_rate": ">= 1 (never the bottleneck)"},
    });
    std::fs::write(&args.out, serde_json::to_string_pretty(&result)?)?;
    println!("{}", serde_json::to_string_pretty(&result)?);
    Ok(())
}

fn chains_of(
    settings: &auditflow_pipeline::settings::Resolved,
    rt: &tokio::runtime::Runtime,
) -> anyhow::Result<Vec<i32>> {
    rt.block_on(async {
        let c = auditflow_ledger::postgres::connect_once(&settings.pg).await?;
        let rows = c.query("SELECT chain_id FROM audit_export_watermarks ORDER BY chain_id", &[]).await?;
        anyhow::Ok(rows.iter().map(|r| r.get(0)).collect())
    })
}

/// The part of the export DuckDB's `COPY … TO` figure measures: rows already in memory (read
/// from the ledger untimed, one chain at a time) encoded as Parquet, one file per partition as
/// the export cuts them, and written to disk. Returns the timed seconds.
async fn encode_only(
    settings: &auditflow_pipeline::settings::Resolved,
    chains: &[i32],
    dir: &std::path::Path,
) -> anyhow::Result<f64> {
    use auditflow_archive::layout::{file_name, Partition};
    use auditflow_archive::parquet_file::{Encoder, ExportRow, CHUNK_ROWS};
    use futures_util::StreamExt;
    let _ = std::fs::remove_dir_all(dir);
    let c = auditflow_ledger::postgres::connect_once(&settings.pg).await?;
    c.batch_execute("SET work_mem = '256MB'").await?;
    let mut timed = Duration::ZERO;
    for &chain in chains {
        let stream = auditflow_archive::exporter::read_rows(&c, chain, 1, i64::MAX).await?;
        let rows: Vec<ExportRow> = stream.collect::<Vec<_>>().await.into_iter().collect::<Result<_, _>>()?;
        let started = Instant::now();
        let mut rows = rows.into_iter().peekable();
        while let Some(first) = rows.next() {
            let hour = first.occurred_at_us.div_euclid(3_600_000_000);
            let zone = first.zone_id().to_owned();
            let partition = Partition::of(&zone, &first.occurred_at());
            let mut encoder = Encoder::new()?;
            let mut chunk = Vec::with_capacity(CHUNK_ROWS);
            chunk.push(first);
            while let Some(row) =
                rows.next_if(|r| r.occurred_at_us.div_euclid(3_600_000_000) == hour && r.zone_id() == zone)
            {
                chunk.push(row);
                if chunk.len() == CHUNK_ROWS {
                    encoder.write(&mut chunk)?;
                }
            }
            encoder.write(&mut chunk)?;
            let file = encoder.finish()?;
            let path = dir.join(partition.dir()).join(file_name(chain, file.seq_range.0, file.seq_range.1, 0));
            std::fs::create_dir_all(path.parent().unwrap_or(dir))?;
            std::fs::write(&path, &file.bytes)?;
        }
        timed += started.elapsed();
    }
    Ok(timed.as_secs_f64())
}
