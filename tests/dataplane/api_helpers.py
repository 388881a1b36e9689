"""A long-running postern on a looping capture (net_pcap infinite_rx=1) with its HTTP API on a
free loopback port, and a small HTTP client for the tests that talk to it."""
import json
import os
import pathlib
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

from conftest import POSTERN, ROOT, EveTail, popen, synthesize, write_config

TOKEN = "test-token-5f2c"
RULES_DIR = ROOT / "config" / "rules"


def wait_for(predicate, what, limit=120):
    deadline = time.monotonic() + limit  # a bound on a hang, not a performance assertion
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postern:
    """postern --config on a looping capture; stderr is collected by a thread."""

    # The capture loops as fast as the machine goes (tens of MB of EVE a second with every type):
    # the log gets only alerts and stats, which the tests read, so it stays small.
    EVE_TYPES = ["alert", "stats"]

    def __init__(self, tmp_path, api=None, flows=50, seed=4, args=(), output=None, detect=None):
        self.tmp = pathlib.Path(tmp_path)
        pcap, _ = synthesize(self.tmp, "loop", "--seed", seed, "--flows", flows,
                             "--payload", "smtp,pop3,imap", "--ports", "auto")
        token_file = self.tmp / "token"
        token_file.write_text(TOKEN + "\n")
        api_cfg = {"listen": "127.0.0.1:0", "token_file": str(token_file)}
        api_cfg.update(api or {})
        self.eve = self.tmp / "eve.json"
        cfg = write_config(self.tmp / "live.json",
                           ports=[{"name": "loop0", "device": f"net_pcap0,rx_pcap={pcap},infinite_rx=1"}],
                           lcores={"control": 0, "rx": [1], "workers": [2, 3]},
                           rx={"idle_sleep_us": 100},
                           output=dict({"eve_log": str(self.eve), "stats_interval": 1, "types": self.EVE_TYPES},
                                       **(output or {})),
                           rules={"files": [str(RULES_DIR)]},
                           detect=detect or {},
                           api=api_cfg)
        self.stderr_lines = []
        self.tail = EveTail(self.eve)
        self.proc = popen([POSTERN, "--config", cfg, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()
        line = wait_for(self._listening_line, "the 'control plane listening' line", limit=60)
        self.base = line.split("listening on ", 1)[1].strip()

    def _read_stderr(self):
        for line in self.proc.stderr:
            self.stderr_lines.append(line)

    def _listening_line(self):
        if self.proc.poll() is not None:
            raise AssertionError("postern exited early:\n" + "".join(self.stderr_lines))
        return next((l for l in self.stderr_lines if l.startswith("control plane listening on http://")), None)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(timeout=10)
        return self.proc.returncode


def http(base, method, path, body=None, token=None, headers=None, timeout=30):
    """Returns (status, headers, parsed body: JSON when JSON, else text)."""
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(base + path, data=data, method=method)
    if token is not None:
        req.add_header("Authorization", f"Bearer {token}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, hdrs, raw = r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        status, hdrs, raw = e.code, e.headers, e.read()
    ctype = hdrs.get("Content-Type", "")
    text = raw.decode()
    return status, hdrs, (json.loads(text) if "json" in ctype else text)


def metric_value(text, name, labels=None):
    """The value of one series in a Prometheus text scrape (labels: dict subset), or None."""
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        series, value = line.rsplit(" ", 1)
        if series.split("{", 1)[0] != name:
            continue
        if labels and not all(f'{k}="{v}"' in series for k, v in labels.items()):
            continue
        return float(value)
    return None


def default_rules_as_one_file():
    """Every rule of config/rules in one rule file's JSON (the body PUT /api/v1/rules takes)."""
    rules = []
    for f in sorted(RULES_DIR.glob("*.json")):
        rules += json.loads(f.read_text())["rules"]
    return {"description": "the default set, merged", "rules": rules}


def raw_exchange(base, requests, timeout=60):
    """Writes every raw HTTP request on its own connection first, then reads each answer: the
    requests reach the server back to back. Returns [(status, body)]."""
    host, port = base[len("http://"):].rsplit(":", 1)
    socks = [socket.create_connection((host, int(port)), timeout=timeout) for _ in requests]
    for s, r in zip(socks, requests):
        s.sendall(r.encode())
    answers = []
    for s in socks:
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        answers.append((int(head.split()[1]), json.loads(body)))
    return answers


def request_text(method, path, body="", token=TOKEN):
    return (f"{method} {path} HTTP/1.1\r\nHost: postern\r\nConnection: close\r\n"
            f"Authorization: Bearer {token}\r\nContent-Length: {len(body.encode())}\r\n\r\n{body}")
