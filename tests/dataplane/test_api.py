"""The control plane's HTTP API over real loopback HTTP, against a long-running postern on a
looping capture: every endpoint, its errors (RFC 9457 problem+json), bearer auth, limits, and the
API's start and end with the run."""
import concurrent.futures
import json
import socket
import subprocess
import time

import pytest

from api_helpers import (RULES_DIR, TOKEN, Postern, default_rules_as_one_file, http, metric_value, raw_exchange,
                         request_text, wait_for)
from conftest import POSTERN, run_postern, synthesize


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    p = Postern(tmp_path_factory.mktemp("api"), api={"max_body_bytes": 4 << 20, "max_connections": 8,
                                                     "request_timeout_ms": 3000})
    yield p
    assert p.stop() == 0, "".join(p.stderr_lines)


def assert_problem(status, headers, body, code, detail_has=None):
    assert status == code, body
    assert headers["Content-Type"] == "application/problem+json"
    assert body["status"] == code and body["title"] and body["type"] and body["detail"]
    if detail_has:
        assert detail_has in body["detail"], body["detail"]


def test_listening_line_names_a_real_port(live):
    assert live.base.startswith("http://127.0.0.1:")
    assert int(live.base.rsplit(":", 1)[1]) > 0
    assert sum(l.startswith("control plane listening on") for l in live.stderr_lines) == 1


def test_metrics_scrape(live):
    status, headers, text = http(live.base, "GET", "/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain; version=0.0.4")
    for name, labels in [("postern_build_info", None), ("postern_port_rx_packets_total", {"port": "loop0"}),
                         ("postern_worker_packets_total", {"worker": "1"}),
                         ("postern_app_commands_total", {"protocol": "smtp", "verb": "MAIL"}),
                         ("postern_app_commands_total", {"protocol": "imap", "verb": "other"}),
                         ("postern_anomalies_total", {"anomaly": "smtp.bare_lf"}),
                         ("postern_flows_timed_out_total", {"worker": "0", "reason": "established"})]:
        assert metric_value(text, name, labels) is not None, (name, labels)
    # Counters only grow while the capture loops.
    first = metric_value(text, "postern_decoded_packets_total")
    wait_for(lambda: metric_value(http(live.base, "GET", "/metrics")[2], "postern_decoded_packets_total") > first,
             "packets to keep coming")
    assert "192.0.2." not in text and "198.51.100." not in text  # never addresses


def test_status_stats_health(live):
    status, _, s = http(live.base, "GET", "/api/v1/status")
    assert status == 200
    assert s["mode"] == "tap" and s["version"]
    # The fixture waited for packets, so the process has been up for a while; a later call says more.
    assert 0 < s["uptime_seconds"] < 3600
    time.sleep(0.2)
    assert http(live.base, "GET", "/api/v1/status")[2]["uptime_seconds"] > s["uptime_seconds"]
    assert s["ports"][0]["port"] == "loop0" and s["ports"][0]["link"]["up"] is True
    assert s["lcores"]["control"] == 0 and [w["lcore"] for w in s["lcores"]["workers"]] == [2, 3]
    status, _, st = http(live.base, "GET", "/api/v1/stats")
    assert status == 200
    assert st["decoder"]["pkts"] > 0 and len(st["postern"]["workers"]) == 2
    # The looping sample is mostly SMTP: MAIL commands have been counted.
    wait_for(lambda: http(live.base, "GET", "/api/v1/stats")[2]["postern"]["commands"]["smtp"]["MAIL"] > 0,
             "SMTP MAIL commands to be counted")
    assert http(live.base, "GET", "/api/v1/healthz")[0] == 200
    assert http(live.base, "GET", "/api/v1/readyz")[0] == 200


def test_stats_and_metrics_report_the_same_counters(live):
    """/api/v1/stats, /metrics and the EVE stats record read the same counters: a scrape taken
    between two stats calls lies between their values."""
    before = http(live.base, "GET", "/api/v1/stats")[2]["decoder"]["pkts"]
    scraped = metric_value(http(live.base, "GET", "/metrics")[2], "postern_decoded_packets_total")
    after = http(live.base, "GET", "/api/v1/stats")[2]["decoder"]["pkts"]
    assert before <= scraped <= after
    wait_for(lambda: live.tail.poll() and live.tail.last.get("stats"), "an EVE stats record")
    assert set(live.tail.last["stats"]["stats"]) == set(http(live.base, "GET", "/api/v1/stats")[2])


def test_flows_during_a_looping_run(live):
    def some_flows():
        status, _, body = http(live.base, "GET", "/api/v1/flows?top=5&by=bytes")
        assert status == 200, body
        return body if body["flows"] else None
    body = wait_for(some_flows, "active flows")
    flows = body["flows"]
    assert 1 <= len(flows) <= 5 and body["by"] == "bytes" and body["complete"] is True
    sizes = [f["bytes_toserver"] + f["bytes_toclient"] for f in flows]
    assert sizes == sorted(sizes, reverse=True)
    for f in flows:
        assert f["proto"] == "TCP" and f["in_iface"] == "loop0" and f["state"] in ("new", "established", "closed") and f["tcp_state"]
        assert f["app_proto"] in ("smtp", "pop3", "imap", "tls", "failed", "")
    assert any(f["app_proto"] in ("smtp", "pop3", "imap") for f in flows)
    status, _, body = http(live.base, "GET", "/api/v1/flows?top=3&by=pkts")
    assert status == 200 and len(body["flows"]) <= 3 and body["by"] == "pkts"
    # Questions from several clients at once queue up; each gets its own answer.
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda n: http(live.base, "GET", f"/api/v1/flows?top={n}"), [1, 2, 3, 4]))
    assert [a[0] for a in answers] == [200] * 4
    assert [a[2]["top"] for a in answers] == [1, 2, 3, 4]
    assert all(len(a[2]["flows"]) <= a[2]["top"] and a[2]["complete"] for a in answers)


def test_bad_requests_are_problems_naming_the_field(live):
    assert_problem(*http(live.base, "GET", "/api/v1/nothing"), 404, "/api/v1/nothing")
    status, headers, body = http(live.base, "DELETE", "/api/v1/stats")
    assert_problem(status, headers, body, 405)
    assert headers["Allow"] == "GET"
    assert_problem(*http(live.base, "GET", "/api/v1/flows?top=0"), 400, "top:")
    assert_problem(*http(live.base, "GET", "/api/v1/flows?by=age"), 400, "by:")
    assert_problem(*http(live.base, "GET", "/api/v1/alerts?since=tomorrow"), 400, "since:")
    assert_problem(*http(live.base, "GET", "/api/v1/alerts?limit=0"), 400, "limit:")
    assert_problem(*http(live.base, "GET", "/api/v1/stats?x=1"), 400, "x: unknown query parameter")


def test_alerts_during_a_looping_run(live):
    """The default rules fire on the synthesized mail; alerts reach the ring and the metrics."""
    body = wait_for(lambda: http(live.base, "GET", "/api/v1/alerts?limit=3")[2]["alerts"], "alerts in the ring")
    assert 1 <= len(body) <= 3
    assert all(a["event_type"] == "alert" and a["alert"]["signature_id"] for a in body)
    # Rule alerts are counted by the workers per signature id (detector alerts have their own ids):
    # every rule of the running set has a series from the start, and a rule that fired counts it.
    rule_ids = {r["id"] for r in http(live.base, "GET", "/api/v1/rules")[2]["rules"]}
    fired = {a["alert"]["signature_id"] for a in http(live.base, "GET", "/api/v1/alerts?limit=1000")[2]["alerts"]}
    text = http(live.base, "GET", "/metrics")[2]
    for rid in rule_ids:
        value = metric_value(text, "postern_alerts_total", {"rule": str(rid)})
        assert value is not None, rid
        if rid in fired:
            assert value >= 1, rid
    stamp = body[-1]["timestamp"]
    status, _, newer = http(live.base, "GET", "/api/v1/alerts?since=" + stamp.replace("+", "%2B"))
    assert status == 200 and newer["alerts"] and all(a["timestamp"] >= stamp for a in newer["alerts"])


def test_alerts_endpoint_filters(live):
    status, _, body = http(live.base, "GET", "/api/v1/alerts?limit=5")
    assert status == 200 and isinstance(body["alerts"], list) and len(body["alerts"]) <= 5
    future = int(time.time()) + 3600
    status, _, body = http(live.base, "GET", f"/api/v1/alerts?since={future}")
    assert status == 200 and body["alerts"] == []
    status, _, body = http(live.base, "GET", "/api/v1/alerts?since=2020-01-01T00:00:00Z&limit=2")
    assert status == 200 and len(body["alerts"]) <= 2


@pytest.mark.parametrize("method,path", [("PUT", "/api/v1/rules"), ("POST", "/api/v1/rules/reload"),
                                         ("POST", "/api/v1/rules/validate")])
def test_mutating_calls_need_the_token(live, method, path):
    body = json.dumps({"rules": []})
    status, headers, problem = http(live.base, method, path, body)
    assert_problem(status, headers, problem, 401)
    assert headers["WWW-Authenticate"] == "Bearer"
    assert_problem(*http(live.base, method, path, body, token="wrong-" + TOKEN), 403)


def test_bad_json_is_400_and_oversized_body_413(live):
    assert_problem(*http(live.base, "POST", "/api/v1/rules/validate", "{not json", token=TOKEN), 400, "body:")
    assert_problem(*http(live.base, "PUT", "/api/v1/rules", "", token=TOKEN), 400, "body:")
    big = json.dumps({"rules": [], "pad": "x" * (5 << 20)})
    assert_problem(*http(live.base, "PUT", "/api/v1/rules", big, token=TOKEN), 413, "max_body_bytes")
    assert http(live.base, "GET", "/api/v1/healthz")[0] == 200  # still serving


def test_stuck_clients_cost_only_their_connection(live):
    """Idle connections up to the limit: one more gets 503; the run keeps draining events, and once
    the stuck clients hit their deadline the API serves again."""
    host, port = live.base[len("http://"):].rsplit(":", 1)
    stuck = []
    for _ in range(8):
        s = socket.create_connection((host, int(port)), timeout=30)
        s.sendall(b"GET /metrics HTTP/1.1\r\n")  # headers never finished
        stuck.append(s)
    try:
        def refused():
            try:
                status = http(live.base, "GET", "/api/v1/healthz", timeout=5)[0]
            except (ConnectionError, OSError):
                return None
            return status == 503
        wait_for(refused, "a 503 over max_connections", limit=30)
        lines = live.tail.poll()
        wait_for(lambda: live.tail.poll() > lines, "EVE records while clients are stuck")
    finally:
        for s in stuck:
            s.close()
    wait_for(lambda: http(live.base, "GET", "/api/v1/healthz")[0] == 200, "the API after the deadline")
    text = http(live.base, "GET", "/metrics")[2]
    assert metric_value(text, "postern_api_rejected_connections_total") >= 1


def test_offline_run_serves_no_api_unless_asked(tmp_path):
    pcap, _ = synthesize(tmp_path, "mail", "--seed", 2, "--flows", 20, "--payload", "smtp", "--ports", "auto")
    proc = run_postern("-r", pcap, "--eve-log", tmp_path / "a.json")
    assert "control plane listening" not in proc.stderr
    # With the API on, the run still ends at the end of the capture (run_postern's timeout bounds a hang).
    proc = run_postern("-r", pcap, "--eve-log", tmp_path / "b.json", "--api-listen", "127.0.0.1:0")
    assert [l for l in proc.stderr.splitlines() if l.startswith("control plane listening on http://127.0.0.1:")]
    assert "EVE log:" in proc.stderr


def test_bad_api_listen_is_a_startup_error(tmp_path):
    pcap, _ = synthesize(tmp_path, "mail", "--seed", 2, "--flows", 2)
    proc = run_postern("-r", pcap, "--api-listen", "localhost:80", check=False)
    assert proc.returncode == 2
    assert "--api-listen: address must be" in proc.stderr
    cfg = tmp_path / "bad.json"
    cfg.write_text(json.dumps({"ports": [{"device": f"net_pcap0,rx_pcap={pcap}"}], "api": {"listen": "x:1"}}))
    proc = run_postern("--config", cfg, check=False)
    assert proc.returncode == 2 and "api.listen: " in proc.stderr


def test_port_in_use_keeps_inspecting(tmp_path):
    """A taken port is reported and the run goes on without the API."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        pcap, _ = synthesize(tmp_path, "mail", "--seed", 3, "--flows", 5)
        proc = run_postern("-r", pcap, "--eve-log", tmp_path / "e.json", "--api-listen", f"127.0.0.1:{port}")
    assert f"api.listen: cannot listen on 127.0.0.1:{port}" in proc.stderr
    assert "EVE log:" in proc.stderr


def rule_file(name):
    return (RULES_DIR / name).read_text()


def test_rules_read_validate_and_reject_invalid(live):
    status, _, rules = http(live.base, "GET", "/api/v1/rules")
    assert status == 200 and rules["version"] >= 1 and len(rules["rules"]) == rules["rules_loaded"] > 0
    status, _, ok = http(live.base, "POST", "/api/v1/rules/validate", rule_file("attachments.json"), token=TOKEN)
    assert status == 200 and ok["valid"] is True and ok["rules"] == 7
    bad = json.loads(rule_file("attachments.json"))
    del bad["rules"][0]["title"]
    bad["rules"][1]["match"] = {"all": [{"field": "no.such.field", "patterns": ["x"]}]}
    status, headers, problem = http(live.base, "PUT", "/api/v1/rules", json.dumps(bad), token=TOKEN)
    assert_problem(status, headers, problem, 422)
    assert len(problem["errors"]) >= 2, problem
    assert any("title" in e for e in problem["errors"]) and any("no.such.field" in e for e in problem["errors"])
    status, _, again = http(live.base, "POST", "/api/v1/rules/validate", json.dumps(bad), token=TOKEN)
    assert status == 422 and again["errors"] == problem["errors"]
    after = http(live.base, "GET", "/api/v1/rules")[2]
    assert after["version"] == rules["version"] and after["rules_loaded"] == rules["rules_loaded"]  # untouched


def test_replace_reload_and_concurrent_reload_conflict(live):
    before = http(live.base, "GET", "/api/v1/rules")[2]
    failed_before = metric_value(http(live.base, "GET", "/metrics")[2], "postern_rule_reloads_total", {"result": "ok"})
    # Replace with one file: a new version with its rules only.
    status, _, applied = http(live.base, "PUT", "/api/v1/rules", rule_file("attachments.json"), token=TOKEN)
    assert status == 200, applied
    assert applied["status"] == "applied" and applied["version"] > before["version"] and applied["rules"] == 7
    now = http(live.base, "GET", "/api/v1/rules")[2]
    assert now["version"] == applied["version"] and now["rules_loaded"] == 7
    wait_for(lambda: all(int(metric_value(http(live.base, "GET", "/metrics")[2], "postern_worker_rule_set_version",
                                          {"worker": w})) == applied["version"] for w in ("0", "1")),
             "workers to switch to the new set")
    # Two reloads sent back to back: whichever the server reads first compiles (a few hundred ms for
    # the default set) and the other finds it in flight.
    merged = json.dumps(default_rules_as_one_file())
    answers = raw_exchange(live.base, [request_text("PUT", "/api/v1/rules", merged),
                                       request_text("POST", "/api/v1/rules/reload")])
    assert sorted(s for s, _ in answers) == [200, 409], answers
    applied2 = next(a for s, a in answers if s == 200)
    conflict = next(a for s, a in answers if s == 409)
    assert applied2["rules"] == before["rules_loaded"] and applied2["version"] > applied["version"]
    assert conflict["status"] == 409 and "in progress" in conflict["detail"]
    # Back to the configured files.
    status, _, reloaded = http(live.base, "POST", "/api/v1/rules/reload", token=TOKEN)
    assert status == 200 and reloaded["rules"] == before["rules_loaded"] and reloaded["version"] > applied2["version"]
    text = http(live.base, "GET", "/metrics")[2]
    assert metric_value(text, "postern_rule_reloads_total", {"result": "ok"}) == failed_before + 3
    assert metric_value(text, "postern_rules_loaded") == before["rules_loaded"]
    assert metric_value(text, "postern_rule_last_reload_timestamp_seconds") > 0
