#!/usr/bin/env bash
# Reproduces the routing figures in docs/benchmarks.md on this machine:
#   cold start with a warm cache, warm per-utterance latency, stdin throughput over the
#   5,500 CLINC150 test queries, peak RSS, and CLINC150 quality with the defaults.
# Usage: bench/route-bench.sh [--quality] [--stream N]   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh
CACHE=$OUT/cache
QUALITY=false
STREAM=0
while [ $# -gt 0 ]; do
  case "$1" in
    --quality) QUALITY=true ;;
    --stream) STREAM=$2; shift ;;
    *) echo "usage: $0 [--quality] [--stream LINES]" >&2; exit 64 ;;
  esac
  shift
done

bench_prepare package test-compile
export SROUTER_CACHE_DIR="$PWD/$CACHE"

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
peak_rss() { # peak RSS in MB of a command, from GNU time
  /usr/bin/time -f '%M' -o "$OUT/rss.txt" "$@" >/dev/null
  echo $(( $(tail -1 "$OUT/rss.txt") / 1024 ))
}

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1)"

# 1. Cold start, warm embedding cache: the same command 10 times, after one run that fills the cache.
TEXT="isn't politics the best thing ever"
./srouter route -r routes-example.yaml "$TEXT" >/dev/null
times=()
for i in $(seq 1 10); do
  t=$(date +%s%N); ./srouter route -r routes-example.yaml "$TEXT" >/dev/null; times+=($(ms $t))
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
echo "cold start (warm cache), ms over 10 runs: $sorted-> median $(printf '%s\n' "${times[@]}" | sort -n | sed -n 5p)"
echo "peak RSS, one routed text (warm cache): $(peak_rss ./srouter route -r routes-example.yaml "$TEXT") MB"

# 2. Throughput of `route -` over 5,500 queries; the routes' utterances are cached first.
./srouter route -r $OUT/clinc150-routes.yaml "warm up the cache" >/dev/null
walls=()
for i in 1 2 3; do
  t=$(date +%s%N)
  ./srouter route -r $OUT/clinc150-routes.yaml - < $OUT/clinc150-test.txt > $OUT/decisions.txt
  walls+=($(ms $t))
done
wall=$(printf '%s\n' "${walls[@]}" | sort -n | sed -n 2p)
lines=$(wc -l < $OUT/decisions.txt)
echo "stdin: $lines decisions, wall ms over 3 runs: ${walls[*]} (start-up included) -> median $(( lines * 1000 / wall )) utterances/s"
echo "peak RSS, route - over 5,500 queries: $(peak_rss ./srouter route -r $OUT/clinc150-routes.yaml - < $OUT/clinc150-test.txt) MB"

# 3. Warm per-utterance latency, one text per call as in the REPL.
java -cp "$CP" dev.srouter.bench.RouteBench latency $OUT/clinc150-routes.yaml $OUT/clinc150-test.txt "$CACHE" 1000

# 4. Optional: a long stream, sampling RSS, to show memory stays flat.
if [ "$STREAM" -gt 0 ]; then
  # distinct lines (numbered), so that nothing is answered from the cache
  awk -v n="$STREAM" 'NR == FNR { q[++c] = $0; next } END { for (i = 1; i <= n; i++) print i, q[(i - 1) % c + 1] }' \
    $OUT/clinc150-test.txt /dev/null > $OUT/stream.txt
  ./srouter route -r $OUT/clinc150-routes.yaml - < $OUT/stream.txt > /dev/null &
  pid=$!
  echo "stream of $STREAM distinct lines, RSS samples (MB):"
  while kill -0 $pid 2>/dev/null; do
    rss=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status 2>/dev/null || true)
    [ -n "$rss" ] && printf '%s ' "$rss"
    sleep 5
  done
  echo
fi

# 5. Optional: CLINC150 quality, through fit, eval and route - (protocol in its README).
if $QUALITY; then
  bench/quality-bench.sh
fi
