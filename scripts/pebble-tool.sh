#!/usr/bin/env bash
# Builds pebble (v2.10.1, Let's Encrypt's ACME test CA) and pebble-challtestsrv (its DNS server, which
# points every test host name at 127.0.0.1) from the Go module proxy into
# ~/.cache/pier/pebble/<version>/bin and prints that directory. Reuses binaries already there.
# About 45 s on 2 cores, once. The ACME tests (PIER_PEBBLE_BIN) run them on loopback.
set -euo pipefail
PEBBLE_VERSION="${PIER_PEBBLE_VERSION:-v2.10.1}"
BIN_DIR="${PIER_PEBBLE_CACHE:-$HOME/.cache/pier/pebble}/$PEBBLE_VERSION/bin"
if [[ ! -x "$BIN_DIR/pebble" || ! -x "$BIN_DIR/pebble-challtestsrv" ]]; then
  command -v go >/dev/null || { echo "pebble-tool: go is needed to build pebble" >&2; exit 1; }
  mkdir -p "$BIN_DIR"
  echo "pebble-tool: building pebble $PEBBLE_VERSION into $BIN_DIR" >&2
  GOBIN="$BIN_DIR" CGO_ENABLED=0 go install \
    "github.com/letsencrypt/pebble/v2/cmd/pebble@$PEBBLE_VERSION" \
    "github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv@$PEBBLE_VERSION" >&2
fi
echo "$BIN_DIR"
