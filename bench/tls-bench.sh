#!/usr/bin/env bash
# TLS termination cost: Pier on the OpenSSL (BoringSSL) and JDK engines against nginx and HAProxy,
# each terminating TLS as a reverse proxy pinned to one core, in one run, on loopback only:
#   - new TLS connections per second, one request each (wrk with "Connection: close": a full
#     handshake per request, wrk resumes no session);
#   - keep-alive requests per second over TLS (wrk);
#   - HTTP/2 over TLS (ALPN h2), Pier against HAProxy (h2load); nginx is left out there, as in
#     proxy-bench, to compare the same two h2 servers.
#
#   bench/tls-bench.sh                       # 15 s per measurement, 64 connections (keep-alive), 16 (new)
#   DURATION=30 bench/tls-bench.sh
#   KEY=rsa bench/tls-bench.sh               # RSA 2048 instead of ECDSA P-256
#   TARGETS="haproxy pier-openssl" bench/tls-bench.sh
#   BASE_PORT=29000 bench/tls-bench.sh      # another port range (default 28180-28196)
#   PIER_BASE_JAR=/tmp/old.jar bench/tls-bench.sh   # also that build (OpenSSL) as target pier-base-openssl
#   PIER_BASE_JAR=target/pier.jar PIER_BASE_ARGS="--transport io_uring" bench/tls-bench.sh  # A/B on a Pier flag
#   MODES=h2 bench/tls-bench.sh              # only some tables (new-conn keep-alive h2; default all)
#   MODES=h2 H2_ROUNDS=5 bench/tls-bench.sh  # h2 only, each target 5 times in turn, then medians
#
# Layout on a 2-core machine as in proxy-bench.sh: the proxy under test owns core 0; the backend
# (nginx, one worker, a fixed 13-byte body over plain HTTP) and the load generator share core 1.
# Every proxy serves the same self-signed certificate, made here with openssl, as its default
# (clients connect to 127.0.0.1 and send no SNI). Cipher: what client and server prefer
# (TLS 1.3, AES-128-GCM or AES-256-GCM); the script prints what each negotiated.
# Needs: nginx, haproxy, wrk, h2load, openssl (Debian packages, installed if missing), target/pier.jar.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15}
CONNECTIONS=${CONNECTIONS:-64}
NEW_CONNECTIONS=${NEW_CONNECTIONS:-16}
WARMUP=${WARMUP:-15}
KEY=${KEY:-ec}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
TARGETS=${TARGETS:-nginx haproxy pier-openssl pier-jdk}
PIER_JAR=${PIER_JAR:-target/pier.jar}
PIER_JAVA_OPTS=${PIER_JAVA_OPTS:-}; PIER_BASE_JAVA_OPTS=${PIER_BASE_JAVA_OPTS:-}  # JVM options of the build under test, of the base build
PIER_ARGS=${PIER_ARGS:-}; PIER_BASE_ARGS=${PIER_BASE_ARGS:-}  # `pier serve` options of each (e.g. --transport io_uring)
PIER_BASE_JAR=${PIER_BASE_JAR:-}  # also run that build (OpenSSL engine) as target pier-base-openssl: A/B in one run
[ -n "$PIER_BASE_JAR" ] && TARGETS="$TARGETS pier-base-openssl"
MODES=${MODES:-new-conn keep-alive h2}  # which tables to run
BASE_PORT=${BASE_PORT:-28180}  # ports BASE_PORT..BASE_PORT+16 on 127.0.0.1
BACKEND_PORT=$((BASE_PORT + 1)); NGINX_PORT=$((BASE_PORT + 2)); HAPROXY_PORT=$((BASE_PORT + 3))
PIER_OPENSSL_PORT=$((BASE_PORT + 4)); PIER_JDK_PORT=$((BASE_PORT + 5)); PIER_BASE_OPENSSL_PORT=$((BASE_PORT + 6))
PIER_HTTP_BASE=$((BASE_PORT + 10)); PIER_ADMIN_BASE=$((BASE_PORT + 14))

. bench/lib.sh
need nginx nginx-light; need haproxy haproxy; need wrk wrk; need h2load nghttp2-client; need openssl openssl
[ -f "$PIER_JAR" ] || mvn -B -q package -DskipTests

bench_workdir pier-tls-bench
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start_backend "$BACKEND_PORT" "$LOAD_CPU"

# One certificate for all: self-signed, for bench.local.
if [ "$KEY" = rsa ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/tls.key" -out "$work/tls.crt" -days 2 \
    -subj /CN=bench.local -addext subjectAltName=DNS:bench.local 2>/dev/null
else
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$work/tls.key" -out "$work/tls.crt" \
    -days 2 -subj /CN=bench.local -addext subjectAltName=DNS:bench.local 2>/dev/null
fi
cat "$work/tls.crt" "$work/tls.key" > "$work/tls.pem"
declare -A proxy_pid

# nginx: one worker, TLS 1.2/1.3, its default session cache off as in the others' defaults (wrk resumes nothing anyway).
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $work/nginx/nginx.pid; error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:$BACKEND_PORT; keepalive 256; }
  server { listen 127.0.0.1:$NGINX_PORT ssl; ssl_certificate $work/tls.crt; ssl_certificate_key $work/tls.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host \$host; proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; } } }
CONF
taskset -c "$PROXY_CPU" nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" & pids+=($!); proxy_pid[nginx]=$!

# HAProxy: one thread, TLS with ALPN h2 and http/1.1 on one port, server-side keep-alive.
cat > "$work/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 4096
  ssl-default-bind-options ssl-min-ver TLSv1.2
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option forwardfor
  http-reuse always
frontend fe
  bind 127.0.0.1:$HAPROXY_PORT ssl crt $work/tls.pem alpn h2,http/1.1
  default_backend be
backend be
  server b1 127.0.0.1:$BACKEND_PORT
CONF
taskset -c "$PROXY_CPU" haproxy -f "$work/haproxy.cfg" -db & pids+=($!); proxy_pid[haproxy]=$!

# Pier: one event loop, the JVM told it has one core; the certificate as --default-certificate.
{ service_yaml "$BACKEND_PORT"; cat <<CONF
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: bench, namespace: default}
spec:
  ingressClassName: pier
  rules:
  - http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: bench, port: {number: 80}}}}]}
---
apiVersion: v1
kind: Secret
metadata: {name: bench-tls, namespace: default}
type: kubernetes.io/tls
data:
  tls.crt: $(base64 -w0 "$work/tls.crt")
  tls.key: $(base64 -w0 "$work/tls.key")
CONF
} > "$work/pier.yaml"
start_pier() { # name engine https-port index [jar]
  local opts=$PIER_JAVA_OPTS args=$PIER_ARGS; [ -n "${5:-}" ] && opts=$PIER_BASE_JAVA_OPTS args=$PIER_BASE_ARGS
  # shellcheck disable=SC2086  # lists of JVM options and of Pier options
  taskset -c "$PROXY_CPU" java -XX:ActiveProcessorCount=1 -XX:+UseParallelGC -Xms512m -Xmx512m $opts \
    -jar "${5:-$PIER_JAR}" serve --file "$work/pier.yaml" --address 127.0.0.1 --http-port $((PIER_HTTP_BASE + $4)) \
    --https-port "$3" --admin-port $((PIER_ADMIN_BASE + $4)) --event-loops 1 --tls-engine "$2" \
    --default-certificate default/bench-tls $args > "$work/$1.log" 2>&1 & pids+=($!); proxy_pid[$1]=$!
}
start_pier pier-openssl openssl $PIER_OPENSSL_PORT 0
start_pier pier-jdk jdk $PIER_JDK_PORT 1
[ -z "$PIER_BASE_JAR" ] || start_pier pier-base-openssl openssl $PIER_BASE_OPENSSL_PORT 2 "$PIER_BASE_JAR"

port_of() { case "$1" in nginx) echo $NGINX_PORT;; haproxy) echo $HAPROXY_PORT;; pier-openssl) echo $PIER_OPENSSL_PORT;; pier-jdk) echo $PIER_JDK_PORT;; pier-base-openssl) echo $PIER_BASE_OPENSSL_PORT;; esac; }
for t in $TARGETS; do
  port=$(port_of "$t")
  for _ in $(seq 1 150); do curl -fksS -o /dev/null "https://127.0.0.1:$port/" 2>/dev/null && break; sleep 0.2; done
  curl -fksS -o /dev/null "https://127.0.0.1:$port/" || { echo "$t on $port does not answer"; cat "$work"/*.log 2>/dev/null; exit 1; }
done

cpu_ticks() {
  local total=0 p
  for p in "$@" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}

wrk_run() { # name port connections label [wrk args...] -> one line
  local name=$1 port=$2 conns=$3 label=$4; shift 4
  local pid=${proxy_pid[$name]} before after
  before=$(cpu_ticks "$pid")
  taskset -c "$LOAD_CPU" wrk -t1 -c"$conns" -d"${DURATION}s" --latency "$@" "https://127.0.0.1:$port/" > "$work/$name.wrk"
  after=$(cpu_ticks "$pid")
  awk -v name="$name" -v label="$label" -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    /requests in/ {n=$1}
    /Requests\/sec/ {rps=$2}
    /^ +50%/ {p50=$2} /^ +99%/ {p99=$2}
    /Non-2xx|Socket errors/ {err=err $0}
    END {cpu = n > 0 ? sprintf("%.1f", ticks * 1e6 / hz / n) : "-";
         printf "%-13s %-10s %12s %10s %10s %12s  %s\n", name, label, rps, p50, p99, cpu, err}' "$work/$name.wrk"
}

echo "warming up Pier's JIT for ${WARMUP}s per engine (keep-alive and new connections)..."
H2_STREAMS=${H2_STREAMS:-16}; H2_CLIENTS=${H2_CLIENTS:-8}
for t in pier-openssl pier-jdk pier-base-openssl; do
  case " $TARGETS " in *" $t "*) ;; *) continue;; esac
  case " $MODES " in *" keep-alive "*) taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNECTIONS" -d"${WARMUP}s" "https://127.0.0.1:$(port_of $t)/" >/dev/null;; esac
  case " $MODES " in *" new-conn "*) taskset -c "$LOAD_CPU" wrk -t1 -c"$NEW_CONNECTIONS" -d"${WARMUP}s" -H 'Connection: close' "https://127.0.0.1:$(port_of $t)/" >/dev/null;; esac
  case " $MODES " in *" h2 "*) taskset -c "$LOAD_CPU" h2load -c"$H2_CLIENTS" -m"$H2_STREAMS" -D"$WARMUP" "https://127.0.0.1:$(port_of $t)/" >/dev/null 2>&1 || true;; esac
done

echo "negotiated (openssl s_client, no SNI):"
for t in $TARGETS; do
  printf "  %-13s %s\n" "$t" "$(echo | openssl s_client -connect 127.0.0.1:"$(port_of "$t")" 2>/dev/null | awk '/^New,/ {print $2, $NF}')"
done
echo "key: $KEY; wrk -t1 -d${DURATION}s; proxies on core $PROXY_CPU, backend and load on core $LOAD_CPU"
printf "%-13s %-10s %12s %10s %10s %12s\n" target mode "requests/s" p50 p99 "cpu-us/req"
case " $MODES " in *" new-conn "*)
  for t in $TARGETS; do wrk_run "$t" "$(port_of "$t")" "$NEW_CONNECTIONS" "new-conn" -H 'Connection: close'; done;; esac
case " $MODES " in *" keep-alive "*)
  for t in $TARGETS; do wrk_run "$t" "$(port_of "$t")" "$CONNECTIONS" "keep-alive"; done;; esac

case " $MODES " in *" h2 "*)
H2_ROUNDS=${H2_ROUNDS:-1}  # > 1: every target once per round, in turn, then the medians (a loaded machine drifts)
echo "h2load -c$H2_CLIENTS -m$H2_STREAMS -D$DURATION over TLS (ALPN h2), $H2_ROUNDS round(s); load average $(cut -d' ' -f1-3 /proc/loadavg)"
: > "$work/h2.rounds"
for round in $(seq 1 "$H2_ROUNDS"); do
for t in haproxy pier-openssl pier-base-openssl pier-jdk; do
  case " $TARGETS " in *" $t "*) ;; *) continue;; esac
  pid=${proxy_pid[$t]}; before=$(cpu_ticks "$pid")
  taskset -c "$LOAD_CPU" h2load -c"$H2_CLIENTS" -m"$H2_STREAMS" -D"$DURATION" "https://127.0.0.1:$(port_of "$t")/" > "$work/h2.out" 2>&1 || true
  after=$(cpu_ticks "$pid")
  awk -v name="$t" -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" '
    /^finished in/ {rps=$4}
    /^requests:/ {failed=$10 " failed"; n=$8}
    /^time for request:/ {mean=$6}
    /Application protocol:/ {proto=$3}
    END {cpu = n > 0 ? sprintf("%.1f", ticks * 1e6 / hz / n) : "-";
         printf "%-17s %12s req/s  mean %s  cpu-us/req %s  %s  (%s)\n", name, rps, mean, cpu, failed, proto}' "$work/h2.out" | tee -a "$work/h2.rounds"
done
done
if [ "$H2_ROUNDS" -gt 1 ]; then
  median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
  echo "medians over $H2_ROUNDS rounds:"
  for t in haproxy pier-openssl pier-base-openssl pier-jdk; do
    case " $TARGETS " in *" $t "*) ;; *) continue;; esac
    printf "%-17s %12s req/s  cpu-us/req %s\n" "$t" "$(awk -v n="$t" '$1 == n {print $2}' "$work/h2.rounds" | median)" \
      "$(awk -v n="$t" '$1 == n {print $7}' "$work/h2.rounds" | median)"
  done
fi;; esac
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
