//! A TCP proxy that can cut its traffic, and forwards from the test hosts' network to the
//! services on loopback.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// A TCP proxy in front of a server that can go "down": while cut, it drops every open
/// connection and refuses new ones (connections are accepted and closed at once).
pub struct CuttableProxy {
    pub port: u16,
    address: SocketAddr,
    cut: Arc<AtomicBool>,
    closed: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
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
        let (cut2, closed2, open2) = (cut.clone(), closed.clone(), open.clone());
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
                pipe(&client, &server);
                pipe(&server, &client);
            }
        });
        CuttableProxy { port: address.port(), address, cut, closed, open }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The server becomes unreachable.
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        self.close_connections();
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

fn pipe(from: &TcpStream, to: &TcpStream) {
    let (Ok(mut from), Ok(mut to)) = (from.try_clone(), to.try_clone()) else { return };
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Write);
    });
}
