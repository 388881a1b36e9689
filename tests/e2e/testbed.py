#!/usr/bin/python3
"""The e2e testbed: network namespaces, a mirrored tap, real Postfix and Dovecot.

    pe2e-client  c0 10.99.0.10-.69 ──┐                   ┌── s0 10.99.0.2  pe2e-server
                                     │   pe2e-tap: br0   │     Postfix 25/587/2626, Dovecot 143/110
                                     └── c1 ──[bridge]── s1 ─┘
                                                          │ tc mirred (ingress + egress of s1, u32 match-all)
                                                          ▼
                                   mon0 ──veth── mon1  pe2e-sensor: postern (net_af_packet) + tcpdump

Every client↔server frame crosses s1 exactly once, so the mirror gives the sensor one copy of
each, as a SPAN port or an optical tap would.

Inline (up(mode="inline")): no bridge and no mirror; postern is the only way between the two
sides, forwarding between two net_af_packet ports in the sensor namespace:

    pe2e-client c0 ──veth── c1  pe2e-sensor: postern (c1 ⇄ s1)  s1 ──veth── s0 pe2e-server Offloads (TSO/GSO/GRO, checksum) are off on every
interface, so frames are MTU-sized with real checksums, as on a wire. Nothing is routed: the
namespaces have no default route and only 10.99.0.0/24 addresses.

    python3 tests/e2e/testbed.py up      # namespaces + servers, prints the state dir
    python3 tests/e2e/testbed.py down    # idempotent teardown of everything named pe2e-*
"""
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
CONFIG = HERE / "config"
PREFIX = "pe2e-"
NS_CLIENT, NS_SERVER, NS_TAP, NS_SENSOR = (PREFIX + n for n in ("client", "server", "tap", "sensor"))
NAMESPACES = (NS_CLIENT, NS_SERVER, NS_TAP, NS_SENSOR)
SERVER_IP = "10.99.0.2"
C2_SERVER_IP = "10.99.0.3"  # the attacker's own servers (fake_servers.py), beside the real ones
CLIENT_IPS = [f"10.99.0.{i}" for i in range(10, 70)]
SENSOR_IFACE = "mon1"
STATE_LINK = pathlib.Path("/run/postern-e2e.json")  # where `down` finds a run's temp dir
USERS = {"alice@corp.example": "alice-Secr3t", "bob@corp.example": "bob-Secr3t",
         "carol@corp.example": "carol-Secr3t", "drop@partner.example": "drop-Secr3t",
         "drop2@partner.example": "drop2-Secr3t"}


class SetupError(RuntimeError):
    pass


def tcpdump_command(pcap):
    """tcpdump on the mirror port, the ground truth the tests and the corpus compare with: every
    frame, written as it comes, with a 128 MiB buffer (-B, KiB): the default 2 MiB overflowed
    during a 2 MB message on a loaded machine (412 frames dropped by the kernel)."""
    return ["ip", "netns", "exec", NS_SENSOR, "tcpdump", "-i", SENSOR_IFACE, "-B", "131072", "-s", "0", "-U",
            "--immediate-mode", "-Z", "root", "-w", str(pcap)]


def tcpdump_kernel_drops(log_text):
    """The frames tcpdump's log says the kernel dropped (None if it has not said yet)."""
    m = re.search(r"(\d+) packets? dropped by kernel", log_text)
    return int(m.group(1)) if m else None


def sh(*cmd, check=True, ns=None, timeout=60):
    if ns:
        cmd = ("ip", "netns", "exec", ns) + cmd
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise SetupError(f"{' '.join(cmd)} exited {p.returncode}: {p.stderr.strip() or p.stdout.strip()}")
    return p


def daemon(log, *cmd, ns=None):
    """Starts a self-daemonizing server; its output goes to a log file, not to a pipe that its
    children would keep open."""
    cmd = ("ip", "netns", "exec", ns) + cmd if ns else cmd
    with open(log, "a") as f:
        rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=60).returncode
    if rc != 0:
        raise SetupError(f"{' '.join(cmd)} exited {rc}: {pathlib.Path(log).read_text()[-2000:]}")


def client_problem():
    """What the clients lack that scripts/setup.sh should have installed, or None."""
    p = subprocess.run(["swaks", "--support"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    tls = [l for l in p.stdout.splitlines() if "TLS not available" in l]
    if tls:
        return f"swaks cannot do TLS (scripts/setup.sh installs libnet-ssleay-perl): {tls[0].strip()}"
    return None


def capability_problem():
    """Why this machine cannot run the testbed, or None."""
    if os.geteuid() != 0:
        return "needs root (network namespaces, veth, tc, Postfix and Dovecot instances)"
    for tool in ("ip", "tc", "ethtool", "tcpdump", "postfix", "dovecot", "swaks", "curl", "openssl"):
        if shutil.which(tool) is None and not pathlib.Path(f"/usr/sbin/{tool}").exists():
            return f"{tool} is not installed (scripts/setup.sh installs it)"
    probe = PREFIX + "probe"
    p = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if p.returncode != 0:
        return f"cannot create a network namespace (no CAP_NET_ADMIN?): {p.stderr.strip()}"
    try:  # the kernel must have veth, clsact, the u32 classifier and the mirred action
        for cmd in (["ip", "link", "add", "pv0", "type", "veth", "peer", "name", "pv1"],
                    ["ip", "link", "add", "pm0", "type", "veth", "peer", "name", "pm1"],
                    ["tc", "qdisc", "add", "dev", "pv0", "clsact"],
                    ["tc", "filter", "add", "dev", "pv0", "ingress", "protocol", "all", "u32", "match", "u32", "0", "0",
                     "action", "mirred", "egress", "mirror", "dev", "pm0"]):
            p = subprocess.run(["ip", "netns", "exec", probe, *cmd], capture_output=True, text=True)
            if p.returncode != 0:
                return f"the kernel cannot build the mirrored tap ({' '.join(cmd[:4])}...): {p.stderr.strip()}"
    finally:
        subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    return None


def ns_pids(ns):
    p = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True)
    return [int(x) for x in p.stdout.split()] if p.returncode == 0 else []


def kill_namespace_processes(ns, grace=5.0):
    """Every process in one of our namespaces is ours (we started it there): TERM, then KILL."""
    pids = ns_pids(ns)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while pids and time.monotonic() < deadline:
        pids = [p for p in ns_pids(ns) if pathlib.Path(f"/proc/{p}").exists()]
        time.sleep(0.1)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def down(state_dir=None, keep_dir=False):
    """Idempotent: stops our servers, kills what runs in our namespaces, deletes them."""
    if state_dir is None and STATE_LINK.exists():
        try:
            state_dir = json.loads(STATE_LINK.read_text()).get("dir")
        except (OSError, ValueError):
            state_dir = None
    if state_dir and pathlib.Path(state_dir).exists():
        d = pathlib.Path(state_dir)
        if (d / "postfix/conf/main.cf").exists():
            try:
                daemon(d / "log/postfix-start.log", "postfix", "-c", str(d / "postfix/conf"), "stop", ns=NS_SERVER)
            except (SetupError, subprocess.TimeoutExpired):
                pass
        if (d / "dovecot" / "dovecot.conf").exists():
            try:
                daemon(d / "log/dovecot-start.log", "dovecot", "-c", str(d / "dovecot" / "dovecot.conf"), "stop",
                       ns=NS_SERVER)
            except (SetupError, subprocess.TimeoutExpired):
                pass
    existing = sh("ip", "netns", "list", check=False).stdout
    for ns in NAMESPACES + (PREFIX + "probe",):
        if ns in existing.split():
            kill_namespace_processes(ns)
            sh("ip", "netns", "del", ns, check=False)
    STATE_LINK.unlink(missing_ok=True)
    if state_dir and pathlib.Path(state_dir).name.startswith("postern-e2e-") and not keep_dir:
        shutil.rmtree(state_dir, ignore_errors=True)  # a dir up() made with mkdtemp


def render(template, out, **subs):
    text = pathlib.Path(template).read_text()
    for k, v in subs.items():
        text = text.replace(f"@{k}@", v)
    pathlib.Path(out).write_text(text)


def no_offloads(ns, dev):
    # GSO/TSO would hand the tap 64 KiB super-frames; checksum offload leaves checksums unfilled.
    sh("ethtool", "-K", dev, "tso", "off", "gso", "off", "gro", "off", "tx", "off", "rx", "off",
       check=False, ns=ns)


INLINE_IFACES = ("c1", "s1")  # the sensor's two ports in inline mode: client side, server side


def make_network(mode="tap"):
    for ns in NAMESPACES:
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "set", "lo", "up", ns=ns)
        for key in ("all", "default"):  # no IPv6 chatter (router/neighbour solicitations, MLD)
            sh("sysctl", "-qw", f"net.ipv6.conf.{key}.disable_ipv6=1", ns=ns, check=False)
    if mode == "inline":
        make_inline_links()
        return
    sh("ip", "link", "add", "c0", "netns", NS_CLIENT, "type", "veth", "peer", "c1", "netns", NS_TAP)
    sh("ip", "link", "add", "s0", "netns", NS_SERVER, "type", "veth", "peer", "s1", "netns", NS_TAP)
    sh("ip", "link", "add", "mon0", "netns", NS_TAP, "type", "veth", "peer", SENSOR_IFACE, "netns", NS_SENSOR)
    sh("ip", "link", "add", "br0", "type", "bridge", ns=NS_TAP)
    sh("ip", "link", "set", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0", ns=NS_TAP)
    for dev in ("c1", "s1"):
        sh("ip", "link", "set", dev, "master", "br0", ns=NS_TAP)
    for ns, devs in ((NS_CLIENT, ["c0"]), (NS_SERVER, ["s0"]), (NS_TAP, ["c1", "s1", "mon0", "br0"]),
                     (NS_SENSOR, [SENSOR_IFACE])):
        for dev in devs:
            no_offloads(ns, dev)
            sh("ip", "link", "set", dev, "up", ns=ns)
    add_addresses()
    sh("ip", "link", "set", SENSOR_IFACE, "promisc", "on", ns=NS_SENSOR)
    # The mirror: both directions of the server port, once each.
    sh("tc", "qdisc", "add", "dev", "s1", "clsact", ns=NS_TAP)
    for hook in ("ingress", "egress"):
        sh("tc", "filter", "add", "dev", "s1", hook, "protocol", "all", "u32", "match", "u32", "0", "0",
           "action", "mirred", "egress", "mirror",
           "dev", "mon0", ns=NS_TAP)
    warm_up_arp()


def add_addresses():
    for ip in CLIENT_IPS:
        sh("ip", "addr", "add", f"{ip}/24", "dev", "c0", ns=NS_CLIENT)
    sh("ip", "addr", "add", f"{SERVER_IP}/24", "dev", "s0", ns=NS_SERVER)
    sh("ip", "addr", "add", f"{C2_SERVER_IP}/24", "dev", "s0", ns=NS_SERVER)


def make_inline_links():
    """Client and server each on a veth whose other end is in the sensor namespace; nothing
    connects the two until postern forwards between c1 and s1."""
    sh("ip", "link", "add", "c0", "netns", NS_CLIENT, "type", "veth", "peer", "c1", "netns", NS_SENSOR)
    sh("ip", "link", "add", "s0", "netns", NS_SERVER, "type", "veth", "peer", "s1", "netns", NS_SENSOR)
    for ns, dev in ((NS_CLIENT, "c0"), (NS_SERVER, "s0"), (NS_SENSOR, "c1"), (NS_SENSOR, "s1")):
        no_offloads(ns, dev)
        sh("ip", "link", "set", dev, "up", ns=ns)
    for dev in INLINE_IFACES:
        sh("ip", "link", "set", dev, "promisc", "on", ns=NS_SENSOR)
    add_addresses()


def warm_up_arp():
    """From every client address, so captures start with settled neighbours."""
    for ip in CLIENT_IPS:
        for server in (SERVER_IP, C2_SERVER_IP):
            sh("ping", "-c1", "-W1", "-I", ip, server, ns=NS_CLIENT, check=False)


def wait_port(port, timeout=20, addr=SERVER_IP, greeting=True):
    deadline = time.monotonic() + timeout
    # Read the greeting before closing, so no late reply trails into a test's capture. An
    # implicit-TLS port says nothing before the client's hello: connecting is the probe.
    probe = f"exec 3<>/dev/tcp/{addr}/{port}" + (" && read -t 5 -r line <&3" if greeting else "")
    while time.monotonic() < deadline:
        p = sh("bash", "-c", probe, ns=NS_CLIENT, check=False, timeout=10)
        if p.returncode == 0:
            return
        time.sleep(0.2)
    raise SetupError(f"nothing listens on {addr}:{port} after {timeout}s")


def start_servers(d):
    d = pathlib.Path(d)
    os.chmod(d, 0o755)  # Postfix and Dovecot drop privileges and must reach their dirs
    for sub in ("tls", "log", "postfix/conf", "postfix/spool", "postfix/data", "dovecot/run", "dovecot/state", "mail"):
        (d / sub).mkdir(parents=True, exist_ok=True)
    sh("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
       "/CN=mx.postern-e2e.example", "-keyout", str(d / "tls/key.pem"), "-out", str(d / "tls/cert.pem"))
    subs = {"DIR": str(d), "ADDR": SERVER_IP}
    render(CONFIG / "dovecot/dovecot.conf", d / "dovecot/dovecot.conf", **subs)
    shutil.copy(CONFIG / "dovecot/users", d / "dovecot/users")
    for f in ("main.cf", "master.cf", "vmailbox"):
        render(CONFIG / "postfix" / f, d / "postfix/conf" / f, **subs)
    for user in USERS:  # Maildirs owned by the mail uid (nobody) that both servers use
        local, domain = user.split("@")
        for sub in ("cur", "new", "tmp"):
            (d / "mail" / domain / local / "Maildir" / sub).mkdir(parents=True, exist_ok=True)
    sh("chown", "-R", "nobody:nogroup", str(d / "mail"))
    sh("chown", "postfix:postfix", str(d / "postfix/data"))
    daemon(d / "log/dovecot-start.log", "dovecot", "-c", str(d / "dovecot/dovecot.conf"), ns=NS_SERVER)
    deadline = time.monotonic() + 10
    while not (d / "dovecot/run/auth-postfix").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    daemon(d / "log/postfix-start.log", "postfix", "-c", str(d / "postfix/conf"), "start", ns=NS_SERVER)
    # The attacker's servers: a process of the server namespace, killed with it at down().
    with open(d / "log/fake-servers.log", "a") as log:
        subprocess.Popen(["ip", "netns", "exec", NS_SERVER, sys.executable, str(HERE / "fake_servers.py"), C2_SERVER_IP],
                         stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    for port in (25, 587, 2626, 110, 143):
        wait_port(port)
    for port in (465, 993, 995):
        wait_port(port, greeting=False)
    wait_port(25, addr=C2_SERVER_IP)
    time.sleep(1)  # the probes' FINs are done before anyone captures


def up(state_dir=None, mode="tap", before_servers=None):
    """The namespaces and servers. Inline: before_servers() is called once the links exist (it
    starts postern, without which client and server cannot reach each other)."""
    problem = capability_problem()
    if problem:
        raise SetupError(problem)
    down()
    # /tmp, not $TMPDIR: the servers' own users must reach it whatever the caller's TMPDIR is.
    d = pathlib.Path(state_dir or tempfile.mkdtemp(prefix="postern-e2e-", dir="/tmp"))
    STATE_LINK.write_text(json.dumps({"dir": str(d), "namespaces": list(NAMESPACES)}))
    try:
        make_network(mode)
        if before_servers:
            before_servers(d)
        if mode == "inline":
            warm_up_arp()
        start_servers(d)
    except BaseException:
        down(str(d), keep_dir=True)  # the servers' logs stay for the post-mortem
        raise
    return d


def wait_queue_empty(d, timeout=30):
    """Postfix delivers asynchronously: wait until its queue is empty (mail is in the Maildirs)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = sh("postqueue", "-c", str(pathlib.Path(d) / "postfix/conf"), "-p", check=False, ns=NS_SERVER).stdout
        if "Mail queue is empty" in out:
            return True
        time.sleep(0.3)
    return False


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "up":
        print(up(sys.argv[2] if len(sys.argv) > 2 else None))
    elif cmd == "down":
        down()
    else:
        sys.exit(__doc__)
