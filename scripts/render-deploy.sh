#!/usr/bin/env bash
# Renders deploy/ (plain manifests: `kubectl apply -f crds/ -f deploy/`) from charts/pier with the
# chart's default values, so the two never disagree. Edit the chart, then run this and commit.
#
#   scripts/render-deploy.sh [OUT_DIR]      (default: deploy/)
#
# ManifestsTest renders into a temporary directory and fails when deploy/ differs from it.
# Needs helm (scripts/helm-tool.sh builds it; $PIER_HELM_BIN names its directory).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-deploy}"
if [[ -n "${PIER_HELM_BIN:-}" ]]; then HELM="$PIER_HELM_BIN/helm"; else HELM="$(scripts/helm-tool.sh)/helm"; fi

rendered="$(mktemp)"
trap 'rm -f "$rendered"' EXIT
"$HELM" template pier charts/pier --namespace pier-system > "$rendered"
mkdir -p "$OUT"

header() {
  echo "# Generated from charts/pier by scripts/render-deploy.sh (helm template pier charts/pier"
  echo "# --namespace pier-system): do not edit, change the chart and rerun the script."
}

{
  header
  cat <<'YAML'
apiVersion: v1
kind: Namespace
metadata:
  name: pier-system
  labels:
    app.kubernetes.io/name: pier
    # Pier needs no privileges: the restricted Pod Security Standard holds.
    pod-security.kubernetes.io/enforce: restricted
YAML
} > "$OUT/00-namespace.yaml"

# helm writes "# Source: pier/templates/<file>" above each document; documents go to files by template.
for target in 10-rbac 15-secret-policy 20-ingressclass 30-deployment; do header > "$OUT/$target.yaml"; done
awk -v out="$OUT" '
  /^---$/ { next }
  /^# Source: pier\/templates\// {
    template = $3; sub(/^pier\/templates\//, "", template)
    if (template == "serviceaccount.yaml" || template == "rbac.yaml") file = "10-rbac"
    else if (template == "secret-policy.yaml") file = "15-secret-policy"
    else if (template == "ingressclass.yaml") file = "20-ingressclass"
    else if (template == "deployment.yaml" || template == "service.yaml" || template == "pdb.yaml" || template == "lease.yaml") file = "30-deployment"
    else { print "render-deploy: no deploy/ file for template " template > "/dev/stderr"; exit 1 }
    print "---" >> (out "/" file ".yaml")
    next
  }
  { print >> (out "/" file ".yaml") }
' "$rendered"
echo "render-deploy: wrote $(ls "$OUT" | tr '\n' ' ')" >&2
