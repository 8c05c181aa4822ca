//! What the process sets up for itself before any command runs: logging and its memory
//! behaviour.

/// Transparent huge pages off for this process, unless the operator decides otherwise
/// through mimalloc's own `MIMALLOC_ALLOW_THP` (then mimalloc's choice stands).
///
/// The views' arrangements and the sinks' buffers grow and shrink by many megabytes, and
/// each huge-page fault zeroes 2 MiB however little of it is used. On the 2-core VM the
/// benchmarks run on, that was 1.1–1.4 s of kernel time per 400k events with the views on
/// (`clear_page_erms` under `do_huge_pmd_anonymous_page`); with huge pages off it fell by
/// about half, and both drains got faster (1M events, four rounds each: views on +5 %, off
/// +3–4 %; docs/benchmarks.md).
pub fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none() {
        if let Err(e) = nix::sys::prctl::set_thp_disable(true) {
            // Only a missed speed-up: nothing depends on it.
            tracing::debug!(error = %e, "could not turn transparent huge pages off");
        }
    }
}

/// Logs to stderr through `tracing`, as text or JSON; `RUST_LOG` filters.
pub fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,tokio_postgres=warn"));
    use std::io::IsTerminal;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
    }
}
