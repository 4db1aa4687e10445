"""The one link builder: every link to a view (page links, share box, permalinks, embeds, exports, routes).

A link is a page plus the canonical query parameters of a view (`urlstate.to_query_params`). Relative
links serve the app's own navigation; absolute ones need the public base URL, which the app reads
from the reader's address and the web routes from configuration or the proxy's headers.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from basewatch.state.catalog import Catalog
from basewatch.state.filters import REGISTRY, Filters
from basewatch.state.pages import PAGE_BY_KEY, PageInfo
from basewatch.state.urlstate import MapView, ViewState, query_string, to_query_params

# Streamlit's embed mode: the view alone, without its menu (and the sidebar folded, see shell.chrome).
EMBED_PARAM = "embed"
# A view's preview image (basewatch.web.previews): `-/preview/<page key>.png?<canonical query>&v=<data version>`.
PREVIEW_PREFIX = "-/preview/"
PREVIEW_VERSION_PARAM = "v"
# A placeholder view that the map's PNG export replaces with where the reader has moved the map.
_VIEW_SLOT = MapView(11.1111, 22.2222, 3)
VIEW_SLOT = "{view}"


class _Addressed:
    """What pages' links and routes' links share: a path under the app's root and canonical query parameters."""

    path: str
    params: dict[str, list[str]]

    @property
    def query(self) -> str:
        """The query string, without '?', as a browser shows it."""
        return query_string(self.params)

    @property
    def href(self) -> str:
        """Relative link, e.g. `map?actor=russia` (`./` for the overview)."""
        return (self.path or "./") + (f"?{self.query}" if self.query else "")

    def on(self, base_url: str) -> str:
        """The absolute link under `base_url` (the app's root, e.g. https://basewatch.example/)."""
        return _absolute(base_url, self.path, self.query)


@dataclass(frozen=True)
class Link(_Addressed):
    """A page plus the view it opens with (canonical query parameters)."""

    page: PageInfo
    params: dict[str, list[str]]

    @property
    def path(self) -> str:
        """The page's path under the app's root ('' for the overview)."""
        return self.page.url_path

    def on(self, base_url: str, embed: bool = False) -> str:
        """The absolute link under `base_url`; `embed` adds the parameter that shows only the view."""
        query = "&".join(part for part in (self.query, f"{EMBED_PARAM}=true" if embed else "") if part)
        return _absolute(base_url, self.path, query)

    def preview_on(self, base_url: str, version: str) -> str:
        """The absolute URL of this view's preview image for a data version (the version makes it immutable)."""
        base = base_url if base_url.endswith("/") else base_url + "/"
        params = {**self.params, PREVIEW_VERSION_PARAM: [version]}
        return f"{base}{PREVIEW_PREFIX}{self.page.key}.png?{query_string(params)}"


def _absolute(base_url: str, path: str, query: str) -> str:
    base = base_url if base_url.endswith("/") else base_url + "/"
    return base + path + (f"?{query}" if query else "")


# Machine-readable routes beside the pages (basewatch/web): their paths are public, like the pages'.
FEED_PATHS = {"events": "feeds/events.atom", "sites": "feeds/sites.atom", "corrections": "feeds/corrections.atom"}
API_PATHS = {"events.json": "api/v1/events.json", "events.csv": "api/v1/events.csv",
             "events.geojson": "api/v1/events.geojson", "sites.geojson": "api/v1/sites.geojson",
             "site_status.json": "api/v1/site_status.json", "publishers.json": "api/v1/publishers.json"}
# Which parts of a view each feed depends on: the events feed follows the filters, the sites feed one site.
_FILTER_KEYS = tuple(entry.key for entry in REGISTRY)
_FEED_KEYS = {"events": (*_FILTER_KEYS, "lang"), "sites": ("site", "lang"), "corrections": ("lang",)}


@dataclass(frozen=True)
class RouteLink(_Addressed):
    """A machine-readable route (feed or API) plus the canonical query parameters it takes from a view."""

    path: str
    params: dict[str, list[str]]


def feed(kind: str, state: ViewState, catalog: Catalog | None = None) -> RouteLink:
    """The Atom feed of a view: `events` (its filters), `sites` (its selected site) or `corrections`."""
    params = to_query_params(state, catalog)
    return RouteLink(FEED_PATHS[kind], {k: v for k, v in params.items() if k in _FEED_KEYS[kind]})


def api(name: str, state: ViewState, catalog: Catalog | None = None) -> RouteLink:
    """An API route (`events.csv`, `sites.geojson`, ...) for a view: its filters and language."""
    params = to_query_params(state, catalog)
    return RouteLink(API_PATHS[name], {k: v for k, v in params.items() if k in _FEED_KEYS["events"]})


def link(page_key: str, state: ViewState, catalog: Catalog | None = None,
         params: dict[str, list[str]] | None = None) -> Link:
    """The link to a page showing `state` (`params`: its canonical parameters, when already computed)."""
    return Link(PAGE_BY_KEY[page_key], params if params is not None else to_query_params(state, catalog))


def base_of(address: str | None, page_key: str) -> str:
    """The app's root URL, from the address a reader is at on `page_key` (query and fragment dropped)."""
    base = (address or "http://localhost:8501/").split("#", 1)[0].split("?", 1)[0]
    path = PAGE_BY_KEY[page_key].url_path
    if path and base.rstrip("/").endswith("/" + path):
        base = base.rstrip("/")[: -len(path)]
    return base if base.endswith("/") else base + "/"


def view_template(page_key: str, state: ViewState, catalog: Catalog | None, base_url: str) -> str:
    """The absolute link to `state` on a page, with `{view}` where `view=lat,lon,zoom` goes once the reader moves.

    The map's PNG export fills it in the browser, so its printed link carries the map as the reader left it
    while every parameter's order and encoding still come from here.
    """
    target = link(page_key, state.changed(view=_VIEW_SLOT), catalog)
    return target.on(base_url).replace(quote(_VIEW_SLOT.to_param(), safe=""), VIEW_SLOT)


# ------------------------------------------------------------------ the static snapshot (python -m basewatch export)

# The canonical views the snapshot archives, by kind: the page each one opens on in the app.
SNAPSHOT_PAGES = {"overview": "overview", "country": "map", "actor": "timeline", "site": "sites", "event": "map"}
ARCHIVE_FOLDER = "archive"
LATEST_FOLDER = "latest"


def snapshot_state(kind: str, value: str | None = None) -> ViewState:
    """The view a snapshot page shows: the overview, one country, one actor, one site or one event."""
    if kind == "overview":
        return ViewState()
    if kind == "country":
        return ViewState(filters=Filters(countries=frozenset({value})))
    if kind == "actor":
        return ViewState(filters=Filters(actors=frozenset({value})))
    if kind == "site":
        return ViewState(site=value)
    if kind == "event":
        return ViewState(event=value)
    raise ValueError(f"no snapshot pages of kind {kind!r}")


def snapshot_view(state: ViewState) -> tuple[str, str | None] | None:
    """(kind, value) when `state` is one of the snapshot's canonical views (map position, rings and language
    aside), else None."""
    filters, site, event = state.filters, state.site, state.event
    if site is None and event is None:
        if filters.is_default:
            return "overview", None
        if filters == Filters(countries=filters.countries) and len(filters.countries) == 1:
            return "country", next(iter(filters.countries))
        if filters == Filters(actors=filters.actors) and len(filters.actors) == 1:
            return "actor", next(iter(filters.actors))
        return None
    if filters.is_default and event is None:
        return "site", site
    if filters.is_default and site is None:
        return "event", event
    return None


def snapshot_path(kind: str, value: str | None = None) -> str:
    """A snapshot page's folder inside a data version's folder ('' for the overview), e.g. `site/hmeimim/`."""
    return "" if kind == "overview" else f"{kind}/{value}/"


def version_folder(version: str) -> str:
    """The folder name of a data version in the archive: `2026-02-21+f32c219` → `2026-02-21-f32c219`.

    '+' is spelled '-' because some static hosts (S3 among them) read a '+' in a path as a space.
    """
    return version.replace("+", "-")


def archived(state: ViewState, archive_url: str, version: str) -> str | None:
    """The archived copy of `state` for a data version under the snapshot's public address, or None."""
    found = snapshot_view(state)
    if found is None:
        return None
    base = archive_url if archive_url.endswith("/") else archive_url + "/"
    return f"{base}{ARCHIVE_FOLDER}/{version_folder(version)}/{snapshot_path(*found)}"
