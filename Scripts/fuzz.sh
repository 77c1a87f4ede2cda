#!/usr/bin/env bash
# Runs one libFuzzer target for SECONDS: Scripts/fuzz.sh TARGET SECONDS [extra libFuzzer flags]
# Targets: reader gzip rulepack manifest evidence dsse trustlist log (Fuzz/Sources/fuzz-TARGET).
# Builds Fuzz/ with the fuzzer and address sanitizers, starts from Fuzz/Corpus/TARGET (new inputs
# go to Fuzz/.corpus/TARGET, crashes to Fuzz/crashes/TARGET), and prints libFuzzer's final stats.
# FUZZ_CONFIG=debug|release (default release: optimised, still with both sanitizers, several times
# the executions per second of debug); FUZZ_MAX_LEN (default 4096, four times the largest seed:
# the limits the hostile-input tests probe need no megabyte inputs here). Extra flags come last and
# win, e.g. Scripts/fuzz.sh reader 7200 -runs=10000000. A hang is an input that runs over 60 s
# (FUZZ_TIMEOUT): at nice 19 on a busy shared machine, 10 s reported a 10 ms input as a hang.
set -euo pipefail
TARGET=${1:?usage: Scripts/fuzz.sh TARGET SECONDS}
SECONDS_TO_RUN=${2:-60}
shift 2 || true
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT/Fuzz"
CONFIG=${FUZZ_CONFIG:-release}
build() { swift build -c "$CONFIG" --sanitize=address -Xswiftc -sanitize=fuzzer --product "fuzz-$TARGET" >&2; }
# SwiftPM keeps the build plan of a path dependency: a target added to the main package since the
# last fuzz build ("no such module") needs the plan made again (the compiled objects are kept).
if ! build; then
  echo "fuzz.sh: build failed; making the build plan again (.build/$CONFIG.yaml) and retrying" >&2
  rm -f ".build/$CONFIG.yaml"
  build
fi
BIN="$(swift build -c "$CONFIG" --sanitize=address -Xswiftc -sanitize=fuzzer --show-bin-path)/fuzz-$TARGET"
mkdir -p ".corpus/$TARGET" "crashes/$TARGET"
# Swift runtime globals show up as leaks at exit; leaks are not what these targets look for.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}
exec "$BIN" ".corpus/$TARGET" "Corpus/$TARGET" -max_total_time="$SECONDS_TO_RUN" -timeout="${FUZZ_TIMEOUT:-60}" -rss_limit_mb=2048 \
  -max_len="${FUZZ_MAX_LEN:-4096}" -artifact_prefix="crashes/$TARGET/" -print_final_stats=1 "$@"
