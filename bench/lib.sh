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
