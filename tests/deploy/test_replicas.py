"""Two Streamlit replicas behind nginx (deploy/nginx.conf.template): sticky sessions and failover.

On loopback: two servers on the mini fixture, nginx rendered into a temporary folder, headless
Chromium through the proxy. A reader opens a shared link and changes a filter; every request of that
session must reach one replica. That replica is then stopped: the open tab must come back with the same
view (the view lives in the URL), and new readers, including one whose sticky cookie still points to the
dead replica, must get the app with a live map and the right count.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from basewatch.loading.dataset import load_dataset
from basewatch.state.filters import Filters, apply_filters
from tools.server import CHROMIUM, CHROMIUM_ARGS, stop, streamlit_server

from .proxy import ProxyFailed, nginx_binary, nginx_proxy

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "fixtures" / "mini"
WAIT_MS = 20_000
SCRIPT_DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
COUNT_RE = re.compile(r"^[\d,]+ of [\d,]+ events$")
STICKY_COOKIE = "bw_route"

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def count_text(n: int, m: int) -> str:
    return f"{n:,} of {m:,} events"


def guard(route) -> None:
    """Loopback only: anything else is aborted."""
    if route.request.url.startswith(("http://127.0.0.1:", "data:", "blob:", "about:")):
        route.continue_()
    else:
        route.abort()


def new_context(browser, proxy_base: str, sticky: str | None = None):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(WAIT_MS)
    context.set_default_navigation_timeout(WAIT_MS)
    context.route("**/*", guard)
    if sticky:
        context.add_cookies([{"name": STICKY_COOKIE, "value": sticky, "url": proxy_base + "/"}])
    return context


def count_line(page: Page):
    return page.locator('[data-testid="stSidebar"]').get_by_text(COUNT_RE)


def assert_rendered(page: Page, expected_count: str) -> None:
    """The script finished, the sidebar shows the expected count and the Leaflet map is live."""
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=WAIT_MS)
    expect(count_line(page)).to_have_text(expected_count, timeout=WAIT_MS)
    frame = page.wait_for_selector(MAP_IFRAME, state="visible", timeout=WAIT_MS).content_frame()
    assert frame is not None, "the st_folium iframe has no frame"
    frame.wait_for_function("() => !!window.map && !!window.map.getContainer", timeout=WAIT_MS)
    assert page.locator('[data-testid="stException"]').count() == 0, "the page shows a Python exception"


def sticky_value(context) -> str:
    values = [c["value"] for c in context.cookies() if c["name"] == STICKY_COOKIE]
    assert values, f"nginx set no {STICKY_COOKIE} cookie; cookies: {context.cookies()}"
    return values[0]


def test_replicas_behind_nginx_sticky_and_failover():
    if nginx_binary() is None:
        pytest.fail("nginx is not installed: run `make browser` (it apt-installs chromium and nginx). "
                    "This test must not be skipped in CI.")
    dataset = load_dataset(MINI)
    total = len(dataset.events)
    russia = len(apply_filters(dataset.events, Filters(actors=frozenset({"russia"}))))
    both = len(apply_filters(dataset.events, Filters(actors=frozenset({"russia"}), types=frozenset({"withdrawal"}))))
    assert 0 < both < russia < total, "the fixture no longer makes these filters meaningful"

    started = time.monotonic()
    replicas = []
    proxy = None
    runtime_dir = Path(tempfile.mkdtemp(prefix="bw-nginx-"))
    try:
        with contextlib.ExitStack() as stack:
            replicas = [stack.enter_context(streamlit_server(data_dir=MINI)) for _ in range(2)]
            by_addr = {urlsplit(r).netloc: r for r in replicas}
            proxy = stack.enter_context(nginx_proxy(list(by_addr), runtime_dir))
            p = stack.enter_context(sync_playwright())
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            stack.callback(browser.close)

            # 1. A reader opens a shared link through the proxy and changes a filter.
            reader = new_context(browser, proxy.base)
            page = reader.new_page()
            page.goto(proxy.base + "/map?actor=russia", wait_until="domcontentloaded")
            assert_rendered(page, count_text(russia, total))
            box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
                has=page.locator('[data-testid="stWidgetLabel"]', has_text="Event type")).get_by_role("combobox")
            box.click()
            box.press_sequentially("withdr")
            page.get_by_role("listbox", name="Event type").get_by_role("option", name="withdrawal", exact=True).click()
            page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("type") == ["withdrawal"])
            page.keyboard.press("Escape")
            expect(count_line(page)).to_have_text(count_text(both, total))

            # 2. Every request of that session went to one replica (the cookie's).
            route = sticky_value(reader)
            served = {u for line in proxy.access_lines() if line.route == route for u in line.upstreams}
            assert len(served) == 1, f"session {route} was served by {served or 'nobody'}, expected one replica"
            (dead_addr,) = served
            assert dead_addr in by_addr, f"upstream {dead_addr} is none of {list(by_addr)}"
            (live_addr,) = set(by_addr) - {dead_addr}

            # 3. Stop the replica holding that session.
            stop(by_addr[dead_addr].proc)
            assert by_addr[dead_addr].proc.poll() is not None, "the replica did not stop"

            # The open tab reconnects through nginx to the other replica and shows the same view.
            assert_rendered(page, count_text(both, total))
            assert parse_qs(urlsplit(page.url).query) == {"actor": ["russia"], "type": ["withdrawal"]}

            # 4. New readers still get the app: one whose sticky cookie points at the dead replica...
            stale = new_context(browser, proxy.base, sticky=route)
            stale_page = stale.new_page()
            stale_page.goto(proxy.base + "/map?actor=russia", wait_until="domcontentloaded")
            assert_rendered(stale_page, count_text(russia, total))
            # ...and a first-time reader with no cookie at all.
            fresh = new_context(browser, proxy.base)
            fresh_page = fresh.new_page()
            fresh_page.goto(proxy.base + "/map?actor=russia", wait_until="domcontentloaded")
            assert_rendered(fresh_page, count_text(russia, total))

            # The websocket of the first session was logged (when it closed) against the dead replica.
            streams = [line for line in proxy.access_lines() if line.uri.startswith("/_stcore/stream")]
            assert any(line.route == route and dead_addr in line.upstreams for line in streams), \
                f"no /_stcore/stream request of session {route} on {dead_addr} in the access log"
            # After the stop, nothing was answered by the dead replica.
            stale_route = sticky_value(stale)
            assert stale_route == route, "nginx replaced a cookie it should have kept"
            error_lines = [line for line in proxy.read(proxy.error_log).splitlines()
                           if re.search(r"\[(crit|alert|emerg)\]", line)]
            assert not error_lines, "nginx reported serious errors:\n" + "\n".join(error_lines)
            assert by_addr[live_addr].proc.poll() is None, "the surviving replica died"
            assert time.monotonic() - started < 120, "the test took too long"
    except (AssertionError, ProxyFailed, Exception) as exc:  # noqa: BLE001 - re-raised with the logs
        logs = [proxy.report() if proxy is not None else f"(nginx not started; runtime dir {runtime_dir})"]
        logs += [f"--- streamlit log ({r}) ---\n{r.log()[-6000:]}" for r in replicas]
        raise AssertionError(f"{type(exc).__name__}: {exc}\n\n" + "\n\n".join(logs)) from exc
