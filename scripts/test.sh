#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, builds (release for the dataplane tests,
# debug with ASan+UBSan for the unit tests), runs every suite and ends with "N passed, N failed".
# Each step prints its wall time, peak memory and bytes written (scripts/run_step.py); a step that
# crashes still counts its tests (tests/run_gtest.py, tests/progress_plugin.py).
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
results=$root/out/test-results
rm -rf "$results" && mkdir -p "$results"
# Every temporary file of the suite stays in the project's out/ and goes with the next run.
export TMPDIR=$root/out/tmp
rm -rf "$TMPDIR" && mkdir -p "$TMPDIR"
# Sanitizer findings end the process (the build also says -fno-sanitize-recover=all).
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1
export PYTHONPATH=$root/tests${PYTHONPATH:+:$PYTHONPATH}

step() {  # step NAME TIMEOUT_MINUTES COMMAND...
  local name=$1 minutes=$2; shift 2
  echo "== $name"
  /usr/bin/python3 scripts/run_step.py "$results" "$name" --timeout $((minutes * 60)) -- "$@" || echo "!! $name failed"
}

pytest_step() {  # pytest_step NAME TIMEOUT_MINUTES PYTEST_ARGS...
  local name=$1 minutes=$2; shift 2
  step "$name" "$minutes" env POSTERN_BUILD="$root/build" POSTERN_PROGRESS="$results/$name.progress.jsonl" \
    /usr/bin/python3 -m pytest -q -rsx -p no:cacheprovider -p progress_plugin \
    --junitxml="$results/$name.xml" "$@"
}

scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
# Release: only the programs the suites run (the unit tests run from the sanitizer build).
step build 60 env TARGETS="app/postern app/synth/postern-synth" scripts/build.sh build
# -O1: meson.build's default optimization=3 would override buildtype=debug, and ASan+UBSan at -O3
# took 22 of the suite's 45 minutes to compile; at -O1 about 8, and the unit tests still take ~20 s.
step build-asan 60 env TARGETS=tests/unit_tests scripts/build.sh build-asan -Dbuildtype=debug -Doptimization=1 \
  -Db_sanitize=address,undefined

if [ -x build-asan/tests/unit_tests ]; then
  step unit-tests 30 /usr/bin/python3 tests/run_gtest.py build-asan/tests/unit_tests "$results/unit-tests.xml"
fi
if [ -x build/app/postern ]; then
  step rules-check 5 build/app/postern rules check config/rules
  pytest_step dataplane-tests 40 --basetemp="$TMPDIR/dataplane" tests/dataplane tests/evasion tests/golden
  # Real Postfix/Dovecot and clients in network namespaces, postern live on the mirrored tap.
  # Skips (with the reason) where namespaces cannot be made; the run's files stay in out/e2e.
  pytest_step e2e-tests 30 --basetemp="$root/out/e2e" tests/e2e
fi
# 12 s per target keeps the whole suite under 45 minutes on 2 CPUs; scripts/fuzz.sh runs campaigns.
step fuzz 20 tests/fuzz/run_fuzzers.sh "$results" "${FUZZ_SECONDS:-12}"

# The dataplane tests' captures and EVE files (~270 MB) go now that the run is over; failures are
# already in the JUnit files. The e2e run's files (~15 MB) stay in out/e2e for a look.
rm -rf "$TMPDIR"
/usr/bin/python3 scripts/summarize_results.py "$results"
