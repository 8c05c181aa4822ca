#!/usr/bin/env bash
# Checks what an operator deploys auditflow with against Kubernetes' API schemas, offline:
#   1. deploy/kubernetes/*.yaml, auditflow's own StatefulSet fleet;
#   2. deploy/caracal-values.yaml, the values for Caracal's Helm chart. This is a values file,
#      not a manifest, so the audit Deployment that the chart would make from it is rendered
#      first (scripts/render_caracal_audit.py) and then validated.
#
#   scripts/validate-deploy.sh                       # Caracal's chart defaults built into the renderer
#   scripts/validate-deploy.sh <caracal>/infra/helm/caracal   # the chart's own values.yaml and Chart.yaml
#
# Kubernetes 1.30 is the oldest version that Caracal's chart supports (its preStop sleep needs it).
set -euo pipefail
cd "$(dirname "$0")/.."

kube_version=1.30.0
chart_dir=${1:-}

if ! command -v kubernetes-validate >/dev/null 2>&1; then
  echo "validate-deploy: kubernetes-validate is not installed; install it with:" >&2
  echo "  python3 -m pip install 'kubernetes-validate>=1.30'" >&2
  exit 2
fi
if ! python3 -c 'import yaml' >/dev/null 2>&1; then
  echo "validate-deploy: python3 lacks PyYAML; install it with: python3 -m pip install pyyaml" >&2
  exit 2
fi

echo "== deploy/kubernetes (auditflow's StatefulSet fleet)"
kubernetes-validate -k "$kube_version" --strict deploy/kubernetes/*.yaml

echo "== deploy/caracal-values.yaml (the audit Deployment of Caracal's chart)"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
render=(python3 scripts/render_caracal_audit.py --require-single-process -f deploy/caracal-values.yaml)
if [[ -n $chart_dir ]]; then render+=(--chart "$chart_dir"); fi
"${render[@]}" >"$out/caracal-audit-deployment.yaml"
kubernetes-validate -k "$kube_version" --strict "$out/caracal-audit-deployment.yaml"

echo "validate-deploy: all manifests passed"
