"""Accessibility as a tested property: axe-core finds no serious or critical violation on any page.

The vendored axe-core (static/vendor/axe-core-*) is injected into the page and into every frame it
contains (the map is an iframe of our own markup), on desktop and phone viewports.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page

from .conftest import ROOT, map_frame, open_page

AXE = next((ROOT / "static" / "vendor").glob("axe-core-*/axe.min.js"))
PAGES = ["/", "/map", "/timeline", "/sites?site=hmeimim", "/data"]
VIEWPORTS = {"desktop": (1400, 900), "phone": (390, 844)}
BLOCKING = ("serious", "critical")
# Nothing of Streamlit's own is excluded. Add a selector here only with a comment saying why it
# cannot be fixed in our markup, theme or CSS.
EXCLUDED: list[str] = []
# Violations known and accepted: none. Every serious or critical finding fails the test.
KNOWN_PAGE_ISSUES: dict[str, tuple[str, str]] = {}


def _run_axe(page: Page) -> list[dict]:
    for frame in page.frames:
        if frame.url.startswith("http"):
            frame.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async ([exclude, known]) => {
            const r = await axe.run({exclude: exclude.map(s => [s])},
                                    {resultTypes: ["violations"], iframes: true});
            const issue = (rule, target) => {
                const el = target.length === 1 ? document.querySelector(target[0]) : null;
                for (const [name, [knownRule, within]] of Object.entries(known)) {
                    if (el && rule === knownRule && el.closest(within)) { return name; }
                }
                return null;
            };
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 200), known: issue(v.id, n.target),
                                          summary: (n.failureSummary || "").slice(0, 300)}))}));
        }""",
        [EXCLUDED, KNOWN_PAGE_ISSUES],
    )
    return result


def _split(violations: list[dict]) -> tuple[list[dict], set[str]]:
    """(serious/critical violations not known to need a page fix, names of the known ones found)."""
    unknown, known = [], set()
    for violation in violations:
        if violation["impact"] not in BLOCKING:
            continue
        nodes = [n for n in violation["nodes"] if not n["known"]]
        known |= {n["known"] for n in violation["nodes"] if n["known"]}
        if nodes:
            unknown.append({**violation, "nodes": nodes})
    return unknown, known


def _wait_ready(page: Page, path: str) -> None:
    """Wait until the page's drawings are in: charts drawn, the map live."""
    if path.startswith(("/map", "/sites")):
        map_frame(page)
    if path.startswith("/timeline"):
        page.locator('[data-testid="stVegaLiteChart"] svg.marks, [data-testid="stVegaLiteChart"] canvas').first.wait_for()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violation(server, browsing, path, viewport):
    context, _ = browsing.new_context()
    page = context.new_page()
    page.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[viewport])))
    open_page(page, server + path)
    _wait_ready(page, path)
    lang = page.evaluate("document.documentElement.lang")
    assert lang, "the page has no language attribute"
    violations, _ = _split(_run_axe(page))
    assert not violations, f"{path} ({viewport}): " + json.dumps(violations, indent=1)[:6000]


def test_axe_finds_a_planted_violation(server, browsing):
    """The check can fail: a button without a name planted in the page is reported."""
    page = browsing.new_page()
    open_page(page, server + "/data")
    page.evaluate("""() => { const b = document.createElement('button');
        document.body.appendChild(b); }""")
    ids = {v["id"] for v in _run_axe(page) if v["impact"] in BLOCKING}
    assert "button-name" in ids, ids



@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_the_opened_share_box_has_no_serious_accessibility_violation(server, browsing, viewport):
    # The box draws its link, citation, feed link and embed snippet only once opened: check them open.
    context, _ = browsing.new_context()
    page = context.new_page()
    page.set_viewport_size(dict(zip(("width", "height"), VIEWPORTS[viewport])))
    open_page(page, server + "/map?actor=russia")
    map_frame(page)
    page.get_by_text("Share this view").click()
    page.get_by_text("Embed this view in a web page").wait_for()
    violations, _ = _split(_run_axe(page))
    assert not violations, f"share box ({viewport}): " + json.dumps(violations, indent=1)[:6000]
