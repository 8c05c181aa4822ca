//! The one error of settings: a value that cannot work, named by its flag, variable and
//! file key, with what to do about it. The binary maps it to exit code 2.

/// A configuration problem: exit code 2, with the setting named.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {setting}: {message}")]
pub struct ConfigError {
    /// The setting, as flag / variable / file key.
    pub setting: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl ConfigError {
    /// Builds an error for a setting.
    pub fn new(setting: &str, message: impl Into<String>) -> Self {
        ConfigError { setting: setting.to_owned(), message: message.into() }
    }
}
