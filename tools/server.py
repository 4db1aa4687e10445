"""Start and stop a Streamlit server for browser tests, screenshots and benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from basewatch.config import ROOT

CHROMIUM = os.environ.get("BASEWATCH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic",
                 "--disable-dev-shm-usage"]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerFailed(RuntimeError):
    """The server did not become healthy; the message carries its log."""


@contextmanager
def streamlit_server(data_dir: Path | None = None, port: int | None = None, timeout: float = 60.0,
                     extra_env: dict | None = None, plain: bool = False):
    """Run the app on a free port until the block ends; yields the base URL.

    By default as `make run` and Docker start it (`python -m basewatch.serve`: launcher.py, the app with its
    HTTP routes); `plain=True` runs `streamlit run app.py` alone, as Community Cloud does. Readiness is
    polled on /_stcore/health; on failure the server log is in the exception.
    """
    port = port or free_port()
    env = {**os.environ, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false", **(extra_env or {})}
    if data_dir is not None:
        env["BASEWATCH_DATA_DIR"] = str(data_dir)
    log = tempfile.NamedTemporaryFile(prefix="streamlit-", suffix=".log", delete=False)
    start = ["-m", "streamlit", "run", "app.py"] if plain else ["-m", "basewatch.serve"]
    cmd = [sys.executable, *start, f"--server.port={port}",
           "--server.address=127.0.0.1", "--server.headless=true", "--browser.gatherUsageStats=false",
           "--server.fileWatcherType=none"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base + "/_stcore/health", proc, timeout, lambda: _read(log.name), "streamlit")
        server = RunningServer(base, proc, log.name)
        yield server
    finally:
        stop(proc)


def wait_healthy(url: str, proc: subprocess.Popen, timeout: float, log, what: str = "server") -> None:
    """Poll `url` until it answers `ok`; raise ServerFailed with `log()` if `proc` dies or time runs out."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise ServerFailed(f"{what} exited with {proc.returncode}:\n{log()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise ServerFailed(f"{what} not healthy after {timeout}s:\n{log()}")
        time.sleep(0.1)  # readiness poll of a child process, not a browser wait


class RunningServer(str):
    """The base URL (a str) plus the process and its log, for tests that need them."""

    def __new__(cls, base: str, proc: subprocess.Popen, log_path: str):
        obj = super().__new__(cls, base)
        obj.proc, obj.log_path = proc, log_path
        return obj

    def log(self) -> str:
        """What the server printed so far."""
        return _read(self.log_path)


def stop(proc: subprocess.Popen) -> None:
    """Stop the server and everything it started."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def _read(path: str) -> str:
    try:
        return Path(path).read_text(errors="replace")[-20000:]
    except OSError:
        return ""
