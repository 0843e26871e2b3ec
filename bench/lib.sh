# Shared by the bench scripts (sourced): tools from Debian, a work directory removed on exit with
# every process started, and the backend every bench proxies to.

need() { command -v "$1" >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null; }; }

# bench_workdir NAME: sets $work and kills everything in $pids on exit.
bench_workdir() {
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  pids=()
  trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"' EXIT
}

# start_backend PORT CPU: nginx, one worker, a fixed 13-byte body, keep-alive; /16k is a 16 KiB body.
start_backend() {
  mkdir -p "$work/backend/www"
  head -c 16384 /dev/zero | tr '\0' 'x' > "$work/backend/www/16k"
  chmod a+rx "$work" "$work/backend" "$work/backend/www"; chmod a+r "$work/backend/www/16k"  # nginx's worker is not root
  cat > "$work/backend/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $work/backend/nginx.pid; error_log $work/backend/error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$1; location / { return 200 "hello, bench\n"; }
    location = /16k { root $work/backend/www; default_type application/octet-stream; } } }
CONF
  taskset -c "$2" nginx -c "$work/backend/nginx.conf" -p "$work/backend" & pids+=($!)
}

# service_yaml PORT: Service "bench" (port 80) whose one endpoint is 127.0.0.1:PORT.
service_yaml() {
  cat <<CONF
apiVersion: v1
kind: Service
metadata: {name: bench, namespace: default}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: bench, namespace: default, labels: {kubernetes.io/service-name: bench}}
addressType: IPv4
ports: [{name: http, port: $1}]
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
CONF
}

# The three proxies as proxy-bench and openloop-bench measure them: each a plain reverse proxy to
# BACKEND_PORT, on one core, with keep-alive upstream connections. Each start_* records the pid
# whose CPU time is measured in proxy_pid[NAME].
declare -A proxy_pid

# start_nginx_proxy NAME PORT BACKEND_PORT CPU: one worker, upstream keep-alive.
start_nginx_proxy() {
  mkdir -p "$work/$1"
  cat > "$work/$1/nginx.conf" <<CONF
worker_processes 1; daemon off; pid $work/$1/nginx.pid; error_log $work/$1/error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  upstream backend { server 127.0.0.1:$3; keepalive 256; }
  server { listen 127.0.0.1:$2;
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_set_header Host \$host; proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; } } }
CONF
  taskset -c "$4" nginx -c "$work/$1/nginx.conf" -p "$work/$1" & pids+=($!); proxy_pid[$1]=$!
}

# haproxy_cfg PORT BACKEND_PORT [BIND OPTIONS]: one thread, HTTP mode, server-side keep-alive.
haproxy_cfg() {
  cat <<CONF
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
  bind 127.0.0.1:$1 ${3:-}
  default_backend be
backend be
  server b1 127.0.0.1:$2
CONF
}

# start_haproxy NAME PORT BACKEND_PORT CPU [BIND OPTIONS]
start_haproxy() {
  haproxy_cfg "$2" "$3" "${5:-}" > "$work/$1.cfg"
  taskset -c "$4" haproxy -f "$work/$1.cfg" -db & pids+=($!); proxy_pid[$1]=$!
}

# pier_yaml BACKEND_PORT: Service, EndpointSlice and an Ingress sending / to it.
pier_yaml() {
  service_yaml "$1"; cat <<CONF
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: bench, namespace: default}
spec:
  ingressClassName: pier
  rules:
  - http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: bench, port: {number: 80}}}}]}
CONF
}

# start_pier NAME JAR FILE HTTP_PORT HTTPS_PORT ADMIN_PORT CPU [JAVA OPTIONS...] [-- PIER OPTIONS...]:
# one event loop, the JVM told it has one core, pinned to CPU, the image's metaspace trigger; options
# after -- go to `pier serve` (e.g. --transport io_uring), then PIER_SERVE_ARGS (e.g. a default
# certificate). The java binary is $PIER_JAVA (default: java on the PATH; a bench sets it per target
# for an A/B of JVMs). Its log is $work/NAME.log.
start_pier() {
  local name=$1 jar=$2 file=$3 http=$4 https=$5 admin=$6 cpu=$7 gc=-XX:+UseParallelGC java=(); shift 7
  while [ $# -gt 0 ] && [ "$1" != -- ]; do java+=("$1"); shift; done; [ $# -gt 0 ] && shift
  case " ${java[*]} " in *" -XX:+Use"*GC" "*) gc=;; esac  # a GC chosen in the options replaces the default one
  taskset -c "$cpu" "${PIER_JAVA:-java}" -XX:ActiveProcessorCount=1 $gc -Xms512m -Xmx512m -XX:MetaspaceSize=128m "${java[@]}" \
    -jar "$jar" serve --file "$file" --address 127.0.0.1 --http-port "$http" --https-port "$https" \
    --admin-port "$admin" --event-loops 1 "$@" ${PIER_SERVE_ARGS:-} > "$work/$name.log" 2>&1 & pids+=($!); proxy_pid[$name]=$!
}

# jit_ms PID BEFORE: the CPU (ms) of a JVM's compiler threads, less BEFORE: near 0 over a run that
# measured compiled code, hundreds of ms where the JIT was still (or again) at work on the same core.
jit_ms() {
  local ticks=0 t
  for t in /proc/"$1"/task/*; do
    case "$(cat "$t/comm" 2>/dev/null)" in C1\ Compiler*|C2\ Compiler*) ticks=$((ticks + $(awk '{print $14 + $15}' "$t/stat")));; esac
  done
  echo $((ticks * 1000 / $(getconf CLK_TCK) - $2))
}

# wait_ports PORT...: each answers GET / within 20 s, else print the Pier logs and fail.
wait_ports() {
  local port
  for port in "$@"; do
    for _ in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break; sleep 0.2; done
    curl -fsS -o /dev/null "http://127.0.0.1:$port/" || { echo "port $port does not answer"; cat "$work"/pier*.log 2>/dev/null; exit 1; }
  done
}

# cpu_ticks PID: CPU ticks (user+system) of a process and its children: the proxy's own cost, which
# the other load on a shared machine does not change as much as it changes requests/s.
cpu_ticks() {
  local total=0 p
  for p in "$@" $(pgrep -P "$1" || true); do
    [ -r "/proc/$p/stat" ] && total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat")))
  done
  echo "$total"
}
