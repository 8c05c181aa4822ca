//! Reads of the ledger, the live views and the dead-letter stream that the command line and
//! the `/v1` API share, so that both answer the same question the same way.

pub mod dead_letters;
pub mod search;
pub mod views;
pub mod zone_page;
