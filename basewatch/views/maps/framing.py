"""Where the map opens and what the reader did to it: framing the filtered events, view maths, the moved flag."""

from __future__ import annotations

import math

import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from basewatch import config
from basewatch.state.urlstate import MapView

SELECTED_ZOOM = 8
# Pixels kept free around the framed sites and events (room for a marker and half a label).
FRAME_PADDING = 24
# A framed single point opens no closer than this.
FRAME_MAX_ZOOM = SELECTED_ZOOM
# With at least this many located events, the outermost TRIM_SHARE on each side (by latitude and by
# longitude) are left out of the frame: one statement in Moscow or Washington must not zoom the map
# out to half the world. Sites the selected events name are always in the frame.
TRIM_MIN_EVENTS = 20
TRIM_SHARE = 0.04


def frame_bounds(events: pd.DataFrame, sites: pd.DataFrame) -> tuple[tuple[float, float], tuple[float, float]]:
    """((south, west), (north, east)) of the sites and events the filters select, outliers trimmed."""
    located = events.loc[events["map_lat"].notna(), ["map_lat", "map_lon"]]
    lats, lons = located["map_lat"], located["map_lon"]
    if len(located) >= TRIM_MIN_EVENTS:
        lats = lats[lats.between(lats.quantile(TRIM_SHARE), lats.quantile(1 - TRIM_SHARE))]
        lons = lons[lons.between(lons.quantile(TRIM_SHARE), lons.quantile(1 - TRIM_SHARE))]
    named = sites[sites["id"].isin(events["site_id"].dropna().unique())]
    if located.empty and named.empty:
        named = sites  # nothing located matches: show every site rather than an arbitrary spot
    all_lats = pd.concat([lats, named["lat"].astype("float64")])
    all_lons = pd.concat([lons, named["lon"].astype("float64")])
    if all_lats.empty:
        lat, lon, _zoom = config.MAP_DEFAULT_VIEW
        return (lat - 8, lon - 12), (lat + 8, lon + 12)
    return (float(all_lats.min()), float(all_lons.min())), (float(all_lats.max()), float(all_lons.max()))


def project(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    """Web Mercator pixel coordinates at `zoom`, as Leaflet's EPSG3857 computes them."""
    scale = 256 * 2 ** zoom
    sin_lat = min(max(math.sin(math.radians(lat)), -0.9999), 0.9999)
    return scale * (lon + 180) / 360, scale * (0.5 - math.log((1 + sin_lat) / (1 - sin_lat)) / (4 * math.pi))


def _unproject(x: float, y: float, zoom: float) -> tuple[float, float]:
    scale = 256 * 2 ** zoom
    lon = x / scale * 360 - 180
    lat = math.degrees(2 * math.atan(math.exp((0.5 - y / scale) * 2 * math.pi)) - math.pi / 2)
    return lat, lon


def fitted_view(bounds, width: int, height: int, padding: int = FRAME_PADDING,
                max_zoom: int = FRAME_MAX_ZOOM, min_zoom: int = 2) -> tuple[tuple[float, float], int]:
    """The (centre, zoom) Leaflet's fitBounds picks for `bounds` in a width×height map (zoomSnap 1)."""
    (south, west), (north, east) = bounds
    x0, y0 = project(north, west, 0)
    x1, y1 = project(south, east, 0)
    span_x, span_y = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
    scale = min((width - 2 * padding) / span_x, (height - 2 * padding) / span_y)
    zoom = math.log2(scale) if scale > 0 else min_zoom
    zoom = math.floor(round(zoom * 100) / 100)  # Leaflet: snap down unless within 1 % of the next level
    zoom = int(max(min_zoom, min(max_zoom, config.MAP_MAX_ZOOM, zoom)))
    return _unproject((x0 + x1) / 2 * 2 ** zoom, (y0 + y1) / 2 * 2 ** zoom, zoom), zoom


def view_box(center: tuple[float, float], zoom: int, width: int, height: int):
    """((south, west), (north, east)) a width×height map shows around `center` at `zoom`."""
    cx, cy = project(center[0], center[1], zoom)
    north, west = _unproject(cx - width / 2, cy - height / 2, zoom)
    south, east = _unproject(cx + width / 2, cy + height / 2, zoom)
    return (south, west), (north, east)


class FitToFrame(MacroElement):
    """Fit the map to the framed bounds once, when it opens, at the size the browser gives it."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var bounds = L.latLngBounds({{ this.bounds|tojson }});
            window.bwFrame = {bounds: bounds, padding: {{ this.padding }}, maxZoom: {{ this.max_zoom }}};
            map.fitBounds(bounds, {padding: [{{ this.padding }}, {{ this.padding }}],
                                   maxZoom: {{ this.max_zoom }}, animate: false});
        })();
        {% endmacro %}""")

    def __init__(self, bounds):
        super().__init__()
        self._name = "FitToFrame"
        (south, west), (north, east) = bounds
        self.bounds = [[float(south), float(west)], [float(north), float(east)]]
        self.padding, self.max_zoom = FRAME_PADDING, FRAME_MAX_ZOOM


# ------------------------------------------------------------------------ did the reader move the map?

# st_folium reports centre and zoom after every move, its own first frame included, and has no field
# for "the reader did this". It does return `selected_layers`: the values of a plain object in its
# global state that it only fills for WMS layers (there are none here). UserViewFlag adds this entry
# to that object the moment a pan or zoom starts from the reader's own gesture; the page writes the
# `view` URL parameter only while `user_moved(result)` is true.
USER_MOVED_LAYER = "basewatch:user-moved"
# A zoom that starts within this many ms of a wheel, double-click, key or touch on the map (or a click
# on its +/- buttons) is the reader's. Programmatic moves (fitting, st_folium's setView after a
# rerun) come later than that after any gesture: a rerun alone takes st_folium's 250 ms debounce.
GESTURE_MS = 300


class UserViewFlag(MacroElement):
    """Marks the map as moved by the reader (drag, wheel, double-click, keys, pinch, +/- buttons)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }}, container = map.getContainer(), lastGesture = 0;
            function gesture(e) {
                if (e.type !== "click" || (e.target.closest && e.target.closest(".leaflet-control-zoom"))) {
                    lastGesture = Date.now();
                }
            }
            ["wheel", "dblclick", "keydown", "touchstart", "click"].forEach(function (type) {
                container.addEventListener(type, gesture, true);
            });
            function mark() {
                window.bwUserMoved = true;
                var data = window.__GLOBAL_DATA__;
                {% if this.report_after_move %}
                if (data) { data.returned_objects = {{ this.report_after_move|tojson }}; }
                {% endif %}
                if (data && data.selected_layers) {
                    data.selected_layers[{{ this.flag|tojson }}] = {name: {{ this.flag|tojson }}, url: ""};
                }
            }
            map.on("dragstart", mark);
            map.on("zoomstart movestart", function () {
                if (Date.now() - lastGesture < {{ this.gesture_ms }}) { mark(); }
            });
        })();
        {% endmacro %}""")

    def __init__(self, report_after_move: list[str] | None = None):
        super().__init__()
        self._name = "UserViewFlag"
        self.flag, self.gesture_ms = USER_MOVED_LAYER, GESTURE_MS
        # st_folium reads its `returned_objects` once, when the map is created, and reports whenever their
        # values differ from the last report; widening them at the reader's first move is what lets a map
        # open without reporting its own first frame (see `pages/map.py`).
        self.report_after_move = list(report_after_move or [])


def user_moved(result: dict | None) -> bool:
    """True once the reader has panned or zoomed this map (never for the map's own first frame)."""
    layers = (result or {}).get("selected_layers") or []
    return any(isinstance(layer, dict) and layer.get("name") == USER_MOVED_LAYER for layer in layers)


def focus_point(event: pd.Series | None, site: pd.Series | None) -> tuple[float, float] | None:
    """Where the selected event or site is, if it has a position."""
    if event is not None and not pd.isna(event["map_lat"]):
        return float(event["map_lat"]), float(event["map_lon"])
    if site is not None:
        return float(site["lat"]), float(site["lon"])
    return None


def initial_view(view, focus: tuple[float, float] | None) -> tuple[list[float], int]:
    """Centre and zoom to open with: the link's view, else the selection, else the default."""
    if view is not None:
        return [view.lat, view.lon], view.zoom
    if focus is not None:
        return list(focus), SELECTED_ZOOM
    lat, lon, zoom = config.MAP_DEFAULT_VIEW
    return [lat, lon], zoom


def view_from_result(result: dict | None):
    """The MapView st_folium reports after a pan or zoom, or None."""
    if not result or not result.get("center") or not result.get("zoom"):
        return None
    center = result["center"]
    try:
        lat, lon, zoom = float(center["lat"]), float(center["lng"]), int(result["zoom"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180 and 1 <= zoom <= config.MAP_MAX_ZOOM):
        return None
    return MapView(round(lat, 4), round(lon, 4), zoom)
