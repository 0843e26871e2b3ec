#!/usr/bin/env bash
# Requests/s and latency through Pier, nginx and HAProxy (each as a plain reverse proxy pinned to
# one core) and directly to the same backend, in one run, on loopback only.
#
#   bench/proxy-bench.sh                 # 20 s per target, 64 connections
#   DURATION=30 CONNECTIONS=128 bench/proxy-bench.sh
#   TARGETS="nginx pier" bench/proxy-bench.sh       # only some targets (direct nginx haproxy pier)
#   PIER_JAR=/tmp/old.jar bench/proxy-bench.sh      # measure another build
#   PIER_BASE_JAR=/tmp/old.jar bench/proxy-bench.sh # also run that build as target "pier-base" (A/B in one run)
#   PIER_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/pier.jfr,settings=profile" bench/proxy-bench.sh
#   PIER_BASE_JAR=target/pier.jar PIER_BASE_JAVA_OPTS="-XX:+UseSerialGC" bench/proxy-bench.sh  # A/B on a JVM flag
#   PIER_BASE_JAR=target/pier.jar PIER_BASE_ARGS="--transport io_uring" bench/proxy-bench.sh  # A/B on a Pier flag
#   PIER_BASE_JAR=target/pier.jar PIER_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/proxy-bench.sh  # A/B of JVMs (PIER_BASE_JAVA for pier-base)
#   H2LOAD=1 bench/proxy-bench.sh                   # also h2c downstream to Pier and HAProxy (h2load, prior knowledge)
#   H2LOAD=1 H2_ROUNDS=5 SCENARIOS=none bench/proxy-bench.sh  # only h2c, each target 5 times in turn, medians
#   SCENARIOS="small" bench/proxy-bench.sh          # only some tables (small 16k close swap; default all)
#   PORT_BASE=28081 bench/proxy-bench.sh            # ten ports from PORT_BASE (default 18081)
#   TABLE_WARMUP=10 bench/proxy-bench.sh            # s of each table's own traffic per Pier first (default 5)
#
# Each Pier row also prints jit-ms: the CPU of its JIT compiler threads during the row (near 0 when
# the row measured compiled code).
#
# Tables, each with every target in the same run:
#   small  keep-alive, a 13-byte body, wrk -c$CONNECTIONS
#   16k    keep-alive, a 16 KiB body (/16k)
#   close  a new connection per request (wrk -H "Connection: close", -c$CLOSE_CONNECTIONS)
#   swap   Pier only, keep-alive, while its file is rewritten every ${SWAP_EVERY}s (a new table
#          each time, an Ingress added or removed): the swaps counted by Pier and the failed
#          requests (non-2xx, socket errors), which must be 0
#
# Layout on a 2-core machine: the proxy under test owns core 0; the backend (nginx, one worker,
# answering a fixed 13-byte body) and the load generator (wrk, one thread) share core 1.
# Needs: nginx, haproxy, wrk (Debian packages; the script installs them if missing), target/pier.jar.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-15}
TABLE_WARMUP=${TABLE_WARMUP:-5}  # s of each table's own traffic for each Pier right before it (small: a second warm-up run)
PROXY_CPU=${PROXY_CPU:-0}
TARGETS=${TARGETS:-direct nginx haproxy pier}
PIER_JAR=${PIER_JAR:-target/pier.jar}
PIER_JAVA_OPTS=${PIER_JAVA_OPTS:-}
PIER_BASE_JAR=${PIER_BASE_JAR:-}
PIER_JAVA=${PIER_JAVA:-java}; PIER_BASE_JAVA=${PIER_BASE_JAVA:-java}  # the java binary of each (start_pier reads PIER_JAVA)
PIER_BASE_JAVA_OPTS=${PIER_BASE_JAVA_OPTS:-}  # options for pier-base alone (e.g. another GC: the same jar twice, A/B on a flag)
PIER_ARGS=${PIER_ARGS:-}; PIER_BASE_ARGS=${PIER_BASE_ARGS:-}  # `pier serve` options of each build (e.g. --transport io_uring)
[ -n "$PIER_BASE_JAR" ] && TARGETS="$TARGETS pier-base"
H2LOAD=${H2LOAD:-0}
SCENARIOS=${SCENARIOS:-small 16k close swap}
CLOSE_CONNECTIONS=${CLOSE_CONNECTIONS:-16}
SWAP_EVERY=${SWAP_EVERY:-0.6}  # longer than two 250 ms polls: file mode applies a change once two polls read the same bytes
LOAD_CPU=${LOAD_CPU:-1}
PORT_BASE=${PORT_BASE:-18081}  # ten ports from here; another value lets two runs share a machine without a clash
BACKEND_PORT=$PORT_BASE; NGINX_PORT=$((PORT_BASE + 1)); HAPROXY_PORT=$((PORT_BASE + 2)); PIER_PORT=$((PORT_BASE + 3)); PIER_ADMIN=$((PORT_BASE + 4))
PIER_BASE_PORT=$((PORT_BASE + 6)); PIER_BASE_ADMIN=$((PORT_BASE + 7))
PIER_HTTPS_PORT=$((PORT_BASE + 8)); PIER_BASE_HTTPS_PORT=$((PORT_BASE + 9))  # own HTTPS ports: two Piers (A/B) must not both take 8443

. bench/lib.sh
need nginx nginx-light; need haproxy haproxy; need wrk wrk
[ -f "$PIER_JAR" ] || mvn -B -q package -DskipTests

bench_workdir pier-bench
start_backend "$BACKEND_PORT" "$LOAD_CPU"
start_nginx_proxy nginx "$NGINX_PORT" "$BACKEND_PORT" "$PROXY_CPU"
start_haproxy haproxy "$HAPROXY_PORT" "$BACKEND_PORT" "$PROXY_CPU"
pier_yaml "$BACKEND_PORT" > "$work/pier.yaml"
cp "$work/pier.yaml" "$work/pier-live.yaml"  # the file Pier under test reads; the swap table rewrites it
# shellcheck disable=SC2086  # PIER_JAVA_OPTS, PIER_ARGS and their BASE twins are lists of options
start_pier pier "$PIER_JAR" "$work/pier-live.yaml" $PIER_PORT $PIER_HTTPS_PORT $PIER_ADMIN "$PROXY_CPU" $PIER_JAVA_OPTS -- $PIER_ARGS
[ -z "$PIER_BASE_JAR" ] || PIER_JAVA=$PIER_BASE_JAVA start_pier pier-base "$PIER_BASE_JAR" "$work/pier.yaml" $PIER_BASE_PORT $PIER_BASE_HTTPS_PORT $PIER_BASE_ADMIN "$PROXY_CPU" $PIER_BASE_JAVA_OPTS -- $PIER_BASE_ARGS
wait_ports $BACKEND_PORT $NGINX_PORT $HAPROXY_PORT $PIER_PORT ${PIER_BASE_JAR:+$PIER_BASE_PORT}

run() { # name port seconds [path] [connections] [wrk options...] -> "rps p50 p99 cpu-us/request failed"
  local name=$1 port=$2 seconds=$3 path=${4:-/} conns=${5:-$CONNECTIONS}
  shift $(( $# < 5 ? $# : 5 ))
  local pid=${proxy_pid[$name]:-} before=0 after=0 jit=-
  [ -n "$pid" ] && before=$(cpu_ticks "$pid")
  case "$name" in pier*) jit=$(jit_ms "$pid" 0);; esac
  taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${seconds}s" --latency "$@" "http://127.0.0.1:$port$path" > "$work/$name.wrk"
  [ -n "$pid" ] && after=$(cpu_ticks "$pid")
  case "$name" in pier*) jit=$(jit_ms "$pid" "$jit");; esac
  awk -v name="$name" -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" -v haspid="${pid:+1}" -v jit="$jit" '
    /requests in/ {n=$1}
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    /Non-2xx/ {failed += $NF}
    /Socket errors/ {gsub(",", ""); failed += $4 + $6 + $8 + $10}
    END {cpu = (haspid && n > 0) ? sprintf("%.1f", ticks * 1e6 / hz / n) : "-";
         printf "%-10s %12s %10s %10s %12s %8d %7s\n", name, rps, p50, p99, cpu, failed, jit}' "$work/$name.wrk"
}
header() { printf "%-10s %12s %10s %10s %12s %8s %7s\n" target "requests/s" p50 p99 "cpu-us/req" failed jit-ms; }
# warm_piers SECONDS [path] [connections] [wrk options...]: each Pier gets the next table's traffic
# first, so that its JIT does not compile that traffic's paths (new connections, 16 KiB bodies)
# on the proxy's core during the table; jit-ms says how far that held.
warm_piers() {
  local seconds=$1 path=${2:-/} conns=${3:-$CONNECTIONS} t
  shift $(( $# < 3 ? $# : 3 ))
  [ "$seconds" -gt 0 ] || return 0
  for t in $TARGETS; do
    case "$t" in pier*) taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${seconds}s" "$@" "http://127.0.0.1:$(port_of "$t")$path" >/dev/null;; esac
  done
}

port_of() { case "$1" in direct) echo $BACKEND_PORT;; nginx) echo $NGINX_PORT;; haproxy) echo $HAPROXY_PORT;; pier) echo $PIER_PORT;; pier-base) echo $PIER_BASE_PORT;; esac; }

echo "warming up Pier's JIT for ${WARMUP}s..."
taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:$PIER_PORT/" >/dev/null
[ -z "$PIER_BASE_JAR" ] || taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:$PIER_BASE_PORT/" >/dev/null
echo "proxies on core $PROXY_CPU, backend and wrk on core $LOAD_CPU; wrk -t1 -d${DURATION}s; failed = non-2xx + socket errors"
for scenario in $SCENARIOS; do
  case "$scenario" in
    small) warm_piers "$TABLE_WARMUP"  # a second warm-up: the first one's 64 connections closing and the next 64 opening deoptimize the hot path
      echo; echo "keep-alive, 13-byte body: wrk -c$CONNECTIONS"; header
      for t in $TARGETS; do run "$t" "$(port_of "$t")" "$DURATION"; done ;;
    16k) warm_piers "$TABLE_WARMUP" /16k
      echo; echo "keep-alive, 16 KiB body: wrk -c$CONNECTIONS /16k"; header
      for t in $TARGETS; do run "$t" "$(port_of "$t")" "$DURATION" /16k; done ;;
    close) warm_piers "$TABLE_WARMUP" / "$CLOSE_CONNECTIONS" -H "Connection: close"
      echo; echo "a new connection per request: wrk -c$CLOSE_CONNECTIONS -H 'Connection: close'"; header
      for t in $TARGETS; do run "$t" "$(port_of "$t")" "$DURATION" / "$CLOSE_CONNECTIONS" -H "Connection: close"; done ;;
    swap) swaps() { curl -fsS "http://127.0.0.1:$PIER_ADMIN/routes" | grep -o '"swaps" *: *[0-9]*' | grep -o '[0-9]*$'; }
      before=$(swaps)
      # Rewrite the file (atomically, by rename) every SWAP_EVERY s: an extra Ingress in, then out.
      ( i=0; while :; do i=$((i + 1))
          { cat "$work/pier.yaml"; if [ $((i % 2)) = 1 ]; then printf -- '---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: swap, namespace: default}\nspec:\n  ingressClassName: pier\n  rules:\n  - host: swap-%d.test\n    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: bench, port: {number: 80}}}}]}\n' "$i"; fi; } > "$work/pier-live.yaml.tmp"
          mv "$work/pier-live.yaml.tmp" "$work/pier-live.yaml"; sleep "$SWAP_EVERY"; done ) & swapper=$!; pids+=($swapper)
      echo; echo "Pier while its table swaps every ${SWAP_EVERY}s: wrk -c$CONNECTIONS"; header
      run pier "$PIER_PORT" "$DURATION"
      kill "$swapper" 2>/dev/null || true
      echo "table swaps during the run: $(( $(swaps) - before ))" ;;
  esac
done

# Optional: HTTP/2 cleartext downstream (prior knowledge), HTTP/1.1 to the backend. nginx cannot
# serve h2c and HTTP/1.1 on one port, so only HAProxy (an h2-enabled bind) and Pier are compared.
if [ "$H2LOAD" = 1 ]; then
  H2_PORT=$((PORT_BASE + 5))
  start_haproxy haproxy-h2 "$H2_PORT" "$BACKEND_PORT" "$PROXY_CPU" "proto h2"
  sleep 1
  H2_STREAMS=${H2_STREAMS:-16}; H2_CLIENTS=${H2_CLIENTS:-8}
  h2_targets="haproxy-h2:$H2_PORT pier-h2:$PIER_PORT${PIER_BASE_JAR:+ pier-base-h2:$PIER_BASE_PORT}"
  # Pier's h2 server path gets its own JIT warm-up (the HTTP/1.1 warm-up does not compile it).
  for t in $h2_targets; do
    case "$t" in pier*) taskset -c "$LOAD_CPU" h2load -c"$H2_CLIENTS" -m"$H2_STREAMS" -D"$WARMUP" "http://127.0.0.1:${t#*:}/" >/dev/null 2>&1 || true;; esac
  done
  # H2_ROUNDS > 1: every target once per round, in turn, so that a loaded machine's drift falls on all
  # of them alike; the medians follow the rounds.
  H2_ROUNDS=${H2_ROUNDS:-1}
  echo "h2load -c$H2_CLIENTS -m$H2_STREAMS -D${DURATION} (h2c prior knowledge), $H2_ROUNDS round(s); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  : > "$work/h2.rounds"
  for round in $(seq 1 "$H2_ROUNDS"); do
    for t in $h2_targets; do
      name=${t%%:*}; pid=${proxy_pid[$name]:-${proxy_pid[${name%-h2}]:-}}; before=0; after=0
      [ -n "$pid" ] && before=$(cpu_ticks "$pid")
      taskset -c "$LOAD_CPU" h2load -c"$H2_CLIENTS" -m"$H2_STREAMS" -D"$DURATION" "http://127.0.0.1:${t#*:}/" > "$work/h2.out" 2>&1 || true
      [ -n "$pid" ] && after=$(cpu_ticks "$pid")
      awk -v name="$name" -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" -v haspid="${pid:+1}" '
        /^finished in/ {rps=$4}
        /^requests:/ {failed=$10 " failed"; n=$8}
        /^time for request:/ {mean=$6}
        END {cpu = (haspid && n > 0) ? sprintf("%.1f", ticks * 1e6 / hz / n) : "-";
             printf "%-13s %12s req/s  mean %s  cpu-us/req %s  %s\n", name, rps, mean, cpu, failed}' "$work/h2.out" | tee -a "$work/h2.rounds"
    done
  done
  if [ "$H2_ROUNDS" -gt 1 ]; then
    echo "medians over $H2_ROUNDS rounds:"
    for t in $h2_targets; do
      name=${t%%:*}
      printf "%-13s %12s req/s  cpu-us/req %s\n" "$name" \
        "$(awk -v n="$name" '$1 == n {print $2}' "$work/h2.rounds" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}')" \
        "$(awk -v n="$name" '$1 == n {print $7}' "$work/h2.rounds" | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}')"
    done
  fi
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
fi
