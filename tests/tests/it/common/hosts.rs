//! Several hosts on one machine: one network namespace per host, each with its own address
//! on a veth pair into a bridge, made with `ip netns` / `ip link` and removed on drop.
//! Redis and Postgres listen on loopback only, so proxies on the bridge's address carry the
//! hosts' traffic to them: every byte a host sends crosses its own link, and cutting the
//! link (`ip link set … down`) drops its packets without a FIN or RST.
//!
//! Shared by the cluster tests and `auditflow bench fleet` (which includes this file).

use super::proxy::CuttableProxy;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

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
        // Whole or not at all: a process starting meanwhile never reads half a file.
        let staged = dir.join(format!("hostfile-{processes}.new"));
        std::fs::write(&staged, lines.join("\n") + "\n").expect("write hostfile");
        std::fs::rename(&staged, &path).expect("place hostfile");
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
