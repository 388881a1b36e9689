#!/usr/bin/env bash
# Installs every Debian package Postern builds, runs and tests with. Idempotent: does nothing
# when all are present. Run as root on Debian 12.
set -euo pipefail

PACKAGES=(
  # build
  g++ meson ninja-build pkg-config
  # the customer's stack
  dpdk dpdk-dev libdpdk-dev libhyperscan-dev libboost-dev nlohmann-json3-dev libpcap-dev
  # tests and tools
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-pytest python3-jsonschema
  clang libclang-rt-14-dev tcpdump tshark iproute2 procps
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
