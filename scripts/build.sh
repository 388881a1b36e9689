#!/usr/bin/env bash
# Configures (once) and builds a build directory; prints the compiler output only on failure.
# Usage: scripts/build.sh [DIR [meson options...]]   (DIR defaults to build: release, -O3)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ ! -f "$dir/build.ninja" ]; then
  meson setup "$dir" "$@" >"$log" 2>&1 || { cat "$log"; exit 1; }
fi
ninja -C "$dir" -j "${JOBS:-$(nproc)}" ${TARGETS:-} >"$log" 2>&1 || { tail -n 60 "$log"; exit 1; }
