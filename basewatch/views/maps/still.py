"""A still map of a view for its preview image: Vega-Lite (geoshape and pixel-placed marks), no browser.

The vendored country outlines (static/basemap), the sites coloured by their status on the period's end,
and the events as the map page selects them (`events.layer_data`: points, clustered here as the live map
clusters them, or grid cells at scale), framed as the map page opens (`framing`), in Web Mercator.
Every text (site names, legend) is drawn by Vega as text, never markup.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache

import pandas as pd

from basewatch import config
from basewatch.i18n import _
from basewatch.queries.aggregate import Viewport
from basewatch.state.catalog import Catalog
from basewatch.state.urlstate import ViewState
from basewatch.views.maps import events as event_layers
from basewatch.views.maps import framing
from basewatch.views.maps.sites import short_name

WIDTH, HEIGHT = 1200, 466  # the preview's body (views/preview.py)
FONT = "Liberation Sans, Helvetica, Arial, DejaVu Sans, sans-serif"
LAND, BORDER, SEA = "#eef0ec", "#8a8f98", "#c9dbe8"  # the live map's colours (views/maps/basemap.py)
COUNTRIES = config.STATIC_DIR / "basemap" / "countries.geojson"
SITE_PX = 18  # events drawn this close to a site count as the site's own (its badge)
CLUSTER_PX = 26  # other events closer than this share a disc, as Leaflet.markercluster gathers them
SITE_ZOOM = 7  # a site profile's map (pages/sites.py)


@lru_cache(maxsize=1)
def _countries() -> tuple[tuple[tuple[float, float, float, float], dict], ...]:
    """Each country outline (its polygons) with its bounding box (west, south, east, north), read once per process."""
    doc = json.loads(COUNTRIES.read_text(encoding="utf-8"))
    out = []
    for feature in doc["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        lons = [p[0] for polygon in polygons for ring in polygon for p in ring]
        lats = [p[1] for polygon in polygons for ring in polygon for p in ring]
        out.append(((min(lons), min(lats), max(lons), max(lats)), polygons))
    return tuple(out)


@lru_cache(maxsize=8)
def _outlines_at(zoom: int) -> tuple[tuple[tuple[float, float, float, float], dict], ...]:
    """The outlines with coordinates rounded to half a pixel at `zoom` and repeated points dropped.

    At the zoom of a whole-region preview the vendored 1:50m outlines carry far more points than
    pixels; this keeps the drawing (and the image's size) in proportion to what can be seen.
    """
    step = 360 / (256 * 2 ** zoom) / 2
    out = []
    for bounds, polygons in _countries():
        kept = []
        for polygon in polygons:
            rings = []
            for ring in polygon:
                points: list[list[float]] = []
                for lon, lat in ring:
                    point = [round(round(lon / step) * step, 4), round(round(lat / step) * step, 4)]
                    if not points or point != points[-1]:
                        points.append(point)
                if len(points) >= 4:
                    rings.append(points if points[0] == points[-1] else [*points, points[0]])
            if rings:
                kept.append(rings)
        if kept:
            out.append((bounds, {"type": "Feature", "properties": {},
                                 "geometry": {"type": "MultiPolygon", "coordinates": kept}}))
    return tuple(out)


def _outlines_in(box, zoom: int) -> list[dict]:
    """Country outlines whose bounding box meets `box` ((south, west), (north, east)), in file order."""
    (south, west), (north, east) = box
    return [feature for (w, s, e, n), feature in _outlines_at(zoom)
            if e >= west and w <= east and n >= south and s <= north]


def map_frame(state: ViewState, events: pd.DataFrame, sites: pd.DataFrame, site_zoom: int | None = None):
    """(centre, zoom) the preview map shows: the link's view, else the selection, else the filtered events fitted.

    The same rules as the map page's opening view, for a WIDTH × HEIGHT map.
    """
    if state.view is not None:
        return (state.view.lat, state.view.lon), state.view.zoom
    focus = _focus(state, events, sites)
    if focus is not None:
        return focus, site_zoom if (site_zoom and not state.event) else framing.SELECTED_ZOOM
    return framing.fitted_view(framing.frame_bounds(events, sites), WIDTH, HEIGHT)


def _focus(state: ViewState, events: pd.DataFrame, sites: pd.DataFrame):
    event = events[events["id"] == state.event] if state.event else events.iloc[0:0]
    site = sites[sites["id"] == state.site] if state.site else sites.iloc[0:0]
    return framing.focus_point(event.iloc[0] if len(event) else None, site.iloc[0] if len(site) else None)


class _Screen:
    """Pixel positions inside the map body for a centre and zoom (Web Mercator, as the live map)."""

    def __init__(self, center, zoom: int):
        self.zoom = zoom
        self.cx, self.cy = framing.project(center[0], center[1], zoom)

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        x, y = framing.project(lat, lon, self.zoom)
        return round(x - self.cx + WIDTH / 2, 1), round(y - self.cy + HEIGHT / 2, 1)

    @staticmethod
    def inside(x: float, y: float, pad: float = 0) -> bool:
        return -pad <= x <= WIDTH + pad and -pad <= y <= HEIGHT + pad


def _xy() -> dict:
    return {"x": {"field": "x", "type": "quantitative", "scale": None},
            "y": {"field": "y", "type": "quantitative", "scale": None}}


def _groups(points: list[tuple[float, float, str, bool]], anchors: list[tuple[float, float]],
            radius: float) -> tuple[dict[int, list], list[tuple[float, float, list]]]:
    """Events near a site (within SITE_PX) go to that site; the others gather greedily within `radius` px.

    `points` are (x, y, actor, confirmed); returns ({site index: members}, [(x, y, members), ...]).
    """
    at_site: dict[int, list] = {}
    groups: list[tuple[float, float, list]] = []
    for point in points:
        x, y = point[0], point[1]
        near = [i for i, (sx, sy) in enumerate(anchors) if (sx - x) ** 2 + (sy - y) ** 2 <= SITE_PX ** 2]
        if near:
            at_site.setdefault(near[0], []).append(point)
            continue
        for gx, gy, members in groups:
            if (gx - x) ** 2 + (gy - y) ** 2 <= radius ** 2:
                members.append(point)
                break
        else:
            groups.append((x, y, [point]))
    return at_site, groups


def _mix(members: list) -> list[tuple[str, int]]:
    """(actor, count) most frequent first (ties by name), for a cluster's ring."""
    counts: dict[str, int] = {}
    for member in members:
        counts[member[2]] = counts.get(member[2], 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def spec(state: ViewState, events: pd.DataFrame, sites: pd.DataFrame, catalog: Catalog,
             site_zoom: int | None = None) -> dict:
    """The preview map: country outlines, sites by status with their events' count, other events clustered by actor.

    Events come from the map page's own choice (`layer_data`): points, drawn as the live map clusters them
    (a disc per group ringed by its actors' colours; a lone event as a dot, hollow unless confirmed), or
    grid cells (a disc per cell in its main actor's colour). Events at a site show as a count on the site.
    """
    center, zoom = map_frame(state, events, sites, site_zoom)
    box = framing.view_box(center, zoom, WIDTH, HEIGHT)
    (south, west), (north, east) = box
    screen = _Screen(center, zoom)
    data = event_layers.layer_data(events, catalog, Viewport(south, west, north, east, zoom))
    shown = []
    for site in sites.to_dict("records"):
        x, y = screen.xy(float(site["lat"]), float(site["lon"]))
        if screen.inside(x, y, 20):
            shown.append({"x": x, "y": y, "fill": catalog.color("site_status", site["status"]),
                          "name": short_name(site["name"]), "id": site["id"], "status": site["status"]})
    layers: list[dict] = [_outline_layer(box, zoom)]
    actors = catalog.values("actor")
    statuses = catalog.values("status")
    discs, dots, rings, badges = [], [], [], []
    if data.kind == "points":
        points = []
        for row in data.rows:
            x, y = screen.xy(row[0], row[1])
            if screen.inside(x, y, 10):
                points.append((x, y, actors[row[2]], statuses[row[4]] == "confirmed"))
        at_site, groups = _groups(points, [(s["x"], s["y"]) for s in shown], radius=CLUSTER_PX)
        for index, members in sorted(at_site.items()):
            top = _mix(members)[0][0]
            badges.append({"x": shown[index]["x"] + 15, "y": shown[index]["y"] - 15, "n": str(len(members)),
                           "fill": catalog.color("actor", top)})
        for x, y, members in groups:
            if len(members) == 1:
                color = catalog.color("actor", members[0][2])
                dots.append({"x": x, "y": y, "stroke": color, "fill": color if members[0][3] else "#ffffff"})
                continue
            discs.append({"x": x, "y": y, "n": str(len(members)), "fill": "#2b2b2b", "size": 900})
            at = 0.0
            for actor, count in _mix(members):
                share = 2 * math.pi * count / len(members)
                rings.append({"x": x, "y": y, "t0": round(at, 4), "t1": round(at + share, 4),
                              "fill": catalog.color("actor", actor)})
                at += share
    else:
        index = catalog.index("actor")
        for cell in data.cells.itertuples(index=False):
            x, y = screen.xy(float(cell.lat), float(cell.lon))
            mix = sorted(((n, a) for a, n in cell.actors.items() if a in index), key=lambda m: (-m[0], m[1]))
            if mix and screen.inside(x, y, 20):
                count = int(cell.count)
                discs.append({"x": x, "y": y, "fill": catalog.color("actor", mix[0][1]),
                              "n": f"{count:,}" if count < 10_000 else f"{count // 1000:,}k",
                              "size": round(700 + 260 * math.log10(max(count, 1)))})
    if rings:
        layers.append({"data": {"values": rings},
                       "mark": {"type": "arc", "innerRadius": 15, "outerRadius": 22, "stroke": "#ffffff",
                                "strokeWidth": 1},
                       "encoding": _xy() | {"theta": {"field": "t0", "type": "quantitative", "scale": None},
                                            "theta2": {"field": "t1"},
                                            "fill": {"field": "fill", "type": "nominal", "scale": None}}})
    if discs:
        layers.append({"data": {"values": discs},
                       "mark": {"type": "circle", "stroke": "#ffffff", "strokeWidth": 1.5, "opacity": 1},
                       "encoding": _xy() | {"fill": {"field": "fill", "type": "nominal", "scale": None},
                                            "size": {"field": "size", "type": "quantitative", "scale": None}}})
        layers.append(_label_layer(discs, "n", 14, "#ffffff", align="center"))
    if dots:
        layers.append({"data": {"values": dots},
                       "mark": {"type": "circle", "size": 130, "strokeWidth": 3.5, "opacity": 1},
                       "encoding": _xy() | {"fill": {"field": "fill", "type": "nominal", "scale": None},
                                            "stroke": {"field": "stroke", "type": "nominal", "scale": None}}})
    layers.append({"data": {"values": shown},
                   "mark": {"type": "circle", "size": 440, "stroke": "#222222", "strokeWidth": 2.5, "opacity": 1},
                   "encoding": _xy() | {"fill": {"field": "fill", "type": "nominal", "scale": None}}})
    focus = _focus(state, events, sites)
    focus_xy = screen.xy(*focus) if focus is not None else None
    if focus_xy is not None:  # the selection's ring, beneath the counts so they stay readable
        layers.append({"data": {"values": [{"x": focus_xy[0], "y": focus_xy[1]}]},
                       "mark": {"type": "circle", "size": 1900, "filled": False, "stroke": "#111111",
                                "strokeWidth": 4, "opacity": 1},
                       "encoding": _xy()})
    if badges:
        layers.append({"data": {"values": badges},
                       "mark": {"type": "circle", "size": 560, "stroke": "#ffffff", "strokeWidth": 2, "opacity": 1},
                       "encoding": _xy() | {"fill": {"field": "fill", "type": "nominal", "scale": None}}})
        layers.append(_label_layer(badges, "n", 13, "#ffffff", align="center"))
    labelled = _labelled_sites(shown, state.site, focus_xy, taken=[(b["x"] - 11, b["y"] - 11, b["x"] + 11,
                                                                    b["y"] + 10) for b in badges])
    if labelled:
        layers.append(_label_layer(labelled, "name", 16, "#1a1a1a", halo=True))
        layers.append(_label_layer(labelled, "name", 16, "#1a1a1a"))
    layers += _legend(shown, catalog)
    return _frame(center, zoom, layers)


def outline_spec(center: tuple[float, float] | None = None, zoom: int | None = None) -> dict:
    """The country outlines alone (no data): the generic card's map, at the map page's default view."""
    lat, lon, default_zoom = config.MAP_DEFAULT_VIEW
    center, zoom = center or (lat, lon), zoom or default_zoom
    return _frame(center, zoom, [_outline_layer(framing.view_box(center, zoom, WIDTH, HEIGHT), zoom)])


def _outline_layer(box, zoom: int) -> dict:
    return {"data": {"values": {"type": "FeatureCollection", "features": _outlines_in(box, zoom)},
                     "format": {"type": "json", "property": "features"}},
            "mark": {"type": "geoshape", "fill": LAND, "stroke": BORDER, "strokeWidth": 0.8}}


def _frame(center, zoom: int, layers: list[dict]) -> dict:
    """The top-level spec: a WIDTH × HEIGHT Web Mercator view on `center` at `zoom`."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": WIDTH, "height": HEIGHT, "autosize": {"type": "none"}, "padding": 0,
        "background": SEA, "view": {"stroke": None, "fill": SEA},
        "projection": {"type": "mercator", "scale": 256 * 2 ** zoom / (2 * math.pi),
                       "center": [center[1], center[0]], "translate": [WIDTH / 2, HEIGHT / 2],
                       "clipExtent": [[0, 0], [WIDTH, HEIGHT]]},
        "layer": layers,
    }


def _label_layer(rows: list[dict], field_name: str, size: int, fill: str, align: str = "left",
                 halo: bool = False) -> dict:
    mark = {"type": "text", "align": align, "baseline": "middle", "fontSize": size, "fontWeight": "bold",
            "font": FONT, "fill": fill, "limit": 300}
    position = _xy()
    if align == "left":  # a site's name, starting at its own `lx` (further out around the selection's ring)
        mark |= {"dy": 5}
        position["x"] = {"field": "lx", "type": "quantitative", "scale": None}
    if halo:
        mark |= {"stroke": "#ffffff", "strokeWidth": 4, "strokeOpacity": 0.9, "strokeJoin": "round"}
    return {"data": {"values": rows}, "mark": mark,
            "encoding": position | {"text": {"field": field_name, "type": "nominal"}}}


def _labelled_sites(shown: list[dict], selected: str | None, focus_xy, taken: list) -> list[dict]:
    """Site labels that overlap no other label, badge or the map's edge (the selected site first)."""
    placed = list(taken)
    out = []
    for site in sorted(shown, key=lambda s: s["id"] != selected):
        ringed = focus_xy is not None and abs(site["x"] - focus_xy[0]) < 4 and abs(site["y"] - focus_xy[1]) < 4
        start = site["x"] + (27 if ringed else 16)
        width = 16 * 0.6 * len(site["name"])
        rect = (start - 2, site["y"] - 4, start + 4 + width, site["y"] + 14)
        if rect[0] < 0 or rect[2] > WIDTH - 4 or rect[1] < 0 or rect[3] > HEIGHT - 60:
            continue
        if any(not (rect[2] < r[0] or rect[0] > r[2] or rect[3] < r[1] or rect[1] > r[3]) for r in placed):
            continue
        placed.append(rect)
        out.append(site | {"lx": round(start, 1)})
    return out


def _legend(shown: list[dict], catalog: Catalog) -> list[dict]:
    """A key in the map's lower left corner: the site statuses on the map and what a number on a disc means."""
    statuses = [s for s in catalog.values("site_status") if any(site["status"] == s for site in shown)]
    entries = [{"label": catalog.label("site_status", s), "fill": catalog.color("site_status", s)} for s in statuses]
    if not entries:
        return []
    x, y = 12, HEIGHT - 14
    rows, cursor = [], x + 10
    for entry in entries:
        rows.append(entry | {"x": cursor + 7, "y": y - 13, "tx": cursor + 19, "ty": y - 13})
        cursor += 30 + len(entry["label"]) * 14 * 0.55
    note = _("Site status · a number: events there")
    rows_width = cursor - x + len(note) * 13 * 0.55 + 10
    box = {"data": {"values": [{"x": x, "x2": x + rows_width, "y": y - 27, "y2": y}]},
           "mark": {"type": "rect", "fill": "#ffffff", "opacity": 0.88, "cornerRadius": 4},
           "encoding": {"x": {"field": "x", "type": "quantitative", "scale": None},
                        "x2": {"field": "x2"}, "y": {"field": "y", "type": "quantitative", "scale": None},
                        "y2": {"field": "y2"}}}
    swatches = {"data": {"values": rows},
                "mark": {"type": "circle", "size": 120, "stroke": "#222222", "strokeWidth": 1.5, "opacity": 1},
                "encoding": _xy() | {"fill": {"field": "fill", "type": "nominal", "scale": None}}}
    names = {"data": {"values": rows},
             "mark": {"type": "text", "align": "left", "baseline": "middle", "fontSize": 14, "font": FONT,
                      "fill": "#222222"},
             "encoding": {"x": {"field": "tx", "type": "quantitative", "scale": None},
                          "y": {"field": "ty", "type": "quantitative", "scale": None},
                          "text": {"field": "label", "type": "nominal"}}}
    hint = {"data": {"values": [{"x": cursor + 4, "y": y - 13, "t": note}]},
            "mark": {"type": "text", "align": "left", "baseline": "middle", "fontSize": 13, "font": FONT,
                     "fill": "#555555"},
            "encoding": _xy() | {"text": {"field": "t", "type": "nominal"}}}
    return [box, swatches, names, hint]
