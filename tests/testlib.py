"""Helpers every Python test suite shares: child processes that die with the test process, and
EVE files read incrementally with bounded memory.

- `popen`/`run`: subprocess with PR_SET_PDEATHSIG, so a pytest killed by the OOM killer or a
  timeout leaves no postern (or tcpdump) running behind it.
- `EveTail`: follows a growing EVE file from where it last stopped, reading whole lines in
  bounded chunks; keeps counts per event type and a bounded window of the records asked for.
- `iter_eve`/`read_eve`: a finished EVE file, streamed; read_eve refuses files so large that
  holding them would be the test's own bug."""
import collections
import ctypes
import json
import pathlib
import signal
import subprocess

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL("libc.so.6", use_errno=True)

# A finished run's EVE that a test holds in memory whole; larger ones must be streamed.
READ_EVE_LIMIT = 256 << 20


def _die_with_parent():
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def popen(cmd, **kwargs):
    """subprocess.Popen whose child is killed when this process dies."""
    return subprocess.Popen([str(c) for c in cmd], preexec_fn=_die_with_parent, **kwargs)


def run(cmd, **kwargs):
    """subprocess.run whose child is killed when this process dies."""
    return subprocess.run([str(c) for c in cmd], preexec_fn=_die_with_parent, **kwargs)


def iter_eve(path, types=None):
    """The records of an EVE file, one at a time; with `types`, only those event types (lines of
    other types are not parsed)."""
    needles = [f'"event_type":"{t}"'.encode() for t in types] if types else None
    with open(path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            if needles and not any(n in line for n in needles):
                continue
            yield json.loads(line)


def read_eve(path, types=None):
    size = pathlib.Path(path).stat().st_size
    if size > READ_EVE_LIMIT:
        raise AssertionError(f"{path} is {size >> 20} MiB: a test must bound what it writes "
                             f"(output.types, a shorter run) or stream it with iter_eve")
    return list(iter_eve(path, types))


class EveTail:
    """Follows an EVE file as it grows. poll() reads what is new (whole lines, in chunks) and
    returns the count of records seen so far; `counts` has them per event type, `last` the latest
    record of each type kept, `kept` the last `keep_max` records of the types in `keep`."""

    CHUNK = 4 << 20

    def __init__(self, path, keep=("alert", "stats"), keep_max=2000):
        self.path = pathlib.Path(path)
        self.offset = 0
        self.counts = collections.Counter()
        self.keep = set(keep)
        self.last = {}
        self.kept = collections.deque(maxlen=keep_max)

    def poll(self):
        if not self.path.exists():
            return sum(self.counts.values())
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            while True:
                data = f.read(self.CHUNK)
                end = data.rfind(b"\n") + 1  # whole lines only; the rest is read next time
                if end == 0:
                    break
                for line in data[:end].splitlines():
                    self._line(line)
                self.offset += end
                f.seek(self.offset)
                if len(data) < self.CHUNK:
                    break
        return sum(self.counts.values())

    def _line(self, line):
        start = line.find(b'"event_type":"')
        if start < 0:
            return
        start += len(b'"event_type":"')
        etype = line[start:line.find(b'"', start)].decode()
        self.counts[etype] += 1
        if etype in self.keep:
            record = json.loads(line)
            self.last[etype] = record
            self.kept.append(record)

    def records(self, etype):
        return [r for r in self.kept if r["event_type"] == etype]
