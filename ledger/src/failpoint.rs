//! Crash-test hooks. `AUDITFLOW_FAILPOINT=<name>:<n>` makes the process SIGKILL itself the
//! n-th time it reaches the point `<name>` (e.g. `kill_before_commit:3`,
//! `export:before_manifest:1`). Unset, every check is one atomic load.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

fn configured() -> Option<&'static (String, u64)> {
    static SPEC: OnceLock<Option<(String, u64)>> = OnceLock::new();
    SPEC.get_or_init(|| {
        let value = std::env::var("AUDITFLOW_FAILPOINT").ok()?;
        let (name, n) = value.rsplit_once(':')?;
        Some((name.to_owned(), n.parse().ok()?))
    })
    .as_ref()
}

/// Whether this is the configured n-th arrival at `name` (counted over the whole process).
pub fn reached(name: &str) -> bool {
    static HITS: AtomicU64 = AtomicU64::new(0);
    match configured() {
        Some((want, n)) if want == name => HITS.fetch_add(1, Ordering::SeqCst) + 1 == *n,
        _ => false,
    }
}

/// SIGKILLs this process: no destructor, flush or commit runs, as in a real crash.
pub fn kill_self(name: &str) {
    tracing::warn!(failpoint = name, "failpoint reached: SIGKILL");
    let _ = std::process::Command::new("kill").arg("-9").arg(std::process::id().to_string()).status();
    // The signal is asynchronous; never carry on past the failpoint.
    std::thread::sleep(std::time::Duration::from_secs(10));
}
