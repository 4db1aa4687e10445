"""Benchmark harness: Python costs per rerun, payload sizes and real-browser timings, ours vs a naive app.

    python -m tools.bench [--sizes 1000 10000 100000] [--out bench-results/bench.json]
                              [--md bench-results/bench.md] [--no-browser] [--quick] [--profile DIR]

For the bundled data and for synthetic datasets of each size (tools.synth) it measures:

* Python, in this process: load + validate (`basewatch.loading.dataset.load_dataset`, what the app calls), a typical
  filter (actor=russia, from 2020-01-01: issue 13's filtered link), a rerun of the real pages/map.py under AppTest with the map
  component captured (page chrome + layer building, and the Python work `st_folium` does), the bytes the
  map sends to the browser, and the Altair spec sizes of the timeline and personnel charts.
* AppTest: the time of a page rerun (script run after the first one), per page.
* Headless Chromium against a fresh `streamlit run` per size: a cold deep link to /map (data load
  included) until the Leaflet map is live with event markers; a filtered deep link on the warm server in a
  new browser context; a filter change in the sidebar (Event type) until the script finished and the map
  shows new layers; the resident memory of the server process group.
* A naive tutorial-style app (one folium.Marker with a popup per event, st_folium defaults, read_csv on
  every run) in the same run, Python in a subprocess and in the browser, for the ours/theirs ratio.

Browser waits poll with wait_for_function; nothing sleeps a fixed time. CDN requests of the naive app
are answered from static/vendor (manifest.json); every other external request is aborted.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import traceback
from pathlib import Path

from basewatch import config

DEFAULT_SIZES = (1000, 10000, 100000, 1000000)
# From this size on, every page ships too much to compare warm readers: the browser part runs one cold
# /map (bounded wait) and the aggregated prototype, and skips the floor and "our map alone".
HUGE = 500_000
HUGE_BROWSER_TIMEOUT_MS = 120_000
IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
APP_STATE = '[data-testid="stApp"]'
OUR_MARKERS = ".marker-cluster, .bw-ev, .bw-cell"  # .bw-cell: the grid cells /map draws at scale
NAIVE_MARKERS = ".leaflet-marker-icon"
FLOOR_MARKERS = ".marker-cluster, .leaflet-marker-icon"
AGG_MARKERS = ".bw-cell, " + OUR_MARKERS
TYPICAL_FILTER_QUERY = "actor=russia&from=2020-01-01"
PAGES_ALL = ("overview", "map", "timeline", "sites", "data")
# AppTest at 100k costs minutes per page; big sizes run only the pages that matter most.
PAGES_BIG = ("map", "timeline")
BIG = 50_000
NAIVE_BROWSER_CAP_S = 120.0
# The naive app's Python run is linear in markers; skip it when the last size, scaled, would exceed this.
NAIVE_PY_CAP_S = 150.0
NAIVE_PY_TIMEOUT_S = 420.0
BROWSER_TIMEOUT_MS = 240_000
VIEWPORT = {"width": 1400, "height": 1000}
PACKAGES = ("streamlit", "folium", "streamlit-folium", "branca", "pandas", "numpy", "pyarrow", "altair",
            "pydantic", "jinja2", "playwright")

TARGETS = (
    # (key, size label, metric path, op, limit, human text)
    ("10k_warm_vs_floor", "10000", ("browser", "floor_ratio", "warm"), "<=", 1.3,
     "10k warm: /map ≤ 1.3× the floor page"),
    ("100k_warm_vs_floor", "100000", ("browser", "floor_ratio", "warm"), "<=", 1.3,
     "100k warm: /map ≤ 1.3× the floor page"),
    ("100k_cold_vs_floor", "100000", ("browser", "floor_ratio", "cold"), "<=", 1.3,
     "100k cold (fresh server, data validated once): /map ≤ 1.3× the floor page"),
    ("100k_filter_change_1s", "100000", ("browser", "filter_change", "redraw_s"), "<=", 1.0,
     "100k: filter change → map redrawn ≤ 1 s"),
    ("1m_first_validation", "1000000", ("python", "load", "median_s"), "<=", 60.0,
     "1M: first validation ≤ 60 s"),
    ("1m_cold_from_cache", "1000000", ("browser", "cold_deep_link", "live_s"), "<=", 10.0,
     "1M: cold deep link from cache → live map ≤ 10 s"),
    ("1m_filter_change", "1000000", ("browser", "filter_change", "redraw_s"), "<=", 2.0,
     "1M: filter change ≤ 2 s"),
    ("1m_map_payload", "1000000", ("python", "map", "payload_bytes"), "<=", 5_000_000,
     "1M: map payload ≤ 5 MB"),
    ("1m_server_rss", "1000000", ("browser", "server_rss_mb"), "<=", 2048,
     "1M: server RSS ≤ 2 GB"),
    ("100k_cold_deep_link", "100000", ("browser", "cold_deep_link", "live_s"), "<=", 8.0,
     "100k: cold deep link /map live ≤ 8 s"),
    ("100k_warm_filtered", "100000", ("browser", "warm_filtered_deep_link", "live_s"), "<=", 3.0,
     "100k: warm filtered deep link live ≤ 3 s"),
    ("100k_filter_change", "100000", ("browser", "filter_change", "redraw_s"), "<=", 2.0,
     "100k: filter change → map redrawn ≤ 2 s"),
    ("100k_map_payload", "100000", ("python", "map", "payload_bytes"), "<", 5_000_000,
     "100k: map payload < 5 MB"),
    ("100k_server_rss", "100000", ("browser", "server_rss_mb"), "<", 1536,
     "100k: server RSS < 1.5 GB"),
    ("bundled_page_rerun", "bundled", ("apptest", "max_rerun_s"), "<", 0.150,
     "bundled: every page rerun < 150 ms (AppTest)"),
    ("bundled_cold_deep_link", "bundled", ("browser", "cold_deep_link", "live_s"), "<=", 2.5,
     "bundled: cold deep link /map live ≤ 2.5 s"),
    ("10k_vs_naive", "10000", ("comparison", "speedup_live"), ">=", 10.0,
     "10k: ≥ 10× faster than naive to a live map"),
)


def log(message: str) -> None:
    """Progress on stderr, so stdout stays the table."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _timed(fn, repeats: int) -> tuple[float, list[float], object]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return _median(times), times, result


# --- machine ---------------------------------------------------------------------------------

def machine_info() -> dict:
    """CPU, cores, RAM, Python and package versions, Chromium version."""
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram_gb = None
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = None
    from tools.server import CHROMIUM

    chromium = None
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=20).stdout
        chromium = out.strip().splitlines()[-1] if out.strip() else None
    git = {}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        git["commit"] = subprocess.run(["git", "rev-parse", "HEAD"], cwd=config.ROOT, capture_output=True,
                                       text=True, timeout=20).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=config.ROOT,
                               capture_output=True, text=True, timeout=20).stdout.split("\n")
        git["modified"] = [line[3:] for line in dirty if line.strip()]
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": ram_gb, "python": platform.python_version(),
            "platform": platform.platform(), "packages": versions, "chromium": chromium, "git": git}


# --- python-side measurements ----------------------------------------------------------------

@contextlib.contextmanager
def captured_component():
    """Make `st_folium` do all its Python work but hand the component args to us instead of Streamlit."""
    import streamlit_folium

    calls: list[dict] = []
    original = streamlit_folium._component_func

    def fake(**kwargs):
        calls.append(kwargs)
        return kwargs.get("default")

    streamlit_folium._component_func = fake
    try:
        yield calls
    finally:
        streamlit_folium._component_func = original


def payload_of(args: dict) -> dict:
    """Bytes the map sends: its JS/HTML strings (UTF-8), plus the JSON the component message carries."""
    strings = {k: len(v.encode("utf-8")) for k, v in args.items()
               if k in ("script", "header", "html", "feature_group", "layer_control") and isinstance(v, str)}
    jsonable = {k: v for k, v in args.items() if k != "on_change"}
    return {"payload_bytes": sum(strings.values()), "parts": strings,
            "component_json_bytes": len(json.dumps(jsonable, default=str).encode("utf-8"))}


def load_like_app(directory: Path):
    """What the app's loader does on a fresh server: validate the files into a Dataset (no extra passes)."""
    from basewatch.loading.dataset import load_dataset

    return load_dataset(directory)


@contextlib.contextmanager
def data_dir_env(directory: Path):
    """Point BASEWATCH_DATA_DIR at `directory` for the block (AppTest runs read it)."""
    previous = os.environ.get("BASEWATCH_DATA_DIR")
    os.environ["BASEWATCH_DATA_DIR"] = str(directory)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("BASEWATCH_DATA_DIR", None)
        else:
            os.environ["BASEWATCH_DATA_DIR"] = previous


@contextlib.contextmanager
def timed_st_folium():
    """Record how long each `st_folium` call takes (the page's own call, patched at module level)."""
    import streamlit_folium

    times: list[float] = []
    original = streamlit_folium.st_folium

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            times.append(time.perf_counter() - start)

    streamlit_folium.st_folium = timed
    try:
        yield times
    finally:
        streamlit_folium.st_folium = original


def map_page_runs(directory: Path, query: str = "", reruns: int = 3) -> dict:
    """Run the real pages/map.py under AppTest (no copy of its layer setup) with the map component captured.

    Returns the median rerun time (whole page script, data already loaded), the part spent inside
    `st_folium`, the rest (page chrome + layer building), and the bytes the component would send.
    """
    from urllib.parse import parse_qsl

    from streamlit.testing.v1 import AppTest

    with data_dir_env(directory), captured_component() as calls, timed_st_folium() as folium_times:
        at = AppTest.from_file(str(config.ROOT / "app.py"), default_timeout=900)
        for key, value in parse_qsl(query):
            at.query_params[key] = value
        at.run()
        at.switch_page("pages/map.py")
        start = time.perf_counter()
        at.run()
        first = time.perf_counter() - start
        runs, inside = [], []
        for _ in range(reruns):
            before = len(folium_times)
            start = time.perf_counter()
            at.run()
            runs.append(time.perf_counter() - start)
            inside.append(sum(folium_times[before:]))
        if at.exception:
            raise RuntimeError(f"map page failed: {at.exception[0].value}")
        if not calls:
            raise RuntimeError("the map page never called st_folium")
        args = calls[-1]
    rerun = _median(runs)
    return {"first_s": first, "rerun_s": rerun, "runs_s": runs, "st_folium_s": _median(inside),
            "build_s": rerun - _median(inside), "query": query, **payload_of(args)}


def typical_filters():
    from basewatch.state.filters import Filters

    return Filters(actors=frozenset({"russia"}), date_from=dt.date(2020, 1, 1))


def python_bench(directory: Path, n_events: int, profile_dir: Path | None = None, label: str = "") -> dict:
    """Load, filter, map build + st_folium render, payload and chart spec sizes for one dataset."""
    import altair as alt

    from basewatch.loading import cache
    from basewatch.state.filters import apply_filters
    from basewatch.views.charts import personnel, timeline

    out: dict = {}
    repeats = 3 if n_events <= 20_000 else 1
    rss_before = self_rss_mb()
    peak_reset = reset_peak_rss()  # else the peak would include earlier sizes and the generator
    load_s, load_runs, dataset = _timed(lambda: load_like_app(directory), repeats)
    events = dataset.events
    out["load"] = {"median_s": load_s, "runs_s": load_runs, "events": len(events), "sites": len(dataset.sites),
                   "csv_bytes": (directory / config.EVENTS_FILE).stat().st_size,
                   "peak_rss_mb": self_peak_rss_mb() if peak_reset else None, "rss_before_mb": rss_before}
    # The validated cache, as a fresh server meets it: hash the files, then read Arrow instead of the CSV.
    where = cache.cache_dir(directory)
    hash_s, _, key = _timed(lambda: cache.cache_key(directory), repeats)
    write_s, _, _ = _timed(lambda: cache.write_cache(dataset, directory, key, where), 1)
    cached_s, cached_runs, _ = _timed(lambda: cache.load_dataset_cached(directory), repeats)
    out["cache"] = {"hash_s": hash_s, "write_s": write_s, "load_s": cached_s, "load_runs_s": cached_runs,
                    "dir": str(where)}
    filters = typical_filters()
    filt_s, filt_runs, filtered = _timed(lambda: apply_filters(events, filters), 7)
    out["filter"] = {"median_s": filt_s, "runs_s": filt_runs, "matched": len(filtered),
                     "query": TYPICAL_FILTER_QUERY}
    out["located"] = {"all": int(events["map_lat"].notna().sum()),
                      "filtered": int(filtered["map_lat"].notna().sum())}
    out["aggregate"] = aggregate_bench(events, filtered)
    out["cache"]["key"] = key

    out["map"] = map_page_runs(directory)
    out["map_filtered"] = map_page_runs(directory, TYPICAL_FILTER_QUERY)
    if profile_dir is not None:
        import cProfile

        profile_dir.mkdir(parents=True, exist_ok=True)
        cProfile.runctx("map_page_runs(directory, reruns=1)", globals(), {"directory": directory},
                        str(profile_dir / f"map_page_{label}.prof"))
        cProfile.runctx("load_like_app(directory)", globals(), {"directory": directory},
                        str(profile_dir / f"load_{label}.prof"))

    specs = {}
    for name, make in (
        ("timeline", lambda: timeline.timeline_chart(events)),
        ("timeline_filtered", lambda: timeline.timeline_chart(filtered)),
        ("personnel_country", lambda: personnel.personnel_chart(personnel.personnel_frame(events, "country"))),
        ("personnel_site", lambda: personnel.personnel_chart(personnel.personnel_frame(events, "site"))),
    ):
        start = time.perf_counter()
        with alt.data_transformers.disable_max_rows():
            spec = make().to_dict()
        elapsed = time.perf_counter() - start
        specs[name] = {"spec_bytes": len(json.dumps(spec).encode("utf-8")), "build_to_dict_s": elapsed,
                       "rows": sum(len(v) for v in spec.get("datasets", {}).values())}
    specs["timeline"]["binned"] = len(events) > timeline.MAX_TIMELINE_MARKS
    out["charts"] = specs
    out["_typical_type"] = _typical_type(filtered)
    return out


def default_viewport():
    """The map's opening view as st_folium reports it on a 1400 px wide screen (map column ≈ 870 × 620 px)."""
    from basewatch.queries.aggregate import Viewport

    lat, lon, zoom = config.MAP_DEFAULT_VIEW
    deg_per_px = 360 / (256 * 2 ** zoom)
    half_w, half_h = 870 / 2 * deg_per_px, 620 / 2 * deg_per_px  # latitude: a flat approximation is enough
    return Viewport(lat - half_h, lon - half_w, lat + half_h, lon + half_w, zoom)


def aggregate_bench(events, filtered) -> dict:
    """basewatch.queries.aggregate at the opening view: time and the bytes a cell/point layer would carry."""
    import pandas as pd

    from basewatch.queries import aggregate
    from basewatch.state.catalog import build_catalog
    from basewatch.views.maps import events as event_layers

    view = default_viewport()
    catalog = build_catalog(events, pd.DataFrame({"id": [], "name": []}))  # rows index actors, types, statuses
    out = {}
    for name, frame in (("all", events), ("filtered", filtered)):
        seconds, _, result = _timed(lambda f=frame: aggregate.map_view(f, view), 3)
        if result.kind == "cells":
            payload = json.dumps(result.cells[["count", "lat", "lon", "actors"]].round(4).to_dict("records"))
            items = len(result.cells)
        else:
            payload = json.dumps(event_layers.event_rows(result.events, catalog))
            items = len(result.events)
        out[name] = {"s": seconds, "kind": result.kind, "in_view": result.in_view, "items": items,
                     "payload_bytes": len(payload.encode("utf-8"))}
    return out


def _typical_type(filtered) -> str | None:
    """The event type with most located events among the filtered ones (what the filter-change step picks)."""
    located = filtered[filtered["map_lat"].notna()]
    source = located if len(located) else filtered
    if not len(source):
        return None
    return str(source["type_slug"].value_counts().index[0])


def apptest_bench(directory: Path, pages: tuple[str, ...], reruns: int = 3) -> dict:
    """Per page: first run after switching to it, and the median of `reruns` reruns (AppTest)."""
    from streamlit.testing.v1 import AppTest

    previous = os.environ.get("BASEWATCH_DATA_DIR")
    os.environ["BASEWATCH_DATA_DIR"] = str(directory)
    out: dict = {"pages": {}}
    try:
        for page in pages:
            entry: dict = {}
            try:
                at = AppTest.from_file(str(config.ROOT / "app.py"), default_timeout=600)
                at.run()
                at.switch_page(f"pages/{page}.py")
                start = time.perf_counter()
                at.run()
                entry["first_s"] = time.perf_counter() - start
                runs = []
                for _ in range(reruns):
                    start = time.perf_counter()
                    at.run()
                    runs.append(time.perf_counter() - start)
                entry["rerun_s"] = _median(runs)
                entry["runs_s"] = runs
                if at.exception:
                    entry["exception"] = str(at.exception[0].value)[:300]
            except Exception as exc:  # noqa: BLE001 - a broken page is a result, not a crash
                entry["error"] = f"{type(exc).__name__}: {exc}"[:300]
            out["pages"][page] = entry
    finally:
        if previous is None:
            os.environ.pop("BASEWATCH_DATA_DIR", None)
        else:
            os.environ["BASEWATCH_DATA_DIR"] = previous
    reruns_s = [p["rerun_s"] for p in out["pages"].values() if "rerun_s" in p]
    out["max_rerun_s"] = max(reruns_s) if reruns_s else None
    out["slowest_page"] = max(out["pages"], key=lambda k: out["pages"][k].get("rerun_s", -1)) if reruns_s else None
    return out


# --- the naive baseline ----------------------------------------------------------------------

NAIVE_APP = textwrap.dedent('''\
    """A tutorial-style events map: read the CSV, one folium.Marker with a popup per event, st_folium."""
    import json
    import os

    import folium
    import pandas as pd
    import streamlit as st
    from streamlit_folium import st_folium

    DATA = os.environ["BASEWATCH_DATA_DIR"]

    st.title("Events map")
    df = pd.read_csv(os.path.join(DATA, "events.csv"))
    with open(os.path.join(DATA, "bases.geojson"), encoding="utf-8") as f:
        sites = {ft["properties"]["id"]: ft["geometry"]["coordinates"] for ft in json.load(f)["features"]}

    m = folium.Map(location=[31.5, 27.0], zoom_start=5)
    for _, row in df.iterrows():
        lat, lon = row["lat"], row["lon"]
        if pd.isna(lat) and row["site_id"] in sites:
            lon, lat = sites[row["site_id"]]
        if pd.isna(lat):
            continue
        folium.Marker([lat, lon], popup=row["summary"]).add_to(m)

    st_folium(m)
    ''')

# The floor: the leanest page that does the job. One st_folium, one FastMarkerCluster of the events'
# positions (the same positions as ours: own lat/lon, else the site's), nothing else; the CSV is read once
# per server (pyarrow engine, three columns), as any sensible minimal app would.
FLOOR_APP = textwrap.dedent('''\
    import json
    import os

    import folium
    import numpy as np
    import pandas as pd
    import streamlit as st
    from folium.plugins import FastMarkerCluster
    from streamlit_folium import st_folium

    DATA = os.environ["BASEWATCH_DATA_DIR"]


    @st.cache_resource
    def points():
        df = pd.read_csv(os.path.join(DATA, "events.csv"), usecols=["lat", "lon", "site_id"], engine="pyarrow")
        with open(os.path.join(DATA, "bases.geojson"), encoding="utf-8") as f:
            sites = {ft["properties"]["id"]: ft["geometry"]["coordinates"] for ft in json.load(f)["features"]}
        lat = df["lat"].fillna(df["site_id"].map({k: v[1] for k, v in sites.items()}))
        lon = df["lon"].fillna(df["site_id"].map({k: v[0] for k, v in sites.items()}))
        keep = lat.notna() & lon.notna()
        return np.column_stack([lat[keep].to_numpy(), lon[keep].to_numpy()]).tolist()


    m = folium.Map(location=[31.0, 27.6], zoom_start=5)
    FastMarkerCluster(points()).add_to(m)
    st_folium(m, height=620, use_container_width=True, returned_objects=[])
    ''')

# The suspect isolated: our own map (base map + event layer, the app's builders and cached loader) in a
# one-file page without the sidebar, title, expander, detail panel or reruns. /map minus this = page chrome.
LEAN_APP = textwrap.dedent('''\
    import os
    import sys

    sys.path.insert(0, os.environ["BASEWATCH_ROOT"])

    import streamlit as st
    from streamlit_folium import st_folium

    from basewatch.loading.cache import load_dataset_cached
    from basewatch.state.catalog import build_catalog
    from basewatch.views.maps import basemap
    from basewatch.views.maps import events as event_layers


    @st.cache_resource
    def data():
        dataset = load_dataset_cached(os.environ["BASEWATCH_DATA_DIR"])
        catalog = build_catalog(dataset.events, dataset.sites)
        return catalog, event_layers.layer_data(dataset.events, catalog)


    catalog, layer = data()
    st_folium(basemap.build_base_map(), key="main_map", height=620, use_container_width=True,
              feature_group_to_add=[event_layers.build_layer(layer, catalog)], returned_objects=[])
    ''')

# What the map page would do with basewatch.queries.aggregate wired in (a prototype, not the page): the cached
# loader, map_view for the viewport st_folium last reported, cells drawn as count badges (DOM markers, so
# the browser check can see them), points through the app's own event layer below the threshold.
AGGREGATED_APP = textwrap.dedent('''\
    import os
    import sys

    sys.path.insert(0, os.environ["BASEWATCH_ROOT"])

    import folium
    import streamlit as st
    from streamlit_folium import st_folium

    from basewatch import config
    from basewatch.loading.cache import load_dataset_cached
    from basewatch.queries import aggregate
    from basewatch.state.catalog import build_catalog, color
    from basewatch.views.maps import basemap
    from basewatch.views.maps import events as event_layers


    @st.cache_resource
    def data():
        dataset = load_dataset_cached(os.environ["BASEWATCH_DATA_DIR"])
        return dataset, build_catalog(dataset.events, dataset.sites)


    dataset, catalog = data()
    lat, lon, zoom = config.MAP_DEFAULT_VIEW
    deg = 360 / (256 * 2 ** zoom)
    opening = aggregate.Viewport(lat - 310 * deg, lon - 435 * deg, lat + 310 * deg, lon + 435 * deg, zoom)
    view = aggregate.Viewport.from_result(st.session_state.get("agg_map")) or opening
    shown = aggregate.map_view(dataset.events, view)
    if shown.kind == "points":
        layer = event_layers.build_layer(event_layers.layer_data(shown.events, catalog), catalog)
    else:
        layer = folium.FeatureGroup(name="Events")
        for cell in shown.cells.itertuples():
            top = max(cell.actors, key=cell.actors.get)
            badge = (f'<div class="bw-cell" style="background:{color("actor", top)};color:#fff;'
                     f'border-radius:12px;padding:2px 6px;font:12px sans-serif">{cell.count:,}</div>')
            folium.Marker([cell.lat, cell.lon], icon=folium.DivIcon(html=badge)).add_to(layer)
    st_folium(basemap.build_base_map(), key="agg_map", height=620, use_container_width=True,
              feature_group_to_add=[layer], returned_objects=["bounds", "zoom"])
    ''')

# Runs NAIVE_APP's code in bare mode with st_folium timed and its component call captured.
NAIVE_DRIVER = textwrap.dedent('''\
    import json, logging, os, sys, time
    logging.disable(logging.WARNING)
    app_path, data_dir = sys.argv[1], sys.argv[2]
    os.environ["BASEWATCH_DATA_DIR"] = data_dir
    import folium, pandas, streamlit, streamlit_folium  # imported once per server, not per rerun
    captured, timing = {}, {}
    streamlit_folium._component_func = lambda **kw: captured.update(kw) or kw.get("default")
    original = streamlit_folium.st_folium
    def timed_st_folium(*a, **kw):
        start = time.perf_counter()
        try:
            return original(*a, **kw)
        finally:
            timing["st_folium_s"] = time.perf_counter() - start
    streamlit_folium.st_folium = timed_st_folium
    code = compile(open(app_path, encoding="utf-8").read(), app_path, "exec")
    start = time.perf_counter()
    exec(code, {"__name__": "__main__"})
    total = time.perf_counter() - start
    parts = {k: len(v.encode("utf-8")) for k, v in captured.items()
             if k in ("script", "header", "html", "feature_group", "layer_control") and isinstance(v, str)}
    print(json.dumps({"total_s": total, "st_folium_s": timing.get("st_folium_s"),
                      "read_build_s": total - timing.get("st_folium_s", 0.0),
                      "payload_bytes": sum(parts.values()), "parts": parts}))
    ''')


def naive_python(app_path: Path, directory: Path, timeout: float = NAIVE_PY_TIMEOUT_S) -> dict:
    """The naive app's Python cost per run, in a fresh interpreter (bounded by `timeout`)."""
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-c", NAIVE_DRIVER, str(app_path), str(directory)],
                              capture_output=True, text=True, timeout=timeout, cwd=app_path.parent)
    except subprocess.TimeoutExpired:
        return {"skipped": f"too slow (>{timeout:.0f} s)"}
    if proc.returncode != 0:
        return {"error": proc.stderr.strip()[-600:]}
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1])
    result["subprocess_wall_s"] = time.perf_counter() - start
    return result


def naive_server(app_path: Path, data_dir: Path, timeout: float = 120.0):
    """`streamlit run` the naive app from its own folder (no project config), like streamlit_server."""
    return plain_server(app_path, data_dir, "naive", timeout)


@contextlib.contextmanager
def plain_server(app_path: Path, data_dir: Path, what: str, timeout: float = 180.0, extra_args: tuple = ()):
    """`streamlit run` a one-file app from its own folder (no project config), like streamlit_server."""
    from tools.server import RunningServer, _read, free_port, stop, wait_healthy

    port = free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", "BASEWATCH_DATA_DIR": str(data_dir),
           "BASEWATCH_ROOT": str(config.ROOT)}
    log_file = tempfile.NamedTemporaryFile(prefix=f"streamlit-{what}-", suffix=".log", delete=False)
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_path), f"--server.port={port}",
           "--server.address=127.0.0.1", "--server.headless=true", "--browser.gatherUsageStats=false",
           "--server.fileWatcherType=none", *extra_args]
    proc = subprocess.Popen(cmd, cwd=app_path.parent, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                            start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base + "/_stcore/health", proc, timeout, lambda: _read(log_file.name), f"{what} streamlit")
        yield RunningServer(base, proc, log_file.name)
    finally:
        stop(proc)


# --- browser ---------------------------------------------------------------------------------

def self_rss_mb() -> float:
    """This process's resident memory now (MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak_rss() -> bool:
    """Reset this process's peak-RSS mark (Linux: write 5 to /proc/self/clear_refs); False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def self_peak_rss_mb() -> float:
    """This process's peak resident memory since the last reset_peak_rss() (VmHWM, MB)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def group_rss_mb(pid: int) -> dict:
    """VmRSS / VmHWM (MB) summed over the process group led by `pid` (streamlit and its children)."""
    rss = hwm = 0
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            pgrp = int(stat[stat.rfind(")") + 2:].split()[2])
            if pgrp != pid and int(entry.name) != pid:
                continue
            status = (entry / "status").read_text()
        except (OSError, ValueError, IndexError):
            continue
        members.append(int(entry.name))
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1])
            elif line.startswith("VmHWM:"):
                hwm += int(line.split()[1])
    return {"rss_mb": round(rss / 1024, 1), "hwm_mb": round(hwm / 1024, 1), "pids": members}


def _offline_routes(context, base: str, blocked: list[str]) -> None:
    """Serve CDN URLs from static/vendor via the manifest; abort any other request off the server."""
    manifest = json.loads((config.STATIC_DIR / "vendor" / "manifest.json").read_text(encoding="utf-8"))

    def handle(route):
        url = route.request.url
        local = manifest.get(url) or manifest.get(url.split("?", 1)[0])
        if local:
            route.fulfill(path=str(config.STATIC_DIR / local))
        else:
            blocked.append(url)
            route.abort()

    context.route(lambda url: not url.startswith(base) and url.startswith("http"), handle)


LIVE_JS = """
([iframeSel, markerSel, minGroups]) => {
    const frame = document.querySelector(iframeSel);
    if (!frame) return false;
    let w, d;
    try { w = frame.contentWindow; d = frame.contentDocument; } catch (e) { return false; }
    if (!w || !w.map || !d) return false;
    if (minGroups > 0 && !(w.feature_group && w.feature_group.length >= minGroups)) return false;
    if (markerSel && !d.querySelector(markerSel)) return false;
    return performance.now();
}
"""

SETTLED_JS = """
([iframeSel, markerSel, needNewLayers, appSel, sinceMs]) => {
    const app = document.querySelector(appSel);
    if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
    const states = (window.__bwStates || []);
    if (sinceMs !== null && !states.some(([t, s]) => t >= sinceMs && s === "running")) return false;
    const frame = document.querySelector(iframeSel);
    if (!frame) return false;
    let w, d;
    try { w = frame.contentWindow; d = frame.contentDocument; } catch (e) { return false; }
    if (!w || !w.map || !d) return false;
    if (needNewLayers) {
        // New layers: either a new iframe (remount) or new feature-group code evaluated in the old one.
        const same = frame.__bwMarked && w.__GLOBAL_DATA__ && w.__GLOBAL_DATA__.last_feature_group === w.__bwFg;
        if (same) return false;
    }
    if (markerSel && !d.querySelector(markerSel)) return false;
    return performance.now();
}
"""

MARK_LAYERS_JS = """
(iframeSel) => {
    const frame = document.querySelector(iframeSel);
    if (!frame) return false;
    frame.__bwMarked = true;
    const w = frame.contentWindow;
    w.__bwFg = w.__GLOBAL_DATA__ ? w.__GLOBAL_DATA__.last_feature_group : null;
    return true;
}
"""

WATCH_STATES_JS = """
() => {
    window.__bwStates = window.__bwStates || [];
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || window.__bwObserving) return;
    window.__bwObserving = true;
    window.__bwStates.push([performance.now(), app.getAttribute("data-test-script-state")]);
    new MutationObserver(() => window.__bwStates.push([performance.now(),
        app.getAttribute("data-test-script-state")]))
        .observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}
"""


def _wait_value(page, script: str, arg, timeout_ms: int) -> float:
    handle = page.wait_for_function(script, arg=arg, timeout=timeout_ms, polling="raf")
    return float(handle.json_value())


def open_and_wait_live(context, url: str, marker_sel: str | None, timeout_ms: int = BROWSER_TIMEOUT_MS) -> dict:
    """Navigate a new page to `url`; time from navigation start until the map is live, then settled."""
    page = context.new_page()
    wall = time.perf_counter()
    page.goto(url, wait_until="commit", timeout=timeout_ms)
    live_ms = _wait_value(page, LIVE_JS, [IFRAME, marker_sel, 0], timeout_ms)
    wall_live = time.perf_counter() - wall
    result = {"live_s": live_ms / 1000, "wall_live_s": wall_live}
    try:
        settled_ms = _wait_value(page, SETTLED_JS, [IFRAME, marker_sel, False, APP_STATE, None], timeout_ms)
        result["settled_s"] = settled_ms / 1000
    except Exception as exc:  # noqa: BLE001
        result["settled_error"] = f"{type(exc).__name__}: {exc}"[:200]
    result["_page"] = page
    return result


def filter_change(page, option: str, marker_sel: str | None, timeout_ms: int = 120_000) -> dict:
    """Pick an event type; time until the script ran and finished and the map shows its new layers."""
    page.evaluate(WATCH_STATES_JS)
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(has_text="Event type")
    box.locator("input").first.click(timeout=timeout_ms)
    opt = page.locator('[role="option"]').filter(has_text=option).first
    opt.wait_for(timeout=timeout_ms)
    page.evaluate(MARK_LAYERS_JS, IFRAME)
    t0 = float(page.evaluate("performance.now()"))
    wall = time.perf_counter()
    opt.click(timeout=timeout_ms)
    # No "went running after t0" condition: a rerun already in progress (st_folium reporting the view)
    # absorbs the widget change without a new state transition. New layers + notRunning is the signal.
    done = _wait_value(page, SETTLED_JS, [IFRAME, marker_sel, True, APP_STATE, None], timeout_ms)
    result = {"redraw_s": (done - t0) / 1000, "wall_s": time.perf_counter() - wall, "picked": option}
    states = page.evaluate("window.__bwStates || []")
    running = [t for t, s in states if t >= t0 and s == "running"]
    if running:
        result["script_started_after_s"] = (running[0] - t0) / 1000
    return result


def _open_live_s(browser, base: str, path: str, marker_sel: str | None, blocked: list[str],
                 timeout_ms: int = BROWSER_TIMEOUT_MS) -> dict:
    """One reader in a new browser context: navigation start → live map (and settled); the page is closed."""
    context = _offline_context(browser, base, blocked)
    try:
        result = open_and_wait_live(context, base + path, marker_sel, timeout_ms)
        result.pop("_page")
        return result
    finally:
        context.close()


def browser_ours(browser, directory: Path, py: dict, floor_app: Path | None = None, warm_runs: int = 3,
                 lean_app: Path | None = None, timeout_ms: int = BROWSER_TIMEOUT_MS) -> dict:
    """The full /map page and the floor page side by side, each on its own fresh server, in this process.

    * cold: the first request to each fresh server (ours reads the validated cache: the data was
      validated once before, as on a restarted server);
    * warm: after that warm-up, `warm_runs` new readers on each, alternating ours / floor; the median;
    * ours only: the warm filtered deep link (median of `warm_runs`) and a filter change in the sidebar.
    """
    from tools.server import streamlit_server

    out: dict = {"loadavg_before": os.getloadavg()}
    blocked: list[str] = []
    all_marker = OUR_MARKERS if py["located"]["all"] else None
    filt_marker = OUR_MARKERS if py["located"]["filtered"] else None
    start = time.perf_counter()
    floor_cm = plain_server(floor_app, directory, "floor") if floor_app else contextlib.nullcontext(None)
    lean_cm = (plain_server(lean_app, directory, "lean", extra_args=("--server.enableStaticServing=true",))
               if lean_app else contextlib.nullcontext(None))
    with streamlit_server(directory, timeout=180) as base, floor_cm as floor, lean_cm as lean:
        out["server_start_s"] = time.perf_counter() - start
        try:
            out["cold_deep_link"] = _open_live_s(browser, base, "/map", all_marker, blocked, timeout_ms)
            out["rss_after_cold"] = group_rss_mb(base.proc.pid)
            if floor:
                out["floor_cold"] = _open_live_s(browser, floor, "/", FLOOR_MARKERS, blocked)
            if lean:
                out["lean_cold"] = _open_live_s(browser, lean, "/", all_marker, blocked)
            ours, theirs, leans = [], [], []
            for _ in range(warm_runs):
                ours.append(_open_live_s(browser, base, "/map", all_marker, blocked)["live_s"])
                if floor:
                    theirs.append(_open_live_s(browser, floor, "/", FLOOR_MARKERS, blocked)["live_s"])
                if lean:
                    leans.append(_open_live_s(browser, lean, "/", all_marker, blocked)["live_s"])
            if lean:
                out["lean_warm"] = {"live_s": _median(leans), "runs_s": leans}
            out["warm_map"] = {"live_s": _median(ours), "runs_s": ours}
            if floor:
                out["floor_warm"] = {"live_s": _median(theirs), "runs_s": theirs}
                out["floor_rss_mb"] = group_rss_mb(floor.proc.pid)["rss_mb"]
            filtered = []
            for i in range(warm_runs):
                context = _offline_context(browser, base, blocked)
                try:
                    warm = open_and_wait_live(context, f"{base}/map?{TYPICAL_FILTER_QUERY}", filt_marker)
                    page = warm.pop("_page")
                    filtered.append(warm)
                    option = py.get("_typical_type")
                    if option and i == warm_runs - 1:
                        try:
                            out["filter_change"] = filter_change(page, option, filt_marker)
                        except Exception as exc:  # noqa: BLE001
                            out["filter_change"] = {"error": f"{type(exc).__name__}: {exc}"[:400]}
                finally:
                    context.close()
            out["warm_filtered_deep_link"] = {"live_s": _median([f["live_s"] for f in filtered]),
                                              "runs_s": [f["live_s"] for f in filtered]}
        except Exception as exc:  # noqa: BLE001
            out["error"] = f"{type(exc).__name__}: {exc}"[:600]
            log(f"browser (ours) failed: {out['error']}\n{traceback.format_exc()}")
        finally:
            mem = group_rss_mb(base.proc.pid)
            out["server_rss_mb"] = mem["rss_mb"]
            out["server_hwm_mb"] = mem["hwm_mb"]
    ratios = {}
    for key, ours_path, floor_path in (("warm", ("warm_map", "live_s"), ("floor_warm", "live_s")),
                                       ("cold", ("cold_deep_link", "live_s"), ("floor_cold", "live_s")),
                                       ("lean_warm", ("lean_warm", "live_s"), ("floor_warm", "live_s")),
                                       ("lean_cold", ("lean_cold", "live_s"), ("floor_cold", "live_s"))):
        mine, base_s = _get(out, ours_path), _get(out, floor_path)
        if mine and base_s:
            ratios[key] = mine / base_s
    out["floor_ratio"] = ratios
    out["external_requests_blocked"] = len(blocked)
    out["loadavg_after"] = os.getloadavg()
    return out


def _offline_context(browser, base: str, blocked: list[str]):
    """A browser context at the benchmark's viewport that may only reach this machine."""
    context = browser.new_context(viewport=VIEWPORT)
    _offline_routes(context, base, blocked)
    return context


def browser_naive(browser, app_path: Path, directory: Path) -> dict:
    """Time from navigation start until the naive app's Leaflet map shows its markers."""
    out: dict = {"loadavg_before": os.getloadavg()}
    blocked: list[str] = []
    start = time.perf_counter()
    with naive_server(app_path, directory) as base:
        out["server_start_s"] = time.perf_counter() - start
        context = _offline_context(browser, base, blocked)
        try:
            cold = open_and_wait_live(context, base + "/", NAIVE_MARKERS)
            cold.pop("_page")
            out["cold_deep_link"] = cold
        except Exception as exc:  # noqa: BLE001
            out["error"] = f"{type(exc).__name__}: {exc}"[:600]
        finally:
            context.close()
            mem = group_rss_mb(base.proc.pid)
            out["server_rss_mb"] = mem["rss_mb"]
    out["external_requests_blocked"] = len(blocked)
    out["loadavg_after"] = os.getloadavg()
    return out


# --- report ----------------------------------------------------------------------------------

def _get(d: dict, path: tuple) -> object:
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return None
        d = d[key]
    return d


def evaluate_targets(results: dict) -> list[dict]:
    """Pass/fail of every target that has a measurement (missing → 'not measured')."""
    by_label = {r["label"]: r for r in results["datasets"]}
    verdicts = []
    for key, label, path, op, limit, text in TARGETS:
        value = _get(by_label.get(label, {}), path)
        if value is None or (isinstance(value, float) and value != value):
            verdicts.append({"target": key, "text": text, "value": None, "limit": limit, "status": "not measured"})
            continue
        ok = {"<=": value <= limit, "<": value < limit, ">=": value >= limit}[op]
        verdicts.append({"target": key, "text": text, "value": value, "limit": limit,
                         "status": "pass" if ok else "FAIL"})
    return verdicts


def _s(value, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    return f"{value:.{digits}f}"


def _ms(value) -> str:
    return "–" if value is None else f"{value * 1000:.0f}"


def _mb(value) -> str:
    return "–" if value is None else f"{value / 1e6:.2f}"


def markdown_table(results: dict) -> str:
    """The results as markdown: one column per dataset, then the targets."""
    sets = results["datasets"]
    head = "| metric | " + " | ".join(f"{r['label']} ({r['events']:,})" for r in sets) + " |"
    sep = "|---|" + "---|" * len(sets)
    rows: list[tuple[str, list[str]]] = []

    def row(name, fn):
        rows.append((name, [fn(r) for r in sets]))

    row("first load: validate (s)", lambda r: _s(_get(r, ("python", "load", "median_s"))))
    row("peak RSS while validating (MB)", lambda r: _s(_get(r, ("python", "load", "peak_rss_mb")), 0))
    row("hash the data files (s)", lambda r: _s(_get(r, ("python", "cache", "hash_s"))))
    row("cache write (s)", lambda r: _s(_get(r, ("python", "cache", "write_s"))))
    row("**cache load, hash included (s)**", lambda r: _s(_get(r, ("python", "cache", "load_s"))))
    row("filter actor=russia from 2020 (ms)", lambda r: _s(1000 * (_get(r, ("python", "filter", "median_s")) or 0), 1))
    row("map build (s)", lambda r: _s(_get(r, ("python", "map", "build_s")), 3))
    row("st_folium Python per rerun (s)", lambda r: _s(_get(r, ("python", "map", "st_folium_s")), 3))
    row("map build+render per rerun (s)", lambda r: _s(_get(r, ("python", "map", "rerun_s")), 3))
    row("map build+render, filtered (s)", lambda r: _s(_get(r, ("python", "map_filtered", "rerun_s")), 3))
    row("map payload (MB)", lambda r: _mb(_get(r, ("python", "map", "payload_bytes"))))
    row("map payload, filtered (MB)", lambda r: _mb(_get(r, ("python", "map_filtered", "payload_bytes"))))
    row("timeline spec (MB)", lambda r: _mb(_get(r, ("python", "charts", "timeline", "spec_bytes"))))
    row("personnel spec, country (MB)", lambda r: _mb(_get(r, ("python", "charts", "personnel_country", "spec_bytes"))))
    row("personnel spec, per site (MB)", lambda r: _mb(_get(r, ("python", "charts", "personnel_site", "spec_bytes"))))
    for page in PAGES_ALL:
        row(f"AppTest rerun {page} (ms)", lambda r, p=page: _ms(_get(r, ("apptest", "pages", p, "rerun_s"))))
    row("aggregation at the opening view (ms)", lambda r: _ms(_get(r, ("python", "aggregate", "all", "s"))))
    row("opening view: points or cells", lambda r: _s(_get(r, ("python", "aggregate", "all", "kind"))))
    row("aggregated layer payload (kB)", lambda r: _s((_get(r, ("python", "aggregate", "all", "payload_bytes")) or 0)
                                                       / 1e3, 1))
    row("aggregated, filtered (ms)", lambda r: _ms(_get(r, ("python", "aggregate", "filtered", "s"))))
    row("server start → healthy (s)", lambda r: _s(_get(r, ("browser", "server_start_s"))))
    row("**cold deep link /map → live (s)**", lambda r: _s(_get(r, ("browser", "cold_deep_link", "live_s"))))
    row("floor page, cold → live (s)", lambda r: _s(_get(r, ("browser", "floor_cold", "live_s"))))
    row("**cold: /map ÷ floor**", lambda r: _s(_get(r, ("browser", "floor_ratio", "cold"))))
    row("warm /map → live, median (s)", lambda r: _s(_get(r, ("browser", "warm_map", "live_s"))))
    row("floor page, warm, median (s)", lambda r: _s(_get(r, ("browser", "floor_warm", "live_s"))))
    row("**warm: /map ÷ floor**", lambda r: _s(_get(r, ("browser", "floor_ratio", "warm"))))
    row("our map alone (no page chrome), cold (s)", lambda r: _s(_get(r, ("browser", "lean_cold", "live_s"))))
    row("our map alone, warm, median (s)", lambda r: _s(_get(r, ("browser", "lean_warm", "live_s"))))
    row("our map alone ÷ floor, cold / warm", lambda r: f"{_s(_get(r, ('browser', 'floor_ratio', 'lean_cold')))} / "
        f"{_s(_get(r, ('browser', 'floor_ratio', 'lean_warm')))}")
    row("cold deep link → settled (s)", lambda r: _s(_get(r, ("browser", "cold_deep_link", "settled_s"))))
    row("**warm filtered deep link → live, median of 3 (s)**",
        lambda r: _s(_get(r, ("browser", "warm_filtered_deep_link", "live_s"))))
    row("**filter change → redrawn (s)**", lambda r: _s(_get(r, ("browser", "filter_change", "redraw_s"))))
    row("server RSS (MB)", lambda r: _s(_get(r, ("browser", "server_rss_mb")), 0))
    row("cold server read the cache", lambda r: {True: "yes", False: "NO (code edited mid-run)", None: "–"}[
        _get(r, ("browser", "cache_key_unchanged"))])
    row("floor server RSS (MB)", lambda r: _s(_get(r, ("browser", "floor_rss_mb")), 0))
    row("naive: Python per run (s)", lambda r: _s(_get(r, ("naive", "python", "total_s")) or
                                                   _get(r, ("naive", "python", "skipped"))))
    row("naive: payload (MB)", lambda r: _mb(_get(r, ("naive", "python", "payload_bytes"))))
    row("naive: cold → live (s)", lambda r: _s(_get(r, ("naive", "browser", "cold_deep_link", "live_s"))
                                               or _get(r, ("naive", "browser", "skipped"))
                                               or _get(r, ("naive", "browser", "error"))))
    row("ours/naive time to live map", lambda r: _s(_get(r, ("comparison", "ratio_live")), 3))
    row("speed-up vs naive (×)", lambda r: _s(_get(r, ("comparison", "speedup_live")), 1))
    row("ours/naive Python per rerun", lambda r: _s(_get(r, ("comparison", "ratio_python")), 3))
    lines = [head, sep] + [f"| {name} | " + " | ".join(cells) + " |" for name, cells in rows]
    lines += ["", "How cost grows:", "", growth_table(sets)]
    lines += ["", "| target | value | limit | result |", "|---|---|---|---|"]
    for t in results["targets"]:
        lines.append(f"| {t['text']} | {_s(t['value'], 3) if t['value'] is not None else '–'} | {t['limit']} | "
                     f"{t['status']} |")
    m = results["machine"]
    loads = [x[0] for r in sets for x in (r.get("loadavg"), _get(r, ("browser", "loadavg_before")),
                                          _get(r, ("browser", "loadavg_after"))) if x]
    if loads and max(loads) > (m["cores"] or 1) * 1.5:
        lines += ["", f"**Warning: the machine was busy during this run** (1-min load average up to {max(loads):.1f} "
                  f"on {m['cores']} cores); times are inflated. Compare runs made on an idle machine."]
    lines += ["", f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM; Python {m['python']}; "
              f"{m.get('chromium') or 'chromium ?'}; total bench time {results['elapsed_s']:.0f} s."]
    return "\n".join(lines)


def growth_table(datasets: list[dict]) -> str:
    """How cost grows with the number of events (one column per size, any number of runs merged)."""
    sets = sorted((d for d in datasets if d["label"] != "bundled"), key=lambda d: d["events"])
    rows = [
        ("first validation (s)", lambda r: _s(_get(r, ("python", "load", "median_s")))),
        ("peak RSS while validating (MB)", lambda r: _s(_get(r, ("python", "load", "peak_rss_mb")), 0)),
        ("cache load, hash included (s)", lambda r: _s(_get(r, ("python", "cache", "load_s")))),
        ("filter actor=russia from 2020 (ms)", lambda r: _ms(_get(r, ("python", "filter", "median_s")))),
        ("aggregation at the opening view (ms)", lambda r: _ms(_get(r, ("python", "aggregate", "all", "s")))),
        ("opening view: points or cells", lambda r: _s(_get(r, ("python", "aggregate", "all", "kind")))),
        ("payload today, all points (MB)", lambda r: _mb(_get(r, ("python", "map", "payload_bytes")))),
        ("payload aggregated (kB)", lambda r: _s((_get(r, ("python", "aggregate", "all", "payload_bytes")) or 0) / 1e3,
                                                 1)),
        ("/map rerun, Python (s)", lambda r: _s(_get(r, ("python", "map", "rerun_s")), 3)),
        ("cold /map → live map (s)", lambda r: _s(_get(r, ("browser", "cold_deep_link", "live_s"))
                                                  or (_get(r, ("browser", "error")) and "timed out"))),
        ("server RSS (MB)", lambda r: _s(_get(r, ("browser", "server_rss_mb")), 0)),
        ("aggregated prototype page: cold / warm → live (s)",
         lambda r: f"{_s(_get(r, ('aggregated_demo', 'cold', 'live_s')))} / "
                   f"{_s(_get(r, ('aggregated_demo', 'warm', 'live_s')))}"),
    ]
    lines = ["| events | " + " | ".join(f"{d['events']:,}" for d in sets) + " |", "|---|" + "---|" * len(sets)]
    lines += [f"| {name} | " + " | ".join(fn(d) for d in sets) + " |" for name, fn in rows]
    return "\n".join(lines)


def report(paths: list[Path]) -> str:
    """The growth table from one or more saved runs (`--report a.json b.json`)."""
    datasets = []
    for path in paths:
        datasets += json.loads(path.read_text(encoding="utf-8"))["datasets"]
    return growth_table(datasets)


# --- driver ----------------------------------------------------------------------------------

def run(sizes: list[int], browser_on: bool, naive_browser_on: bool, profile_dir: Path | None,
        bundled: bool = True, floor_on: bool = True, naive_python_on: bool = True, warm_runs: int = 3) -> dict:
    """Measure every dataset; returns the results dict (without writing it)."""
    from tools import synth

    started = time.perf_counter()
    results: dict = {"started": dt.datetime.now().isoformat(timespec="seconds"), "machine": machine_info(),
                     "sizes": sizes, "typical_filter": TYPICAL_FILTER_QUERY, "datasets": []}
    with tempfile.TemporaryDirectory(prefix="bw-bench-") as tmp_name:
        tmp = Path(tmp_name)
        # One validated-data cache for this process, AppTest and every server started below: a "cold" server
        # finds the data validated once already, as a restarted production server does.
        os.environ["BASEWATCH_CACHE_DIR"] = str(tmp / "dataset-cache")
        source = synth.default_source()
        results["source_dir"] = str(source)
        sets: list[tuple[str, Path]] = [("bundled", source)] if bundled else []
        for n in sizes:
            start = time.perf_counter()
            directory = synth.make_dataset(n, tmp / f"n{n}", seed=0, source_dir=source)
            log(f"synthetic {n:,} events written in {time.perf_counter() - start:.1f} s")
            sets.append((str(n), directory))
        naive_app = tmp / "naive" / "naive_app.py"
        naive_app.parent.mkdir()
        naive_app.write_text(NAIVE_APP, encoding="utf-8")
        floor_app = tmp / "floor" / "floor_app.py"
        floor_app.parent.mkdir()
        floor_app.write_text(FLOOR_APP, encoding="utf-8")
        lean_app = tmp / "lean" / "lean_app.py"
        lean_app.parent.mkdir()
        lean_app.write_text(LEAN_APP, encoding="utf-8")
        (lean_app.parent / "static").symlink_to(config.STATIC_DIR)  # served at /app/static like the app's

        naive_py_per_event: float | None = None
        for label, directory in sets:
            log(f"[{label}] python")
            events = sum(1 for _ in open(directory / config.EVENTS_FILE, encoding="utf-8")) - 1
            entry: dict = {"label": label, "events": events, "dir": str(directory), "loadavg": os.getloadavg()}
            entry["python"] = python_bench(directory, events, profile_dir, label)
            log(f"[{label}] load {entry['python']['load']['median_s']:.2f} s, map rerun "
                f"{entry['python']['map']['rerun_s']:.2f} s; AppTest")
            pages = PAGES_ALL if events < BIG else PAGES_BIG
            entry["apptest"] = apptest_bench(directory, pages, reruns=3 if events < BIG else 2)
            estimate = naive_py_per_event * events if naive_py_per_event else 0.0
            if not naive_python_on:
                entry["naive"] = {"python": {"skipped": "disabled (--no-naive)"}}
            elif estimate > NAIVE_PY_CAP_S:
                entry["naive"] = {"python": {"skipped": f"skipped: too slow (>{estimate:.0f} s estimated)"}}
                log(f"[{label}] naive python skipped (~{estimate:.0f} s)")
            else:
                log(f"[{label}] naive python")
                entry["naive"] = {"python": naive_python(naive_app, directory)}
                if entry["naive"]["python"].get("total_s") and events >= 1000:
                    naive_py_per_event = entry["naive"]["python"]["total_s"] / events
            results["datasets"].append(entry)

        if browser_on:
            from playwright.sync_api import sync_playwright

            from tools.server import CHROMIUM, CHROMIUM_ARGS

            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    naive_10x: float | None = None
                    for entry in results["datasets"]:
                        directory = Path(entry["dir"])
                        log(f"[{entry['label']}] browser (ours)")
                        huge = entry["events"] >= HUGE
                        side_by_side = floor_on and not huge
                        entry["browser"] = browser_ours(browser, directory, entry["python"],
                                                        floor_app=floor_app if side_by_side else None,
                                                        warm_runs=1 if huge else warm_runs,
                                                        lean_app=lean_app if side_by_side else None,
                                                        timeout_ms=HUGE_BROWSER_TIMEOUT_MS if huge
                                                        else BROWSER_TIMEOUT_MS)
                        if huge:
                            log(f"[{entry['label']}] aggregated prototype page")
                            entry["aggregated_demo"] = aggregated_demo(directory, warm_runs, browser)
                        from basewatch.loading import cache

                        # An edit under basewatch/ during the run changes the key: the "cold" server then
                        # validated the files again instead of reading the cache. Say so rather than hide it.
                        entry["browser"]["cache_key_unchanged"] = (
                            cache.cache_key(directory) == _get(entry, ("python", "cache", "key")))
                        log(f"[{entry['label']}] ours: {json.dumps(_brief(entry['browser']))}")
                        if not naive_browser_on:
                            entry["naive"]["browser"] = {"skipped": "disabled"}
                            continue
                        # The naive app's time grows at least linearly with markers: skip it when the last
                        # measurement, scaled up, would exceed the cap.
                        if naive_10x is not None:
                            estimate = naive_10x * entry["events"]
                            if estimate > NAIVE_BROWSER_CAP_S:
                                entry["naive"]["browser"] = {
                                    "skipped": f"skipped: too slow (>{estimate:.0f} s estimated)"}
                                log(f"[{entry['label']}] naive browser skipped (~{estimate:.0f} s)")
                                continue
                        log(f"[{entry['label']}] browser (naive)")
                        entry["naive"]["browser"] = browser_naive(browser, naive_app, directory)
                        live = _get(entry, ("naive", "browser", "cold_deep_link", "live_s"))
                        if live is not None and entry["events"] >= 1000:
                            naive_10x = live / entry["events"]
                        log(f"[{entry['label']}] naive: {json.dumps(_brief(entry['naive']['browser']))}")
                finally:
                    browser.close()

    for entry in results["datasets"]:
        entry.get("python", {}).pop("_typical_type", None)
        ours_live = _get(entry, ("browser", "cold_deep_link", "live_s"))
        naive_live = _get(entry, ("naive", "browser", "cold_deep_link", "live_s"))
        comp = {}
        if ours_live and naive_live:
            comp["ratio_live"] = ours_live / naive_live
            comp["speedup_live"] = naive_live / ours_live
        ours_py = _get(entry, ("python", "map", "rerun_s"))
        naive_py = _get(entry, ("naive", "python", "total_s"))
        if ours_py and naive_py:
            comp["ratio_python"] = ours_py / naive_py
            comp["speedup_python"] = naive_py / ours_py
        entry["comparison"] = comp
    results["elapsed_s"] = time.perf_counter() - started
    results["loadavg_end"] = os.getloadavg()
    results["targets"] = evaluate_targets(results)
    return results


def aggregated_demo(directory: Path, warm_runs: int = 3, browser=None) -> dict:
    """Cold (cache primed) and warm time to a live map of AGGREGATED_APP on a fresh server."""
    from basewatch.loading.cache import load_dataset_cached

    if browser is None:
        from playwright.sync_api import sync_playwright

        from tools.server import CHROMIUM, CHROMIUM_ARGS

        with sync_playwright() as pw:
            own = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                return aggregated_demo(directory, warm_runs, own)
            finally:
                own.close()

    out: dict = {"loadavg_before": os.getloadavg()}
    start = time.perf_counter()
    load_dataset_cached(directory)  # validated once: the server below reads the cache
    out["prime_s"] = time.perf_counter() - start
    with tempfile.TemporaryDirectory(prefix="bw-agg-") as tmp_name:
        app = Path(tmp_name) / "aggregated_app.py"
        app.write_text(AGGREGATED_APP, encoding="utf-8")
        (app.parent / "static").symlink_to(config.STATIC_DIR)
        blocked: list[str] = []
        with plain_server(app, directory, "aggregated", extra_args=("--server.enableStaticServing=true",)) as base:
            try:
                out["cold"] = _open_live_s(browser, base, "/", AGG_MARKERS, blocked)
                warm = [_open_live_s(browser, base, "/", AGG_MARKERS, blocked)["live_s"]
                        for _ in range(warm_runs)]
                out["warm"] = {"live_s": _median(warm), "runs_s": warm}
            except Exception as exc:  # noqa: BLE001 - a failed run is a result
                out["error"] = f"{type(exc).__name__}: {exc}"[:600]
            finally:
                out["server_rss_mb"] = group_rss_mb(base.proc.pid)["rss_mb"]
    out["loadavg_after"] = os.getloadavg()
    return out


def _brief(d: dict) -> dict:
    keep = {}
    for k, v in d.items():
        if isinstance(v, dict):
            keep[k] = {kk: round(vv, 2) if isinstance(vv, float) else vv for kk, vv in v.items()
                       if kk in ("live_s", "settled_s", "redraw_s", "error", "rss_mb")}
        elif isinstance(v, (int, float, str)):
            keep[k] = round(v, 2) if isinstance(v, float) else v
    return keep


def main(argv: list[str] | None = None) -> int:
    """Entry point for `python -m tools.bench`."""
    parser = argparse.ArgumentParser(prog="python -m tools.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=None, help="synthetic dataset sizes")
    parser.add_argument("--out", type=Path, default=Path("bench-results/bench.json"))
    parser.add_argument("--md", type=Path, default=None, help="also write the markdown table here")
    parser.add_argument("--no-browser", action="store_true", help="Python measurements only")
    parser.add_argument("--quick", action="store_true", help="sizes 1000 only, no naive browser run")
    parser.add_argument("--no-bundled", action="store_true", help="skip the bundled data")
    parser.add_argument("--profile", type=Path, default=None, help="write cProfile files of load and map rerun")
    parser.add_argument("--no-floor", action="store_true", help="skip the floor page (one FastMarkerCluster)")
    parser.add_argument("--no-naive", action="store_true", help="skip the naive one-Marker-per-event app")
    parser.add_argument("--warm-runs", type=int, default=3, help="warm readers per page (median reported)")
    parser.add_argument("--report", type=Path, nargs="+", default=None,
                        help="print the growth table of saved runs (JSON files) and exit")
    parser.add_argument("--aggregated-demo", type=Path, default=None, metavar="DATA_DIR",
                        help="time a prototype map page using basewatch.queries.aggregate on DATA_DIR and exit")
    args = parser.parse_args(argv)
    if args.report:
        print(report(args.report))
        return 0
    if args.aggregated_demo:
        os.environ.setdefault("BASEWATCH_CACHE_DIR", tempfile.mkdtemp(prefix="bw-agg-cache-"))
        print(json.dumps(aggregated_demo(args.aggregated_demo, args.warm_runs), indent=2, default=str))
        return 0
    sizes = args.sizes or ([1000] if args.quick else list(DEFAULT_SIZES))
    results = run(sizes, browser_on=not args.no_browser, naive_browser_on=not (args.quick or args.no_naive),
                  profile_dir=args.profile, bundled=not args.no_bundled, floor_on=not args.no_floor,
                  naive_python_on=not args.no_naive, warm_runs=args.warm_runs)
    table = markdown_table(results)
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    log(f"wrote {args.out}")
    if args.md:
        args.md.parent.mkdir(parents=True, exist_ok=True)
        args.md.write_text(table + "\n", encoding="utf-8")
        log(f"wrote {args.md}")
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks (servers stop)
    sys.exit(main())
