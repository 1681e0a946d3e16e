#!/usr/bin/env bash
# ETL benchmark (issue 6): the seed job spotify_join (examples/jobs/spotify_join.yaml: tracks ⋈
# albums ⋈ artists, duplicated columns dropped, deduplicated, written as Parquet) through a Basin
# server (client in its own JVM) vs the same join/drop/dedup as one DuckDB COPY statement in
# another JVM and Spark local[2] in a third; then a crawler over 10,000 small objects in 100
# Hive-style partitions (dry run, apply, re-crawl, one-shot).
#
#   ./bench/etl.sh                                        # 1M tracks, 5 timed runs
#   ./bench/etl.sh --rows 1000000,10000000 --runs 5,3     # both sizes of docs/benchmarks.md
#   ./bench/etl.sh --skip-etl                             # the crawler only
#
# Options (passed to dev.basin.bench.etl.EtlBenchmark):
#   --rows N[,N]  --runs N[,N]  --threads N  --staging crawler|catalog  --spark-heap 4g
#   --crawler-partitions N  --crawler-objects-per-partition N  --crawler-runs N
#   --skip-etl  --skip-crawler  --diagnose  --out FILE (default basin-bench/$BENCH_TARGET/etl-benchmark.md)
#   --work-dir DIR (generated CSVs are kept there and reused)
#
# BENCH_TARGET=target-x selects Maven's output folder (-Dbasin.target); BENCH_SKIP_BUILD=1 reuses
# the last build; BENCH_NO_SPARK=1 leaves the Spark peer out.
set -euo pipefail
cd "$(dirname "$0")/.."

target="${BENCH_TARGET:-target}"
spark_cp="basin-it-spark/$target/spark-bench-classpath.txt"
if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  mvn -B -q -Dbasin.target="$target" -DskipTests -Dspotless.check.skip=true \
    -pl basin-bench -am package
  if [[ "${BENCH_NO_SPARK:-0}" != 1 ]]; then
    # The Spark peer is compiled against basin-it-spark's own classpath (Spark needs Jackson 2.18;
    # Basin's modules pin 2.20), so it runs from that module's test classes. The parent pins
    # parquet-hadoop 1.17.1 for Iceberg; Spark 4.0.4's other Parquet jars are 1.15.2, and writing
    # Parquet fails with NoSuchMethodError on that mix, so this classpath takes Spark's version.
    mvn -B -q -Dbasin.target="$target" -Dspotless.check.skip=true -Dparquet.version=1.15.2 \
      -pl basin-it-spark \
      test-compile dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile="$(pwd)/$spark_cp.deps"
    echo "$(pwd)/basin-it-spark/$target/test-classes:$(cat "$spark_cp.deps")" >"$spark_cp"
  fi
fi

bench_dir="basin-bench/$target"
classpath="$(ls "$bench_dir"/basin-bench-*.jar | head -n 1):$(cat "$bench_dir/classpath.txt")"

args=("$@")
has_out=0
for a in "${args[@]}"; do [[ "$a" == --out || "$a" == --out=* ]] && has_out=1; done
if [[ $has_out == 0 ]]; then args+=(--out "$bench_dir/etl-benchmark.md"); fi
if [[ "${BENCH_NO_SPARK:-0}" != 1 ]]; then args+=(--spark-classpath "$spark_cp"); fi

export SPARK_LOCAL_IP=127.0.0.1
exec java -Xmx1g -Dlogback.configurationFile=basin-bench-logback.xml -cp "$classpath" \
  dev.basin.bench.etl.EtlBenchmark --command "./bench/etl.sh${*:+ $*}" "${args[@]}"
