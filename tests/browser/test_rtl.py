"""Arabic in a real browser: right to left where it should be, no sideways scroll, usable map, axe clean.

Which holds, measured here: both. Served through the launcher (make run, Docker, these tests), the head
route writes `<html lang="ar" dir="rtl">` into Streamlit's page, so the document root is right to left;
the app's CSS also turns its main and sidebar containers right to left (`direction: rtl`,
`unicode-bidi: isolate`), which is what a plain `streamlit run app.py` (no head route) relies on. The
map's iframe keeps Leaflet's left-to-right controls.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from .conftest import WAIT_MS, map_frame, open_page, query_of, wait_script_done
from .test_a11y import _run_axe, _split, _wait_ready

VIEWPORTS = {"desktop": (1400, 900), "phone": (390, 844)}
PAGES = ["/?lang=ar", "/map?lang=ar", "/timeline?lang=ar", "/sites?site=tartus&lang=ar", "/data?lang=ar"]

DIRECTIONS_JS = """() => {
    const of = (sel) => { const el = document.querySelector(sel); return el ? getComputedStyle(el).direction : null; };
    return {root: getComputedStyle(document.documentElement).direction, main: of('[data-testid="stMain"]'),
            sidebar: of('[data-testid="stSidebarContent"]'),
            paragraph: of('[data-testid="stMain"] [data-testid="stMarkdownContainer"] p')};
}"""
OVERFLOW_JS = """() => {
    const wide = [document.scrollingElement, ...document.querySelectorAll(
        '[data-testid="stMain"], [data-testid="stAppViewContainer"], [data-testid="stMainBlockContainer"]')]
        .filter(el => el && el.scrollWidth > el.clientWidth + 1)
        .map(el => (el.dataset.testid || el.tagName) + ' ' + el.scrollWidth + '>' + el.clientWidth);
    return wide;
}"""
def open_translated(page: Page, url: str) -> None:
    """Open a page in any language: the script has run and the page's title is drawn."""
    page.goto(url, wait_until="domcontentloaded")
    expect(page.locator('[data-testid="stApp"]')).to_be_attached()
    wait_script_done(page)
    expect(page.locator('[data-testid="stMain"] h1').first).to_be_visible()


BIDI_OVERRIDE_JS = """() => Array.from(document.styleSheets).flatMap(s => { try { return Array.from(s.cssRules); }
    catch (e) { return []; } }).map(r => r.cssText).filter(t => t.includes('bidi-override'))"""


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", PAGES)
def test_arabic_pages_read_right_to_left_without_sideways_scroll_or_axe_violations(server, browsing, path, viewport):
    context, _ = browsing.new_context()
    page = context.new_page()
    page.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[viewport])))
    open_translated(page, server + path)
    _wait_ready(page, path)
    directions = page.evaluate(DIRECTIONS_JS)
    assert directions["main"] == "rtl" and directions["paragraph"] == "rtl", directions
    assert directions["root"] == "rtl"  # the head route's <html dir="rtl">; the containers carry it too
    if viewport == "desktop":
        assert directions["sidebar"] == "rtl", directions
    assert page.evaluate(OVERFLOW_JS) == [], f"{path} scrolls sideways at {viewport}"
    assert page.evaluate(BIDI_OVERRIDE_JS) == []
    violations, _ = _split(_axe_when_settled(page, path))
    assert not violations, f"{path} ({viewport}): " + json.dumps(violations, indent=1)[:6000]


def _axe_when_settled(page: Page, path: str) -> list[dict]:
    """axe over the page and its frames; the map's component may remount its iframe once after its first
    report (a rerun), so a frame detached mid-run is waited for and the run repeated once."""
    try:
        return _run_axe(page)
    except PlaywrightError as error:
        if "detached" not in str(error):
            raise
        wait_script_done(page)
        _wait_ready(page, path)
        return _run_axe(page)


def test_the_map_controls_work_on_an_arabic_page(server, browsing):
    page = browsing.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    open_translated(page, server + "/map?lang=ar")
    frame = map_frame(page)
    assert frame.evaluate("getComputedStyle(document.body).direction") == "ltr"
    before = frame.evaluate("map.getZoom()")
    frame.locator(".leaflet-control-zoom-in").click()
    frame.wait_for_function(f"map.getZoom() > {before}", timeout=WAIT_MS)
    assert frame.locator(".bw-export").inner_text() == "تنزيل PNG"
    box = frame.locator(".leaflet-control-zoom-in").bounding_box()
    assert box and 0 <= box["x"] and box["x"] + box["width"] <= 390


def test_latin_data_inside_arabic_text_keeps_its_logical_order(server, browsing):
    page = browsing.new_page()
    open_translated(page, server + "/map?lang=ar&event=ev-0006")
    facts = page.locator('[data-testid="stMain"] li', has_text="ev-0006").first
    text = facts.inner_text()
    assert text.endswith("ev-0006") and "\u202e" not in text, text
    bdi = facts.locator("bdi")
    assert bdi.inner_text() == "ev-0006"
    assert page.evaluate("(el) => getComputedStyle(el).unicodeBidi", bdi.element_handle()) == "isolate"


def test_the_language_picker_is_reached_by_tab_and_keeps_the_view(server, browsing):
    page: Page = browsing.new_page()
    open_page(page, server + "/timeline?actor=russia")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement && document.activeElement.getAttribute('hreflang')") == "ar":
            break
    else:
        raise AssertionError("Tab never reached the Arabic link of the language picker")
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: query_of(url).get("lang") == ["ar"], timeout=WAIT_MS)
    assert query_of(page.url) == {"actor": ["russia"], "lang": ["ar"]}
    page.locator('[data-testid="stMain"] h1', has_text="الخط الزمني").wait_for()


SIDEBAR_AT_JS = """([x, y]) => { const el = document.elementFromPoint(x, y);
    return Boolean(el && el.closest('[data-testid="stSidebar"]')); }"""
# From the first frame on, every frame: is the collapsed sidebar what a reader would touch in the left third
# of the page (where its text once showed as a narrow strip over the title and the map)?
SIDEBAR_WATCH_JS = """window.__sidebarSeen = []; (function watch() {
    const s = document.querySelector('[data-testid="stSidebar"]');
    if (s && s.dataset.collapsed === 'true') {
        for (let x = 10; x < 130; x += 20) for (let y = 60; y < 700; y += 40) {
            const el = document.elementFromPoint(x, y);
            if (el && el.closest('[data-testid="stSidebar"]')) window.__sidebarSeen.push([x, y]);
        }
    }
    if (window.__sidebarSeen.length < 5) requestAnimationFrame(watch);
})();"""


def test_a_phone_in_arabic_shows_the_page_not_a_strip_of_the_collapsed_sidebar(server, browsing):
    page = browsing.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    # A slow phone: the app's own styles arrive late, so the page must hide the sidebar before they do.
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 6})
    page.add_init_script(SIDEBAR_WATCH_JS)
    open_translated(page, server + "/map?lang=ar")
    covered = [(x, y) for x in range(10, 130, 20) for y in range(60, 700, 40) if page.evaluate(SIDEBAR_AT_JS, [x, y])]
    assert covered == [], f"the collapsed sidebar covers the page at {covered[:5]}"
    seen = page.evaluate("window.__sidebarSeen")
    assert seen == [], f"while the page opened, the collapsed sidebar covered it at {seen}"
    page.context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 1})
    page.locator('[data-testid="stExpandSidebarButton"]').click()
    page.wait_for_function("""() => { const s = document.querySelector('[data-testid="stSidebar"]');
        return s.dataset.collapsed === 'false' && s.getBoundingClientRect().width >= 200; }""", timeout=WAIT_MS)
    tagline = page.locator('[data-testid="stSidebarContent"]').get_by_text("Basewatch", exact=True).first
    expect(tagline).to_be_visible()
    box = tagline.bounding_box()
    assert box and 0 <= box["x"] and box["x"] + box["width"] <= 390 and box["width"] > 60, box  # a word, not a column
