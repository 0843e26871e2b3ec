#!/usr/bin/env bash
# Edge hardening, behaviour side by side: Pier, nginx and HAProxy as plain reverse proxies to one
# recording backend, on loopback only, in one run. Prints tables:
#   1. the 26 malformed requests (src/test/java/dev/pier/edge/MalformedRequests.java): status, and
#      whether the backend saw anything;
#   2. size limits (request line, header count and size);
#   3. slowloris and slow body (slowhttptest): whether the probe was answered all along;
#   4. descriptor exhaustion: each proxy started with 2,048 descriptors gets 2,300 silent connections;
#   5. memory: RSS at rest and with 5,000 idle keep-alive connections.
#
#   bench/hardening-bench.sh                      # everything (about 6 minutes)
#   PARTS="malformed slow" bench/hardening-bench.sh   # some parts (malformed slow exhaust memory)
#   SLOW_SECONDS=60 SLOW_CONNECTIONS=1000 bench/hardening-bench.sh
#
# Needs nginx, haproxy, slowhttptest (Debian packages; installed if missing), Maven and Java 17.
# Behavioural: fine on a busy machine. Memory figures depend on the JVM flags (PIER_JAVA_OPTS).
set -euo pipefail
cd "$(dirname "$0")/.."
PARTS=${PARTS:-malformed slow exhaust memory}
SLOW_SECONDS=${SLOW_SECONDS:-40}
SLOW_CONNECTIONS=${SLOW_CONNECTIONS:-1000}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-5000}
PIER_JAVA_OPTS=${PIER_JAVA_OPTS:--XX:+UseSerialGC -Xms16m -Xmx256m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20}
BACKEND_PORT=18481; NGINX_PORT=18482; HAPROXY_PORT=18483; PIER_PORT=18484; PIER_ADMIN=18485
LOW_NGINX_PORT=18492; LOW_HAPROXY_PORT=18493; LOW_PIER_PORT=18494; LOW_PIER_ADMIN=18495

. bench/lib.sh
need nginx nginx-light; need haproxy haproxy; need slowhttptest slowhttptest
mvn -B -q -o test-compile 2>/dev/null || mvn -B -q test-compile
mvn -B -q -o dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null 2>&1 \
  || mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test >/dev/null
CP="target/classes:target/test-classes:$(cat target/bench.classpath)"
bench_workdir pier-hardening
declare -A pid_of

# nginx as a plain reverse proxy (its defaults for timeouts and limits).
nginx_conf() { # DIR PORT
  mkdir -p "$1"
  cat > "$1/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $1/nginx.pid; error_log $1/error.log crit;
events { worker_connections 10000; }
http { access_log off;
  upstream backend { server 127.0.0.1:$BACKEND_PORT; keepalive 64; }
  server { listen 127.0.0.1:$2;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host \$host; } } }
CONF
}
# HAProxy: HTTP mode, its usual timeouts (no maxconn: derived from the descriptor limit).
haproxy_conf() { # FILE PORT
  cat > "$1" <<CONF
global
  nbthread 1
defaults
  mode http
  timeout connect 5s
  timeout client 50s
  timeout server 50s
  timeout http-request 10s
  timeout http-keep-alive 60s
frontend fe
  bind 127.0.0.1:$2
  default_backend be
backend be
  server b1 127.0.0.1:$BACKEND_PORT
CONF
}
pier_conf() { # FILE
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
  } > "$1"
}
nginx_conf "$work/nginx" $NGINX_PORT; nginx_conf "$work/nginx-low" $LOW_NGINX_PORT
haproxy_conf "$work/haproxy.cfg" $HAPROXY_PORT; haproxy_conf "$work/haproxy-low.cfg" $LOW_HAPROXY_PORT
pier_conf "$work/pier.yaml"
pier() { # PORT ADMIN
  # shellcheck disable=SC2086
  exec java $PIER_JAVA_OPTS -cp "$CP" dev.pier.Main serve --file "$work/pier.yaml" --address 127.0.0.1 \
    --http-port "$1" --admin-port "$2" --event-loops 1
}

nginx -c "$work/nginx/nginx.conf" -p "$work/nginx" & pids+=($!); pid_of[nginx]=$!
haproxy -f "$work/haproxy.cfg" -db & pids+=($!); pid_of[haproxy]=$!
pier $PIER_PORT $PIER_ADMIN > "$work/pier.log" 2>&1 & pids+=($!); pid_of[pier]=$!
# The same three with 2,048 descriptors, for the exhaustion part.
prlimit --nofile=2048 nginx -c "$work/nginx-low/nginx.conf" -p "$work/nginx-low" & pids+=($!)
prlimit --nofile=2048 haproxy -f "$work/haproxy-low.cfg" -db & pids+=($!)
prlimit --nofile=2048 bash -c "$(declare -f pier); CP='$CP' PIER_JAVA_OPTS='$PIER_JAVA_OPTS' work='$work' pier $LOW_PIER_PORT $LOW_PIER_ADMIN" \
  > "$work/pier-low.log" 2>&1 & pids+=($!)

bench() { java -cp "$CP" dev.pier.bench.HardeningBench "$BACKEND_PORT" "$@"; }
TARGETS="pier=$PIER_PORT nginx=$NGINX_PORT haproxy=$HAPROXY_PORT"

echo "pier $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nginx -v 2>&1 | sed 's/.*: //'), $(haproxy -v | head -1 | cut -d' ' -f1-3)"
[[ " $PARTS " == *" malformed "* ]] && bench malformed $TARGETS

if [[ " $PARTS " == *" slow "* ]]; then
  echo
  echo "Slowloris and slow body: slowhttptest -c $SLOW_CONNECTIONS -r 200 -i 10 -l $SLOW_SECONDS -p 3 (probe: a GET every second, 3 s to answer)"
  echo "| attack | proxy | probe answered all along | connections closed by the proxy |"
  echo "|---|---|---|---|"
  # a backend for the probe and the attack requests to reach
  java -cp "$CP" dev.pier.bench.HardeningBench "$BACKEND_PORT" backend $((SLOW_SECONDS * 6 + 60)) > /dev/null 2>&1 &
  backend_pid=$!; pids+=($backend_pid)
  sleep 3
  for mode in H B; do
    for t in $TARGETS; do
      name=${t%%=*}; port=${t#*=}
      slowhttptest -$mode -c "$SLOW_CONNECTIONS" -r 200 -i 10 -l "$SLOW_SECONDS" -p 3 -s 8192 -g \
        -o "$work/slow-$mode-$name" -u "http://127.0.0.1:$port/" > "$work/slow-$mode-$name.out" 2>&1 || true
      awk -F, -v attack="$([ $mode = H ] && echo slowloris || echo 'slow body')" -v name="$name" '
        NR > 1 && $1 > 2 { rows++; if ($5 == 0) down++; closed = $2 }
        END { printf "| %s | %s | %s | %s |\n", attack, name, (rows && !down) ? "yes" : sprintf("no (%d of %d s)", down, rows), closed }' \
        "$work/slow-$mode-$name.csv"
    done
  done
  kill "$backend_pid" 2>/dev/null || true; wait "$backend_pid" 2>/dev/null || true
fi

[[ " $PARTS " == *" exhaust "* ]] && bench exhaust 2300 "pier=$LOW_PIER_PORT" "nginx=$LOW_NGINX_PORT" "haproxy=$LOW_HAPROXY_PORT"
[[ " $PARTS " == *" memory "* ]] && bench memory "$IDLE_CONNECTIONS" "pier=$PIER_PORT=${pid_of[pier]}" \
  "nginx=$NGINX_PORT=${pid_of[nginx]}" "haproxy=$HAPROXY_PORT=${pid_of[haproxy]}"
echo
echo "Pier's JVM: $PIER_JAVA_OPTS; nginx: one worker; HAProxy: one thread."
