#!/usr/bin/env bash
# `make image`: builds Containerfile into localhost/auditflow:<version> and :latest with podman
# on a machine that reaches no container registry, only Debian's and crates.io. The two base
# images the Containerfile names are made here from Debian's packages with mmdebstrap and
# imported locally; the build then runs with --pull=never. Also writes the image's SBOM
# (CycloneDX) to target/image/.
#
# With Docker and a registry the same file builds with `docker build -f Containerfile .`.
set -euo pipefail
cd "$(dirname "$0")/.."

out=target/image
mkdir -p "$out"

need_packages=()
command -v podman >/dev/null || need_packages+=(podman)
command -v buildah >/dev/null || need_packages+=(buildah)
command -v runc >/dev/null || need_packages+=(runc)
command -v mmdebstrap >/dev/null || need_packages+=(mmdebstrap)
if ((${#need_packages[@]})); then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "image: installing ${need_packages[*]} from Debian's packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_packages[@]}" uidmap >/dev/null
  else
    echo "image: missing ${need_packages[*]}; install with: sudo apt-get install ${need_packages[*]} uidmap" >&2
    exit 2
  fi
fi

# podman's defaults fail on some VMs: crun on hybrid cgroups, and a default `nofile` ulimit
# above the machine's hard limit. runc with the inherited limits works everywhere we build.
conf=/etc/containers/containers.conf.d/50-auditflow.conf
if [[ $(id -u) == 0 && ! -e $conf ]]; then
  mkdir -p "$(dirname "$conf")"
  printf '# Written by auditflow'"'"'s scripts/image.sh: runc, and no ulimit above the host'"'"'s.\n[containers]\ndefault_ulimits = []\n\n[engine]\nruntime = "runc"\n' >"$conf"
  echo "image: wrote $conf (runtime runc, default_ulimits = [])"
fi

version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
if [[ -n $(git status --porcelain 2>/dev/null) ]]; then revision="$revision-dirty"; fi
source_url=$(git config --get remote.origin.url 2>/dev/null || echo "file://$PWD")
rustc_version=$(rustc --version | cut -d' ' -f2)
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

runtime_base=localhost/auditflow-base/runtime:bookworm
rust_base=localhost/auditflow-base/rust:$rustc_version-bookworm

# The runtime base: glibc and libgcc only (their packages pull in nothing else), a passwd
# naming the non-root user, no shell. Documentation, locales and iconv's character-set
# modules (gconv, 8 MB; nothing in auditflow converts character sets) are left out.
if ! podman image exists "$runtime_base"; then
  echo "image: making $runtime_base from Debian bookworm"
  root="$out/runtime-root"
  rm -rf "$root"
  # The extract variant unpacks the packages and runs no hook: what it leaves out is removed here.
  mmdebstrap --quiet --variant=extract --include=libc6,libgcc-s1 bookworm "$root" "$mirror"
  rm -rf "$root"/usr/share/doc "$root"/usr/share/locale "$root"/usr/share/man "$root"/usr/share/lintian \
    "$root"/usr/lib/x86_64-linux-gnu/gconv
  mkdir -p "$root"/etc "$root"/tmp && chmod 1777 "$root"/tmp
  printf 'root:x:0:0:root:/root:/nonexistent\nnonroot:x:65532:65532:nonroot:/home/nonroot:/nonexistent\n' >"$root"/etc/passwd
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$root"/etc/group
  tar -C "$root" -cf - . | podman import --quiet - "$runtime_base" >/dev/null
  rm -rf "$root"
fi

# The Rust base: Debian's C toolchain and this machine's Rust toolchain (the one the
# project builds with; rustup fetches no other here), laid out as the rust:*-bookworm image.
# Cargo in it trusts this machine's certificate authorities (a proxy between this machine and
# crates.io may sign with its own); the runtime image keeps Debian's bundle.
if ! podman image exists "$rust_base"; then
  echo "image: making $rust_base from Debian bookworm and $(rustc --version)"
  sysroot=$(rustc --print sysroot)
  mmdebstrap --quiet --variant=apt --include=ca-certificates,gcc,libc6-dev,make,pkg-config \
    --customize-hook="mkdir -p \"\$1\"/usr/local/rust \"\$1\"/usr/local/cargo && tar -C '$sysroot' --exclude=./share/doc --exclude=./share/man -cf - . | tar -C \"\$1\"/usr/local/rust -xf -" \
    --customize-hook="mkdir -p \"\$1\"/usr/local/share/build-ca && cp /etc/ssl/certs/ca-certificates.crt \"\$1\"/usr/local/share/build-ca/" \
    bookworm "$out/rust-base.tar" "$mirror"
  podman import --quiet \
    --change 'ENV PATH=/usr/local/cargo/bin:/usr/local/rust/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV CARGO_HOME=/usr/local/cargo' \
    --change 'ENV CARGO_HTTP_CAINFO=/usr/local/share/build-ca/ca-certificates.crt' \
    "$out/rust-base.tar" "$rust_base" >/dev/null
  rm -f "$out/rust-base.tar"
fi

echo "image: building localhost/auditflow:$version (revision $revision)"
podman build --pull=never --network host \
  --build-arg RUST_IMAGE="$rust_base" --build-arg RUNTIME_IMAGE="$runtime_base" \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" --build-arg SOURCE="$source_url" \
  --tag "localhost/auditflow:$version" --tag localhost/auditflow:latest \
  --file Containerfile . 2>&1 | grep -Ev '^(Compiling|Downloaded|Downloading) ' | tail -n 15

size=$(podman image inspect --format '{{.Size}}' "localhost/auditflow:$version")
echo "image: localhost/auditflow:$version and :latest, $((size / 1000000)) MB"

# The SBOM lists what the image's binary was built from: the auditflow crate's dependency
# graph as Cargo.lock pins it. cargo-cyclonedx writes one file beside every workspace
# member's Cargo.toml; the binary's is kept, the others removed.
if ! cargo cyclonedx --version >/dev/null 2>&1; then
  echo "image: installing cargo-cyclonedx from crates.io"
  cargo install cargo-cyclonedx --locked --quiet
fi
cargo cyclonedx --manifest-path pipeline/Cargo.toml --format json --spec-version 1.5 \
  --override-filename auditflow.cdx >/dev/null
mv pipeline/auditflow.cdx.json "$out/auditflow-$version.cdx.json"
rm -f -- */auditflow.cdx.json
echo "image: SBOM $out/auditflow-$version.cdx.json ($(grep -c '"bom-ref"' "$out/auditflow-$version.cdx.json") components)"
