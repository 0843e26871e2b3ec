#!/usr/bin/env bash
# Latency at a fixed offered rate (open loop) through Pier, nginx and HAProxy (each a plain reverse
# proxy pinned to one core, set up as in proxy-bench.sh) and directly to the same backend, in one
# run, on loopback only. wrk (closed loop) sends a request only when an answer came back, so a slow
# answer delays the requests behind it and hides their waiting; vegeta sends on a clock instead.
#
#   bench/openloop-bench.sh                        # 5,000 and 15,000 requests/s, 20 s each
#   RATES="2000 10000 20000" DURATION=30 bench/openloop-bench.sh
#   TARGETS="nginx pier" bench/openloop-bench.sh   # only some targets (direct nginx haproxy pier)
#   PIER_JAR=/tmp/old.jar bench/openloop-bench.sh  # measure another build
#   PIER_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/openloop-bench.sh  # on another JVM
#   PIER_BASE_JAR=/tmp/old.jar bench/openloop-bench.sh  # also that build as target pier-base (A/B in one run;
#                                                  # PIER_BASE_JAVA, PIER_BASE_JAVA_OPTS: its JVM and options)
#   PIER_ARGS="--transport io_uring" bench/openloop-bench.sh  # `pier serve` options (PIER_BASE_ARGS for pier-base)
#   PORT_BASE=28281 bench/openloop-bench.sh        # six ports from PORT_BASE (default 18281)
#
# One table, a row per rate and target: offered and achieved rate (requests sent per second),
# success %, exact latency percentiles over every request (from vegeta's per-request results, not
# its t-digest estimates), max, the proxy's CPU time per request, and for Pier the CPU its JIT
# compiler threads used during the row (jit-ms: near 0 when the row measured compiled code).
# Every rate must stay below every proxy's saturation (proxy-bench's requests/s): a row whose
# achieved rate is below the offered one is marked, since there the generator was held back and
# the latencies are closed-loop.
#
# Layout on a 2-core machine: the proxy under test owns core 0; the backend (nginx, one worker,
# a fixed 13-byte body) and vegeta share core 1. vegeta keeps its connections alive, at most
# $MAX_WORKERS of them (one per request in flight).
# Needs: nginx, haproxy (Debian packages; installed if missing), go (vegeta is built once by
# scripts/vegeta-tool.sh), target/pier.jar (built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
RATES=${RATES:-5000 15000}
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-15}
MAX_WORKERS=${MAX_WORKERS:-512}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
TARGETS=${TARGETS:-direct nginx haproxy pier}
PIER_JAR=${PIER_JAR:-target/pier.jar}
PIER_JAVA_OPTS=${PIER_JAVA_OPTS:-}
PIER_BASE_JAR=${PIER_BASE_JAR:-}
PIER_ARGS=${PIER_ARGS:-}; PIER_BASE_ARGS=${PIER_BASE_ARGS:-}  # `pier serve` options of each build (e.g. --transport io_uring)
PIER_BASE_JAVA=${PIER_BASE_JAVA:-java}; PIER_BASE_JAVA_OPTS=${PIER_BASE_JAVA_OPTS:-}
[ -n "$PIER_BASE_JAR" ] && TARGETS="$TARGETS pier-base"
PORT_BASE=${PORT_BASE:-18281}  # nine ports from here; another value lets two runs share a machine without a clash
BACKEND_PORT=$PORT_BASE; NGINX_PORT=$((PORT_BASE + 1)); HAPROXY_PORT=$((PORT_BASE + 2)); PIER_PORT=$((PORT_BASE + 3)); PIER_ADMIN=$((PORT_BASE + 4)); PIER_HTTPS_PORT=$((PORT_BASE + 5))
PIER_BASE_PORT=$((PORT_BASE + 6)); PIER_BASE_ADMIN=$((PORT_BASE + 7)); PIER_BASE_HTTPS_PORT=$((PORT_BASE + 8))

. bench/lib.sh
need nginx nginx-light; need haproxy haproxy
VEGETA="$(scripts/vegeta-tool.sh)/vegeta"
[ -f "$PIER_JAR" ] || mvn -B -q package -DskipTests

bench_workdir pier-openloop
start_backend "$BACKEND_PORT" "$LOAD_CPU"
start_nginx_proxy nginx "$NGINX_PORT" "$BACKEND_PORT" "$PROXY_CPU"
start_haproxy haproxy "$HAPROXY_PORT" "$BACKEND_PORT" "$PROXY_CPU"
pier_yaml "$BACKEND_PORT" > "$work/pier.yaml"
# shellcheck disable=SC2086  # PIER_JAVA_OPTS, PIER_ARGS and their BASE twins are lists of options
start_pier pier "$PIER_JAR" "$work/pier.yaml" $PIER_PORT $PIER_HTTPS_PORT $PIER_ADMIN "$PROXY_CPU" $PIER_JAVA_OPTS -- $PIER_ARGS
[ -z "$PIER_BASE_JAR" ] || PIER_JAVA=$PIER_BASE_JAVA start_pier pier-base "$PIER_BASE_JAR" "$work/pier.yaml" $PIER_BASE_PORT $PIER_BASE_HTTPS_PORT $PIER_BASE_ADMIN "$PROXY_CPU" $PIER_BASE_JAVA_OPTS -- $PIER_BASE_ARGS
wait_ports $BACKEND_PORT $NGINX_PORT $HAPROXY_PORT $PIER_PORT ${PIER_BASE_JAR:+$PIER_BASE_PORT}

port_of() { case "$1" in direct) echo $BACKEND_PORT;; nginx) echo $NGINX_PORT;; haproxy) echo $HAPROXY_PORT;; pier) echo $PIER_PORT;; pier-base) echo $PIER_BASE_PORT;; esac; }

# attack PORT SECONDS RATE OUT: GET / at RATE requests/s (0: as fast as MAX_WORKERS allow).
attack() {
  echo "GET http://127.0.0.1:$1/" | taskset -c "$LOAD_CPU" "$VEGETA" attack -rate="$3/s" -duration="$2s" \
    -max-workers="$MAX_WORKERS" -connections="$MAX_WORKERS" -max-connections="$MAX_WORKERS" \
    -keepalive=true -http2=false -max-body=0 -timeout=10s > "$4"
}

run() { # name port rate -> one row of the table
  local name=$1 port=$2 rate=$3 pid=${proxy_pid[$1]:-} before=0 after=0 out="$work/$1-$3.bin" jit=
  [ -n "$pid" ] && before=$(cpu_ticks "$pid") && jit=$(jit_ms "$pid" 0)
  attack "$port" "$DURATION" "$rate" "$out"
  [ -n "$pid" ] && after=$(cpu_ticks "$pid")
  # Sent rate, success ratio and request count from vegeta's summary; exact percentiles from the
  # latency (ns, third field) of every request.
  [ -n "$pid" ] && jit=$(jit_ms "$pid" "${jit:-0}")
  local summary; summary=$("$VEGETA" report -type=json "$out")
  "$VEGETA" encode -to csv "$out" | cut -d, -f3 | sort -n | awk -v name="$name" -v offered="$rate" \
    -v summary="$summary" -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" -v haspid="${pid:+1}" -v jit="${jit:--}" '
    { lat[NR] = $1 }
    function field(key,   m) { match(summary, "\"" key "\":[0-9.e+-]+"); m = substr(summary, RSTART, RLENGTH); sub(/.*:/, "", m); return m + 0 }
    function pct(q,   i) { i = int(q * NR); if (i < q * NR) i++; if (i < 1) i = 1; return lat[i] / 1e6 }
    END {
      n = field("requests"); achieved = field("rate"); success = field("success") * 100
      cpu = (haspid && n > 0) ? sprintf("%.1f", ticks * 1e6 / hz / n) : "-"
      mark = (achieved < 0.99 * offered) ? " *" : ""
      if (name != "pier" && name != "pier-base") jit = "-"
      printf "%-8s %9d %10.0f%-2s %8.2f %8.3f %8.3f %8.3f %8.3f %8.3f %10s %7s\n", name, offered, achieved, mark, success,
        pct(0.50), pct(0.90), pct(0.99), pct(0.999), lat[NR] / 1e6, cpu, jit }'
}

# Warm Pier's JIT: closed loop as proxy-bench (64 connections, as fast as it answers), then the
# traffic it is measured with (each rate for WARMUP s, open loop, up to MAX_WORKERS connections).
# The closed loop alone leaves the JIT a second round of work once the open loop opens new
# connections: about 1 s of C2 and C1 CPU and 1,800 compilations in the first 15 s row, on the one
# core Pier has (docs/performance.md), so that row measured the compiler, not the proxy.
echo "warming up Pier's JIT: ${WARMUP}s closed loop, then ${WARMUP}s at each rate ($RATES/s, open loop)..."
for t in $TARGETS; do
  case "$t" in pier*) MAX_WORKERS=64 attack "$(port_of "$t")" "$WARMUP" 0 /dev/null
    for rate in $RATES; do attack "$(port_of "$t")" "$WARMUP" "$rate" /dev/null; done;; esac
done
echo "proxies on core $PROXY_CPU, backend and vegeta on core $LOAD_CPU; vegeta attack -duration=${DURATION}s -max-workers=$MAX_WORKERS, keep-alive"
echo "latencies in ms over every request; * = achieved rate below offered (saturated: not an open-loop figure)"
printf "%-8s %9s %12s %8s %8s %8s %8s %8s %8s %10s %7s\n" target offered/s achieved/s success% p50 p90 p99 p99.9 max cpu-us/req jit-ms
for rate in $RATES; do
  for t in $TARGETS; do run "$t" "$(port_of "$t")" "$rate"; done
done
