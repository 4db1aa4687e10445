"""Real-browser fixtures: a Streamlit server on the mini fixture, headless Chromium, an offline guard.

Every browser context gets a route handler that lets through only the local server (and data:, blob:,
about:) and aborts and records everything else; when a test ends, no script or stylesheet may have been
requested from anywhere else. When a test fails, its message carries the server log and a screenshot of
every open page is written to a temporary folder (its path is in the message).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Frame, Page, expect, sync_playwright

from basewatch.loading.dataset import Dataset, load_dataset
from tools.server import CHROMIUM, CHROMIUM_ARGS, RunningServer, streamlit_server

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini"

WAIT_MS = 60_000  # the longest any single wait may take
SCRIPT_DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
LOCAL_PREFIXES = ("http://127.0.0.1:", "http://localhost:", "data:", "blob:", "about:")
COUNT_RE = re.compile(r"^[\d,]+ of [\d,]+ events$")

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


# --------------------------------------------------------------------------- offline guard


@dataclass
class Guard:
    """Requests a context made: everything allowed, everything aborted, and responses."""

    allowed: list[tuple[str, str]] = field(default_factory=list)
    blocked: list[tuple[str, str]] = field(default_factory=list)
    responses: list[tuple[str, int]] = field(default_factory=list)

    def route(self, route) -> None:
        request = route.request
        if request.url.startswith(LOCAL_PREFIXES):
            self.allowed.append((request.url, request.resource_type))
            route.continue_()
        else:
            self.blocked.append((request.url, request.resource_type))
            route.abort()

    def foreign_assets(self) -> list[tuple[str, str]]:
        """Scripts and stylesheets requested from anywhere but 127.0.0.1 (allowed or not)."""
        everything = self.allowed + self.blocked
        return [(url, kind) for url, kind in everything
                if kind in ("script", "stylesheet") and not url.startswith("http://127.0.0.1:")]


class Browsing:
    """Opens guarded browser contexts for one test and checks them when it ends."""

    def __init__(self, browser: Browser):
        self.browser = browser
        self.contexts: list[tuple[BrowserContext, Guard]] = []

    def new_context(self) -> tuple[BrowserContext, Guard]:
        context = self.browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
        context.set_default_timeout(WAIT_MS)
        context.set_default_navigation_timeout(WAIT_MS)
        guard = Guard()
        context.route("**/*", guard.route)
        context.on("response", lambda response: guard.responses.append((response.url, response.status)))
        self.contexts.append((context, guard))
        return context, guard

    def new_page(self) -> Page:
        context, _ = self.new_context()
        return context.new_page()

    def screenshots(self, name: str) -> list[str]:
        folder = Path(tempfile.mkdtemp(prefix=f"basewatch-{re.sub(r'[^A-Za-z0-9_-]+', '_', name)}-"))
        saved = []
        for i, (context, _) in enumerate(self.contexts):
            for j, page in enumerate(context.pages):
                path = folder / f"context{i}-page{j}.png"
                try:
                    page.screenshot(path=str(path), full_page=True, timeout=10_000)
                    saved.append(str(path))
                except Exception as exc:  # noqa: BLE001 - a failed screenshot must not hide the failure
                    saved.append(f"{path}: screenshot failed ({exc})")
        return saved

    def close(self) -> list[str]:
        problems = []
        for context, guard in self.contexts:
            foreign = guard.foreign_assets()
            if foreign:
                problems.append(f"scripts/stylesheets requested from outside 127.0.0.1: {foreign}")
            try:
                context.close()
            except Exception:  # noqa: BLE001, S110 - the browser may already be gone
                pass
        self.contexts.clear()
        return problems


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    # Package scope, not session: a live sync Playwright keeps an asyncio loop running in this
    # thread, which would break later packages that start their own (tests/deploy).
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        expect.set_options(timeout=WAIT_MS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browsing(browser) -> Iterator[Browsing]:
    session = Browsing(browser)
    yield session
    problems = session.close()
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    """A server on the mini fixture, shared by the tests of one module."""
    with streamlit_server(data_dir=MINI) as base:
        yield base


@pytest.fixture(scope="session")
def dataset() -> Dataset:
    return load_dataset(MINI)


# --------------------------------------------------------------------------- failure reports


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """On failure: put the server log and screenshot paths into the assertion message."""
    try:
        return (yield)
    except (pytest.skip.Exception, pytest.xfail.Exception, KeyboardInterrupt):
        raise
    except BaseException as exc:
        extra = []
        browsing = item.funcargs.get("browsing")
        if isinstance(browsing, Browsing):
            extra.append("screenshots: " + ", ".join(browsing.screenshots(item.name)))
        # A fixture may yield the server alone or with what it serves, e.g. (server, data folder).
        values = [part for v in item.funcargs.values() for part in (v if isinstance(v, tuple) else (v,))]
        servers = [v for v in values if isinstance(v, RunningServer)]
        for base in servers:
            extra.append(f"--- server log ({base}) ---\n{base.log()}")
        if not extra:
            raise
        raise AssertionError(f"{type(exc).__name__}: {exc}\n\n" + "\n\n".join(extra)) from exc


# --------------------------------------------------------------------------- page helpers


def wait_script_done(page: Page) -> None:
    """Wait until the Streamlit script run is over (not a guarantee every lazy widget is drawn)."""
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=WAIT_MS)


def open_page(page: Page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    expect(page.locator('[data-testid="stApp"]')).to_be_attached()
    wait_script_done(page)
    expect(sidebar(page).get_by_text(COUNT_RE)).to_be_visible()


def sidebar(page: Page):
    return page.locator('[data-testid="stSidebar"]')


def count_line(page: Page):
    """The sidebar's "N of M events" line."""
    return sidebar(page).get_by_text(COUNT_RE)


def count_text(n: int, m: int) -> str:
    return f"{n:,} of {m:,} events"


def multiselect(page: Page, label: str):
    """The sidebar multiselect with this label."""
    return sidebar(page).locator('[data-testid="stMultiSelect"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=label))


def chips(page: Page, label: str):
    """The selected values shown in a multiselect."""
    return multiselect(page, label).locator("[data-tag]")


def map_frame(page: Page) -> Frame:
    """The live Leaflet map inside the st_folium iframe."""
    handle = page.wait_for_selector(MAP_IFRAME, state="visible", timeout=WAIT_MS)
    frame = handle.content_frame()
    assert frame is not None, "the st_folium iframe has no frame"
    frame.wait_for_function("() => !!window.map && !!window.map.getContainer", timeout=WAIT_MS)
    return frame


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def path_of(url: str) -> str:
    return urlsplit(url).path
