//! The hostfile: one `host:port` per process, line i for process i.
//!
//! Blank lines and `#` comments are ignored, so a generated file can say where it came
//! from. Every process must read the same file: its digest travels in the handshake, and a
//! peer whose file differs is refused.

use crate::settings::ConfigError;
use sha2::{Digest, Sha256};
use std::path::Path;

const SETTING: &str = "AUDITFLOW_HOSTFILE (--hostfile)";

/// The addresses of a cluster's processes, in process order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hostfile {
    /// `host:port` of process i at index i.
    pub hosts: Vec<String>,
    /// SHA-256 of the addresses joined by newlines (comments and blank lines left out).
    pub digest: String,
}

impl Hostfile {
    /// Reads and checks a hostfile.
    pub fn read(path: &Path) -> Result<Hostfile, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new(SETTING, format!("cannot read {}: {e}", path.display())))?;
        Hostfile::parse(&text).map_err(|message| ConfigError::new(SETTING, format!("{}: {message}", path.display())))
    }

    /// Parses the text of a hostfile.
    ///
    /// ```
    /// use auditflow_pipeline::cluster::Hostfile;
    /// let file = Hostfile::parse("# three hosts\n10.0.0.1:7700\n10.0.0.2:7700\n\nafl-2.peers:7700\n").unwrap();
    /// assert_eq!(file.hosts, ["10.0.0.1:7700", "10.0.0.2:7700", "afl-2.peers:7700"]);
    /// assert!(Hostfile::parse("10.0.0.1\n").unwrap_err().contains("line 1"));
    /// assert!(Hostfile::parse("a:1\na:1\n").unwrap_err().contains("twice"));
    /// ```
    pub fn parse(text: &str) -> Result<Hostfile, String> {
        let mut hosts: Vec<String> = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let Some((host, port)) = line.rsplit_once(':') else {
                return Err(format!("line {}: {line:?} is not host:port", number + 1));
            };
            if host.is_empty() || port.parse::<u16>().map_or(true, |p| p == 0) || line.contains(char::is_whitespace) {
                return Err(format!("line {}: {line:?} is not host:port with a port from 1 to 65535", number + 1));
            }
            if hosts.iter().any(|h| h == line) {
                return Err(format!("line {}: {line} appears twice; every process needs its own address", number + 1));
            }
            hosts.push(line.to_owned());
        }
        if hosts.is_empty() {
            return Err("no addresses: write one host:port per process".into());
        }
        let digest = hex::encode(Sha256::digest(hosts.join("\n").as_bytes()));
        Ok(Hostfile { hosts, digest })
    }
}
