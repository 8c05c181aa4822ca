#!/usr/bin/env bash
# Makes sure Redis (127.0.0.1:6379) and Postgres (127.0.0.1:5432, user postgres, trust auth)
# are running. Starts them when installed but stopped; installs them from Debian packages
# when missing (needs root). Never touches a server that is already answering.
set -euo pipefail

log() { printf 'services: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else log "need root for: $*"; return 1; fi; }
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

redis_up() { (exec 3<>/dev/tcp/127.0.0.1/6379 && printf 'PING\r\n' >&3 && timeout 2 head -c 5 <&3 | grep -q PONG) 2>/dev/null; }
pg_up() { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; }

if redis_up; then
  log "redis is up on 127.0.0.1:6379"
else
  command -v redis-server >/dev/null || { log "installing redis-server"; apt_install redis-server; }
  log "starting redis-server"
  mkdir -p /tmp/auditflow-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp/auditflow-redis --logfile /tmp/auditflow-redis/redis.log
  for _ in $(seq 50); do redis_up && break; sleep 0.1; done
  redis_up || { log "redis did not come up"; exit 1; }
fi

if pg_up; then
  log "postgres is up on 127.0.0.1:5432"
else
  installed_now=""
  if ! ls /etc/postgresql/*/main/postgresql.conf >/dev/null 2>&1; then
    log "installing postgresql"
    apt_install postgresql
    installed_now=1
  fi
  version=$(ls /etc/postgresql | sort -V | tail -n1)
  if [ -n "$installed_now" ]; then
    # A throwaway local server for development: trust local TCP connections.
    hba=/etc/postgresql/$version/main/pg_hba.conf
    as_root sed -i -E 's/^(host\s+all\s+all\s+(127\.0\.0\.1\/32|::1\/128)\s+)\S+/\1trust/' "$hba"
  fi
  log "starting postgres $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  for _ in $(seq 100); do pg_up && break; sleep 0.2; done
  pg_up || { log "postgres did not come up"; exit 1; }
fi

# The TLS tests make their own CA and certificates with the openssl command line tool (a
# test tool only: auditflow itself uses rustls).
command -v openssl >/dev/null || { log "installing openssl"; apt_install openssl; }

# The archive tests and the demo read Parquet with DuckDB and run an S3 server (moto); both
# come from PyPI.
if python3 -c 'import duckdb, moto, boto3, flask; assert duckdb.__version__.startswith("2.")' >/dev/null 2>&1; then
  log "python duckdb and moto are installed"
else
  command -v python3 >/dev/null || { log "installing python3"; apt_install python3 python3-pip; }
  log "installing python packages: duckdb, moto[server]"
  python3 -m pip install --quiet --disable-pip-version-check 'duckdb>=2,<3' 'moto[server]>=5,<6' \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages 'duckdb>=2,<3' 'moto[server]>=5,<6'
  python3 -c 'import duckdb, moto, boto3' || { log "python packages did not install"; exit 1; }
fi

# The OCSF archive tests validate every event against the OCSF 1.3.0 JSON Schema of its class
# (the schemas compiled by the ocsf-json-schema package, used offline).
if python3 -c 'import ocsf_json_schema, jsonschema' >/dev/null 2>&1; then
  log "python ocsf-json-schema and jsonschema are installed"
else
  log "installing python packages: ocsf-json-schema, jsonschema"
  python3 -m pip install --quiet --disable-pip-version-check 'ocsf-json-schema>=0.3' 'jsonschema>=4.18' \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages 'ocsf-json-schema>=0.3' 'jsonschema>=4.18'
  python3 -c 'import ocsf_json_schema, jsonschema' || { log "python packages did not install"; exit 1; }
fi

# promtool (from Debian's prometheus package) checks the /metrics scrape and the alert rules.
# Only the binary is unpacked into target/tools: installing the package would also start a
# Prometheus server on 127.0.0.1:9090, auditflow's own default port.
if [ -x target/tools/promtool ]; then
  log "promtool is in target/tools"
elif command -v promtool >/dev/null; then
  mkdir -p target/tools && ln -sf "$(command -v promtool)" target/tools/promtool
  log "promtool linked into target/tools"
else
  log "unpacking promtool from Debian's prometheus package"
  [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
  scratch=$(mktemp -d) && chmod 755 "$scratch"
  (cd "$scratch" && apt-get download -qq prometheus >/dev/null && dpkg -x prometheus_*.deb root)
  mkdir -p target/tools
  cp "$scratch/root/usr/bin/promtool" target/tools/promtool
  rm -rf "$scratch"
  target/tools/promtool --version >/dev/null || { log "promtool did not unpack"; exit 1; }
fi

# The fleet's tests: kubernetes-validate (PyPI) checks the Kubernetes manifests offline,
# systemd-analyze the systemd units, and iproute2 makes the test hosts (network namespaces).
if command -v kubernetes-validate >/dev/null 2>&1; then
  log "kubernetes-validate is installed"
else
  log "installing kubernetes-validate"
  python3 -m pip install --quiet --disable-pip-version-check 'kubernetes-validate>=1.30' \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages 'kubernetes-validate>=1.30'
  command -v kubernetes-validate >/dev/null || { log "kubernetes-validate did not install"; exit 1; }
fi
command -v ip >/dev/null || { log "installing iproute2"; apt_install iproute2; }
command -v systemd-analyze >/dev/null || { log "installing systemd (for systemd-analyze)"; apt_install systemd; }

# The API contract test runs schemathesis (PyPI) against /v1/openapi.json.
if command -v st >/dev/null 2>&1 && python3 -c 'import schemathesis' >/dev/null 2>&1; then
  log "schemathesis is installed"
else
  log "installing schemathesis"
  python3 -m pip install --quiet --disable-pip-version-check 'schemathesis>=3.39,<5' \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages 'schemathesis>=3.39,<5'
  command -v st >/dev/null || { log "schemathesis did not install"; exit 1; }
fi
