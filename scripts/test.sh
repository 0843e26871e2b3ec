#!/usr/bin/env bash
# Installs what the tests need, then runs every test: the README's test command, and what CI runs.
#
#   scripts/test.sh [extra mvn args]
#
# - iproute2 (network namespaces give test backends addresses the API server accepts), from Debian;
# - kube-apiserver, etcd and kubectl, built from the Go module proxy into ~/.cache/pier (once);
# - helm, likewise (the chart test installs charts/pier into the test API server);
# - h2spec, likewise (the HTTP/2 conformance suite, run over TLS by H2specTlsTest);
# - pebble and pebble-challtestsrv, likewise (the ACME test CA the ACME tests order from);
# - then `mvn -B verify` with PIER_REQUIRE_KUBE=true and PIER_REQUIRE_PEBBLE=true, so the API-server
#   and ACME tests run or fail, never skip
#   (the fuzz tests replay their seeds there);
# - then scripts/fuzz.sh: each fuzz target fuzzed for a bounded time (about 2 minutes in all).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v ip >/dev/null; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2 >/dev/null
fi
command -v mvn >/dev/null || { echo "test.sh: Maven (mvn) is needed" >&2; exit 1; }
command -v go >/dev/null || { echo "test.sh: Go is needed to build the test API server" >&2; exit 1; }

bin_dir="$(scripts/kube-test-tools.sh)"
export KUBEBUILDER_ASSETS="$bin_dir"
export PIER_HELM_BIN="$(scripts/helm-tool.sh)"
export PIER_H2SPEC_BIN="$(scripts/h2spec-tool.sh)"
export PIER_PEBBLE_BIN="$(scripts/pebble-tool.sh)"
export PIER_REQUIRE_KUBE=true
export PIER_REQUIRE_PEBBLE=true
echo "test.sh: Kubernetes test binaries in $bin_dir, helm in $PIER_HELM_BIN"

mvn -B verify "$@"
exec scripts/fuzz.sh "$@"
