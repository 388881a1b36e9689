"""Splits a classic pcap by TCP/UDP flow, as a packet broker with symmetric load balancing splits
a link between appliances: both directions of a flow go to the same part."""
import struct


def _flow_of(frame):
    """(low endpoint, high endpoint) of an Ethernet frame's IPv4/IPv6 flow, or None."""
    off, ethertype = 14, struct.unpack("!H", frame[12:14])[0]
    while ethertype in (0x8100, 0x88A8):
        ethertype, off = struct.unpack("!H", frame[off + 2:off + 4])[0], off + 4
    if ethertype == 0x0800:
        ihl, proto = (frame[off] & 0x0F) * 4, frame[off + 9]
        src, dst, l4 = frame[off + 12:off + 16], frame[off + 16:off + 20], off + ihl
    elif ethertype == 0x86DD:
        proto, src, dst, l4 = frame[off + 6], frame[off + 8:off + 24], frame[off + 24:off + 40], off + 40
    else:
        return None
    ports = struct.unpack("!HH", frame[l4:l4 + 4]) if proto in (6, 17) else (0, 0)
    return tuple(sorted([(src, ports[0]), (dst, ports[1])])) + (proto,)


def split_pcap(path, parts, choose):
    """Writes each frame of `path` to parts[choose(flow)] (frames that are no flow go to part 0).
    choose(flow) gets the flow tuple and returns an index or None (the frame is left out)."""
    data = path.read_bytes()
    header, off = data[:24], 24
    outs = [bytearray(header) for _ in parts]
    while off < len(data):
        incl = struct.unpack("<I", data[off + 8:off + 12])[0]
        record = data[off:off + 16 + incl]
        flow = _flow_of(record[16:])
        i = 0 if flow is None else choose(flow)
        if i is not None:
            outs[i] += record
        off += 16 + incl
    for p, out in zip(parts, outs):
        p.write_bytes(bytes(out))
