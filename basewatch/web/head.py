"""The head of every view: each page path answers with Streamlit's own page, its <head> describing the view.

`GET /map?actor=russia&from=2024-12-01` returns Streamlit's index.html (read once from the installed
package) with the view's title, description, canonical link, Open Graph and Twitter tags and
`<html lang dir>` put in, so a link pasted into a chat previews as that view. The browser then runs the
app exactly as from Streamlit's own copy: the page is the same file, its assets are Streamlit's.

The tags are put in by this route, never by middleware: Streamlit compresses responses inside its own
middleware stack, so a middleware rewriting HTML sees gzip whenever the client asks for it.

Responses carry an ETag (the page's hash) and `Cache-Control: public, max-age=0, s-maxage=60`: browsers
revalidate every time (304 when nothing changed), a shared cache (deploy/nginx.conf.template) may serve
the page for a minute. A new data version changes the sentence, hence the ETag.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path

import streamlit
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from basewatch.loading.problems import DataError
from basewatch.state import links
from basewatch.state.pages import PAGES
from basewatch.views import meta
from basewatch.web.context import View, speaking, view_of

CACHE_CONTROL = "public, max-age=0, s-maxage=60"
CACHE_ENTRIES = 2048  # pages of ~5 kB each
_HTML_RE = re.compile(r"<html\b[^>]*>", re.IGNORECASE)
_TITLE_RE = re.compile(r"<title>.*?</title>", re.IGNORECASE | re.DOTALL)


@lru_cache(maxsize=1)
def streamlit_index() -> str:
    """The index.html Streamlit serves for every page, from the installed package."""
    return (Path(streamlit.__file__).parent / "static" / "index.html").read_text(encoding="utf-8")


def page_with(tags: meta.Meta, index: str | None = None) -> str:
    """Streamlit's page with `tags` in its <head> and the view's language and direction on <html>."""
    index = streamlit_index() if index is None else index
    page = _HTML_RE.sub(lambda _: f"<html {meta.html_attributes(tags)}>", index, count=1)
    head = meta.head_tags(tags)
    if _TITLE_RE.search(page):
        return _TITLE_RE.sub(lambda _: head, page, count=1)
    return page.replace("</head>", f"    {head}\n  </head>", 1)


def view_tags(page_key: str, view: View) -> meta.Meta:
    """The head tags of a request's view on a page (its canonical link: the junk a link carried is left out)."""
    target = links.link(page_key, view.state, view.catalog)
    with speaking(view):
        return meta.view_meta(page_key, view.state, view.catalog, view.dataset.events, len(view.events),
                              url=target.on(view.base_url), image=target.preview_on(view.base_url,
                                                                                    view.dataset.version))


class _Pages:
    """Finished pages by (data version, page, canonical link): a popular link costs its sentence once."""

    def __init__(self, entries: int = CACHE_ENTRIES):
        self.entries, self.lock, self.pages = entries, threading.Lock(), OrderedDict()

    def get(self, key: tuple, make) -> tuple[bytes, str]:
        with self.lock:
            if key in self.pages:
                self.pages.move_to_end(key)
                return self.pages[key]
        body = make().encode("utf-8")
        found = (body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
        with self.lock:
            self.pages[key] = found
            while len(self.pages) > self.entries:
                self.pages.popitem(last=False)
        return found


_pages = _Pages()


def page_response(request: Request, page_key: str) -> Response:
    """Streamlit's page for a request's view on `page_key`, with its head (304 when the client has it)."""
    try:
        view = view_of(request)
    except DataError:  # no data version ever validated: the app itself shows the report
        return Response(streamlit_index(), media_type="text/html; charset=utf-8", headers={"Cache-Control": "no-cache"})
    canonical = links.link(page_key, view.state, view.catalog).on(view.base_url)
    key = (view.dataset.version, page_key, canonical)
    body, etag = _pages.get(key, lambda: page_with(view_tags(page_key, view)))
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/html; charset=utf-8", headers=headers)


def _endpoint(page_key: str):
    def endpoint(request: Request) -> Response:  # a plain def: Starlette runs it on a worker thread
        return page_response(request, page_key)

    endpoint.__name__ = f"head_{page_key}"
    return endpoint


def routes() -> list[Route]:
    """One route per page path of the registry (`/`, `/map`, ...), before Streamlit's own fallback."""
    return [Route("/" + page.url_path, _endpoint(page.key), methods=["GET"]) for page in PAGES]
