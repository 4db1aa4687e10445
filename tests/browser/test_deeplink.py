"""A deep link is the first thing a freshly started server ever serves (issue 1).

This module has its own server (the module-scoped `server` fixture) and nothing else talks to it
before the test: on a fresh server Streamlit runs pages/map.py without app.py having run.
"""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from basewatch.state.filters import Filters, apply_filters

from .conftest import (
    WAIT_MS,
    chips,
    count_line,
    count_text,
    map_frame,
    open_page,
    path_of,
    query_of,
)


def test_cold_deep_link_to_map(server, browsing, dataset):
    expected = apply_filters(dataset.events, Filters(actors=frozenset({"russia"}), date_from=dt.date(2024, 12, 1)))
    assert 0 < len(expected) < len(dataset.events), "the fixture no longer makes this filter meaningful"

    page = browsing.new_page()
    with page.expect_response(lambda r: r.url.endswith("/app/static/basemap/countries.geojson"),
                              timeout=WAIT_MS) as basemap_info:
        open_page(page, server + "/map?actor=russia&from=2024-12-01")
        frame = map_frame(page)

    # The link survived the cold start unchanged.
    assert path_of(page.url) == "/map"
    assert query_of(page.url) == {"actor": ["russia"], "from": ["2024-12-01"]}

    # A live Leaflet map with a real size.
    assert page.locator('iframe[title="streamlit_folium.st_folium"]').is_visible()
    height = frame.evaluate("() => document.querySelector('.leaflet-container').getBoundingClientRect().height")
    assert height > 100, f".leaflet-container is {height}px high"
    assert frame.evaluate("() => window.map.getSize().y") > 100

    # The sidebar shows the link's filters and the matching count.
    expect(chips(page, "Actor")).to_have_text(["Russia"])
    expect(count_line(page)).to_have_text(count_text(len(expected), len(dataset.events)))

    # The offline base layer came from our own static folder and was drawn.
    basemap = basemap_info.value
    assert basemap.status == 200, f"countries.geojson: HTTP {basemap.status}"
    assert basemap.url == server + "/app/static/basemap/countries.geojson"
    assert "/component/streamlit_folium" in basemap.frame.url, f"fetched by {basemap.frame.url}, not the map"
    frame.wait_for_function("() => !!document.querySelector('.leaflet-basemap-pane canvas, "
                            ".leaflet-basemap-pane path')", timeout=WAIT_MS)

    context_guard = browsing.contexts[0][1]
    leaflet = [(url, status) for url, status in context_guard.responses if url.split("?")[0].endswith("/leaflet.js")]
    assert leaflet, "leaflet.js was never loaded"
    for url, status in leaflet:
        assert url.startswith(server + "/app/static/"), f"leaflet.js from {url}"
        assert status == 200, f"{url}: HTTP {status}"
