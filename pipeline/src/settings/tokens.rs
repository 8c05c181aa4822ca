//! The API tokens file (`AUDITFLOW_API_TOKENS_FILE`): `[[tokens]]` with a name, the
//! SHA-256 of the token (never the token itself), scopes and optionally zones. Checked when
//! settings resolve, so a bad file stops start-up with exit 2.

use super::error::ConfigError;
use serde::Deserialize;

/// One API token, as the tokens file holds it: only the SHA-256 of the token is stored.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenSpec {
    /// Who holds it (logged with each refused request).
    pub name: String,
    /// Hex SHA-256 of the token (`printf %s "$TOKEN" | sha256sum`).
    pub sha256: String,
    /// `read` (search, traces, revocations, DLQ listing, verification status) and/or `admin`
    /// (DLQ replay).
    pub scopes: Vec<String>,
    /// Zones the token may see; absent: all. A zone-limited token cannot read the DLQ.
    pub zones: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokensFile {
    tokens: Vec<TokenSpec>,
}

/// Loads and checks `AUDITFLOW_API_TOKENS_FILE`.
pub fn load_tokens(path: &std::path::Path) -> Result<Vec<TokenSpec>, ConfigError> {
    let setting = "AUDITFLOW_API_TOKENS_FILE (--api-tokens-file, http.api_tokens_file)";
    let err = |m: String| ConfigError::new(setting, m);
    let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read {}: {e}", path.display())))?;
    let file: TokensFile = toml::from_str(&text).map_err(|e| err(format!("{}: {e}", path.display())))?;
    for t in &file.tokens {
        if hex::decode(&t.sha256).map(|b| b.len()) != Ok(32) {
            return Err(err(format!("token {:?}: sha256 must be 64 hex digits (printf %s TOKEN | sha256sum)", t.name)));
        }
        if let Some(bad) = t.scopes.iter().find(|s| *s != "read" && *s != "admin") {
            return Err(err(format!("token {:?}: unknown scope {bad:?} (read, admin)", t.name)));
        }
    }
    Ok(file.tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_tokens_file_loads_and_bad_ones_are_named() {
        let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../deploy/api-tokens.example.toml");
        let tokens = load_tokens(std::path::Path::new(example)).expect("the example loads");
        assert_eq!(tokens.len(), 2);
        assert_eq!(tokens[0].zones.as_deref(), Some(&["zone-3".to_owned()][..]));
        let dir = std::env::temp_dir().join(format!("auditflow-tokens-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let bad = dir.join("tokens.toml");
        std::fs::write(&bad, "[[tokens]]\nname = \"x\"\nsha256 = \"abc\"\nscopes = [\"read\"]\n").expect("write");
        assert!(load_tokens(&bad).expect_err("short hash").to_string().contains("64 hex digits"));
        std::fs::write(
            &bad,
            format!("[[tokens]]\nname = \"x\"\nsha256 = \"{}\"\nscopes = [\"root\"]\n", "ab".repeat(32)),
        )
        .expect("write");
        assert!(load_tokens(&bad).expect_err("bad scope").to_string().contains("unknown scope"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
