"""scripts/load_test.py runs end to end on a few sessions: both kinds of client, no errors, a JSON report."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

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


def test_small_run_has_no_errors(tmp_path):
    script = load_script()
    out = tmp_path / "load.json"
    code = script.main(["--sessions", "3", "--browsers", "1", "--out", str(out), "--step-timeout", "60",
                        "--deadline", "180", "--settle", "0.5"])
    report = json.loads(out.read_text())
    assert code == 0 and report["error_count"] == 0, report["errors"]
    assert report["sessions"] == {"requested": 3, "browser": 1, "protocol": 2, "completed": 3}
    for step in script.STEPS:
        assert report["timings_s"][step]["browser"]["n"] == 1
        assert report["timings_s"][step]["protocol"]["n"] == 2
    memory = report["server_rss_mb"]
    assert memory["idle"] > 0 and memory["all_sessions_open"] >= memory["idle"]


def test_refuses_non_loopback_urls(tmp_path):
    script = load_script()
    with pytest.raises(SystemExit):
        script.main(["--url", "http://example.org:8501", "--out", str(tmp_path / "x.json")])
