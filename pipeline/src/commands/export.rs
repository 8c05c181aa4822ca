//! `auditflow export …`: helpers for the archive's readers (an Athena table over it).

use crate::settings::ConfigError;
use clap::{Args, Subcommand};

/// `auditflow export …`.
#[derive(Debug, Subcommand, serde::Serialize)]
pub enum ExportCommand {
    /// Print an Athena CREATE EXTERNAL TABLE (with partition projection) for the archive.
    AthenaDdl(AthenaDdlArgs),
    /// Print what to register in Amazon Security Lake for the OCSF archive: one custom
    /// source per OCSF class, its location, and a Glue / Athena table per class.
    SecurityLakeSetup(SecurityLakeSetupArgs),
}

/// `auditflow export security-lake-setup`.
#[derive(Debug, Args, serde::Serialize)]
pub struct SecurityLakeSetupArgs {
    /// The OCSF archive's location: the lake bucket's ext/ prefix, e.g.
    /// s3://aws-security-data-lake-eu-west-1-abc123/ext.
    #[arg(long, env = "AUDITFLOW_OCSF_URL", value_name = "S3_URL")]
    pub location: String,
    /// The custom sources' name prefix (the class uid is appended).
    #[arg(long, env = "AUDITFLOW_OCSF_SOURCE", default_value = "auditflow")]
    pub source: String,
    /// The lake's region.
    #[arg(long, env = "AUDITFLOW_OCSF_REGION", default_value = "us-east-1")]
    pub region: String,
    /// The account the sources write as (12 digits).
    #[arg(long, env = "AUDITFLOW_OCSF_ACCOUNT_ID", default_value = "000000000000")]
    pub account_id: String,
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

/// Runs `export …`.
pub fn run(command: &ExportCommand) -> anyhow::Result<()> {
    match command {
        ExportCommand::AthenaDdl(args) => athena_ddl(args),
        ExportCommand::SecurityLakeSetup(args) => security_lake_setup(args),
    }
}

/// Prints the Security Lake registration: sources, classes, tables.
pub fn security_lake_setup(args: &SecurityLakeSetupArgs) -> anyhow::Result<()> {
    use auditflow_archive::ocsf::{athena_ddl as class_ddl, source_name, OcsfClass, OCSF_VERSION};
    if !args.location.starts_with("s3://") {
        return Err(ConfigError::new(
            "--location (AUDITFLOW_OCSF_URL)",
            "must be an s3:// URL (the lake's ext/ prefix)",
        )
        .into());
    }
    if args.account_id.len() != 12 || !args.account_id.chars().all(|c| c.is_ascii_digit()) {
        return Err(ConfigError::new("--account-id (AUDITFLOW_OCSF_ACCOUNT_ID)", "must be 12 digits").into());
    }
    let location = args.location.trim_end_matches('/');
    println!("-- Amazon Security Lake: auditflow's OCSF {OCSF_VERSION} archive, one custom source per class");
    println!("-- (docs/ocsf.md). Register each source, then run auditflow with");
    println!("--   AUDITFLOW_OCSF_URL={location} AUDITFLOW_OCSF_SOURCE={} AUDITFLOW_OCSF_REGION={} AUDITFLOW_OCSF_ACCOUNT_ID={}", args.source, args.region, args.account_id);
    println!(
        "-- Files: <source>/region=<region>/accountId=<account>/eventDay=<YYYYMMDD>/*.parquet, zstd, one class per"
    );
    println!(
        "-- file, 5 minutes of commits or more each (AUDITFLOW_OCSF_ROLL_SECS). Readers notified by S3 events get"
    );
    println!(
        "-- each object at least once, and a repaired segment rewrites the same keys: de-duplicate on metadata.uid."
    );
    println!();
    for class in OcsfClass::ALL {
        let source = source_name(&args.source, class.uid());
        let event_class = class.slug().to_ascii_uppercase();
        println!("-- {source}: {} ({})", class.name(), class.uid());
        println!(
            "-- aws securitylake create-custom-log-source --source-name {source} --event-classes {event_class} \\"
        );
        println!(
            "--   --configuration 'crawlerConfiguration={{roleArn=<Glue crawler role ARN>}},providerIdentity={{externalId=<external id>,principal={}}}'",
            args.account_id
        );
        let table = format!("{}_{}", args.source.replace('-', "_"), class.slug());
        print!("{}", class_ddl(class, &table, &format!("{location}/{source}"), &args.region, &args.account_id));
        println!();
    }
    Ok(())
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
    let base = format!("{}/{}", location.trim_end_matches('/'), auditflow_archive::layout::TABLE_DIR);
    // Partition columns are left out of the column list (Athena refuses duplicates); the
    // files' own zone_id column stays readable by other engines.
    let columns = auditflow_archive::parquet_file::schema()
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
