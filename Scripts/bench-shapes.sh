#!/usr/bin/env bash
# Writes the two 1 GB long frequency tables the structure benchmark reads (docs/benchmarks.md,
# "Structure found from the numbers"): region x age band x code with a count, 50 x 20 x N cells.
#   bench-data/sorted.csv    every cell once, codes outermost (the easy case; as airlock-bench's big.csv)
#   bench-data/unsorted.csv  33.7 million rows of 5.9 million distinct cells drawn at random: labels
#                            in random order and keys repeated, as an unsorted export of records is
# Then times `airlock check --rules default` on each (and on AIRLOCK_BEFORE, an older binary, if
# given) beside Polars' scan/filter/count, 3 runs each, with peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench-data
gen() { # $1 = output, $2 = mode
  awk -v mode="$2" 'BEGIN {
    srand(20261207); print "region,age_band,code,n"
    if (mode == "sorted") {
      bytes = 0
      for (code = 0; bytes < 1000000000; code++)
        for (r = 1; r <= 50; r++) for (a = 0; a < 20; a++) {
          u = rand(); n = (u < 0.1) ? int(rand() * 10) : 10 + int(rand() * 290)
          line = sprintf("E12%05d,%d-%d,X%05d,%d", r, a * 5, a * 5 + 4, code, n); print line; bytes += length(line) + 1
        }
    } else {
      for (i = 0; i < 33700000; i++) {
        r = 1 + int(rand() * 50); a = int(rand() * 20); code = int(rand() * 5900)
        u = rand(); n = (u < 0.1) ? int(rand() * 10) : 10 + int(rand() * 290)
        printf "E12%05d,%d-%d,X%05d,%d\n", r, a * 5, a * 5 + 4, code, n
      }
    }
  }' > "$1.tmp" && mv "$1.tmp" "$1"
}
[ -s bench-data/sorted.csv ] || gen bench-data/sorted.csv sorted
[ -s bench-data/unsorted.csv ] || gen bench-data/unsorted.csv unsorted
ls -l bench-data/sorted.csv bench-data/unsorted.csv
[ "${1-}" = "--generate-only" ] && exit 0
AFTER="${AIRLOCK_AFTER:-.build/release/airlock}"
measure() { # $1 = label, rest = command
  local label="$1"; shift
  for run in 1 2 3; do
    /usr/bin/time -f "%e %M" -o /tmp/bench-shapes.time "$@" > /dev/null 2>&1 || true
    read -r wall rss < <(tail -n 1 /tmp/bench-shapes.time)
    echo "$label run $run: ${wall} s, $((rss / 1024)) MiB"
  done
}
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for file in sorted unsorted; do
  [ -n "${AIRLOCK_BEFORE-}" ] && measure "before $file" "$AIRLOCK_BEFORE" check "bench-data/$file.csv" --rules default
  measure "after $file" "$AFTER" check "bench-data/$file.csv" --rules default
  measure "polars $file" python3 -c "import polars as pl; print(pl.scan_csv('bench-data/$file.csv').filter(pl.col('n') < 10).select(pl.len()).collect())"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
