#!/usr/bin/env bash
# Crash loop: kills airlock with SIGKILL at random points of submit, vote, submit-review, approve,
# release (and the log appends each makes), N times, and after every kill checks that
#   - the store opens (`airlock queue`), and `airlock log verify` passes as the kill left it, with
#     no `airlock log sync` first (a kill inside a log append is counted: verify notes it);
#   - `airlock log sync` brings the log level with the store (every event logged exactly once), and
#     `airlock log verify` still passes;
#   - no request is lost (every id a submit printed is in the store) or half-released: every
#     request the store calls released has a folder that passes `airlock verify --files` with the
#     pinned log key, as the kill left it (issue 19 §8: the folder is final once the store says so);
#   - the interrupted command can be run again: it succeeds, or refuses only because it had
#     already taken effect (the request is in the state the command leads to).
# Usage: Scripts/crash-loop.sh N [AIRLOCK_BINARY]     (default .build/debug/airlock)
# Prints one summary line: "crash-loop: N kills, S survived, F failures"; exits 1 on any failure.
set -uo pipefail
N=${1:-20}
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
A=${2:-$ROOT/.build/debug/airlock}
[ -x "$A" ] || { echo "crash-loop: no airlock binary at $A (run swift build)"; exit 2; }
W=$(mktemp -d "${TMPDIR:-/tmp}/airlock-crash-XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W"
export NO_COLOR=1 AIRLOCK_STORE="$W/store"
for who in "alice airlock-submit" "bob airlock-review" "carol airlock-review" "ops airlock-release"; do
  set -- $who
  "$A" keygen --out "$1.key" --principal "$1@tre" --role "$2" | tail -1 >> allowed_signers
done
"$A" init --trust allowed_signers --rules default > /dev/null || { echo "crash-loop: init failed"; exit 2; }
printf 'region,count\nNorth,15\nSouth,40\n' > table.csv
# A bigger output too, so that the copy into the store takes long enough to be interrupted.
{ echo "region,count"; for i in $(seq 1 20000); do echo "R$i,$((i % 50 + 10))"; done; } > big.csv
: > known-ids
fail=0; survived=0; interrupted=0
failure() { echo "crash-loop: kill $1: $2"; fail=$((fail + 1)); }
status_of() { "$A" status "$1" --json 2>/dev/null | python3 -c 'import json,sys; d=json.load(sys.stdin); d=d[0] if isinstance(d,list) else d; print(d.get("status",""))' 2>/dev/null; }

REQ=""; step=0
# The workflow, one step at a time: the command and the status it leads to.
command_for() {
  case $1 in
    0) echo "submit table.csv big.csv --project p --group g --context c --controls c --key alice.key|submitted" ;;
    1) echo "vote $REQ table.csv approve --comment ok --key bob.key|submitted" ;;
    2) echo "vote $REQ big.csv approve --comment ok --key bob.key|submitted" ;;
    3) echo "submit-review $REQ --key bob.key|partially_reviewed" ;;
    4) echo "vote $REQ table.csv approve --comment ok --key carol.key|partially_reviewed" ;;
    5) echo "vote $REQ big.csv approve --comment ok --key carol.key|partially_reviewed" ;;
    6) echo "submit-review $REQ --key carol.key|approved reviewed" ;;
    7) echo "approve $REQ --key bob.key|approved" ;;
    8) echo "release $REQ --to released/$REQ --key ops.key|released" ;;
  esac
}

for i in $(seq 1 "$N"); do
  spec=$(command_for $step); cmd=${spec%%|*}; expect=${spec#*|}
  delay=$(awk -v s=$RANDOM 'BEGIN { srand(s); printf "%.3f", rand() * 0.25 }')
  # shellcheck disable=SC2086
  "$A" $cmd > out.txt 2> err.txt &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2> /dev/null
  wait "$pid" 2> /dev/null
  # A submit that printed its id before the kill must not be lost.
  if [ $step -eq 0 ] && grep -q '^req-' out.txt; then REQ=$(grep '^req-' out.txt); echo "$REQ" >> known-ids; fi
  ok=1
  "$A" queue --key bob.key > /dev/null 2> q.err || { failure $i "store does not open after '$cmd': $(cat q.err)"; ok=0; }
  # The log must verify as the kill left it. A kill inside a log append leaves an append that the
  # log's signed pending record proves (verify passes and notes it; the next change finishes it):
  # counted.
  "$A" log verify > v.out 2> v.err || { failure $i "log verify fails after '$cmd' (no log sync): $(cat v.err)"; ok=0; }
  grep -q '^note: an append was interrupted' v.out && interrupted=$((interrupted + 1))
  # Every released folder is complete and holds nothing else, before anything is run again.
  while read -r id; do
    [ "$(status_of "$id")" = released ] || continue
    "$A" verify "released/$id/$id.review.json" --trust allowed_signers --files "released/$id" --log-key store/log/log.vkey \
      > /dev/null 2> f.err || { failure $i "released folder of $id fails verify --files after '$cmd': $(cat f.err)"; ok=0; }
  done < known-ids
  "$A" log sync > /dev/null 2> s.err || { failure $i "log sync fails after '$cmd': $(cat s.err)"; ok=0; }
  "$A" log verify > /dev/null 2> v.err || { failure $i "log verify fails after '$cmd' and log sync: $(cat v.err)"; ok=0; }
  # Every store event is in the log exactly once.
  python3 - "$W/store" <<'PY' || { failure $i "log and store disagree after '$cmd'"; ok=0; }
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1] + "/airlock.sqlite")
events = [r[0] for r in db.execute("SELECT id FROM event ORDER BY id")]
logged = [json.loads(l)["eventId"] for l in open(sys.argv[1] + "/log/entries.jsonl") if l.strip()]
sys.exit(0 if logged == events else 1)
PY
  # Run the interrupted command again, to the end.
  # shellcheck disable=SC2086
  "$A" $cmd > out.txt 2> err.txt; rc=$?
  if [ $step -eq 0 ]; then
    if [ $rc -ne 0 ]; then failure $i "submit again failed: $(cat err.txt)"; ok=0; else REQ=$(cat out.txt); echo "$REQ" >> known-ids; fi
  else
    now=$(status_of "$REQ")
    if [ $rc -ne 0 ] && ! [[ " $expect " == *" $now "* ]]; then failure $i "'$cmd' cannot run again ($now): $(cat err.txt)"; ok=0; fi
    if [ $step -eq 8 ]; then
      "$A" verify "released/$REQ/$REQ.review.json" --trust allowed_signers --files "released/$REQ" --log-key store/log/log.vkey \
        > /dev/null 2> r.err \
        || { failure $i "half-released $REQ: $(cat r.err)"; ok=0; }
    fi
  fi
  # No request lost.
  while read -r id; do
    [ -n "$(status_of "$id")" ] || { failure $i "request $id lost"; ok=0; }
  done < known-ids
  [ $ok -eq 1 ] && survived=$((survived + 1))
  step=$(((step + 1) % 9))
done
"$A" log verify > /dev/null || { echo "crash-loop: final log verify failed"; fail=$((fail + 1)); }
echo "crash-loop: $N kills, $survived survived, $fail failures, $(wc -l < known-ids) requests, $interrupted inside a log append (verified without 'log sync')"
[ $fail -eq 0 ]
