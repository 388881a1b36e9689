"""/metrics as Prometheus sees it: promtool accepts a scrape taken during a run, and a real
Prometheus server (started here on loopback) scrapes a long-running postern on a looping capture
and holds the same packet counts postern reports itself."""
import json
import re
import shutil
import subprocess
import time
import urllib.parse

import pytest

from api_helpers import Postern, free_port, http, metric_value, wait_for
from conftest import ROOT

PROMTOOL = shutil.which("promtool")
PROMETHEUS = shutil.which("prometheus")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    p = Postern(tmp_path_factory.mktemp("prom"))
    yield p
    assert p.stop() == 0, "".join(p.stderr_lines)


@pytest.mark.skipif(PROMTOOL is None, reason="promtool missing (scripts/setup.sh installs prometheus)")
def test_promtool_accepts_a_scrape_during_a_run(live):
    wait_for(lambda: metric_value(http(live.base, "GET", "/metrics")[2], "postern_worker_packets_total") > 0,
             "inspected packets")
    text = http(live.base, "GET", "/metrics")[2]
    proc = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip() == "" and proc.stderr.strip() == "", proc.stdout + proc.stderr  # no lint warnings


@pytest.fixture
def prometheus(tmp_path, live):
    port = free_port()
    target = live.base[len("http://"):]
    cfg = tmp_path / "prometheus.yml"
    cfg.write_text(json.dumps({  # YAML is a superset of JSON
        "global": {"scrape_interval": "1s", "scrape_timeout": "1s", "evaluation_interval": "1s"},
        "scrape_configs": [{"job_name": "postern", "static_configs": [{"targets": [target]}]}],
    }))
    proc = subprocess.Popen([PROMETHEUS, f"--config.file={cfg}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                             f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"

    def ready():
        if proc.poll() is not None:
            raise AssertionError("prometheus exited:\n" + proc.stderr.read())
        try:
            return http(base, "GET", "/-/ready", timeout=2)[0] == 200
        except OSError:
            return False
    try:
        wait_for(ready, "prometheus to be ready", limit=60)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def query(base, promql):
    status, _, body = http(base, "GET", "/api/v1/query?query=" + urllib.parse.quote(promql))
    assert status == 200 and body["status"] == "success", body
    return body["data"]["result"]


@pytest.mark.skipif(PROMETHEUS is None, reason="prometheus missing (scripts/setup.sh installs it)")
def test_prometheus_scrapes_and_agrees(live, prometheus):
    up = wait_for(lambda: [r for r in query(prometheus, 'up{job="postern"}') if r["value"][1] == "1"],
                  "a successful scrape")
    assert up
    names = {r["metric"]["__name__"] for r in query(prometheus, '{__name__=~"postern_.+"}')}
    for expected in ["postern_port_rx_packets_total", "postern_worker_packets_total", "postern_flows_active",
                     "postern_app_commands_total", "postern_anomalies_total", "postern_build_info",
                     "postern_decoded_packets_total"]:
        assert expected in names, expected
    # A scrape that started after we read the counter, and ended before we read it again, holds a
    # value between the two readings: counters are monotonic and both sides read the same ones.
    for metric, read in [
        ("postern_decoded_packets_total", lambda: http(live.base, "GET", "/api/v1/stats")[2]["decoder"]["pkts"]),
        ('postern_port_rx_packets_total{port="loop0"}',
         lambda: metric_value(http(live.base, "GET", "/metrics")[2], "postern_port_rx_packets_total", {"port": "loop0"})),
    ]:
        before, t_before = read(), time.time()

        def newer_sample():  # a range selector returns raw samples with their scrape times
            result = query(prometheus, metric + "[1m]")
            last = result[0]["values"][-1] if result else None
            return last if last and float(last[0]) > t_before else None
        ts, value = wait_for(newer_sample, f"a scrape of {metric} after our reading", limit=60)
        after = read()
        assert before <= float(value) <= after, (metric, before, value, after)
    per_worker = query(prometheus, "sum(postern_worker_packets_total)")
    assert float(per_worker[0]["value"][1]) > 0
    # The capture loops: packets keep being decoded, so the rate over the last scrapes is positive.
    rate = wait_for(lambda: [r for r in query(prometheus, "rate(postern_decoded_packets_total[10s])")
                             if float(r["value"][1]) > 0], "a positive decode rate", limit=60)
    assert float(rate[0]["value"][1]) > 0


def families(text):
    return {line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")}


def test_docs_and_dashboard_name_real_metrics(live):
    """docs/metrics.md lists every metric family a scrape has, and names no other; every metric the
    Grafana dashboard queries exists."""
    scraped = families(http(live.base, "GET", "/metrics")[2])
    docs = (ROOT / "docs" / "metrics.md").read_text()
    documented = set(re.findall(r"`(postern_[a-z0-9_]+)`", docs))
    # Exported only with Redis on; test_redis.py and test_history_share.py check those scrapes.
    redis_section = docs.split("## Redis", 1)[1].split("\n## ", 1)[0]
    optional = set(re.findall(r"`(postern_[a-z0-9_]+)`", redis_section))
    assert scraped - documented == set(), "undocumented"
    assert documented - optional - scraped == set(), "documented but not exported"
    dashboard = json.loads((ROOT / "docs" / "grafana-dashboard.json").read_text())
    queried = set()
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            queried |= set(re.findall(r"postern_[a-z0-9_]+", target["expr"]))
    base = {re.sub(r"_(bucket|sum|count)$", "", q) if q.endswith(("_bucket",)) else q for q in queried}
    assert base - scraped == set()
    rows = {p["title"] for p in dashboard["panels"] if p["type"] == "row"}
    assert {"Ports", "Workers", "Protocols", "Alerts", "Rules and reloads"} <= rows
