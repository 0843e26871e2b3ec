#!/usr/bin/env bash
# The rpc handler's cost: unary calls/s of the same SayHello request (name "hello", times 1) made
# directly to a grpc-java server with server reflection, passed through HAProxy and through Pier as
# gRPC (no proxy translates JSON to gRPC without per-service configuration, so HAProxy's pass-through
# is the peer figure), and sent to Pier as JSON that its rpc handler turns into the gRPC call (and
# the reply back into JSON), in one run, on loopback only.
#
#   bench/rpc-bench.sh                                # 20 s per target, 4 connections x 16 calls in flight
#   DURATION=30 CHANNELS=8 STREAMS=8 bench/rpc-bench.sh
#   TARGETS="direct json" bench/rpc-bench.sh          # only some targets (direct haproxy grpc json)
#   PIER_JAR=/tmp/old.jar bench/rpc-bench.sh          # measure another build
#
# Layout on a 2-core machine: Pier (one event loop) and HAProxy (one thread) own core 0; the grpc-java server and the load
# generator (dev.pier.bench.RpcBench, closed loop; grpc-java for gRPC, a Vert.x h2c client for JSON)
# share core 1. Every client speaks HTTP/2 in cleartext. Besides calls/s and p50/p99 the script prints
# the proxy's CPU time per call. Needs haproxy (installed if missing), target/pier.jar, the test classes.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-15}
CHANNELS=${CHANNELS:-4}
STREAMS=${STREAMS:-16}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
TARGETS=${TARGETS:-direct haproxy grpc json}
PIER_JAR=${PIER_JAR:-target/pier.jar}
BACKEND_PORT=18191; HAPROXY_PORT=18192; PIER_PORT=18194; PIER_ADMIN=18195

. bench/lib.sh
need haproxy haproxy
[ -f "$PIER_JAR" ] || mvn -B -q package -DskipTests
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="target/classes:target/test-classes:$(cat target/bench.classpath)"
JAVA_LOAD="java -XX:ActiveProcessorCount=1 -XX:+UseParallelGC -Xms256m -Xmx256m -cp $CP dev.pier.bench.RpcBench"

bench_workdir pier-rpc-bench
taskset -c "$LOAD_CPU" $JAVA_LOAD server "$BACKEND_PORT" > "$work/server.log" 2>&1 & pids+=($!)

# HAProxy: one thread, h2c in (proto h2 bind) and out (proto h2 server), as bench/grpc-bench.sh runs it.
cat > "$work/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  http-reuse always
frontend fe
  bind 127.0.0.1:$HAPROXY_PORT proto h2
  default_backend be
backend be
  server b1 127.0.0.1:$BACKEND_PORT proto h2
CONF
taskset -c "$PROXY_CPU" haproxy -f "$work/haproxy.cfg" -db & pids+=($!); haproxy_pid=$!

# Pier: one event loop, the JVM told it has one core. Host rpc.bench is the rpc handler (JSON in),
# grpc.bench a grpc match to the same Service (gRPC passed through).
cat > "$work/pier.yaml" <<CONF
apiVersion: v1
kind: Service
metadata: {name: greeter, namespace: default, labels: {pier.dev/expose: "true"}}
spec: {ports: [{name: grpc, port: 50051, appProtocol: kubernetes.io/h2c}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: greeter, namespace: default, labels: {kubernetes.io/service-name: greeter}}
addressType: IPv4
ports: [{name: grpc, port: $BACKEND_PORT}]
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
---
apiVersion: pier.dev/v1alpha1
kind: GatewayRoute
metadata: {name: rpc, namespace: default}
spec:
  ingressClassName: pier
  hostnames: [rpc.bench]
  rules:
  - resolver: {handler: rpc}
---
apiVersion: pier.dev/v1alpha1
kind: GatewayRoute
metadata: {name: grpc, namespace: default}
spec:
  ingressClassName: pier
  rules:
  - matches: [{grpc: {service: pier.test.greet.Greeter}}]
    backendRefs: [{name: greeter, port: 50051}]
CONF
taskset -c "$PROXY_CPU" java -XX:ActiveProcessorCount=1 -XX:+UseParallelGC -Xms512m -Xmx512m \
  -jar "$PIER_JAR" serve --file "$work/pier.yaml" --address 127.0.0.1 --http-port $PIER_PORT \
  --admin-port $PIER_ADMIN --event-loops 1 > "$work/pier.log" 2>&1 & pids+=($!); pier_pid=$!

for _ in $(seq 1 150); do curl -fsS -o /dev/null "http://127.0.0.1:$PIER_ADMIN/readyz" 2>/dev/null && break; sleep 0.2; done
sleep 2 # the grpc-java server
# One call each way, shown, so a broken setup is seen before any figure.
curl -fsS -H 'Host: rpc.bench' -H 'Content-Type: application/json' -d '{"name":"hello","times":1}' \
  "http://127.0.0.1:$PIER_PORT/greeter/say-hello"; echo

cpu_ticks() {
  local total=0 p
  for p in "$@" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

run() { # target seconds -> "name calls/s p50 p99 failed pier-cpu-us/call"
  local before after line pid=""
  case "$1" in
    direct) line_cmd=(grpc direct "$BACKEND_PORT" "$2" "$CHANNELS" "$STREAMS");;
    haproxy) line_cmd=(grpc haproxy-grpc "$HAPROXY_PORT" "$2" "$CHANNELS" "$STREAMS"); pid=$haproxy_pid;;
    grpc) line_cmd=(grpc pier-grpc "$PIER_PORT" "$2" "$CHANNELS" "$STREAMS"); pid=$pier_pid;;
    json) line_cmd=(json pier-json "$PIER_PORT" rpc.bench "$2" "$CHANNELS" "$STREAMS"); pid=$pier_pid;;
  esac
  [ -n "$pid" ] && before=$(cpu_ticks "$pid")
  line=$(taskset -c "$LOAD_CPU" $JAVA_LOAD "${line_cmd[@]}")
  [ -n "$pid" ] && after=$(cpu_ticks "$pid")
  echo "$line" | awk -v ticks=$(( ${after:-0} - ${before:-0} )) -v hz="$(getconf CLK_TCK)" -v secs="$2" -v haspid="${pid:+1}" '
    {cpu = (haspid && $2 > 0) ? sprintf("%.1f", ticks * 1e6 / hz / ($2 * secs)) : "-"; print $0 "  " cpu}'
}

echo "warming up Pier's JIT for ${WARMUP}s (JSON, then gRPC)..."
taskset -c "$LOAD_CPU" $JAVA_LOAD json warmup "$PIER_PORT" rpc.bench "$WARMUP" "$CHANNELS" "$STREAMS" > /dev/null
taskset -c "$LOAD_CPU" $JAVA_LOAD grpc warmup "$PIER_PORT" 5 "$CHANNELS" "$STREAMS" > /dev/null
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "SayHello {name: hello, times: 1}, ${CHANNELS} connections x ${STREAMS} in flight, ${DURATION}s; Pier and HAProxy on core $PROXY_CPU, server and load on core $LOAD_CPU"
printf "%-12s %12s %11s %11s %8s  %s\n" target "calls/s" p50 p99 failed "proxy-cpu-us/call"
for t in $TARGETS; do run "$t" "$DURATION"; done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
