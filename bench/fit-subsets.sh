#!/usr/bin/env bash
# Reproduces "Small route sets" in docs/benchmarks.md: srouter fit on route sets drawn from
# CLINC150 (K intents with M train utterances each; 20 other intents' queries and oos_val count
# as out of scope), fitted on one half of val and judged on the other, both ways, 5 draws each,
# against the kNN decision; K:M:V:O also caps fit's half at V queries a route and O labelled none
# (few labelled queries, as users have). Only val is used. Usage: bench/fit-subsets.sh [ENCODER...]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ENCODERS=("$@")
[ ${#ENCODERS[@]} -gt 0 ] || ENCODERS=(local local:bge-small-en-v1.5)

bench_prepare test-compile
for enc in "${ENCODERS[@]}"; do
  case $enc in local:bge*) threshold=0.8 ;; *) threshold=0.6 ;; esac
  java -cp "$CP" dev.srouter.bench.FitSubsetBench $OUT/clinc150-routes.yaml $OUT/clinc150-val.jsonl $OUT/cache "$enc" $threshold 5 \
    5:5 10:8 20:5 20:10 50:10 5:5:2:3 10:8:2:5 20:10:3:10 50:10:2:10
done
