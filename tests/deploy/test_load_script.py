"""scripts/load_test.py runs end to end on a few sessions: both kinds of client, no errors, a JSON report."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from .proxy import Proxy

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]


def load_script():
    spec = importlib.util.spec_from_file_location("basewatch_load_test", ROOT / "scripts" / "load_test.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_percentile_is_nearest_rank():
    script = load_script()
    assert script.percentile([], 50) is None
    assert script.percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert script.percentile([float(i) for i in range(1, 101)], 95) == 95.0


def test_cpu_summary_and_first_open_verdict():
    script = load_script()
    samples = {"open": [30.0, 10.0, 20.0], "first_open_root": [100.0, 140.0, 120.0],
               "first_open_map": [160.0, 90.0, 100.0]}
    actions = script.cpu_summary(samples)
    assert actions["open"]["median_ms"] == 20.0 and actions["open"]["p95_ms"] == 30.0
    assert actions["open"]["samples_ms"] == [30.0, 10.0, 20.0]
    assert actions["first_open_map"]["label"] == script.CALIBRATION_ACTIONS["first_open_map"]
    verdict = script.first_open_verdict(actions)
    # Both medians (120, 100) are within 150 ms; /map's worst sample (160) is not.
    assert verdict == {"aim_ms": 150.0, "met": True, "met_at_p95": False}
    assert script.first_open_verdict(script.cpu_summary({"open": [1.0]}))["met"] is None


def test_small_run_has_no_errors(tmp_path):
    script = load_script()
    out = tmp_path / "load.json"
    code = script.main(["--sessions", "3", "--browsers", "1", "--calibrate", "2", "--out", str(out),
                        "--step-timeout", "60", "--deadline", "180", "--settle", "0.5"])
    report = json.loads(out.read_text())
    assert code == 0 and report["error_count"] == 0, report["errors"]
    assert report["sessions"] == {"requested": 3, "browser": 1, "protocol": 2, "completed": 3}
    for step in script.STEPS:
        assert report["timings_s"][step]["browser"]["n"] == 1
        assert report["timings_s"][step]["protocol"]["n"] == 2
    memory = report["server_rss_mb"]
    assert memory["idle"] > 0 and memory["all_sessions_open"] >= memory["idle"]

    # Server CPU per action: every action measured K times, one at a time, each costing the server some CPU
    # (a script run cannot take zero ticks summed over K runs), and the first-open verdict reported.
    calibration = report["calibration"]
    assert calibration["k"] == 2 and calibration["server"] == report["server"]["url"]
    # With a browser in the run, the first open of /map is also measured in Chromium (static files included).
    assert set(calibration["actions"]) == {*script.CALIBRATION_ACTIONS, script.BROWSER_ACTION}
    for action, row in calibration["actions"].items():
        assert row["n"] == 2 and len(row["samples_ms"]) == 2, action
        assert all(v >= 0 for v in row["samples_ms"]) and sum(row["samples_ms"]) > 0, (action, row)
        assert row["min_ms"] <= row["median_ms"] <= row["p95_ms"] <= row["max_ms"], (action, row)
    assert isinstance(calibration["first_open"]["met"], bool)
    assert report["targets"]["first_open_cpu"] == calibration["first_open"]
    assert report["targets"]["live_map"]["n"] == 1 and report["targets"]["live_map"]["errors"] == 0


def test_refuses_non_loopback_urls(tmp_path):
    script = load_script()
    with pytest.raises(SystemExit):
        script.main(["--url", "http://example.org:8501", "--out", str(tmp_path / "x.json")])


def test_replicas_run_goes_through_nginx_sticky_and_stops_everything(tmp_path):
    script = load_script()
    out = tmp_path / "load.json"
    code = script.main(["--replicas", "2", "--sessions", "4", "--browsers", "0", "--calibrate", "1",
                        "--out", str(out), "--step-timeout", "60", "--deadline", "120", "--settle", "0.2"])
    report = json.loads(out.read_text())
    assert code == 0 and report["error_count"] == 0, report["errors"]
    server = report["server"]
    assert len(server["replica_pids"]) == 2 and server["nginx"] is not None
    assert server["url"] == server["nginx"]["url"] and server["url"] not in server["replicas"]
    assert report["targets"]["live_map"]["replicas"] == 2
    assert report["calibration"]["server"] == server["replicas"][0], "calibration must bypass nginx"

    # The protocol readers carried nginx's sticky cookie: every session's requests went to one replica.
    proxy = Proxy(server["url"], None, Path(server["nginx"]["runtime_dir"]))
    lines = proxy.access_lines()
    streams = [line for line in lines if line.uri.startswith("/_stcore/stream")]
    assert len(streams) >= 4, f"expected a websocket per session through nginx, got {len(streams)}"
    routes: dict[str, set[str]] = {}
    for line in lines:
        routes.setdefault(line.route, set()).update(line.upstreams)
    assert all(len(upstreams) == 1 for upstreams in routes.values()), routes

    for pid in [*server["replica_pids"], server["nginx"]["pid"]]:
        assert not Path(f"/proc/{pid}").exists(), f"process {pid} still runs after the load test"


def test_replicas_and_nginx_stop_when_the_run_fails(tmp_path, monkeypatch):
    script = load_script()
    seen = {}

    async def failing_run(plan, args, pids, replica_bases, proxy_pid):
        seen["pids"] = [*pids, proxy_pid]
        assert all(Path(f"/proc/{pid}").exists() for pid in seen["pids"])
        raise RuntimeError("the run broke")

    monkeypatch.setattr(script, "run_load", failing_run)
    with pytest.raises(RuntimeError, match="the run broke"):
        script.main(["--replicas", "2", "--sessions", "2", "--out", str(tmp_path / "load.json")])
    assert len(seen["pids"]) == 3
    for pid in seen["pids"]:
        assert not Path(f"/proc/{pid}").exists(), f"process {pid} still runs after a failed load test"
