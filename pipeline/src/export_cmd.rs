//! `auditflow verify-export` and `auditflow export …`.

use crate::cli::GlobalArgs;
use crate::settings::{self, ConfigError};
use anyhow::Context;
use clap::{Args, Subcommand};

/// `auditflow verify-export`.
#[derive(Debug, Args, serde::Serialize)]
pub struct VerifyExportArgs {
    /// Also trust manifests signed by this Ed25519 public key (64 hex digits; repeatable),
    /// e.g. a key the archive was signed with before a rotation, or the only key when the
    /// signing key file is not on this machine. The key in AUDITFLOW_EXPORT_SIGNING_KEY_FILE,
    /// when the file exists, is always trusted.
    #[arg(long, value_name = "HEX")]
    pub trusted_public_key: Vec<String>,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `auditflow export …`.
#[derive(Debug, Subcommand, serde::Serialize)]
pub enum ExportCommand {
    /// Print an Athena CREATE EXTERNAL TABLE (with partition projection) for the archive.
    AthenaDdl(AthenaDdlArgs),
}

/// `auditflow export athena-ddl`.
#[derive(Debug, Args, serde::Serialize)]
pub struct AthenaDdlArgs {
    /// The archive's S3 location (the export URL), e.g. s3://audit-archive/auditflow.
    #[arg(long, value_name = "S3_URL")]
    pub location: String,
    /// Table name.
    #[arg(long, default_value = "audit_events")]
    pub table: String,
    /// First event date the projection covers (YYYY-MM-DD).
    #[arg(long, default_value = "2024-01-01", value_name = "DATE")]
    pub since: String,
}

/// The problem found: exit code 1 with the report already printed.
#[derive(Debug, thiserror::Error)]
#[error("verify-export found {0} problem(s)")]
pub struct ProblemsFound(pub usize);

/// Runs `verify-export`.
pub fn verify_export(global: &GlobalArgs, args: &VerifyExportArgs) -> anyhow::Result<()> {
    let settings = settings::resolve(global, None)?;
    let trusted = settings::trusted_export_keys(&settings, &args.trusted_public_key, "--trusted-public-key")?;
    let archive = auditflow_sinks::export::store::open(&settings.export_url)
        .map_err(|e| ConfigError::new("AUDITFLOW_EXPORT_URL (--export-url)", e.to_string()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let report = runtime.block_on(async {
        let pool = crate::run::prepare_postgres_for_reading(&settings, std::time::Duration::from_secs(10)).await?;
        let bar = indicatif::ProgressBar::new(0).with_style(
            indicatif::ProgressStyle::with_template("verify-export {bar:40} {pos}/{len} files {elapsed}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        if args.json {
            bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
        }
        let progress = |done: u64, total: u64| {
            bar.set_length(total.max(done));
            bar.set_position(done);
        };
        let report = auditflow_sinks::export::verify::verify_export(&pool, &archive, &trusted, &progress)
            .await
            .context("verify-export could not finish")?;
        bar.finish_and_clear();
        anyhow::Ok(report)
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
    } else {
        println!(
            "verify-export {}: {} chains, {} manifests, {} files, {} rows matched the ledger",
            archive.url(),
            report.chains,
            report.manifests,
            report.files,
            report.rows
        );
        for note in &report.notes {
            println!("  note: {note}");
        }
        for f in &report.findings {
            println!("  PROBLEM {:<22} {}  ({})", f.kind, f.object, f.detail);
        }
        if report.findings.is_empty() {
            println!("  OK: the archive holds every ledger row up to the export watermark exactly once");
        }
    }
    if report.findings.is_empty() {
        Ok(())
    } else {
        Err(ProblemsFound(report.findings.len()).into())
    }
}

/// Prints the Athena DDL.
pub fn athena_ddl(args: &AthenaDdlArgs) -> anyhow::Result<()> {
    if !args.location.starts_with("s3://") {
        return Err(ConfigError::new("--location", "must be an s3:// URL (the archive's export URL)").into());
    }
    if chrono::NaiveDate::parse_from_str(&args.since, "%Y-%m-%d").is_err() {
        return Err(ConfigError::new("--since", format!("{:?} is not a YYYY-MM-DD date", args.since)).into());
    }
    if !args.table.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(ConfigError::new("--table", "letters, digits and _ only").into());
    }
    print!("{}", athena_ddl_text(&args.location, &args.table, &args.since));
    Ok(())
}

fn athena_ddl_text(location: &str, table: &str, since: &str) -> String {
    let base = format!("{}/{}", location.trim_end_matches('/'), auditflow_sinks::export::layout::TABLE_DIR);
    // Partition columns are left out of the column list (Athena refuses duplicates); the
    // files' own zone_id column stays readable by other engines.
    let columns = auditflow_sinks::export::parquet_file::schema()
        .fields()
        .iter()
        .filter(|f| f.name() != "zone_id")
        .map(|f| {
            let ty = match f.data_type() {
                arrow_schema::DataType::Utf8 => "string",
                arrow_schema::DataType::Int32 => "int",
                arrow_schema::DataType::Int64 => "bigint",
                arrow_schema::DataType::Timestamp(..) => "timestamp",
                _ => "string",
            };
            format!("  `{}` {ty}", f.name())
        })
        .collect::<Vec<_>>()
        .join(",\n");
    format!(
        "CREATE EXTERNAL TABLE IF NOT EXISTS {table} (\n{columns}\n)\n\
PARTITIONED BY (`zone_id` string, `event_date` string, `hour` string)\n\
STORED AS PARQUET\n\
LOCATION '{base}/'\n\
TBLPROPERTIES (\n\
  'parquet.compression' = 'ZSTD',\n\
  'projection.enabled' = 'true',\n\
  'projection.zone_id.type' = 'injected',\n\
  'projection.event_date.type' = 'date',\n\
  'projection.event_date.format' = 'yyyy-MM-dd',\n\
  'projection.event_date.range' = '{since},NOW',\n\
  'projection.event_date.interval' = '1',\n\
  'projection.event_date.interval.unit' = 'DAYS',\n\
  'projection.hour.type' = 'integer',\n\
  'projection.hour.range' = '0,23',\n\
  'projection.hour.digits' = '2',\n\
  'storage.location.template' = '{base}/zone_id=${{zone_id}}/event_date=${{event_date}}/hour=${{hour}}/'\n\
);\n\
-- zone_id is an injected projection: queries must say WHERE zone_id = '…' (or IN (…)).\n"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn athena_ddl_names_every_column_once_and_projects_the_partitions() {
        let ddl = super::athena_ddl_text("s3://b/p/", "audit_events", "2024-01-01");
        assert!(ddl.contains("LOCATION 's3://b/p/audit_events/'"), "{ddl}");
        assert!(ddl.contains("zone_id=${zone_id}/event_date=${event_date}/hour=${hour}/"), "{ddl}");
        assert_eq!(ddl.matches("`zone_id`").count(), 1, "{ddl}");
        assert!(ddl.contains("`occurred_at` timestamp"), "{ddl}");
        assert!(ddl.contains("`class_uid` int"), "{ddl}");
    }
}
