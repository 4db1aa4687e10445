"""URL state as pure functions: parse query parameters into a ViewState and write it back.

Shared links are a public interface. Only values that differ from the defaults are written, each
value once, list values repeat their key (``actor=russia&actor=turkey``) in catalog order, and
anything unknown or malformed is dropped with a notice that names it, so a mangled link still opens
the default view instead of failing. The filters' part comes from the registry in `filters`; the
Streamlit side (reading and writing the query parameters) lives in `session` alone.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from basewatch.config import DEFAULT_RING_KM, MAP_MAX_ZOOM
from basewatch.i18n import DEFAULT as DEFAULT_LANGUAGE
from basewatch.i18n import LANGUAGES, _, use
from basewatch.state.catalog import Catalog
from basewatch.state.filters import (
    FILTER_FIELDS,
    MAX_VALUES_PER_KEY,
    REGISTRY,
    Filters,
    ParamDoc,
    checked_period,
    short,
)

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_RADIUS_KM = 5000
DEFAULT_RADIUS_KM = DEFAULT_RING_KM


@dataclass(frozen=True)
class Param:
    """A documented query parameter (the README table is checked against this list)."""

    name: str
    meaning: str
    format: str
    default: str
    example: str
    repeatable: bool = False


VIEW_PARAMS: tuple[Param, ...] = (
    Param("site", "Select a site: its profile on /sites, selected and centred on /map", "site id, e.g. `hmeimim`",
          "none", "/sites?site=hmeimim"),
    Param("event", "Select an event: its detail panel, centred on the map", "event id, e.g. `ev-0042`",
          "none", "/map?event=ev-0042"),
    Param("view", "Map centre and zoom", "`lat,lon,zoom` (zoom 1–18)", "the eastern Mediterranean",
          "/map?view=35.1,36.2,7"),
    Param("ring", "Draw range rings around these sites", "site id", "none", "/map?ring=hmeimim&ring=tartus",
          repeatable=True),
    Param("radius", "Range ring radius in kilometres", "whole number 1–5000", "500", "/map?ring=tartus&radius=1000"),
    Param("lang", "Interface language (every other value stays the same in every language)", "`ar`, `ru`, `fr`",
          "`en`", "/map?actor=russia&lang=ar"),
)


def _filter_param(entry) -> Param:
    doc: ParamDoc = entry.doc
    return Param(entry.key, doc.meaning, doc.format, doc.default, doc.example, repeatable=entry.repeatable)


PARAMS: tuple[Param, ...] = tuple(_filter_param(e) for e in REGISTRY) + VIEW_PARAMS
PARAM_NAMES = tuple(p.name for p in PARAMS)


@dataclass(frozen=True)
class MapView:
    """A map centre and zoom level."""

    lat: float
    lon: float
    zoom: int

    def to_param(self) -> str:
        """`lat,lon,zoom` with four decimals (about 10 m), enough to reopen the same view."""
        return f"{self.lat:.4f},{self.lon:.4f},{self.zoom}"


@dataclass(frozen=True)
class ViewState:
    """Everything a shared link restores: filters, selection, map view and range rings."""

    filters: Filters = field(default_factory=Filters)
    site: str | None = None
    event: str | None = None
    view: MapView | None = None
    rings: tuple[str, ...] = ()
    radius_km: int = DEFAULT_RADIUS_KM
    lang: str = DEFAULT_LANGUAGE

    def changed(self, **changes) -> ViewState:
        """A copy with some fields changed; filter fields (`actors`, `date_from`, ...) go into `filters`."""
        filter_changes = {k: v for k, v in changes.items() if k in FILTER_FIELDS}
        state_changes = {k: v for k, v in changes.items() if k not in FILTER_FIELDS}
        filters = self.filters.replace(**filter_changes) if filter_changes else self.filters
        return dataclasses.replace(self, filters=filters, **state_changes)


def _as_lists(params: Mapping[str, object]) -> dict[str, list[str]]:
    """Normalise str / list values (Streamlit and AppTest give either) into lists of strings."""
    out: dict[str, list[str]] = {}
    for key, value in params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        if values:  # `?from` with no value at all arrives as an empty list
            out[str(key)] = [str(v) for v in values]
    return out


def _parse_view(value: str, notices: list[str]) -> MapView | None:
    parts = value.split(",")
    try:
        if len(parts) != 3:
            raise ValueError
        lat, lon, zoom = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        notices.append(_("ignored `{param}`: expected lat,lon,zoom such as 35.1,36.2,7").format(
            param=f"view={short(value)}"))
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 1 <= zoom <= MAP_MAX_ZOOM):
        notices.append(_("ignored `{param}`: out of range (lat ±90, lon ±180, zoom 1–18)").format(
            param=f"view={short(value)}"))
        return None
    return MapView(round(lat, 4), round(lon, 4), zoom)


def _parse_rings(values: list[str], catalog: Catalog, notices: list[str]) -> tuple[str, ...]:
    kept, rejected = [], []
    for raw in values[:MAX_VALUES_PER_KEY]:
        for value in (v.strip() for v in raw.split(",")):
            if value and value in catalog.allowed("site"):
                kept.append(value)
            elif value:
                rejected.append(value)
    if len(values) > MAX_VALUES_PER_KEY:
        notices.append(_("`{key}` had more than {limit} values; the rest were ignored").format(
            key="ring", limit=MAX_VALUES_PER_KEY))
    if rejected:
        notices.append(_("ignored unknown `{key}` value(s): {values}").format(
            key="ring", values=", ".join(f"`{short(v)}`" for v in rejected[:5])))
    return tuple(dict.fromkeys(kept))  # each once, in the reader's order


def parse_query_params(params: Mapping[str, object], catalog: Catalog) -> tuple[ViewState, list[str]]:
    """Turn query parameters into a ViewState; never raises. Returns the state and notices for the reader.

    The notices speak the link's own language (`lang`, read first), as the page it opens does.
    """
    lists = _as_lists(params)
    lang = DEFAULT_LANGUAGE
    if "lang" in lists and lists["lang"][-1].strip() in LANGUAGES:
        lang = lists["lang"][-1].strip()
    with use(lang):
        return _parse(lists, catalog, lang)


def _parse(lists: dict[str, list[str]], catalog: Catalog, lang: str) -> tuple[ViewState, list[str]]:
    notices: list[str] = []
    unknown = [k for k in lists if k not in PARAM_NAMES]
    if unknown:
        notices.append(_("ignored unknown parameter(s): {names}").format(
            names=", ".join(f"`{short(k)}`" for k in unknown[:5])))

    chosen = {e.name: e.parse(lists[e.key], catalog, notices) for e in REGISTRY if e.key in lists}
    filters, notice = checked_period(Filters(**{k: v for k, v in chosen.items() if v}))
    if notice:
        notices.append(notice)

    def single_id(name: str) -> str | None:
        if name not in lists:
            return None
        value = lists[name][-1].strip()
        if ID_RE.match(value) and value in catalog.allowed(name):
            return value
        message = _("ignored `{param}`: no such site") if name == "site" else _("ignored `{param}`: no such event")
        notices.append(message.format(param=f"{name}={short(value)}"))
        return None

    site = single_id("site")
    event = single_id("event")
    view = _parse_view(lists["view"][-1], notices) if "view" in lists else None
    rings = _parse_rings(lists["ring"], catalog, notices) if "ring" in lists else ()
    radius = DEFAULT_RADIUS_KM
    if "radius" in lists:
        value = lists["radius"][-1].strip()
        if value.isascii() and value.isdigit() and 1 <= int(value) <= MAX_RADIUS_KM:  # "²" is a digit to isdigit()
            radius = int(value)
        else:
            notices.append(_("ignored `{param}`: expected a whole number of km from 1 to {limit}").format(
                param=f"radius={short(value)}", limit=MAX_RADIUS_KM))
    if "lang" in lists and lists["lang"][-1].strip() not in LANGUAGES:
        notices.append(_("ignored `{param}`: expected one of {values}").format(
            param=f"lang={short(lists['lang'][-1].strip())}", values=", ".join(LANGUAGES)))
    state = ViewState(filters=filters, site=site, event=event, view=view, rings=rings, radius_km=radius, lang=lang)
    return state, notices


def to_query_params(state: ViewState, catalog: Catalog | None = None) -> dict[str, list[str]]:
    """Query parameters for `state`: defaults omitted, each value once, in catalog order (sorted without one)."""
    out: dict[str, list[str]] = {}
    for entry in REGISTRY:
        value = getattr(state.filters, entry.name)
        if value:
            out[entry.key] = entry.serialise(value, catalog)
    if state.site:
        out["site"] = [state.site]
    if state.event:
        out["event"] = [state.event]
    if state.view:
        out["view"] = [state.view.to_param()]
    if state.rings:
        out["ring"] = list(dict.fromkeys(state.rings))
    if state.radius_km != DEFAULT_RADIUS_KM:
        out["radius"] = [str(state.radius_km)]
    if state.lang != DEFAULT_LANGUAGE:
        out["lang"] = [state.lang]
    return out


def query_string(params: Mapping[str, Iterable[str]]) -> str:
    """Encode parameters the way a browser shows them, repeated keys included."""
    return urlencode([(k, v) for k, values in params.items() for v in values])

