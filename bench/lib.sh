# Sourced by the scripts in bench/, from the repository root.
DATA=${CLINC150:-../shared/data/clinc150/data_small.json}
OUT=target/bench

# bench_prepare GOAL...: builds with the Maven goals given (tests skipped), sets CP to the test
# classpath, and writes CLINC150's routes file and query files to $OUT.
bench_prepare() {
  mkdir -p "$OUT"
  mvn -B -q -DskipTests -Dskip.its "$@" >&2
  mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=$OUT/classpath.txt >/dev/null
  CP="target/classes:target/test-classes:$(cat $OUT/classpath.txt)"
  java -cp "$CP" dev.srouter.bench.RouteBench prepare "$DATA" "$OUT" >&2
}
