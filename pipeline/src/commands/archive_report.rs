//! What `verify-export` and `verify-archive` share: the progress bar over files, and the
//! report printed as text or JSON.

use auditflow_archive::verify::VerifyReport;

/// A progress bar over the files checked (hidden with `--json`).
pub fn files_bar(command: &str, json: bool) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0).with_style(
        indicatif::ProgressStyle::with_template(&format!("{command} {{bar:40}} {{pos}}/{{len}} files {{elapsed}}"))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    if json {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    bar
}

/// `<what>: N chains, N manifests, N files, N rows <rows>`.
pub fn headline(what: &str, report: &VerifyReport, rows: &str) -> String {
    format!(
        "{what}: {} chains, {} manifests, {} files, {} rows {rows}",
        report.chains, report.manifests, report.files, report.rows
    )
}

/// Prints the report: JSON, or a headline, the notes, each problem and the verdict.
pub fn print(report: &VerifyReport, json: bool, headline: &str, ok: &str) {
    if json {
        println!("{}", serde_json::to_string_pretty(report).unwrap_or_default());
        return;
    }
    println!("{headline}");
    for note in &report.notes {
        println!("  note: {note}");
    }
    for f in &report.findings {
        println!("  PROBLEM {:<22} {}  ({})", f.kind, f.place, f.detail);
    }
    if report.findings.is_empty() {
        println!("  OK: {ok}");
    }
}
