#!/usr/bin/env bash
# Deployment build: link-time and profile-guided optimisation. Builds postern instrumented, runs
# it offline over a synthetic mail mix (its own seed, not the benchmark's), then rebuilds it with
# that profile and LTO. Takes about 4 minutes on 2 cores; the result is DIR/app/postern.
# Usage: scripts/build_pgo.sh [DIR]   (DIR defaults to build-pgo)
# The profile only steers code layout, inlining and branch order, not what the code computes.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-pgo}
train=$(mktemp -d)
trap 'rm -rf "$train"' EXIT

# build.sh sets a new DIR up with these options; an existing one goes back to instrumenting.
[ -f "$dir/build.ninja" ] && meson configure "$dir" -Db_pgo=generate >/dev/null
[ -d "$dir" ] && find "$dir" -name '*.gcda' -delete  # a profile of an older tree would not match this one
env TARGETS="app/postern app/synth/postern-synth" scripts/build.sh "$dir" -Dtests=false -Db_lto=true -Db_pgo=generate

echo "build_pgo: training on a synthetic mail mix"
"$dir/app/synth/postern-synth" --out "$train/mix.pcap" --expected "$train/truth.json" --seed 7 --flows 3000 \
  --target-bytes 60M --payload smtp,pop3,imap --ports auto --bytes-per-flow 1K:1M >/dev/null
postern=$(realpath "$dir/app/postern")  # DIR may be relative or absolute
rules=$PWD/config/rules  # named: a DIR outside the tree would not find the shipped set by itself
(cd "$train" && "$postern" -r mix.pcap --rules "$rules" --eve-log eve.json >run.log 2>&1) || { tail -20 "$train/run.log"; exit 1; }

meson configure "$dir" -Db_pgo=use >/dev/null
env TARGETS=app/postern scripts/build.sh "$dir"
echo "build_pgo: $dir/app/postern"
