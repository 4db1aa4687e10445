"""Does a burst of preview images slow a reader down? A /map reader's reruns timed without, during and after a
burst of distinct preview URLs (none cached: each one asks for a new drawing).

    python -m tools.preview_burst [--burst 200] [--seconds 10] [--reruns 20] [--data-dir DIR] [--out FILE]

Starts one server (`python -m basewatch.serve`), opens the shared link /map?actor=russia&from=2024-12-01 with
the protocol client of scripts/load_test.py (Streamlit's own websocket protocol, the same script run a browser
tab causes), then times `--reruns` reruns of that page, alternating two filters as a reader clicking would,
one every `--seconds / --reruns` s: before the burst (A), while `--burst` distinct preview URLs arrive within
`--seconds` (B, one request every seconds/burst, none waiting for another), and after it (A again). Preview
URLs are canonical (no redirect) and all different: /map, /timeline, / and /sites with a different `from` day
each. Reports each phase's median and p95 rerun, the ratio of the burst's to the mean of the two A phases,
how many previews were drawn and how many got the generic card, and the CPU of the server and of its preview
worker. Times are recorded, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import importlib.util
import json
import os
import re
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

from basewatch import config
from tools.cache_bench import children, cpu
from tools.server import streamlit_server

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("map", "timeline", "overview", "sites")
QUERIES = ("actor=russia&from=2024-12-01", "actor=russia&from=2024-12-01&type=withdrawal")


def load_test_module():
    """scripts/load_test.py (a script, not a package): its protocol client and plan."""
    spec = importlib.util.spec_from_file_location("basewatch_load_test", ROOT / "scripts" / "load_test.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def preview_urls(base: str, version: str, n: int) -> list[str]:
    """`n` distinct canonical preview URLs: four pages, a different `from` day each."""
    start = dt.date(2015, 1, 1)
    return [f"{base}/-/preview/{PAGES[i % len(PAGES)]}.png?from={start + dt.timedelta(days=i)}"
            f"&v={quote(version, safe='')}" for i in range(n)]


class Burst:
    """Sends the preview requests on a schedule, each in its own thread, and records what came back."""

    def __init__(self, urls: list[str], seconds: float):
        self.urls, self.seconds = urls, seconds
        self.results: list[tuple[float, str]] = []  # (seconds to the answer, "drawn" | "generic" | error)
        self.lock = threading.Lock()

    def fetch(self, url: str) -> None:
        start = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=120) as response:
                response.read()
                kind = "generic" if response.headers.get("X-Basewatch-Preview") == "generic" else "drawn"
        except Exception as exc:  # noqa: BLE001 - recorded, the burst goes on
            kind = f"error: {exc}"
        with self.lock:
            self.results.append((time.monotonic() - start, kind))

    def run(self) -> None:
        with ThreadPoolExecutor(max_workers=len(self.urls)) as pool:
            start = time.monotonic()
            for i, url in enumerate(self.urls):
                time.sleep(max(0.0, start + i * self.seconds / len(self.urls) - time.monotonic()))
                pool.submit(self.fetch, url)


async def timed_reruns(session, n: int, every: float) -> list[float]:
    """`n` reruns of /map alternating two filters, one every `every` seconds; seconds each took."""
    times = []
    for i in range(n):
        start = time.monotonic()
        await session.rerun(QUERIES[i % 2])
        times.append(time.monotonic() - start)
        await asyncio.sleep(max(0.0, every - times[-1]))
    return times


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"n": len(times), "median_ms": round(1000 * statistics.median(times), 1),
            "p95_ms": round(1000 * ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))], 1)}


async def measure(load, base: str, data_dir: Path, args, server_pid: int) -> dict:
    plan = load.make_plan(base, data_dir)
    session = load.ProtocolSession(plan, step_timeout=120)
    await load.step_open(session)
    for i in range(4):  # warm both filters' caches, as a reader who has clicked before
        await session.rerun(QUERIES[i % 2])
    every = args.seconds / args.reruns
    with urllib.request.urlopen(f"{base}/map?{QUERIES[0]}") as response:
        version = re.search(r"v=([^\"&]+)\"", response.read().decode()).group(1)
    report: dict = {}
    report["before"] = summary(await timed_reruns(session, args.reruns, every))
    burst = Burst(preview_urls(base, urllib.parse.unquote(version), args.burst), args.seconds)
    workers = children(server_pid)
    cpu_before = (cpu([server_pid]), cpu(workers))
    sender = threading.Thread(target=burst.run)
    sender.start()
    report["during"] = summary(await timed_reruns(session, args.reruns, every))
    await asyncio.to_thread(sender.join)
    report["cpu_during_burst_s"] = {"server": round(cpu([server_pid]) - cpu_before[0], 2),
                                    "preview_worker": round(cpu(workers) - cpu_before[1], 2)}
    report["after"] = summary(await timed_reruns(session, args.reruns, every))
    await session.close()
    kinds = [kind for _, kind in burst.results]
    answers = sorted(seconds for seconds, _ in burst.results)
    report["previews"] = {"sent": len(burst.urls), "drawn": kinds.count("drawn"), "generic": kinds.count("generic"),
                          "errors": sum(k.startswith("error") for k in kinds),
                          "answer_median_ms": round(1000 * statistics.median(answers), 1),
                          "answer_p95_ms": round(1000 * answers[round(0.95 * (len(answers) - 1))], 1),
                          "generic_answer_max_ms": round(1000 * max((s for s, k in burst.results if k == "generic"),
                                                                     default=0), 1)}
    baseline = (report["before"]["median_ms"] + report["after"]["median_ms"]) / 2
    report["ratio_median"] = round(report["during"]["median_ms"] / baseline, 2)
    report["ratio_p95"] = round(report["during"]["p95_ms"] / ((report["before"]["p95_ms"] + report["after"]["p95_ms"])
                                                             / 2), 2)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--burst", type=int, default=200, help="distinct preview URLs (default 200)")
    parser.add_argument("--seconds", type=float, default=10.0, help="within this many seconds (default 10)")
    parser.add_argument("--reruns", type=int, default=20, help="timed /map reruns per phase (default 20)")
    parser.add_argument("--data-dir", type=Path, default=None, help="data folder (default: the bundled data)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "preview-burst.json")
    args = parser.parse_args(argv)
    load = load_test_module()
    data_dir = args.data_dir or config.data_dir()
    with ExitStack() as stack:
        server = stack.enter_context(streamlit_server(data_dir=args.data_dir))
        load_before = os.getloadavg()
        report = asyncio.run(measure(load, str(server), data_dir, args, server.proc.pid))
    report.update(load_average_before=load_before, load_average_after=os.getloadavg(), cpus=os.cpu_count(),
                  burst=args.burst, seconds=args.seconds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))
    print("| phase | /map rerun median ms | p95 ms |\n|---|---|---|")
    for phase in ("before", "during", "after"):
        print(f"| {phase} the burst | {report[phase]['median_ms']} | {report[phase]['p95_ms']} |")
    previews = report["previews"]
    print(f"\nduring ÷ around: median {report['ratio_median']}×, p95 {report['ratio_p95']}×")
    print(f"previews: {previews['sent']} sent, {previews['drawn']} drawn, {previews['generic']} generic card, "
          f"{previews['errors']} errors; answer median {previews['answer_median_ms']} ms, p95 "
          f"{previews['answer_p95_ms']} ms, slowest generic {previews['generic_answer_max_ms']} ms")
    print(f"CPU during the burst: server {report['cpu_during_burst_s']['server']} s, preview worker "
          f"{report['cpu_during_burst_s']['preview_worker']} s; load average {load_before} → "
          f"{report['load_average_after']}; JSON in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
