#!/usr/bin/env bash
# gRPC unary calls/s through Pier, HAProxy and nginx (each pinned to one core, h2c in and out) and
# directly to the same grpc-java server, in one run, on loopback only.
#
#   bench/grpc-bench.sh                              # 20 s per target, 4 connections x 16 calls in flight
#   DURATION=30 CHANNELS=8 STREAMS=8 bench/grpc-bench.sh
#   TARGETS="direct pier" bench/grpc-bench.sh        # only some targets (direct haproxy nginx pier)
#   PIER_JAR=/tmp/old.jar bench/grpc-bench.sh        # measure another build
#
# Layout on a 2-core machine: the proxy under test owns core 0; the grpc-java echo server and the
# grpc-java load generator (GrpcBench, closed loop) share core 1. A call is the unary Echo of a
# 5-byte string. Besides calls/s and p50/p99 the script prints the proxy's CPU time per call.
# Needs: nginx, haproxy (Debian packages; installed if missing), target/pier.jar, the test classes.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-15}
CHANNELS=${CHANNELS:-4}
STREAMS=${STREAMS:-16}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
TARGETS=${TARGETS:-direct haproxy nginx pier}
PIER_JAR=${PIER_JAR:-target/pier.jar}
BACKEND_PORT=18181; HAPROXY_PORT=18182; NGINX_PORT=18183; PIER_PORT=18184; PIER_ADMIN=18185

. bench/lib.sh
need nginx nginx-light; need haproxy haproxy
[ -f "$PIER_JAR" ] || mvn -B -q package -DskipTests
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP="target/classes:target/test-classes:$(cat target/bench.classpath)"
JAVA_LOAD="java -XX:ActiveProcessorCount=1 -XX:+UseParallelGC -Xms256m -Xmx256m -cp $CP dev.pier.bench.GrpcBench"

bench_workdir pier-grpc-bench
declare -A proxy_pid

taskset -c "$LOAD_CPU" $JAVA_LOAD server "$BACKEND_PORT" > "$work/server.log" 2>&1 & pids+=($!)

# HAProxy: one thread, h2c in (proto h2 bind) and out (proto h2 server).
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
taskset -c "$PROXY_CPU" haproxy -f "$work/haproxy.cfg" -db & pids+=($!); proxy_pid[haproxy]=$!

# nginx: one worker, h2c listener (prior knowledge), grpc_pass with upstream keep-alive.
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $work/nginx/nginx.pid; error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  upstream grpc_backend { server 127.0.0.1:$BACKEND_PORT; keepalive 64; }
  server { listen 127.0.0.1:$NGINX_PORT http2;
    location / { grpc_pass grpc://grpc_backend; } } }
CONF
taskset -c "$PROXY_CPU" nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" & pids+=($!); proxy_pid[nginx]=$!

# Pier: one event loop, the JVM told it has one core; the Service port says kubernetes.io/h2c.
cat > "$work/pier.yaml" <<CONF
apiVersion: v1
kind: Service
metadata: {name: echo, namespace: default}
spec: {ports: [{name: grpc, port: 50051, appProtocol: kubernetes.io/h2c}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: echo, namespace: default, labels: {kubernetes.io/service-name: echo}}
addressType: IPv4
ports: [{name: grpc, port: $BACKEND_PORT}]
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
---
apiVersion: pier.dev/v1alpha1
kind: GatewayRoute
metadata: {name: echo, namespace: default}
spec:
  ingressClassName: pier
  rules:
  - matches: [{grpc: {service: pier.test.Echo}}]
    backendRefs: [{name: echo, port: 50051}]
CONF
taskset -c "$PROXY_CPU" java -XX:ActiveProcessorCount=1 -XX:+UseParallelGC -Xms512m -Xmx512m \
  -jar "$PIER_JAR" serve --file "$work/pier.yaml" --address 127.0.0.1 --http-port $PIER_PORT \
  --admin-port $PIER_ADMIN --event-loops 1 > "$work/pier.log" 2>&1 & pids+=($!); proxy_pid[pier]=$!

for _ in $(seq 1 150); do curl -fsS -o /dev/null "http://127.0.0.1:$PIER_ADMIN/readyz" 2>/dev/null && break; sleep 0.2; done
sleep 2 # the echo server and the proxies' listeners

cpu_ticks() {
  local total=0 p
  for p in "$@" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

port_of() { case "$1" in direct) echo $BACKEND_PORT;; haproxy) echo $HAPROXY_PORT;; nginx) echo $NGINX_PORT;; pier) echo $PIER_PORT;; esac; }

run() { # name seconds -> "name calls/s p50 p99 failed cpu-us/call"
  local pid=${proxy_pid[$1]:-} before=0 after=0 line
  [ -n "$pid" ] && before=$(cpu_ticks "$pid")
  line=$(taskset -c "$LOAD_CPU" $JAVA_LOAD load "$1" "$(port_of "$1")" bench.local "$2" "$CHANNELS" "$STREAMS")
  [ -n "$pid" ] && after=$(cpu_ticks "$pid")
  echo "$line" | awk -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" -v secs="$2" -v haspid="${pid:+1}" '
    {cpu = (haspid && $2 > 0) ? sprintf("%.1f", ticks * 1e6 / hz / ($2 * secs)) : "-"; print $0 "  " cpu}'
}

echo "warming up Pier's JIT for ${WARMUP}s..."
taskset -c "$LOAD_CPU" $JAVA_LOAD load warmup "$PIER_PORT" bench.local "$WARMUP" "$CHANNELS" "$STREAMS" > /dev/null
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "grpc-java unary Echo, ${CHANNELS} connections x ${STREAMS} in flight, ${DURATION}s; proxies on core $PROXY_CPU, server and load on core $LOAD_CPU"
printf "%-10s %12s %11s %11s %8s  %s\n" target "calls/s" p50 p99 failed "cpu-us/call"
for t in $TARGETS; do run "$t" "$DURATION"; done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
