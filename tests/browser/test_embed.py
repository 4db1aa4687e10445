"""The share box's embed snippet: its URL opens the same view in Streamlit's embed mode (issue 12)."""

from __future__ import annotations

import html
import re

import pytest
from playwright.sync_api import expect

from .conftest import WAIT_MS, open_page, query_of, wait_script_done


def test_embed_snippet_opens_the_view_with_its_sentence_and_a_way_back(server, browsing):
    page = browsing.new_page()
    open_page(page, server + "/timeline?actor=russia")
    page.get_by_text("Share this view").click()
    snippet = page.locator('[data-testid="stCode"]').filter(has_text="<iframe").inner_text(timeout=WAIT_MS)
    src = html.unescape(re.search(r'src="([^"]+)"', snippet).group(1))
    assert query_of(src) == {"actor": ["russia"], "embed": ["true"]}
    assert 'title="Basewatch: Timeline.' in snippet

    embedded = browsing.new_page()
    embedded.goto(src, wait_until="domcontentloaded")
    wait_script_done(embedded)
    expect(embedded.get_by_text(re.compile(r"events by Russia"))).to_be_visible()
    back = embedded.get_by_role("link", name=re.compile("Open in Basewatch"))
    expect(back).to_be_visible()
    assert query_of(back.get_attribute("href")) == {"actor": ["russia"]}
    expect(embedded.locator("[data-testid=\"stSidebar\"]")).to_have_attribute("data-collapsed", "true")  # the view alone


PHONE_FRAME = {"width": 390, "height": 720}
EMBEDS = {  # path and query → what the view shows
    "map?actor=russia": "map",
    "timeline?actor=russia": "chart",
    "?actor=russia": "chart",
    "sites?site=hmeimim&actor=russia": "map",
}


@pytest.mark.parametrize("target", list(EMBEDS), ids=list(EMBEDS))
def test_an_embed_is_the_view_alone_and_fits_a_390px_frame(server, browsing, target):
    context, _ = browsing.new_context()
    page = context.new_page()
    page.set_viewport_size(PHONE_FRAME)
    page.goto(f"{server}/{target}&embed=true", wait_until="domcontentloaded")
    wait_script_done(page)
    if EMBEDS[target] == "map":
        frame = page.wait_for_selector('iframe[title="streamlit_folium.st_folium"]', timeout=WAIT_MS).content_frame()
        frame.wait_for_function("() => !!window.map && window.map.getSize().x > 100", timeout=WAIT_MS)
    else:
        expect(page.locator('[data-testid="stVegaLiteChart"] canvas, [data-testid="stVegaLiteChart"] svg.marks')
               .first).to_be_visible()
    expect(page.get_by_text(re.compile(r"events by Russia")).first).to_be_visible()
    back = page.get_by_role("link", name=re.compile("Open in Basewatch"))
    expect(back).to_be_visible()
    header = page.locator('[data-testid="stHeader"]').bounding_box()
    assert back.bounding_box()["y"] >= header["y"] + header["height"], "the way back sits under Streamlit's header"
    for absent in ("Share this view", "Range rings", "Playback: step through time", "Download PNG"):
        expect(page.get_by_text(absent, exact=True)).to_have_count(0)
    wait_script_done(page)
    # No sideways scrolling: neither the document nor Streamlit's scrolling main area is wider than the frame.
    widths = page.evaluate("""() => {
        const main = document.querySelector('[data-testid=stMain]');
        return {doc: document.scrollingElement.scrollWidth, inner: window.innerWidth,
                main: main.scrollWidth, mainClient: main.clientWidth};
    }""")
    assert widths["doc"] <= widths["inner"] and widths["main"] <= widths["mainClient"], widths


def test_the_embed_snippet_falls_back_to_the_preview_image(server, browsing):
    page = browsing.new_page()
    open_page(page, server + "/map?actor=russia")
    page.get_by_text("Share this view").click()
    snippet = html.unescape(page.locator('[data-testid="stCode"]').filter(has_text="<iframe")
                            .inner_text(timeout=WAIT_MS))
    image = re.search(r"url\('([^']+)'\)", snippet).group(1)
    assert image.startswith(server + "/-/preview/map.png?actor=russia&v=")
    caption = re.search(r'<figcaption[^>]*><a href="([^"]+)"><img src="([^"]+)"', snippet)
    assert caption.group(1) == server + "/map?actor=russia" and caption.group(2) == image
    shown = page.request.get(image)  # the image the snippet shows while the app sleeps
    assert shown.ok and shown.headers["content-type"] == "image/png"
