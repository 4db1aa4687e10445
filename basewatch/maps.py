"""Folium map builders: an offline base map plus site, event, ring and selection layers.

Nothing from the data reaches folium as raw text. Events travel as numbers and validated ids only
(labels are looked up in controlled vocabularies in the browser); site names and other free text pass
through `inert`, because folium re-renders map scripts as Jinja templates on the server and wraps
tooltips in JS template literals.
"""

from __future__ import annotations

import json
from functools import lru_cache

import folium
import folium.plugins
import pandas as pd
from branca.element import CssLink, JavascriptLink, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from basewatch import config
from basewatch.config import CLAIM_STATUSES, EVENT_TYPES
from basewatch.footprint import status_color
from basewatch.text import inert

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
SATELLITE_TILES = "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}"
SATELLITE_ATTRIBUTION = "Imagery &copy; Esri, Maxar, Earthstar Geographics"
SELECTED_ZOOM = 8


@lru_cache(maxsize=1)
def _manifest() -> dict[str, str]:
    path = config.STATIC_DIR / "vendor" / "manifest.json"
    return json.loads(path.read_text(encoding="utf-8"))


# folium.Map loads jQuery, Bootstrap and icon fonts for popups and icons we never use; skipping them
# makes the map live sooner (the iframe loads scripts one after another).
UNUSED_MAP_ASSETS = ("jquery", "bootstrap", "awesome_markers", "awesome_markers_css", "awesome_rotate_css",
                     "awesome_markers_font_css", "bootstrap_css", "glyphicons_css")


def _local(assets: list[tuple[str, str]], prefix: str) -> list[tuple[str, str]]:
    """Swap each CDN URL for its vendored copy; assets we do not vendor or use are dropped, never fetched."""
    manifest = _manifest()
    return [(name, prefix + manifest[url]) for name, url in assets
            if url in manifest and name not in UNUSED_MAP_ASSETS]


def _subclasses(cls: type):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def use_local_assets(prefix: str = config.STATIC_URL) -> None:
    """Point every folium class that loads JS/CSS at the copies under static/ (idempotent)."""
    for cls in (JSCSSMixin, *_subclasses(JSCSSMixin)):
        for attr in ("default_js", "default_css"):
            original = vars(cls).get(f"_basewatch_cdn_{attr}") or vars(cls).get(attr)
            if original is None:
                continue
            setattr(cls, f"_basewatch_cdn_{attr}", original)
            setattr(cls, attr, _local(original, prefix))


class OfflineBasemap(MacroElement):
    """Country outlines (Natural Earth, public domain) fetched from our own static folder."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var base = window.location.pathname.split("/component/")[0];
            var url = (base === window.location.pathname ? "" : base) + {{ this.path|tojson }};
            var pane = {{ this._parent.get_name() }}.createPane("basemap");
            pane.style.zIndex = 200;
            fetch(url).then(function (r) { return r.json(); }).then(function (geo) {
                L.geoJSON(geo, {pane: "basemap", interactive: false,
                    style: {color: "#8a8f98", weight: 0.8, fillColor: "#eef0ec", fillOpacity: 1}})
                 .addTo({{ this._parent.get_name() }});
            });
            {{ this._parent.get_name() }}.getContainer().style.background = "#c9dbe8";
        })();
        {% endmacro %}""")

    def __init__(self, path: str):
        super().__init__()
        self._name = "OfflineBasemap"
        self.path = path


class MarkerStyles(MacroElement):
    """CSS for event and site markers, injected into the map document once."""

    _template = Template("""
        {% macro header(this, kwargs) %}
        <style>
        .bw-ev span {display:block;width:12px;height:12px;border-radius:50%;box-sizing:border-box;
            border:2.5px solid var(--c);background:var(--c);box-shadow:0 0 0 1px #fff;}
        .bw-ev.hollow span {background:#fff;}
        .bw-ev.denied span {background:#fff;border-style:dashed;}
        .bw-site-label {display:inline-block;white-space:nowrap;background:rgba(255,255,255,.85);border:0;box-shadow:none;font:600 12px/1.2 sans-serif;
            padding:1px 4px;color:#222;}
        .bw-site-label:before {display:none;}
        .leaflet-tooltip {font:13px/1.35 sans-serif;max-width:320px;white-space:normal;}
        </style>
        {% endmacro %}""")


class EventCluster(folium.plugins.MarkerCluster):
    """Events as one clustered layer built in the browser from compact rows.

    A row is [lat, lon, actor index, type index, status index, date label, id]; the labels come from
    arrays of controlled vocabulary, so no free text from the data is ever embedded.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var actors = {{ this.actors|tojson }}, colors = {{ this.colors|tojson }};
            var types = {{ this.types|tojson }}, statuses = {{ this.statuses|tojson }};
            var data = {{ this.data_json }};
            var markers = new Array(data.length);
            for (var i = 0; i < data.length; i++) {
                var r = data[i], status = statuses[r[4]];
                var cls = "bw-ev" + (status === "confirmed" ? "" : (status === "denied" ? " denied" : " hollow"));
                var icon = L.divIcon({className: cls, iconSize: [12, 12],
                    html: '<span style="--c:' + colors[r[2]] + '"></span>'});
                var m = L.marker([r[0], r[1]], {icon: icon, keyboard: false});
                m.bindTooltip("<b>" + r[5] + "</b> · " + actors[r[2]] + " · " + types[r[3]] +
                    " · <i>" + status + "</i><span hidden>[event:" + r[6] + "]</span>");
                markers[i] = m;
            }
            var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
            cluster.addLayers(markers);
            cluster.addTo({{ this._parent.get_name() }});
            return cluster;
        })();
        {% endmacro %}""")

    def __init__(self, rows: list[list], actors: list[str], name: str = "Events"):
        super().__init__(name=name, chunkedLoading=True, showCoverageOnHover=False, maxClusterRadius=40,
                         spiderfyOnMaxZoom=True)
        self._name = "EventCluster"
        # Serialised once here (Jinja's tojson is several times slower); rows hold only numbers,
        # date labels and validated ids, and '<' is escaped anyway so nothing can close the script tag.
        self.data_json = json.dumps(rows, separators=(",", ":")).replace("<", "\\u003c")
        self.actors = [inert(a) for a in actors]
        self.colors = [config.actor_color(a) for a in actors]
        self.types = [inert(t) for t in EVENT_TYPES]
        self.statuses = list(CLAIM_STATUSES)

    def render(self, **kwargs):
        """Register the cluster plugin's JS/CSS only.

        st_folium takes this element's script straight from its macro; folium's own render would
        also compile the multi-megabyte script as a Jinja template (0.35 s at 100,000 events) for
        nothing, and would re-run any template syntax in it.
        """
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)


def build_base_map(center: tuple[float, float] | None = None, zoom: int | None = None) -> folium.Map:
    """The stable part of the map: outlines, optional tiles, controls. Data layers are added separately."""
    use_local_assets()
    lat, lon, default_zoom = config.MAP_DEFAULT_VIEW
    fmap = folium.Map(location=list(center or (lat, lon)), zoom_start=zoom or default_zoom, tiles=None,
                      maxZoom=config.MAP_MAX_ZOOM, minZoom=2, prefer_canvas=True, control_scale=True,
                      world_copy_jump=False)
    MarkerStyles().add_to(fmap)
    OfflineBasemap(config.STATIC_URL + "basemap/countries.geojson").add_to(fmap)
    folium.TileLayer(OSM_TILES, name="OpenStreetMap (online)", attr=OSM_ATTRIBUTION, overlay=True,
                     show=False, max_zoom=19).add_to(fmap)
    folium.TileLayer(SATELLITE_TILES, name="Satellite imagery (online)", attr=SATELLITE_ATTRIBUTION,
                     overlay=True, show=False, max_zoom=18).add_to(fmap)
    folium.plugins.Fullscreen(position="topleft").add_to(fmap)
    return fmap


def event_rows(events: pd.DataFrame) -> list[list]:
    """Compact rows for EventCluster from events that have a map position."""
    located = events.loc[events["map_lat"].notna(),
                         ["map_lat", "map_lon", "actor", "event_type", "claim_status", "date_label", "id"]]
    actor_index = {a: i for i, a in enumerate(_actor_list(events))}
    type_index = {t: i for i, t in enumerate(EVENT_TYPES)}
    status_index = {s: i for i, s in enumerate(CLAIM_STATUSES)}
    frame = pd.DataFrame({
        "lat": located["map_lat"].round(4), "lon": located["map_lon"].round(4),
        "actor": located["actor"].map(actor_index), "type": located["event_type"].map(type_index),
        "status": located["claim_status"].map(status_index), "date": located["date_label"],
        "id": located["id"],
    })
    return frame.values.tolist()


def _actor_list(events: pd.DataFrame) -> list[str]:
    extra = sorted(set(events["actor"].unique()) - set(config.ACTORS))
    return list(config.ACTORS) + extra


def build_event_layer(events: pd.DataFrame, rows: list[list] | None = None) -> folium.FeatureGroup:
    """All given events that have a position, clustered, coloured by actor, shaped by claim status.

    `rows` may be passed in when the caller cached `event_rows(events)`.
    """
    group = folium.FeatureGroup(name="Events", control=True)
    EventCluster(event_rows(events) if rows is None else rows, _actor_list(events)).add_to(group)
    return group


def site_tooltip(site: pd.Series) -> str:
    """Hover text of a site marker; the hidden part lets a click name the site."""
    return (f"<b>{inert(site['name'])}</b><br>{inert(site['kind'])} · status: {inert(site['status'])}"
            f"<span hidden>[site:{inert(site['id'])}]</span>")


def short_name(name: str) -> str:
    """A map label: the name up to its first parenthesis or comma ('Tartus naval facility (720th…)' → 'Tartus naval facility')."""
    short = str(name).split(" (")[0].split(",")[0].strip()
    return short if len(short) <= 40 else short[:39] + "…"


class SiteMarkers(MacroElement):
    """All sites as one element: rings coloured by status, hover text and name labels, built in the browser.

    One element instead of four folium objects per site keeps each map rerun cheap; every string in
    the rows has been through `inert`.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var rows = {{ this.rows|tojson }};
            rows.forEach(function (r) {
                if (r[5]) {  // an estimated position: show how far off it may be
                    L.circle([r[0], r[1]], {radius: r[5] * 1000, color: "#555", weight: 1.5, dashArray: "4 4",
                        fill: true, fillOpacity: 0.06, interactive: false}).addTo({{ this._parent.get_name() }});
                }
                L.circleMarker([r[0], r[1]], {radius: 10, color: "#222", weight: 2, fill: true,
                    fillColor: r[2], fillOpacity: 0.9}).bindTooltip(r[3]).addTo({{ this._parent.get_name() }});
                if (r[4]) {
                    L.marker([r[0], r[1]], {interactive: false, keyboard: false, icon: L.divIcon({
                        className: "bw-site-label-icon", iconSize: [180, 18], iconAnchor: [-12, 9],
                        html: '<div class="bw-site-label">' + r[4] + "</div>"})}).addTo({{ this._parent.get_name() }});
                }
            });
        })();
        {% endmacro %}""")

    def __init__(self, rows: list[list]):
        super().__init__()
        self._name = "SiteMarkers"
        self.rows = rows


# Below this, an uncertainty circle would hide under the marker itself.
MIN_DRAWN_UNCERTAINTY_KM = 5


def uncertainty_km(site: pd.Series) -> float:
    """The site's stated coordinate uncertainty in km when it is worth drawing, else 0."""
    value = site.get("coord_uncertainty_km")
    if value is None or pd.isna(value) or float(value) < MIN_DRAWN_UNCERTAINTY_KM:
        return 0
    return float(value)


def build_site_layer(sites: pd.DataFrame, labels: bool = True) -> folium.FeatureGroup:
    """Sites as rings coloured by status, with their names as labels."""
    group = folium.FeatureGroup(name="Sites", control=True)
    rows = [[float(site["lat"]), float(site["lon"]), status_color(site["status"]),
             site_tooltip(site), inert(short_name(site["name"])) if labels else "", uncertainty_km(site)]
            for _, site in sites.iterrows()]
    SiteMarkers(rows).add_to(group)
    return group


def build_ring_layer(sites: pd.DataFrame, ring_ids: tuple[str, ...], radius_km: int) -> folium.FeatureGroup:
    """Range rings of `radius_km` around the chosen sites."""
    group = folium.FeatureGroup(name=f"Range rings ({radius_km:,} km)", control=True)
    chosen = sites[sites["id"].isin(ring_ids)]
    for _, site in chosen.iterrows():
        folium.Circle(
            location=[site["lat"], site["lon"]], radius=radius_km * 1000, color="#0072B2", weight=2,
            dash_array="6 6", fill=False, interactive=False,
        ).add_to(group)
    return group


def build_selection_layer(point: tuple[float, float] | None) -> folium.FeatureGroup:
    """A halo around the selected event or site."""
    group = folium.FeatureGroup(name="Selection", control=False)
    if point is not None:
        folium.CircleMarker(location=list(point), radius=18, color="#111", weight=3, fill=False,
                            interactive=False).add_to(group)
    return group


def parse_clicked(tooltip_text: str | None) -> tuple[str, str] | None:
    """('event' | 'site', id) from the text st_folium reports for a clicked marker."""
    if not tooltip_text:
        return None
    import re

    match = re.search(r"\[(event|site):([a-z0-9]+(?:-[a-z0-9]+)*)\]\s*$", tooltip_text.strip())
    return (match.group(1), match.group(2)) if match else None


def layer_control() -> folium.LayerControl:
    """Switch base tiles and data layers on and off."""
    return folium.LayerControl(collapsed=True, position="topright")


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
    from basewatch.urlstate import MapView

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


def moved(view, center: list[float], zoom: int) -> bool:
    """True when the reader panned or zoomed away from the view the app set."""
    tolerance = 360 / (2 ** (zoom + 8)) * 20  # about 20 screen pixels at this zoom
    return (view.zoom != zoom or abs(view.lat - center[0]) > tolerance
            or abs(view.lon - center[1]) > tolerance)


class MovementArcs(MacroElement):
    """Directed great-circle arcs between sites, one per origin → destination pair, built in the browser.

    A row is [points, count, origin index, destination index, latest event id, other event ids]; site names
    come from an array passed through `inert`, so like the event layer the script carries only numbers,
    validated ids and escaped names. The arrowhead sits at the destination end; width grows with the count.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var names = {{ this.names|tojson }}, rows = {{ this.rows|tojson }};
            rows.forEach(function (r) {
                var pts = r[0], n = r[1], width = 2 + 2 * Math.log2(n);
                var tip = "<b>" + names[r[2]] + " → " + names[r[3]] + "</b><br>" + n + " movement" +
                    (n === 1 ? "" : "s") + " in view: " + r[5].join(", ") +
                    "<span hidden>[event:" + r[4] + "]</span>";
                L.polyline(pts, {color: "#332288", weight: width, opacity: 0.85})
                    .bindTooltip(tip, {sticky: true}).addTo({{ this._parent.get_name() }});
                var a = pts[pts.length - 4], b = pts[pts.length - 1];
                var dy = b[0] - a[0], dx = b[1] - a[1], len = Math.sqrt(dx * dx + dy * dy) || 1;
                var s = Math.max(0.25, 0.6 * len), ux = dx / len, uy = dy / len;
                var tipAt = pts[pts.length - 2];
                L.polygon([tipAt, [tipAt[0] - uy * s - ux * s * 0.6, tipAt[1] - ux * s + uy * s * 0.6],
                           [tipAt[0] - uy * s + ux * s * 0.6, tipAt[1] - ux * s - uy * s * 0.6]],
                    {color: "#332288", weight: 1, fillOpacity: 0.9, interactive: false})
                    .addTo({{ this._parent.get_name() }});
            });
        })();
        {% endmacro %}""")

    def __init__(self, rows: list[list], names: list[str]):
        super().__init__()
        self._name = "MovementArcs"
        self.rows = rows
        self.names = names


def build_movement_layer(moves: pd.DataFrame, sites: pd.DataFrame) -> folium.FeatureGroup:
    """Movements between sites in view as directed arcs (origin → destination), width by number of movements."""
    from basewatch.geo import great_circle_points

    group = folium.FeatureGroup(name="Movements between sites", control=True)
    if moves.empty:
        return group
    index = {site_id: i for i, site_id in enumerate(sites["id"])}
    position = dict(zip(sites["id"], zip(sites["lat"], sites["lon"])))
    rows = []
    for move in moves.itertuples(index=False):
        if move.origin not in index or move.destination not in index:
            continue
        (lat1, lon1), (lat2, lon2) = position[move.origin], position[move.destination]
        ids = list(move.event_ids)
        rows.append([great_circle_points(lat1, lon1, lat2, lon2), int(move.count), index[move.origin],
                     index[move.destination], ids[-1], ids[-6:][::-1]])
    MovementArcs(rows, [inert(short_name(name)) for name in sites["name"]]).add_to(group)
    return group
