#!/usr/bin/env bash
# Delivery benchmark: freshness (PutRecord acknowledgement -> row visible in a new Iceberg snapshot)
# of a Kinesis-stream -> Iceberg delivery stream, and sustained delivery throughput vs the ingest
# rate. A Basin server runs in its own JVM, the client (producers, watcher) in another.
#
#   ./bench/delivery.sh                       # 20 puts/s for 30 s per freshness mode; 30 s of load
#   ./bench/delivery.sh --fresh-seconds 10 --load-seconds 10   # quicker
#
# Options (passed to dev.basin.bench.delivery.DeliveryBenchmark):
#   --rate N  --fresh-seconds N  --load-seconds N  --senders N  --shards N
#   --out FILE (default basin-bench/$BENCH_TARGET/delivery-benchmark.md)  --work-dir DIR
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
if [[ $has_out == 0 ]]; then args+=(--out "$bench_dir/delivery-benchmark.md"); fi

exec java -Xmx512m -cp "$classpath" dev.basin.bench.delivery.DeliveryBenchmark \
  --command "./bench/delivery.sh${*:+ $*}" "${args[@]}"
