//! Forming the cluster: bind this process's hostfile line, connect to every lower process,
//! accept every higher one, handshake each connection, and tune the sockets so that a peer
//! that vanishes is noticed within [`PEER_LOSS_BOUND`].
//!
//! timely's own set-up retries for ever and sets only `TCP_NODELAY`; this one gives up
//! after the connect timeout (exit 3), or exit 2 when it refused peers of another cluster.

use super::hello::{handshake, Handshake, Hello};
use super::spec::{ClusterProgress, ClusterSpec};
use crate::connect::Unreachable;
use crate::settings::ConfigError;
use auditflow_retry::Backoff;
use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
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

/// What the accepting thread hands the forming loop.
enum Incoming {
    Joined(usize, TcpStream),
    Refused(SocketAddr, String),
}

/// Connects the cluster: returns one socket per peer, in process order, `None` at this
/// process's own index, ready for timely.
///
/// A peer of another cluster (generation, size, workers, hostfile, version, index) is
/// refused on both ends and logged, and forming goes on waiting: a stale process must not
/// stop a correct one. Past the timeout, the process exits 2 naming the refusals if there
/// were any (what to fix), else 3 naming the peers that never answered.
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
    let mut refusals: BTreeMap<String, String> = BTreeMap::new();
    let mut next_log = started;
    tracing::info!(
        process = spec.process, processes = spec.processes, generation = %spec.generation,
        listen = %spec.hosts[spec.process], "forming the cluster"
    );
    let stop = Arc::new(AtomicBool::new(false));
    let (incoming, accepted) = mpsc::channel();
    let acceptor = {
        let (stop, mine, spec) = (stop.clone(), mine.clone(), spec.clone());
        std::thread::Builder::new()
            .name("auditflow:cluster-accept".into())
            .spawn(move || accept_peers(listener, &mine, &spec, &stop, &incoming))?
    };
    let result = loop {
        for peer in 0..spec.process {
            if sockets[peer].is_some() {
                continue;
            }
            let joined = connect_to(&spec.hosts[peer]).and_then(|stream| {
                let judge = |theirs: &Hello| judge(&mine, theirs, spec, Some(peer));
                match handshake(&stream, &mine, HANDSHAKE_TIMEOUT, judge) {
                    Ok(Handshake::Joined(_)) => Ok(Some(stream)),
                    Ok(Handshake::Refused(reason)) => {
                        note_refusal(&mut refusals, format!("process {peer} at {}", spec.hosts[peer]), reason);
                        Ok(None)
                    }
                    Err(e) => Err(format!("handshake failed: {e}")),
                }
            });
            match joined {
                Ok(Some(stream)) => {
                    tracing::info!(peer, address = %spec.hosts[peer], "connected to cluster peer");
                    sockets[peer] = Some(stream);
                }
                Ok(None) => last_error[peer] = "refused (see above)".into(),
                Err(e) => last_error[peer] = e,
            }
        }
        while let Ok(message) = accepted.try_recv() {
            match message {
                Incoming::Joined(peer, stream) => {
                    if sockets[peer].is_some() {
                        // The earlier connection's process restarted while forming (or two
                        // processes claim the index): the newest is the live one.
                        tracing::warn!(peer, "process {peer} connected again; keeping the newest connection");
                    } else {
                        tracing::info!(peer, "cluster peer connected");
                    }
                    sockets[peer] = Some(stream);
                }
                Incoming::Refused(from, reason) => note_refusal(&mut refusals, format!("from {from}"), reason),
            }
        }
        let connected = sockets.iter().filter(|s| s.is_some()).count();
        progress.connected.store(connected, Ordering::Relaxed);
        let missing: Vec<usize> = (0..spec.processes).filter(|&p| p != spec.process && sockets[p].is_none()).collect();
        if missing.is_empty() {
            break Ok(());
        }
        let now = Instant::now();
        if now >= deadline {
            break Err(give_up(spec, timeout, &missing, &last_error, &refusals));
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
        std::thread::sleep(Duration::from_millis(100));
    };
    stop.store(true, Ordering::SeqCst);
    let _ = acceptor.join();
    result?;
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

/// Logs a refusal the first time it is seen.
fn note_refusal(refusals: &mut BTreeMap<String, String>, who: String, reason: String) {
    if refusals.get(&who) != Some(&reason) {
        tracing::warn!("refused cluster peer {who}: {reason}");
        refusals.insert(who, reason);
    }
}

/// The error when the timeout passes: exit 2 when peers were refused (a deployment error
/// to fix), exit 3 when they never answered.
fn give_up(
    spec: &ClusterSpec,
    timeout: Duration,
    missing: &[usize],
    last_error: &[String],
    refusals: &BTreeMap<String, String>,
) -> anyhow::Error {
    if !refusals.is_empty() {
        let reasons: Vec<String> = refusals.iter().map(|(who, why)| format!("{who}: {why}")).collect();
        return ConfigError::new(
            "AUDITFLOW_GENERATION / AUDITFLOW_HOSTFILE / AUDITFLOW_PROCESSES",
            format!("refused cluster peers, so the cluster never formed: {}", reasons.join("; ")),
        )
        .into();
    }
    Unreachable {
        service: "cluster peer",
        target: missing.iter().map(|p| spec.hosts[*p].clone()).collect::<Vec<_>>().join(", "),
        waited_secs: timeout.as_secs(),
        detail: missing
            .iter()
            .map(|p| format!("process {p} at {} ({})", spec.hosts[*p], last_error[*p]))
            .collect::<Vec<_>>()
            .join("; "),
    }
    .into()
}

/// Accepts the higher processes' connections until `stop`, each handshaken on a thread of
/// its own so that a slow or stale one holds up nobody.
fn accept_peers(
    listener: TcpListener,
    mine: &Hello,
    spec: &ClusterSpec,
    stop: &AtomicBool,
    out: &mpsc::Sender<Incoming>,
) {
    while !stop.load(Ordering::SeqCst) {
        match listener.accept() {
            Ok((stream, from)) => {
                let (mine, spec, out) = (mine.clone(), spec.clone(), out.clone());
                std::thread::spawn(move || {
                    if stream.set_nonblocking(false).is_err() {
                        return;
                    }
                    let judge = |theirs: &Hello| judge(&mine, theirs, &spec, None);
                    let message = match handshake(&stream, &mine, HANDSHAKE_TIMEOUT, judge) {
                        Ok(Handshake::Joined(theirs)) => Incoming::Joined(theirs.process, stream),
                        Ok(Handshake::Refused(reason)) => Incoming::Refused(from, reason),
                        Err(e) => {
                            tracing::debug!(%from, error = %e, "a cluster connection failed its handshake");
                            return;
                        }
                    };
                    let _ = out.send(message);
                });
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                tracing::debug!(error = %e, "accept failed");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

/// Why `theirs` may not join this process's cluster, if it may not.
fn judge(mine: &Hello, theirs: &Hello, spec: &ClusterSpec, expected: Option<usize>) -> Option<String> {
    if let Some(problem) = mine.mismatch(theirs) {
        return Some(problem);
    }
    let wrong_index = match expected {
        Some(p) => theirs.process != p,
        None => theirs.process <= spec.process || theirs.process >= spec.processes,
    };
    wrong_index.then(|| {
        let at = expected.map(|p| format!(" (hostfile line {} names process {p})", p + 1)).unwrap_or_default();
        format!(
            "it says it is process {}{at}; this process is {} of {}: check each process's --process against its \
             hostfile line",
            theirs.process, spec.process, spec.processes
        )
    })
}

/// Binds this process's own hostfile line (retrying while its name does not resolve yet, as
/// a StatefulSet pod's DNS record appears only once the pod runs).
fn bind_own_line(spec: &ClusterSpec, deadline: Instant) -> anyhow::Result<TcpListener> {
    let own = &spec.hosts[spec.process];
    let setting = "AUDITFLOW_HOSTFILE / AUDITFLOW_PROCESS";
    let backoff = Backoff::new(Duration::from_millis(250), Duration::from_secs(2));
    loop {
        let addresses: Vec<SocketAddr> = match own.to_socket_addrs() {
            Ok(a) => a.collect(),
            Err(e) if Instant::now() < deadline => {
                tracing::info!(address = %own, error = %e, retry_in_ms = backoff.next_delay().as_millis() as u64, "this process's hostfile address does not resolve yet; retrying");
                backoff.wait_blocking();
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
