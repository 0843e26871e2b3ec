#!/usr/bin/env bash
# Builds vegeta (v12.13.0, a constant-rate HTTP load generator) from the Go module proxy into
# ~/.cache/pier/vegeta/<version>/bin and prints that directory. Reuses one already there.
# About a minute on 2 cores, once. bench/openloop-bench.sh uses it for its fixed-rate (open-loop)
# latency table, which wrk cannot give: wrk waits for each answer before sending the next request.
set -euo pipefail
VEGETA_VERSION="${PIER_VEGETA_VERSION:-v12.13.0}"
BIN_DIR="${PIER_VEGETA_CACHE:-$HOME/.cache/pier/vegeta}/$VEGETA_VERSION/bin"
if [[ ! -x "$BIN_DIR/vegeta" ]]; then
  command -v go >/dev/null || { echo "vegeta-tool: go is needed to build vegeta (https://go.dev/dl/)" >&2; exit 1; }
  mkdir -p "$BIN_DIR"
  echo "vegeta-tool: building vegeta $VEGETA_VERSION into $BIN_DIR" >&2
  GOBIN="$BIN_DIR" CGO_ENABLED=0 go install "github.com/tsenart/vegeta/v12@$VEGETA_VERSION" >&2
fi
echo "$BIN_DIR"
