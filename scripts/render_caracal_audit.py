#!/usr/bin/env python3
"""Render the audit Deployment that Caracal's Helm chart would make, without Helm.

Caracal's chart (infra/helm/caracal, chart 1.0.0) renders the audit Deployment from
`services.audit` and a few global values. Debian has no helm package and the tests have no
Caracal checkout, so this script builds that one manifest field by field, as the chart's
template does, from the chart's defaults plus the given values files.
scripts/validate-deploy.sh passes the result to `kubernetes-validate --strict`. When this was
written, its output was compared with Helm's own rendering of chart 1.0.0, with and without
these values and with the optional secrets, scheduling and naming values switched on. The
two were identical apart from the annotation noted below.

    scripts/render_caracal_audit.py -f deploy/caracal-values.yaml > audit.yaml
    scripts/render_caracal_audit.py --chart <caracal>/infra/helm/caracal -f deploy/caracal-values.yaml

With --chart, the script reads the chart's own values.yaml and Chart.yaml as the defaults.
Without it, the script uses the defaults below: the values this Deployment reads, as
docs/caracal-reference.md section 8 records them for chart 1.0.0.

Values files merge the way Helm merges them: maps merge key by key, a list or a scalar
replaces the earlier value, and null deletes a default. Where the chart evaluates templates
inside values (affinity and topologySpreadConstraints go through `tpl`), only `{{ .name }}`
and `{{ .fullname }}` are supported; any other template is an error. One known difference:
the `checksum/secret` annotation (rendered only with secrets.create) is a SHA-256 over JSON,
not over Helm's toYaml, so its value differs from Helm's.
"""

import argparse
import copy
import hashlib
import json
import re
import sys

try:
    import yaml
except ImportError:  # pragma: no cover - message for a missing dependency
    sys.exit("render_caracal_audit.py needs PyYAML: python3 -m pip install pyyaml")

CHART_NAME = "caracal"
APP_VERSION = "1.0.0"
SERVICE = "audit"

_SPREAD_LABELS = {"app.kubernetes.io/name": "caracal", "app.kubernetes.io/component": "{{ .name }}"}

# Chart 1.0.0's defaults for what the audit Deployment reads (docs/caracal-reference.md §8).
DEFAULTS = {
    "global": {
        "registry": "ghcr.io/garudex-labs",
        "tag": "",
        "imagePullPolicy": "IfNotPresent",
        "imagePullSecrets": [],
        "mode": "rc",
        "otelExporterOtlpEndpoint": "",
        "logLevel": "info",
        "podLabels": {},
        "podAnnotations": {},
    },
    "serviceAccount": {"create": True, "name": "", "automountToken": False},
    "secrets": {
        "create": False,
        "runtimeSecretName": "caracal-runtime",
        "kekRotation": False,
        "plaintext": {"auditAdminToken": "", "metricsBearer": ""},
        "auditAdminToken": {"secretName": "", "key": "auditAdminToken"},
        "metricsBearer": {"secretName": "", "key": "metricsBearer"},
    },
    "scheduling": {
        "priorityClassName": "",
        "terminationGracePeriodSeconds": 30,
        "preStopSleepSeconds": 5,
        "affinity": {
            "podAntiAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 100,
                        "podAffinityTerm": {
                            "topologyKey": "kubernetes.io/hostname",
                            "labelSelector": {"matchLabels": dict(_SPREAD_LABELS)},
                        },
                    }
                ]
            }
        },
        "topologySpreadConstraints": [
            {
                "maxSkew": 1,
                "topologyKey": "topology.kubernetes.io/zone",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": dict(_SPREAD_LABELS)},
            }
        ],
    },
    "services": {
        "sts": {"port": 8080, "internalUrl": "", "issuerUrl": ""},
        "audit": {
            "enabled": True,
            "replicas": 2,
            "image": "caracal-go",
            "port": 9090,
            "internalUrl": "",
            "exportScratchSizeLimit": "2Gi",
            "extraEnv": [],
            "extraEnvFrom": [],
            "extraVolumes": [],
            "extraVolumeMounts": [],
            "resources": {
                "requests": {"cpu": "250m", "memory": "256Mi"},
                "limits": {"cpu": "1", "memory": "1Gi"},
            },
            "pdb": {"enabled": True, "minAvailable": "50%"},
            "hpa": {"enabled": True, "minReplicas": 2, "maxReplicas": 8},
        },
    },
}


def merge(base, override):
    """Helm's merge of a values file over what came before."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if value is None:
            out.pop(key, None)
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def empty(value):
    """Go templates' notion of empty, which `default`, `if` and `with` use."""
    return value is None or value is False or value == 0 or value == "" or value == [] or value == {}


def default(fallback, value):
    return fallback if empty(value) else value


def dig(values, *path):
    for key in path:
        if not isinstance(values, dict):
            return None
        values = values.get(key)
    return values


def trunc63(name):
    """`trunc 63 | trimSuffix "-"`."""
    name = name[:63]
    return name[:-1] if name.endswith("-") else name


def fullname(values, release, chart_name):
    if not empty(values.get("fullnameOverride")):
        return trunc63(str(values["fullnameOverride"]))
    name = trunc63(str(default(chart_name, values.get("nameOverride"))))
    return trunc63(f"{release}-{name}")


_TEMPLATE = re.compile(r"\{\{-?\s*\.(name|fullname)\s*-?\}\}")


def tpl(value, context):
    """The chart passes affinity and spread constraints through `tpl`; support the names it uses."""
    if isinstance(value, dict):
        return {k: tpl(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [tpl(v, context) for v in value]
    if isinstance(value, str) and "{{" in value:
        text = _TEMPLATE.sub(lambda m: context[m.group(1)], value)
        if "{{" in text:
            sys.exit(f"render_caracal_audit.py: unsupported template in values: {value!r}")
        return yaml.safe_load(text)
    return value


def secret_name(values, which):
    """The dedicated Secret for the audit admin token or the metrics bearer, if any."""
    named = dig(values, "secrets", which, "secretName")
    if not empty(named):
        return named
    if dig(values, "secrets", "create") and not empty(dig(values, "secrets", "plaintext", which)):
        return dig(values, "secrets", "runtimeSecretName")
    return ""


def render(values, release, chart_name, app_version):
    svc = values["services"][SERVICE]
    if empty(svc.get("enabled")):
        sys.exit("render_caracal_audit.py: services.audit.enabled is off: the chart renders no audit Deployment")
    full = fullname(values, release, chart_name)
    name = trunc63(str(default(chart_name, values.get("nameOverride"))))
    g = values["global"]
    sched = values["scheduling"]
    admin_secret = secret_name(values, "auditAdminToken")
    bearer_secret = secret_name(values, "metricsBearer")
    sts = values["services"]["sts"]
    sts_url = default(f"http://{full}-sts:{sts['port']}", sts.get("internalUrl"))

    selector = {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": release}
    labels = {
        **selector,
        "app.kubernetes.io/version": str(app_version),
        "app.kubernetes.io/managed-by": "Helm",
        "app.kubernetes.io/part-of": "caracal",
        "app.kubernetes.io/component": SERVICE,
    }
    pod_labels = {**selector, "app.kubernetes.io/component": SERVICE, **(g.get("podLabels") or {})}
    annotations = {}
    if dig(values, "secrets", "create"):
        digest = hashlib.sha256(json.dumps(values["secrets"], sort_keys=True).encode()).hexdigest()
        annotations["checksum/secret"] = digest
    annotations.update(g.get("podAnnotations") or {})

    env = [
        ("CARACAL_MODE", str(g["mode"])),
        ("PORT", str(svc["port"])),
        ("HOST", "0.0.0.0"),
        ("LOG_LEVEL", str(g["logLevel"])),
        ("DATABASE_URL_FILE", f"/run/secrets/{SERVICE}DatabaseUrl"),
        ("REDIS_URL_FILE", "/run/secrets/redisUrl"),
        ("SECRET_STORE_KEK_FILE", "/run/secrets/secretStoreKek"),
    ]
    if dig(values, "secrets", "kekRotation"):
        env.append(("SECRET_STORE_KEK_PREVIOUS_FILE", "/run/secrets/secretStoreKekPrevious"))
    env += [
        ("AUDIT_HMAC_KEY_FILE", "/run/secrets/auditHmacKey"),
        ("STREAMS_HMAC_KEY_FILE", "/run/secrets/streamsHmacKey"),
        ("GATEWAY_STS_HMAC_KEY_FILE", "/run/secrets/gatewayStsHmacKey"),
        ("CARACAL_ADMIN_TOKEN_FILE", "/run/secrets/caracalAdminToken"),
    ]
    if admin_secret:
        env.append(("AUDIT_ADMIN_TOKEN_FILE", "/run/secrets/audit-admin-token/token"))
    if bearer_secret:
        env.append(("METRICS_BEARER_FILE", "/run/secrets/metrics-bearer/bearer"))
    else:
        env.append(("METRICS_BEARER_FILE", "/run/secrets/metricsBearer"))
    env += [
        ("STS_URL", str(sts_url)),
        ("ISSUER_URL", str(default(sts_url, sts.get("issuerUrl")))),
        ("AUDIT_EXPORT_TMP_DIR", "/var/lib/caracal/audit-export"),
        ("OTEL_EXPORTER_OTLP_ENDPOINT", str(g["otelExporterOtlpEndpoint"])),
        ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ("OTEL_SERVICE_NAME", f"caracal-{SERVICE}"),
        ("OTEL_RESOURCE_ATTRIBUTES", f"service.namespace=caracal,deployment.environment={g['mode']}"),
    ]
    env = [{"name": k, "value": v} for k, v in env] + list(svc.get("extraEnv") or [])

    mounts = [{"name": "runtime-secrets", "mountPath": "/run/secrets", "readOnly": True}]
    if admin_secret:
        mounts.append({"name": "audit-admin-token", "mountPath": "/run/secrets/audit-admin-token",
                       "readOnly": True})
    if bearer_secret:
        mounts.append({"name": "metrics-bearer", "mountPath": "/run/secrets/metrics-bearer", "readOnly": True})
    mounts.append({"name": "audit-export", "mountPath": "/var/lib/caracal/audit-export"})
    mounts += list(svc.get("extraVolumeMounts") or [])

    items = [{"key": k, "path": k} for k in (f"{SERVICE}DatabaseUrl", "redisUrl", "auditHmacKey")]
    if not bearer_secret:
        items.append({"key": "metricsBearer", "path": "metricsBearer"})
    def secret_volume(volume, secret, items):
        return {"name": volume, "secret": {"secretName": secret, "items": items}}

    volumes = [secret_volume("runtime-secrets", dig(values, "secrets", "runtimeSecretName"), items)]
    if admin_secret:
        key = default("auditAdminToken", dig(values, "secrets", "auditAdminToken", "key"))
        volumes.append(secret_volume("audit-admin-token", admin_secret, [{"key": key, "path": "token"}]))
    if bearer_secret:
        key = default("metricsBearer", dig(values, "secrets", "metricsBearer", "key"))
        volumes.append(secret_volume("metrics-bearer", bearer_secret, [{"key": key, "path": "bearer"}]))
    volumes.append({"name": "audit-export", "emptyDir": {"sizeLimit": str(svc["exportScratchSizeLimit"])}})
    volumes += list(svc.get("extraVolumes") or [])

    container = {
        "name": SERVICE,
        "image": f"{g['registry']}/{svc['image']}:v{default(app_version, g.get('tag'))}",
        "imagePullPolicy": g["imagePullPolicy"],
        "command": [f"/usr/local/bin/{SERVICE}"],
        "ports": [{"name": "http", "containerPort": svc["port"]}],
        "env": env,
    }
    if not empty(svc.get("extraEnvFrom")):
        container["envFrom"] = svc["extraEnvFrom"]
    container["volumeMounts"] = mounts
    def get(path):
        return {"httpGet": {"path": path, "port": "http"}}

    container["startupProbe"] = {**get("/health"), "failureThreshold": 30, "periodSeconds": 5}
    container["livenessProbe"] = {**get("/health"), "initialDelaySeconds": 10, "periodSeconds": 10}
    container["readinessProbe"] = {**get("/ready"), "initialDelaySeconds": 10, "periodSeconds": 10}
    if int(sched.get("preStopSleepSeconds") or 0) > 0:
        container["lifecycle"] = {"preStop": {"sleep": {"seconds": sched["preStopSleepSeconds"]}}}
    container["resources"] = svc.get("resources") or {}
    container["securityContext"] = {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }

    sa = values["serviceAccount"]
    pod = {}
    if not empty(g.get("imagePullSecrets")):
        pod["imagePullSecrets"] = g["imagePullSecrets"]
    priority = default(sched.get("priorityClassName"), svc.get("priorityClassName"))
    if not empty(priority):
        pod["priorityClassName"] = str(priority)
    pod["terminationGracePeriodSeconds"] = sched["terminationGracePeriodSeconds"]
    pod["serviceAccountName"] = default(full if sa.get("create") else "default", sa.get("name"))
    pod["automountServiceAccountToken"] = sa["automountToken"]
    pod["securityContext"] = {
        "runAsNonRoot": True,
        "runAsUser": 65532,
        "runAsGroup": 65532,
        "fsGroup": 65532,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    context = {"name": SERVICE, "fullname": full}
    affinity = default(sched.get("affinity"), svc.get("affinity"))
    if not empty(affinity):
        pod["affinity"] = tpl(affinity, context)
    spread = default(sched.get("topologySpreadConstraints"), svc.get("topologySpreadConstraints"))
    if not empty(spread):
        pod["topologySpreadConstraints"] = tpl(spread, context)
    pod["containers"] = [container]
    pod["volumes"] = volumes

    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"{full}-{SERVICE}", "labels": labels},
        "spec": {
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "replicas": svc["replicas"],
            "selector": {"matchLabels": {**selector, "app.kubernetes.io/component": SERVICE}},
            "template": {
                # Helm writes `annotations:` with nothing under it when there are none.
                "metadata": {"labels": pod_labels, "annotations": annotations or None},
                "spec": pod,
            },
        },
    }


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-f", "--values", action="append", default=[], metavar="FILE",
                        help="a values file, applied in order as with helm -f")
    parser.add_argument("--chart", metavar="DIR",
                        help="Caracal's chart directory (infra/helm/caracal): take values.yaml and Chart.yaml from it")
    parser.add_argument("--release", default="caracal", help="the Helm release name (default: caracal)")
    parser.add_argument("--require-single-process", action="store_true",
                        help="fail unless the values give one replica with the HPA and the PDB off")
    args = parser.parse_args()

    chart_name, app_version, values = CHART_NAME, APP_VERSION, DEFAULTS
    if args.chart:
        chart = load_yaml(f"{args.chart}/Chart.yaml")
        chart_name, app_version = chart["name"], chart.get("appVersion", chart["version"])
        values = load_yaml(f"{args.chart}/values.yaml")
    for path in args.values:
        values = merge(values, load_yaml(path))

    svc = values["services"][SERVICE]
    hpa = bool(dig(svc, "hpa", "enabled"))
    pdb = bool(dig(svc, "pdb", "enabled"))
    manifest = render(values, args.release, chart_name, app_version)
    image = manifest["spec"]["template"]["spec"]["containers"][0]["image"]
    print(f"audit Deployment {manifest['metadata']['name']}: image {image}, replicas {svc['replicas']}, "
          f"HPA {'on' if hpa else 'off'}, PDB {'on' if pdb else 'off'}", file=sys.stderr)
    if args.require_single_process and (svc["replicas"] != 1 or hpa or pdb):
        sys.exit("render_caracal_audit.py: auditflow in Caracal's chart needs replicas: 1, hpa.enabled: false "
                 "and pdb.enabled: false (docs/caracal.md)")

    source = "defaults of Caracal's chart 1.0.0" if not args.chart else f"{args.chart}/values.yaml"
    print(f"# The audit Deployment of Caracal's chart, as rendered by scripts/render_caracal_audit.py from the\n"
          f"# {source}" + "".join(f" + {p}" for p in args.values) + f" (release {args.release}).")
    yaml.safe_dump(manifest, sys.stdout, sort_keys=False, default_flow_style=False, width=1000)


if __name__ == "__main__":
    main()
