#!/usr/bin/env bash
# A real single-node Kubernetes cluster on this machine, for the end-to-end test: etcd,
# kube-apiserver, kube-controller-manager, kube-scheduler, kubelet and kube-proxy (built by
# scripts/kube-test-tools.sh) running pods with Debian's containerd, runc and CNI plugins.
#
#   scripts/cluster/node.sh up DIR     starts it (state, logs, kubeconfig in DIR); prints KEY=VALUE lines
#   scripts/cluster/node.sh down DIR   stops it and removes everything it made on the host
#   scripts/cluster/node.sh stale      takes down a cluster whose starter process is gone
#
# One cluster per machine (fixed bridge and ports). Needs root. Inputs: $PIER_KUBE_BIN (default:
# what kube-test-tools.sh prints), $PIER_IMAGE_DIR (default ~/.cache/pier/images: pause.tar,
# backend.tar, pier.tar from images.sh). What `up` changes on the host, and `down` undoes: a
# bridge pierbr0 (198.19.254.1/24, the node address the API server binds to), network namespaces
# of pods, mounts under DIR and /run/pier-node, cgroups under /pier-node, iptables chains of
# kube-proxy, the sysctls kubelet and kube-proxy set, /var/log/containers links.
set -euo pipefail
cd "$(dirname "$0")/../.."

ACTION="${1:-}"
DIR="${2:-}"
RUN=/run/pier-node
OWNER="$RUN/owner"
# Running and not a zombie: the daemons outlive `up` and are reaped by init whenever it gets to it.
alive() { [[ -r "/proc/$1/stat" ]] && [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]]; }

if [[ "$ACTION" == stale ]]; then
  if [[ -f "$OWNER" ]]; then
    read -r previous previous_pid < "$OWNER"
    alive "${previous_pid:-0}" || exec "$0" down "$previous"
  fi
  exit 0
fi
[[ "$ACTION" == up || "$ACTION" == down ]] && [[ -n "$DIR" ]] || { echo "usage: $0 up|down DIR, or $0 stale" >&2; exit 2; }
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"

NODE=pier-node
BRIDGE=pierbr0
NODE_IP=198.19.254.1
POD_SUBNET=198.19.254.0/24
SERVICE_RANGE=198.18.240.0/20
KUBERNETES_SERVICE_IP=198.18.240.1
API_PORT=6443
SOCK="$RUN/containerd.sock"
# Set by kubelet (protectKernelDefaults off) and kube-proxy; put back by `down`.
SYSCTLS=(vm.overcommit_memory vm.panic_on_oom kernel.panic kernel.panic_on_oops kernel.keys.root_maxkeys
  kernel.keys.root_maxbytes net.ipv4.ip_forward net.ipv4.conf.all.route_localnet
  net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables net.netfilter.nf_conntrack_max
  net.netfilter.nf_conntrack_tcp_timeout_established net.netfilter.nf_conntrack_tcp_timeout_close_wait)

log() { echo "node.sh: $*" >&2; }
now_ms() { date +%s%3N; }
[[ $(id -u) == 0 ]] || { log "needs root"; exit 1; }

# ---- down ---------------------------------------------------------------------------------

stop_pid() { # name: TERM, then KILL after 10 s
  local f="$DIR/pids/$1.pid" pid
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  if alive "$pid"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
    alive "$pid" && { log "$1 did not stop on SIGTERM in 10 s; killing it"; kill -9 "$pid" 2>/dev/null || true; }
  fi
  rm -f "$f"
}

remove_containers() {
  [[ -S "$SOCK" ]] || return 0
  local ctr=(ctr -a "$SOCK" -n k8s.io) ids id netns
  ids="$("${ctr[@]}" containers ls -q 2>/dev/null || true)"
  for id in $ids; do
    # A sandbox's network namespace (cni-<uuid>) is named in its spec; it goes with the sandbox.
    netns="$("${ctr[@]}" containers info "$id" 2>/dev/null | grep -o '/var/run/netns/cni-[0-9a-f-]*' | head -1 || true)"
    [[ -n "$netns" ]] && echo "${netns##*/}" >> "$DIR/netns.list"
    "${ctr[@]}" tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
  done
  for _ in $(seq 100); do
    "${ctr[@]}" tasks ls 2>/dev/null | grep -q RUNNING || break
    sleep 0.1
  done
  for id in $ids; do
    "${ctr[@]}" tasks delete -f "$id" >/dev/null 2>&1 || true
    "${ctr[@]}" containers delete "$id" >/dev/null 2>&1 || true
  done
}

unmount_under() { # every mount point below the given directories, deepest first
  local prefixes=("$@") mounts
  mounts="$(awk '{print $5}' /proc/self/mountinfo | grep -E "^($(IFS='|'; echo "${prefixes[*]}"))(/|$)" | sort -r || true)"
  for m in $mounts; do umount -l "$m" 2>/dev/null || true; done
}

down() {
  local start; start=$(now_ms)
  stop_pid kubelet
  remove_containers
  stop_pid kube-proxy
  if [[ -x "$DIR/bin/kube-proxy" ]]; then
    "$DIR/bin/kube-proxy" --cleanup >"$DIR/logs/kube-proxy-cleanup.log" 2>&1 || true
  fi
  for p in kube-scheduler kube-controller-manager kube-apiserver etcd containerd; do stop_pid "$p"; done
  # Shims outlive containerd by design; ours are the ones started with our socket.
  pkill -9 -f "containerd-shim-runc-v2 .*-address $SOCK" 2>/dev/null || true
  unmount_under "$DIR" "$RUN"
  if [[ -f "$DIR/netns.list" ]]; then
    sort -u "$DIR/netns.list" | while read -r ns; do ip netns delete "$ns" 2>/dev/null || true; done
    rm -f "$DIR/netns.list"
  fi
  ip link delete "$BRIDGE" 2>/dev/null || true
  # kube-proxy --cleanup removes its rules; anything else a run left (KUBE-*, CNI-*) goes too.
  for table in filter nat mangle; do
    iptables -t "$table" -S 2>/dev/null | awk '$1 == "-A" && $0 ~ /KUBE-|CNI-/' | sed 's/^-A/-D/' | while read -r rule; do
      eval "iptables -t $table $rule" 2>/dev/null || true
    done
    for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^(KUBE-|CNI-)/ {print $2}'); do
      iptables -t "$table" -F "$chain" 2>/dev/null || true
    done
    for chain in $(iptables -t "$table" -S 2>/dev/null | awk '$1 == "-N" && $2 ~ /^(KUBE-|CNI-)/ {print $2}'); do
      iptables -t "$table" -X "$chain" 2>/dev/null || true
    done
  done
  for cg in /sys/fs/cgroup/*/pier-node; do
    [[ -d "$cg" ]] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
  done
  if [[ -f "$DIR/sysctl.before" ]]; then
    while read -r key value; do sysctl -qw "$key=$value" >/dev/null 2>&1 || true; done < "$DIR/sysctl.before"
  fi
  find /var/log/containers -maxdepth 1 -type l -lname "$DIR/*" -delete 2>/dev/null || true
  rm -rf "$RUN"
  # The state (etcd, containerd's layers, pod volumes) is not worth keeping; the logs are.
  rm -rf "$DIR/etcd" "$DIR/containerd" "$DIR/kubelet" "$DIR/cni"
  log "down in $(( $(now_ms) - start )) ms"
}

if [[ "$ACTION" == down ]]; then
  mkdir -p "$DIR/logs"
  down
  exit 0
fi

# ---- up -----------------------------------------------------------------------------------

START=$(now_ms)
BIN="${PIER_KUBE_BIN:-$(scripts/kube-test-tools.sh)}"
IMAGES="${PIER_IMAGE_DIR:-${PIER_CACHE:-$HOME/.cache/pier}/images}"
for b in etcd kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy kubectl; do
  [[ -x "$BIN/$b" ]] || { log "$BIN/$b is missing (scripts/kube-test-tools.sh builds it)"; exit 1; }
done
for c in containerd containerd-shim-runc-v2 runc ctr iptables conntrack openssl ip; do
  command -v "$c" >/dev/null || { log "$c is missing (scripts/test.sh installs it)"; exit 1; }
done
[[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local ]] || { log "CNI plugins missing in /usr/lib/cni (containernetworking-plugins)"; exit 1; }
for t in pause backend pier; do
  [[ -s "$IMAGES/$t.tar" ]] || { log "$IMAGES/$t.tar is missing (scripts/cluster/images.sh builds it)"; exit 1; }
done

# One cluster per machine. Another one still in use (its starter, e.g. a test JVM of another
# work tree, is alive) is waited for, up to 30 minutes; one whose starter is gone is taken down.
waited=0
while [[ -f "$OWNER" ]] && read -r previous previous_pid < "$OWNER" && alive "${previous_pid:-0}"; do
  (( waited == 0 )) && log "the cluster of $previous is in use by process $previous_pid; waiting for it"
  (( waited++ < 900 )) || { log "gave up waiting for the cluster of $previous"; exit 1; }
  sleep 2
done
if [[ -f "$OWNER" ]]; then
  read -r previous _ < "$OWNER"
  log "a cluster from $previous was not taken down; taking it down first"
  "$0" down "$previous"
fi
mkdir -p "$RUN" "$DIR"/{logs,pids,pki,etcd,cni/net.d,cni/ipam,kubelet,pod-logs,containerd,bin}
# The directory, and the process that asked for the cluster (the caller of this script).
echo "$DIR $PPID" > "$OWNER"
# down needs kube-proxy for --cleanup even when the bin dir is gone by then.
ln -sf "$BIN/kube-proxy" "$DIR/bin/kube-proxy"
: > "$DIR/sysctl.before"
for key in "${SYSCTLS[@]}"; do
  value="$(sysctl -n "$key" 2>/dev/null)" && echo "$key $value" >> "$DIR/sysctl.before"
done

start_daemon() { # name command...: logs in DIR/logs, pid in DIR/pids
  local name="$1"; shift
  setsid "$@" >"$DIR/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$DIR/pids/$name.pid"
}

wait_for() { # what seconds command...
  local what="$1" seconds="$2"; shift 2
  local deadline=$(( $(date +%s) + seconds ))
  until "$@" >/dev/null 2>&1; do
    if (( $(date +%s) > deadline )); then log "$what not ready after ${seconds}s"; return 1; fi
    sleep 0.1
  done
}

# The node's address lives on the pods' bridge, made before the API server binds to it (the
# CNI bridge plugin then finds it as its gateway).
ip link add "$BRIDGE" type bridge
ip addr add "$NODE_IP/24" dev "$BRIDGE"
ip link set "$BRIDGE" up
for cg in /sys/fs/cgroup/*/; do mkdir -p "$cg/pier-node" 2>/dev/null || true; done

# ---- containerd ---------------------------------------------------------------------------
cat > "$DIR/containerd.toml" <<EOF
# containerd's defaults, except where this cluster keeps its state and what it runs.
version = 2
root = "$DIR/containerd/root"
state = "$RUN/containerd"
[grpc]
  address = "$SOCK"
[plugins."io.containerd.internal.v1.opt"]
  path = "$DIR/containerd/opt"
[plugins."io.containerd.grpc.v1.cri"]
  # Built locally (pause.c): nothing can be pulled.
  sandbox_image = "pier.local/pause:1"
  # This kind of VM refuses a negative oom_score_adj; without this every sandbox fails with
  # "can't get final child's PID from pipe".
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$DIR/cni/net.d"
EOF
cat > "$DIR/cni/net.d/10-pier.conflist" <<EOF
{
  "cniVersion": "1.0.0",
  "name": "pier-node",
  "plugins": [{
    "type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false, "hairpinMode": true,
    "ipam": {
      "type": "host-local", "dataDir": "$DIR/cni/ipam",
      "ranges": [[{"subnet": "$POD_SUBNET", "rangeStart": "198.19.254.10", "rangeEnd": "198.19.254.250", "gateway": "$NODE_IP"}]],
      "routes": [{"dst": "0.0.0.0/0"}]
    }
  }]
}
EOF
start_daemon containerd containerd --config "$DIR/containerd.toml"
wait_for containerd 30 ctr -a "$SOCK" version
# Imported while the control plane starts.
IMPORTS=()
for t in pause backend pier; do
  ctr -a "$SOCK" -n k8s.io images import "$IMAGES/$t.tar" >>"$DIR/logs/images.log" 2>&1 &
  IMPORTS+=($!)
done

# ---- certificates, tokens, kubeconfigs ----------------------------------------------------
openssl_quiet() { openssl "$@" >/dev/null 2>&1; }
PKI="$DIR/pki"
openssl_quiet req -x509 -newkey rsa:2048 -nodes -days 7 -subj "/CN=pier-node-ca" -keyout "$PKI/ca.key" -out "$PKI/ca.crt"
cat > "$PKI/apiserver.ext" <<EOF
subjectAltName = IP:$NODE_IP, IP:$KUBERNETES_SERVICE_IP, IP:127.0.0.1, DNS:localhost, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local
extendedKeyUsage = serverAuth
EOF
sign() { # name subject [extfile]
  openssl_quiet req -newkey rsa:2048 -nodes -subj "$2" -keyout "$PKI/$1.key" -out "$PKI/$1.csr"
  openssl_quiet x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 7 \
    -out "$PKI/$1.crt" ${3:+-extfile "$3"}
}
sign apiserver "/CN=kube-apiserver" "$PKI/apiserver.ext"
# The API server's identity towards the kubelet (logs, exec).
echo "extendedKeyUsage = clientAuth" > "$PKI/client.ext"
sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$PKI/client.ext"
openssl_quiet genrsa -out "$PKI/sa.key" 2048
openssl_quiet rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub"

token() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
ADMIN_TOKEN="$(token)"
: > "$PKI/tokens.csv"
chmod 600 "$PKI/tokens.csv"
kubeconfig() { # file user token
  cat > "$1" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: pier-node
  cluster: {server: "https://$NODE_IP:$API_PORT", certificate-authority: "$PKI/ca.crt"}
users:
- name: "$2"
  user: {token: "$3"}
contexts:
- name: pier-node
  context: {cluster: pier-node, user: "$2"}
current-context: pier-node
EOF
  chmod 600 "$1"
}
# Each component as the user the default RBAC expects; the kubelet as its node (Node authorizer).
add_user() { # file user uid groups
  local t; t="$(token)"
  echo "$t,$2,$3${4:+,\"$4\"}" >> "$PKI/tokens.csv"
  kubeconfig "$1" "$2" "$t"
}
echo "$ADMIN_TOKEN,admin,admin,\"system:masters\"" >> "$PKI/tokens.csv"
kubeconfig "$DIR/kubeconfig" admin "$ADMIN_TOKEN"
add_user "$DIR/kubelet.kubeconfig" "system:node:$NODE" kubelet system:nodes
add_user "$DIR/controller-manager.kubeconfig" system:kube-controller-manager kcm
add_user "$DIR/scheduler.kubeconfig" system:kube-scheduler scheduler
add_user "$DIR/proxy.kubeconfig" system:kube-proxy proxy

# ---- etcd and the API server --------------------------------------------------------------
free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % 20000 ))
    [[ -z "$(ss -Htln "sport = :$p")" ]] && { echo "$p"; return; }
  done
}
ETCD_PORT=$(free_port)
ETCD_PEER=$(free_port)
start_daemon etcd "$BIN/etcd" --name=pier-node --data-dir="$DIR/etcd" \
  --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls="http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER" \
  --initial-cluster="pier-node=http://127.0.0.1:$ETCD_PEER" --unsafe-no-fsync=true
start_daemon kube-apiserver "$BIN/kube-apiserver" \
  --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
  --bind-address="$NODE_IP" --advertise-address="$NODE_IP" --secure-port="$API_PORT" \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" --client-ca-file="$PKI/ca.crt" \
  --token-auth-file="$PKI/tokens.csv" --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
  --service-account-issuer=https://kubernetes.default.svc --service-account-key-file="$PKI/sa.pub" \
  --service-account-signing-key-file="$PKI/sa.key" --service-cluster-ip-range="$SERVICE_RANGE" \
  --kubelet-preferred-address-types=InternalIP \
  --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key"
api_ready() { [[ "$(curl -s --max-time 2 --cacert "$PKI/ca.crt" -H "Authorization: Bearer $ADMIN_TOKEN" "https://$NODE_IP:$API_PORT/readyz")" == ok ]]; }
wait_for kube-apiserver 90 api_ready || { tail -20 "$DIR/logs/kube-apiserver.log" >&2; exit 1; }
API_READY=$(now_ms)

# ---- the controllers, the scheduler, kube-proxy, the kubelet ------------------------------
start_daemon kube-controller-manager "$BIN/kube-controller-manager" \
  --kubeconfig="$DIR/controller-manager.kubeconfig" --leader-elect=false --secure-port=0 \
  --use-service-account-credentials=true --root-ca-file="$PKI/ca.crt" \
  --service-account-private-key-file="$PKI/sa.key"
start_daemon kube-scheduler "$BIN/kube-scheduler" --kubeconfig="$DIR/scheduler.kubeconfig" \
  --leader-elect=false --secure-port=0
# Conntrack limits and timeouts left as they are; NodePorts only on the node address (so
# route_localnet stays off).
start_daemon kube-proxy "$BIN/kube-proxy" --kubeconfig="$DIR/proxy.kubeconfig" --proxy-mode=iptables \
  --hostname-override="$NODE" --cluster-cidr="$POD_SUBNET" --nodeport-addresses="$NODE_IP/32" \
  --conntrack-max-per-core=0 --conntrack-tcp-timeout-established=0 --conntrack-tcp-timeout-close-wait=0 \
  --metrics-bind-address="" --healthz-bind-address="$NODE_IP:10256"
cat > "$DIR/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
containerRuntimeEndpoint: unix://$SOCK
address: $NODE_IP
cgroupDriver: cgroupfs
cgroupRoot: /pier-node
failSwapOn: false
failCgroupV1: false
podLogsDir: $DIR/pod-logs
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: AlwaysAllow}
readOnlyPort: 0
# Images cannot be pulled again here: never collect them, never evict for disk.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: "50Mi", nodefs.available: "1%", nodefs.inodesFree: "1%", imagefs.available: "1%"}
serializeImagePulls: false
maxPods: 60
EOF
start_daemon kubelet "$BIN/kubelet" --config="$DIR/kubelet.yaml" --kubeconfig="$DIR/kubelet.kubeconfig" \
  --root-dir="$DIR/kubelet" --cert-dir="$DIR/kubelet/pki" --node-ip="$NODE_IP" --hostname-override="$NODE"

KUBECTL=("$BIN/kubectl" --kubeconfig="$DIR/kubeconfig")
node_ready() { [[ "$("${KUBECTL[@]}" get node "$NODE" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}')" == True ]]; }
wait_for "node $NODE" 120 node_ready || { tail -30 "$DIR/logs/kubelet.log" >&2; exit 1; }
# Pods of a new namespace need its default ServiceAccount and CA ConfigMap (kube-controller-manager).
wait_for "default ServiceAccount" 60 "${KUBECTL[@]}" get serviceaccount default -n default
wait_for "kube-root-ca.crt" 60 "${KUBECTL[@]}" get configmap kube-root-ca.crt -n default
NODE_READY=$(now_ms)
wait "${IMPORTS[@]}"
imported="$(ctr -a "$SOCK" -n k8s.io images ls -q)"
for t in pier.local/pause:1 pier.local/backend:1 pier.local/pier:dev; do
  grep -qx "$t" <<< "$imported" || { log "image $t did not import; see $DIR/logs/images.log"; exit 1; }
done
READY=$(now_ms)
log "up in $(( READY - START )) ms (API server ready after $(( API_READY - START )) ms, node Ready after $(( NODE_READY - START )) ms)"
cat <<EOF
KUBECONFIG=$DIR/kubeconfig
API_SERVER=https://$NODE_IP:$API_PORT
NODE_IP=$NODE_IP
NODE_NAME=$NODE
KUBECTL=$BIN/kubectl
UP_MILLIS=$(( READY - START ))
EOF
