#!/usr/bin/env bash
# Renders an HTML report of samples in headless Chromium and checks the screenshot: every cell
# with a finding is highlighted, in the colour of its outcome (run by .ci/run; needs `chromium`).
# Usage: Scripts/test_html_report.sh [path/to/airlock]   (keeps the screenshot in $OUT, default a temp dir)
set -euo pipefail
cd "$(dirname "$0")/.."
AIRLOCK=${1:-.build/debug/airlock}
OUT=${OUT:-$(mktemp -d)}
mkdir -p "$OUT" && OUT=$(cd "$OUT" && pwd)
BROWSER=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$BROWSER" ]; then echo "test_html_report: no chromium found (apt-get install chromium)"; exit 1; fi
FILES=(samples/frequency/diagnosis_by_age_sex.csv samples/frequency/suppressed_with_markers.csv samples/summary/length_of_stay.csv)
set +e
"$AIRLOCK" report "${FILES[@]}" --html "$OUT/report.html" --quiet
status=$?
set -e
if [ "$status" -ne 1 ]; then echo "airlock report exited $status, expected 1"; exit 1; fi
# The report must be self-contained: nothing fetched from anywhere.
if grep -Eq '(src|href)="(https?:)?//|@import|url\(' "$OUT/report.html"; then
  echo "the HTML report refers to a network resource"; exit 1
fi
# Expected highlighted cells: findings with a line and a column, one per distinct cell (worst outcome).
read -r FAIL REVIEW < <("$AIRLOCK" check "${FILES[@]}" --format json | python3 -c '
import json, sys
cells = {}
for output in json.load(sys.stdin)["outputs"]:
    for f in output["findings"]:
        if "line" in f and "column" in f:
            key = (output["file"], f["line"], f["column"])
            cells[key] = "fail" if f["outcome"] == "fail" or cells.get(key) == "fail" else "review"
print(sum(v == "fail" for v in cells.values()), sum(v == "review" for v in cells.values()))')
timeout 180 "$BROWSER" --headless --no-sandbox --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
  --window-size=1280,1600 --screenshot="$OUT/report.png" "file://$OUT/report.html" 2>/dev/null
FAIL_FILL=$(sed -n 's/.*failFill = "\(#[0-9a-f]*\)".*/\1/p' Sources/Airlock/Reporters/HTMLReporter.swift)
REVIEW_FILL=$(sed -n 's/.*reviewFill = "\(#[0-9a-f]*\)".*/\1/p' Sources/Airlock/Reporters/HTMLReporter.swift)
python3 Scripts/check_screenshot.py "$OUT/report.png" "$FAIL_FILL" "$REVIEW_FILL" "$FAIL" "$REVIEW"
echo "HTML report screenshot checked: $OUT/report.png"
