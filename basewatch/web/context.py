"""What every route needs from a request: the data served now, its catalog, the view the query names, the base URL.

The dataset is the one the pages show (`loading.live`, the last version that validated); the view is
parsed by the same `urlstate` the pages use, so junk gets the same notices and the same canonical link.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

import pandas as pd
from starlette.requests import Request

from basewatch import config, i18n
from basewatch.loading import live
from basewatch.loading.dataset import Dataset
from basewatch.state.catalog import Catalog, build_catalog
from basewatch.state.filters import apply_filters
from basewatch.state.urlstate import ViewState, parse_query_params

# The public address of the app, e.g. https://basewatch.example/ : absolute links in previews, feeds and
# the API use it. Without it, the proxy's X-Forwarded-Proto/-Host headers, else the request's own address.
PUBLIC_URL_ENV = "BASEWATCH_PUBLIC_URL"
# Query parameters Streamlit itself reads and keeps from the app (the pages never see them).
STREAMLIT_PARAMS = frozenset({"embed", "embed_options"})

_catalogs: dict[str, Catalog] = {}
_catalogs_lock = threading.Lock()


def catalog_of(dataset: Dataset) -> Catalog:
    """The catalog of a data version (built once per version in this process)."""
    with _catalogs_lock:
        if dataset.version not in _catalogs:
            _catalogs.clear()  # one version is served at a time
            _catalogs[dataset.version] = build_catalog(dataset.events, dataset.sites)
        return _catalogs[dataset.version]


def public_base(request: Request) -> str:
    """The app's root URL as readers reach it, ending in '/'."""
    configured = os.environ.get(PUBLIC_URL_ENV, "").strip()
    if configured:
        return configured.rstrip("/") + "/"
    proto = request.headers.get("x-forwarded-proto", "").split(",")[0].strip() or request.url.scheme
    host = request.headers.get("x-forwarded-host", "").split(",")[0].strip() or request.headers.get("host", "")
    if not host:
        return str(request.base_url)
    prefix = request.headers.get("x-forwarded-prefix", "").strip().strip("/")
    return f"{proto}://{host}/" + (f"{prefix}/" if prefix else "")


@dataclass(frozen=True)
class View:
    """A request's view: the served dataset and catalog, the parsed state, its notices and filtered events."""

    dataset: Dataset
    catalog: Catalog
    state: ViewState
    notices: tuple[str, ...]
    base_url: str

    @property
    def events(self) -> pd.DataFrame:
        """The events the view's filters select, in the loader's order."""
        return apply_filters(self.dataset.events, self.state.filters)


def view_of(request: Request, ignore: frozenset[str] = frozenset()) -> View:
    """Parse a request's query into a View (raises DataError when no data version ever validated).

    Streamlit's own parameters (`embed`) and the route's own (`ignore`) are not part of the view.
    """
    dataset = live.dataset(config.data_dir())
    catalog = catalog_of(dataset)
    params = {key: request.query_params.getlist(key) for key in request.query_params.keys()
              if key not in STREAMLIT_PARAMS and key not in ignore}
    state, notices = parse_query_params(params, catalog)
    return View(dataset, catalog, state, tuple(notices), public_base(request))


def speaking(view: View):
    """The context manager that makes `_()` answer in the view's language for the rest of a request."""
    return i18n.use(view.state.lang)
