#!/usr/bin/env bash
# What observability costs: CPU per request through Pier with the access log off and on (JSON and
# text), with tracing on (every request sampled, spans exported by OTLP/HTTP to a local sink), and
# with both, and with 1 % of traces sampled (the rest only propagated); beside nginx with its access log off and on and HAProxy, in one run, on loopback only.
#
#   bench/observability-bench.sh                     # 20 s per target, 64 connections, one round
#   ROUNDS=3 DURATION=10 bench/observability-bench.sh  # targets interleaved, three times; medians at the end
#   TARGETS="pier pier-log-json" bench/observability-bench.sh
#   PIER_BASE_JAR=/tmp/main.jar bench/observability-bench.sh   # also another build, access log off (A/B)
#
# Layout as in proxy-bench.sh: the proxies own core 0 (each Pier one event loop; its access-log
# writer and span exporter threads run there too, so their cost is in its figure); the backend,
# the OTLP sink and wrk share core 1. cpu-us/req is the proxy process's user+system CPU time over
# the requests it served, which a loaded machine disturbs less than requests/s; still, print the
# load average with the figures and call them provisional on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
ROUNDS=${ROUNDS:-1}
CONNECTIONS=${CONNECTIONS:-64}
WARMUP=${WARMUP:-15}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
PIER_JAR=${PIER_JAR:-target/pier.jar}
PIER_BASE_JAR=${PIER_BASE_JAR:-}
TARGETS=${TARGETS:-nginx nginx-log haproxy pier pier-log-json pier-log-text pier-trace pier-trace-1pct pier-log-trace}
[ -n "$PIER_BASE_JAR" ] && TARGETS="$TARGETS pier-base"
BACKEND_PORT=18181; SINK_PORT=18182; NGINX_PORT=18183; NGINX_LOG_PORT=18184; HAPROXY_PORT=18185

. bench/lib.sh
need nginx nginx-light; need haproxy haproxy; need wrk wrk
[ -f "$PIER_JAR" ] || mvn -B -q package -DskipTests

bench_workdir pier-obs-bench
declare -A proxy_pid port
start_backend "$BACKEND_PORT" "$LOAD_CPU"

# The OTLP sink: nginx answering 200 to every POST /v1/traces (the body is read and dropped).
mkdir -p "$work/sink"
cat > "$work/sink/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $work/sink/nginx.pid; error_log $work/sink/error.log warn;
events { worker_connections 1024; }
http { access_log off; client_max_body_size 64m; client_body_buffer_size 1m;
  server { listen 127.0.0.1:$SINK_PORT; location / { return 200; } } }
CONF
taskset -c "$LOAD_CPU" nginx -c "$work/sink/nginx.conf" -p "$work/sink" & pids+=($!)

# nginx as a reverse proxy, access log off and on (the combined format to a file, unbuffered: its default).
nginx_proxy() { # name port access_log_directive
  mkdir -p "$work/$1"
  cat > "$work/$1/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $work/$1/nginx.pid; error_log $work/$1/error.log warn;
events { worker_connections 4096; }
http { $3 keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:$BACKEND_PORT; keepalive 256; }
  server { listen 127.0.0.1:$2;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host \$host; proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; } } }
CONF
  taskset -c "$PROXY_CPU" nginx -c "$work/$1/nginx.conf" -p "$work/$1" & pids+=($!); proxy_pid[$1]=$!; port[$1]=$2
}
nginx_proxy nginx $NGINX_PORT "access_log off;"
nginx_proxy nginx-log $NGINX_LOG_PORT "access_log $work/nginx-log/access.log combined;"

cat > "$work/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 4096
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option forwardfor
  http-reuse always
frontend fe
  bind 127.0.0.1:$HAPROXY_PORT
  default_backend be
backend be
  server b1 127.0.0.1:$BACKEND_PORT
CONF
taskset -c "$PROXY_CPU" haproxy -f "$work/haproxy.cfg" -db & pids+=($!); proxy_pid[haproxy]=$!; port[haproxy]=$HAPROXY_PORT

{ service_yaml "$BACKEND_PORT"; cat <<CONF
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: bench, namespace: default}
spec:
  ingressClassName: pier
  rules:
  - http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: bench, port: {number: 80}}}}]}
CONF
} > "$work/pier.yaml"

# pier_variant NAME HTTP_PORT JAR FLAGS...: one event loop, the JVM told it has one core, pinned to
# core 0; standard output (the access log) goes to a file, as a container runtime's would.
pier_variant() {
  local name=$1 http=$2 jar=$3; shift 3
  case " $TARGETS " in *" $name "*) ;; *) return 0;; esac
  # The batch processor sized so that spans are exported, not dropped, at these rates.
  env OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$SINK_PORT" \
      OTEL_TRACES_SAMPLER="${SAMPLER:-always_on}" OTEL_TRACES_SAMPLER_ARG="${SAMPLER_ARG:-}" \
      OTEL_BSP_SCHEDULE_DELAY=200 OTEL_BSP_MAX_QUEUE_SIZE=65536 OTEL_BSP_MAX_EXPORT_BATCH_SIZE=4096 \
    taskset -c "$PROXY_CPU" java -XX:ActiveProcessorCount=1 -XX:+UseParallelGC -Xms512m -Xmx512m \
      -jar "$jar" serve --file "$work/pier.yaml" --address 127.0.0.1 --http-port "$http" \
      --admin-port $((http + 100)) --https-port -1 --event-loops 1 "$@" > "$work/$name.out" 2> "$work/$name.err" & pids+=($!)
  proxy_pid[$name]=$!; port[$name]=$http
}
pier_variant pier           18191 "$PIER_JAR" --access-log off
pier_variant pier-log-json  18192 "$PIER_JAR" --access-log on --access-log-format json
pier_variant pier-log-text  18193 "$PIER_JAR" --access-log on --access-log-format text
pier_variant pier-trace     18194 "$PIER_JAR" --access-log off --tracing
SAMPLER=traceidratio SAMPLER_ARG=0.01 pier_variant pier-trace-1pct 18197 "$PIER_JAR" --access-log off --tracing
pier_variant pier-log-trace 18195 "$PIER_JAR" --access-log on --access-log-format json --tracing
[ -z "$PIER_BASE_JAR" ] || pier_variant pier-base 18196 "$PIER_BASE_JAR"

for t in $TARGETS; do
  for _ in $(seq 1 150); do curl -fsS -o /dev/null "http://127.0.0.1:${port[$t]}/" 2>/dev/null && break; sleep 0.2; done
  curl -fsS -o /dev/null "http://127.0.0.1:${port[$t]}/" || { echo "$t does not answer"; cat "$work/$t.err" 2>/dev/null; exit 1; }
done

cpu_ticks() {
  local total=0 p
  for p in "$@" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

run() { # name -> a row
  local pid=${proxy_pid[$1]} before after
  if ! kill -0 "$pid" 2>/dev/null; then
    printf "%-15s %12s  (the process is gone; its stderr ends with: %s)\n" "$1" "-" "$(tail -c 300 "$work/$1.err" 2>/dev/null | tr '\n' ' ')"
    return 0
  fi
  before=$(cpu_ticks "$pid")
  taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" --latency "http://127.0.0.1:${port[$1]}/" > "$work/$1.wrk" || true
  after=$(cpu_ticks "$pid")
  awk -v name="$1" -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    /requests in/ {n=$1}
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    /Non-2xx|Socket errors/ {err=err $0}
    END {printf "%-15s %12s %10s %10s %12.1f  %s\n", name, rps, p50, p99, (n > 0 ? ticks * 1e6 / hz / n : 0), err}' "$work/$1.wrk" \
    | tee -a "$work/rows"
}

for t in $TARGETS; do
  case $t in pier*) echo "warming up $t for ${WARMUP}s..."
    taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "http://127.0.0.1:${port[$t]}/" >/dev/null;; esac
done
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
echo "wrk -t1 -c$CONNECTIONS -d${DURATION}s; proxies on core $PROXY_CPU, backend, OTLP sink and wrk on core $LOAD_CPU"
for round in $(seq 1 "$ROUNDS"); do
  [ "$ROUNDS" = 1 ] || echo "round $round"
  printf "%-15s %12s %10s %10s %12s\n" target "requests/s" p50 p99 "cpu-us/req"
  for t in $TARGETS; do run "$t"; done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$ROUNDS" != 1 ]; then
  # The least-disturbed round (min) is the closer estimate of a proxy's own cost on a shared machine.
  echo "cpu-us/req over $ROUNDS rounds:"
  printf "%-15s %10s %10s %10s\n" target min median max
  for t in $TARGETS; do
    awk -v t="$t" '$1 == t && NF >= 5 {print $5}' "$work/rows" | sort -n \
      | awk -v t="$t" '{c[NR]=$1} END {if (NR) printf "%-15s %10s %10s %10s\n", t, c[1], c[int((NR+1)/2)], c[NR]}'
  done
fi
# What each logging or tracing Pier produced, so a figure is never read without its output.
for t in pier-log-json pier-log-text pier-log-trace; do
  case " $TARGETS " in *" $t "*) printf "%-15s access-log lines written: %s, dropped: %s\n" "$t" \
      "$(curl -fsS "http://127.0.0.1:$((port[$t] + 100))/metrics" | awk '/^pier_access_log_lines_total/ {print $2}')" \
      "$(curl -fsS "http://127.0.0.1:$((port[$t] + 100))/metrics" | awk '/^pier_access_log_dropped_total/ {print $2}')";; esac
done
case " $TARGETS " in *" pier-trace "*) echo "pier-trace exporter errors logged: $(grep -c -i 'export' "$work/pier-trace.err" || true)";; esac
