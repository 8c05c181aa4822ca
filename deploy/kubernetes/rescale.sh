#!/usr/bin/env bash
# Rescales the fleet to N processes: a timely cluster cannot change size while it runs, so
# this sets the process count and the replicas together, then restarts every pod at once.
# The new cluster owns the ledger's shards anew and resumes from the watermarks; consumers
# of the old size are retired by process 0 at start-up (docs/fleet.md).
set -euo pipefail
n="${1:?usage: rescale.sh N [namespace]}"
ns="${2:-$(kubectl config view --minify -o jsonpath='{..namespace}')}"
ns="${ns:-default}"
kubectl -n "$ns" patch configmap auditflow-cluster --type merge -p "{\"data\":{\"processes\":\"$n\"}}"
kubectl -n "$ns" scale statefulset auditflow --replicas "$n"
kubectl -n "$ns" delete pod -l app.kubernetes.io/name=auditflow --wait=false
kubectl -n "$ns" rollout status statefulset auditflow --timeout 10m
