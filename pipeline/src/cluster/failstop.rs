//! Fail-stop: in a cluster, any panic ends the whole process at once.
//!
//! When a peer dies or a link breaks, timely's network thread for that peer panics
//! (`timely communication error: …`) and the workers then panic on poisoned queues, but
//! the process lives on, wedged. A cluster can only recover by restarting every process
//! from the ledger's watermarks, so the first panic logs one line naming the peer and exits;
//! nothing uncommitted was acknowledged, so nothing is lost.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Exit code when a peer is lost: like any dependency that stops answering.
pub const PEER_LOST_EXIT: i32 = 3;
/// Exit code when a thread of this process failed on its own.
pub const FAILED_EXIT: i32 = 1;

/// The peer a timely network thread talks to, from its name (`timely:recv-2`).
///
/// ```
/// use auditflow_pipeline::cluster::failstop::peer_of_thread;
/// assert_eq!(peer_of_thread("timely:recv-2"), Some(2));
/// assert_eq!(peer_of_thread("timely:send-0"), Some(0));
/// assert_eq!(peer_of_thread("timely:work-1"), None);
/// ```
pub fn peer_of_thread(name: &str) -> Option<usize> {
    let (kind, index) = name.rsplit_once('-')?;
    matches!(kind, "timely:recv" | "timely:send").then(|| index.parse().ok()).flatten()
}

/// Installs the hook. `hosts` names the peers in the log line.
pub fn install(hosts: Vec<String>) {
    let stopping = Arc::new(AtomicBool::new(false));
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        let thread = std::thread::current().name().unwrap_or("unnamed").to_owned();
        let peer = peer_of_thread(&thread);
        if peer.is_none() {
            // A worker's panic on a poisoned queue follows a network thread's: give that
            // one the chance to name the peer.
            std::thread::sleep(Duration::from_millis(300));
        }
        if stopping.swap(true, Ordering::SeqCst) {
            // Another thread is already ending the process.
            loop {
                std::thread::park();
            }
        }
        match peer {
            Some(p) => {
                let address = hosts.get(p).map(String::as_str).unwrap_or("?");
                tracing::error!(
                    peer = p, %address,
                    "cluster peer {p} at {address} is gone ({message}); stopping this process so that the \
                     supervisor restarts the cluster from the ledger's watermarks"
                );
                std::process::exit(PEER_LOST_EXIT);
            }
            None => {
                let location = info.location().map(|l| l.to_string()).unwrap_or_default();
                tracing::error!(
                    %thread, %location,
                    "{message}; in a cluster one failed thread stops the whole process (its peers stop too)"
                );
                std::process::exit(FAILED_EXIT);
            }
        }
    }));
}
