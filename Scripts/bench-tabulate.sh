#!/usr/bin/env bash
# `airlock tabulate` beside its peers (issue 22; docs/benchmarks.md, "airlock tabulate"):
# 10 million records of region x age band x sex with a cost, over a million units whose record
# counts are skewed (a few units have many records); the full cube (every margin) of the sum with
# unit-level evidence: units, sum, top two units' totals per cell.
#   airlock tabulate DATA --rows region,age_band,sex --sum cost --unit person_id --margins
#   Polars: unit totals per full cell from the records, then per grouping set (8 for 3 dimensions)
#           units' totals re-added and per-cell top_k
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
cat > "$OUT/peer_polars.py" <<'PY'
import sys, itertools, polars as pl
dims = ["region", "age_band", "sex"]
# Stage one: each unit's total in each full cell (the 10 million records read once).
units = pl.scan_csv(sys.argv[1]).group_by(dims + ["person_id"]).agg(pl.col("cost").sum().alias("s")).collect()
parts = []
for keep in itertools.product([True, False], repeat=3):
    kept = [d for d, k in zip(dims, keep) if k]
    # A unit's total in a margin is the sum of its totals in the cells the margin adds up.
    frame = units.lazy().group_by(kept + ["person_id"]).agg(pl.col("s").sum()) if len(kept) < 3 else units.lazy()
    frame = frame.with_columns([pl.lit("Total").alias(d) for d, k in zip(dims, keep) if not k])
    parts.append(frame.group_by(dims).agg(pl.len().alias("n_units"), pl.col("s").sum().alias("sum"), pl.col("s").top_k(2).alias("top")))
print(pl.concat(pl.collect_all(parts)).height)
PY
cat > "$OUT/peer_duckdb.py" <<'PY'
import sys, duckdb
con = duckdb.connect()
print(len(con.sql(f"""
  WITH u AS (SELECT region, age_band, sex, person_id, sum(cost) AS s, GROUPING(region, age_band, sex) AS g
             FROM read_csv_auto('{sys.argv[1]}') GROUP BY CUBE(region, age_band, sex), person_id)
  SELECT region, age_band, sex, g, count(*) AS n_units, sum(s) AS sum, max(s, 2) AS top FROM u GROUP BY region, age_band, sex, g
""").fetchall()))
PY
measure "polars two-stage" python3 "$OUT/peer_polars.py" "$DATA"
measure "duckdb cube" python3 "$OUT/peer_duckdb.py" "$DATA"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
