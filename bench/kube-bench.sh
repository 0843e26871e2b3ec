#!/usr/bin/env bash
# Cluster mode against a real API server (etcd + kube-apiserver from scripts/kube-test-tools.sh, a
# backend in a network namespace, so run as root), Pier in the bench's JVM. Non-interactive; prints
# RESULT lines. Per size (Ingresses present, default 1000 then 10000):
#   - isolated changes: a quiet gap, then one new Ingress; time from the write call to the first 200
#     through Pier, written by a kept-alive fabric8 client and by `kubectl apply -f` (a new process);
#   - back-to-back changes: the same with no gap; bursts: many creates as fast as one client goes;
# then Pier's heap per Ingress (after full GC, minus the JVM before Pier started), its class
# histogram against that baseline, the process RSS, and start to serving with every Ingress present.
# Then file mode (dev.pier.bench.FileModeBench, no API server): the same sizes as YAML files, a new
# file renamed into the directory -> first 200 (FILE_MODE=0 skips it; -DfileChanges=100).
#
#   bench/kube-bench.sh [SIZES...]
#
# Knobs (JAVA_OPTS="-Dname=value ..."):
#   -Dchanges=200         timed fabric8 writes per pattern and size
#   -DkubectlChanges=100  timed kubectl writes per size (isolated pattern)
#   -DgapMillis=250       quiet time before each isolated write (longer than Pier's 100 ms hold-off)
#   -Dpatterns=isolated,back-to-back,burst
#   -Dwriters=fabric8,kubectl
#   -Dburst=50 -DburstRounds=5
#   -DcreateThreads=16    parallel clients creating the Ingresses already present
#   -DpublishAddress=192.0.2.10   Pier writes Ingress status.loadBalancer, as deployed ("" for none)
#   -Dhistogram=25        classes of the heap histogram to print (0: none)
#   -DheapDump=/tmp/p.hprof  live-object heap dumps: /tmp/p-base.hprof before Pier, /tmp/p.hprof with it
#   -DserviceEach=true    each Ingress present names a Service of its own (with an EndpointSlice), not all one
#   -DingressPath=/       the Prefix path of each Ingress present (the timed writes keep /)
# JVM: -Xms2g -Xmx2g unless JAVA_HEAP is set (e.g. JAVA_HEAP="-Xmx512m").
# Figures and how they were taken: docs/performance.md, section "Cluster mode".
set -euo pipefail
cd "$(dirname "$0")/.."
export KUBEBUILDER_ASSETS="${KUBEBUILDER_ASSETS:-$(scripts/kube-test-tools.sh)}"
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP=$(cat target/bench.classpath)
# shellcheck disable=SC2086
java ${JAVA_HEAP:--Xms2g -Xmx2g} ${JAVA_OPTS:-} \
  -cp "target/classes:target/test-classes:$CP" dev.pier.bench.KubeBench "$@"
if [[ "${FILE_MODE:-1}" != 0 ]]; then
  # shellcheck disable=SC2086
  java ${JAVA_HEAP:--Xms2g -Xmx2g} ${JAVA_OPTS:-} \
    -cp "target/classes:target/test-classes:$CP" dev.pier.bench.FileModeBench "$@"
fi
