#!/usr/bin/env bash
# SQL benchmark: a 10M-row Iceberg sales fact table (plus two dimension tables) built through
# Basin's SQL; ten analytic queries through the query service (native API, client in its own JVM)
# vs plain DuckDB reading the same Parquet files in another JVM; trivial queries over PostgreSQL wire
# (pgjdbc) and the snapshot-keyed result cache.
#
#   ./bench/sql.sh                      # 10M rows, 5 timed runs per query
#   ./bench/sql.sh --rows 1000000       # quicker
#
# Options (passed to dev.basin.bench.sql.SqlBenchmark):
#   --rows N  --runs N  --threads N  --out FILE (default basin-bench/$BENCH_TARGET/sql-benchmark.md)
#   --work-dir DIR
#
# BENCH_TARGET=target-x selects Maven's output folder (-Dbasin.target); BENCH_SKIP_BUILD=1 reuses
# the last build.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${BENCH_TARGET:-target}"
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  mvn -B -q -Dbasin.target="$target" -DskipTests -Dspotless.check.skip=true \
    -pl basin-bench -am package
fi

bench_dir="basin-bench/$target"
classpath="$(ls "$bench_dir"/basin-bench-*.jar | head -n 1):$(cat "$bench_dir/classpath.txt")"

args=("$@")
has_out=0
for a in "${args[@]}"; do [[ "$a" == --out || "$a" == --out=* ]] && has_out=1; done
if [[ $has_out == 0 ]]; then args+=(--out "$bench_dir/sql-benchmark.md"); fi

exec java -Xmx512m -Dlogback.configurationFile=basin-bench-logback.xml -cp "$classpath" dev.basin.bench.sql.SqlBenchmark \
  --command "./bench/sql.sh${*:+ $*}" "${args[@]}"
