#!/usr/bin/env bash
# Dashboards benchmark (issue 7): a 12-visual dashboard over a 10M-row sales table built with SQL in
# Basin. The client loads it as the console's viewer does (one data request per visual, 6 in flight
# like Chromium) against a server in its own JVM: cold loads (a new date range each, so the result
# cache misses), the first load after a restart, warm loads (result cache hits), the same in headless
# Chromium through Playwright (the viewer's window.basinDashboardReady.ms), and plain DuckDB running
# the same SQL over the same Parquet files with the same parallelism.
#
#   ./bench/dashboards.sh                          # 10M rows, 10 cold + 20 warm REST loads, 5 + 10 in Chromium
#   ./bench/dashboards.sh --rows 1000000 --skip-browser
#
# Options (passed to dev.basin.bench.dashboards.DashboardBenchmark):
#   --rows N  --cold N  --warm N  --browser-cold N  --browser-warm N  --pool N  --threads N
#   --chromium PATH (default /usr/bin/chromium)  --skip-browser
#   --out FILE (default basin-bench/$BENCH_TARGET/dashboards-benchmark.md)  --work-dir DIR
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
if [[ $has_out == 0 ]]; then args+=(--out "$bench_dir/dashboards-benchmark.md"); fi

exec java -Xmx1g -Dlogback.configurationFile=basin-bench-logback.xml -cp "$classpath" \
  dev.basin.bench.dashboards.DashboardBenchmark --command "./bench/dashboards.sh${*:+ $*}" "${args[@]}"
