"""A sample of mangled links in a real browser: never a traceback, the default view and a notice."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import count_line, count_text, open_page

MANGLED = [
    "/map?actor=russia%2",                              # truncated percent-escape
    "/timeline?from=2024-12-01%20to%3D2025",             # two params run together
    "/map?view=35.1;36.2;7&event=ev-0001%27%22",        # wrong separators, quote residue
    "/sites?site=%3Cscript%3Ealert(1)%3C/script%3E",    # markup as an id
    "/map?amp;actor=russia&amp;from=2024-12-01",        # HTML-escaped ampersands from a chat client
    "/?actor=" + "x" * 3000,                            # absurdly long value
    "/timeline?to=2024-02-30&from=not-a-date&radius=1e9",
]


def test_mangled_links_fall_back_with_a_notice(server, browsing, dataset):
    page = browsing.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    total = len(dataset.events)
    for link in MANGLED:
        open_page(page, server + link)
        assert page.locator('[data-testid="stException"]').count() == 0, link
        expect(page.locator('[data-testid="stAlert"]').first, link).to_be_visible()
        if "actor=russia" not in link or "amp;" in link:
            expect(count_line(page)).to_have_text(count_text(total, total))
    assert dialogs == []


def test_empty_values_mean_the_default_and_are_cleaned_away(server, browsing, dataset):
    page = browsing.new_page()
    open_page(page, server + "/data?actor=&type=&status=&country=")
    assert page.locator('[data-testid="stException"]').count() == 0
    page.wait_for_url(lambda url: url.endswith("/data"))
    total = len(dataset.events)
    expect(count_line(page)).to_have_text(count_text(total, total))
