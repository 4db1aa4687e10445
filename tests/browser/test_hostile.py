"""Hostile text in every free-text field, in a real browser: no script runs, pages and map render, text is literal."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from basewatch.loading.dataset import load_dataset
from tests.hostile import HOSTILE_STRINGS, make_hostile_dataset
from tools.server import streamlit_server

from .conftest import map_frame, open_page

OPEN_ALL_TOOLTIPS = """() => {
    let opened = 0;
    window.map.eachLayer(layer => {
        if (layer.getTooltip && layer.getTooltip()) { layer.openTooltip(); opened += 1; }
    });
    return opened;
}"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    folder = make_hostile_dataset(tmp_path_factory.mktemp("hostile"))
    with streamlit_server(data_dir=folder) as base:
        yield base, load_dataset(folder)


def test_no_script_runs_on_any_page_and_text_stays_literal(hostile_server, browsing):
    base, dataset = hostile_server
    page = browsing.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    hostile_event = "hx-000"  # its summary is HOSTILE_STRINGS[0], a <script> tag
    first_site = dataset.sites["id"].iloc[0]
    for path in ("/", "/map", f"/map?event={hostile_event}", f"/map?site={first_site}", "/timeline",
                 f"/timeline?event={hostile_event}", f"/sites?site={first_site}", "/sites", "/data"):
        open_page(page, base + path)
        assert not page.locator('[data-testid="stException"]').count(), path
        if path.startswith("/map"):
            frame = map_frame(page)
            assert frame.evaluate(OPEN_ALL_TOOLTIPS) > 0, "no tooltip could be opened"
            tooltips = " ".join(frame.locator(".leaflet-tooltip").all_text_contents())
            assert HOSTILE_STRINGS[0] in tooltips, "site name not shown literally in its tooltip"
            assert frame.locator(".leaflet-container").count() == 1
        if "event=" in path:
            expect(page.get_by_text(HOSTILE_STRINGS[0], exact=False).first).to_be_visible()
        if path.startswith("/sites?site"):
            expect(page.get_by_text(HOSTILE_STRINGS[0], exact=False).first).to_be_visible()
        assert dialogs == [], f"a script ran on {path}: {dialogs}"
    # The shared link itself stays clean even though the text is hostile.
    assert "<" not in page.url and "script" not in page.url
