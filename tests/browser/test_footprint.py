"""The footprint over time in a real browser: playback moves the period and the sites change colour (issue 11)."""

from __future__ import annotations

from basewatch.state.catalog import color

from .conftest import WAIT_MS, map_frame, open_page, query_of

SITE_FILL_JS = """(site) => {
    let fill = null;
    window.map.eachLayer((layer) => {
        const tip = layer.getTooltip && layer.getTooltip();
        if (tip && layer.options && layer.options.fillColor && String(tip.getContent()).includes("[site:" + site + "]")) {
            fill = layer.options.fillColor;
        }
    });
    return fill;
}"""


def site_fill_is(page, site: str, colour: str) -> None:
    """Wait until the site's marker has this fill; a rerun may swap the map's frame, so look again then."""
    from playwright.sync_api import Error

    for attempt in range(3):
        try:
            map_frame(page).wait_for_function(f"(site) => ({SITE_FILL_JS})(site) === {colour!r}", arg=site,
                                              timeout=WAIT_MS)
            return
        except (AssertionError, Error):
            if attempt == 2:
                raise


def test_playback_changes_a_site_colour_on_the_map(server, browsing):
    # In the fixture Tartus is active until 9 Dec 2024 and reduced after.
    page = browsing.new_page()
    open_page(page, server + "/map?from=2024-08-01&to=2024-11-01")
    site_fill_is(page, "tartus", color("site_status", "active"))
    page.get_by_text("Playback: step through time").click()
    page.get_by_role("button", name="Play", exact=True).click()
    # Play opens a one-year window from the start of the period: its end passes the change.
    page.wait_for_url(lambda url: query_of(url).get("to", [""])[0] > "2024-12-09", timeout=WAIT_MS)
    site_fill_is(page, "tartus", color("site_status", "reduced"))
    page.get_by_role("button", name="Stop", exact=True).click()
