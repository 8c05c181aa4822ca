//! Several hosts on one machine, for the cluster tests: one network namespace per host, each
//! with its own address on a veth pair into a bridge, made with `ip netns` / `ip link` and
//! removed on drop. Redis and Postgres listen on loopback only, so proxies on the bridge's
//! address carry the hosts' traffic to them: every byte a host sends crosses its own link,
//! and cutting the link (`ip link set … down`) drops its packets without a FIN or RST.

use super::proxy::CuttableProxy;
use super::{binary, TestEnv};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The port every process of a test cluster listens on (each host has its own address).
pub const CLUSTER_PORT: u16 = 7700;

static NEXT_NETWORK: AtomicU32 = AtomicU32::new(0);

fn ip(args: &[&str]) -> std::process::Output {
    Command::new("ip").args(args).output().unwrap_or_else(|e| panic!("cannot run `ip` (iproute2): {e}"))
}

fn ip_ok(args: &[&str]) {
    let out = ip(args);
    assert!(
        out.status.success(),
        "`ip {}` failed: {} (the cluster tests need root and iproute2 to make their test hosts)",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr).trim()
    );
}

/// Test hosts: namespaces `af<n>h<i>` with address `10.213.<n>.<10+i>`, their veths
/// `af<n>v<i>` on the bridge `afb<n>` at `10.213.<n>.1`.
pub struct Hosts {
    network: u32,
    pub count: usize,
    proxies: Vec<CuttableProxy>,
}

impl Hosts {
    /// Makes `count` hosts, with Redis and Postgres reachable at the bridge's address.
    pub fn new(count: usize) -> Hosts {
        let network = (std::process::id() + NEXT_NETWORK.fetch_add(1, Ordering::SeqCst) * 37) % 200 + 20;
        let mut hosts = Hosts { network, count, proxies: Vec::new() };
        hosts.remove(); // a crashed earlier run may have left these names behind
        let bridge = hosts.bridge();
        ip_ok(&["link", "add", &bridge, "type", "bridge"]);
        ip_ok(&["addr", "add", &format!("{}/24", hosts.gateway()), "dev", &bridge]);
        ip_ok(&["link", "set", &bridge, "up"]);
        for i in 0..count {
            let (ns, veth) = (hosts.namespace(i), hosts.veth(i));
            ip_ok(&["netns", "add", &ns]);
            ip_ok(&["link", "add", &veth, "type", "veth", "peer", "name", "eth0", "netns", &ns]);
            ip_ok(&["link", "set", &veth, "master", &bridge]);
            ip_ok(&["link", "set", &veth, "up"]);
            ip_ok(&["netns", "exec", &ns, "ip", "addr", "add", &format!("{}/24", hosts.address(i)), "dev", "eth0"]);
            ip_ok(&["netns", "exec", &ns, "ip", "link", "set", "eth0", "up"]);
            ip_ok(&["netns", "exec", &ns, "ip", "link", "set", "lo", "up"]);
        }
        let gateway = hosts.gateway();
        hosts.proxies.push(CuttableProxy::start_on(&format!("{gateway}:6379"), ([127, 0, 0, 1], 6379)));
        hosts.proxies.push(CuttableProxy::start_on(&format!("{gateway}:5432"), ([127, 0, 0, 1], 5432)));
        hosts
    }

    fn bridge(&self) -> String {
        format!("afb{}", self.network)
    }

    fn veth(&self, i: usize) -> String {
        format!("af{}v{i}", self.network)
    }

    pub fn namespace(&self, i: usize) -> String {
        format!("af{}h{i}", self.network)
    }

    /// The bridge's address, where the hosts reach Redis and Postgres.
    pub fn gateway(&self) -> String {
        format!("10.213.{}.1", self.network)
    }

    /// Host i's address.
    pub fn address(&self, i: usize) -> String {
        format!("10.213.{}.{}", self.network, 10 + i)
    }

    /// Cuts host i's link: its packets are dropped, nobody gets a FIN or RST.
    pub fn cut(&self, i: usize) {
        ip_ok(&["link", "set", &self.veth(i), "down"]);
    }

    /// Restores host i's link.
    pub fn restore(&self, i: usize) {
        ip_ok(&["link", "set", &self.veth(i), "up"]);
    }

    /// Writes a hostfile for a cluster on the first `processes` hosts.
    pub fn hostfile(&self, dir: &Path, processes: usize) -> PathBuf {
        let path = dir.join(format!("hostfile-{processes}"));
        let lines: Vec<String> = (0..processes).map(|i| format!("{}:{CLUSTER_PORT}", self.address(i))).collect();
        std::fs::write(&path, lines.join("\n") + "\n").expect("write hostfile");
        path
    }

    fn remove(&self) {
        for i in 0..self.count {
            let _ = ip(&["netns", "del", &self.namespace(i)]);
        }
        let _ = ip(&["link", "del", &self.bridge()]);
    }
}

impl Drop for Hosts {
    fn drop(&mut self) {
        self.proxies.clear();
        self.remove();
    }
}

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
        cmd.args(["run", "--processes", &processes, "--process", &process, "--workers", "1"])
            .arg("--hostfile")
            .arg(&self.hostfile)
            .args(["--claim-idle-ms", "1000", "--connect-timeout-secs", "60"])
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
    pub fn drain(env: &'a TestEnv, hosts: &'a Hosts, processes: usize, limit: Duration) {
        let mut cluster = Cluster::start(env, hosts, processes, &["--exit-when-drained"]);
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
