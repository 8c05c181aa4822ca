//! A cluster of `auditflow run` processes on the test hosts ([`super::hosts`]), one process
//! per host, with the test environment's settings.

use super::hosts::Hosts;
use super::{binary, TestEnv};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// A cluster of `auditflow run` processes, process i on host i.
pub struct Cluster<'a> {
    env: &'a TestEnv,
    hosts: &'a Hosts,
    pub processes: usize,
    hostfile: PathBuf,
    pub children: Vec<Child>,
}

impl<'a> Cluster<'a> {
    /// Starts `processes` processes of one worker each, with `extra` flags.
    pub fn start(env: &'a TestEnv, hosts: &'a Hosts, processes: usize, extra: &[&str]) -> Cluster<'a> {
        assert!(processes <= hosts.count, "{processes} processes need as many hosts");
        let hostfile = hosts.hostfile(&env.dir, processes);
        let mut cluster = Cluster { env, hosts, processes, hostfile, children: Vec::new() };
        for i in 0..processes {
            let child = cluster.spawn(i, extra);
            cluster.children.push(child);
        }
        cluster
    }

    /// Starts process i (again).
    pub fn spawn(&self, i: usize, extra: &[&str]) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.env.dir.join(format!("run-p{i}.log")))
            .expect("log");
        let (processes, process) = (self.processes.to_string(), i.to_string());
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.hosts.namespace(i)]).arg(binary());
        // Entries idle a second on a consumer of an earlier size are claimed at once, unless
        // the test sets its own claim idle.
        let claim: &[&str] = if extra.contains(&"--claim-idle-ms") { &[] } else { &["--claim-idle-ms", "1000"] };
        cmd.args(["run", "--processes", &processes, "--process", &process, "--workers", "1"])
            .arg("--hostfile")
            .arg(&self.hostfile)
            .args(claim)
            .args(["--connect-timeout-secs", "60"])
            .args(extra);
        self.env.configure(&mut cmd);
        let gateway = self.hosts.gateway();
        cmd.env("AUDITFLOW_REDIS_URL", format!("redis://{gateway}:6379"))
            .env("AUDITFLOW_DATABASE_URL", format!("postgres://postgres@{gateway}:5432/{}", self.env.database));
        cmd.stdout(Stdio::from(log.try_clone().expect("log"))).stderr(Stdio::from(log)).spawn().expect("spawn process")
    }

    /// SIGKILLs process i.
    pub fn kill(&mut self, i: usize) {
        let _ = self.children[i].kill();
        let _ = self.children[i].wait();
    }

    /// Waits for every process to exit; returns each one's status and how long it took.
    /// Panics (with the logs) past `limit`.
    pub fn wait_all(&mut self, limit: Duration) -> Vec<(ExitStatus, Duration)> {
        let started = Instant::now();
        let mut done: Vec<Option<(ExitStatus, Duration)>> = vec![None; self.children.len()];
        while done.iter().any(Option::is_none) {
            for (i, child) in self.children.iter_mut().enumerate() {
                if done[i].is_none() {
                    if let Some(status) = child.try_wait().expect("wait") {
                        done[i] = Some((status, started.elapsed()));
                    }
                }
            }
            if started.elapsed() > limit {
                for child in &mut self.children {
                    let _ = child.kill();
                    let _ = child.wait();
                }
                panic!("the cluster did not exit within {limit:?}: {done:?}\n{}", self.logs());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        done.into_iter().map(|d| d.expect("exited")).collect()
    }

    /// Runs until drained: every process must exit 0.
    pub fn drain(env: &'a TestEnv, hosts: &'a Hosts, processes: usize, extra: &[&str], limit: Duration) {
        let flags: Vec<&str> = extra.iter().copied().chain(["--exit-when-drained"]).collect();
        let mut cluster = Cluster::start(env, hosts, processes, &flags);
        for (i, (status, _)) in cluster.wait_all(limit).into_iter().enumerate() {
            assert!(status.success(), "process {i} exited with {status} while draining\n{}", cluster.logs());
        }
    }

    /// The last lines of every process's log.
    pub fn logs(&self) -> String {
        (0..self.processes).map(|i| format!("--- process {i}\n{}", process_log_tail(self.env, i))).collect()
    }
}

impl Drop for Cluster<'_> {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The whole log of process i.
pub fn process_log(env: &TestEnv, i: usize) -> String {
    std::fs::read_to_string(env.dir.join(format!("run-p{i}.log"))).unwrap_or_default()
}

fn process_log_tail(env: &TestEnv, i: usize) -> String {
    let log = process_log(env, i);
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(25)..].join("\n")
}
