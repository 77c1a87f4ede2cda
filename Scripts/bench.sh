#!/usr/bin/env bash
# Builds airlock and airlock-bench in release mode, makes sure the Python peers are installed, and
# runs the benchmark (results printed and written to docs/benchmarks.md). Arguments: none; settings
# come from the environment (AIRLOCK_BENCH_BYTES, AIRLOCK_BENCH_RUNS, ...; see docs/benchmarks.md).
set -euo pipefail
cd "$(dirname "$0")/.."

# SwiftPM waits by itself for another build holding .build. Others may be mid-edit, so when a build
# fails but an earlier binary exists, say so and benchmark that binary.
build() {
  if swift build -c release --product "$1"; then return 0; fi
  if [ -x ".build/release/$1" ]; then
    echo "bench.sh: swift build --product $1 failed; using the existing .build/release/$1 ($(date -r ".build/release/$1" '+%F %T'))" >&2
    return 0
  fi
  return 1
}

build airlock
build airlock-bench

python="${AIRLOCK_BENCH_PYTHON:-python3}"
if [ -n "${AIRLOCK_BENCH_PEERS-polars,duckdb,pandas}" ] && ! "$python" -c 'import polars, duckdb, pandas' 2>/dev/null; then
  echo "bench.sh: installing polars, duckdb and pandas" >&2
  "$python" -m pip install --quiet polars duckdb pandas \
    || "$python" -m pip install --quiet --break-system-packages polars duckdb pandas
fi

exec .build/release/airlock-bench
