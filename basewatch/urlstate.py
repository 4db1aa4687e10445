"""The one owner of URL state: parse query parameters into a ViewState and write it back.

Shared links are a public interface. Only values that differ from the defaults are written, list
values repeat their key (``actor=russia&actor=turkey``), and anything unknown or malformed is dropped
with a notice that names it, so a mangled link still opens the default view instead of failing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from basewatch.config import DEFAULT_RING_KM, MAP_MAX_ZOOM, slugify
from basewatch.filters import Filters

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_VALUES_PER_KEY = 50
# The date pickers accept this range; a link outside it is refused with a notice, never a crash.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
MAX_RADIUS_KM = 5000


@dataclass(frozen=True)
class Param:
    """A documented query parameter (the README table is checked against this list)."""

    name: str
    meaning: str
    format: str
    default: str
    example: str
    repeatable: bool = False


PARAMS: tuple[Param, ...] = (
    Param("actor", "Only events by these actors", "actor slug, e.g. `russia`, `european-union`",
          "all actors", "/?actor=russia&actor=turkey", repeatable=True),
    Param("type", "Only these event types", "event type, e.g. `deployment`, `withdrawal`",
          "all types", "/timeline?type=withdrawal", repeatable=True),
    Param("status", "Only these claim statuses", "`confirmed`, `reported`, `claimed`, `rumored`, `denied`",
          "all statuses", "/data?status=confirmed", repeatable=True),
    Param("country", "Only events in these countries", "ISO 3166-1 alpha-2 code in lower case, e.g. `sy`, `ly`",
          "all countries", "/map?country=ly", repeatable=True),
    Param("from", "Events on or after this day (imprecise dates match when their period overlaps)",
          "YYYY-MM-DD", "earliest event", "/map?from=2024-12-01"),
    Param("to", "Events on or before this day", "YYYY-MM-DD", "latest event", "/timeline?to=2016-12-31"),
    Param("site", "Select a site: its profile on /sites, selected and centred on /map", "site id, e.g. `hmeimim`",
          "none", "/sites?site=hmeimim"),
    Param("event", "Select an event: its detail panel, centred on the map", "event id, e.g. `ev-0042`",
          "none", "/map?event=ev-0042"),
    Param("view", "Map centre and zoom", "`lat,lon,zoom` (zoom 1–18)", "the eastern Mediterranean",
          "/map?view=35.1,36.2,7"),
    Param("ring", "Draw range rings around these sites", "site id", "none", "/map?ring=hmeimim&ring=tartus",
          repeatable=True),
    Param("radius", "Range ring radius in kilometres", "whole number 1–5000", "500", "/map?ring=tartus&radius=1000"),
)
PARAM_NAMES = tuple(p.name for p in PARAMS)
DEFAULT_RADIUS_KM = DEFAULT_RING_KM


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


@dataclass(frozen=True)
class Vocabulary:
    """The values a link may name, taken from the loaded data and the controlled lists."""

    actors: frozenset[str] = frozenset()
    types: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    sites: frozenset[str] = frozenset()
    events: frozenset[str] = frozenset()


def _as_lists(params: Mapping[str, object]) -> dict[str, list[str]]:
    """Normalise str / list values (Streamlit and AppTest give either) into lists of strings."""
    out: dict[str, list[str]] = {}
    for key, value in params.items():
        values = value if isinstance(value, (list, tuple)) else [value]
        if values:  # `?from` with no value at all arrives as an empty list
            out[str(key)] = [str(v) for v in values]
    return out


def _short(value: str) -> str:
    """Shorten a reader-supplied value for a notice; backticks would break the code span it sits in."""
    value = " ".join(value.split()).replace("`", "'")
    return value if len(value) <= 40 else value[:37] + "..."


def _parse_date(name: str, values: list[str], notices: list[str]) -> dt.date | None:
    value = values[-1].strip()
    if len(values) > 1:
        notices.append(f"`{name}` was given {len(values)} times; used the last one")
    if not DATE_RE.match(value):
        notices.append(f"ignored `{name}={_short(value)}`: not a date in YYYY-MM-DD form")
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        notices.append(f"ignored `{name}={_short(value)}`: no such calendar day")
        return None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        notices.append(f"ignored `{name}={value}`: outside {EARLIEST_DATE.year}–{LATEST_DATE.year}")
        return None
    return day


def _parse_view(value: str, notices: list[str]) -> MapView | None:
    parts = value.split(",")
    try:
        if len(parts) != 3:
            raise ValueError
        lat, lon, zoom = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        notices.append(f"ignored `view={_short(value)}`: expected lat,lon,zoom such as 35.1,36.2,7")
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 1 <= zoom <= MAP_MAX_ZOOM):
        notices.append(f"ignored `view={_short(value)}`: out of range (lat ±90, lon ±180, zoom 1–18)")
        return None
    return MapView(round(lat, 4), round(lon, 4), zoom)


def _parse_choices(name: str, values: list[str], allowed: frozenset[str], notices: list[str]) -> list[str]:
    kept: list[str] = []
    rejected: list[str] = []
    for raw in values[:MAX_VALUES_PER_KEY]:
        for value in raw.split(","):  # tolerate `actor=a,b` as people type it by hand
            value = value.strip()
            if not value:
                continue
            slug = slugify(value)
            if slug in allowed:
                if slug not in kept:
                    kept.append(slug)
            else:
                rejected.append(value)
    if len(values) > MAX_VALUES_PER_KEY:
        notices.append(f"`{name}` had more than {MAX_VALUES_PER_KEY} values; the rest were ignored")
    if rejected:
        shown = ", ".join(f"`{_short(v)}`" for v in rejected[:5]) + (" ..." if len(rejected) > 5 else "")
        notices.append(f"ignored unknown `{name}` value(s): {shown}")
    return kept


def parse_query_params(params: Mapping[str, object], vocab: Vocabulary) -> tuple[ViewState, list[str]]:
    """Turn query parameters into a ViewState; never raises. Returns the state and notices for the reader."""
    lists = _as_lists(params)
    notices: list[str] = []
    unknown = [k for k in lists if k not in PARAM_NAMES]
    if unknown:
        notices.append("ignored unknown parameter(s): " + ", ".join(f"`{_short(k)}`" for k in unknown[:5]))

    def choices(name: str, allowed: frozenset[str]) -> frozenset[str]:
        return frozenset(_parse_choices(name, lists[name], allowed, notices)) if name in lists else frozenset()

    date_from = _parse_date("from", lists["from"], notices) if "from" in lists else None
    date_to = _parse_date("to", lists["to"], notices) if "to" in lists else None
    if date_from and date_to and date_from > date_to:
        notices.append(f"ignored `to={date_to}`: it is before `from={date_from}`")
        date_to = None
    filters = Filters(
        actors=choices("actor", vocab.actors), types=choices("type", vocab.types),
        statuses=choices("status", vocab.statuses), countries=choices("country", vocab.countries),
        date_from=date_from, date_to=date_to,
    )

    def single_id(name: str, allowed: frozenset[str]) -> str | None:
        if name not in lists:
            return None
        value = lists[name][-1].strip()
        if ID_RE.match(value) and value in allowed:
            return value
        notices.append(f"ignored `{name}={_short(value)}`: no such {name}")
        return None

    site = single_id("site", vocab.sites)
    event = single_id("event", vocab.events)
    view = _parse_view(lists["view"][-1], notices) if "view" in lists else None
    rings = tuple(_parse_choices("ring", lists["ring"], vocab.sites, notices)) if "ring" in lists else ()
    radius = DEFAULT_RADIUS_KM
    if "radius" in lists:
        value = lists["radius"][-1].strip()
        if value.isdigit() and 1 <= int(value) <= MAX_RADIUS_KM:
            radius = int(value)
        else:
            notices.append(f"ignored `radius={_short(value)}`: expected a whole number of km from 1 to "
                           f"{MAX_RADIUS_KM}")
    state = ViewState(filters=filters, site=site, event=event, view=view, rings=rings, radius_km=radius)
    return state, notices


def to_query_params(state: ViewState) -> dict[str, list[str]]:
    """Query parameters for `state`, defaults omitted, lists sorted so equal views give equal links."""
    f = state.filters
    out: dict[str, list[str]] = {}
    for name, values in (("actor", f.actors), ("type", f.types), ("status", f.statuses),
                         ("country", f.countries)):
        if values:
            out[name] = sorted(values)
    if f.date_from:
        out["from"] = [f.date_from.isoformat()]
    if f.date_to:
        out["to"] = [f.date_to.isoformat()]
    if state.site:
        out["site"] = [state.site]
    if state.event:
        out["event"] = [state.event]
    if state.view:
        out["view"] = [state.view.to_param()]
    if state.rings:
        out["ring"] = list(state.rings)
    if state.radius_km != DEFAULT_RADIUS_KM:
        out["radius"] = [str(state.radius_km)]
    return out


def query_string(params: Mapping[str, Iterable[str]]) -> str:
    """Encode parameters the way a browser shows them, repeated keys included."""
    from urllib.parse import urlencode

    return urlencode([(k, v) for k, values in params.items() for v in values])

