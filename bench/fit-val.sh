#!/usr/bin/env bash
# Reproduces the in-process figures of "Routing quality (CLINC150)" in docs/benchmarks.md that
# the CLI does not print: fit time in-process, fit on one half of val judged on the other (both
# ways) with how often the decision answers otherwise than the head's top route alone, the cost
# of one decision (fitted against kNN), and the kNN decision at an out-of-scope recall of 0.90
# by aggregation and top-k. Only val is used. Usage: bench/fit-val.sh [ENCODER...]
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ENCODERS=("$@")
[ ${#ENCODERS[@]} -gt 0 ] || ENCODERS=(local local:bge-small-en-v1.5)

bench_prepare test-compile
for enc in "${ENCODERS[@]}"; do
  java -cp "$CP" dev.srouter.bench.FitValBench $OUT/clinc150-routes.yaml $OUT/clinc150-val.jsonl $OUT/cache "$enc"
done
