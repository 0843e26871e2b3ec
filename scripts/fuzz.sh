#!/usr/bin/env bash
# Fuzzes the @FuzzTest targets (path normalisation, manifest parsing, translation + compile) with
# Jazzer, 20 s each (the maxDuration in each test), one after the other: about 2 minutes with
# start-up and the seed replay on a quiet machine (4.7 minutes measured at 30 s each under load 20).
# A finding fails the run and Jazzer writes its input next to the seeds
# (src/test/resources/dev/pier/.../<Test>Inputs/<method>/crash-*): commit it, and `mvn verify` replays it
# as a regression test from then on. Generated corpora go to .cifuzz-corpus/ (not committed).
#
#   scripts/fuzz.sh [extra mvn args]
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
mvn -B -Pfuzz test "$@"
echo "fuzz.sh: fuzzed for $(( $(date +%s) - start )) s"
