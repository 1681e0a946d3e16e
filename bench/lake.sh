#!/usr/bin/env bash
# Lake benchmark: object PUT/GET through Basin's S3 API vs plain files on the same disk, and
# Iceberg commit/load latency through Basin's Iceberg REST endpoint vs an embedded JdbcCatalog.
#
#   ./bench/lake.sh --quick        # ~1-2 minutes: 1 trial, fewer objects and commits
#   ./bench/lake.sh                # 3 trials; 50 x 1 MiB and 4 x 64 MiB objects; 300 commits
#
# Options (passed to dev.basin.bench.lake.LakeBenchmark):
#   --trials N  --sizes 1048576:50,67108864:4  --commits N  --loads N
#   --out FILE (default basin-bench/$BENCH_TARGET/lake-benchmark.md)  --work-dir DIR
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
if [[ $has_out == 0 ]]; then args+=(--out "$bench_dir/lake-benchmark.md"); fi

exec java -Xmx512m -cp "$classpath" dev.basin.bench.lake.LakeBenchmark \
  --command "./bench/lake.sh${*:+ $*}" "${args[@]}"
