"""The API and feed routes answer on a real server (`python -m basewatch.serve`), before Streamlit's own fallback."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import feedparser
import pytest
from playwright.sync_api import expect

from basewatch.state.links import API_PATHS, FEED_PATHS

from .conftest import open_page

pytestmark = pytest.mark.browser

TYPES = {"json": "application/json", "csv": "text/csv", "geojson": "application/geo+json",
         "atom": "application/atom+xml"}


def fetch(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


@pytest.mark.parametrize("path", [*API_PATHS.values(), *FEED_PATHS.values()])
def test_every_route_answers_with_its_own_type(path, server):
    query = "?site=hmeimim" if "sites.atom" in path else "?actor=russia"
    status, headers, body = fetch(f"{server}/{path}{query}")
    assert status == 200 and headers["content-type"].startswith(TYPES[path.rsplit(".", 1)[1]]), body[:200]
    assert headers["access-control-allow-origin"] == "*" and headers["etag"]
    if path.endswith(".atom"):
        assert feedparser.parse(body, response_headers={"content-type": headers["content-type"]}).bozo == 0
    junk_status, junk_headers, junk = fetch(f"{server}/{path}?actor=martians")
    assert junk_status == 400 and junk_headers["content-type"].startswith("application/json")
    assert json.loads(junk)["problems"] == ["ignored unknown `actor` value(s): `martians`"]


def test_the_share_box_feed_link_is_the_views_feed(server, browsing):
    page = browsing.new_page()
    open_page(page, server + "/map?actor=russia")
    page.get_by_text("Share this view").click()
    feed_link = page.get_by_role("link", name="Subscribe to this view (Atom feed)")
    expect(feed_link).to_have_attribute("href", f"{server}/feeds/events.atom?actor=russia")
    answer = page.request.get(feed_link.get_attribute("href"))
    assert answer.ok and answer.headers["content-type"].startswith("application/atom+xml")
    assert feedparser.parse(answer.body()).bozo == 0
