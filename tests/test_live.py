"""A bad data push never takes the public view down: the last good version stays served until a whole set validates."""

from __future__ import annotations

import os
import time

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from basewatch.loading import live
from basewatch.loading.problems import DataError
from basewatch.web import app as web_app


def touch_past(folder, seconds: float = 5.0) -> None:
    """Age every file so the settle delay does not hold it back (a copy finished a while ago)."""
    then = time.time() - seconds
    for path in folder.iterdir():
        if path.is_file():
            os.utime(path, (then, then))


def duplicate_an_id(events_path) -> None:
    lines = events_path.read_text(encoding="utf-8").splitlines(keepends=True)
    events_path.write_text("".join(lines + [lines[1]]), encoding="utf-8")


@pytest.fixture
def holder(data_copy):
    folder, events, _ = data_copy
    return live.LiveData(folder), folder, events


def test_a_broken_push_keeps_the_last_good_version(holder):
    data, folder, events = holder
    good = data.dataset()
    duplicate_an_id(events)
    touch_past(folder)
    status = data.status()
    assert data.dataset() is good  # readers keep what validated, under its own version
    assert status.pending and not status.settling
    assert any(p.column == "id" and "duplicate id" in p.message for p in status.problems)
    assert status.as_json()["served_version"] == good.version and status.as_json()["disk_valid"] is False


def test_fixing_the_files_serves_the_new_version_without_a_restart(holder):
    data, folder, events = holder
    good = data.dataset()
    original = events.read_text(encoding="utf-8")
    duplicate_an_id(events)
    touch_past(folder, 10)
    data.status()
    changed = original.replace("Fixture", "Fixed fixture", 1)
    events.write_text(changed, encoding="utf-8")
    touch_past(folder)
    fresh = data.dataset()
    assert fresh.version != good.version and not data.status().pending
    assert "Fixed fixture" in " ".join(fresh.events["summary"])


def test_a_truncated_last_row_never_shows_partial_data(holder):
    data, folder, events = holder
    good = data.dataset()
    text = events.read_text(encoding="utf-8")
    events.write_text(text[: len(text) - 40], encoding="utf-8")  # a copy cut off mid-row
    touch_past(folder)
    assert data.dataset() is good
    assert any("truncated row" in p.message or "fields" in p.message for p in data.status().problems)


def test_files_still_being_written_are_not_read_yet(holder, monkeypatch):
    data, folder, events = holder
    good = data.dataset()
    monkeypatch.setenv(live.SETTLE_ENV, "60")
    events.write_text(events.read_text(encoding="utf-8").replace("Fixture", "Half", 1), encoding="utf-8")
    status = data.status()
    assert status.settling and status.pending and data.dataset() is good
    monkeypatch.setenv(live.SETTLE_ENV, "0")
    assert data.dataset().version != good.version


def test_every_data_file_switches_only_as_a_whole_set(holder):
    data, folder, _ = holder
    good = data.dataset()
    for name in ("bases.geojson", "site_status.csv", "publishers.csv"):
        path = folder / name
        if not path.exists():
            continue
        original = path.read_bytes()
        path.write_bytes(original[: len(original) // 2])
        touch_past(folder)
        assert data.dataset() is good, name
        assert data.status().problems, name
        path.write_bytes(original)
    touch_past(folder)
    assert not data.status().pending


def test_a_changelog_edit_switches_with_the_data(holder):
    data, folder, _ = holder
    before = data.dataset()
    log = folder / "CHANGES.md"
    log.write_text((log.read_text(encoding="utf-8") if log.exists() else "# Data changes\n")
                   + "\n## 2026-12-06 — a fix\n\n- ev-0001: corrected.\n", encoding="utf-8")
    touch_past(folder)
    after = data.dataset()
    assert after.version == before.version  # a correction note alone is not a new data version
    assert any(e.date == "2026-12-06" for e in after.changes)


def test_no_valid_version_at_all_raises_with_problems_relative_to_the_folder(holder):
    data, folder, events = holder
    duplicate_an_id(events)
    with pytest.raises(DataError) as info:
        data.dataset()
    report = "\n".join(info.value.report())
    assert report.startswith("events.csv, line") and str(folder) not in report


def test_the_status_route_names_versions_and_problems_without_server_paths(data_copy, monkeypatch):
    folder, events, _ = data_copy
    monkeypatch.setenv("BASEWATCH_DATA_DIR", str(folder))
    client = TestClient(Starlette(routes=web_app.routes()))
    first = client.get("/-/status.json")
    assert first.status_code == 200 and first.headers["cache-control"] == "no-store"
    assert first.json()["disk_valid"] is True and first.json()["problems"] == []
    duplicate_an_id(events)
    touch_past(folder)
    answer = client.get("/-/status.json")
    body = answer.json()
    assert body["served_version"] == first.json()["served_version"] and body["disk_valid"] is False
    assert body["problems"][0]["file"] == "events.csv" and body["problems"][0]["column"] == "id"
    assert str(folder) not in answer.text and str(folder.parent) not in answer.text
