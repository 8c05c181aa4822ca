//! Heartbeats: a peer that is alive but stuck is lost too.
//!
//! A SIGSTOPped or hung process keeps its TCP connections answered by the kernel, so the
//! socket time-outs of [`super::form`] never fire and its peers wait on it. Each process
//! therefore sends a small UDP datagram to every peer each [`EVERY`], from and to the
//! `host:port` of the hostfile (UDP beside timely's TCP), and a process that has heard from
//! a peer and then hears nothing for [`SILENCE`] stops, as for a dead peer, within
//! [`super::PEER_LOSS_BOUND`]. A process that ends on purpose says goodbye first, so its
//! peers do not take its silence for a hang. A peer never heard from at all (UDP filtered
//! between the hosts) is not watched; the log says so once.

use super::failstop::PEER_LOST_EXIT;
use super::ClusterSpec;
use std::net::{ToSocketAddrs, UdpSocket};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How often a heartbeat is sent to each peer.
pub const EVERY: Duration = Duration::from_millis(500);
/// Silence after which a peer that was heard counts as lost.
pub const SILENCE: Duration = Duration::from_secs(6);

/// This process's heartbeat, once started.
static RUNNING: OnceLock<Arc<Heartbeat>> = OnceLock::new();

/// Starts this process's heartbeat (see [`Heartbeat::start`]); once per process.
pub fn start(spec: &ClusterSpec) {
    if let Some(h) = Heartbeat::start(spec) {
        let _ = RUNNING.set(h);
    }
}

/// Tells the peers this process ends on purpose (nothing without a heartbeat).
pub fn goodbye() {
    if let Some(h) = RUNNING.get() {
        h.goodbye();
    }
}

/// When each peer was last heard, or that it said goodbye.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Heard {
    Never,
    At(Instant),
    Gone,
}

/// The running heartbeat of this process.
pub struct Heartbeat {
    socket: UdpSocket,
    peers: Vec<(usize, std::net::SocketAddr)>,
    message: String,
}

impl Heartbeat {
    /// Starts sending and watching. An error (the UDP port taken, an address that does
    /// not resolve) is logged and leaves hung peers to the socket time-outs.
    pub fn start(spec: &ClusterSpec) -> Option<Arc<Heartbeat>> {
        match Self::bind(spec) {
            Ok(h) => {
                let h = Arc::new(h);
                h.clone().spawn(spec.hosts.clone());
                Some(h)
            }
            Err(e) => {
                tracing::warn!(error = %e, "no cluster heartbeat: a peer that hangs (SIGSTOP) is noticed only by its socket time-outs");
                None
            }
        }
    }

    fn bind(spec: &ClusterSpec) -> std::io::Result<Heartbeat> {
        let own = spec.hosts.get(spec.process).ok_or_else(|| std::io::Error::other("no address for this process"))?;
        let socket = UdpSocket::bind(own)?;
        socket.set_read_timeout(Some(EVERY))?;
        let mut peers = Vec::new();
        for (i, host) in spec.hosts.iter().enumerate().filter(|(i, _)| *i != spec.process) {
            let addr = host
                .to_socket_addrs()?
                .next()
                .ok_or_else(|| std::io::Error::other(format!("{host} resolves to nothing")))?;
            peers.push((i, addr));
        }
        Ok(Heartbeat { socket, peers, message: format!("auditflow-heartbeat {} {}", spec.generation, spec.process) })
    }

    /// Tells every peer this process is ending on purpose.
    pub fn goodbye(&self) {
        let bye = format!("{} bye", self.message);
        for (_, addr) in &self.peers {
            let _ = self.socket.send_to(bye.as_bytes(), addr);
        }
    }

    fn spawn(self: Arc<Self>, hosts: Vec<String>) {
        let heard = Arc::new(Mutex::new(vec![Heard::Never; hosts.len()]));
        let (listener, listened) = (self.clone(), heard.clone());
        let prefix = self.message.rsplit_once(' ').map(|(p, _)| p.to_owned()).unwrap_or_default();
        let _ = std::thread::Builder::new().name("auditflow-heartbeat-in".into()).spawn(move || {
            let mut buf = [0u8; 256];
            loop {
                let Ok((n, _)) = listener.socket.recv_from(&mut buf) else { continue };
                let Some((peer, bye)) = parse(&buf[..n], &prefix) else { continue };
                if let Some(slot) = listened.lock().unwrap_or_else(|p| p.into_inner()).get_mut(peer) {
                    if *slot != Heard::Gone {
                        *slot = if bye { Heard::Gone } else { Heard::At(Instant::now()) };
                    }
                }
            }
        });
        let _ = std::thread::Builder::new().name("auditflow-heartbeat-out".into()).spawn(move || {
            let started = Instant::now();
            let mut warned_unheard = false;
            loop {
                for (_, addr) in &self.peers {
                    let _ = self.socket.send_to(self.message.as_bytes(), addr);
                }
                std::thread::sleep(EVERY);
                let now = Instant::now();
                let state = heard.lock().unwrap_or_else(|p| p.into_inner()).clone();
                for (peer, h) in state.iter().enumerate() {
                    match h {
                        Heard::At(at) if now.duration_since(*at) > SILENCE => {
                            let address = hosts.get(peer).map(String::as_str).unwrap_or("?");
                            tracing::error!(
                                peer, %address, silent_secs = now.duration_since(*at).as_secs(),
                                "cluster peer {peer} at {address} is gone (it stopped answering heartbeats: hung or \
                                 stopped); stopping this process so that the supervisor restarts the cluster from \
                                 the ledger's watermarks"
                            );
                            std::process::exit(PEER_LOST_EXIT);
                        }
                        Heard::Never
                            if !warned_unheard
                                && now.duration_since(started) > SILENCE
                                && self.peers.iter().any(|(p, _)| *p == peer) =>
                        {
                            warned_unheard = true;
                            tracing::warn!(peer, "no heartbeat from this peer yet (UDP filtered between the hosts?): a hang of it is noticed only by the socket time-outs");
                        }
                        _ => {}
                    }
                }
            }
        });
    }
}

/// A heartbeat of this cluster's generation: the sending peer, and whether it is a goodbye.
///
/// ```
/// # use auditflow_pipeline::cluster::heartbeat::parse;
/// assert_eq!(parse(b"auditflow-heartbeat g1 2", "auditflow-heartbeat g1"), Some((2, false)));
/// assert_eq!(parse(b"auditflow-heartbeat g1 2 bye", "auditflow-heartbeat g1"), Some((2, true)));
/// assert_eq!(parse(b"auditflow-heartbeat g2 2", "auditflow-heartbeat g1"), None);
/// ```
pub fn parse(datagram: &[u8], prefix: &str) -> Option<(usize, bool)> {
    let text = std::str::from_utf8(datagram).ok()?;
    let rest = text.strip_prefix(prefix)?.strip_prefix(' ')?;
    let mut parts = rest.split(' ');
    let peer = parts.next()?.parse().ok()?;
    match parts.next() {
        None => Some((peer, false)),
        Some("bye") => Some((peer, true)),
        Some(_) => None,
    }
}
