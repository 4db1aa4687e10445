"""What the machine-readable routes (API and feeds) answer with: CORS, ETags, JSON, and errors that are never a traceback.

Every such route is read-only and public, so it answers any origin (`Access-Control-Allow-Origin: *`)
and a preflight. Its ETag names what the answer depends on: the data version, the route, the view's
canonical query and the answer's format revision; a client sending it back in `If-None-Match` gets
304 with no body. A bad parameter is a 400 in JSON listing each problem in the words the pages use;
missing data is a 503 and anything unexpected a 500, both in JSON, without server paths.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

from basewatch import config
from basewatch.i18n import _
from basewatch.loading.problems import DataError
from basewatch.state.urlstate import query_string, to_query_params
from basewatch.views.downloads import inert_json
from basewatch.web.context import View, speaking, view_of

log = logging.getLogger(__name__)

# Bump when an answer's shape changes, so caches holding the old shape revalidate.
FORMAT_REVISION = "1"
CACHE_CONTROL = "public, max-age=300"
JSON_TYPE = "application/json; charset=utf-8"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Link, Content-Disposition",
    "X-Content-Type-Options": "nosniff",
}
PREFLIGHT_HEADERS = {**CORS_HEADERS, "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
                     "Access-Control-Allow-Headers": "If-None-Match", "Access-Control-Max-Age": "86400"}
LICENSE_LINK = f'<{config.DATA_LICENSE_URL}>; rel="license"'


def _plain(value):
    """numpy and pandas scalars as plain Python values for json.dumps."""
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def json_bytes(document) -> bytes:
    """A document as UTF-8 JSON, with < and > written as \\u escapes (same values, inert as markup)."""
    return inert_json(document, indent=1, default=_plain) + b"\n"


def json_response(document, status: int = 200, headers: dict | None = None) -> Response:
    """A JSON answer with the CORS headers."""
    return Response(json_bytes(document), status_code=status, media_type=JSON_TYPE,
                    headers={**CORS_HEADERS, **(headers or {})})


def error(status: int, message: str, problems: list[str] | tuple[str, ...] = ()) -> Response:
    """An error as JSON: what went wrong and, for a bad request, each problem; never cached."""
    document = {"error": message, "status": status}
    if problems:
        document["problems"] = list(problems)
    return json_response(document, status, {"Cache-Control": "no-store"})


def bad_parameters(view: View) -> Response:
    """400: the view's notices, in the same words the pages show them."""
    with speaking(view):
        return error(400, _("Some parameters could not be used; fix or remove them."), view.notices)


def etag(view: View, route: str) -> str:
    """A strong ETag for a route's answer to a view: data version, route, canonical query, format revision."""
    canonical = query_string(to_query_params(view.state, view.catalog))
    key = "\n".join((FORMAT_REVISION, view.dataset.version, route, canonical))
    return '"' + hashlib.sha256(key.encode("utf-8")).hexdigest()[:32] + '"'


def _matches(if_none_match: str, tag: str) -> bool:
    """RFC 9110 weak comparison of an If-None-Match list against a tag."""
    candidates = [c.strip() for c in if_none_match.split(",")]
    return "*" in candidates or tag in (c.removeprefix("W/") for c in candidates)


def cached(request: Request, view: View, route: str, make: Callable[[], Response]) -> Response:
    """The answer `make()` builds, or 304 when the client already holds this ETag; caching headers on both."""
    tag = etag(view, route)
    headers = {**CORS_HEADERS, "ETag": tag, "Cache-Control": CACHE_CONTROL, "Link": LICENSE_LINK}
    if _matches(request.headers.get("if-none-match", ""), tag):
        return Response(status_code=304, headers=headers)
    response = make()
    response.headers.update(headers)
    return response


def machine_route(handler: Callable[[Request, View], Response]) -> Callable[[Request], Response]:
    """Wrap a route handler: preflight, parse the view, 400 on junk, 503 without data, JSON 500 on a bug.

    The handler gets a view whose parameters all parsed, inside `speaking(view)`. Plain `def`: Starlette
    runs it on a worker thread, so reading and filtering data never blocks the event loop.
    """

    @functools.wraps(handler)
    def endpoint(request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=PREFLIGHT_HEADERS)
        try:
            view = view_of(request)
        except DataError:
            return error(503, _("No version of the data has passed its checks yet; try again later."))
        except Exception:  # a bug must not reach the reader as a traceback
            log.exception("could not read the view of %s", request.url.path)
            return error(500, _("Something went wrong on the server; the error was logged."))
        if view.notices:
            return bad_parameters(view)
        try:
            with speaking(view):
                return handler(request, view)
        except Exception:
            log.exception("route %s failed", request.url.path)
            return error(500, _("Something went wrong on the server; the error was logged."))

    return endpoint
