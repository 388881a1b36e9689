"""postern -r forgives real captures as tcpdump and Suricata do: a capture cut short is read up to
its last whole packet (a warning, exit 0); a file that is not a capture says so; pcapng works;
several files or a folder are one continuous run (flows that span files continue) with the same
EVE as the single file; the end of the run lists the alerts by signature."""
import collections
import gzip
import json
import struct

import pytest

from conftest import ROOT, read_eve, run_postern

SAMPLE = ROOT / "config" / "sample.pcap"


def read_records(path):
    """The (header, data) records of a little-endian microsecond pcap."""
    raw = path.read_bytes()
    assert struct.unpack_from("<I", raw)[0] == 0xA1B2C3D4
    out, at = [], 24
    while at + 16 <= len(raw):
        sec, usec, caplen, wirelen = struct.unpack_from("<IIII", raw, at)
        out.append(((sec, usec, caplen, wirelen), raw[at + 16:at + 16 + caplen]))
        at += 16 + caplen
    return raw[:24], out


def write_records(path, header, records):
    with open(path, "wb") as f:
        f.write(header)
        for h, data in records:
            f.write(struct.pack("<IIII", *h) + data)


def write_pcapng(path, records):
    """One section, one Ethernet interface (microseconds), an enhanced packet block per record."""
    def block(kind, body):
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", kind, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
    with open(path, "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        f.write(block(1, struct.pack("<HHI", 1, 0, 262144)))
        for (sec, usec, caplen, wirelen), data in records:
            ts = sec * 1_000_000 + usec
            f.write(block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, caplen, wirelen) + data))


def offline(tmp_path, *paths, name="eve.json", check=True):
    eve = tmp_path / name
    proc = run_postern("-r", *paths, "--eve-log", eve, check=check)
    return proc, eve


def same_records(got, want):
    """Equal record lists; on a difference, the first few records each side has alone."""
    if got == want:
        return True
    only_got = [r for r in got if r not in set(want)][:3]
    only_want = [r for r in want if r not in set(got)][:3]
    raise AssertionError(f"{len(got)} records against {len(want)}; only here: {only_got}; only in the reference: {only_want}")


def normalised(eve):
    """EVE records without what differs between runs of the same packets: flow ids, the stats
    record, and in_iface (the capture's name)."""
    out = []
    for e in read_eve(eve):
        if e["event_type"] == "stats":
            continue
        e.pop("flow_id", None)
        e.pop("in_iface", None)
        out.append(json.dumps(e, sort_keys=True))
    return sorted(out)


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    """The sample capture read as one file: the reference for the other forms."""
    d = tmp_path_factory.mktemp("whole")
    proc, eve = offline(d, SAMPLE)
    return proc, normalised(eve)


def test_truncated_capture_is_read_to_its_last_whole_packet(tmp_path):
    header, records = read_records(SAMPLE)
    cut = tmp_path / "cut.pcap"
    raw = SAMPLE.read_bytes()
    keep = 24 + sum(16 + len(d) for _, d in records[:300])
    cut.write_bytes(raw[:keep + 16 + 40])  # a record header and 40 of its bytes: tcpdump killed mid-write
    proc, eve = offline(tmp_path, cut)
    assert "warning: " in proc.stderr and "is damaged after 300 whole packets (truncated dump file" in proc.stderr
    assert "postern: 300 packets" in proc.stderr, proc.stderr
    flows = [e for e in read_eve(eve) if e["event_type"] == "flow"]
    assert flows and sum(e["flow"]["pkts_toserver"] + e["flow"]["pkts_toclient"] for e in flows) == 300


def test_capture_damaged_in_the_middle_stops_there(tmp_path):
    """A record whose length is impossible: libpcap cannot go on, and neither does Postern, even
    though bytes follow (they would be read as garbage packets)."""
    header, records = read_records(SAMPLE)
    bad = tmp_path / "bad.pcap"
    h, data = records[100]
    write_records(bad, header, records[:100] + [((h[0], h[1], 0x7FFFFFFF, h[3]), data)] + records[101:])
    proc, _ = offline(tmp_path, bad)
    assert "is damaged after 100 whole packets" in proc.stderr, proc.stderr
    assert "postern: 100 packets" in proc.stderr


@pytest.mark.parametrize("content, says", [
    (b"hello, this is not a capture\n", "is not a pcap or pcapng capture (it starts with 68 65 6c 6c)"),
    (b"", "is empty, not a pcap or pcapng capture"),
    (gzip.compress(b"\xd4\xc3\xb2\xa1" + b"\0" * 40), "is gzip-compressed; gunzip it first"),
    (b"\xd4\xc3\xb2\xa1\x02\x00", "is a damaged capture: "),
])
def test_file_that_is_not_a_capture_says_so(tmp_path, content, says):
    f = tmp_path / "x.pcap"
    f.write_bytes(content)
    proc, _ = offline(tmp_path, f, check=False)
    assert proc.returncode == 2
    assert f"postern: -r: {f} {says}" in proc.stderr, proc.stderr
    assert "DPDK port" not in proc.stderr


def test_missing_file_and_non_ethernet_capture(tmp_path):
    proc, _ = offline(tmp_path, tmp_path / "none.pcap", check=False)
    assert proc.returncode == 2 and f"-r: {tmp_path / 'none.pcap'} does not exist" in proc.stderr
    raw_ip = tmp_path / "raw.pcap"
    raw_ip.write_bytes(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))  # LINKTYPE_RAW
    proc, _ = offline(tmp_path, raw_ip, check=False)
    assert proc.returncode == 2 and "has link type RAW; Postern decodes Ethernet (EN10MB) captures only" in proc.stderr


def test_pcapng_gives_the_same_events(tmp_path, whole):
    _, records = read_records(SAMPLE)
    ng = tmp_path / "sample.pcapng"
    write_pcapng(ng, records)
    _, eve = offline(tmp_path, ng)
    assert normalised(eve) == whole[1]


def test_folder_is_one_continuous_run(tmp_path, whole):
    """The sample cut into 13 files of 450 packets (sessions span files); a stray text file in
    the folder is skipped with a warning; the EVE is the single file's."""
    header, records = read_records(SAMPLE)
    folder = tmp_path / "parts"
    folder.mkdir()
    for i in range(0, len(records), 450):
        write_records(folder / f"part-{i // 450:03d}.pcap", header, records[i:i + 450])
    (folder / "notes.txt").write_text("captured on the tap, 2023-11-14\n")
    proc, eve = offline(tmp_path, folder)
    assert f"reading 13 captures, {len(records)} packets, as one run" in proc.stderr, proc.stderr
    assert "notes.txt is not a pcap or pcapng capture" in proc.stderr and "; skipped" in proc.stderr
    assert same_records(normalised(eve), whole[1])
    # The same files named one by one (as a shell glob gives them), a comma in the folder's name.
    odd = tmp_path / "a,b"
    folder.rename(odd)
    parts = sorted(str(p) for p in odd.glob("part-*.pcap"))
    _, eve = offline(tmp_path, *parts, name="eve2.json")
    assert same_records(normalised(eve), whole[1])


def test_file_with_a_comma_in_its_name(tmp_path, whole):
    odd = tmp_path / "tap,2023.pcap"
    odd.write_bytes(SAMPLE.read_bytes())
    _, eve = offline(tmp_path, odd)
    assert normalised(eve) == whole[1]


def test_end_of_run_lists_alerts_by_signature(whole, tmp_path):
    proc, eve = offline(tmp_path, SAMPLE)
    alerts = collections.Counter((e["alert"]["signature_id"], e["alert"]["severity"], e["alert"]["signature"])
                                 for e in read_eve(eve, {"alert"}))
    assert alerts, "the sample capture raises alerts"
    lines = proc.stderr.split("postern: alerts by signature:\n", 1)[1].splitlines()
    assert lines[0].split() == ["count", "sev", "[sid]", "signature"]
    listed = {}
    for line in lines[1:1 + len(alerts)]:
        count, sev, sid, signature = line.split(None, 3)
        listed[(int(sid.strip("[]")), int(sev), signature)] = int(count)
    assert listed == dict(alerts)
    counts = [int(line.split()[0]) for line in lines[1:1 + len(alerts)]]
    assert counts == sorted(counts, reverse=True)
