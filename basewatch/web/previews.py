"""Preview images: `/-/preview/<page>.png?<the view's canonical query>&v=<data version>`, 1200×630 PNG.

The head route names this URL in `og:image`. Only the canonical URL of a view is drawn; any other
spelling of it (junk parameters, another order, a missing or older `v`) is redirected there, so a
cache in front (nginx, a CDN) holds one image per view and data version, and the image at a URL never
changes: `Cache-Control: public, max-age=31536000, immutable`, with an ETag.

Drawing holds Python's GIL for 0.1–0.5 s (building the chart and vl-convert), which would stall every
reader's script run in this process. So images are made in a worker process of their own, started with
a lower CPU priority (`nice` 10): `BASEWATCH_PREVIEW_WORKERS` of them (1 by default, at most 2), with at
most `BASEWATCH_PREVIEW_QUEUE` more requests waiting (4 by default). A request past that bound gets the
generic card at once (`Cache-Control: no-store`, header `X-Basewatch-Preview: generic`), never an
error. The same URL asked for while it is being drawn waits for that one drawing. Finished images stay
in memory (`CACHE_BYTES`), keyed on the canonical URL, which carries the data version.

The worker reads the served data folder itself (through the validated-data cache, in about the time
of a cache load) and draws only a version that matches the request's; this process keeps serving
pages from its one dataset. The server starts the worker with itself, so the generic card is ready
before the first reader; a worker with nothing to draw for `BASEWATCH_PREVIEW_IDLE` seconds (600)
stops, giving back its memory (about 300 MB: vl-convert, pandas, Altair and its copy of the data), and
the next preview request starts it again.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from basewatch import config, i18n
from basewatch.loading import live
from basewatch.loading.problems import DataError
from basewatch.state import links
from basewatch.state.filters import short
from basewatch.state.pages import PAGE_BY_KEY
from basewatch.state.urlstate import parse_query_params
from basewatch.views import preview
from basewatch.web.context import catalog_of, view_of

log = logging.getLogger(__name__)

PATH = "/" + links.PREVIEW_PREFIX + "{page}.png"
WORKERS_ENV, QUEUE_ENV, IDLE_ENV = "BASEWATCH_PREVIEW_WORKERS", "BASEWATCH_PREVIEW_QUEUE", "BASEWATCH_PREVIEW_IDLE"
DEFAULT_WORKERS, MAX_WORKERS, DEFAULT_QUEUE = 1, 2, 4
DEFAULT_IDLE_SECONDS = 600  # a worker with nothing to draw for this long stops (and starts again when needed)
WORKER_NICE = 10
RENDER_TIMEOUT = 30.0  # seconds a request waits for its drawing before it gets the generic card
CACHE_BYTES = 64 * 1024 * 1024  # about 1,300 maps or 2,500 charts
IMMUTABLE = "public, max-age=31536000, immutable"
REDIRECT_CACHE = "public, max-age=60"  # the canonical URL names the data version, which may change
GENERIC_HEADER = "X-Basewatch-Preview"


def _setting(name: str, default: int, lowest: int, highest: int) -> int:
    try:
        return max(lowest, min(highest, int(os.environ.get(name, "").strip() or default)))
    except ValueError:
        return default


# ------------------------------------------------------------------------------ in the worker process


def _worker_started() -> None:
    """Each worker runs at a lower CPU priority than the server: readers' script runs come first."""
    try:
        os.nice(WORKER_NICE)
    except OSError:  # not allowed here: still a separate process, so never holding the server's GIL
        pass


def _draw_view(data_dir: str, version: str, page_key: str, params: dict[str, list[str]], base_url: str) -> \
        tuple[str, bytes]:
    """(data version drawn, PNG) of a canonical view; no image when the folder now serves another version."""
    dataset = live.dataset(Path(data_dir))
    if dataset.version != version:
        return dataset.version, b""
    catalog = catalog_of(dataset)
    state, _ = parse_query_params(params, catalog)
    with i18n.use(state.lang):
        return version, preview.render(page_key, state, dataset, catalog, base_url)


def _draw_generic() -> bytes:
    return preview.draw(preview.generic_card())


# ------------------------------------------------------------------------------ in the server process


class _Images:
    """Finished images by canonical URL, least recently used first out, bounded in bytes."""

    def __init__(self, limit: int = CACHE_BYTES):
        self.limit, self.size, self.lock, self.items = limit, 0, threading.Lock(), OrderedDict()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key: str, image: bytes) -> None:
        with self.lock:
            if key not in self.items:
                self.items[key] = image
                self.size += len(image)
            while self.size > self.limit and self.items:
                self.size -= len(self.items.popitem(last=False)[1])


class Renderer:
    """The worker processes, the bound on what waits for them, the drawings in progress and the generic card."""

    def __init__(self, workers: int | None = None, queue: int | None = None):
        self.workers = workers or _setting(WORKERS_ENV, DEFAULT_WORKERS, 1, MAX_WORKERS)
        self.queue = _setting(QUEUE_ENV, DEFAULT_QUEUE, 0, 64) if queue is None else queue
        self.lock = threading.Lock()
        self.slots = threading.BoundedSemaphore(self.workers + self.queue)
        self.pool: ProcessPoolExecutor | None = None
        self.generic_future: Future | None = None
        self.generic_image: bytes | None = None
        self.drawing: dict[str, Future] = {}
        self.images = _Images()
        self.idle_seconds = float(_setting(IDLE_ENV, DEFAULT_IDLE_SECONDS, 10, 86400))
        self.last_used = time.monotonic()
        self.reaper: threading.Thread | None = None

    def start(self) -> ProcessPoolExecutor:
        """The worker pool, started when needed; its first job is the generic card (drawn once, kept after)."""
        with self.lock:
            self.last_used = time.monotonic()
            if self.pool is None:
                self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                                initializer=_worker_started)
                if self.generic_image is None:
                    self.generic_future = self.pool.submit(_draw_generic)
                if self.reaper is None:
                    self.reaper = threading.Thread(target=self._stop_when_idle, name="preview-reaper", daemon=True)
                    self.reaper.start()
            return self.pool

    def stop(self) -> None:
        """Stop the workers (the server is shutting down, the pool broke, or nothing was drawn for a while)."""
        with self.lock:
            pool, self.pool, self.drawing = self.pool, None, {}
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _stop_when_idle(self) -> None:
        """A worker holds about 300 MB (vl-convert, pandas, Altair, its copy of the data): let it go when idle."""
        while True:
            time.sleep(min(60.0, self.idle_seconds / 4))
            with self.lock:
                busy = self.drawing or (self.generic_future is not None and not self.generic_future.done())
                idle = self.pool is not None and not busy and time.monotonic() - self.last_used > self.idle_seconds
            if idle:
                log.info("preview worker idle for %.0f s: stopped (it starts again on the next preview)",
                         self.idle_seconds)
                self.stop()

    def generic(self) -> bytes:
        """The generic card: drawn by the pool's first job; drawn here only if the pool cannot."""
        if self.generic_image is None:
            try:
                self.start()
                self.generic_image = self.generic_future.result(timeout=RENDER_TIMEOUT)
            except Exception:  # noqa: BLE001 - a generic card must come back whatever happened
                log.exception("preview worker could not draw the generic card; drawing it here")
                self.generic_image = _draw_generic()
        return self.generic_image

    def image(self, key: str, version: str, page_key: str, params: dict[str, list[str]], base_url: str) -> \
            bytes | None:
        """The image of a canonical view, or None when the bound is reached or the drawing failed."""
        found = self.images.get(key)
        if found is not None:
            return found
        with self.lock:
            future = self.drawing.get(key)
        if future is None:
            if not self.slots.acquire(blocking=False):
                return None
            try:
                future = self.start().submit(_draw_view, str(config.data_dir()), version, page_key, params, base_url)
            except (BrokenProcessPool, RuntimeError):
                self.slots.release()
                self.stop()
                return None
            with self.lock:
                self.drawing[key] = future
            future.add_done_callback(lambda done: self._finished(key, done))
        try:
            drawn_version, png = future.result(timeout=RENDER_TIMEOUT)
        except BrokenProcessPool:
            log.exception("preview worker died; starting a new one on the next request")
            self.stop()
            return None
        except Exception:  # noqa: BLE001 - a timeout or a drawing error: the reader gets the generic card
            log.exception("preview of %s failed", key)
            return None
        if drawn_version != version or not png:
            return None
        self.images.put(key, png)
        return png

    def _finished(self, key: str, future: Future) -> None:
        self.slots.release()
        with self.lock:
            self.last_used = time.monotonic()
            if self.drawing.get(key) is future:
                del self.drawing[key]


renderer = Renderer()


def _image_response(request: Request, png: bytes) -> Response:
    etag = '"' + hashlib.sha256(png).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(png, media_type=preview.MEDIA_TYPE, headers=headers)


def generic_response() -> Response:
    """The generic card, never stored by a cache (the view's own image may be ready next time)."""
    return Response(renderer.generic(), media_type=preview.MEDIA_TYPE,
                    headers={"Cache-Control": "no-store", GENERIC_HEADER: "generic"})


def preview_image(request: Request) -> Response:
    """A view's preview image; other spellings of the view redirect to its canonical URL (a plain def: a thread)."""
    page_key = request.path_params["page"]
    if page_key not in PAGE_BY_KEY:
        return PlainTextResponse(f"no such page: {short(page_key)} (pages: {', '.join(PAGE_BY_KEY)})",
                                 status_code=404)
    try:
        view = view_of(request, ignore=frozenset({links.PREVIEW_VERSION_PARAM}))
    except DataError:
        return generic_response()
    target = links.link(page_key, view.state, view.catalog)
    canonical = target.preview_on(view.base_url, view.dataset.version)
    wanted = [(k, v) for k, values in {**target.params, links.PREVIEW_VERSION_PARAM: [view.dataset.version]}.items()
              for v in values]
    if list(request.query_params.multi_items()) != wanted:
        return RedirectResponse(canonical, status_code=307, headers={"Cache-Control": REDIRECT_CACHE})
    png = renderer.image(canonical, view.dataset.version, page_key, target.params, view.base_url)
    return _image_response(request, png) if png is not None else generic_response()


def routes() -> list[Route]:
    """The preview image route."""
    return [Route(PATH, preview_image, methods=["GET"])]
