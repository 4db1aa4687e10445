"""What each part of /map costs a reader: the page side by side with copies that each lack one part.

    python -m tools.paint_parts DATA_DIR [--parts full no_share ...] [--warm-runs 3] [--md parts.md]

Each variant is a copy of this working tree (tracked files) with one part cut out of its source
(`VARIANTS`: plain text edits that must match, so a variant never silently measures the full page),
served on its own fresh server (`python -m basewatch.serve`, as `make run`), the data validated once
per copy beforehand (the cache key covers the package's code, so every copy has its own entry). The
floor page and "our map alone" of tools.bench run beside them. Readers go round-robin over every
server: the first is each server's cold reader, then one warm-up each, then `--warm-runs` rounds whose
median is reported. A reader's time is navigation start → the map live with its markers (as
tools.bench); after that the tool waits for the page to settle and counts the script runs the reader
caused and the elements on the page. Timings are recorded, never asserted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from basewatch import config
from tools import bench

MAP = "pages/map.py"
CHROME = "basewatch/shell/chrome.py"

# name -> (what it leaves out, [(file, regex, replacement)]). Regexes are applied with re.S | re.M.
VARIANTS: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "full": ("nothing (the page as shipped)", []),
    "no_title": ("the page title", [(MAP, r'^st\.title\(_\("Map"\)\)\n', "")]),
    "no_sentence": ("the view's sentence", [(MAP, r"^st\.markdown\(chrome\.summary_line\(ctx\)\)\n", "")]),
    "no_playback": ("time playback controls", [(MAP, r"^    playback\.controls\(ctx\)\n", "")]),
    "no_rings": ("the Range rings expander", [(MAP, r'^    with st\.expander\(_\("Range rings"\).*?(?=\n\n\n@st\.fragment)',
                                               "    pass")]),
    "no_captions": ("the two captions under the map", [(MAP, r"^        st\.caption\(story\.as_of.*?ctx\.count\)\)\)\n", "")]),
    "no_detail": ("the whole detail column (hint, movements, legend, share box)",
                  [(MAP, r"map_col, detail_col = \(st\.container\(\), None\) if ctx\.embedded else st\.columns\(\[5, 3\], "
                         r'gap="medium"\)', "map_col, detail_col = st.container(), None")]),
    "no_hint": ("the 'click an event' hint", [(MAP, r"^            st\.info\(.*?zoom in\.\"\)\)\n", "            pass\n")]),
    "no_movements": ("the movements expander", [(MAP, r"^        with st\.expander\(_\(\"Movements.*?movements_list\(moves\)\n",
                                                 "")]),
    "no_legend": ("the legend", [(MAP, r"^        components\.map_legend\(in_view, ctx\.catalog\)\n", "")]),
    "no_share": ("the share box", [(MAP, r"^        chrome\.share_box\(ctx\)\n", "")]),
    "eager_share": ("nothing: the share box's content is drawn closed too, as before it was lazy",
                    [(CHROME, r"^    if not box\.open:\n", "    if False:\n")]),
    "no_filters": ("the sidebar's filter widgets", [(CHROME, r"^    sidebar\.filters\(ctx\.catalog.*?len\(ctx\.all_events\)\)\n", "")]),
    "no_language": ("the language picker", [(CHROME, r"^    sidebar\.language_picker\(ctx\.page_key\)\n", "")]),
    "no_nav": ("the sidebar's page links", [(CHROME, r"^    sidebar\.nav\(\)\n", "")]),
    "no_sidebar": ("the whole sidebar", [(CHROME, r"^    st\.sidebar\.markdown\(f\"### .*?plain_isolate\(ctx\.dataset\.version\)\)\)\n",
                                         "")]),
    "no_page_css": ("the page's CSS and font faces", [(CHROME, r"^    st\.html\(PAGE_CSS.*?\n", "")]),
    "no_returned": ("st_folium reporting back at all (returned_objects=[])",
                    [(MAP, r"returned_objects=reported_at_open", "returned_objects=[]")]),
    "report_first_frame": ("nothing: it adds back st_folium's report of the frame the map opens on (a rerun)",
                           [(MAP, r"returned_objects=reported_at_open", "returned_objects=returned")]),
    "no_site_layers": ("the map's layers besides the events (sites, movements, rings, selection, export caption)",
                       [(MAP, r"^                site_layers\.build_site_layer.*?has_view=state\.view is not None\),\n", "")]),
}
# Everything around the map and its sentence at once: how close the page can get to "our map alone".
VARIANTS["map_and_sentence"] = ("everything but the map, its layers and the view's sentence", [
    edit for part in ("no_title", "no_playback", "no_rings", "no_captions", "no_detail", "no_sidebar", "no_page_css")
    for edit in VARIANTS[part][1]])


def make_variant(name: str, root: Path, dest: Path) -> Path:
    """A copy of the tracked files of `root` in dest/name with the variant's edits applied."""
    _what, edits = VARIANTS[name]
    target = dest / name
    files = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=True).stdout.split()
    for rel in files:
        src = root / rel
        if src.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / rel)
    for rel, pattern, replacement in edits:
        path = target / rel
        text, count = re.subn(pattern, replacement, path.read_text(encoding="utf-8"), count=1, flags=re.S | re.M)
        if count != 1:
            raise SystemExit(f"variant {name}: {pattern!r} not found in {rel}")
        path.write_text(text, encoding="utf-8")
    return target


@contextlib.contextmanager
def variant_server(copy: Path, data_dir: Path, timeout: float = 180.0):
    """`python -m basewatch.serve` from the copy (its own code), on a free port."""
    from tools.server import RunningServer, _read, free_port, stop, wait_healthy

    port = free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", "BASEWATCH_DATA_DIR": str(data_dir),
           "PYTHONPATH": str(copy)}
    log_file = tempfile.NamedTemporaryFile(prefix=f"streamlit-{copy.name}-", suffix=".log", delete=False)
    cmd = [sys.executable, "-m", "basewatch.serve", f"--server.port={port}", "--server.address=127.0.0.1",
           "--server.headless=true", "--browser.gatherUsageStats=false", "--server.fileWatcherType=none"]
    proc = subprocess.Popen(cmd, cwd=copy, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base + "/_stcore/health", proc, timeout, lambda: _read(log_file.name), copy.name)
        yield RunningServer(base, proc, log_file.name)
    finally:
        stop(proc)


# Records every script-state change of the page from its first paint (an init script, before Streamlit loads).
WATCH_FROM_START_JS = """
window.__bwStates = [];
new MutationObserver(() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.__bwWatched) return;
  app.__bwWatched = true;
  window.__bwStates.push([performance.now(), app.getAttribute("data-test-script-state")]);
  new MutationObserver(() => window.__bwStates.push([performance.now(), app.getAttribute("data-test-script-state")]))
    .observe(app, {attributes: true, attributeFilter: ["data-test-script-state"]});
}).observe(document, {childList: true, subtree: true});
"""

QUIET_JS = """
([since, quietMs]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
  const states = window.__bwStates || [];
  const last = states.length ? states[states.length - 1][0] : since;
  return performance.now() - Math.max(last, since) >= quietMs ? performance.now() : false;
}
"""


def one_reader(browser, base: str, path: str, marker_sel: str, blocked: list[str], streamlit_page: bool) -> dict:
    """Navigation start → live map; then (Streamlit pages) settle and count script runs and elements."""
    context = bench._offline_context(browser, base, blocked)
    try:
        context.add_init_script(WATCH_FROM_START_JS)
        result = bench.open_and_wait_live(context, base + path, marker_sel)
        page = result.pop("_page")
        if streamlit_page:
            # Quiet: no script-state change for 1.5 s after the page finished a run (the map reporting back,
            # if it does, starts a run well within that).
            bench._wait_value(page, QUIET_JS, [result["live_s"] * 1000, 1500], 60_000)
            states = page.evaluate("window.__bwStates")
            result["runs"] = sum(1 for _t, s in states if s == "running")
            result["elements"] = page.evaluate(
                "document.querySelectorAll('[data-testid=stElementContainer]').length")
            result["settled_s"] = max((t for t, s in states if s == "notRunning"), default=0) / 1000
        return result
    finally:
        context.close()


def measure(data_dir: Path, names: list[str], warm_runs: int, with_floor: bool = True) -> dict:
    """Cold and warm readers of every variant (and the floor and "our map alone"), round-robin."""
    from playwright.sync_api import sync_playwright

    from tools.server import CHROMIUM, CHROMIUM_ARGS

    out: dict = {"loadavg_before": os.getloadavg(), "data_dir": str(data_dir), "variants": {}}
    with tempfile.TemporaryDirectory(prefix="bw-parts-") as tmp_name:
        tmp = Path(tmp_name)
        os.environ["BASEWATCH_CACHE_DIR"] = str(tmp / "cache")
        copies = {name: make_variant(name, config.ROOT, tmp) for name in names}
        for copy in copies.values():  # data validated once per copy: the cold reader reads the cache
            subprocess.run([sys.executable, "-m", "basewatch", "validate"], cwd=copy, check=True, capture_output=True,
                           env={**os.environ, "BASEWATCH_DATA_DIR": str(data_dir), "PYTHONPATH": str(copy)})
        floor_app, lean_app = tmp / "floor" / "floor_app.py", tmp / "lean" / "lean_app.py"
        for app, code in ((floor_app, bench.FLOOR_APP), (lean_app, bench.LEAN_APP)):
            app.parent.mkdir()
            app.write_text(code, encoding="utf-8")
        (lean_app.parent / "static").symlink_to(config.STATIC_DIR)
        blocked: list[str] = []
        with contextlib.ExitStack() as stack:
            servers = {name: stack.enter_context(variant_server(copy, data_dir)) for name, copy in copies.items()}
            pages = {name: (base, "/map", bench.OUR_MARKERS, True) for name, base in servers.items()}
            if with_floor:
                floor = stack.enter_context(bench.plain_server(floor_app, data_dir, "floor"))
                lean = stack.enter_context(bench.plain_server(lean_app, data_dir, "lean",
                                                              extra_args=("--server.enableStaticServing=true",)))
                pages["floor"] = (floor, "/", bench.FLOOR_MARKERS, False)
                pages["lean"] = (lean, "/", bench.OUR_MARKERS, False)
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                try:
                    readers: dict[str, list[dict]] = {name: [] for name in pages}
                    for _round in range(2 + warm_runs):  # cold, warm-up, then the measured rounds
                        for name, (base, path, markers, is_streamlit) in pages.items():
                            readers[name].append(one_reader(browser, base, path, markers, blocked, is_streamlit))
                        bench.log(f"round {_round}: load {os.getloadavg()[0]:.2f}")
                finally:
                    browser.close()
    for name, runs in readers.items():
        warm = runs[2:]
        entry = {"leaves_out": VARIANTS[name][0] if name in VARIANTS else name,
                 "cold_s": runs[0]["live_s"], "warm_s": bench._median([r["live_s"] for r in warm]),
                 "warm_runs_s": [r["live_s"] for r in warm]}
        if "runs" in runs[-1]:
            entry.update(runs_cold=runs[0]["runs"], runs_warm=runs[-1]["runs"], elements=runs[-1]["elements"])
        out["variants"][name] = entry
    out["external_requests_blocked"] = len(blocked)
    out["loadavg_after"] = os.getloadavg()
    return out


def markdown(results: dict) -> str:
    """The per-part table: each variant against the full page and the floor."""
    variants = results["variants"]
    full, floor = variants.get("full"), variants.get("floor")
    lines = ["| variant (leaves out) | cold s | warm s (median) | warm − full s | warm ÷ floor | cold ÷ floor "
             "| script runs cold / warm | elements |", "|---|---|---|---|---|---|---|---|"]
    for name, v in variants.items():
        delta = f"{v['warm_s'] - full['warm_s']:+.2f}" if full else ""
        ratio = f"{v['warm_s'] / floor['warm_s']:.2f}" if floor else ""
        cold_ratio = f"{v['cold_s'] / floor['cold_s']:.2f}" if floor else ""
        runs = f"{v['runs_cold']} / {v['runs_warm']}" if "runs_cold" in v else ""
        lines.append(f"| {name} ({v['leaves_out']}) | {v['cold_s']:.2f} | {v['warm_s']:.2f} | {delta} | {ratio} "
                     f"| {cold_ratio} | {runs} | {v.get('elements', '')} |")
    lo, hi = results["loadavg_before"], results["loadavg_after"]
    lines.append(f"\nLoad average (1/5/15 min) before {lo[0]:.2f}/{lo[1]:.2f}/{lo[2]:.2f}, "
                 f"after {hi[0]:.2f}/{hi[1]:.2f}/{hi[2]:.2f}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point for `python -m tools.paint_parts`."""
    parser = argparse.ArgumentParser(prog="python -m tools.paint_parts", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--parts", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    parser.add_argument("--warm-runs", type=int, default=3)
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON here")
    parser.add_argument("--md", type=Path, default=None, help="write the table here")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    results = measure(args.data_dir.resolve(), args.parts, args.warm_runs, with_floor=not args.no_floor)
    results["elapsed_s"] = time.perf_counter() - start
    table = markdown(results)
    print(table)
    if args.out:
        args.out.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    if args.md:
        args.md.write_text(table + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
