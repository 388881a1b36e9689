#!/usr/bin/env bash
# Builds every libFuzzer target with clang (ASan+UBSan) and runs each for a bounded time on a
# copy of its seed corpus (the tree's corpus is not modified). Writes RESULTS/fuzz.xml (JUnit), one
# test case per target. Usage: tests/fuzz/run_fuzzers.sh RESULTS_DIR [SECONDS_PER_TARGET]
set -uo pipefail
cd "$(dirname "$0")/../.."
results=${1:?results folder}
seconds=${2:-${FUZZ_SECONDS:-20}}
mkdir -p "$results"
dir=build-fuzz-ci
if [ ! -f "$dir/build.ninja" ]; then
  # -O1 explicitly: meson.build's default optimization=3 would apply (slow to build with ASan).
  CXX=clang++ meson setup "$dir" -Dfuzz=true -Dtests=false -Dbuildtype=plain -Doptimization=1 >/dev/null || exit 1
fi
targets=$(cd tests/fuzz && ls fuzz_*.cpp | sed 's/\.cpp$//')
ninja -C "$dir" -j "$(nproc)" $(for t in $targets; do echo "tests/fuzz/$t"; done) >"$results/fuzz-build.log" 2>&1 ||
  { tail -40 "$results/fuzz-build.log"; exit 1; }

xml="$results/fuzz.xml"
cases=""
failures=0
for t in $targets; do
  name=${t#fuzz_}
  work=$(mktemp -d)
  [ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/"
  log="$results/fuzz-$name.log"
  if (cd "$work" && POSTERN_FUZZ_RULES="$OLDPWD/config/rules" "$OLDPWD/$dir/tests/fuzz/$t" -max_total_time="$seconds" -rss_limit_mb=2048 \
        -print_final_stats=1 . >"$log" 2>&1); then
    echo "fuzz $name: ok ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs)"
    cases+="<testcase classname=\"fuzz\" name=\"$name\"/>"
  else
    failures=$((failures + 1))
    crash=$(ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$work"/oom-* 2>/dev/null | head -1)
    [ -n "$crash" ] && cp "$crash" "$results/"
    echo "fuzz $name: FAILED (see $log); its end:"
    # The finding itself, so a CI log that keeps only stdout still says what broke.
    grep -E "ERROR|what\(\)|terminate|SUMMARY|^    #[0-9] |runtime error|Base64:" "$log" | head -25 | sed 's/^/    /'
    [ -n "$crash" ] && echo "    input kept as $results/$(basename "$crash")"
    cases+="<testcase classname=\"fuzz\" name=\"$name\"><failure message=\"fuzzer found a crash\"/></testcase>"
  fi
  rm -rf "$work"
done
echo "<testsuite name=\"fuzz\" tests=\"$(echo $targets | wc -w)\" failures=\"$failures\">$cases</testsuite>" >"$xml"
[ "$failures" -eq 0 ]
