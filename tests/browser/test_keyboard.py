"""The filters work from the keyboard alone (issue 12): Tab reaches them, typing and Enter choose a value."""

from __future__ import annotations

from playwright.sync_api import expect

from .conftest import WAIT_MS, chips, open_page, query_of

FOCUSED_LABEL_JS = """() => {
    const el = document.activeElement;
    const box = el && el.closest('[data-testid="stMultiSelect"]');
    const label = box && box.querySelector('[data-testid="stWidgetLabel"]');
    return label ? label.innerText.trim() : null;
}"""


def test_actor_filter_is_reached_by_tab_and_set_by_typing(server, browsing):
    page = browsing.new_page()
    open_page(page, server + "/timeline")
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # start from the document
    for _ in range(40):  # the sidebar's page links come first, then the filters
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_LABEL_JS) == "Actor":
            break
    else:
        raise AssertionError("Tab never reached the Actor filter")
    page.keyboard.type("Russ")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")  # close the list: the multiselect commits its value
    page.wait_for_url(lambda url: query_of(url).get("actor") == ["russia"], timeout=WAIT_MS)
    expect(chips(page, "Actor")).to_have_text(["Russia"])
