//! `auditflow verify-archive`: an archive (the main one or the OCSF one) checked with read
//! access to the store and the export public key only, no database (issue 32).

use crate::connect::Unreachable;
use crate::settings::flags::{ArchiveFlags, SettingsFlags};
use crate::settings::ConfigError;
use clap::Args;

/// `auditflow verify-archive`.
#[derive(Debug, Args, serde::Serialize)]
pub struct VerifyArchiveArgs {
    /// The archive's store URL (file:///path or s3://bucket/prefix; S3 reads the usual
    /// AWS_* variables) [default: the configured export URL].
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The Ed25519 export public key the manifests must be signed with (64 hex digits;
    /// repeatable, e.g. the keys before and after a rotation). The export key file is
    /// trusted too when it is on this machine.
    #[arg(long, value_name = "HEX")]
    pub trusted_public_key: Vec<String>,
    /// Only this zone's chains: what a tenant's auditor, given that zone's objects, checks.
    #[arg(long, value_name = "ZONE")]
    pub zone: Option<String>,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub archive: ArchiveFlags,
}

impl VerifyArchiveArgs {
    /// The settings flags this command was given.
    pub fn flags(&self) -> SettingsFlags {
        SettingsFlags { archive: self.archive.clone(), ..SettingsFlags::default() }
    }
}

/// Problems found: exit 1, the report already printed.
#[derive(Debug, thiserror::Error)]
#[error("verify-archive found {0} problem(s)")]
pub struct ProblemsFound(pub usize);

/// Runs `verify-archive`.
pub fn run(global: &crate::settings::flags::GlobalFlags, args: &VerifyArchiveArgs) -> anyhow::Result<()> {
    let mut settings = crate::settings::resolve(global, &args.flags())?;
    if let Some(url) = &args.url {
        crate::settings::resolve::check_export_url(url).map_err(|e| ConfigError::new("--url", e.to_string()))?;
        settings.export_url = url.clone();
    }
    let (archive, trusted) =
        crate::connect::archive_to_verify(&settings, &args.trusted_public_key, "--trusted-public-key")?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let bar = super::archive_report::files_bar("verify-archive", args.json);
    let progress = |done: u64, total: u64| {
        bar.set_length(total.max(done));
        bar.set_position(done);
    };
    let report = runtime
        .block_on(auditflow_archive::verify_archive::verify_archive(
            &archive,
            &trusted,
            args.zone.as_deref(),
            &progress,
        ))
        .map_err(|e| match e {
            e if e.is_retryable() => anyhow::Error::new(Unreachable {
                service: "the object store",
                target: archive.url().to_owned(),
                waited_secs: 0,
                detail: e.to_string(),
            }),
            e => anyhow::Error::new(e).context("verify-archive could not finish"),
        })?;
    bar.finish_and_clear();
    let scope = args.zone.as_deref().map(|z| format!(" (zone {z:?})")).unwrap_or_default();
    let headline =
        super::archive_report::headline(&format!("verify-archive {}{scope}", archive.url()), &report, "checked");
    super::archive_report::print(
        &report,
        args.json,
        &headline,
        "every manifest is signed and chained, every file and row is as they list, no gap",
    );
    if report.findings.is_empty() {
        Ok(())
    } else {
        Err(ProblemsFound(report.findings.len()).into())
    }
}
