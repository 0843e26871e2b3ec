#!/usr/bin/env bash
# Time from an allowed ACME route applied to the first HTTPS handshake with the issued certificate,
# against pebble (Let's Encrypt's test CA) on loopback, which validates by connecting to Pier.
#
#   bench/acme-bench.sh [ROUNDS] [http-01|tls-alpn-01]      (defaults: 5 rounds, http-01)
#
# File mode: Pier watches a directory; each round writes a new GatewayRoute file (a new host, tls
# acme: true) and times, with a clock read before the write, until curl completes a TLS handshake for
# that host that verifies against pebble's root (curl --cacert, polling every 50 ms). What is in the
# time: the file source noticing the file (it polls every 250 ms), translation, the order, publishing
# the challenge answer, the CA's validation (PEBBLE_VA_NOSLEEP=1: no artificial wait), finalization,
# writing the certificate and the swap that serves it. A real CA adds its own latency and validation
# from several places; cluster mode adds the API server round trips and a 2 s settle before validation.
#
# Needs: curl, openssl (Debian packages, installed if missing), target/pier.jar, scripts/pebble-tool.sh.
# No nginx/HAProxy column: neither orders certificates itself.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
ROUNDS=${1:-5}
CHALLENGE=${2:-http-01}
PIER_JAR=${PIER_JAR:-target/pier.jar}
need curl curl
need openssl openssl
[ -f "$PIER_JAR" ] || mvn -B -q package -DskipTests
PEBBLE_BIN=$(scripts/pebble-tool.sh)
bench_workdir pier-acme-bench

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
HTTP=$(free_port); HTTPS=$(free_port); ADMIN=$(free_port); DIR_PORT=$(free_port); MGMT=$(free_port); DNS=$(free_port)

# pebble's own HTTPS certificate (trusted by Pier through --acme-trust only)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost -keyout "$work/wfe.key" -out "$work/wfe.crt" 2>/dev/null
cat > "$work/pebble.json" <<CONF
{"pebble": {"listenAddress": "127.0.0.1:$DIR_PORT", "managementListenAddress": "127.0.0.1:$MGMT",
  "certificate": "$work/wfe.crt", "privateKey": "$work/wfe.key", "httpPort": $HTTP, "tlsPort": $HTTPS,
  "ocspResponderURL": "", "externalAccountBindingRequired": false, "retryAfter": {"authz": 1, "order": 1},
  "keyAlgorithm": "ecdsa", "profiles": {"default": {"description": "default", "validityPeriod": 7776000}}}}
CONF
"$PEBBLE_BIN/pebble-challtestsrv" -dnsserver "127.0.0.1:$DNS" -defaultIPv4 127.0.0.1 -defaultIPv6 "" \
  -http01 "" -https01 "" -tlsalpn01 "" -doh "" -management "127.0.0.1:$(free_port)" >"$work/dns.log" 2>&1 & pids+=($!)
PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
  "$PEBBLE_BIN/pebble" -config "$work/pebble.json" -dnsserver "127.0.0.1:$DNS" >"$work/pebble.log" 2>&1 & pids+=($!)
until curl -s --cacert "$work/wfe.crt" "https://localhost:$DIR_PORT/dir" >/dev/null; do sleep 0.1; done
curl -s --cacert "$work/wfe.crt" "https://localhost:$MGMT/roots/0" > "$work/root.pem"

mkdir -p "$work/routes" "$work/acme"
cat > "$work/routes/base.yaml" <<CONF
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: pier}
spec: {controller: pier.dev/ingress-controller}
---
$(service_yaml 9)
CONF
java -jar "$PIER_JAR" serve --file "$work/routes" --address 127.0.0.1 --http-port "$HTTP" --https-port "$HTTPS" \
  --admin-port "$ADMIN" --acme-directory "https://localhost:$DIR_PORT/dir" --acme-trust "$work/wfe.crt" --acme-agree-tos \
  --acme-email ops@bench.test --acme-allow-host '*.bench.test' --acme-storage "$work/acme" --acme-challenge "$CHALLENGE" \
  >"$work/pier.log" 2>&1 & pids+=($!)
until curl -s "http://127.0.0.1:$ADMIN/readyz" >/dev/null; do sleep 0.1; done

echo "ACME: route applied -> first verified HTTPS handshake, $CHALLENGE, $ROUNDS rounds (pebble v2.10.1)"
times=()
for i in $(seq 1 "$ROUNDS"); do
  host="r$i-$RANDOM.bench.test"
  start=$(date +%s%N)
  cat > "$work/routes/.r$i.tmp" <<CONF
apiVersion: pier.dev/v1alpha1
kind: GatewayRoute
metadata: {name: r$i, namespace: default}
spec:
  ingressClassName: pier
  hostnames: [$host]
  tls: [{secretName: r$i-tls, acme: true}]
  rules: [{backendRefs: [{name: bench, port: 80}]}]
CONF
  mv "$work/routes/.r$i.tmp" "$work/routes/r$i.yaml"
  deadline=$(( $(date +%s) + 120 ))
  # curl exits 0 once the handshake verifies (the answer itself, a 502 from the unused backend, does not matter)
  until curl -s -o /dev/null --connect-timeout 2 --cacert "$work/root.pem" --resolve "$host:$HTTPS:127.0.0.1" \
      "https://$host:$HTTPS/" 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "round $i: no certificate within 120 s; see $work/pier.log" >&2; tail -20 "$work/pier.log" >&2; exit 1; }
    sleep 0.05
  done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  times+=("$ms")
  printf "  round %d  %-28s %6d ms\n" "$i" "$host" "$ms"
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
n=${#sorted[@]}
echo "  min ${sorted[0]} ms, median ${sorted[$((n / 2))]} ms, max ${sorted[$((n - 1))]} ms ($(nproc) cores, $(uptime | sed 's/.*load average: //') load)"
echo "  pebble: $(grep -c 'Added order' "$work/pebble.log") orders, $(grep -c 'Issued certificate serial' "$work/pebble.log") certificates"
