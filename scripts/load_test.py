"""Load test: N concurrent readers against Basewatch (one server, or replicas behind nginx), on loopback only.

Every session does what a reader does: opens a shared link (/map?actor=russia&from=2024-12-01), changes
a sidebar filter (Event type), then opens an event (?event=<id>, ids from events.csv). Readers arrive
--ramp seconds apart (default 0.2 s: 50 readers within 10 s). All sessions stay connected until every
one has finished, so the servers hold N sessions at once; then all close.

Before the crowd, a calibration phase measures the server CPU each action costs (--calibrate K): on the
idle server, one at a time, K times each, a protocol client opens the shared link, changes the filter,
opens an event, and opens `/` and `/map` for the first time; the server's process tree's utime+stime
(/proc/<pid>/stat) is read before and after each, once the server has gone quiet. Median and p95 CPU ms
per action are reported, with the verdict on the aim of ≤ 150 ms for a first open.

--replicas N starts N Streamlit servers on free ports and, for N ≥ 2 (or with --via-nginx), Debian's
nginx from deploy/nginx.conf.template (tests/deploy/proxy.py's helper) in front of them; readers go
through nginx, protocol clients carrying its sticky cookie like a browser. nginx and every server stop
when the run ends, however it ends.

Two kinds of client share the sessions (--browsers of them are real browsers, the rest protocol clients):

* browser: a Playwright context in one headless Chromium, driving the real UI (the Leaflet map must
  be live inside its iframe). Non-loopback requests are aborted.
* protocol: a light websocket client speaking Streamlit's own protocol on /_stcore/stream: it sends the
  `rerun_script` BackMsg the frontend sends (query string, page name, widget states) and reads
  ForwardMsgs until `script_finished`. It runs the same script on the server as a browser tab does,
  minus the static files and the map iframe's own requests. 50 Chromium contexts on 2 cores measure
  Chromium more than the server, so the default mixes both.

A "rendered view" is: browser, the count line shows the expected number and `window.map` exists in the
map iframe (for the event step: its detail is shown); protocol, the run finished successfully with the
expected count line (or event detail) in its deltas and no exception element.

Reports errors, p50/p95 seconds per step and client kind, and server memory (VmRSS summed over the
Streamlit process tree) idle, warm, at the peak with every session open, and after they closed.
Writes JSON to --out and prints a table. Every wait is bounded by --step-timeout and the whole run by
--deadline; it stops by itself.

    .venv/bin/python scripts/load_test.py                      # 50 sessions, own server (make load)
    .venv/bin/python scripts/load_test.py --replicas 2         # 2 servers behind nginx (make load-replicas)
    .venv/bin/python scripts/load_test.py --sessions 50 --browsers 50
    .venv/bin/python scripts/load_test.py --url http://127.0.0.1:8501 --sessions 20
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import dataclasses
import datetime as dt
import json
import math
import os
import random
import re
import statistics
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from basewatch import config  # noqa: E402
from tools.server import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402

SHARED_QUERY = {"actor": "russia", "from": "2024-12-01"}
PAGE = "map"
FILTER_LABEL = "Event type"
FILTER_KEY = "f_type"
SCRIPT_DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
COUNT_MD_RE = re.compile(r"^\*\*([\d,]+) of ([\d,]+) events\*\*$")
COUNT_TEXT_RE = re.compile(r"^[\d,]+ of [\d,]+ events$")
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
MAX_MESSAGES_PER_RUN = 5000  # a map page run is ~50 ForwardMsgs; more means something loops
STEPS = ("open", "filter", "event")
LIVE_MAP_AIM_S = 20.0  # issue 13: p95 time to a live map with one replica per core, and 0 errors


# --------------------------------------------------------------------------- expectations


@dataclass(frozen=True)
class Plan:
    """What every session does and what it must see."""

    base: str
    shared_query: str
    open_count: str
    filter_value: str
    filter_query_count: str
    event_ids: tuple[str, ...]
    total: int


def make_plan(base: str, data_dir: Path) -> Plan:
    """Expected counts from the same data and filter code the app uses."""
    from basewatch.loading.dataset import load_dataset
    from basewatch.state.filters import Filters, apply_filters

    dataset = load_dataset(data_dir)
    events = dataset.events
    total = len(events)
    shared = Filters(actors=frozenset({SHARED_QUERY["actor"]}), date_from=dt.date.fromisoformat(SHARED_QUERY["from"]))
    opened = apply_filters(events, shared)
    if opened.empty:
        raise SystemExit(f"the shared link matches no event in {data_dir}; nothing to measure")
    counts = opened["event_type"].value_counts()
    # Prefer "withdrawal" (the README's example); otherwise the commonest type that narrows the view.
    choices = [t for t in ["withdrawal", *counts.index] if t in counts.index and counts[t] < len(opened)]
    value = choices[0] if choices else counts.index[0]
    narrowed = apply_filters(events, Filters(actors=shared.actors, date_from=shared.date_from,
                                             types=frozenset({value})))
    with open(data_dir / config.EVENTS_FILE, newline="", encoding="utf-8") as handle:
        ids = tuple(row["id"] for row in csv.DictReader(handle) if row.get("id"))
    return Plan(base=base.rstrip("/"), shared_query=urlencode(SHARED_QUERY), open_count=f"{len(opened):,} of {total:,} events",
                filter_value=value, filter_query_count=f"{len(narrowed):,} of {total:,} events", event_ids=ids,
                total=total)


# --------------------------------------------------------------------------- results


@dataclass
class SessionResult:
    index: int
    kind: str
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    failed_step: str | None = None
    event_id: str | None = None


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summarise(values: list[float]) -> dict:
    return {"n": len(values), "p50": _r(percentile(values, 50)), "p95": _r(percentile(values, 95)),
            "max": _r(max(values) if values else None), "mean": _r(sum(values) / len(values) if values else None)}


def _r(value, digits=3):
    return None if value is None else round(value, digits)


# --------------------------------------------------------------------------- memory and CPU from /proc


def process_tree(root_pid: int) -> list[int]:
    """root_pid and all its descendants (from /proc/*/stat)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    tree, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        if Path(f"/proc/{pid}").exists():
            tree.append(pid)
            todo.extend(children.get(pid, []))
    return tree


def rss_mb(pids: list[int]) -> float:
    """Sum of VmRSS over these processes, MB."""
    total_kb = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
    return round(total_kb / 1024, 1)


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime summed over these processes, seconds (a process's figure includes its ended threads)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def trees(root_pids: list[int]) -> list[int]:
    """Every process under these roots (several replicas, or nginx's master and workers)."""
    return [pid for root in root_pids for pid in process_tree(root)]


def chromium_pids() -> list[int]:
    """Chromium processes started (through Playwright's driver) by this script."""
    pids = []
    for pid in process_tree(os.getpid()):
        with contextlib.suppress(OSError):
            if "chrom" in Path(f"/proc/{pid}/comm").read_text():
                pids.append(pid)
    return pids


def find_listener_pid(port: int) -> int | None:
    """The pid listening on a loopback TCP port (for --url), via /proc/net/tcp* socket inodes."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                    inodes.add(parts[9])
    if not inodes:
        return None
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{entry}/fd"):
                target = os.readlink(f"/proc/{entry}/fd/{fd}")
                if target.startswith("socket:[") and target[8:-1] in inodes:
                    return int(entry)
    return None


# --------------------------------------------------------------------------- protocol client


class ProtocolSession:
    """One Streamlit session over /_stcore/stream, without a browser."""

    def __init__(self, plan: Plan, step_timeout: float):
        self.plan, self.step_timeout = plan, step_timeout
        self.ws = None
        self.query_string = ""
        self.widgets: dict[str, tuple[str, list[str]]] = {}  # key → (widget id, raw values)
        self.cookies: dict[str, str] = {}  # what a browser would send back (nginx's sticky bw_route)

    async def load_page(self, path_and_query: str) -> None:
        """GET the page's HTML as a browser does first, keeping any cookie it sets."""
        set_cookies = await asyncio.to_thread(_http_get, f"{self.plan.base}/{path_and_query}", self.step_timeout,
                                              self.cookies)
        for header in set_cookies:
            name, _, value = header.split(";", 1)[0].partition("=")
            if name.strip():
                self.cookies[name.strip()] = value.strip()

    async def connect(self) -> None:
        import websockets

        host = urlsplit(self.plan.base).netloc
        # The cookie routes the websocket to the replica that served the page (same origin: a browser sends it).
        headers = {"Cookie": _cookie_header(self.cookies)} if self.cookies else None
        # The frontend offers "streamlit" as the subprotocol (plus XSRF token and session id, both optional).
        self.ws = await asyncio.wait_for(websockets.connect(
            f"ws://{host}/_stcore/stream", subprotocols=["streamlit"], origin=self.plan.base, max_size=None,
            open_timeout=self.step_timeout, ping_interval=None, additional_headers=headers), self.step_timeout)

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.ws.close(), 5)

    async def rerun(self, query_string: str, widget_states: dict[str, list[str]] | None = None,
                    page: str = PAGE) -> list:
        """Send rerun_script like the frontend and collect the run's deltas until it finishes."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        msg.rerun_script.query_string = query_string
        msg.rerun_script.page_name = page
        for widget_id, values in (widget_states or {}).items():
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = widget_id
            state.string_array_value.data.extend(values)
        await self.ws.send(msg.SerializeToString())
        self.query_string = query_string
        elements = []
        deadline = time.monotonic() + self.step_timeout
        for _ in range(MAX_MESSAGES_PER_RUN):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no script_finished within {self.step_timeout}s")
            data = await asyncio.wait_for(self.ws.recv(), remaining)
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                element = fwd.delta.new_element
                element_kind = element.WhichOneof("type")
                elements.append((element_kind, getattr(element, element_kind)))
                if element_kind == "exception":
                    raise RuntimeError(f"the app raised: {element.exception.type}: {element.exception.message}")
                if element_kind == "multiselect":
                    key = element.multiselect.id.rsplit("-", 1)[-1]
                    self.widgets[key] = (element.multiselect.id, list(element.multiselect.raw_values))
            elif kind == "page_info_changed":
                self.query_string = fwd.page_info_changed.query_string
            elif kind == "page_not_found":
                raise RuntimeError(f"page not found: {fwd.page_not_found.page_name!r}")
            elif kind == "session_event" and fwd.session_event.WhichOneof("type") == "script_compilation_exception":
                raise RuntimeError(f"script compilation error: {fwd.session_event.script_compilation_exception}")
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    raise RuntimeError("script finished with a compile error")
                return elements
        raise RuntimeError(f"more than {MAX_MESSAGES_PER_RUN} messages without script_finished")


def count_in(elements) -> str | None:
    for kind, element in elements:
        if kind == "markdown":
            m = COUNT_MD_RE.match(element.body.strip())
            if m:
                return f"{m.group(1)} of {m.group(2)} events"
    return None


async def step_open(session: ProtocolSession) -> None:
    """Open the shared link: the HTML, then the websocket and the first script run."""
    plan = session.plan
    await session.load_page(f"{PAGE}?{plan.shared_query}")
    await session.connect()
    elements = await session.rerun(plan.shared_query)
    _expect(count_in(elements), plan.open_count, "count line after opening the shared link")
    _expect(bool(any(k == "component_instance" for k, _ in elements)), True, "map component")


async def step_filter(session: ProtocolSession) -> None:
    """Change the Event type filter in the open session (the widget states the frontend sends)."""
    plan = session.plan
    widget_id, _ = session.widgets[FILTER_KEY]
    states = {wid: values for wid, values in session.widgets.values()
              if wid.endswith(("-f_actor", "-f_type", "-f_status", "-f_country"))}
    states[widget_id] = [plan.filter_value]
    elements = await session.rerun(session.query_string, states)
    _expect(count_in(elements), plan.filter_query_count, "count line after changing the filter")
    _expect(f"type={plan.filter_value}" in session.query_string, True,
            f"filter written to the URL ({session.query_string!r})")


async def step_event(session: ProtocolSession, event_id: str) -> None:
    """Open one event (?event=<id>) in the open session."""
    elements = await session.rerun(urlencode({"event": event_id}))
    # The detail's facts are an HTML list (<li><b>Event id:</b> <bdi>ev-0042</bdi></li>); older pages wrote markdown,
    # which escapes punctuation (ev\-0042): compare without the backslashes.
    shown = any(k in ("markdown", "html") and "Event id" in e.body and f">{event_id}<" in e.body.replace("\\", "")
                or k == "markdown" and f"**Event id:** {event_id}" in e.body.replace("\\", "") for k, e in elements)
    _expect(shown, True, f"detail of {event_id}")


async def step_first_open(session: ProtocolSession, page: str) -> None:
    """A first visit to a page with no query string (`page` "" is the start page `/`)."""
    await session.load_page(page)
    await session.connect()
    elements = await session.rerun("", page=page)
    _expect(bool(elements), True, f"elements on /{page}")
    if page == PAGE:
        _expect(bool(any(k == "component_instance" for k, _ in elements)), True, "map component")


async def protocol_session(result: SessionResult, plan: Plan, step_timeout: float, done: asyncio.Event) -> None:
    session = ProtocolSession(plan, step_timeout)
    step = "open"
    try:
        for step in STEPS:
            start = time.monotonic()
            if step == "open":
                await step_open(session)
            elif step == "filter":
                await step_filter(session)
            else:
                await step_event(session, result.event_id)
            result.timings[step] = time.monotonic() - start
        step = "hold"
    except Exception as exc:  # noqa: BLE001 - every failure is recorded, none stops the run
        result.error, result.failed_step = f"{type(exc).__name__}: {exc}"[:500], step
    finally:
        done.set()
    await _hold(session.close)


def _http_get(url: str, timeout: float, cookies: dict[str, str] | None = None) -> list[str]:
    """GET `url` (sending `cookies`); the Set-Cookie headers of the answer."""
    request = urllib.request.Request(url, headers={"Cookie": _cookie_header(cookies)} if cookies else {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if response.status != 200:
            raise RuntimeError(f"GET {url}: HTTP {response.status}")
        response.read()
        return response.headers.get_all("Set-Cookie") or []


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def _expect(actual, expected, what: str) -> None:
    if actual != expected:
        raise AssertionError(f"{what}: expected {expected!r}, got {actual!r}")


HOLD = asyncio.Event()  # set when every session has finished its steps (or the deadline passed)


async def _hold(close) -> None:
    """Keep the session open until every session is done, then close it."""
    with contextlib.suppress(Exception):
        await HOLD.wait()
    await close()


# --------------------------------------------------------------------------- browser client


def _guard(route) -> None:
    url = route.request.url
    if url.startswith(("data:", "blob:", "about:")) or urlsplit(url).hostname in LOOPBACK_HOSTS:
        return route.continue_()
    return route.abort()


async def browser_session(result: SessionResult, plan: Plan, browser, step_timeout: float,
                          done: asyncio.Event) -> None:
    timeout_ms = step_timeout * 1000
    context = None
    step = "open"
    try:
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(timeout_ms)
        context.set_default_navigation_timeout(timeout_ms)
        await context.route("**/*", _guard)
        page = await context.new_page()
        sidebar = page.locator('[data-testid="stSidebar"]')
        count = sidebar.get_by_text(COUNT_TEXT_RE)

        start = time.monotonic()
        await page.goto(f"{plan.base}/{PAGE}?{plan.shared_query}", wait_until="domcontentloaded")
        await _wait_rendered(page, count, plan.open_count, timeout_ms)
        result.timings["open"] = time.monotonic() - start

        step = "filter"
        start = time.monotonic()
        box = sidebar.locator('[data-testid="stMultiSelect"]').filter(
            has=page.locator('[data-testid="stWidgetLabel"]', has_text=FILTER_LABEL)).get_by_role("combobox")
        await box.click()
        await box.press_sequentially(plan.filter_value[:6])  # the option list is virtualised: narrow it
        await page.get_by_role("listbox", name=FILTER_LABEL).get_by_role(
            "option", name=plan.filter_value, exact=True).click()
        await page.wait_for_url(lambda url: f"type={plan.filter_value}" in url, timeout=timeout_ms)
        await page.keyboard.press("Escape")
        await _wait_rendered(page, count, plan.filter_query_count, timeout_ms)
        result.timings["filter"] = time.monotonic() - start

        step = "event"
        start = time.monotonic()
        await page.goto(f"{plan.base}/{PAGE}?{urlencode({'event': result.event_id})}", wait_until="domcontentloaded")
        await page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=timeout_ms)
        await page.locator('[data-testid="stMain"]').get_by_role("listitem").filter(
            has_text=f"Event id: {result.event_id}").wait_for(state="visible", timeout=timeout_ms)
        await _wait_map(page, timeout_ms)
        result.timings["event"] = time.monotonic() - start
        step = "hold"
    except Exception as exc:  # noqa: BLE001 - every failure is recorded, none stops the run
        result.error, result.failed_step = f"{type(exc).__name__}: {str(exc).splitlines()[0][:400]}", step
    finally:
        done.set()

    async def close():
        if context is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(context.close(), 10)

    await _hold(close)


async def _wait_rendered(page, count, expected: str, timeout_ms: float) -> None:
    await page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=timeout_ms)
    deadline = time.monotonic() + timeout_ms / 1000
    while True:  # bounded: at most timeout_ms
        text = (await count.first.text_content(timeout=timeout_ms)) or ""
        if text.strip() == expected:
            break
        if time.monotonic() > deadline:
            raise AssertionError(f"count line: expected {expected!r}, got {text.strip()!r}")
        await asyncio.sleep(0.1)
    await _wait_map(page, timeout_ms)
    if await page.locator('[data-testid="stException"]').count():
        raise RuntimeError("the page shows a Python exception")


async def _wait_map(page, timeout_ms: float) -> None:
    handle = await page.wait_for_selector(MAP_IFRAME, state="visible", timeout=timeout_ms)
    frame = await handle.content_frame()
    if frame is None:
        raise RuntimeError("the st_folium iframe has no frame")
    await frame.wait_for_function("() => !!window.map && !!window.map.getContainer", timeout=timeout_ms)


# --------------------------------------------------------------------------- server CPU per action

# Each action alone on the idle server, K times: the server's CPU seconds before and after it.
CALIBRATION_ACTIONS = {
    "open": "open the shared link (new session)",
    "filter": "change the Event type filter",
    "event": "open an event",
    "first_open_root": "first open of / (new session, no query)",
    "first_open_map": "first open of /map (new session, no query)",
}
BROWSER_ACTION = "first_open_map_browser"
BROWSER_ACTION_LABEL = "first open of /map in Chromium (empty cache)"
FIRST_OPEN_ACTIONS = ("first_open_root", "first_open_map")
FIRST_OPEN_AIM_MS = 150.0  # issue 13: server CPU for a first open at bundled size


async def wait_idle(pids, quiet: float = 0.2, limit: float = 3.0) -> float:
    """The CPU seconds of `pids()` once they stop growing for `quiet` s (waits at most `limit` s)."""
    last = cpu_seconds(pids())
    for _ in range(max(1, round(limit / quiet))):
        await asyncio.sleep(quiet)
        now = cpu_seconds(pids())
        if now == last:
            break
        last = now
    return last


def cpu_summary(samples_ms: dict[str, list[float]]) -> dict:
    """Median, p95 (nearest rank), min and max CPU ms per action, with the raw samples."""
    labels = {**CALIBRATION_ACTIONS, BROWSER_ACTION: BROWSER_ACTION_LABEL}
    return {action: {"label": labels.get(action, action), "n": len(values),
                     "median_ms": _r(statistics.median(values), 1) if values else None,
                     "p95_ms": _r(percentile(values, 95), 1), "min_ms": _r(min(values, default=None), 1),
                     "max_ms": _r(max(values, default=None), 1), "samples_ms": [_r(v, 1) for v in values]}
            for action, values in samples_ms.items()}


def first_open_verdict(actions: dict) -> dict:
    """Is the first open of / and /map within FIRST_OPEN_AIM_MS of server CPU (median, and at p95)?"""
    rows = [actions[a] for a in FIRST_OPEN_ACTIONS if actions.get(a, {}).get("n")]
    if not rows:
        return {"aim_ms": FIRST_OPEN_AIM_MS, "met": None, "met_at_p95": None}
    return {"aim_ms": FIRST_OPEN_AIM_MS,
            "met": all(r["median_ms"] <= FIRST_OPEN_AIM_MS for r in rows),
            "met_at_p95": all(r["p95_ms"] <= FIRST_OPEN_AIM_MS for r in rows)}


async def calibrate(plan: Plan, pids, k: int, step_timeout: float, rng: random.Random, browser_k: int = 0) -> dict:
    """Run every action alone, K times, one at a time, on the idle server; CPU ms each (pids(): its tree).

    With browser_k, also a first open of /map in a fresh Chromium context browser_k times: what the server
    spends on a real first visit, static files (JS bundle, component iframe) included."""
    t0, idle0 = time.monotonic(), cpu_seconds(pids())
    await asyncio.sleep(2.0)
    idle_ms_per_s = (cpu_seconds(pids()) - idle0) * 1000 / (time.monotonic() - t0)
    samples: dict[str, list[float]] = {action: [] for action in CALIBRATION_ACTIONS}

    async def measure(action: str, coro) -> None:
        before = await wait_idle(pids)
        try:
            await asyncio.wait_for(coro, step_timeout)
        except Exception as exc:
            raise SystemExit(f"calibration failed at {action!r}: {type(exc).__name__}: {exc}") from exc
        samples[action].append((await wait_idle(pids) - before) * 1000)

    for _ in range(k):
        reader = ProtocolSession(plan, step_timeout)
        try:
            await measure("open", step_open(reader))
            await measure("filter", step_filter(reader))
            await measure("event", step_event(reader, rng.choice(plan.event_ids)))
        finally:
            await reader.close()
        for action, page in (("first_open_root", ""), ("first_open_map", PAGE)):
            visitor = ProtocolSession(plan, step_timeout)
            try:
                await measure(action, step_first_open(visitor, page))
            finally:
                await visitor.close()
    if browser_k:
        samples[BROWSER_ACTION] = await _calibrate_browser(plan, pids, browser_k, step_timeout)
    actions = cpu_summary(samples)
    return {"k": k, "server": plan.base, "idle_cpu_ms_per_s": _r(idle_ms_per_s, 2),
            "tick_ms": round(1000 / os.sysconf("SC_CLK_TCK"), 1), "actions": actions,
            "first_open": first_open_verdict(actions)}


async def _calibrate_browser(plan: Plan, pids, k: int, step_timeout: float) -> list[float]:
    """Server CPU ms of k first opens of /map, each in a new Chromium context (no cache), until the map is live."""
    from playwright.async_api import async_playwright

    timeout_ms = step_timeout * 1000
    samples = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for _ in range(k):
                context = await browser.new_context(viewport={"width": 1280, "height": 900})
                try:
                    await context.route("**/*", _guard)
                    page = await context.new_page()
                    before = await wait_idle(pids)
                    await page.goto(f"{plan.base}/{PAGE}", wait_until="domcontentloaded", timeout=timeout_ms)
                    await page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=timeout_ms)
                    await _wait_map(page, timeout_ms)
                    samples.append((await wait_idle(pids) - before) * 1000)
                finally:
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(context.close(), 10)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(browser.close(), 20)
    return samples


# --------------------------------------------------------------------------- the run


async def run_load(plan: Plan, args, server_pids: list[int], replica_bases: list[str] | None = None,
                   proxy_pid: int | None = None) -> dict:
    """Warm up every replica, measure CPU per action on the idle first replica (directly), then send the
    crowd to plan.base; server_pids are the replicas' roots (memory and CPU are summed over them)."""
    global HOLD
    HOLD = asyncio.Event()  # a fresh one per run: an Event is bound to the loop that first waits on it
    rng = random.Random(args.seed)
    # Browser sessions are spread evenly over the start order, so both kinds see the same load.
    results = [SessionResult(i, "browser" if (i * args.browsers) // args.sessions
                             != ((i + 1) * args.browsers) // args.sessions else "protocol",
                             event_id=rng.choice(plan.event_ids))
               for i in range(args.sessions)]
    have_pids = bool(server_pids)  # memory and CPU figures need the servers' pids
    server_tree = lambda: trees(server_pids)  # noqa: E731
    memory: dict[str, float | None] = {}
    cpu: dict[str, float | None] = {}

    # Warm-up: one protocol session fills the data cache, so per-session memory is not the cache.
    memory["idle"] = rss_mb(server_tree()) if have_pids else None
    # Every replica directly (through nginx the sticky hash might pick one replica only).
    HOLD.set()
    for replica_base in replica_bases or [plan.base]:
        warm = SessionResult(-1, "protocol", event_id=plan.event_ids[0])
        await asyncio.wait_for(protocol_session(warm, dataclasses.replace(plan, base=replica_base.rstrip("/")),
                                                args.step_timeout, asyncio.Event()), args.step_timeout * 4)
        if warm.error:
            raise SystemExit(f"warm-up session on {replica_base} failed at {warm.failed_step}: {warm.error}")
    HOLD.clear()
    calibration = None
    if args.calibrate and have_pids:
        # server_pids[0] serves replica_bases[0]; every replica runs the same code.
        first_tree = lambda: process_tree(server_pids[0])  # noqa: E731
        calibration_plan = dataclasses.replace(plan, base=(replica_bases or [plan.base])[0].rstrip("/"))
        calibration = await calibrate(calibration_plan, first_tree, args.calibrate, args.step_timeout, rng,
                                      min(args.calibrate, 3) if args.browsers else 0)
    await asyncio.sleep(1.0)
    memory["warm"] = rss_mb(server_tree()) if have_pids else None
    cpu["server_before"] = cpu_seconds(server_tree()) if have_pids else None
    nginx_before = cpu_seconds(process_tree(proxy_pid)) if proxy_pid else None

    peak = {"rss": memory["warm"] or 0.0, "chromium_rss": 0.0}
    stop_sampling = asyncio.Event()

    async def sample():
        while not stop_sampling.is_set():
            if have_pids:
                peak["rss"] = max(peak["rss"], rss_mb(server_tree()))
            if args.browsers:
                peak["chromium_rss"] = max(peak["chromium_rss"], rss_mb(chromium_pids()))
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop_sampling.wait(), 0.5)

    pw_manager = browser = None
    wall_start = time.monotonic()
    sampler = asyncio.create_task(sample())
    try:
        if args.browsers:
            from playwright.async_api import async_playwright

            pw_manager = async_playwright()
            playwright = await pw_manager.__aenter__()
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        chromium_cpu_before = cpu_seconds(chromium_pids()) if args.browsers else None
        dones = [asyncio.Event() for _ in results]
        tasks = []
        for i, result in enumerate(results):
            if i:
                await asyncio.sleep(args.ramp)
            if result.kind == "browser":
                coro = browser_session(result, plan, browser, args.step_timeout, dones[i])
            else:
                coro = protocol_session(result, plan, args.step_timeout, dones[i])
            tasks.append(asyncio.create_task(coro))
        remaining = args.deadline - (time.monotonic() - wall_start)
        try:
            await asyncio.wait_for(asyncio.gather(*(d.wait() for d in dones)), max(1.0, remaining))
        except TimeoutError:
            for result, done in zip(results, dones):
                if not done.is_set() and not result.error:
                    result.error, result.failed_step = f"did not finish within --deadline {args.deadline}s", "deadline"
        steps_done = time.monotonic()
        # Every session is open now: the server's peak.
        await asyncio.sleep(1.0)
        memory["all_sessions_open"] = rss_mb(server_tree()) if have_pids else None
        cpu["server_during"] = (round(cpu_seconds(server_tree()) - cpu["server_before"], 2) if have_pids else None)
        cpu["nginx_during"] = round(cpu_seconds(process_tree(proxy_pid)) - nginx_before, 2) if proxy_pid else None
        cpu["chromium_during"] = (round(cpu_seconds(chromium_pids()) - chromium_cpu_before, 2)
                                  if args.browsers else None)
        HOLD.set()
        await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 60)
    finally:
        stop_sampling.set()
        HOLD.set()
        await sampler
        if browser is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(browser.close(), 20)
        if pw_manager is not None:
            with contextlib.suppress(Exception):
                await pw_manager.__aexit__(None, None, None)
    wall = steps_done - wall_start
    await asyncio.sleep(args.settle)
    memory["after_close"] = rss_mb(server_tree()) if have_pids else None
    memory["peak"] = peak["rss"] if have_pids else None
    memory["chromium_peak"] = peak["chromium_rss"] if args.browsers else None
    if have_pids and memory["warm"] is not None:
        memory["per_session"] = round((memory["all_sessions_open"] - memory["warm"]) / args.sessions, 2)
        memory["per_session_at_peak"] = round((memory["peak"] - memory["warm"]) / args.sessions, 2)

    timings = {}
    for step in STEPS:
        timings[step] = {kind: summarise([r.timings[step] for r in results if r.kind == kind and step in r.timings])
                         for kind in ("browser", "protocol")}
        timings[step]["all"] = summarise([r.timings[step] for r in results if step in r.timings])
    errors = [{"session": r.index, "kind": r.kind, "step": r.failed_step, "error": r.error}
              for r in results if r.error]
    actions_done = sum(len(r.timings) for r in results)
    if cpu.get("server_during") is not None and actions_done:
        # Under load, with queueing and contention: the crowd's server CPU over the actions it completed.
        cpu["server_ms_per_action_under_load"] = round(cpu["server_during"] * 1000 / actions_done, 1)
    if cpu.get("server_before") is not None:
        cpu["server_before"] = round(cpu["server_before"], 2)
    live = timings["open"]["browser"] if timings["open"]["browser"]["n"] else timings["open"]["all"]
    return {
        "calibration": calibration,
        "targets": {
            "first_open_cpu": calibration["first_open"] if calibration else None,
            "live_map": {"aim_p95_s": LIVE_MAP_AIM_S, "replicas": args.replicas,
                         "clients": "browser" if timings["open"]["browser"]["n"] else "protocol",
                         "p95_s": live["p95"], "n": live["n"], "errors": len(errors),
                         "met": live["p95"] is not None and live["p95"] <= LIVE_MAP_AIM_S and not errors},
        },
        "sessions": {"requested": args.sessions, "browser": args.browsers, "protocol": args.sessions - args.browsers,
                     "completed": sum(1 for r in results if not r.error)},
        "error_count": len(errors),
        "errors": errors,
        "timings_s": timings,
        "wall_s": round(wall, 2),
        "server_rss_mb": memory,
        "cpu_s": cpu,
        "warmup_s": {k: _r(v) for k, v in warm.timings.items()},
    }


def print_table(report: dict) -> None:
    cal = report.get("calibration")
    if cal:
        print(f"\nserver CPU per action, each alone on the idle server, K={cal['k']} "
              f"(tick {cal['tick_ms']} ms; idle server {cal['idle_cpu_ms_per_s']} ms/s):")
        print(f"{'action':<44}{'median ms':>11}{'p95 ms':>9}{'max ms':>9}")
        for row in cal["actions"].values():
            print(f"{row['label']:<44}{row['median_ms']:>11}{row['p95_ms']:>9}{row['max_ms']:>9}")
        verdict = cal["first_open"]
        print(f"first open of / and /map (protocol client) at ≤ {verdict['aim_ms']:.0f} ms server CPU: "
              f"median {_met(verdict['met'])}, p95 {_met(verdict['met_at_p95'])}")
    s = report["sessions"]
    print(f"\n{s['requested']} sessions ({s['browser']} browser, {s['protocol']} protocol) against "
          f"{report['server']['url']}: {s['completed']} completed, {report['error_count']} errors, "
          f"steps done in {report['wall_s']} s")
    print(f"{'step':<8}{'client':<10}{'n':>4}{'p50 s':>9}{'p95 s':>9}{'max s':>9}")
    for step, kinds in report["timings_s"].items():
        for kind, stats in kinds.items():
            if stats["n"]:
                print(f"{step:<8}{kind:<10}{stats['n']:>4}{stats['p50']:>9.2f}{stats['p95']:>9.2f}{stats['max']:>9.2f}")
    m = report["server_rss_mb"]
    if m.get("warm") is not None:
        print(f"server RSS MB: idle {m['idle']}, warm {m['warm']}, all sessions open {m['all_sessions_open']} "
              f"(peak {m['peak']}), after close {m['after_close']}; per session {m['per_session']} MB")
    c = report["cpu_s"]
    if c.get("server_during") is not None:
        print(f"CPU s during the run: server {c['server_during']}"
              + (f", chromium {c['chromium_during']}" if c.get("chromium_during") is not None else ""))
        if c.get("nginx_during") is not None:
            print(f"CPU s during the run: nginx {c['nginx_during']}")
        if c.get("server_ms_per_action_under_load") is not None:
            print(f"server CPU per completed action under load: {c['server_ms_per_action_under_load']} ms")
    live = report["targets"]["live_map"]
    print(f"p95 time to a live map ({live['clients']} sessions, n={live['n']}, {live['replicas']} replica(s)): "
          f"{live['p95_s']} s, {live['errors']} errors; aim ≤ {live['aim_p95_s']:.0f} s, 0 errors: "
          f"{_met(live['met'])}")
    for error in report["errors"][:10]:
        print(f"  error: session {error['session']} ({error['kind']}) at {error['step']}: {error['error']}")


def _met(flag: bool | None) -> str:
    return "not measured" if flag is None else ("met" if flag else "NOT met")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Concurrent readers against Basewatch (loopback only).")
    parser.add_argument("--sessions", type=int, default=50, help="concurrent sessions (default 50)")
    parser.add_argument("--browsers", type=int, default=5,
                        help="how many of them are real Chromium contexts; the rest are protocol clients (default 5; "
                             "on 2 cores 50 Chromium contexts time out on their own CPU use)")
    parser.add_argument("--replicas", type=int, default=1,
                        help="Streamlit servers to start (default 1); with 2 or more, readers go through nginx "
                             "rendered from deploy/nginx.conf.template")
    parser.add_argument("--via-nginx", action="store_true", help="put nginx in front of a single replica too")
    parser.add_argument("--calibrate", type=int, default=10, metavar="K",
                        help="before the crowd, run each action alone K times and record the server CPU it costs "
                             "(default 10; 0 skips)")
    parser.add_argument("--url", help="an already running server on loopback (default: start one)")
    parser.add_argument("--server-pid", type=int, help="its pid, for memory figures (default: found by port)")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="data folder (default $BASEWATCH_DATA_DIR or the bundled data)")
    parser.add_argument("--out", type=Path, default=None,
                        help="JSON report (default bench-results/load.json, or load-replicas<N>.json)")
    parser.add_argument("--step-timeout", type=float, default=90.0, help="seconds any one step may take")
    parser.add_argument("--deadline", type=float, default=600.0, help="seconds the whole run may take")
    parser.add_argument("--ramp", type=float, default=0.2,
                        help="seconds between session starts (default 0.2: 50 readers arrive within 10 s)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to wait before the after-close RSS")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= 500:
        parser.error("--sessions must be 1..500")
    if not 1 <= args.replicas <= 16:
        parser.error("--replicas must be 1..16")
    if not 0 <= args.calibrate <= 200:
        parser.error("--calibrate must be 0..200")
    if args.url and (args.replicas > 1 or args.via_nginx):
        parser.error("--replicas and --via-nginx start their own servers; leave out --url")
    args.browsers = max(0, min(args.browsers, args.sessions))
    args.out = args.out or ROOT / "bench-results" / ("load.json" if args.replicas == 1 and not args.via_nginx
                                                     else f"load-replicas{args.replicas}.json")
    data_dir = (args.data_dir or config.data_dir()).resolve()

    started_here = args.url is None
    proxy = None
    with contextlib.ExitStack() as stack:  # stops nginx, then every replica, however the run ends
        if started_here:
            replicas = [stack.enter_context(streamlit_server(data_dir=data_dir)) for _ in range(args.replicas)]
            pids = [replica.proc.pid for replica in replicas]
            base = str(replicas[0])
            if args.replicas > 1 or args.via_nginx:
                from tests.deploy.proxy import nginx_proxy  # the same helper the replica test uses

                runtime_dir = Path(tempfile.mkdtemp(prefix="bw-load-nginx-"))
                proxy = stack.enter_context(nginx_proxy([urlsplit(r).netloc for r in replicas], runtime_dir))
                base = proxy.base
        else:
            parts = urlsplit(args.url)
            if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS or not parts.port:
                parser.error("--url must be http://127.0.0.1:PORT (loopback only)")
            base = direct = args.url.rstrip("/")
            found = args.server_pid or find_listener_pid(parts.port)
            pids = [found] if found else []
        plan = make_plan(base, data_dir)
        began, load_before = time.time(), os.getloadavg()
        report = asyncio.run(asyncio.wait_for(
            run_load(plan, args, pids, [str(r) for r in replicas] if started_here else [direct],
                     proxy.proc.pid if proxy else None),
            args.deadline + 120 + args.calibrate * 60))
        report["server"] = {"url": str(base), "pid": pids[0] if pids else None, "replica_pids": pids,
                            "replicas": [str(r) for r in replicas] if started_here else [direct],
                            "started_by_script": started_here, "streamlit_version": _streamlit_version(),
                            "nginx": ({"url": proxy.base, "pid": proxy.proc.pid, "runtime_dir": str(proxy.runtime_dir),
                                       "errors_logged": _nginx_errors(proxy)} if proxy else None)}
        report["config"] = {"sessions": args.sessions, "browsers": args.browsers, "replicas": args.replicas,
                            "via_nginx": proxy is not None, "calibrate_k": args.calibrate, "ramp_s": args.ramp,
                            "arrival_window_s": round(args.ramp * (args.sessions - 1), 2),
                            "step_timeout_s": args.step_timeout, "deadline_s": args.deadline, "seed": args.seed,
                            "data_dir": str(data_dir), "shared_link": f"/{PAGE}?{plan.shared_query}",
                            "filter": {FILTER_LABEL: plan.filter_value}, "cpus": os.cpu_count(),
                            "load_avg_at_start": load_before, "load_avg_at_end": os.getloadavg(),
                            "command": " ".join(["scripts/load_test.py", *(argv if argv is not None else sys.argv[1:])]),
                            "started_at": dt.datetime.fromtimestamp(began, dt.UTC).isoformat(timespec="seconds")}
        report["expected"] = {"open": plan.open_count, "filter": plan.filter_query_count}
        report["notes"] = [
            "Times are seconds from starting the step to a rendered view (see the script's docstring).",
            "protocol 'event' reruns the open session with ?event=<id>; browser 'event' navigates (a new session).",
            "server_rss_mb sums VmRSS over the Streamlit process trees (all replicas); per_session = "
            "(all_sessions_open - warm) / sessions. Streamlit keeps a closed session ~2 min for reconnects, so "
            "after_close still holds them.",
            "calibration: utime+stime of the first replica's process tree from /proc/<pid>/stat, read once the "
            "server has been idle for 0.2 s before and after each action; resolution one clock tick. Protocol "
            "client: static files (JS bundle, component iframe) are not fetched, so a browser's first visit "
            "costs the server more by whatever serving them takes.",
            "Other processes on the machine share the CPU: see config.load_avg_at_start.",
        ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)
    print(f"written to {args.out}")
    return 1 if report["error_count"] else 0


def _nginx_errors(proxy) -> list[str]:
    """Lines of nginx's error log at level error or worse (e.g. an upstream that refused or timed out)."""
    return [line for line in proxy.read(proxy.error_log).splitlines()
            if re.search(r"\[(error|crit|alert|emerg)\]", line)][:20]


def _streamlit_version() -> str:
    import streamlit

    return streamlit.__version__


if __name__ == "__main__":
    raise SystemExit(main())
