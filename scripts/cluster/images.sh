#!/usr/bin/env bash
# Builds the images the single-node cluster test runs, from local base images only (nothing is
# pulled: base images come from debootstrap + `docker import`), and saves each as a tar that
# node.sh imports into the cluster's containerd:
#
#   pier.local/pause:1       the pod sandbox process (pause.c, static)
#   pier.local/backend:1     busybox httpd answering with its pod name (the test's backend)
#   pier.local/pier:dev      this checkout's Dockerfile, built FROM local Debian images
#
#   scripts/cluster/images.sh            prints the directory holding pause.tar, backend.tar, pier.tar
#
# Needs root, docker.io (dockerd), debootstrap and gcc with a static libc (scripts/test.sh
# installs them). It starts a private dockerd (no iptables, no forwarding, no bridge, its own socket,
# data in the cache so base images and build layers survive) and stops it on exit.
# Cache root: $PIER_CACHE (default ~/.cache/pier). Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/../.."

CACHE="${PIER_CACHE:-$HOME/.cache/pier}"
OUT="${PIER_IMAGE_DIR:-$CACHE/images}"
SUITE=bookworm
BASE=pier.local/debian:$SUITE
# The build image's packages (binutils: Debian's jlink strips with objcopy). Its tag is keyed by
# these and by the host's extra CA certificates (see below), so a change gives a new image.
BUILD_PACKAGES="ca-certificates openjdk-17-jdk-headless maven binutils"
BUILD_KEY="$( (echo "$BUILD_PACKAGES"; cat /usr/local/share/ca-certificates/*.crt 2>/dev/null) | sha256sum | cut -c1-12)"
BUILD_BASE=pier.local/jdk17-maven:$SUITE-$BUILD_KEY
log() { echo "cluster-images: $*" >&2; }
step() { STEP_START=$(date +%s); log "$*"; }
done_step() { log "  ... $(( $(date +%s) - STEP_START )) s"; }

[[ $(id -u) == 0 ]] || { log "needs root (dockerd, debootstrap)"; exit 1; }
for c in dockerd docker debootstrap gcc; do
  command -v "$c" >/dev/null || { log "$c is missing (scripts/test.sh installs it)"; exit 1; }
done
mkdir -p "$CACHE" "$OUT"
exec 8>"$CACHE/images.lock"
flock 8

# ---- a private dockerd -------------------------------------------------------------------
RUN_DIR=/run/pier-docker
export DOCKER_HOST="unix://$RUN_DIR/docker.sock"
DOCKERD_PID=
stop_dockerd() {
  if [[ -n "$DOCKERD_PID" ]] && kill -0 "$DOCKERD_PID" 2>/dev/null; then
    kill "$DOCKERD_PID"
    for _ in $(seq 100); do kill -0 "$DOCKERD_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$DOCKERD_PID" 2>/dev/null || true
  fi
  umount "$RUN_DIR"/netns/* 2>/dev/null || true
}
trap stop_dockerd EXIT
mkdir -p "$RUN_DIR"
step "starting dockerd (data in $CACHE/docker)"
dockerd --iptables=false --ip-masq=false --ip-forward=false --bridge=none --storage-driver=overlay2 \
  --data-root "$CACHE/docker" --exec-root "$RUN_DIR/exec" --pidfile "$RUN_DIR/dockerd.pid" \
  -H "$DOCKER_HOST" >"$CACHE/dockerd.log" 2>&1 &
DOCKERD_PID=$!
for _ in $(seq 150); do docker version >/dev/null 2>&1 && break; sleep 0.2; done
docker version >/dev/null 2>&1 || { log "dockerd did not start; see $CACHE/dockerd.log"; tail -20 "$CACHE/dockerd.log" >&2; exit 1; }
done_step

has_image() { docker image inspect "$1" >/dev/null 2>&1; }
# docker build with its output in a log, shown when it fails.
build() {
  local log_file="$CACHE/build-$1.log"; shift
  docker build --network host "$@" >"$log_file" 2>&1 || { tail -40 "$log_file" >&2; log "docker build failed; see $log_file"; exit 1; }
}

# ---- base images from debootstrap ---------------------------------------------------------
# The mirror this machine's apt uses (registries are reachable, download sites may not be).
MIRROR="${PIER_DEBIAN_MIRROR:-$(sed -n 's/^URIs: *\([^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
ROOTFS_TAR="$CACHE/rootfs/debian-$SUITE-minbase.tar"
if ! has_image "$BASE"; then
  if [[ ! -s "$ROOTFS_TAR" ]]; then
    step "debootstrap --variant=minbase $SUITE from $MIRROR"
    mkdir -p "$CACHE/rootfs"
    root="$(mktemp -d "$CACHE/rootfs/build.XXXXXX")"
    debootstrap --variant=minbase "$SUITE" "$root" "$MIRROR" >"$CACHE/rootfs/debootstrap.log" 2>&1 \
      || { tail -20 "$CACHE/rootfs/debootstrap.log" >&2; rm -rf "$root"; exit 1; }
    # Trimmed as Debian's -slim images are: no docs, man pages, locales or package lists.
    rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
      "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*
    tar -C "$root" --numeric-owner -cf "$ROOTFS_TAR.tmp" .
    mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
    rm -rf "$root"
    done_step
  fi
  step "docker import $BASE"
  docker import "$ROOTFS_TAR" "$BASE" >/dev/null
  done_step
fi

# JDK 17 (its jmods are what jlink needs) and Maven on that base: the Dockerfile's build stage.
# The host's extra CA certificates go in too, so Maven reaches Central through the same
# TLS-intercepting proxy the host may use (Java reads them into its cacerts).
if ! has_image "$BUILD_BASE"; then
  step "building $BUILD_BASE (apt: $BUILD_PACKAGES; the host's extra CAs)"
  context="$(mktemp -d)"
  mkdir -p "$context/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$context/ca-certificates/" 2>/dev/null || true
  build jdk17-maven -t "$BUILD_BASE" -f - "$context" <<EOF
FROM $BASE
COPY ca-certificates/ /usr/local/share/ca-certificates/
RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \\
      $BUILD_PACKAGES >/dev/null && update-ca-certificates -f >/dev/null \\
 && rm -rf /var/lib/apt/lists/*
EOF
  rm -rf "$context"
  done_step
fi

# ---- the three images (rebuilt each run; docker's layer cache makes unchanged ones instant) ----
step "building pier.local/pause:1 (static pause.c)"
dir="$(mktemp -d)"
gcc -static -Os -o "$dir/pause" scripts/cluster/pause.c
tar -C "$dir" --numeric-owner --owner=0 --group=0 -cf "$dir/rootfs.tar" pause
docker import --change 'ENTRYPOINT ["/pause"]' "$dir/rootfs.tar" pier.local/pause:1 >/dev/null
rm -rf "$dir"
done_step

step "building pier.local/backend:1 (busybox httpd)"
build backend -t pier.local/backend:1 -f scripts/cluster/backend.Dockerfile --build-arg BASE="$BASE" scripts/cluster
done_step

step "building pier.local/pier:dev from ./Dockerfile"
revision="$(git rev-parse HEAD 2>/dev/null || echo unknown)"
created="$(git log -1 --format=%cI 2>/dev/null || echo unknown)"
# The build stage gets a tag of its own: its layers (Maven's dependencies above all) are then no
# dangling images, and the prune below keeps them as the next run's cache.
build pier-stage -t pier.local/pier-build:cache --target build \
  --build-arg BUILD_IMAGE="$BUILD_BASE" --build-arg RUN_IMAGE="$BASE" .
build pier -t pier.local/pier:dev \
  --build-arg BUILD_IMAGE="$BUILD_BASE" --build-arg RUN_IMAGE="$BASE" \
  --build-arg REVISION="$revision" --build-arg CREATED="$created" \
  --build-arg VERSION="$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' charts/pier/Chart.yaml)" .
done_step
log "pier.local/pier:dev is $(( $(docker image inspect --format '{{.Size}}' pier.local/pier:dev) / 1000000 )) MB" \
  "(base $(( $(docker image inspect --format '{{.Size}}' "$BASE") / 1000000 )) MB)"

step "saving the images to $OUT"
for image in pause:1 backend:1 pier:dev; do
  name="${image%%:*}"
  docker save -o "$OUT/$name.tar.tmp" "pier.local/$image"
  mv "$OUT/$name.tar.tmp" "$OUT/$name.tar"
done
done_step
# Dangling layers of earlier pier builds, and build images of other keys, would fill the cache.
for old in $(docker image ls --format '{{.Repository}}:{{.Tag}}' pier.local/jdk17-maven); do
  [[ "$old" == "$BUILD_BASE" ]] || docker rmi "$old" >/dev/null
done
docker image prune -f >/dev/null
echo "$OUT"
