//! The auditflow event model and everything that defines it as data.
//!
//! * [`wire`] turns one Redis stream entry into a [`VerifiedEvent`] or a [`DeadLetter`]
//!   (SPEC §1–2): the HMAC is checked over the exact bytes of `data`, then the JSON is
//!   parsed and validated; every failure has a stable reason string.
//! * [`canonical`] is the documented canonical encoding behind `content_sha256`; the same
//!   function serves ingest and later verification from ledger columns.
//! * [`keyring`] holds producer verify keys (active / retired, constant-time compare).
//! * [`chain`] links ledger rows into per-zone hash chains and decides, for a batch, which
//!   rows are new, which are harmless duplicates and which are `tamper_on_replay`.
//! * [`signer`] is the one Ed25519 signer, for ledger batch heads and archive manifests.
//! * [`tamper`] is the tamper evidence: signed batch heads, Merkle roots, the chain checker,
//!   and the findings every check reports.
//!
//! ```
//! use auditflow_schemas::{keyring::Keyring, wire::{decode, StreamEntry, Limits}};
//!
//! let ring = Keyring::single_hex("default", &"ab".repeat(32)).unwrap();
//! let data = r#"{"id":"e1","zone_id":"z","event_type":"token_exchange","occurred_at":"2026-11-23T06:00:00Z"}"#;
//! let sig = ring.sign("default", data.as_bytes()).unwrap();
//! let entry = StreamEntry::new("1-0", vec![("data".into(), data.into()), ("sig".into(), sig.into())]);
//! let event = decode(&entry, &ring, &Limits::default()).unwrap();
//! assert_eq!(event.event.zone_id, "z");
//! assert_eq!(event.key_id, "default");
//! ```
#![deny(missing_docs)]

pub mod canonical;
pub mod caracal;
pub mod chain;
pub mod dead_letter;
pub mod delegation;
pub mod event;
pub mod keyring;
pub mod shard;
pub mod signer;
pub mod tamper;
pub mod view;
pub mod wire;

pub use dead_letter::{DeadLetter, Reason};
pub use event::{AuditEvent, VerifiedEvent};
