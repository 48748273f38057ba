#!/usr/bin/env bash
# Reproduces the encoder figures of docs/benchmarks.md ("Local encoders: batching"): for the bundled
# models and a float32 ONNX export (onnx:DIR, langchain4j's fp32 all-MiniLM-L6-v2), side by side in one
# run (through the ./srouter launcher, as users run it), the path that batches texts of one token length (where it is exact) and the one that runs every
# text alone (-Dsrouter.onnx.batch=false):
#   - route - over CLINC150's 5,500 test queries (routes' utterances cached first; queries are not cached),
#   - push of 10,000 new utterances to a file index with an empty embedding cache,
#   - model load time (first embedding minus the second, in-process) and peak RSS of both runs.
# Usage: bench/encoder-bench.sh [RUNS [ENCODER...]]   (from the repository root; RUNS per mode, default 3;
# encoders default to local, local:bge-small-en-v1.5 and the float32 export)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
RUNS=${1:-3}
shift || true
bench_prepare package test-compile
java -cp "$CP" dev.srouter.bench.EncoderBench fp32 "$OUT/minilm-fp32" >&2
java -cp "$CP" dev.srouter.bench.EncoderBench utterances "$DATA" 10000 "$OUT/utterances-10k.yaml" >&2
export SROUTER_CACHE_DIR="$PWD/$OUT/cache"
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
rss() { echo $(( $(tail -1 "$OUT/rss.txt") / 1024 )); }

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1)"
rm -f $OUT/clinc150-routes.fit.json # the kNN decision: this measures embedding, not a fit
ENCODERS=("$@")
[ ${#ENCODERS[@]} -gt 0 ] || ENCODERS=(local local:bge-small-en-v1.5 "onnx:$OUT/minilm-fp32")
for enc in "${ENCODERS[@]}"; do
  echo "== encoder $enc"
  echo "model load: $(java -cp "$CP" dev.srouter.bench.EncoderBench load "$enc") ms (batched path), $(java -Dsrouter.onnx.batch=false -cp "$CP" dev.srouter.bench.EncoderBench load "$enc") ms (per text)"
  ./srouter route -r $OUT/clinc150-routes.yaml --encoder "$enc" "warm the routes' cache" > /dev/null
  # The bundled int8 models never batch (not exact for them: LocalOnnxEncoder), so both paths are one.
  modes=(batched per-text); [[ $enc == local* ]] && modes=(per-text)
  for mode in "${modes[@]}"; do
    opts=""; [ $mode = per-text ] && opts=-Dsrouter.onnx.batch=false
    route=(); push=()
    for i in $(seq 1 "$RUNS"); do
      t=$(date +%s%N)
      SROUTER_JAVA_OPTS=$opts /usr/bin/time -f '%M' -o "$OUT/rss.txt" ./srouter route -r $OUT/clinc150-routes.yaml --encoder "$enc" - < $OUT/clinc150-test.txt > /dev/null
      route+=("$(ms $t)ms/$(rss)MB")
      rm -rf "$OUT/push-index" "$OUT/push-cache"
      t=$(date +%s%N)
      SROUTER_JAVA_OPTS=$opts SROUTER_CACHE_DIR="$PWD/$OUT/push-cache" /usr/bin/time -f '%M' -o "$OUT/rss.txt" ./srouter push -q --yes \
        -r $OUT/utterances-10k.yaml --encoder "$enc" --index "file:$OUT/push-index" > /dev/null
      push+=("$(ms $t)ms/$(rss)MB")
    done
    rate() { python3 -c 'import sys; n=int(sys.argv[1]); w=sorted(int(x.split("ms")[0]) for x in sys.argv[2:]); m=w[len(w)//2]; print("median %d ms, %d texts/s" % (m, n*1000/m))' "$@"; }
    echo "$mode: route - 5,500 queries: ${route[*]} ($(rate 5500 "${route[@]}")); push 10,000 utterances: ${push[*]} ($(rate 10000 "${push[@]}"))"
  done
done
