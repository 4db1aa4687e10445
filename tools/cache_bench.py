"""The cached tier, measured on loopback: wrk against a hot page head and a hot preview image, straight at
Streamlit and through nginx (deploy/nginx.conf.template), side by side, with Streamlit's CPU during each run.

    python -m tools.cache_bench [--duration 10] [--connections 50] [--threads 2] [--data-dir DIR] [--out FILE]

Starts one server (`python -m basewatch.serve`, as make run does) and nginx in front of it (the helper the
deploy tests use), warms both URLs, then for each URL and each way runs `wrk --latency` and reads
utime+stime of the Streamlit process (and of its preview worker) from /proc before and after. Prints a
Markdown table and writes JSON. Needs wrk and nginx (apt-get install wrk nginx). Never asserts timings.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

from tools.server import streamlit_server

ROOT = Path(__file__).resolve().parents[1]
HEAD_PATH = "/map?actor=russia&from=2024-12-01"


def children(pid: int) -> list[int]:
    """Direct and indirect children of `pid` (the preview worker and multiprocessing's helper)."""
    found, todo = [], [pid]
    while todo:
        parent = todo.pop()
        try:
            kids = [int(k) for k in Path(f"/proc/{parent}/task/{parent}/children").read_text().split()]
        except OSError:
            kids = []
        found += kids
        todo += kids
    return found


def cpu(pids: list[int]) -> float:
    """utime + stime in seconds, summed over `pids`."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def wrk(url: str, duration: int, connections: int, threads: int) -> dict:
    """Requests per second, latency percentiles (ms) and errors from `wrk --latency`."""
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    percentiles = {f"p{m.group(1)}": float(m.group(2)) * _UNITS[m.group(3)]
                   for m in re.finditer(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"requests_per_s": rate, **percentiles, "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
            "socket_errors": sum(map(int, errors.groups())) if errors else 0, "raw": out}


def measure(url: str, server_pid: int, args) -> dict:
    """One wrk run with Streamlit's CPU (the server process, and its preview worker) around it."""
    workers = children(server_pid)
    before_server, before_workers, start = cpu([server_pid]), cpu(workers), time.monotonic()
    result = wrk(url, args.duration, args.connections, args.threads)
    elapsed = time.monotonic() - start
    result["streamlit_cpu_s"] = round(cpu([server_pid]) - before_server, 2)
    result["preview_worker_cpu_s"] = round(cpu(workers) - before_workers, 2)
    result["streamlit_cores"] = round(result["streamlit_cpu_s"] / elapsed, 2)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=50, help="open connections (default 50)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--data-dir", type=Path, default=None, help="data folder (default: the bundled data)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results" / "cache.json")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        parser.error("wrk is not installed: apt-get install wrk")
    from tests.deploy.proxy import nginx_proxy  # the helper the deploy tests use

    results: dict = {"duration_s": args.duration, "connections": args.connections, "threads": args.threads,
                     "cpus": os.cpu_count(), "load_average_before": os.getloadavg(), "runs": []}
    with ExitStack() as stack:
        server = stack.enter_context(streamlit_server(data_dir=args.data_dir))
        runtime = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bw-cache-bench-")))
        proxy = stack.enter_context(nginx_proxy([urlsplit(server).netloc], runtime))
        with urllib.request.urlopen(server + HEAD_PATH) as response:
            page = response.read().decode()
        image_path = urlsplit(re.search(r'property="og:image" content="([^"]+)"', page).group(1).replace("&amp;", "&"))
        image = image_path.path + "?" + image_path.query
        for base in (server, proxy.base):  # warm: the image drawn, both URLs in nginx's cache
            for path in (HEAD_PATH, image, HEAD_PATH, image):
                urllib.request.urlopen(base + path).read()
        for name, path in (("head", HEAD_PATH), ("preview", image)):
            for way, base in (("streamlit", server), ("nginx", proxy.base)):
                run = measure(base + path, server.proc.pid, args)
                run.update(url=path, what=name, way=way)
                results["runs"].append(run)
                print(f"{name:8} {way:10} {run['requests_per_s']:9.0f} req/s  p50 {run.get('p50', 0):7.2f} ms  "
                      f"p99 {run.get('p99', 0):7.2f} ms  Streamlit CPU {run['streamlit_cpu_s']:5.2f} s "
                      f"({run['streamlit_cores']:.2f} cores)  errors {run['non_2xx'] + run['socket_errors']}",
                      flush=True)
        results["nginx_cache_statuses"] = sorted({line.split("cache=")[-1] for line in
                                                  proxy.read(proxy.access_log, tail=None).splitlines()})
    results["load_average_after"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    print("\n| URL | way | req/s | p50 ms | p99 ms | Streamlit CPU s (cores) | errors |\n|---|---|---|---|---|---|---|")
    for run in results["runs"]:
        print(f"| {run['what']} `{run['url'][:60]}` | {run['way']} | {run['requests_per_s']:,.0f} | "
              f"{run.get('p50', 0):.2f} | {run.get('p99', 0):.2f} | {run['streamlit_cpu_s']:.2f} "
              f"({run['streamlit_cores']:.2f}) | {run['non_2xx'] + run['socket_errors']} |")
    print(f"\nload average before {results['load_average_before']}, after {results['load_average_after']}; "
          f"JSON in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
