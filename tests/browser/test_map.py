"""The map page: filters in the URL, share links, marker clicks, page links, junk links (issues 2–5, 9)."""

from __future__ import annotations

import re

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from basewatch.state.filters import Filters, apply_filters
from tools.bench_actions import MARKER_CENTRE  # the selected marker's icon centre, once it is on screen

from .conftest import (
    WAIT_MS,
    chips,
    count_line,
    count_text,
    map_frame,
    multiselect,
    open_page,
    path_of,
    query_of,
    sidebar,
    wait_script_done,
)

RUSSIA = Filters(actors=frozenset({"russia"}))


def test_filter_change_goes_to_url_and_survives_reload(server, browsing, dataset):
    russia = apply_filters(dataset.events, RUSSIA)
    both = apply_filters(dataset.events, Filters(actors=frozenset({"russia"}), types=frozenset({"withdrawal"})))
    total = len(dataset.events)
    assert 0 < len(both) < len(russia) < total, "the fixture no longer makes this filter meaningful"

    page = browsing.new_page()
    open_page(page, server + "/map?actor=russia")
    expect(count_line(page)).to_have_text(count_text(len(russia), total))

    box = multiselect(page, "Event type").get_by_role("combobox")
    box.click()
    box.press_sequentially("withdr")  # the option list is virtualised: narrow it to the wanted option
    page.get_by_role("listbox", name="Event type").get_by_role("option", name="withdrawal", exact=True).click()
    page.keyboard.press("Escape")  # the multiselect commits its value when the list closes
    page.wait_for_url(lambda url: query_of(url).get("type") == ["withdrawal"], timeout=WAIT_MS)
    assert query_of(page.url) == {"actor": ["russia"], "type": ["withdrawal"]}
    expect(count_line(page)).to_have_text(count_text(len(both), total))

    page.reload(wait_until="domcontentloaded")
    wait_script_done(page)
    assert query_of(page.url) == {"actor": ["russia"], "type": ["withdrawal"]}
    expect(chips(page, "Event type")).to_have_text(["withdrawal"])
    expect(chips(page, "Actor")).to_have_text(["Russia"])
    expect(count_line(page)).to_have_text(count_text(len(both), total))


def test_share_link_reopens_the_view_elsewhere(server, browsing, dataset):
    filters = Filters(actors=frozenset({"russia"}), statuses=frozenset({"reported", "rumored"}))
    expected = apply_filters(dataset.events, filters)
    total = len(dataset.events)
    assert 0 < len(expected) < total

    page = browsing.new_page()
    open_page(page, server + "/map?actor=russia&status=reported&status=rumored")
    map_frame(page)
    expander = page.locator('[data-testid="stExpander"]').filter(has_text="Share this view")
    expander.get_by_text("Share this view").click()
    code = expander.locator('[data-testid="stCode"]').first
    expect(code).to_be_visible()
    link = code.inner_text().strip()
    assert re.fullmatch(re.escape(server) + r"/map\?\S+", link), f"share link {link!r}"
    assert query_of(link) == {"actor": ["russia"], "status": ["reported", "rumored"]}, link

    other = browsing.new_page()  # a new browser context: no cookies, no session
    open_page(other, link)
    assert path_of(other.url) == "/map"
    expect(chips(other, "Actor")).to_have_text(["Russia"])
    expect(chips(other, "Claim status")).to_contain_text(["reported", "rumored"])
    expect(count_line(other)).to_have_text(count_text(len(expected), total))
    map_frame(other)


# Find an event marker (one alone at its position if there is one), zoom in on it, spiderfy its cluster
# if needed, and report its id.
SHOW_EVENT_MARKER = """
() => new Promise((resolve, reject) => {
    let cluster = null;
    window.map.eachLayer(l => { if (!cluster && typeof l.zoomToShowLayer === "function") cluster = l; });
    if (!cluster) return reject(new Error("no marker cluster on the map"));
    const markers = cluster.getLayers().filter(m => m.getTooltip && m.getTooltip() &&
        String(m.getTooltip().getContent()).includes("[event:"));
    if (!markers.length) return reject(new Error("no event marker in the cluster"));
    const key = m => m.getLatLng().lat.toFixed(4) + "," + m.getLatLng().lng.toFixed(4);
    const alone = markers.filter(m => markers.filter(o => key(o) === key(m)).length === 1);
    const marker = (alone.length ? alone : markers)[0];
    window.__bwMarker = marker;
    const id = String(marker.getTooltip().getContent()).match(/\\[event:([a-z0-9-]+)\\]/)[1];
    const zoom = window.map.getMaxZoom() - 3;
    if (window.map.getZoom() !== zoom) window.map.setView(marker.getLatLng(), zoom, {animate: false});
    cluster.zoomToShowLayer(marker, () => resolve(id));
})
"""

def test_clicking_an_event_marker_shows_its_detail(server, browsing, dataset):
    page = browsing.new_page()
    open_page(page, server + "/map")
    frame = map_frame(page)
    frame.wait_for_function("() => !!document.querySelector('.marker-cluster, .bw-ev')", timeout=WAIT_MS)

    event_id = frame.evaluate(SHOW_EVENT_MARKER)
    assert event_id in set(dataset.events["id"]), event_id
    # A move made by code (not by the reader) never writes view= (issue 12).
    wait_script_done(page)
    assert "view" not in query_of(page.url)
    for attempt in range(3):  # a rerun may redraw the map between finding the icon and clicking it
        frame = map_frame(page)
        if attempt:
            assert frame.evaluate(SHOW_EVENT_MARKER) == event_id
            wait_script_done(page)
        frame.wait_for_function(MARKER_CENTRE, timeout=WAIT_MS)
        spot = frame.evaluate(MARKER_CENTRE)
        iframe_box = page.locator('iframe[title="streamlit_folium.st_folium"]').bounding_box()
        page.mouse.click(iframe_box["x"] + spot["x"], iframe_box["y"] + spot["y"])  # a real click on the icon
        try:
            page.wait_for_url(lambda url: query_of(url).get("event") == [event_id], timeout=15_000)
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise

    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("Claim status:")).to_be_visible()
    expect(main.get_by_text("Sources:")).to_be_visible()
    expect(main.get_by_role("listitem").filter(has_text=f"Event id: {event_id}")).to_be_visible()
    summary = dataset.events.set_index("id").loc[event_id, "summary"]
    expect(main.get_by_text(summary, exact=False)).to_be_visible()


def test_sidebar_page_link_keeps_filters(server, browsing, dataset):
    expected = apply_filters(dataset.events, RUSSIA)
    total = len(dataset.events)
    page = browsing.new_page()
    open_page(page, server + "/map?actor=russia")
    expect(count_line(page)).to_have_text(count_text(len(expected), total))

    sidebar(page).locator('[data-testid="stPageLink"] a', has_text="Timeline").click()
    page.wait_for_url(re.compile(re.escape(server) + r"/timeline\?actor=russia$"), timeout=WAIT_MS)
    wait_script_done(page)
    expect(page.get_by_role("heading", name="Timeline", exact=True)).to_be_visible()
    expect(chips(page, "Actor")).to_have_text(["Russia"])
    expect(count_line(page)).to_have_text(count_text(len(expected), total))


def test_junk_link_opens_the_default_view_with_notices(server, browsing, dataset):
    total = len(dataset.events)
    page = browsing.new_page()
    open_page(page, server + "/map?actor=nonsense&from=2024-99-99&view=abc&bogus=1")
    map_frame(page)

    alerts = page.locator('[data-testid="stAlert"]')
    expect(alerts.filter(has_text="nonsense")).to_have_count(1)
    expect(alerts.filter(has_text="Link partly ignored").first).to_be_visible()
    for junk in ("2024-99-99", "view=abc", "bogus"):
        expect(alerts.filter(has_text=junk)).not_to_have_count(0)
    expect(count_line(page)).to_have_text(count_text(total, total))
    expect(chips(page, "Actor")).to_have_count(0)
    assert page.locator('[data-testid="stException"]').count() == 0
    # The junk is dropped from the address bar: the link becomes the clean one.
    page.wait_for_url(server + "/map", timeout=WAIT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0
