//! The cluster a process belongs to: its flags, resolved into a [`ClusterSpec`], and how far
//! it has formed ([`ClusterProgress`]).

use super::hostfile::Hostfile;
use crate::settings::ConfigError;
use clap::Args;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

/// Cluster flags of `auditflow run`.
#[derive(Debug, Args, Clone, Default, Serialize)]
pub struct ClusterFlags {
    /// Processes in the cluster; with more than 1, `--hostfile` is required [default: the
    /// hostfile's line count, else 1].
    #[arg(long, env = "AUDITFLOW_PROCESSES", value_name = "N", help_heading = "Cluster")]
    pub processes: Option<usize>,
    /// This process's index, from 0 [default: the ordinal of a StatefulSet-style host name
    /// `<name>-<i>`].
    #[arg(long, env = "AUDITFLOW_PROCESS", value_name = "I", help_heading = "Cluster")]
    pub process: Option<usize>,
    /// File with one `host:port` per process, line i for process i (`#` comments allowed);
    /// every process reads the same file and listens on its own line.
    #[arg(long, env = "AUDITFLOW_HOSTFILE", value_name = "FILE", help_heading = "Cluster")]
    pub hostfile: Option<PathBuf>,
    /// The deployment's generation: processes started with different ones refuse each
    /// other (exit 2). Change it on every deploy (Kubernetes: the pod's
    /// controller-revision-hash) [default: empty].
    #[arg(long, env = "AUDITFLOW_GENERATION", value_name = "NAME", help_heading = "Cluster")]
    pub generation: Option<String>,
}

/// The cluster this process belongs to.
#[derive(Clone, Debug)]
pub struct ClusterSpec {
    /// Processes in the cluster (1: a single process, no networking).
    pub processes: usize,
    /// This process's index.
    pub process: usize,
    /// Workers per process.
    pub workers: usize,
    /// `host:port` per process (empty for a single process).
    pub hosts: Vec<String>,
    /// Digest of the hostfile.
    pub hostfile_digest: String,
    /// The deployment generation.
    pub generation: String,
}

impl Default for ClusterSpec {
    fn default() -> Self {
        ClusterSpec::single(1)
    }
}

impl ClusterSpec {
    /// One process with `workers` workers.
    pub fn single(workers: usize) -> ClusterSpec {
        ClusterSpec {
            processes: 1,
            process: 0,
            workers,
            hosts: Vec::new(),
            hostfile_digest: String::new(),
            generation: String::new(),
        }
    }

    /// Whether there is more than one process.
    pub fn is_cluster(&self) -> bool {
        self.processes > 1
    }

    /// The process that runs the duties only one process may run (tamper sweeps,
    /// retention, the stale consumers' clean-up).
    pub fn runs_single_owner_duties(&self) -> bool {
        self.process == 0
    }

    /// The consumer name of local worker `worker`: `<prefix>-<process>-<worker>`, the same on
    /// every restart, so a restarted process re-reads its own pending entries first.
    pub fn consumer_name(&self, prefix: &str, worker: usize) -> String {
        format!("{prefix}-{}-{worker}", self.process)
    }

    /// Every consumer name this cluster reads as.
    pub fn consumer_names(&self, prefix: &str) -> Vec<String> {
        (0..self.processes).flat_map(|p| (0..self.workers).map(move |w| format!("{prefix}-{p}-{w}"))).collect()
    }
}

/// Formation progress, for `/readyz` and the metrics.
#[derive(Debug)]
pub struct ClusterProgress {
    /// Processes in the cluster.
    pub processes: usize,
    /// This process's index.
    pub process: usize,
    /// Peers connected so far.
    pub connected: AtomicUsize,
}

impl Default for ClusterProgress {
    /// A single process: nothing to form.
    fn default() -> Self {
        ClusterProgress::new(&ClusterSpec::default())
    }
}

impl ClusterProgress {
    /// Progress of forming `spec`.
    pub fn of(spec: &ClusterSpec) -> Arc<ClusterProgress> {
        Arc::new(ClusterProgress::new(spec))
    }

    fn new(spec: &ClusterSpec) -> ClusterProgress {
        ClusterProgress { processes: spec.processes, process: spec.process, connected: AtomicUsize::new(0) }
    }
}

/// The ordinal of a StatefulSet-style host name: `auditflow-2` -> 2.
///
/// ```
/// use auditflow_pipeline::cluster::ordinal_of;
/// assert_eq!(ordinal_of("auditflow-2"), Some(2));
/// assert_eq!(ordinal_of("audit-flow-10"), Some(10));
/// assert_eq!(ordinal_of("auditflow"), None);
/// assert_eq!(ordinal_of("auditflow-7d9f-x2"), None);
/// ```
pub fn ordinal_of(host: &str) -> Option<usize> {
    let (_, ordinal) = host.rsplit_once('-')?;
    if ordinal.is_empty() || !ordinal.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    ordinal.parse().ok()
}

fn host_name() -> Option<String> {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok().map(|h| h.trim().to_owned()))
}

/// Resolves the cluster flags for a process running `workers` workers.
pub fn resolve(flags: &ClusterFlags, workers: usize) -> Result<ClusterSpec, ConfigError> {
    let hostfile = flags.hostfile.as_deref().map(Hostfile::read).transpose()?;
    let processes = match (flags.processes, &hostfile) {
        (Some(0), _) => return Err(ConfigError::new("AUDITFLOW_PROCESSES (--processes)", "must be at least 1")),
        (Some(n), _) => n,
        (None, Some(file)) => file.hosts.len(),
        (None, None) => 1,
    };
    let Some(hostfile) = hostfile else {
        if processes > 1 {
            return Err(ConfigError::new(
                "AUDITFLOW_HOSTFILE (--hostfile)",
                format!("--processes {processes} needs a hostfile with one host:port per process"),
            ));
        }
        return Ok(ClusterSpec::single(workers));
    };
    if hostfile.hosts.len() != processes {
        return Err(ConfigError::new(
            "AUDITFLOW_HOSTFILE (--hostfile)",
            format!(
                "the hostfile names {} process(es) but --processes is {processes}: one line per process",
                hostfile.hosts.len()
            ),
        ));
    }
    let process = match flags.process {
        Some(p) => p,
        None if processes == 1 => 0,
        None => host_name().as_deref().and_then(ordinal_of).ok_or_else(|| {
            ConfigError::new(
                "AUDITFLOW_PROCESS (--process)",
                "no process index: give --process, or run on a StatefulSet-style host name `<name>-<i>`",
            )
        })?,
    };
    if process >= processes {
        return Err(ConfigError::new(
            "AUDITFLOW_PROCESS (--process)",
            format!("process {process} does not exist in a cluster of {processes} (indices 0 to {})", processes - 1),
        ));
    }
    let generation = flags.generation.clone().unwrap_or_default();
    if generation.len() > 128 || generation.chars().any(|c| c.is_control()) {
        return Err(ConfigError::new(
            "AUDITFLOW_GENERATION (--generation)",
            "at most 128 printable characters (a revision hash, a deploy id)",
        ));
    }
    Ok(ClusterSpec { processes, process, workers, hosts: hostfile.hosts, hostfile_digest: hostfile.digest, generation })
}
