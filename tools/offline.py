"""Run a Python module's command line with the network cut off: `python -m tools.offline MODULE [ARGS...]`.

CI validates the data package with `python -m tools.offline frictionless validate data/datapackage.json`:
every outgoing connection and name lookup raises, so a descriptor that needs a remote profile or schema
fails the check instead of passing only where the network happens to be up.
"""

from __future__ import annotations

import runpy
import socket
import sys


def _refuse(*args, **kwargs):
    raise OSError("network access is disabled for this check (tools/offline.py)")


def cut_network() -> None:
    """Make every new connection and DNS lookup in this process fail."""
    socket.socket.connect = _refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = _refuse  # type: ignore[method-assign]
    socket.create_connection = _refuse  # type: ignore[assignment]
    socket.getaddrinfo = _refuse  # type: ignore[assignment]


def main(argv: list[str]) -> None:
    """Run `argv[0]` as `python -m argv[0] argv[1:]` without network."""
    if not argv:
        raise SystemExit("usage: python -m tools.offline MODULE [ARGS...]")
    cut_network()
    sys.argv = [argv[0], *argv[1:]]
    runpy.run_module(argv[0], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main(sys.argv[1:])
