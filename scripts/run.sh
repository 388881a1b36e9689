#!/usr/bin/env bash
# The main job on the bundled default: installs what is missing, builds, and runs postern on the
# sample capture named by config/postern.json through the real DPDK path (net_pcap vdev).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh build
exec build/app/postern --config config/postern.json "$@"
