#!/usr/bin/env bash
# Builds the Kubernetes binaries the tests run: kube-apiserver, kubectl and etcd (the API-server
# tests), and kubelet, kube-controller-manager, kube-scheduler and kube-proxy (the single-node
# cluster of the end-to-end test), from Go modules (the only way to get them here: no download
# sites, only registries). All come from one throw-away wrapper module, so they share one
# dependency graph and one build.
#
#   scripts/kube-test-tools.sh        builds what is missing, then prints the bin dir on stdout
#
# Reuse order: $KUBEBUILDER_ASSETS (if it holds all seven), then the cache
# ~/.cache/pier/kube/<version>/bin (override the root with PIER_KUBE_CACHE), keyed by version so a
# rerun is instant. Only missing binaries are built. The first build of all seven takes about
# 10 minutes on 2 cores and ~4 GB of Go module and build cache. Progress goes to stderr.
set -euo pipefail

KUBE_VERSION="${PIER_KUBE_VERSION:-v1.36.3}"
ETCD_VERSION="${PIER_ETCD_VERSION:-v3.6.8}"
CACHE_ROOT="${PIER_KUBE_CACHE:-$HOME/.cache/pier/kube}"
BIN_DIR="$CACHE_ROOT/$KUBE_VERSION/bin"

log() { echo "kube-test-tools: $*" >&2; }

# The command packages of k8s.io/kubernetes built here; etcd is built from this module's main.go.
KUBE_COMMANDS=(kube-apiserver kubectl kubelet kube-controller-manager kube-scheduler kube-proxy)
ALL=("${KUBE_COMMANDS[@]}" etcd)

missing_in() { local b; for b in "${ALL[@]}"; do [[ -x "$1/$b" ]] || echo "$b"; done; }

if [[ -n "${KUBEBUILDER_ASSETS:-}" && -z "$(missing_in "$KUBEBUILDER_ASSETS")" ]]; then
  log "using KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
  echo "$KUBEBUILDER_ASSETS"
  exit 0
fi

have_all() { [[ -z "$(missing_in "$BIN_DIR")" ]]; }

if have_all; then
  echo "$BIN_DIR"
  exit 0
fi

command -v go >/dev/null || { log "go is not installed; it is needed to build the test binaries"; exit 1; }

mkdir -p "$CACHE_ROOT/$KUBE_VERSION"
# Two test runs (or two work trees) may ask at once: one builds, the other waits for it.
exec 9>"$CACHE_ROOT/$KUBE_VERSION/.lock"
flock 9
if have_all; then
  echo "$BIN_DIR"
  exit 0
fi

mapfile -t MISSING < <(missing_in "$BIN_DIR")
log "building ${MISSING[*]}"
start=$(date +%s)
WORK="$(mktemp -d "$CACHE_ROOT/$KUBE_VERSION/build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# Kubernetes' own go.mod replaces its staging modules (k8s.io/api, k8s.io/apiserver, ...) with
# ./staging paths, which do not exist in the module zip; point each at its published v0 version.
log "reading the staging module list of k8s.io/kubernetes@$KUBE_VERSION"
KUBE_GOMOD="$(cd "$WORK" && GOFLAGS=-mod=mod go mod download -json "k8s.io/kubernetes@$KUBE_VERSION" \
  | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')"
[[ -f "$KUBE_GOMOD" ]] || { log "could not find go.mod of k8s.io/kubernetes@$KUBE_VERSION"; exit 1; }
STAGING_VERSION="v0.${KUBE_VERSION#v1.}"
mapfile -t STAGING < <(sed -n 's#^[[:space:]]*\(k8s\.io/[^[:space:]]*\)[[:space:]]*=>[[:space:]]*\./staging/.*#\1#p' "$KUBE_GOMOD" | sort -u)
(( ${#STAGING[@]} > 0 )) || { log "no staging replacements found in $KUBE_GOMOD"; exit 1; }
log "${#STAGING[@]} staging modules at $STAGING_VERSION"

cat > go.mod <<EOF
module pier.dev/kubetesttools

go 1.25
EOF
for m in "${STAGING[@]}"; do
  go mod edit -replace="$m=$m@$STAGING_VERSION"
done
go mod edit -require="k8s.io/kubernetes@$KUBE_VERSION" -require="go.etcd.io/etcd/server/v3@$ETCD_VERSION"

# The build tag keeps this file out of builds (main packages cannot be imported) while
# `go mod tidy` still records what the two commands need.
cat > tools.go <<'EOF'
//go:build tools

package main

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-proxy"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
EOF
cat > main.go <<'EOF'
// etcd's own command, built inside this module so it shares one dependency graph.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
EOF

log "go mod tidy (downloads modules on the first run)"
go mod tidy >&2

minor="${KUBE_VERSION#v1.}"; minor="${minor%%.*}"
LDFLAGS="-s -w -X k8s.io/component-base/version.gitVersion=$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
mkdir -p out
packages=()
for b in "${MISSING[@]}"; do
  [[ "$b" == etcd ]] || packages+=("k8s.io/kubernetes/cmd/$b")
done
if (( ${#packages[@]} > 0 )); then
  log "go build ${packages[*]}"
  # Static like the release binaries (the kubelet needs no cgo either).
  CGO_ENABLED=0 go build -trimpath -ldflags "$LDFLAGS" -o out/ "${packages[@]}" >&2
fi
if [[ " ${MISSING[*]} " == *" etcd "* ]]; then
  log "building etcd $ETCD_VERSION"
  CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o out/etcd . >&2
fi

mkdir -p "$BIN_DIR"
for b in "${MISSING[@]}"; do
  mv -f "out/$b" "$BIN_DIR/$b"
done
log "built in $(( $(date +%s) - start ))s into $BIN_DIR"
echo "$BIN_DIR"
