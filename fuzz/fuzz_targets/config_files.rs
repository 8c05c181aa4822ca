//! The TOML files an operator writes: the configuration file (`--config`) and the keyring
//! (`AUDITFLOW_KEYRING_FILE`). Any text is a value or an error message; nothing panics.
#![no_main]

use auditflow_pipeline::settings::{file::parse_file, keys::parse_keyring};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(message) = parse_file(text) {
        assert!(!message.is_empty());
    }
    if let Err(message) = parse_keyring(text) {
        assert!(!message.is_empty());
    }
});
