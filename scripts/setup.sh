#!/usr/bin/env bash
# Installs every Debian package Postern builds, runs and tests with. Idempotent: does nothing
# when all are present. Run as root on Debian 12.
set -euo pipefail

PACKAGES=(
  # build
  g++ meson ninja-build pkg-config
  # the customer's stack
  dpdk dpdk-dev libdpdk-dev libhyperscan-dev libboost-dev nlohmann-json3-dev libpcap-dev libssl-dev libhiredis-dev
  # tests and tools
  libgtest-dev libgmock-dev libbenchmark-dev python3 python3-pytest python3-jsonschema
  clang libclang-rt-14-dev tcpdump tshark iproute2 procps
  # e2e testbed (tests/e2e): real servers and clients in network namespaces; benchmark peer
  postfix dovecot-core dovecot-imapd dovecot-pop3d swaks curl openssl ethtool iputils-ping libndpi-bin
  # swaks --tls needs Net::SSLeay, only a Recommends of swaks
  libnet-ssleay-perl
  # the labelled corpus (scripts/make_corpus.py): more real clients, and a lossy link by nftables
  msmtp mutt fetchmail nftables
  # evasion tests: captures rewritten with the tricks an attacker plays (tests/evasion)
  python3-scapy
  # EVE to Redis tests start their own redis-server on loopback
  redis-server
  # control plane tests: promtool and a real Prometheus server
  prometheus
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Postfix asks how to configure itself: the testbed runs its own instances from tests/e2e/config.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  echo "postfix postfix/mailname string postern-e2e.example" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The e2e testbed runs its own Postfix and Dovecot inside a network namespace; the system
# instances that installing the packages may have started must not listen on the host.
for svc in postfix dovecot; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$svc" 2>/dev/null; then
    systemctl stop "$svc" && systemctl disable --quiet "$svc" || true
  elif [ -x "/etc/init.d/$svc" ] && "/etc/init.d/$svc" status >/dev/null 2>&1; then
    "/etc/init.d/$svc" stop >/dev/null 2>&1 || true
  fi
done
