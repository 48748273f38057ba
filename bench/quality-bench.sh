#!/usr/bin/env bash
# Reproduces the routing-quality figures of docs/benchmarks.md ("Routing quality"): on CLINC150
# (protocol in ../shared/data/clinc150/README.md), for each local encoder,
#   1. the kNN decision with the encoder's default threshold (no fit), and on val the kNN decision
#      for each aggregation and top-k (how the defaults were chosen),
#   2. srouter fit on val + oos_val (timed), then srouter eval on test + oos_test with the fitted
#      decision and with the kNN decision on the thresholds fit wrote,
#   3. the kNN decision with per-route thresholds (fit --thresholds per-route), the same fitted
#      figures through `route -` (its TSV scored against the labels), and the
#      throughput of `route -` with the fitted decision and with the kNN one, in one run.
# Nothing is tuned on test. Usage: bench/quality-bench.sh [ENCODER...]   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
ENCODERS=("$@")
[ ${#ENCODERS[@]} -gt 0 ] || ENCODERS=(local local:bge-small-en-v1.5)

bench_prepare package test-compile
export SROUTER_CACHE_DIR="$PWD/$OUT/cache"
SR=(java -jar target/srouter.jar)

figures() { # figures EVAL_JSON: "in-scope accuracy A, out-of-scope recall R (decision D, ECE E)"
  python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); e=d["ece"]
print("in-scope accuracy %.4f, out-of-scope recall %.4f (decision %s, ECE %s)" % (d["accuracy"], d["oos_recall"], d["decision"], "n/a" if e is None else "%.4f" % e))' "$1"
}
score_tsv() { # score_tsv ROUTE_TSV: in-scope accuracy and out-of-scope recall of route -o tsv output
  cut -f2 "$1" | paste "$OUT/clinc150-test-labels.txt" - | awk -F'\t' '
    $1 == "-" { oos++; if ($2 == "-") rej++; next } { ins++; if ($1 == $2) ok++ }
    END { printf "in-scope accuracy %.4f, out-of-scope recall %.4f\n", ok / ins, rej / oos }'
}
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1)"
for enc in "${ENCODERS[@]}"; do
  tag=${enc//[:.]/-}
  routes=$OUT/clinc150-$tag.yaml
  cp $OUT/clinc150-routes.yaml "$routes"
  rm -f "${routes%.yaml}.fit.json"
  echo "== encoder $enc"
  "${SR[@]}" eval -r "$routes" --encoder "$enc" --data $OUT/clinc150-test.jsonl -o json > $OUT/eval-knn-default.json
  echo "kNN, default threshold:        $(figures $OUT/eval-knn-default.json)"
  # The defaults of aggregation and top-k, chosen on val: the kNN decision at the global threshold fit picks for each.
  for k in 3 5 10; do
    for agg in sum mean max; do
      "${SR[@]}" fit -r "$routes" --encoder "$enc" --data $OUT/clinc150-val.jsonl --dry-run --thresholds global --top-k $k --aggregation $agg -o json > $OUT/fit-sweep.json
      python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print("val, kNN, top-k %s %-4s: threshold %.2f, in-scope accuracy %.4f, out-of-scope recall %.3f" % (sys.argv[2], sys.argv[3], d["knn_threshold"], d["knn_accuracy"], d["knn_oos_recall"]))' $OUT/fit-sweep.json $k $agg
    done
  done
  t=$(date +%s%N)
  "${SR[@]}" fit -r "$routes" --encoder "$enc" --data $OUT/clinc150-val.jsonl -o json > $OUT/fit.json
  echo "fit wall time (embeddings cached): $(ms $t) ms; $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print("fit itself %.1f s; kNN threshold %.2f, per-route kept: %s" % (d["seconds"], d["knn_threshold"], d["knn_per_route"]))' $OUT/fit.json)"
  "${SR[@]}" eval -r "$routes" --encoder "$enc" --data $OUT/clinc150-test.jsonl -o json > $OUT/eval-fitted.json
  echo "fitted decision (eval):        $(figures $OUT/eval-fitted.json)"
  "${SR[@]}" eval -r "$routes" --encoder "$enc" --no-fit --data $OUT/clinc150-test.jsonl -o json > $OUT/eval-knn-fitted.json
  echo "kNN, thresholds from fit:      $(figures $OUT/eval-knn-fitted.json)"
  "${SR[@]}" fit -r "$routes" --encoder "$enc" --data $OUT/clinc150-val.jsonl --thresholds per-route > /dev/null
  "${SR[@]}" eval -r "$routes" --encoder "$enc" --no-fit --data $OUT/clinc150-test.jsonl -o json > $OUT/eval-knn-per-route.json
  echo "kNN, per-route thresholds:     $(figures $OUT/eval-knn-per-route.json)"
  "${SR[@]}" route -r "$routes" --encoder "$enc" -o tsv - < $OUT/clinc150-test.txt > $OUT/route-fitted.tsv
  echo "fitted decision (route -):     $(score_tsv $OUT/route-fitted.tsv)"
  # Throughput, fitted and kNN alternately in one run, median of 5 each.
  fitted=(); knn=()
  for i in 1 2 3 4 5; do
    t=$(date +%s%N); "${SR[@]}" route -r "$routes" --encoder "$enc" - < $OUT/clinc150-test.txt > /dev/null; fitted+=($(ms $t))
    t=$(date +%s%N); "${SR[@]}" route -r "$routes" --encoder "$enc" --no-fit - < $OUT/clinc150-test.txt > /dev/null; knn+=($(ms $t))
  done
  mf=$(printf '%s\n' "${fitted[@]}" | sort -n | sed -n 3p); mk=$(printf '%s\n' "${knn[@]}" | sort -n | sed -n 3p)
  lines=$(wc -l < $OUT/clinc150-test.txt)
  echo "route - over $lines queries, wall ms: fitted ${fitted[*]} (median $mf, $(( lines * 1000 / mf ))/s), kNN ${knn[*]} (median $mk, $(( lines * 1000 / mk ))/s); fitted/kNN = $(python3 -c "print('%.3f' % ($mf / $mk))")"
done
