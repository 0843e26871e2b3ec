#!/usr/bin/env bash
# Bytes the event loop allocates per request, for two Pier builds in one run: a figure that, unlike
# CPU time, other work on a shared machine does not move (allocation drives young-GC frequency).
#
#   PIER_BASE_JAR=/tmp/old.jar bench/alloc-bench.sh                 # keep-alive, 64 connections
#   PIER_BASE_JAR=/tmp/old.jar CLOSE=1 bench/alloc-bench.sh         # a new connection per request (-c16)
#   PIER_BASE_JAR=/tmp/old.jar H2=1 bench/alloc-bench.sh            # h2c by prior knowledge, h2load -c8 -m16
#   PIER_BASE_JAR=/tmp/old.jar TLS=1 CLOSE=1 bench/alloc-bench.sh   # over TLS (a self-signed ECDSA default
#                                                                   # certificate; with CLOSE=1 a handshake per request)
#   PIER_JAR=... DURATION=10 PORT_BASE=37411 bench/alloc-bench.sh
#   PIER_JAVA_OPTS=... PIER_BASE_JAVA_OPTS=...                      # JVM options of each build
#   PIER_ARGS=... PIER_BASE_ARGS=...                                # `pier serve` options of each build (--transport io_uring)
#   PIER_JAVA=... PIER_BASE_JAVA=...                                # the java binary of each (default: java)
#
# Each Pier (one event loop, pinned to core 0, as in proxy-bench) runs a JFR recording of nothing but
# each thread's allocation counter (jdk.ThreadAllocationStatistics, every second). After a warm-up,
# wrk loads one Pier for DURATION s; the event loop's counter, interpolated at wrk's start and end,
# divided by the requests wrk completed, is the figure. Needs nginx, wrk, python3, the JDK's jcmd/jfr.
set -euo pipefail
cd "$(dirname "$0")/.."
PIER_JAR=${PIER_JAR:-target/pier.jar}
PIER_BASE_JAR=${PIER_BASE_JAR:-}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
CLOSE=${CLOSE:-0}
H2=${H2:-0}
TLS=${TLS:-0}
PORT_BASE=${PORT_BASE:-18381}  # seven ports from here
. bench/lib.sh
need nginx nginx-light; need wrk wrk
[ -f "$PIER_JAR" ] || mvn -B -q package -DskipTests
bench_workdir pier-alloc
cat > "$work/alloc.jfc" <<'JFC'
<?xml version="1.0" encoding="UTF-8"?>
<configuration version="2.0" label="allocation" description="each thread's allocation counter, every second">
  <event name="jdk.ThreadAllocationStatistics"><setting name="enabled">true</setting><setting name="period">1 s</setting></event>
</configuration>
JFC
wrk_args=(-t1 -c64); [ "$CLOSE" = 1 ] && wrk_args=(-t1 -c16 -H "Connection: close")
[ "$H2" = 1 ] && need h2load nghttp2-client
# load SECONDS URL: the load generator for DURATION or the warm-up; prints "<requests> requests in" for the figure
load() {
  if [ "$H2" = 1 ]; then
    taskset -c 1 h2load -c8 -m16 -D"$1" "$2" | awk '/^requests:/ {print $8 " requests in (h2load, succeeded)"}'
  else
    taskset -c 1 wrk "${wrk_args[@]}" -d"$1s" "$2"
  fi
}
start_backend "$PORT_BASE" 1
pier_yaml "$PORT_BASE" > "$work/pier.yaml"
scheme=http; port_offset=0
if [ "$TLS" = 1 ]; then
  need openssl openssl
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/tls.key" -out "$work/tls.crt" \
    -days 2 -subj /CN=bench.local -addext subjectAltName=DNS:bench.local 2>/dev/null
  cat >> "$work/pier.yaml" <<CONF
---
apiVersion: v1
kind: Secret
metadata: {name: bench-tls, namespace: default}
type: kubernetes.io/tls
data:
  tls.crt: $(base64 -w0 "$work/tls.crt")
  tls.key: $(base64 -w0 "$work/tls.key")
CONF
  export PIER_SERVE_ARGS="--default-certificate default/bench-tls"; scheme=https; port_offset=1
fi
declare -A port_of=([pier]=$((PORT_BASE + 1)) [pier-base]=$((PORT_BASE + 4)))
targets=(pier); [ -n "$PIER_BASE_JAR" ] && targets+=(pier-base)
for t in "${targets[@]}"; do
  jar=$PIER_JAR; [ "$t" = pier-base ] && jar=$PIER_BASE_JAR
  p=${port_of[$t]}
  opts=${PIER_JAVA_OPTS:-}; [ "$t" = pier-base ] && opts=${PIER_BASE_JAVA_OPTS:-}
  args=${PIER_ARGS:-}; [ "$t" = pier-base ] && args=${PIER_BASE_ARGS:-}
  java_bin=${PIER_JAVA:-java}; [ "$t" = pier-base ] && java_bin=${PIER_BASE_JAVA:-java}
  # shellcheck disable=SC2086  # lists of JVM options and of Pier options
  PIER_JAVA=$java_bin start_pier "$t" "$jar" "$work/pier.yaml" "$p" $((p + 1)) $((p + 2)) 0 "-XX:StartFlightRecording=name=alloc,settings=$work/alloc.jfc" $opts -- $args
done
wait_ports "$PORT_BASE" "${port_of[pier]}" ${PIER_BASE_JAR:+${port_of[pier-base]}}
if [ "$H2" = 1 ]; then echo "h2load -c8 -m16 -D${DURATION} (h2c); allocation of Pier's event loop per request"
else echo "wrk ${wrk_args[*]} -d${DURATION}s; allocation of Pier's event loop per request"; fi
for t in "${targets[@]}"; do
  url="$scheme://127.0.0.1:$((port_of[$t] + port_offset))/"
  load "$WARMUP" "$url" > /dev/null
  t0=$(date +%s.%N)
  load "$DURATION" "$url" > "$work/$t.wrk"
  t1=$(date +%s.%N); sleep 1.5  # one more sample after the end
  jcmd "${proxy_pid[$t]}" JFR.dump name=alloc filename="$work/$t.jfr" > /dev/null
  jfr print --json --events jdk.ThreadAllocationStatistics "$work/$t.jfr" > "$work/$t.json"
  python3 - "$work/$t.json" "$t0" "$t1" "$(awk '/requests in/ {print $1}' "$work/$t.wrk")" "$t" <<'PY'
import datetime, json, sys
path, t0, t1, requests, name = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
points = sorted((datetime.datetime.fromisoformat(e['values']['startTime'].replace('Z', '+00:00')).timestamp(), e['values']['allocated'])
                for e in json.load(open(path))['recording']['events']
                if 'eventloop' in (e['values']['thread'].get('javaName') or ''))
def at(t):
    for (ta, a), (tb, b) in zip(points, points[1:]):
        if ta <= t <= tb: return a + (b - a) * (t - ta) / (tb - ta)
    sys.exit(f"{name}: no allocation samples around {t}")
allocated = at(t1) - at(t0)
print(f"{name:10s} {requests:9d} requests  {allocated / 1e6:8.1f} MB  {allocated / requests:6.0f} bytes/request")
PY
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
