"""One testbed run shared by every e2e test: namespaces and real servers up, tcpdump and postern
LIVE (net_af_packet) on the mirror port, every client scenario, postern stopped with SIGINT, then
`postern -r` on tcpdump's capture. Everything is torn down by the fixture's finalizer, whatever
happens; scripts/e2e-cleanup.sh does the same by hand."""
import json
import os
import pathlib
import shutil
import signal
import struct
import subprocess
import sys
import time

import pytest

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BUILD = pathlib.Path(os.environ.get("POSTERN_BUILD", ROOT / "build"))
POSTERN = BUILD / "app" / "postern"
SCHEMA = ROOT.parent / "shared" / "reference" / "suricata-eve-schema.json"  # for tests/dataplane/eve_schema.py
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))
import pcap_io  # noqa: E402
import testbed  # noqa: E402
from pcap_io import tcp_tuple  # noqa: E402,F401  (test_testbed.py imports it from here)
from testlib import EveTail, popen, read_eve, run  # noqa: E402,F401

MAIL_PORTS = {25, 465, 587, 2626, 110, 143, 993, 995}
SERVERS = {testbed.SERVER_IP, testbed.C2_SERVER_IP}  # the real servers and the attacker's


def wait_for(pred, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def rules_config():
    """The config's rules section: every shipped rule file. postern refuses to start on a rule
    set that does not load, so a broken rule engine fails the fixture instead of hiding."""
    files = sorted(str(p) for p in (ROOT / "config" / "rules").glob("*.json"))
    assert files, "no rule files in config/rules"
    return {"rules": {"files": files}}


def postern_config(path, eve, device, extra, store_dir=None):
    files = {"hashes": ["md5", "sha1", "sha256"]}
    if store_dir:  # extraction of every attachment and message (test_files.py)
        files["store"] = {"enabled": True, "dir": str(store_dir), "kinds": ["attachments", "messages"]}
    cfg = {"ports": [{"name": "tap0", "device": device}],
           "lcores": {"control": 0, "rx": [1], "workers": [2]},
           "rx": {"idle_sleep_us": 100},
           "mempool": {"mbufs": 65535},
           "output": {"eve_log": str(eve), "stats_interval": 1, "files": files}}
    cfg.update(extra)
    path.write_text(json.dumps(cfg, indent=1))
    return path


class Run:
    pass


@pytest.fixture(scope="session")
def e2e(tmp_path_factory):
    problem = testbed.capability_problem()
    if problem:
        pytest.skip(f"e2e testbed unavailable: {problem}")
    if not POSTERN.exists():
        pytest.fail(f"{POSTERN} is missing: build first (scripts/build.sh)")
    missing = testbed.client_problem()
    if missing:  # a set-up defect, not a machine without namespaces: fail, never skip
        pytest.fail(f"e2e clients incomplete: {missing}")
    work = tmp_path_factory.mktemp("e2e")
    os.chmod(work, 0o755)
    r = Run()
    r.work = work
    r.pcap = work / "tap.pcap"
    r.live_eve = work / "live-eve.json"
    r.live_store = work / "store-live"
    r.offline_eve = work / "offline-eve.json"
    procs = []
    state = testbed.up()  # its own dir under /tmp: the servers' users must reach it
    try:
        r.rules = rules_config()
        # tcpdump first: it must see every frame postern sees.
        tcpdump_err = open(work / "tcpdump.log", "w")
        tcpdump = popen(testbed.tcpdump_command(r.pcap), stdout=tcpdump_err, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        procs.append(tcpdump)
        wait_for(lambda: "listening on" in (work / "tcpdump.log").read_text(), 20, "tcpdump")
        cfg = postern_config(work / "live.json", r.live_eve,
                             f"net_af_packet0,iface={testbed.SENSOR_IFACE},qpairs=1,framesz=2048,framecnt=4096",
                             r.rules, store_dir=work / "store-live")
        postern_log = open(work / "postern-live.log", "w")
        postern = popen(["ip", "netns", "exec", testbed.NS_SENSOR, str(POSTERN), "--config", str(cfg)],
                                   stdout=postern_log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        procs.append(postern)
        live_tail = EveTail(r.live_eve, keep=())
        wait_for(lambda: postern.poll() is not None or (live_tail.poll() and live_tail.counts["stats"]),
                 60, "postern's first stats record")
        assert postern.poll() is None, (work / "postern-live.log").read_text()

        t0 = time.monotonic()
        clients = subprocess.run(["ip", "netns", "exec", testbed.NS_CLIENT, sys.executable, str(HERE / "clients.py"),
                                  str(state), str(work / "clients.json")], capture_output=True, text=True, timeout=240)
        r.clients_seconds = time.monotonic() - t0
        r.clients = json.loads((work / "clients.json").read_text())
        assert clients.returncode == 0 and not r.clients["error"], (r.clients.get("error"), clients.stderr)
        time.sleep(1.5)  # the last ACKs and FINs reach the mirror
        postern.send_signal(signal.SIGINT)
        r.live_rc = postern.wait(timeout=60)
        tcpdump.send_signal(signal.SIGINT)
        tcpdump.wait(timeout=30)
        r.tcpdump_drops = testbed.tcpdump_kernel_drops((work / "tcpdump.log").read_text())
        r.live_log = (work / "postern-live.log").read_text()
        r.live = read_eve(r.live_eve)

        # Offline on tcpdump's capture: the same config but the capture file as the port.
        offline_cfg = postern_config(work / "offline.json", r.offline_eve, f"net_pcap0,rx_pcap={r.pcap}", r.rules,
                                     store_dir=work / "store-offline")  # "stored" as live
        off = run([str(POSTERN), "-r", str(r.pcap), "--config", str(offline_cfg), "--eve-log",
                              str(r.offline_eve)], capture_output=True, text=True, timeout=120)
        assert off.returncode == 0, off.stderr
        r.offline = read_eve(r.offline_eve)
        r.frames = read_pcap(r.pcap)
        r.server_logs = {n: (state / "log" / n).read_text(errors="replace")
                         for n in ("postfix.log", "dovecot.log") if (state / "log" / n).exists()}
        yield r
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
        testbed.down(str(state), keep_dir=True)
        for log in (state / "log").glob("*.log"):
            shutil.copy(log, work)  # kept with the run's other files
        shutil.rmtree(state, ignore_errors=True)


def read_pcap(path):
    """Every frame of tcpdump's capture as (ts_us, orig_len, bytes) (scripts/pcap_io.py reads it)."""
    _, records = pcap_io.read_pcap(path)
    return [(round(pcap_io.ts_of(rh) * 1e6), struct.unpack_from("<I", rh, 12)[0], f) for rh, f in records]
