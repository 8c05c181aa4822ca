//! The API against its own contract (issue 20): schemathesis (PyPI) generates requests from
//! `/v1/openapi.json` as served by a live pipeline, with an admin token, and checks every
//! response: no 5xx, status codes, content types, headers and bodies as documented, and
//! every schema-invalid request refused (a 400 naming the parameter).
//!
//! One check is left out: `positive_data_acceptance`, which expects every schema-valid
//! request to succeed. OpenAPI 3.0 cannot state that `until` must be later than `since`, so
//! such a request is valid by the document and still a 400 by design.

use crate::common::{terminate, TestEnv};
use std::process::Command;
use std::time::Duration;

const TOKEN: &str = "contract-admin-token";

#[test]
fn schemathesis_finds_no_response_that_breaks_the_openapi_document() {
    use sha2::Digest;
    let env = TestEnv::new("api_contract");
    let tokens = env.dir.join("tokens.toml");
    let sha = hex::encode(sha2::Sha256::digest(TOKEN.as_bytes()));
    std::fs::write(
        &tokens,
        format!("[[tokens]]\nname = \"ops\"\nsha256 = \"{sha}\"\nscopes = [\"read\", \"admin\"]\n"),
    )
    .expect("tokens file");
    let manifest = env.emit(&["--count", "400", "--invalid-ratio", "0.05", "--seed", "81"]);
    let mut run = env.spawn_run(&["--api-tokens-file", tokens.to_str().expect("utf8")], &[]);
    let addr = env.server_addr(1);
    let started = std::time::Instant::now();
    while env.ledger_rows() < manifest.iter().filter(|m| m.2 == "ok").count() as i64 {
        assert!(started.elapsed() < Duration::from_secs(120), "the events were not stored; log:\n{}", env.log_tail());
        std::thread::sleep(Duration::from_millis(200));
    }

    let st = Command::new("st")
        .args(["run", &format!("http://{addr}/v1/openapi.json")])
        .args(["--header", &format!("Authorization: Bearer {TOKEN}")])
        .args(["--checks", "all", "--exclude-checks", "positive_data_acceptance"])
        .args(["--max-examples", "40", "--seed", "20", "--workers", "1", "--request-timeout", "10"])
        .env("NO_COLOR", "1")
        .output()
        .expect("schemathesis (`st`) is not installed: run `make services` (scripts/services.sh installs it)");
    let report = format!("{}{}", String::from_utf8_lossy(&st.stdout), String::from_utf8_lossy(&st.stderr));
    assert!(st.status.success(), "schemathesis found problems:\n{report}");
    assert!(report.contains("Tested: 11"), "schemathesis did not test every operation:\n{report}");
    assert!(terminate(&mut run, Duration::from_secs(60)).success(), "log:\n{}", env.log_tail());
}
