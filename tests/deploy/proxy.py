"""Run nginx from deploy/nginx.conf.template in a temporary folder, in front of local replicas."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tools.server import ServerFailed, free_port, stop, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
RENDER_SCRIPT = ROOT / "deploy" / "render_nginx.py"
LOG_LINE_RE = re.compile(r'"(?P<method>[A-Z]+) (?P<uri>\S+) [^"]*" (?P<status>\d{3}) \d+ '
                         r"upstream=(?P<upstream>\S+(?:, \S+)*) route=(?P<route>\S+)")


def load_renderer():
    """deploy/render_nginx.py as a module (deploy/ is a folder of scripts, not a package)."""
    spec = importlib.util.spec_from_file_location("basewatch_render_nginx", RENDER_SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def nginx_binary() -> str | None:
    """The nginx executable, or None."""
    found = shutil.which("nginx")
    if found:
        return found
    for candidate in ("/usr/sbin/nginx", "/usr/local/sbin/nginx"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


@dataclass
class LogLine:
    method: str
    uri: str
    status: int
    upstreams: list[str]
    route: str


@dataclass
class Proxy:
    """A running nginx: its base URL, process and the files it writes."""

    base: str
    proc: subprocess.Popen
    runtime_dir: Path

    @property
    def error_log(self) -> Path:
        return self.runtime_dir / "error.log"

    @property
    def access_log(self) -> Path:
        return self.runtime_dir / "access.log"

    def read(self, path: Path, tail: int | None = 20000) -> str:
        try:
            text = path.read_text(errors="replace")
        except OSError:
            return ""
        return text[-tail:] if tail else text

    def access_lines(self) -> list[LogLine]:
        lines = []
        for raw in self.read(self.access_log, tail=None).splitlines():
            m = LOG_LINE_RE.search(raw)
            if m:
                upstreams = [u.strip() for u in m.group("upstream").split(",") if u.strip() not in ("", "-")]
                lines.append(LogLine(m.group("method"), m.group("uri"), int(m.group("status")), upstreams,
                                     m.group("route")))
        return lines

    def report(self) -> str:
        stdout = self.read(self.runtime_dir / "nginx.out")
        return (f"--- nginx error log ({self.error_log}) ---\n{self.read(self.error_log)}\n"
                f"--- nginx stdout/stderr ---\n{stdout}\n"
                f"--- nginx access log ({self.access_log}) ---\n{self.read(self.access_log)[-6000:]}")


class ProxyFailed(RuntimeError):
    """nginx did not start or did not become healthy; the message carries its logs."""


@contextmanager
def nginx_proxy(upstreams: list[str], runtime_dir: Path, timeout: float = 20.0):
    """nginx on a free 127.0.0.1 port balancing over `upstreams`, everything it writes in `runtime_dir`."""
    binary = nginx_binary()
    if binary is None:
        raise ProxyFailed("nginx is not installed. Install it with `make browser` "
                          "(apt-get install nginx); the replica test needs it.")
    renderer = load_renderer()
    renderer.prepare_runtime_dir(runtime_dir)
    port = free_port()
    conf = runtime_dir / "nginx.conf"
    conf.write_text(renderer.render(f"127.0.0.1:{port}", upstreams, runtime_dir))
    out = open(runtime_dir / "nginx.out", "wb")  # noqa: SIM115 - closed in finally
    # -e: the startup error log too goes to the runtime dir (not /var/log/nginx); -p: relative paths there.
    cmd = [binary, "-e", str(runtime_dir / "error.log"), "-c", str(conf), "-p", str(runtime_dir),
           "-g", "daemon off;"]
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    proxy = Proxy(f"http://127.0.0.1:{port}", proc, runtime_dir)
    try:
        try:
            wait_healthy(proxy.base + "/_stcore/health", proc, timeout, proxy.report, "nginx")
        except ServerFailed as exc:
            raise ProxyFailed(f"{exc}\ncommand: {' '.join(cmd)}") from None
        yield proxy
    finally:
        stop(proc)
        out.close()
