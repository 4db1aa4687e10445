"""A bad data push on a running server: readers keep the last good version with a notice, then get the fix."""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.conftest import MINI
from tools.server import streamlit_server

from .conftest import open_page, sidebar

pytestmark = pytest.mark.browser

PENDING = "Newer data is being checked"


@pytest.fixture
def live_server(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(MINI, folder)
    with streamlit_server(data_dir=folder, extra_env={"BASEWATCH_SETTLE_SECONDS": "0.5"}) as base:
        yield base, folder


def age(folder) -> None:
    """Make the files look written a while ago, as after a finished copy (the settle delay then lets them in)."""
    then = time.time() - 5
    for path in folder.iterdir():
        if path.is_file():
            os.utime(path, (then, then))


def status(base) -> dict:
    with urllib.request.urlopen(base + "/-/status.json", timeout=10) as response:
        return json.loads(response.read())


def version_shown(page) -> str:
    text = sidebar(page).get_by_text("Data version").inner_text()
    return text.split("Data version", 1)[1].strip()


def test_a_broken_push_keeps_the_last_good_data_until_it_is_fixed(live_server, browsing):
    base, folder = live_server
    events = folder / "events.csv"
    page = browsing.new_page()
    open_page(page, base + "/map")
    good = version_shown(page)
    original = events.read_text(encoding="utf-8")

    lines = original.splitlines(keepends=True)
    events.write_text("".join(lines + [lines[1]]), encoding="utf-8")  # one duplicated id
    age(folder)
    open_page(page, base + "/map")
    assert version_shown(page) == good
    expect(page.get_by_text(PENDING)).to_be_visible()
    assert "cannot show" not in page.content() and str(folder) not in page.content()
    report = status(base)
    assert report["served_version"] == good and not report["disk_valid"]
    assert report["problems"][0]["file"] == "events.csv" and report["problems"][0]["column"] == "id"

    events.write_text(original[: len(original) - 30], encoding="utf-8")  # a copy cut off mid-row
    age(folder)
    open_page(page, base + "/timeline")
    assert version_shown(page) == good
    expect(page.get_by_text(PENDING)).to_be_visible()

    events.write_text(original.replace("Fixture", "Corrected fixture", 1), encoding="utf-8")
    age(folder)
    open_page(page, base + "/map")  # no restart: the next reader gets the new version
    fixed = version_shown(page)
    assert fixed != good and status(base)["served_version"] == fixed
    expect(page.get_by_text(PENDING)).to_have_count(0)
