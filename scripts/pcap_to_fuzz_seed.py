#!/usr/bin/env python3
"""Turns TCP flows of a capture into seeds for the engine fuzzer (tests/fuzz/fuzz_engine.cpp):
one file per flow, a config byte then [length: 2 bytes big-endian][time step in 10 ms][frame].

    scripts/pcap_to_fuzz_seed.py CAPTURE.pcap OUT_DIR [--flows N] [--max-frames N] [--config BYTE]

IP fragments and non-TCP frames of the flow's two hosts go with it (IP reassembly is part of the
path the fuzzer drives)."""
import argparse
import pathlib
import struct


def frames(path):
    data = pathlib.Path(path).read_bytes()
    magic = struct.unpack_from("<I", data)[0]
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack_from(e + "IIII", data, off)
        off += 16
        yield sec * 1_000_000 + (frac // 1000 if nano else frac), data[off:off + incl]
        off += incl


def hosts_and_ports(frame):
    """((ip a, ip b), (port a, port b)) sorted, of an IPv4 frame; ports None for fragments."""
    if len(frame) < 34 or frame[12:14] != b"\x08\x00":
        return None
    ihl = (frame[14] & 15) * 4
    ips = tuple(sorted((frame[26:30], frame[30:34])))
    frag = struct.unpack_from(">H", frame, 20)[0] & 0x1FFF
    if frame[23] != 6 or frag or len(frame) < 14 + ihl + 4:
        return ips, None
    sport, dport = struct.unpack_from(">HH", frame, 14 + ihl)
    return ips, tuple(sorted((sport, dport)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("capture")
    ap.add_argument("out")
    ap.add_argument("--flows", type=int, default=8)
    ap.add_argument("--max-frames", type=int, default=400)
    ap.add_argument("--config", type=int, default=8, help="the config byte (8: rules on, checksums auto)")
    ap.add_argument("--host", help="only flows of this IPv4 address")
    ap.add_argument("--prefix", default="flow", help="seed file name prefix")
    a = ap.parse_args()
    by_flow = {}
    for ts, frame in frames(a.capture):
        hp = hosts_and_ports(frame)
        if not hp:
            continue
        ips, ports = hp
        keys = [k for k in by_flow if k[0] == ips and (ports is None or k[1] == ports)] if ports is None else [(ips, ports)]
        for k in keys:
            by_flow.setdefault(k, []).append((ts, frame))
    out = pathlib.Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    chosen = [(k, fl) for k, fl in by_flow.items()
              if not a.host or bytes(int(x) for x in a.host.split(".")) in k[0]]
    for n, (key, fl) in enumerate(chosen[:a.flows]):
        seed = bytearray([a.config])
        last = fl[0][0]
        for ts, frame in fl[:a.max_frames]:
            step = min(255, max(0, (ts - last) // 10_000))
            last = ts
            seed += struct.pack(">HB", len(frame), step) + frame
        (out / f"{a.prefix}-{n:02d}").write_bytes(bytes(seed))


main()
