"""The shared history (detect.history.share, docs/scale-out.md) against a real redis-server on
loopback. A capture of the synthesizer's labelled scenarios (beaconing, AUTH brute force spread
over many sessions, stuffing, dead drops, Drafts shared by two, SMTP size, and their benign
look-alikes) is split by flow into two captures, as a packet broker splits a link between two
appliances; two `postern -r` publish their session summaries to the same Redis in two shards,
and two `postern history` consumers (one per shard) raise exactly the history alerts of one
`postern -r` over the whole capture. Only its benign flows, treated the same way, raise none.
Trouble is reported: an unreachable Redis, a refused password, a key of the wrong type."""
import json
import re
import signal
import subprocess
import zlib

import pytest

from api_helpers import http, metric_value
from conftest import HISTORY_DETECTORS as HISTORY, POSTERN, ROOT, run_postern, synthesize_scenarios, wait_for, write_config
from pcap_split import split_pcap
from redis_helpers import RedisServer
from testlib import popen



@pytest.fixture(scope="module")
def scenarios(tmp_path_factory):
    out = tmp_path_factory.mktemp("share")
    return (out, *synthesize_scenarios(out))


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.stop()


def share_config(path, redis, **extra):
    return write_config(path, detect={"history": {"share": dict({"enabled": True, "port": redis.port, "shards": 2},
                                                                 **extra)}})


def history_alerts(*eve_files):
    """Sorted (signature id, scope, src, src port, dest, dest port, timestamp) of history alerts:
    everything but the flow id, which each appliance numbers itself."""
    out = []
    for f in eve_files:
        for line in f.read_text().splitlines():
            e = json.loads(line)
            if e["event_type"] == "alert" and e["alert"]["metadata"].get("detector", [""])[0] in HISTORY:
                out.append((e["alert"]["signature_id"], e.get("evidence", {}).get("scope", ""), e["src_ip"],
                            e["src_port"], e["dest_ip"], e["dest_port"], e["timestamp"]))
    return sorted(out)


def flow_part(flow):
    return zlib.crc32(repr(flow).encode()) % 2


def run_shared(tmp, pcaps, cfg):
    """Two appliances (one per capture) and one consumer per shard; returns the consumers' EVE
    files and what they printed."""
    producers = [popen([POSTERN, "-r", p, "--config", cfg, "--workers", "2", "--eve-log", tmp / f"{p.stem}.eve.json"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for p in pcaps]
    consumers = [popen([POSTERN, "history", "--config", cfg, "--producers", str(len(pcaps)), "--shards", str(i),
                        "--consumer", f"c{i}", "--eve-log", tmp / f"history{i}.json"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(2)]
    for p in producers:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0 and ", 0 stream entries not sent" in err, err
    printed = []
    for c in consumers:
        _, err = c.communicate(timeout=300)
        assert c.returncode == 0, err
        printed.append(err)
    return [tmp / f"history{i}.json" for i in range(2)], printed


def test_two_appliances_and_sharded_consumers_alert_as_one_appliance(scenarios, tmp_path, redis):
    out, pcap, _ = scenarios
    single = tmp_path / "single.json"
    run_postern("-r", pcap, "--workers", "2", "--eve-log", single)
    expected = history_alerts(single)
    kinds = {a[0] for a in expected}
    assert {9200003, 9200011} <= kinds, f"the capture must hold beaconing and AUTH abuse: {expected}"

    parts = [tmp_path / "a.pcap", tmp_path / "b.pcap"]
    split_pcap(pcap, parts, flow_part)
    cfg = share_config(tmp_path / "share.json", redis)
    eves, printed = run_shared(tmp_path, parts, cfg)
    assert history_alerts(*eves) == expected
    assert all(history_alerts(tmp_path / f"{p.stem}.eve.json") == [] for p in parts), "history ran on the appliance"
    for err in printed:
        assert "from 2 producers" in err and " 0 malformed, 0 late, 0 released early" in err, err
    c = redis.client()
    assert c.call("XLEN", "postern:summaries:{0}") > 0 and c.call("XLEN", "postern:summaries:{1}") > 0


def test_benign_flows_split_the_same_way_raise_no_history_alert(scenarios, tmp_path, redis):
    out, pcap, truth = scenarios
    benign_clients = {f["client_ip"] for f in truth["flows"] if not f["scenario"]["expect"]}
    assert len(benign_clients) >= 5
    import ipaddress

    def benign_part(flow):
        ips = {str(ipaddress.ip_address(ep[0])) for ep in flow[:2]}
        return flow_part(flow) if ips & benign_clients else None

    parts = [tmp_path / "benign_a.pcap", tmp_path / "benign_b.pcap"]
    split_pcap(pcap, parts, benign_part)
    whole = tmp_path / "benign.pcap"
    split_pcap(pcap, [whole], lambda f: 0 if benign_part(f) is not None else None)
    single = tmp_path / "single.json"
    run_postern("-r", whole, "--workers", "2", "--eve-log", single)
    assert history_alerts(single) == []
    eves, printed = run_shared(tmp_path, parts, share_config(tmp_path / "share.json", redis))
    assert history_alerts(*eves) == []
    assert all("summaries from 2 producers" in p for p in printed), printed


def test_summaries_counted_in_the_stats_record(scenarios, tmp_path, redis):
    _, pcap, _ = scenarios
    eve = tmp_path / "eve.json"
    proc = run_postern("-r", pcap, "--config", share_config(tmp_path / "share.json", redis, local=True), "--eve-log", eve)
    records = [json.loads(l) for l in eve.read_text().splitlines()]
    share = [r for r in records if r["event_type"] == "stats"][-1]["stats"]["postern"]["history_share"]
    flows = sum(1 for r in records if r["event_type"] == "flow")
    assert 0 < share["summaries"] <= flows and share["dropped"] == share["lost"] == share["errors"] == 0
    c = redis.client()
    entries = c.call("XLEN", "postern:summaries:{0}") + c.call("XLEN", "postern:summaries:{1}")
    # The last stats record is written before the last entries (the End of each shard) go out.
    assert share["sent"] <= entries and entries >= share["summaries"] + 2
    assert ", 0 stream entries not sent" in proc.stderr
    assert f"{share['summaries']} session summaries published" in proc.stderr
    assert history_alerts(eve), "local: true keeps the history detectors on the appliance too"


def test_unreachable_redis_is_reported_and_counted_not_fatal(scenarios, tmp_path):
    _, pcap, _ = scenarios

    class Closed:
        port = 1  # nothing listens on loopback port 1

    cfg = share_config(tmp_path / "share.json", Closed)
    proc = run_postern("-r", pcap, "--config", cfg, "--eve-log", tmp_path / "eve.json")
    assert "detect.history.share: cannot connect to 127.0.0.1:1" in proc.stderr
    assert "stream entries not sent" in proc.stderr and ", 0 stream entries not sent" not in proc.stderr, proc.stderr
    consumer = popen([POSTERN, "history", "--config", cfg, "--eve-log", tmp_path / "h.json"],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    err = ""
    try:
        first = consumer.stderr.readline()
        assert "cannot connect to 127.0.0.1:1" in first and "retrying" in first, first
    finally:
        consumer.send_signal(signal.SIGTERM)
        _, err = consumer.communicate(timeout=60)
    assert consumer.returncode == 0, err


def test_refused_password_and_wrong_key_type(scenarios, tmp_path, monkeypatch):
    _, pcap, _ = scenarios
    server = RedisServer(tmp_path, password="s3cret")
    try:
        monkeypatch.setenv("SHARE_PASSWORD", "wrong")
        cfg = share_config(tmp_path / "bad.json", server, password_env="SHARE_PASSWORD")
        proc = run_postern("-r", pcap, "--config", cfg, "--eve-log", tmp_path / "eve.json")
        assert "detect.history.share: AUTH refused by" in proc.stderr and "wrong" not in proc.stderr.replace(
            "WRONGPASS", ""), proc.stderr
        monkeypatch.setenv("SHARE_PASSWORD", "s3cret")
        server.client().call("SET", "postern:summaries:{1}", "not a stream")
        proc = run_postern("-r", pcap, "--config", cfg, "--eve-log", tmp_path / "eve2.json")
        assert "XADD postern:summaries:{1} refused: WRONGTYPE" in proc.stderr, proc.stderr
        history = subprocess.run([POSTERN, "history", "--config", cfg, "--eve-log", tmp_path / "h.json"],
                                 capture_output=True, text=True, timeout=60)
        assert history.returncode == 1 and "XGROUP CREATE postern:summaries:{1} postern-history refused: WRONGTYPE" \
            in history.stderr, history.stderr
    finally:
        server.stop()


def test_bad_share_config_names_the_field(tmp_path):
    cfg = write_config(tmp_path / "c.json", detect={"history": {"share": {"enabled": True, "shards": 0,
                                                                          "password": "x"}}})
    proc = run_postern("history", "--config", cfg, check=False)
    assert proc.returncode == 2
    assert "detect.history.share.shards" in proc.stderr and "detect.history.share.password" in proc.stderr
    off = write_config(tmp_path / "off.json", output={"eve_log": "-"})
    proc = run_postern("history", "--config", off, check=False)
    assert proc.returncode == 2 and "detect.history.share.enabled is not true" in proc.stderr
    proc = run_postern("history", "--config", share_config(tmp_path / "s.json", type("R", (), {"port": 1})),
                       "--shards", "2", check=False)
    assert proc.returncode == 2 and "--shards: \"2\" is not a shard number below 2" in proc.stderr


def test_a_live_consumer_releases_by_the_producers_clocks(scenarios, tmp_path, redis):
    """No --producers: the consumer runs as a service, started before the appliance, and hands
    summaries on as the producer's clock passes them; the alerts are those of the appliance alone."""
    _, pcap, _ = scenarios
    single = tmp_path / "single.json"
    run_postern("-r", pcap, "--workers", "2", "--eve-log", single)
    expected = history_alerts(single)
    cfg = share_config(tmp_path / "share.json", redis, shards=1)
    eve = tmp_path / "live.json"
    eve.touch()
    consumer = popen([POSTERN, "history", "--config", cfg, "--eve-log", eve, "--metrics-listen", "127.0.0.1:0"],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = consumer.stderr.readline().split("metrics on ")[1].strip().removesuffix("/metrics")
        assert "reading 1 streams" in consumer.stderr.readline()
        run_postern("-r", pcap, "--config", cfg, "--workers", "2", "--eve-log", tmp_path / "appliance.json")
        wait_for(lambda: len(history_alerts(eve)) >= len(expected), "the consumer's alerts")
        status, _, text = http(base, "GET", "/metrics")
        assert status == 200
        summaries = metric_value(text, "postern_history_summaries_total")
        assert metric_value(text, "postern_history_share_producers") == 1 and summaries > 100, text
        assert metric_value(text, "postern_history_share_entries_total", {"result": "ok"}) >= summaries + 1
        assert metric_value(text, "postern_history_alerts_total", {"detector": "beaconing"}) >= 1
        assert metric_value(text, "postern_history_share_connected") == 1
        documented = set(re.findall(r"`(postern_[a-z0-9_]+)`", (ROOT / "docs" / "metrics.md").read_text()))
        scraped = {l.split()[2] for l in text.splitlines() if l.startswith("# TYPE ")}
        assert scraped <= documented, scraped - documented
    finally:
        consumer.send_signal(signal.SIGTERM)
        _, err = consumer.communicate(timeout=60)
    assert consumer.returncode == 0, err
    assert history_alerts(eve) == expected
    assert "from 1 producers" in err and " 0 late" in err, err
