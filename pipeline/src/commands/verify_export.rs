//! `auditflow verify-export`: the archive checked against the ledger (manifests,
//! signatures, file hashes and counts, every ledger row in exactly one file).

use crate::connect::{archive_to_verify, prepare_postgres};
use crate::settings;
use crate::settings::flags::{ArchiveFlags, GlobalFlags, PostgresFlags, SettingsFlags};
use anyhow::Context;
use clap::Args;

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
    #[command(flatten)]
    pub postgres: PostgresFlags,
    #[command(flatten)]
    pub archive: ArchiveFlags,
}

impl VerifyExportArgs {
    /// The settings flags this command was given.
    pub fn flags(&self) -> SettingsFlags {
        SettingsFlags { postgres: self.postgres.clone(), archive: self.archive.clone(), ..SettingsFlags::default() }
    }
}

/// The problem found: exit code 1 with the report already printed.
#[derive(Debug, thiserror::Error)]
#[error("verify-export found {0} problem(s)")]
pub struct ProblemsFound(pub usize);

/// Runs `verify-export`.
pub fn run(global: &GlobalFlags, args: &VerifyExportArgs) -> anyhow::Result<()> {
    let settings = settings::resolve(global, &args.flags())?;
    let (archive, trusted) = archive_to_verify(&settings, &args.trusted_public_key, "--trusted-public-key")?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let report = runtime.block_on(async {
        let pool = prepare_postgres(&settings, std::time::Duration::from_secs(10)).await?;
        let bar = super::archive_report::files_bar("verify-export", args.json);
        let progress = |done: u64, total: u64| {
            bar.set_length(total.max(done));
            bar.set_position(done);
        };
        let report = auditflow_archive::verify::verify_export(&pool, &archive, &trusted, &progress)
            .await
            .context("verify-export could not finish")?;
        bar.finish_and_clear();
        anyhow::Ok(report)
    })?;
    let headline =
        super::archive_report::headline(&format!("verify-export {}", archive.url()), &report, "matched the ledger");
    super::archive_report::print(
        &report,
        args.json,
        &headline,
        "the archive holds every ledger row up to the export watermark exactly once",
    );
    if report.findings.is_empty() {
        Ok(())
    } else {
        Err(ProblemsFound(report.findings.len()).into())
    }
}
