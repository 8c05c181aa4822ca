//! The one integration-test binary: every area below drives the built `auditflow` binary
//! against real services, and shares the harness in `common`, compiled once.
//!
//! One area: `cargo test -p auditflow-tests --test it -- tamper::` (see `tests/README.md`).

// The harness: one database, stream and folder per test; servers a test starts itself.
mod common;

// Adopting Caracal's audit ledger without changing a row.
mod adopt;
// The /v1 API against its own OpenAPI contract (schemathesis).
mod api_contract;
// The Parquet archive: exactly once under SIGKILL and outages, read back by DuckDB.
mod archive;
// auditflow in Caracal's place: probes, variables, metrics bearer, readiness reasons.
mod caracal;
// Every command's flags, variables and defaults, through --print-settings.
mod cli_surface;
// The Kubernetes and systemd files, validated offline.
mod deploy;
// Faults survived (Redis and Postgres killed, reset, slowed; a full disk), then exactly once.
mod faults;
// Postgres failover: a primary and its standby; what a two-host URL writes to, what a failover can lose.
mod failover;
// The fleet: a timely cluster on test hosts (network namespaces), SIGKILLs, rescales, cut links.
mod fleet;
// A fresh Caracal install with either migrations first; Caracal's API reads the ledger.
mod install_order;
// The image, run as Caracal's chart runs it (podman, read-only, non-root).
mod image;
// Ingest: exactly once under SIGKILL, tamper on replay, shutdown, poison entries, exit codes.
mod ingest;
// The OCSF archive and verify-archive.
mod ocsf;
// /metrics, alert rules, /readyz gates, DLQ replay over real HTTP.
mod ops;
// Retention and legal holds on monthly partitions.
mod retention;
// Tamper evidence: rows edited as a superuser, found and named by `verify`.
mod tamper;
// TLS and credentials against servers with the test's own CA.
mod tls;
// The live views: the revocation scenario in several orders, traces, against recomputation.
mod views;
// The views' soak in event time: state held stays bounded.
mod views_soak;
// Chains per zone, paged the way Caracal's notification dispatcher pages them.
mod zone_chains;
