#!/usr/bin/env bash
# Regenerates config/sample.pcap: five minutes of ordinary SMTP/POP3/IMAP from the synthesizer,
# then a few labelled scenarios (docs/synth.md) that make the README's first command show alerts
# from different detectors and rules. Deterministic: same binary, same bytes.
set -euo pipefail
cd "$(dirname "$0")/.."
synth=${1:-build/app/synth/postern-synth}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$synth" --seed 1 --payload smtp,pop3,imap --ports auto --flows 100 --duration 300 \
    --bytes-per-flow 1K:20K --out "$tmp/mail.pcap"
# Scenario attacks start 9 h after --start-time: this puts them right after the mail mix.
"$synth" --seed 1 --start-time $((1700000400 - 9 * 3600)) --out "$tmp/attacks.pcap" \
    --scenario mal_pop3_beacon_15s,mal_header_smuggling,mal_stego_png,mal_exe_as_pdf,mal_tool_envelope,mal_non_mail_on_port_25
/usr/bin/python3 - "$tmp/mail.pcap" "$tmp/attacks.pcap" config/sample.pcap <<'PY'
import struct, sys
records, header = [], None
for path in sys.argv[1:3]:
    data = open(path, "rb").read()
    header = header or data[:24]
    off = 24
    while off < len(data):
        sec, usec, incl, _ = struct.unpack("<IIII", data[off:off + 16])
        records.append((sec, usec, len(records), data[off:off + 16 + incl]))
        off += 16 + incl
records.sort()
with open(sys.argv[3], "wb") as out:
    out.write(header)
    for r in records:
        out.write(r[3])
PY
echo "config/sample.pcap: $(stat -c %s config/sample.pcap) bytes"
