//! The handshake every cluster connection starts with.
//!
//! Both ends write one JSON line describing the cluster they were started for, then read
//! the other's, then exchange a verdict byte. Any difference (generation, size, workers,
//! hostfile, version) refuses the connection with a message that says what to fix: a
//! process of an old generation, or one started with another hostfile, never joins. timely's own handshake only sends a
//! process index, which would let any of these through.

use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Longest hello accepted, so a stray client cannot make a process buffer without end.
const MAX_HELLO_BYTES: u64 = 4096;
/// Protocol tag: anything else on the port is not an auditflow process.
const PROTOCOL: &str = "auditflow-cluster/1";

/// What a process says about itself when it connects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// Always [`PROTOCOL`].
    pub protocol: String,
    /// The binary's version: processes exchange timely's binary encoding, so it must match.
    pub version: String,
    /// The deployment generation (`--generation`).
    pub generation: String,
    /// Processes in the cluster.
    pub processes: usize,
    /// Workers per process.
    pub workers: usize,
    /// Digest of the hostfile.
    pub hostfile_sha256: String,
    /// The sender's process index.
    pub process: usize,
}

impl Hello {
    /// This process's hello.
    pub fn new(generation: &str, processes: usize, workers: usize, hostfile_sha256: &str, process: usize) -> Hello {
        Hello {
            protocol: PROTOCOL.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            generation: generation.into(),
            processes,
            workers,
            hostfile_sha256: hostfile_sha256.into(),
            process,
        }
    }

    /// What in `theirs` makes it another cluster than `self`, and what to do about it; `None`
    /// when both belong to the same cluster.
    ///
    /// ```
    /// use auditflow_pipeline::cluster::Hello;
    /// let mine = Hello::new("rev-2", 3, 1, "abc", 0);
    /// assert_eq!(mine.mismatch(&Hello::new("rev-2", 3, 1, "abc", 2)), None);
    /// let old = mine.mismatch(&Hello::new("rev-1", 3, 1, "abc", 2)).unwrap();
    /// assert!(old.contains("generation \"rev-1\"") && old.contains("--generation"), "{old}");
    /// let file = mine.mismatch(&Hello::new("rev-2", 3, 1, "def", 2)).unwrap();
    /// assert!(file.contains("hostfile"), "{file}");
    /// ```
    pub fn mismatch(&self, theirs: &Hello) -> Option<String> {
        let peer = theirs.process;
        if theirs.protocol != self.protocol {
            return Some(format!(
                "the peer speaks {:?}, not {PROTOCOL}: is another program listening on a hostfile address?",
                theirs.protocol
            ));
        }
        if theirs.version != self.version {
            return Some(format!(
                "process {peer} runs auditflow {}, this process {}: run one version across the cluster",
                theirs.version, self.version
            ));
        }
        if theirs.generation != self.generation {
            return Some(format!(
                "process {peer} belongs to generation {:?}, this process to {:?}: restart every process with the same \
                 --generation (AUDITFLOW_GENERATION); a process of another generation never joins",
                theirs.generation, self.generation
            ));
        }
        if theirs.processes != self.processes || theirs.workers != self.workers {
            return Some(format!(
                "process {peer} was started for {} process(es) x {} worker(s), this process for {} x {}: give every \
                 process the same --processes and --workers",
                theirs.processes, theirs.workers, self.processes, self.workers
            ));
        }
        if theirs.hostfile_sha256 != self.hostfile_sha256 {
            return Some(format!(
                "process {peer} read another hostfile (sha256 {}…, this process {}…): give every process the same \
                 --hostfile",
                &theirs.hostfile_sha256[..theirs.hostfile_sha256.len().min(12)],
                &self.hostfile_sha256[..self.hostfile_sha256.len().min(12)]
            ));
        }
        None
    }
}

/// The outcome of a handshake.
#[derive(Debug)]
pub enum Handshake {
    /// Both ends accepted: the peer's hello.
    Joined(Hello),
    /// This end or the peer refused: why, and what to fix.
    Refused(String),
}

/// Accepted, or refused.
const ACCEPT: u8 = 0x06;
const REFUSE: u8 = 0x15;

/// The whole handshake, the same on both ends: each writes its hello, reads the other's,
/// judges it with `judge` (a refusal reason, or `None`), writes its verdict byte and reads
/// the other's. The connection joins only when both accepted, so both ends always agree on
/// whether it did: neither keeps a connection the other dropped.
pub fn handshake(
    stream: &TcpStream,
    mine: &Hello,
    timeout: Duration,
    judge: impl FnOnce(&Hello) -> Option<String>,
) -> std::io::Result<Handshake> {
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let theirs = exchange(stream, mine)?;
    let refusal = judge(&theirs);
    (&*stream).write_all(&[if refusal.is_some() { REFUSE } else { ACCEPT }])?;
    let mut verdict = [0u8; 1];
    (&*stream).read_exact(&mut verdict)?;
    stream.set_read_timeout(None)?;
    stream.set_write_timeout(None)?;
    Ok(match (refusal, verdict[0]) {
        (Some(reason), _) => Handshake::Refused(reason),
        (None, ACCEPT) => Handshake::Joined(theirs),
        (None, _) => Handshake::Refused(format!(
            "process {} refused this process (its log says why; usually another generation, size or hostfile)",
            theirs.process
        )),
    })
}

/// Writes `mine`, then reads the peer's hello.
fn exchange(stream: &TcpStream, mine: &Hello) -> std::io::Result<Hello> {
    let mut line = serde_json::to_vec(mine).map_err(std::io::Error::other)?;
    line.push(b'\n');
    (&*stream).write_all(&line)?;
    // Byte by byte: the peer's verdict byte, then timely's first messages, may follow right
    // behind its hello, and must not be read into a buffer here.
    let mut theirs = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        (&*stream).read_exact(&mut byte)?;
        if byte[0] == b'\n' {
            break;
        }
        theirs.push(byte[0]);
        if theirs.len() as u64 > MAX_HELLO_BYTES {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, "a hello longer than 4 KiB"));
        }
    }
    serde_json::from_slice(&theirs).map_err(|e| {
        std::io::Error::new(std::io::ErrorKind::InvalidData, format!("not an auditflow cluster hello: {e}"))
    })
}
