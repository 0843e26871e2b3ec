#!/usr/bin/env bash
# Cluster mode against a real API server (etcd + kube-apiserver from scripts/kube-test-tools.sh, a
# backend in a network namespace, so run as root): API write -> first 200 through Pier (p50/p99 over
# 200 creates) with 1,000 and 10,000 Ingresses present, start -> serving with 10,000, Pier's heap.
#   bench/kube-bench.sh [SIZES...]          (default: 1000 10000; -Dchanges=N via JAVA_OPTS)
# Figures and how they were taken: docs/performance.md, section "Cluster mode".
set -euo pipefail
cd "$(dirname "$0")/.."
export KUBEBUILDER_ASSETS="${KUBEBUILDER_ASSETS:-$(scripts/kube-test-tools.sh)}"
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP=$(cat target/bench.classpath)
# shellcheck disable=SC2086
exec java -Xms2g -Xmx2g ${JAVA_OPTS:-} \
  -cp "target/classes:target/test-classes:$CP" dev.pier.bench.KubeBench "$@"
