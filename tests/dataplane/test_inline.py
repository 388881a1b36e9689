"""Inline mode without namespaces: two net_pcap ports bridged as a pair. Every frame of a capture
enters "lan" and must leave on "wan" (written by net_pcap's tx_pcap, one file per TX queue),
unless a verdict drops it: what the server would have received is exactly what is in wan's files.
Checks forwarding, drop and reject verdicts (EVE blocked/drop records, the RSTs), flow bypass and
the overload policies."""
import collections
import json
import struct

import pytest

from conftest import read_eve, run_postern, write_config
from eve_schema import validate
from pcapgen import tcp_session, write_pcap
from test_rules_dataplane import smtp_session

ARP = bytes.fromhex("ffffffffffff020000000001" "0806" "0001080006040001020000000001c0000210000000000000c0000214")


def rule(rule_id, field, pattern, action):
    return {"id": rule_id, "rev": 1, "title": f"{action} {pattern}", "status": "test", "level": "high",
            "tags": ["attack.command-and-control", "attack.t1071.003"], "action": action,
            "match": {"all": [{"field": field, "patterns": [pattern]}]},
            "tests": {"positive": [{"fields": {field: pattern}}], "negative": [{"fields": {field: "x"}}]}}


def read_frames(path):
    data = path.read_bytes()
    magic = struct.unpack_from("<I", data)[0]
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    frames, off = [], 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack_from(e + "IIII", data, off)
        frames.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return frames


def empty_pcap(path):
    write_pcap(path, [])
    return path


def inline_setup(tmp_path, packets, rules=(), extra=None, queues=2):
    """An inline config reading `packets` on lan; returns (config, the wan and lan output files)."""
    cap = tmp_path / "in.pcap"
    write_pcap(cap, packets)
    idle = empty_pcap(tmp_path / "idle.pcap")
    lan_out = [tmp_path / f"lan-tx{q}.pcap" for q in range(queues)]
    wan_out = [tmp_path / f"wan-tx{q}.pcap" for q in range(queues)]
    tx = lambda files: "".join(f",tx_pcap={f}" for f in files)  # noqa: E731  one file per TX queue
    rules_file = tmp_path / "rules.json"
    rules_file.write_text(json.dumps({"rules": list(rules)}))
    cfg = {"mode": "inline",
           "ports": [{"name": "lan", "device": f"net_pcap0,rx_pcap={cap}{tx(lan_out)}", "peer": "wan"},
                     {"name": "wan", "device": f"net_pcap1,rx_pcap={idle}{tx(wan_out)}", "peer": "lan"}],
           "lcores": {"control": 0, "rx": [1], "workers": [2]},
           "rx": {"on_ring_full": "wait", "idle_sleep_us": 20},
           "rules": {"files": [str(rules_file)] if rules else []},
           "output": {"eve_log": str(tmp_path / "eve.json"), "on_event_queue_full": "wait", "stats_interval": 0}}
    for section, values in (extra or {}).items():
        cfg.setdefault(section, {}).update(values) if isinstance(values, dict) else cfg.update({section: values})
    return write_config(tmp_path / "inline.json", **cfg), wan_out, lan_out


def sent(files):
    return collections.Counter(f for path in files if path.exists() for f in read_frames(path))


def flow_of(frame, client_port):
    return len(frame) > 37 and client_port in struct.unpack_from(">HH", frame, 34)


def test_everything_goes_through_without_verdicts(tmp_path):
    packets = tcp_session(smtp_session("Quarterly report"), client=("192.0.2.10", 40000))
    packets += [(packets[-1][0] + 0.001, ARP)]
    cfg, wan, lan = inline_setup(tmp_path, packets)
    run_postern("--config", cfg)
    assert sent(wan) == collections.Counter(f for _, f in packets)
    assert not sent(lan)
    stats = [e for e in read_eve(tmp_path / "eve.json") if e["event_type"] == "stats"][-1]["stats"]
    assert stats["ips"]["accepted"] == len(packets) - 1
    assert stats["ips"]["uninspected_forwarded"] == 1 and stats["ips"]["blocked"] == 0


def test_drop_blocks_the_flow_from_the_matching_packet(tmp_path):
    bad = tcp_session(smtp_session("PW_jdoe/DESKTOP-7QK2M1A"), client=("192.0.2.10", 40001))
    good = tcp_session(smtp_session("Quarterly report"), client=("192.0.2.11", 40002), start=1700000000.5)
    cfg, wan, _ = inline_setup(tmp_path, bad + good, rules=[rule(7001, "email.subject", "PW_", "drop")])
    run_postern("--config", cfg)
    out = sent(wan)
    # The benign session went through whole.
    assert all(out[f] for _, f in good)
    # The stealer's: everything before the frame that carried the subject, nothing from it on.
    frames = [f for _, f in bad]
    cut = next(i for i, f in enumerate(frames) if b"Subject: PW_" in f)
    assert all(out[f] for f in frames[:cut]), "frames before the match must pass"
    assert not any(out[f] for f in frames[cut:]), "the match and everything after it must be dropped"
    events = read_eve(tmp_path / "eve.json")
    for e in events:
        validate(e)  # alert, drop and flow records as Suricata's schema has them
    alerts = [e for e in events if e["event_type"] == "alert"]
    assert [a["alert"]["action"] for a in alerts] == ["blocked"]
    drops = [e for e in events if e["event_type"] == "drop"]
    assert len(drops) == 1 and drops[0]["src_port"] == 40001 and drops[0]["drop"]["reason"] == "rules"
    flows = {e["src_port"]: e["flow"] for e in events if e["event_type"] == "flow"}
    assert flows[40001]["action"] == "drop" and flows[40001]["dropped_pkts"] == len(frames) - cut
    assert "action" not in flows[40002]
    stats = [e for e in events if e["event_type"] == "stats"][-1]["stats"]
    assert stats["ips"]["blocked"] == len(frames) - cut
    assert stats["ips"]["accepted"] == len(good) + cut


def test_reject_sends_resets_both_ways(tmp_path):
    bad = tcp_session(smtp_session("hello", helo="DESKTOP-7QK2M1A"), client=("192.0.2.10", 40003))
    cfg, wan, lan = inline_setup(tmp_path, bad, rules=[rule(7002, "smtp.helo", "DESKTOP-", "reject")])
    run_postern("--config", cfg)
    rst = lambda f: len(f) > 47 and f[47] & 0x04  # noqa: E731  TCP flags of an untagged IPv4 frame
    to_server, to_client = [f for f in sent(wan) if rst(f)], [f for f in sent(lan) if rst(f)]
    assert len(to_server) == 1 and len(to_client) == 1
    # To the server from the client's address, to the client from the server's.
    assert to_server[0][26:30] == bytes([192, 0, 2, 10]) and to_client[0][30:34] == bytes([192, 0, 2, 10])
    events = read_eve(tmp_path / "eve.json")
    assert [a["alert"]["action"] for a in events if a["event_type"] == "alert"] == ["blocked"]
    assert [e["stats"]["ips"]["rejected"] for e in events if e["event_type"] == "stats"][-1] == 1


def test_tap_mode_ignores_drop_actions(tmp_path):
    """The same drop rule on a tap only alerts: nothing is sent anyway, and the alert says allowed."""
    bad = tcp_session(smtp_session("PW_jdoe/DESKTOP-7QK2M1A"), client=("192.0.2.10", 40001))
    cap = tmp_path / "m.pcap"
    write_pcap(cap, bad)
    rules_file = tmp_path / "r.json"
    rules_file.write_text(json.dumps({"rules": [rule(7001, "email.subject", "PW_", "drop")]}))
    run_postern("-r", cap, "--eve-log", tmp_path / "tap.json", "--rules", rules_file)
    events = read_eve(tmp_path / "tap.json")
    assert [a["alert"]["action"] for a in events if a["event_type"] == "alert"] == ["allowed"]
    assert not [e for e in events if e["event_type"] == "drop"]
    # --simulate-ips: the verdict as inline mode would give it, without sending anything.
    run_postern("-r", cap, "--eve-log", tmp_path / "ips.json", "--rules", rules_file, "--simulate-ips")
    events = read_eve(tmp_path / "ips.json")
    assert [a["alert"]["action"] for a in events if a["event_type"] == "alert"] == ["blocked"]
    assert len([e for e in events if e["event_type"] == "drop"]) == 1


def test_failed_detection_is_bypassed(tmp_path):
    """A session that is no mail protocol can yield nothing more: later packets skip the app layer
    (and in inline mode still go through)."""
    packets = tcp_session([("c", b"\x00\x01binary" * 2000), ("s", b"\x05ok")], client=("192.0.2.12", 40010),
                          server=("198.51.100.30", 9000))
    cfg, wan, _ = inline_setup(tmp_path, packets)
    run_postern("--config", cfg)
    assert sent(wan) == collections.Counter(f for _, f in packets)
    flow = [e for e in read_eve(tmp_path / "eve.json") if e["event_type"] == "flow"][0]["flow"]
    assert flow["bypass"] == "local" and flow["bypass_reason"] == "failed_detection"
    assert flow["bypassed"]["pkts_toserver"] > 0


@pytest.mark.parametrize("policy", ["forward", "drop"])
def test_overload_policy(tmp_path, policy):
    """A worker made slow (a test-only knob) cannot keep up: fail open sends the excess on
    uninspected, fail closed drops it; both count it."""
    packets = []
    for i in range(40):
        packets += tcp_session(smtp_session(f"report {i}"), client=("192.0.2.20", 41000 + i), start=1700000000 + i)
    cfg, wan, _ = inline_setup(tmp_path, packets, extra={"rx": {"on_ring_full": "drop", "ring_size": 64, "burst": 32},
                                                  "inline": {"on_overload": policy, "test_slow_worker_us": 300}})
    run_postern("--config", cfg)
    out = sum(sent(wan).values())
    stats = [e for e in read_eve(tmp_path / "eve.json") if e["event_type"] == "stats"][-1]["stats"]["ips"]
    if policy == "forward":
        assert stats["bypassed_overload"] > 0 and stats["dropped_overload"] == 0
        assert out == len(packets), "fail open: every frame still reaches the other side"
    else:
        assert stats["dropped_overload"] > 0 and stats["bypassed_overload"] == 0
        assert out == len(packets) - stats["dropped_overload"]
