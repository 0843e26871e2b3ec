#!/usr/bin/env bash
# Time to translate and to compile+swap a table of 1,000 and 10,000 Ingress paths (or the sizes given),
# then one new Ingress per round among 10,000 (each its own host): a full rebuild against the pipeline's
# incremental one, wall and CPU time (-DoneChange=N Ingresses present, 0 skips it; -DoneChangeRounds=40).
#   bench/table-swap-bench.sh [PATHS...]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q test-compile
mvn -B -q dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
CP=$(cat target/bench.classpath)
exec java -Xms1g -Xmx1g -cp "target/classes:target/test-classes:$CP" dev.pier.bench.TableSwapBench "$@"
