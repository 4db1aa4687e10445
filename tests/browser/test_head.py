"""The head route in a running server: a deep link through it runs the app as before, clients asking for gzip get
the tags too, and the preview image it names is served; `streamlit run app.py` alone still serves every page."""

from __future__ import annotations

import datetime as dt
import gzip
import re
import urllib.request

import pytest
from playwright.sync_api import expect

from basewatch.state.filters import Filters, apply_filters
from basewatch.state.pages import PAGES
from tests.web_client import parse_head
from tools.server import streamlit_server

from .conftest import MINI, chips, count_line, count_text, map_frame, open_page, path_of, query_of


def fetch(url: str, gzip_ok: bool = False):
    """(status, headers (case-insensitive), body decompressed) of a plain GET."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip_ok else {})
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        if response.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return response.status, response.headers, body


def test_a_deep_link_through_the_head_route_runs_the_app(server, browsing, dataset):
    page = browsing.new_page()
    open_page(page, server + "/map?actor=russia&from=2024-12-01&junk=1")
    # What a crawler read is what the browser got: the route's tags are in the document.
    og_url = page.locator('meta[property="og:url"]').get_attribute("content")
    assert og_url == server + "/map?actor=russia&from=2024-12-01"
    assert page.locator('link[rel="canonical"]').get_attribute("href") == og_url
    # The app runs as before: the link is cleaned, the filters and the count shown, the map live.
    expected = apply_filters(dataset.events, Filters(actors=frozenset({"russia"}), date_from=dt.date(2024, 12, 1)))
    assert path_of(page.url) == "/map"
    page.wait_for_url(lambda url: "junk" not in query_of(url))
    assert query_of(page.url) == {"actor": ["russia"], "from": ["2024-12-01"]}
    expect(chips(page, "Actor")).to_have_text(["Russia"])
    expect(count_line(page)).to_have_text(count_text(len(expected), len(dataset.events)))
    frame = map_frame(page)
    assert frame.evaluate("() => window.map.getSize().y") > 100
    expect(page.get_by_text(re.compile("Link partly ignored: ignored unknown parameter"))).to_be_visible()
    expect(page).to_have_title(re.compile("Map · Basewatch"))  # Streamlit's own title once the app runs


def test_a_client_asking_for_gzip_reads_the_tags_and_the_image_they_name(server):
    status, headers, body = fetch(server + "/timeline?type=withdrawal", gzip_ok=True)
    assert status == 200 and headers.get("Content-Encoding") == "gzip"  # compressed by Streamlit's middleware
    head = parse_head(body.decode("utf-8"))
    assert head.titles[0].startswith("Timeline · ") and head.one("twitter:card") == "summary_large_image"
    status, headers, image = fetch(head.one("og:image"))
    assert status == 200 and headers["Content-Type"] == "image/png" and image[:8] == b"\x89PNG\r\n\x1a\n"
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"


@pytest.fixture(scope="module")
def plain_server():
    """`streamlit run app.py` without launcher.py: no web routes, as on Streamlit Community Cloud."""
    with streamlit_server(data_dir=MINI, plain=True) as base:
        yield base


@pytest.mark.parametrize("page_info", PAGES, ids=[p.key for p in PAGES])
def test_plain_streamlit_run_still_serves_every_page(plain_server, browsing, dataset, page_info):
    status, _, body = fetch(plain_server + "/" + page_info.url_path + "?actor=russia")
    assert status == 200 and "<title>Streamlit</title>" in body.decode("utf-8")  # Streamlit's page, no route
    page = browsing.new_page()
    open_page(page, plain_server + "/" + page_info.url_path + "?actor=russia")
    expected = apply_filters(dataset.events, Filters(actors=frozenset({"russia"})))
    expect(count_line(page)).to_have_text(count_text(len(expected), len(dataset.events)))
    expect(page.get_by_role("heading", level=1).first).to_be_visible()
    assert query_of(page.url) == {"actor": ["russia"]}
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
