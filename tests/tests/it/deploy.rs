//! What an operator deploys the fleet with, checked offline: the Kubernetes manifests
//! against the API's schemas (`kubernetes-validate --strict`), the systemd unit with
//! `systemd-analyze verify`. Both tools are installed by `scripts/services.sh`; a missing
//! one fails the test with that hint.

use std::path::PathBuf;
use std::process::Command;

fn deploy() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../deploy")
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {what} ({e}): run scripts/services.sh to install it"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what} refused it:\n{text}");
    text
}

#[test]
fn the_kubernetes_manifests_pass_strict_schema_validation() {
    let dir = deploy().join("kubernetes");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("deploy/kubernetes")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let kinds: Vec<String> = files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("manifest");
            text.lines().find_map(|l| l.strip_prefix("kind: ")).unwrap_or("?").to_owned()
        })
        .collect();
    for kind in ["StatefulSet", "Service", "PodDisruptionBudget", "ConfigMap"] {
        assert!(kinds.iter().any(|k| k == kind), "deploy/kubernetes has no {kind}: {kinds:?}");
    }
    let text =
        run(Command::new("kubernetes-validate").args(["-k", "1.30.0", "--strict"]).args(&files), "kubernetes-validate");
    assert_eq!(text.matches(" passed for resource ").count(), files.len(), "{text}");

    // What the fleet relies on, beyond the schema.
    let sts = std::fs::read_to_string(dir.join("statefulset.yaml")).expect("statefulset");
    for needed in [
        "podManagementPolicy: Parallel",
        "type: OnDelete",
        "serviceName: auditflow-peers",
        "metadata.labels['controller-revision-hash']",
        "readinessProbe:",
        "livenessProbe:",
    ] {
        assert!(sts.contains(needed), "statefulset.yaml lacks {needed}");
    }
    let service = std::fs::read_to_string(dir.join("service.yaml")).expect("service");
    assert!(service.contains("clusterIP: None") && service.contains("publishNotReadyAddresses: true"));
}

#[test]
fn the_systemd_unit_passes_systemd_analyze_verify() {
    // verify also checks that ExecStart's binary exists: point it at the one under test.
    let unit = std::fs::read_to_string(deploy().join("systemd/auditflow@.service")).expect("unit");
    assert!(unit.contains("ExecStart=/usr/local/bin/auditflow run"), "the unit should run /usr/local/bin/auditflow");
    let binary = std::env::var("AUDITFLOW_BIN").unwrap_or_else(|_| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/auditflow").display().to_string()
    });
    assert!(PathBuf::from(&binary).exists(), "the auditflow binary is not built at {binary}");
    let dir = std::env::temp_dir().join(format!("auditflow-systemd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let copy = dir.join("auditflow@.service");
    std::fs::write(&copy, unit.replace("/usr/local/bin/auditflow", &binary)).expect("write unit");
    let text = run(Command::new("systemd-analyze").arg("verify").arg(&copy), "systemd-analyze verify");
    assert!(!text.contains("Unknown key") && !text.contains("Unknown section"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn caracals_chart_with_our_values_renders_an_audit_deployment_that_passes_strict_validation() {
    let script = deploy().join("../scripts/validate-deploy.sh");
    let text = run(Command::new("bash").arg(&script), "scripts/validate-deploy.sh");
    assert!(text.contains("image ") && text.contains("auditflow:v"), "{text}");
    assert!(text.contains("replicas 1, HPA off, PDB off"), "{text}");
    assert!(text.contains("passed for resource deployment/"), "{text}");
    assert!(text.contains("validate-deploy: all manifests passed"), "{text}");
    let values = std::fs::read_to_string(deploy().join("caracal-values.yaml")).expect("values");
    for key in ["AUDITFLOW_LEDGER_KEY_FILE", "AUDITFLOW_LEDGER_HEAD_KEY_FILE", "AUDITFLOW_EXPORT_SIGNING_KEY_FILE"] {
        assert!(values.contains(key), "deploy/caracal-values.yaml does not set {key}");
    }
}
