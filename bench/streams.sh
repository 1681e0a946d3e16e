#!/usr/bin/env bash
# Streams benchmark: Basin's Kinesis-compatible streams vs a local Apache Kafka broker.
#
#   ./bench/streams.sh --quick                 # ~2-3 minutes, 1 trial per configuration
#   ./bench/streams.sh                         # full run: 3 trials, plus fixed-rate latency rows
#   ./bench/streams.sh --out docs/benchmarks-streams.md --systems basin,kafka --sizes 1024
#
# Every option is passed to dev.basin.bench.streams.StreamsBenchmark:
#   --quick                  1 trial, 2 s warm-up, 5 s measured, no fixed-rate rows, 8 s server warm-up
#   --server-warmup-s S      unrecorded load on each fresh server before the trials (default 30)
#   --trials N               trials per configuration (default 3)
#   --warmup-s S             warm-up seconds per producer process (default 5)
#   --duration-s S           measured seconds per producer process (default 10)
#   --sizes 100,1024         record sizes in bytes
#   --shards 1,4             shard (Kafka: partition) counts
#   --systems basin,kafka,kafka-fsync
#   --batch-records 500      records per PutRecords call (Kafka batch.size sized to match)
#   --in-flight-records 4000 most unacknowledged records per producer
#   --latency-rates 100:75000,1024:25000    extra rows at a fixed offered rate per size (default:
#                            a quarter of the throughput targets), or none
#   --cbor true|false        Kinesis wire format (default CBOR, like the AWS SDKs)
#   --senders N              PutRecords sender threads in the Basin producer (default 1)
#   --idle-poll-ms N         pause of a GetRecords poller after an empty response (default 1)
#   --jvm-opts "-Xmx2g"      options for every JVM started
#   --basin-args "..."       extra arguments for `basin server`
#   --out FILE               Markdown output (default basin-bench/target/streams-benchmark.md)
#   --work-dir DIR --keep    where data and logs go, and keep them afterwards
#   --quiet-wait-s S         before each trial wait up to S s for other load to stop (shared machines)
#   --profile                record each window with Flight Recorder (server and producer) and
#                            add the hottest methods to the report; perturbs the numbers a little
#
# BENCH_TARGET=target-x selects Maven's output folder (-Dbasin.target), for parallel checkouts.
# BENCH_SKIP_BUILD=1 reuses the last build.
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
if [[ $has_out == 0 ]]; then args+=(--out "$bench_dir/streams-benchmark.md"); fi

exec java -Xmx512m -cp "$classpath" dev.basin.bench.streams.StreamsBenchmark \
  --command "./bench/streams.sh${*:+ $*}" "${args[@]}"
