"""Server cost per reader action, measured on a real server in headless Chromium (issue 20, item 5).

    python -m tools.bench_actions DATA_DIR [DATA_DIR ...] [--out FILE.json] [--md FILE.md]
    python -m tools.bench_actions --sizes bundled 100000 1000000 [--out FILE.json] [--md FILE.md]

On a fresh server (the data validated once before, so it starts from the validated cache), one reader at a
time opens each page by its deep link (/map first: the cold open), then changes a filter on /map and picks an
event on the map. For each action it records

* the server's CPU seconds (user + system, summed over the server's process group, from /proc), from the
  action until the server has been idle for a moment;
* the seconds until the page is ready (the map live with its markers, or the script finished);
* the bytes the server sent the page over its websocket (every script run's messages);
* the server's resident memory after it.

`make bench` runs this at bundled size, 100,000 and 1,000,000 events (tools/bench.py).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

PAGES = ("map", "timeline", "data", "overview", "sites")
IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
MARKERS = ".marker-cluster, .bw-ev, .bw-cell"
POINTS = ".marker-cluster, .bw-ev"
SCRIPT_DONE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
TIMEOUT_MS = 180_000
IDLE_S = 0.5  # the server counts as done once its CPU time stops growing for this long
CLOCK = os.sysconf("SC_CLK_TCK")

# Zoom in on an event marker that stands alone (spiderfying its cluster if need be); resolves with its id.
SHOW_EVENT_MARKER = """
() => new Promise((resolve, reject) => {
    let cluster = null;
    window.map.eachLayer(l => { if (!cluster && typeof l.zoomToShowLayer === "function") cluster = l; });
    if (!cluster) return reject(new Error("no marker cluster on the map"));
    const markers = cluster.getLayers().filter(m => m.getTooltip && m.getTooltip() &&
        String(m.getTooltip().getContent()).includes("[event:"));
    if (!markers.length) return reject(new Error("no event marker in the cluster"));
    const marker = markers[Math.floor(markers.length / 2)];
    window.__bwMarker = marker;
    const id = String(marker.getTooltip().getContent()).match(/\\[event:([A-Za-z0-9-]+)\\]/)[1];
    window.map.setView(marker.getLatLng(), window.map.getMaxZoom() - 1, {animate: false});
    cluster.zoomToShowLayer(marker, () => resolve(id));
})
"""

MARKER_CENTRE = """
() => {
    const icon = window.__bwMarker && window.__bwMarker._icon;
    if (!icon || !icon.isConnected) return null;
    const r = icon.getBoundingClientRect();
    if (!r.width || r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight) return null;
    return {x: r.left + r.width / 2, y: r.top + r.height / 2};
}
"""

MAP_LIVE = """
([iframeSel, markerSel]) => {
    const frame = document.querySelector(iframeSel);
    if (!frame) return false;
    let w, d;
    try { w = frame.contentWindow; d = frame.contentDocument; } catch (e) { return false; }
    return !!(w && w.map && d && d.querySelector(markerSel)) && performance.now();
}
"""


def group_cpu_s(pid: int) -> float:
    """User + system CPU seconds of every process in the process group led by `pid` (children included)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        if int(fields[2]) == pid or int(entry.name) == pid:  # fields[2]: process group
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK


def group_rss_mb(pid: int) -> float:
    """Resident memory (MB) of the process group led by `pid`."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            fields = stat[stat.rfind(")") + 2:].split()
            if int(fields[2]) != pid and int(entry.name) != pid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1024


def wait_idle(pid: int, timeout_s: float = 60.0) -> float:
    """Wait until the server's CPU time stops growing for IDLE_S; returns its CPU seconds then."""
    deadline = time.monotonic() + timeout_s
    last, since = group_cpu_s(pid), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.05)  # polling another process's counters: there is no event to wait for
        now = group_cpu_s(pid)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= IDLE_S:
            break
    return last


class Sent:
    """Bytes the server sent a page over its websocket (Streamlit's ForwardMsg frames)."""

    def __init__(self, page):
        self.bytes = 0
        page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        ws.on("framereceived", lambda payload: self._add(payload))

    def _add(self, payload) -> None:
        self.bytes += len(payload) if isinstance(payload, (bytes, str)) else 0


def _new_page(browser, base: str):
    from tools.bench import VIEWPORT, _offline_routes

    context = browser.new_context(viewport=VIEWPORT)
    _offline_routes(context, base, [])
    page = context.new_page()
    return context, page, Sent(page)


def open_page(browser, server, path: str, is_map: bool, marker_sel: str | None = MARKERS) -> dict:
    """A new reader opens `path`: seconds to ready, server CPU, bytes sent; the page stays open (returned)."""
    context, page, sent = _new_page(browser, server)
    cpu = group_cpu_s(server.proc.pid)
    start = time.perf_counter()
    page.goto(server + path, wait_until="commit", timeout=TIMEOUT_MS)
    if is_map and marker_sel:
        ready_ms = float(page.wait_for_function(MAP_LIVE, arg=[IFRAME, marker_sel], timeout=TIMEOUT_MS,
                                                polling="raf").json_value())
        ready = ready_ms / 1000
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=TIMEOUT_MS)
    if not (is_map and marker_sel):
        ready = time.perf_counter() - start
    after = wait_idle(server.proc.pid)
    return {"ready_s": ready, "cpu_s": after - cpu, "sent_bytes": sent.bytes,
            "rss_mb": group_rss_mb(server.proc.pid), "_context": context, "_page": page, "_sent": sent}


def change_filter(server, page, sent: Sent, option: str) -> dict:
    """On an open /map, pick `option` in Event type: seconds until the map shows new layers, CPU, bytes."""
    from tools.bench import filter_change

    cpu, before = group_cpu_s(server.proc.pid), sent.bytes
    result = filter_change(page, option, MARKERS)
    after = wait_idle(server.proc.pid)
    return {"ready_s": result["redraw_s"], "cpu_s": after - cpu, "sent_bytes": sent.bytes - before,
            "rss_mb": group_rss_mb(server.proc.pid)}


def pick_event(server, page, sent: Sent) -> dict:
    """On an open /map showing points, click an event marker: seconds until its detail shows, CPU, bytes."""
    content = page.locator(IFRAME).element_handle().content_frame()
    event_id = content.evaluate(SHOW_EVENT_MARKER)
    page.wait_for_selector(SCRIPT_DONE, state="attached", timeout=TIMEOUT_MS)
    wait_idle(server.proc.pid)  # the zoom above reruns the map; the pick is measured from here
    content = page.locator(IFRAME).element_handle().content_frame()
    content.wait_for_function(MARKER_CENTRE, timeout=TIMEOUT_MS)
    spot = content.evaluate(MARKER_CENTRE)
    box = page.locator(IFRAME).bounding_box()
    cpu, before = group_cpu_s(server.proc.pid), sent.bytes
    start = time.perf_counter()
    page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
    page.get_by_text(f"Event id: {event_id}").wait_for(timeout=TIMEOUT_MS)
    ready = time.perf_counter() - start
    after = wait_idle(server.proc.pid)
    return {"ready_s": ready, "cpu_s": after - cpu, "sent_bytes": sent.bytes - before,
            "rss_mb": group_rss_mb(server.proc.pid), "event": event_id}


def measure(browser, directory: Path, filter_option: str, pick_query: str, pages=PAGES) -> dict:
    """Every action on a fresh server for `directory` (cache primed by the caller)."""
    from tools.server import streamlit_server

    out: dict = {"loadavg_before": os.getloadavg(), "actions": {}}
    start = time.perf_counter()
    with streamlit_server(directory, timeout=180) as server:
        out["server_start_s"] = time.perf_counter() - start
        out["rss_start_mb"] = group_rss_mb(server.proc.pid)
        out["cpu_start_s"] = wait_idle(server.proc.pid)
        opened = []
        try:
            for name in pages:
                result = open_page(browser, server, f"/{name}", name == "map")
                opened.append(result)
                out["actions"][f"open /{name}"] = {k: v for k, v in result.items() if not k.startswith("_")}
                if name in ("map", "timeline", "data"):
                    out["rss_after_map_timeline_data_mb"] = result["rss_mb"]
            if filter_option:
                first = opened[0]
                out["actions"]["filter change (/map)"] = change_filter(server, first["_page"], first["_sent"],
                                                                       filter_option)
            picked = open_page(browser, server, f"/map?{pick_query}", True, POINTS)
            opened.append(picked)
            out["actions"]["event pick (/map)"] = pick_event(server, picked["_page"], picked["_sent"])
        except Exception as exc:  # noqa: BLE001 - a failed step is a result; what was measured is kept
            out["error"] = f"{type(exc).__name__}: {exc}"[:600]
        finally:
            for result in opened:
                result["_context"].close()
            out["rss_end_mb"] = group_rss_mb(server.proc.pid)
    out["loadavg_after"] = os.getloadavg()
    return out


def pick_query_for(events, most: int = 5000) -> str:
    """A /map link showing points (1 to `most` located events, counted with the app's own filters), for the pick.

    At 1M the newest day of the busiest actor alone holds over 20,000 located events (the map then draws
    cells): the link narrows by event type, then claim status, until few enough remain.
    """
    from urllib.parse import urlencode

    from basewatch.state.filters import Filters, filter_mask

    located = events[events["map_lat"].notna()]
    actor = str(located["actor_slug"].value_counts().index[0]) if len(located) else "russia"
    dates = located.loc[located["actor_slug"] == actor, "date"]
    day = dates.sort_values().iloc[-most].date() if len(dates) > most else None
    narrowing = [{}] + [{"types": t} for t in located["type_slug"].value_counts().index] + [
        {"types": t, "statuses": s} for t in located["type_slug"].value_counts().index
        for s in located["status_slug"].value_counts().index]
    for extra in narrowing:
        filters = Filters(actors=frozenset({actor}), date_from=day, **{k: frozenset({v}) for k, v in extra.items()})
        shown = int(events.loc[filter_mask(events, filters), "map_lat"].notna().sum())
        if 0 < shown <= most:
            params = {"actor": actor, **({"from": day.isoformat()} if day else {}),
                      **{{"types": "type", "statuses": "status"}[k]: v for k, v in extra.items()}}
            return urlencode(params)
    return f"actor={actor}"


def table(runs: dict[str, dict]) -> str:
    """Markdown: per action and data set, server CPU seconds, seconds to ready and kB sent to the page."""
    names = list(runs)
    actions = list(dict.fromkeys(a for run in runs.values() for a in run.get("actions", {})))
    lines = ["| action: server CPU s / ready s / kB sent | " + " | ".join(names) + " |",
             "|---" * (len(names) + 1) + "|"]
    for action in actions:
        cells = []
        for name in names:
            got = runs[name].get("actions", {}).get(action)
            cells.append(f"{got['cpu_s']:.2f} / {got['ready_s']:.2f} / {got['sent_bytes'] / 1000:,.0f}" if got
                         else "not reached")
        lines.append(f"| {action} | " + " | ".join(cells) + " |")
    for key, title in (("server_start_s", "server start to health (s)"),
                       ("rss_after_map_timeline_data_mb", "server RSS after /map, /timeline, /data (MB)"),
                       ("rss_end_mb", "server RSS at the end (MB)")):
        lines.append(f"| {title} | " + " | ".join(
            f"{runs[n][key]:,.1f}" if isinstance(runs[n].get(key), (int, float)) else "–" for n in names) + " |")
    errors = [f"{n}: {runs[n]['error']}" for n in names if runs[n].get("error")]
    return "\n".join(lines + ([""] + [f"- stopped early, {e}" for e in errors] if errors else [])) + "\n"


def data_sets(directories: list[Path], sizes: list[str], work: Path) -> dict[str, Path]:
    """Label → data folder: the folders given, then `bundled` (the configured data) or N synthetic events."""
    from basewatch import config
    from tools import synth

    folders = {str(d): d for d in directories}
    for size in sizes:
        if size == "bundled":
            folders["bundled"] = config.data_dir()
        else:
            n = int(size)
            folders[f"{n:,}"] = synth.make_dataset(n, work / f"n{n}", seed=0)
    return folders


def run(directory: Path, pages: tuple[str, ...]) -> dict:
    """Every action once on a fresh server for `directory` (validated first, so the server reads the cache)."""
    from playwright.sync_api import sync_playwright

    from basewatch.loading.cache import load_dataset_cached
    from basewatch.state.filters import apply_filters
    from tools.bench import _typical_type, typical_filters
    from tools.server import CHROMIUM, CHROMIUM_ARGS

    dataset = load_dataset_cached(directory)
    option = _typical_type(apply_filters(dataset.events, typical_filters()))
    pick = pick_query_for(dataset.events)
    del dataset
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            return measure(browser, directory, option, pick, pages)
        finally:
            browser.close()


def main(argv: list[str] | None = None) -> int:
    """Every action once on a fresh server per data set; JSON on stdout (and --out), a table with --md."""
    import tempfile

    parser = argparse.ArgumentParser(prog="python -m tools.bench_actions", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directories", type=Path, nargs="*")
    parser.add_argument("--sizes", nargs="*", default=[], help="`bundled` and/or numbers of synthetic events")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--md", type=Path, default=None)
    parser.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args(argv)
    if not args.directories and not args.sizes:
        parser.error("name data folders or --sizes")
    runs = {}
    with tempfile.TemporaryDirectory(prefix="bw-actions-") as work:
        for name, directory in data_sets(args.directories, args.sizes, Path(work)).items():
            runs[name] = run(directory, tuple(args.pages.split(",")))
    text = json.dumps(runs if len(runs) > 1 else next(iter(runs.values())), indent=1, default=str)
    print(text)
    print(table(runs))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    if args.md:
        args.md.parent.mkdir(parents=True, exist_ok=True)
        args.md.write_text(table(runs), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
