"""Bad command lines, configs and EAL arguments end the program with a clear error naming the
option or field, and a non-zero exit code; nothing is left running."""
import json

from conftest import run_postern, synthesize, write_config


def test_unknown_option_names_it():
    proc = run_postern("--bogus", check=False)
    assert proc.returncode == 2
    assert "--bogus: unknown option" in proc.stderr


def test_missing_capture_file():
    proc = run_postern("-r", "/nonexistent/x.pcap", check=False)
    assert proc.returncode == 2
    assert "-r: /nonexistent/x.pcap does not exist" in proc.stderr


def test_bad_workers_value():
    proc = run_postern("-r", "x.pcap", "--workers", "0", check=False)
    assert proc.returncode == 2 and "--workers: must be a number from 1 to 64" in proc.stderr


def test_config_errors_name_every_field(tmp_path):
    cfg = tmp_path / "bad.json"
    cfg.write_text(json.dumps({
        "mode": "sideways",
        "rx": {"burst": 0, "ring_size": 1000},
        "flow": {"max_flows_per_worker": "many", "colour": 1},
        "ports": [{"name": "x"}],
    }))
    proc = run_postern("--config", cfg, check=False)
    assert proc.returncode == 2
    for expected in ("mode: must be", "rx.burst: must be between", "flow.max_flows_per_worker: must be a non-negative integer",
                     "flow.colour: unknown key", "ports[0].device: is required"):
        assert expected in proc.stderr, proc.stderr


def test_config_not_json(tmp_path):
    cfg = tmp_path / "bad.json"
    cfg.write_text("{ not json")
    proc = run_postern("--config", cfg, check=False)
    assert proc.returncode == 2 and "invalid JSON" in proc.stderr


def test_cross_field_errors(tmp_path):
    cfg = write_config(tmp_path / "c.json", ports=[{"device": "net_null0"}],
                       lcores={"control": 0, "rx": [1], "workers": [1]}, rx={"ring_size": 1024},
                       mempool={"mbufs": 2048})
    proc = run_postern("--config", cfg, check=False)
    assert proc.returncode == 2
    assert "lcores.workers: lcore 1 has two roles" in proc.stderr
    assert "mempool.mbufs: 2048 is too few" in proc.stderr


def test_unknown_device_is_reported(tmp_path):
    cfg = write_config(tmp_path / "c.json", ports=[{"device": "0000:99:00.0"}])
    proc = run_postern("--no-huge", "--no-shconf", "-m", "512", "--lcores", "0@0,1@0,2@0", "--", "--config", cfg,
                       check=False)
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("postern: ") and ("ports[0].device" in last or "EAL" in last), proc.stderr


def test_bad_eal_arguments_fail_cleanly(tmp_path):
    cfg = write_config(tmp_path / "c.json", ports=[{"device": "net_null0"}])
    proc = run_postern("--no-such-eal-flag", "--", "--config", cfg, check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1].startswith("postern: EAL initialisation failed")


def test_lcore_missing_from_eal_args(tmp_path):
    cfg = write_config(tmp_path / "c.json", ports=[{"device": "net_null0"}],
                       lcores={"control": 0, "rx": [1], "workers": [5]})
    proc = run_postern("--no-huge", "--no-pci", "--no-shconf", "-m", "512", "--lcores", "0@0,1@0,2@0", "--",
                       "--config", cfg, check=False)
    assert proc.returncode == 1
    assert "lcores.workers: lcore 5 is not enabled" in proc.stderr


def test_unwritable_eve_log(tmp_path):
    pcap, _ = synthesize(tmp_path, "s", "--flows", 2)
    proc = run_postern("-r", pcap, "--eve-log", "/proc/postern/eve.json", check=False)
    assert proc.returncode == 1 and "output.eve_log: cannot open" in proc.stderr
