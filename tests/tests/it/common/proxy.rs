//! A TCP proxy that can cut its traffic or slow it down, and forwards from the test hosts'
//! network to the services on loopback. The slowing is done here in user space: this
//! machine's kernel has no `netem` queueing discipline.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A TCP proxy in front of a server that can go "down": while cut, it drops every open
/// connection and refuses new ones (connections are accepted and closed at once). It can
/// also freeze: connections stay open and nothing is forwarded either way, as over a link
/// that dies without a reset (a half-open connection).
pub struct CuttableProxy {
    pub port: u16,
    address: SocketAddr,
    cut: Arc<AtomicBool>,
    frozen: Arc<AtomicBool>,
    closed: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
    delay_ms: Arc<AtomicU64>,
}

impl CuttableProxy {
    /// A proxy on a free loopback port to `127.0.0.1:target_port`.
    pub fn start(target_port: u16) -> Self {
        Self::start_on("127.0.0.1:0", ([127, 0, 0, 1], target_port))
    }

    /// A proxy listening on `bind` (an address of the test hosts' bridge, say) to `target`.
    pub fn start_on(bind: &str, target: impl Into<SocketAddr>) -> Self {
        let target = target.into();
        let listener = TcpListener::bind(bind).unwrap_or_else(|e| panic!("bind proxy on {bind}: {e}"));
        let address = listener.local_addr().expect("addr");
        let cut = Arc::new(AtomicBool::new(false));
        let closed = Arc::new(AtomicBool::new(false));
        let open: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let delay_ms = Arc::new(AtomicU64::new(0));
        let frozen = Arc::new(AtomicBool::new(false));
        let (cut2, closed2, open2, delay2) = (cut.clone(), closed.clone(), open.clone(), delay_ms.clone());
        let frozen2 = frozen.clone();
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                if closed2.load(Ordering::SeqCst) {
                    break;
                }
                if cut2.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(target) else {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                };
                if let (Ok(c), Ok(s)) = (client.try_clone(), server.try_clone()) {
                    open2.lock().expect("lock").extend([c, s]);
                }
                pipe(&client, &server, delay2.clone(), frozen2.clone());
                pipe(&server, &client, delay2.clone(), frozen2.clone());
            }
        });
        CuttableProxy { port: address.port(), address, cut, frozen, closed, open, delay_ms }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The server becomes unreachable.
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        self.close_connections();
    }

    /// Every byte arrives `ms` later, each way (0: no delay), as over a slow link: the
    /// latency grows, the throughput does not shrink.
    pub fn delay(&self, ms: u64) {
        self.delay_ms.store(ms, Ordering::SeqCst);
    }

    /// Nothing is forwarded any more, and nothing is closed: what is sent waits here.
    pub fn freeze(&self) {
        self.frozen.store(true, Ordering::SeqCst);
    }

    /// Forwarding resumes, the bytes held while frozen first.
    pub fn thaw(&self) {
        self.frozen.store(false, Ordering::SeqCst);
    }

    /// The server is reachable again.
    pub fn restore(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }

    fn close_connections(&self) {
        for s in self.open.lock().expect("lock").drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for CuttableProxy {
    fn drop(&mut self) {
        self.closed.store(true, Ordering::SeqCst);
        self.close_connections();
        // Wakes the accept loop so that it sees `closed` and lets the port go.
        let _ = TcpStream::connect_timeout(&self.address, std::time::Duration::from_millis(200));
    }
}

/// Copies `from` to `to`; each chunk is written `delay_ms` after it was read (a second
/// thread writes, so reading goes on meanwhile, as packets keep flowing on a long link).
fn pipe(from: &TcpStream, to: &TcpStream, delay_ms: Arc<AtomicU64>, frozen: Arc<AtomicBool>) {
    let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else { return };
    let (tx, rx) = std::sync::mpsc::channel::<(std::time::Instant, Vec<u8>)>();
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let due =
                        std::time::Instant::now() + std::time::Duration::from_millis(delay_ms.load(Ordering::SeqCst));
                    if tx.send((due, buf[..n].to_vec())).is_err() {
                        break;
                    }
                }
            }
        }
    });
    std::thread::spawn(move || {
        for (due, chunk) in rx {
            std::thread::sleep(due.saturating_duration_since(std::time::Instant::now()));
            while frozen.load(Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            if to.write_all(&chunk).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}
