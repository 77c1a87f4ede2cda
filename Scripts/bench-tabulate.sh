#!/usr/bin/env bash
# `airlock tabulate` beside its peers (issue 22; docs/benchmarks.md, "airlock tabulate"):
# 10 million records of region x age band x sex with a cost, over a million units whose record
# counts are skewed (a few units have many records); the full cube (every margin) of the sum with
# unit-level evidence: units, sum, top two units' totals per cell.
#   airlock tabulate DATA --rows region,age_band,sex --sum cost --unit person_id --margins
#   Polars: unit totals per cell, then per-cell top_k, once per grouping set (8 for 3 dimensions)
#   DuckDB: GROUP BY CUBE(region, age_band, sex), person_id for unit totals, then per cell max(s, 2)
# 3 runs each, wall time and peak RSS. AIRLOCK_BIN picks the binary (default the release build).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench-data
DATA=bench-data/tabulate-10m.csv
ROWS="${ROWS:-10000000}"
if [ ! -s "$DATA" ]; then
  awk -v rows="$ROWS" 'BEGIN {
    srand(20261208); print "person_id,region,age_band,sex,cost"
    split("0-9 10-19 20-29 30-39 40-49 50-59 60-69 70-79 80-89 90+", bands, " ")
    for (i = 0; i < rows; i++) {
      u = rand(); unit = int(1000000 * u * u)
      printf "p%07d,R%02d,%s,%s,%d\n", unit, unit % 10, bands[1 + int(rand() * 10)], (rand() < 0.5 ? "F" : "M"), 1 + int(1000 * rand() * rand())
    }
  }' > "$DATA.tmp" && mv "$DATA.tmp" "$DATA"
fi
ls -l "$DATA"
BIN="${AIRLOCK_BIN:-.build-release/x86_64-unknown-linux-gnu/release/airlock}"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
measure() { # $1 = label, rest = command
  local label="$1"; shift
  for run in 1 2 3; do
    /usr/bin/time -f "%e %M" -o "$OUT/time" "$@" > "$OUT/log" 2>&1 || { echo "$label failed:"; tail -3 "$OUT/log"; }
    read -r wall rss < <(tail -n 1 "$OUT/time")
    echo "$label run $run: ${wall} s, $((rss / 1024)) MiB"
  done
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
measure "airlock tabulate" "$BIN" tabulate "$DATA" --rows region,age_band,sex --sum cost --unit person_id --margins --out "$OUT/t/cost" --force
measure "polars two-stage" python3 - "$DATA" <<'PY'
import sys, itertools, polars as pl
dims = ["region", "age_band", "sex"]
records = pl.scan_csv(sys.argv[1])
parts = []
for keep in itertools.product([True, False], repeat=3):
    frame = records.with_columns([pl.col(d) if k else pl.lit("Total").alias(d) for d, k in zip(dims, keep)])
    units = frame.group_by(dims + ["person_id"]).agg(pl.col("cost").sum().alias("s"))
    parts.append(units.group_by(dims).agg(pl.len().alias("n_units"), pl.col("s").sum().alias("sum"), pl.col("s").top_k(2).alias("top")))
print(pl.concat(parts).collect().height)
PY
measure "duckdb cube" python3 - "$DATA" <<'PY'
import sys, duckdb
con = duckdb.connect()
print(con.sql(f"""
  WITH u AS (SELECT region, age_band, sex, person_id, sum(cost) AS s, GROUPING(region, age_band, sex) AS g
             FROM read_csv_auto('{sys.argv[1]}') GROUP BY CUBE(region, age_band, sex), person_id)
  SELECT region, age_band, sex, g, count(*) AS n_units, sum(s) AS sum, max(s, 2) AS top FROM u GROUP BY region, age_band, sex, g
""").fetchall().__len__())
PY
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
