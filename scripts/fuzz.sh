#!/usr/bin/env bash
# A fuzzing campaign: every libFuzzer target (tests/fuzz/fuzz_*.cpp) for N minutes on a corpus
# that persists between campaigns (seeded from tests/fuzz/corpus), P targets at a time. Prints,
# and appends to CORPUS_DIR/campaigns.md, each target's executions, coverage (libFuzzer's cov
# and ft) and findings; crashing inputs are kept in CORPUS_DIR/findings/.
#
#   scripts/fuzz.sh --minutes 30 [--parallel 2] [--corpus DIR] [--only engine,smtp]
#
# CI runs the short version (tests/fuzz/run_fuzzers.sh). A finding gets a regression test and a
# line in docs/robustness.md.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
minutes=30 parallel=1 corpus="$root/out/fuzz-corpus" only=""
while [ $# -gt 0 ]; do
  case $1 in
    --minutes) minutes=$2; shift 2 ;;
    --parallel) parallel=$2; shift 2 ;;
    --corpus) corpus=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "usage: scripts/fuzz.sh --minutes N [--parallel P] [--corpus DIR] [--only a,b]" >&2; exit 2 ;;
  esac
done
dir=build-fuzz
if [ ! -f "$dir/build.ninja" ]; then
  CXX=clang++ meson setup "$dir" -Dfuzz=true -Dtests=false -Dbuildtype=plain -Doptimization=1 >/dev/null || exit 1
fi
targets=$(cd tests/fuzz && ls fuzz_*.cpp | sed 's/\.cpp$//; s/^fuzz_//')
[ -n "$only" ] && targets=$(echo "$only" | tr ',' ' ')
ninja -C "$dir" $(for t in $targets; do echo "tests/fuzz/fuzz_$t"; done) >/dev/null || exit 1
mkdir -p "$corpus/findings" "$corpus/logs"

run_one() {  # run_one TARGET: fuzzes it, prints one summary line
  local t=$1 work="$corpus/$1" log="$corpus/logs/$1.log"
  mkdir -p "$work"
  [ -d "tests/fuzz/corpus/$t" ] && cp -n "tests/fuzz/corpus/$t/"* "$work/" 2>/dev/null
  local start=$(date +%s)
  (cd "$corpus/findings" && POSTERN_FUZZ_RULES="$root/config/rules" nice -n 10 "$root/$dir/tests/fuzz/fuzz_$t" \
     -max_total_time=$((minutes * 60)) -rss_limit_mb=2048 -timeout=25 -print_final_stats=1 \
     -artifact_prefix="$corpus/findings/$t-" "$work" >"$log" 2>&1)
  local rc=$?
  local runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
  local last=$(grep -E '#[0-9]+.*cov: ' "$log" | tail -1)
  local cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*')
  local ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*')
  local units=$(ls "$work" | wc -l)
  local found=$(ls "$corpus/findings" | grep -c "^$t-" || true)
  echo "| $t | $(( ($(date +%s) - start) / 60 )) min | ${runs:-0} | ${cov:-?} | ${ft:-?} | $units | $found | $([ $rc -eq 0 ] && echo clean || echo "exit $rc: see logs/$t.log") |"
}
export -f run_one
export corpus root dir minutes

header="| target | time | executions | coverage (cov) | features (ft) | corpus | findings | result |
| --- | --- | --- | --- | --- | --- | --- | --- |"
echo "campaign of $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD), $minutes min per target"
echo "$header"
table=$(printf '%s\n' $targets | xargs -P "$parallel" -I{} bash -c 'run_one {}')
echo "$table"
{
  echo
  echo "## $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD), $minutes min per target"
  echo
  echo "$header"
  echo "$table"
} >>"$corpus/campaigns.md"
! echo "$table" | grep -q "exit "
