#!/usr/bin/env bash
# Builds h2spec (v2.2.1, the HTTP/2 conformance suite) from the Go module proxy into
# ~/.cache/pier/h2spec/<version>/bin and prints that directory. Reuses one already there.
# About 30 s on 2 cores, once. H2specTest runs it against Pier's h2c port (and a TLS port when given).
set -euo pipefail
H2SPEC_VERSION="${PIER_H2SPEC_VERSION:-v2.2.1}"
BIN_DIR="${PIER_H2SPEC_CACHE:-$HOME/.cache/pier/h2spec}/$H2SPEC_VERSION/bin"
if [[ ! -x "$BIN_DIR/h2spec" ]]; then
  command -v go >/dev/null || { echo "h2spec-tool: go is needed to build h2spec" >&2; exit 1; }
  mkdir -p "$BIN_DIR"
  echo "h2spec-tool: building h2spec $H2SPEC_VERSION into $BIN_DIR" >&2
  # h2spec has no go.mod: its v2 tags are served as +incompatible
  GOBIN="$BIN_DIR" CGO_ENABLED=0 go install "github.com/summerwind/h2spec/cmd/h2spec@$H2SPEC_VERSION+incompatible" >&2
fi
echo "$BIN_DIR"
