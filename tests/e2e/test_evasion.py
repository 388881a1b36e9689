"""Evasions against real sessions: the testbed's capture (real Postfix, real clients, tcpdump) is
rewritten with the tricks an attacker who owns one end uses to blind a monitor
(tests/evasion/evasions.py keeps every byte a Linux receiver accepts unchanged), and postern -r
must still see what the receiver saw.

For each class, the credential stealer's SMTP session (c2_smtp_stealer_exfil) and a benign twin
(smtp_smtplib_auth_attachment: real mail with an attachment, the same port and client library)
get the same treatment. The stealer must raise every rule alert it raises untouched; the twin
nothing of severity 1 or 2; the flow records must still count what tshark counts per direction."""
import collections
import json
import pathlib
import sys

import pytest

from conftest import POSTERN, ROOT, read_eve, run

sys.path.insert(0, str(ROOT / "tests" / "evasion"))
import evasions as ev  # noqa: E402
import linux_receiver  # noqa: E402

C2, TWIN = "c2_smtp_stealer_exfil", "smtp_smtplib_auth_attachment"


def scenario(e2e, name):
    return next(s for s in e2e.clients["scenarios"] if s["name"] == name)


@pytest.fixture(scope="module")
def base(e2e):
    """The capture and the two flows every case rewrites."""
    pkts = ev.load(e2e.pcap)
    c2, twin = scenario(e2e, C2), scenario(e2e, TWIN)
    keys = {name: ev.select(pkts, client_ip=s["src_ip"], server_port=s["port"])[0] for name, s in
            ((C2, c2), (TWIN, twin))}
    return pkts, keys, c2, twin


def postern_run(tmp, name, packets, extra=None):
    pcap = tmp / f"{name}.pcap"
    ev.save(pcap, packets)
    eve = tmp / f"{name}-eve.json"
    cfg = {"lcores": {"control": 0, "rx": [1], "workers": [2, 3]},
           "rules": {"files": [str(ROOT / "config" / "rules")]},
           "output": {"eve_log": str(eve), "stats_interval": 0}}
    for section, values in (extra or {}).items():
        cfg.setdefault(section, {}).update(values)
    (tmp / f"{name}.json").write_text(json.dumps(cfg))
    proc = run([POSTERN, "-r", pcap, "--config", tmp / f"{name}.json", "--eve-log", eve],
               capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return pcap, read_eve(eve)


def tshark_counts(pcap, key):
    """[pkts to server, pkts to client, bytes to server, bytes to client] of one flow as tshark
    sees it (IP reassembly on: a datagram counts once, on the frame that completed it)."""
    out = run(["tshark", "-r", pcap, "-Y", f"tcp.port == {key.client_port} && ip.addr == {key.client_ip}",
               "-T", "fields", "-E", "separator=,", "-e", "ip.src", "-e", "tcp.srcport", "-e", "frame.len"],
              capture_output=True, text=True, timeout=120, check=True).stdout
    c = [0, 0, 0, 0]
    for line in out.splitlines():
        src, port, length = line.split(",")
        d = 0 if (src, int(port)) == (key.client_ip, key.client_port) else 1
        c[d] += 1
        c[2 + d] += int(length)
    return c


def flow_record(events, key):
    recs = [e for e in events if e["event_type"] == "flow" and e["src_ip"] == key.client_ip
            and e["src_port"] == key.client_port]
    assert len(recs) == 1, recs
    return recs[0]["flow"]


def killed_datagrams(pcap, client_ip):
    """Datagrams from the client that Linux drops for overlapping fragments: tshark still shows
    them as TCP packets, the receiver (and postern) never get them."""
    ip = linux_receiver.IpLayer()
    for _, frame in linux_receiver.read_pcap(pcap):
        ip.push(frame)
    client = bytes(int(b) for b in client_ip.split("."))
    return sum(1 for key, *_ in ip.overlaps if key[1] == client)


def check(events, pcap, base_, bytes_too=True, killed=None):
    _, keys, c2, _ = base_
    alerts = collections.defaultdict(set)
    severe = collections.defaultdict(list)
    for e in events:
        if e["event_type"] == "alert":
            alerts[e["src_ip"]].add(e["alert"]["signature_id"])
            if e["alert"]["severity"] <= 2:
                severe[(e["src_ip"], e["src_port"])].append(e["alert"]["signature"])
    missing = set(c2["expect"]["rules"]) - alerts[keys[C2].client_ip]
    assert not missing, f"the stealer got through: rules {missing} did not fire"
    twin = keys[TWIN]
    assert not severe[(twin.client_ip, twin.client_port)], severe[(twin.client_ip, twin.client_port)]
    for key in keys.values():
        f = flow_record(events, key)
        got = [f["pkts_toserver"], f["pkts_toclient"], f["bytes_toserver"], f["bytes_toclient"]]
        want = tshark_counts(pcap, key)
        if killed:
            want[0] -= killed_datagrams(pcap, key.client_ip)
        assert got[:2] == want[:2], (key, got, want)
        if bytes_too:
            assert got[2:] == want[2:], (key, got, want)


def anomalies(events):
    return {e["anomaly"]["event"] for e in events if e["event_type"] == "anomaly"}


def both(base_, transform, **options):
    pkts, keys, _, _ = base_
    return ev.apply(pkts, transform, [keys[C2], keys[TWIN]], **options)


def test_untouched_capture_is_the_baseline(base, tmp_path):
    pcap, events = postern_run(tmp_path, "plain", base[0])
    check(events, pcap, base)


@pytest.mark.parametrize("direction", ["to_server", "to_client"])
def test_rst_and_fin_outside_the_window(base, tmp_path, direction):
    pkts = both(base, ev.rst_out_of_window, direction=direction, after_data=2)
    pkts = ev.apply(pkts, ev.fin_out_of_window, [base[1][C2], base[1][TWIN]], direction=direction, after_data=3)
    pcap, events = postern_run(tmp_path, f"rst-{direction}", pkts)
    check(events, pcap, base)
    assert {"stream.rst_out_of_window", "stream.fin_out_of_window"} <= anomalies(events)


def test_rst_with_a_bad_checksum(base, tmp_path):
    pcap, events = postern_run(tmp_path, "rst-checksum", both(base, ev.rst_bad_checksum, after_data=2))
    check(events, pcap, base)
    assert "stream.bad_checksum" in anomalies(events)


def test_bad_checksum_segments_carry_innocuous_copies(base, tmp_path):
    pcap, events = postern_run(tmp_path, "overlap-checksum", both(base, ev.bad_checksum_overlap))
    check(events, pcap, base)
    assert "stream.bad_checksum" in anomalies(events)


@pytest.mark.parametrize("order", ["in", "reverse", "overlap"])
def test_ip_fragments(base, tmp_path, order):
    pcap, events = postern_run(tmp_path, f"frag-{order}", both(base, ev.ip_fragments, size=8, order=order))
    # A reassembled datagram is one packet for both; its bytes are the datagram's for postern and
    # the last fragment's frame for tshark.
    check(events, pcap, base, bytes_too=False, killed=order == "overlap")
    if order == "overlap":
        assert "ipv4.frag_overlap" in anomalies(events)
        assert killed_datagrams(pcap, base[1][C2].client_ip) > 0


def test_gro_coalesced_frames(base, tmp_path):
    pcap, events = postern_run(tmp_path, "gro", both(base, ev.gro_coalesce, max_frame=65535))
    check(events, pcap, base)
    big = max(len(p) for p in ev.load(pcap))
    assert big > 9000, "no frame was merged beyond a jumbo frame: the case is not tested"


def test_decoy_syns(base, tmp_path):
    pcap, events = postern_run(tmp_path, "decoy-syn", both(base, ev.decoy_syn))
    check(events, pcap, base)
    assert "stream.syn_with_new_isn" in anomalies(events)


def test_idle_connections_before_the_attack(base, tmp_path):
    """Two thousand connections that take a parser slot and go quiet (half of them one-sided)
    before the stealer: with 64 slots per worker, the stealer is inspected only if idle slots are
    taken back."""
    pkts, keys, c2, _ = base
    start = ev.first_ts(pkts, keys[C2])
    pkts = ev.idle_connections(pkts, 1000, c2_server(base), 587, start - 5, one_sided=False)
    pkts = ev.idle_connections(pkts, 1000, c2_server(base), 587, start - 5, one_sided=True, client_net="10.97.0.0/16")
    pcap, events = postern_run(tmp_path, "idle", pkts,
                               {"app": {"max_sessions_per_worker": 64, "idle_timeout": 2, "one_sided_timeout": 2}})
    check(events, pcap, base)
    stats = [e for e in events if e["event_type"] == "stats"][-1]["stats"]
    assert sum(w["app_slots_reclaimed"] for w in stats["postern"]["workers"]) > 0


def c2_server(base_):
    return base_[1][C2].server_ip


def test_hash_collision_flood(base, tmp_path):
    """Five thousand connections aimed at one bucket and one worker of the old unkeyed hash: with
    the keyed hash they spread over both workers, and the stealer is still seen."""
    pkts, keys, _, _ = base
    start = ev.first_ts(pkts, keys[C2])
    pkts = ev.hash_collision_flood(pkts, 5000, c2_server(base), 587, start - 1, target=keys[C2],
                                   client_net="10.96.0.0/16")  # not the testbed's clients' net
    pcap, events = postern_run(tmp_path, "flood", pkts)
    check(events, pcap, base)
    workers = [e for e in events if e["event_type"] == "stats"][-1]["stats"]["postern"]["workers"]
    created = [w["flows_created"] for w in workers]
    assert min(created) > 0.3 * sum(created), created
