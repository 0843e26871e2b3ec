#!/usr/bin/env bash
# What routing features cost per request: Pier alone, pinned to one core, against the same backend,
# with (1) one plain rule, (2) a rule with the forwarding filters (request and response header
# modifiers with 8 operations and a URL rewrite), (3) a DirectResponse (no backend), and
# (4) 10,000 rules on the host (100 GatewayRoutes x 100 rules, prefix, exact and header matches),
# the request matching one of the last. Prints requests/s, p50, p99 and Pier's CPU time per request.
#
#   bench/route-bench.sh                   # 15 s per case, 64 connections
#   DURATION=30 bench/route-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-10}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
BACKEND_PORT=18181; PIER_PORT=18184; PIER_ADMIN=18185

. bench/lib.sh
need nginx nginx-light; need wrk wrk
[ -f target/pier.jar ] || mvn -B -q package -DskipTests

bench_workdir pier-route-bench
start_backend "$BACKEND_PORT" "$LOAD_CPU"

common() { service_yaml "$BACKEND_PORT"; }

{ common; cat <<'CONF'
---
apiVersion: pier.dev/v1alpha1
kind: GatewayRoute
metadata: {name: plain, namespace: default}
spec:
  ingressClassName: pier
  hostnames: [bench.local]
  rules:
  - backendRefs: [{name: bench, port: 80}]
CONF
} > "$work/plain.yaml"

{ common; cat <<'CONF'
---
apiVersion: pier.dev/v1alpha1
kind: GatewayRoute
metadata: {name: filters, namespace: default}
spec:
  ingressClassName: pier
  hostnames: [bench.local]
  rules:
  - matches: [{path: {type: PathPrefix, value: /}}]
    backendRefs: [{name: bench, port: 80}]
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier:
        set: [{name: x-env, value: prod}, {name: x-tenant, value: bench}]
        add: [{name: x-trace, value: on}]
        remove: [x-secret]
    - type: ResponseHeaderModifier
      responseHeaderModifier:
        set: [{name: x-served-by, value: pier}]
        add: [{name: x-route, value: filters}]
        remove: [server, x-powered-by]
    - type: URLRewrite
      urlRewrite: {hostname: backend.internal, path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}
CONF
} > "$work/filters.yaml"

{ common; cat <<'CONF'
---
apiVersion: pier.dev/v1alpha1
kind: GatewayRoute
metadata: {name: direct, namespace: default}
spec:
  ingressClassName: pier
  hostnames: [bench.local]
  rules:
  - filters: [{type: DirectResponse, directResponse: {status: 200, body: "hello, bench\n"}}]
CONF
} > "$work/direct.yaml"

{ common; python3 - <<'PY'
# 100 GatewayRoutes x 100 rules on one host: prefixes, exact paths and header matches.
for r in range(100):
    print("---\napiVersion: pier.dev/v1alpha1\nkind: GatewayRoute")
    print(f"metadata: {{name: r{r:03d}, namespace: default}}")
    print("spec:\n  ingressClassName: pier\n  hostnames: [bench.local]\n  rules:")
    for j in range(100):
        kind = j % 3
        if kind == 0:
            m = f"{{path: {{type: PathPrefix, value: /app-{r}/part-{j}}}}}"
        elif kind == 1:
            m = f"{{path: {{type: Exact, value: /app-{r}/exact-{j}}}}}"
        else:
            m = f"{{path: {{type: PathPrefix, value: /app-{r}}}, headers: [{{name: x-part, value: \"{j}\"}}]}}"
        print(f"  - matches: [{m}]\n    backendRefs: [{{name: bench, port: 80}}]")
PY
} > "$work/rules10k.yaml"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run_case() { # name file path
  local name=$1 file=$2 path=$3
  taskset -c "$PROXY_CPU" java -XX:ActiveProcessorCount=1 -XX:+UseParallelGC -Xms512m -Xmx512m \
    -jar target/pier.jar serve --file "$file" --address 127.0.0.1 --http-port $PIER_PORT \
    --admin-port $PIER_ADMIN --event-loops 1 > "$work/$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 150); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: bench.local' -H 'x-part: 98' "http://127.0.0.1:$PIER_PORT$path")" = 200 ] && break
    sleep 0.2
  done
  [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: bench.local' -H 'x-part: 98' "http://127.0.0.1:$PIER_PORT$path")" = 200 ] \
    || { echo "$name: no 200 on $path"; cat "$work/$name.log"; kill $pid; exit 1; }
  local routes; routes=$(curl -s "http://127.0.0.1:$PIER_ADMIN/routes" | grep -c '"id" :' || true)
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" -H 'Host: bench.local' -H 'x-part: 98' "http://127.0.0.1:$PIER_PORT$path" >/dev/null
  local before; before=$(cpu_ticks $pid)
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency -H 'Host: bench.local' -H 'x-part: 98' \
    "http://127.0.0.1:$PIER_PORT$path" > "$work/$name.wrk"
  local after; after=$(cpu_ticks $pid)
  kill $pid; wait $pid 2>/dev/null || true
  awk -v name="$name" -v routes="$routes" -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    /requests in/ {n=$1}
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    /Non-2xx|Socket errors/ {err=err $0}
    END {printf "%-10s %7d %12s %10s %10s %10.1f  %s\n", name, routes, rps, p50, p99, ticks / hz * 1e6 / n, err}' "$work/$name.wrk"
}

for _ in $(seq 1 50); do curl -fsS -o /dev/null "http://127.0.0.1:$BACKEND_PORT/" 2>/dev/null && break; sleep 0.1; done
echo "Pier on core $PROXY_CPU (1 event loop), backend nginx and wrk -t1 -c$CONNECTIONS -d${DURATION}s on core $LOAD_CPU"
printf "%-10s %7s %12s %10s %10s %10s\n" case routes "requests/s" p50 p99 "CPU µs/req"
run_case plain "$work/plain.yaml" /
run_case filters "$work/filters.yaml" /x
run_case direct "$work/direct.yaml" /
# The request matches rule 98 of the last route: a header-match rule behind the /app-99 prefix.
run_case rules10k "$work/rules10k.yaml" /app-99/item
