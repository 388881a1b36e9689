#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, builds (release for the dataplane tests,
# debug with ASan+UBSan for the unit tests), runs every suite and ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
results=$root/out/test-results
rm -rf "$results" && mkdir -p "$results"
steps=$results/steps.txt
: >"$steps"

step() {  # step NAME COMMAND...: runs a step, records pass/fail for the summary
  local name=$1; shift
  echo "== $name"
  if "$@"; then echo "$name passed" >>"$steps"; else echo "$name failed" >>"$steps"; echo "!! $name failed"; fi
}

scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
step build scripts/build.sh build
step build-asan env TARGETS=tests/unit_tests scripts/build.sh build-asan -Dbuildtype=debug -Db_sanitize=address,undefined

if [ -x build-asan/tests/unit_tests ]; then
  step unit-tests build-asan/tests/unit_tests --gtest_brief=1 --gtest_output="xml:$results/unit-tests.xml"
fi
if [ -x build/app/postern ]; then
  step rules-check build/app/postern rules check config/rules
  step dataplane-tests env POSTERN_BUILD="$root/build" /usr/bin/python3 -m pytest -q -p no:cacheprovider \
    --junitxml="$results/dataplane-tests.xml" tests/dataplane
fi
if [ -x build/app/postern ]; then
  # Real Postfix/Dovecot and clients in network namespaces, postern live on the mirrored tap.
  # Skips (with the reason) where namespaces cannot be made; the run's files stay in out/e2e.
  step e2e-tests env POSTERN_BUILD="$root/build" /usr/bin/python3 -m pytest -q -rsx -p no:cacheprovider \
    --basetemp="$root/out/e2e" --junitxml="$results/e2e-tests.xml" tests/e2e
fi
step fuzz tests/fuzz/run_fuzzers.sh "$results" "${FUZZ_SECONDS:-20}"

/usr/bin/python3 scripts/summarize_results.py "$results"
