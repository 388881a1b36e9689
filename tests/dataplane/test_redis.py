"""EVE to Redis (output.redis), against a real redis-server the tests start on loopback: in each
mode Suricata has (list/lpush, rpush, channel/publish, stream/xadd) the records that arrive equal
the EVE file of the same run; AUTH from a file or the environment; a refused password, a key of
the wrong type and an unreachable server are reported and counted, never a crash; Redis killed
and restarted under a live run: inspection goes on, the loss is bounded and counted, postern
reconnects and later records arrive."""
import json
import re
import threading
import time

import pytest

from api_helpers import Postern, http, metric_value, wait_for
from conftest import ROOT, run_postern, write_config
from redis_helpers import RedisServer

SAMPLE = ROOT / "config" / "sample.pcap"


@pytest.fixture
def redis(tmp_path):
    server = RedisServer(tmp_path)
    yield server
    server.stop()


def offline(tmp_path, name, redis_cfg, check=True):
    eve = tmp_path / f"{name}.json"
    cfg = write_config(tmp_path / f"{name}.config.json", output={"redis": dict({"enabled": True}, **redis_cfg)})
    proc = run_postern("-r", SAMPLE, "--config", cfg, "--eve-log", eve, check=check)
    return proc, eve.read_text().splitlines()


@pytest.mark.parametrize("mode", ["list", "lpush", "rpush", "stream"])
def test_records_in_redis_equal_the_eve_file(tmp_path, redis, mode):
    proc, lines = offline(tmp_path, mode, {"port": redis.port, "mode": mode, "key": f"eve-{mode}"})
    assert lines and f"{len(lines)} events sent to 127.0.0.1:{redis.port}, 0 not sent" in proc.stderr, proc.stderr
    c = redis.client()
    if mode == "stream":
        got = [fields[1] for _, fields in c.call("XRANGE", f"eve-{mode}", "-", "+")]
    else:
        got = c.call("LRANGE", f"eve-{mode}", 0, -1)
        if mode in ("list", "lpush"):
            got.reverse()  # LPUSH puts the newest first, as Suricata's list mode does
    assert got == lines


def test_published_records_reach_a_subscriber(tmp_path, redis):
    sub = redis.client()
    sub.call("SUBSCRIBE", "eve-channel")
    got = []

    def read():
        try:
            while True:
                kind, _, message = sub.reply()
                if kind == "message":
                    got.append(message)
        except (ConnectionError, OSError):
            pass

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    proc, lines = offline(tmp_path, "publish", {"port": redis.port, "mode": "channel", "key": "eve-channel"})
    wait_for(lambda: len(got) >= len(lines), "the subscriber to get every record", limit=60)
    assert got == lines


def test_auth_from_the_environment_and_a_refused_password(tmp_path, monkeypatch):
    server = RedisServer(tmp_path, password="s3cret-for-tests")
    try:
        monkeypatch.setenv("POSTERN_TEST_REDIS_PW", "s3cret-for-tests")
        proc, lines = offline(tmp_path, "auth", {"port": server.port, "password_env": "POSTERN_TEST_REDIS_PW"})
        assert server.client().call("LLEN", "suricata") == len(lines)
        (tmp_path / "wrong").write_text("not-the-password\n")
        proc, lines = offline(tmp_path, "wrong", {"port": server.port, "password_file": str(tmp_path / "wrong")})
        assert proc.returncode == 0 and "AUTH refused by" in proc.stderr, proc.stderr
        assert f"0 events sent to 127.0.0.1:{server.port}, {len(lines)} not sent" in proc.stderr
        assert "not-the-password" not in proc.stderr and "s3cret" not in proc.stderr
    finally:
        server.stop()


def test_wrong_key_type_and_unreachable_server_are_reported_not_fatal(tmp_path, redis):
    redis.client().call("SET", "taken", "a string")
    proc, lines = offline(tmp_path, "wrongtype", {"port": redis.port, "key": "taken"})
    assert proc.returncode == 0 and "LPUSH taken refused: WRONGTYPE" in proc.stderr, proc.stderr
    stats = [json.loads(l) for l in lines if '"event_type":"stats"' in l][-1]["stats"]["postern"]["redis"]
    assert stats["errors"] > 0 and stats["sent"] == 0
    redis.stop()
    proc, lines = offline(tmp_path, "down", {"port": redis.port})
    assert proc.returncode == 0 and f"cannot connect to 127.0.0.1:{redis.port}" in proc.stderr, proc.stderr
    assert f"{len(lines)} not sent" in proc.stderr and len(lines) > 100  # the file has everything


def test_bad_redis_config_names_the_field(tmp_path):
    for redis_cfg, field in [({"password": "x"}, "output.redis.password"),
                             ({"mode": "queue"}, "output.redis.mode"),
                             ({"password_file": str(tmp_path / "missing")}, "output.redis.password_file")]:
        cfg = write_config(tmp_path / "bad.json", output={"redis": dict({"enabled": True}, **redis_cfg)})
        proc = run_postern("-r", SAMPLE, "--eve-log", tmp_path / "x.json", "--config", cfg, check=False)
        assert proc.returncode != 0 and field in proc.stderr, (redis_cfg, proc.stderr)


def test_redis_killed_and_restarted_under_a_live_run(tmp_path, redis):
    """EVE to Redis and the shared history's summaries (docs/scale-out.md) through one outage."""
    p = Postern(tmp_path, output={"redis": {"enabled": True, "port": redis.port, "mode": "rpush",
                                            "buffer_bytes": 1 << 20}, "types": ["alert", "stats", "smtp"]},
                detect={"history": {"share": {"enabled": True, "port": redis.port, "buffer_bytes": 1 << 20}}})
    try:
        metrics = lambda: http(p.base, "GET", "/metrics")[2]  # noqa: E731
        wait_for(lambda: redis.client().call("LLEN", "suricata") > 100, "records in Redis")
        redis.stop()
        wait_for(lambda: metric_value(metrics(), "postern_redis_connected") == 0, "postern to notice")
        time.sleep(1.0)  # records pile up in the 1 MiB buffer, then are dropped
        redis.start()  # the same port, empty
        wait_for(lambda: metric_value(metrics(), "postern_redis_connected") == 1, "the reconnection")
        wait_for(lambda: metric_value(metrics(), "postern_history_share_connected") == 1, "the publisher's")
        wait_for(lambda: redis.client().call("LLEN", "suricata") > 100, "records after the restart")
        wait_for(lambda: redis.client().call("XLEN", "postern:summaries:{0}") > 10, "summaries after the restart")
        text = metrics()
        # Every Redis family this scrape has is documented, and every documented one is here.
        documented = set(re.findall(r"`(postern_(?:redis|history_share)_[a-z0-9_]+)`", (ROOT / "docs" / "metrics.md").read_text()))
        consumer_only = {"postern_history_share_entries_total", "postern_history_share_late_total",
                         "postern_history_share_producers", "postern_history_share_producer_timeouts_total"}
        scraped = {l.split()[2] for l in text.splitlines() if l.startswith("# TYPE postern_redis_")
                   or l.startswith("# TYPE postern_history_share_")}
        assert scraped == documented - consumer_only
        assert metric_value(text, "postern_redis_connects_total") >= 2
        not_sent = sum(metric_value(text, "postern_redis_events_total", {"result": r}) for r in ("dropped", "lost"))
        assert not_sent > 0  # bounded (the buffer) and counted
        packets = metric_value(text, "postern_decoded_packets_total")
        wait_for(lambda: metric_value(metrics(), "postern_decoded_packets_total") > packets, "inspection going on")
    finally:
        assert p.stop() == 0, "".join(p.stderr_lines)
    assert any("connected to 127.0.0.1" in l for l in p.stderr_lines), p.stderr_lines
