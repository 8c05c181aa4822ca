//! auditflow's pipeline crate: the `auditflow` binary's commands as a library, so that the
//! binary stays a thin `main` and the end-to-end benchmarks (`benches/`) build on the same
//! code.
//!
//! Modules depend one way, top to bottom (a test in `tests/structure.rs` fails on a cycle):
//!
//! | module | what it is |
//! |---|---|
//! | [`commands`] | one module per subcommand: its arguments, its work, its output |
//! | [`cluster`] | several processes as one timely computation: hostfile, handshake, fail-stop |
//! | [`dataflow`] | the timely dataflow `run` drives, and the summary of a run |
//! | [`ops`] | the operations surface: `/healthz`, `/readyz`, `/metrics`, the `/v1` API |
//! | [`queries`] | reads shared by the commands and the API: search, traces, the DLQ |
//! | [`connect`] | reaching Redis and Postgres, with bounded retries |
//! | [`settings`] | flags, the TOML file, resolution and key files |
//! | [`process`] | logging and memory set-up of the process |

// `Resolved::describe` lists every setting in one `json!`, deeper than the default limit.
#![recursion_limit = "256"]

pub mod cluster;
pub mod commands;
pub mod connect;
pub mod dataflow;
pub mod ops;
pub mod process;
pub mod queries;
pub mod rewind;
pub mod settings;
