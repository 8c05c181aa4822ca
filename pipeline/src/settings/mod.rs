//! Settings (SPEC §6): the flags each command exposes ([`flags`]), the TOML file
//! ([`file`]), resolution by precedence ([`resolve`]) and key files ([`keys`]), into one
//! validated [`Resolved`]; Caracal's variables fill in what auditflow's leave open
//! ([`caracal`]). Commands depend on settings, never the other way round; this
//! file is only the index.

pub mod caracal;
pub mod connections;
pub mod error;
pub mod file;
pub mod flags;
pub mod keys;
pub mod ocsf;
pub mod redact;
pub mod resolve;
pub mod resolved;
pub mod tokens;

pub use error::ConfigError;
pub use keys::{export_signer, head_keys, hmac_keys, ledger_keys, public_keys, trusted_export_keys, LedgerKeys};
pub use redact::{redact, Secret};
pub use resolve::resolve;
pub use resolved::{KeySource, ReadyGates, Resolved};
pub use tokens::TokenSpec;
