"""Render deploy/nginx.conf.template for N Streamlit replicas (standard library only).

    python deploy/render_nginx.py --listen 8080 --runtime-dir /tmp/bw-nginx \
        --upstream 127.0.0.1:8501 --upstream 127.0.0.1:8502 > /tmp/bw-nginx/nginx.conf

Only the ${BW_...} placeholders are replaced; nginx's own $variables are left alone.
"""

from __future__ import annotations

import argparse
import os
import pwd
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().with_name("nginx.conf.template")
PLACEHOLDER_RE = re.compile(r"\$\{(BW_[A-Z_]+)\}")


def upstream_servers(addresses: list[str], max_fails: int = 1, fail_timeout: str = "10s") -> str:
    """`server host:port max_fails=… fail_timeout=…;` lines for the upstream block."""
    if not addresses:
        raise ValueError("at least one upstream address is needed")
    for address in addresses:
        if not re.fullmatch(r"[A-Za-z0-9.\-\[\]:]+:\d+", address):
            raise ValueError(f"upstream must be host:port, got {address!r}")
    return "\n        ".join(f"server {a} max_fails={max_fails} fail_timeout={fail_timeout};" for a in addresses)


def render(listen: str | int, upstreams: list[str], runtime_dir: str | Path, template: Path = TEMPLATE) -> str:
    """The nginx.conf text: listen on `listen`, balance over `upstreams`, write only under `runtime_dir`."""
    runtime_dir = str(Path(runtime_dir).resolve())
    if re.search(r"[\s;{}\"']", runtime_dir):
        raise ValueError(f"runtime dir must not contain spaces, quotes, braces or ';': {runtime_dir!r}")
    values = {
        "BW_LISTEN": str(listen),
        "BW_RUNTIME_DIR": runtime_dir,
        "BW_UPSTREAM_SERVERS": upstream_servers(upstreams),
    }
    text = template.read_text()
    missing = sorted(set(PLACEHOLDER_RE.findall(text)) - set(values))
    if missing:
        raise ValueError(f"template names unknown placeholders: {missing}")
    return PLACEHOLDER_RE.sub(lambda m: values[m.group(1)], text)


# The user nginx's worker processes run as when the master runs as root and the config names none
# (nginx's compiled-in default on Debian). They write the cache, so its folder must be theirs.
WORKER_USER = "nobody"


def prepare_runtime_dir(runtime_dir: str | Path, worker_user: str = WORKER_USER) -> Path:
    """Create the runtime dir and the temp folders nginx expects in it; the cache folder belongs to nginx's workers."""
    path = Path(runtime_dir)
    for sub in ("", "client_body", "proxy", "fastcgi", "uwsgi", "scgi", "cache"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Run as root, nginx's workers drop to `worker_user`: they must reach and own the cache (only they).
        entry = pwd.getpwnam(worker_user)
        os.chown(path / "cache", entry.pw_uid, entry.pw_gid)
        (path / "cache").chmod(0o700)
        path.chmod(path.stat().st_mode | 0o111)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="8080", help="port or address:port nginx listens on")
    parser.add_argument("--upstream", action="append", required=True, help="host:port of a replica (repeat)")
    parser.add_argument("--runtime-dir", required=True, help="folder for pid, logs and temp files")
    args = parser.parse_args(argv)
    prepare_runtime_dir(args.runtime_dir)
    sys.stdout.write(render(args.listen, args.upstream, args.runtime_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
