#!/usr/bin/env bash
# Reproduces the in-process figures of "Routing quality (CLINC150)" in docs/benchmarks.md that
# the CLI does not print: fit time in-process, fit on one half of val judged on the other (both
# ways) with how often the decision answers otherwise than the head's top route alone, the cost
# of one decision (fitted against kNN), and the kNN decision at an out-of-scope recall of 0.90
# by aggregation and top-k. Only val is used. Usage: bench/fit-val.sh [ENCODER...]
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${CLINC150:-../shared/data/clinc150/data_small.json}
OUT=target/bench
ENCODERS=("$@")
[ ${#ENCODERS[@]} -gt 0 ] || ENCODERS=(local local:bge-small-en-v1.5)

mvn -B -q -DskipTests -Dskip.its test-compile >&2
mkdir -p "$OUT"
mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=$OUT/classpath.txt >/dev/null
CP="target/classes:target/test-classes:$(cat $OUT/classpath.txt)"
java -cp "$CP" dev.srouter.bench.RouteBench prepare "$DATA" "$OUT" >&2
for enc in "${ENCODERS[@]}"; do
  java -cp "$CP" dev.srouter.bench.FitValBench $OUT/clinc150-routes.yaml $OUT/clinc150-val.jsonl $OUT/cache "$enc"
done
