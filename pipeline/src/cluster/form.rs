//! Forming the cluster: bind this process's hostfile line, connect to every lower process,
//! accept every higher one, handshake each connection, and tune the sockets so that a peer
//! that vanishes is noticed within [`PEER_LOSS_BOUND`].
//!
//! timely's own set-up retries for ever and sets only `TCP_NODELAY`; this one gives up
//! after the connect timeout (exit 3) and refuses peers of another cluster (exit 2).

use super::hello::{exchange, Hello};
use super::spec::{ClusterProgress, ClusterSpec};
use crate::connect::Unreachable;
use crate::settings::ConfigError;
use std::io::ErrorKind;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Keepalive probes start after this much silence on a cluster connection ...
const KEEPALIVE_IDLE: Duration = Duration::from_secs(2);
/// ... are sent this often ...
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(1);
/// ... and this many unanswered ones end the connection.
const KEEPALIVE_PROBES: u32 = 3;
/// Data left unacknowledged this long ends the connection (`TCP_USER_TIMEOUT`). Progress
/// messages flow every epoch, so a peer behind a cut link is found by this first.
const USER_TIMEOUT: Duration = Duration::from_secs(5);
/// The documented bound: from a peer's death or a cut link to this process's exit. The
/// socket options above detect it within 5 s; the rest is margin for a busy machine.
pub const PEER_LOSS_BOUND: Duration = Duration::from_secs(10);

/// How long one handshake may take before the connection is dropped and tried again.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(5);
/// The countdown's cadence.
const LOG_EVERY: Duration = Duration::from_secs(5);

/// Connects the cluster: returns one socket per peer, in process order, `None` at this
/// process's own index, ready for timely.
pub fn form(
    spec: &ClusterSpec,
    timeout: Duration,
    progress: &ClusterProgress,
) -> anyhow::Result<Vec<Option<TcpStream>>> {
    let started = Instant::now();
    let deadline = started + timeout;
    let mine = Hello::new(&spec.generation, spec.processes, spec.workers, &spec.hostfile_digest, spec.process);
    let listener = bind_own_line(spec, deadline)?;
    let mut sockets: Vec<Option<TcpStream>> = (0..spec.processes).map(|_| None).collect();
    let mut last_error: Vec<String> = vec!["not tried yet".into(); spec.processes];
    let mut next_log = started;
    tracing::info!(
        process = spec.process, processes = spec.processes, generation = %spec.generation,
        listen = %spec.hosts[spec.process], "forming the cluster"
    );
    loop {
        for peer in 0..spec.process {
            if sockets[peer].is_some() {
                continue;
            }
            match connect_to(&spec.hosts[peer]) {
                Ok(stream) => match exchange(&stream, &mine, HANDSHAKE_TIMEOUT) {
                    Ok(theirs) => {
                        check(&mine, &theirs, spec, Some(peer))?;
                        sockets[peer] = Some(stream);
                        tracing::info!(peer, address = %spec.hosts[peer], "connected to cluster peer");
                    }
                    Err(e) => last_error[peer] = format!("handshake failed: {e}"),
                },
                Err(e) => last_error[peer] = e,
            }
        }
        loop {
            match listener.accept() {
                Ok((stream, from)) => {
                    if let Err(e) = stream.set_nonblocking(false) {
                        tracing::debug!(%from, error = %e, "dropping a cluster connection");
                        continue;
                    }
                    match exchange(&stream, &mine, HANDSHAKE_TIMEOUT) {
                        Ok(theirs) => {
                            check(&mine, &theirs, spec, None)?;
                            if sockets[theirs.process].is_some() {
                                return Err(ConfigError::new(
                                    "AUDITFLOW_PROCESS (--process)",
                                    format!(
                                        "two processes connected as process {} (the second from {from}): every \
                                         process needs its own index",
                                        theirs.process
                                    ),
                                )
                                .into());
                            }
                            tracing::info!(peer = theirs.process, %from, "cluster peer connected");
                            sockets[theirs.process] = Some(stream);
                        }
                        Err(e) => tracing::debug!(%from, error = %e, "a cluster connection failed its handshake"),
                    }
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) => {
                    tracing::debug!(error = %e, "accept failed");
                    break;
                }
            }
        }
        let connected = sockets.iter().filter(|s| s.is_some()).count();
        progress.connected.store(connected, Ordering::Relaxed);
        let missing: Vec<usize> = (0..spec.processes).filter(|&p| p != spec.process && sockets[p].is_none()).collect();
        if missing.is_empty() {
            break;
        }
        let now = Instant::now();
        let describe = |p: &usize| format!("process {p} at {} ({})", spec.hosts[*p], last_error[*p]);
        if now >= deadline {
            return Err(Unreachable {
                service: "cluster peer",
                target: missing.iter().map(|p| spec.hosts[*p].clone()).collect::<Vec<_>>().join(", "),
                waited_secs: timeout.as_secs(),
                detail: missing.iter().map(describe).collect::<Vec<_>>().join("; "),
            }
            .into());
        }
        if now >= next_log {
            next_log = now + LOG_EVERY;
            tracing::info!(
                "waiting for cluster peers: {connected} of {} connected; missing {}; giving up in {} s",
                spec.processes - 1,
                missing.iter().map(|p| format!("process {p} at {}", spec.hosts[*p])).collect::<Vec<_>>().join(", "),
                deadline.saturating_duration_since(now).as_secs()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    for socket in sockets.iter().flatten() {
        tune(socket)?;
    }
    tracing::info!(
        processes = spec.processes,
        ms = started.elapsed().as_millis() as u64,
        "cluster formed: every peer connected"
    );
    Ok(sockets)
}

/// A hello of another cluster is a deployment error: exit 2 with what to fix.
fn check(mine: &Hello, theirs: &Hello, spec: &ClusterSpec, expected: Option<usize>) -> anyhow::Result<()> {
    let setting = "AUDITFLOW_GENERATION / AUDITFLOW_HOSTFILE / AUDITFLOW_PROCESSES";
    if let Some(problem) = mine.mismatch(theirs) {
        return Err(ConfigError::new(setting, format!("refused a cluster peer: {problem}")).into());
    }
    let wrong_index = match expected {
        Some(p) => theirs.process != p,
        None => theirs.process <= spec.process || theirs.process >= spec.processes,
    };
    if wrong_index {
        let at = expected.map(|p| format!(" (hostfile line {} names process {p})", p + 1)).unwrap_or_default();
        return Err(ConfigError::new(
            "AUDITFLOW_PROCESS (--process)",
            format!(
                "refused a cluster peer: it says it is process {}{at}; this process is {} of {}: check each \
                 process's --process against its hostfile line",
                theirs.process, spec.process, spec.processes
            ),
        )
        .into());
    }
    Ok(())
}

/// Binds this process's own hostfile line (retrying while its name does not resolve yet, as
/// a StatefulSet pod's DNS record appears only once the pod runs).
fn bind_own_line(spec: &ClusterSpec, deadline: Instant) -> anyhow::Result<TcpListener> {
    let own = &spec.hosts[spec.process];
    let setting = "AUDITFLOW_HOSTFILE / AUDITFLOW_PROCESS";
    loop {
        let addresses: Vec<SocketAddr> = match own.to_socket_addrs() {
            Ok(a) => a.collect(),
            Err(e) if Instant::now() < deadline => {
                tracing::info!(address = %own, error = %e, "this process's hostfile address does not resolve yet; retrying");
                std::thread::sleep(Duration::from_secs(1));
                continue;
            }
            Err(e) => {
                return Err(Unreachable {
                    service: "DNS for this process's hostfile line",
                    target: own.clone(),
                    waited_secs: 0,
                    detail: e.to_string(),
                }
                .into())
            }
        };
        let mut last = None;
        for address in &addresses {
            match TcpListener::bind(address) {
                Ok(listener) => {
                    listener.set_nonblocking(true)?;
                    return Ok(listener);
                }
                Err(e) => last = Some((address, e)),
            }
        }
        let (address, e) = match last {
            Some(l) => l,
            None => return Err(ConfigError::new(setting, format!("{own} resolves to no address")).into()),
        };
        let fix = match e.kind() {
            ErrorKind::AddrNotAvailable => format!(
                "this host has no address {address}: hostfile line {} is not this host's, so --process {} is wrong \
                 or the hostfile is",
                spec.process + 1,
                spec.process
            ),
            ErrorKind::AddrInUse => format!(
                "{address} is in use: another process (an old one of this cluster?) holds it; stop it or give this \
                 process another port in the hostfile"
            ),
            _ => format!("cannot listen on {address}: {e}"),
        };
        return Err(ConfigError::new(setting, fix).into());
    }
}

fn connect_to(address: &str) -> Result<TcpStream, String> {
    let resolved: Vec<SocketAddr> = address.to_socket_addrs().map_err(|e| format!("does not resolve: {e}"))?.collect();
    let mut last = String::from("resolves to no address");
    for a in resolved {
        match TcpStream::connect_timeout(&a, Duration::from_millis(500)) {
            Ok(s) => return Ok(s),
            Err(e) => last = e.to_string(),
        }
    }
    Err(last)
}

/// Bounds how long a silent peer can go unnoticed (see [`PEER_LOSS_BOUND`]).
fn tune(socket: &TcpStream) -> std::io::Result<()> {
    socket.set_nodelay(true)?;
    let sock = socket2::SockRef::from(socket);
    sock.set_tcp_keepalive(
        &socket2::TcpKeepalive::new()
            .with_time(KEEPALIVE_IDLE)
            .with_interval(KEEPALIVE_INTERVAL)
            .with_retries(KEEPALIVE_PROBES),
    )?;
    sock.set_tcp_user_timeout(Some(USER_TIMEOUT))?;
    Ok(())
}
