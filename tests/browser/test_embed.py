"""The share box's embed snippet: its URL opens the same view in Streamlit's embed mode (issue 12)."""

from __future__ import annotations

import html
import re

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
