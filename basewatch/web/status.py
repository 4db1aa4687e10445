"""`/-/status.json`: what data version the server shows and whether the files on disk pass their checks.

For maintainers (linked from nowhere a reader goes): the version served, the digest of the files on
disk, valid or not, and each problem with its path relative to the data folder. Never a server path.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from basewatch import config
from basewatch.loading import live

PATH = "/-/status.json"


def status(request: Request) -> JSONResponse:
    """The data status as JSON; never cached by a proxy (a plain function: Starlette runs it on a worker thread)."""
    answer = live.live(config.data_dir()).status().as_json()
    return JSONResponse(answer, headers={"Cache-Control": "no-store"})


def routes() -> list[Route]:
    """The status route."""
    return [Route(PATH, status, methods=["GET"])]
