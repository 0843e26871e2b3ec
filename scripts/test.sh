#!/usr/bin/env bash
# Installs what the tests need, then runs every test: the README's test command, and what CI runs.
#
#   scripts/test.sh [extra mvn args]
#
# - From Debian: iproute2 (network namespaces give test backends addresses the API server
#   accepts), and for the single-node cluster containerd, runc, containernetworking-plugins,
#   iptables, conntrack, docker.io and debootstrap (images from local bases), gcc and libc6-dev
#   (the static pause process), openssl and curl;
# - kube-apiserver, etcd, kubectl, kubelet, kube-controller-manager, kube-scheduler, kube-proxy
#   helm, h2spec (the HTTP/2 conformance suite: H2specTest on h2c, H2specTlsTest over TLS) and pebble
#   with pebble-challtestsrv (Let's Encrypt's ACME test CA and its DNS server), built from the Go
#   module proxy into ~/.cache/pier (once; later runs reuse them);
# - the cluster test's images (scripts/cluster/images.sh: a debootstrap base once, then docker
#   builds of the pause process, the test backend and this checkout's Dockerfile);
# - then `mvn -B verify` with PIER_REQUIRE_KUBE=true, so the API-server and cluster tests run
#   or fail, never skip (the fuzz tests replay their seeds there);
# - then scripts/fuzz.sh: each fuzz target fuzzed for a bounded time (about 2 minutes in all).
# A first run on a fresh machine takes about 25 minutes on an idle 2-core machine (mostly the Go
# builds, once), later ones about 8 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

stage_start=$(date +%s)
stage() { echo "test.sh: $1 took $(( $(date +%s) - stage_start )) s" >&2; stage_start=$(date +%s); }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
PACKAGES=(iproute2 containerd runc containernetworking-plugins iptables conntrack docker.io debootstrap gcc libc6-dev openssl curl)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if (( ${#missing[@]} > 0 )); then
  echo "test.sh: installing ${missing[*]}" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
stage "Debian packages"
command -v mvn >/dev/null || { echo "test.sh: Maven (mvn) is needed" >&2; exit 1; }
command -v go >/dev/null || { echo "test.sh: Go is needed to build the Kubernetes test binaries" >&2; exit 1; }

bin_dir="$(scripts/kube-test-tools.sh)"
export KUBEBUILDER_ASSETS="$bin_dir"
stage "Kubernetes binaries"
PIER_HELM_BIN="$(scripts/helm-tool.sh)"
export PIER_HELM_BIN
stage "helm"
PIER_H2SPEC_BIN="$(scripts/h2spec-tool.sh)"
export PIER_H2SPEC_BIN
stage "h2spec"
PIER_PEBBLE_BIN="$(scripts/pebble-tool.sh)"
export PIER_PEBBLE_BIN
stage "pebble"
PIER_IMAGE_DIR="$(scripts/cluster/images.sh)"
export PIER_IMAGE_DIR
stage "images"
export PIER_REQUIRE_KUBE=true
export PIER_REQUIRE_PEBBLE=true
echo "test.sh: Kubernetes binaries in $bin_dir, helm in $PIER_HELM_BIN, h2spec in $PIER_H2SPEC_BIN, pebble in $PIER_PEBBLE_BIN, images in $PIER_IMAGE_DIR" >&2

# A cluster whose test JVM is gone (a killed run) is taken down, first and last; one another
# work tree's run is using is left alone (node.sh up waits for it).
trap 'scripts/cluster/node.sh stale || true' EXIT
scripts/cluster/node.sh stale

mvn -B verify "$@"
stage "mvn verify"
scripts/fuzz.sh "$@"
stage "fuzzing"
