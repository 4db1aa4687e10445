"""Folium map builders: an offline base map plus site, event, ring and selection layers.

Nothing from the data reaches folium as raw text. Events travel as numbers and validated ids only
(labels are looked up in controlled vocabularies in the browser); site names and other free text pass
through `inert`, because folium re-renders map scripts as Jinja templates on the server and wraps
tooltips in JS template literals.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache

import folium
import folium.plugins
import pandas as pd
from branca.element import CssLink, JavascriptLink, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from basewatch import config
from basewatch.config import CLAIM_STATUSES, EVENT_TYPES
from basewatch.queries.footprint import status_color
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
        .bw-cell span {display:flex;align-items:center;justify-content:center;width:100%;height:100%;
            box-sizing:border-box;border-radius:50%;border:2px solid #fff;box-shadow:0 0 0 1px #222;color:#fff;
            opacity:.92;font:700 11px/1 sans-serif;text-shadow:0 0 2px #000,0 0 2px #000;}
        .bw-site-label {position:absolute;top:-9px;left:13px;white-space:nowrap;background:rgba(255,255,255,.9);
            border:0;box-shadow:none;font:600 12px/1.2 sans-serif;padding:1px 4px;color:#222;}
        .bw-site-label:before {display:none;}
        .leaflet-tooltip {font:13px/1.35 sans-serif;max-width:320px;white-space:normal;}
        .bw-selected span {display:block;width:34px;height:34px;border-radius:50%;box-sizing:border-box;
            border:4px solid #111;box-shadow:0 0 0 2px #fff, inset 0 0 0 2px #fff;
            background:radial-gradient(circle, var(--c) 0 5px, transparent 6px);}
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


def build_base_map(frame: tuple[tuple[float, float], tuple[float, float]] | None = None,
                   export: bool = True) -> folium.Map:
    """The stable part of the map: outlines, optional tiles, controls. Data layers are added separately.

    `frame` ((south, west), (north, east)) is fitted in the browser to the map's real size when it
    opens (see `frame_bounds`); a `center`/`zoom` passed to st_folium afterwards overrides it.
    """
    use_local_assets()
    lat, lon, default_zoom = config.MAP_DEFAULT_VIEW
    fmap = folium.Map(location=[lat, lon], zoom_start=default_zoom, tiles=None,
                      maxZoom=config.MAP_MAX_ZOOM, minZoom=2, prefer_canvas=True, control_scale=True,
                      world_copy_jump=False)
    MarkerStyles().add_to(fmap)
    OfflineBasemap(config.STATIC_URL + "basemap/countries.geojson").add_to(fmap)
    folium.TileLayer(OSM_TILES, name="OpenStreetMap (online)", attr=OSM_ATTRIBUTION, overlay=True,
                     show=False, max_zoom=19).add_to(fmap)
    folium.TileLayer(SATELLITE_TILES, name="Satellite imagery (online)", attr=SATELLITE_ATTRIBUTION,
                     overlay=True, show=False, max_zoom=18).add_to(fmap)
    folium.plugins.Fullscreen(position="topleft").add_to(fmap)
    if frame is not None:
        FitToFrame(frame).add_to(fmap)
    UserViewFlag().add_to(fmap)
    if export:
        MapExport().add_to(fmap)
    return fmap


# ---------------------------------------------------------------------------------------- framing

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
        lat, lon, _ = config.MAP_DEFAULT_VIEW
        return (lat - 8, lon - 12), (lat + 8, lon + 12)
    return (float(all_lats.min()), float(all_lons.min())), (float(all_lats.max()), float(all_lons.max()))


def _project(lat: float, lon: float, zoom: float) -> tuple[float, float]:
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
    x0, y0 = _project(north, west, 0)
    x1, y1 = _project(south, east, 0)
    span_x, span_y = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
    scale = min((width - 2 * padding) / span_x, (height - 2 * padding) / span_y)
    zoom = math.log2(scale) if scale > 0 else min_zoom
    zoom = math.floor(round(zoom * 100) / 100)  # Leaflet: snap down unless within 1 % of the next level
    zoom = int(max(min_zoom, min(max_zoom, config.MAP_MAX_ZOOM, zoom)))
    return _unproject((x0 + x1) / 2 * 2 ** zoom, (y0 + y1) / 2 * 2 ** zoom, zoom), zoom


def view_box(center: tuple[float, float], zoom: int, width: int, height: int):
    """((south, west), (north, east)) a width×height map shows around `center` at `zoom`."""
    cx, cy = _project(center[0], center[1], zoom)
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

    def __init__(self):
        super().__init__()
        self._name = "UserViewFlag"
        self.flag, self.gesture_ms = USER_MOVED_LAYER, GESTURE_MS


def user_moved(result: dict | None) -> bool:
    """True once the reader has panned or zoomed this map (never for the map's own first frame)."""
    layers = (result or {}).get("selected_layers") or []
    return any(isinstance(layer, dict) and layer.get("name") == USER_MOVED_LAYER for layer in layers)


# ------------------------------------------------------------------------------- PNG of the map

HTML_TO_IMAGE_URL = "https://cdn.jsdelivr.net/npm/html-to-image@1.11.13/dist/html-to-image.js"


class MapExport(JSCSSMixin, MacroElement):
    """A "Download PNG" button: the map as it is now, with title, filter sentence, source and link.

    html-to-image (vendored; `use_local_assets` swaps its CDN URL for the local copy) draws the map
    container without its controls; the caption comes from `window.bwExportText`, which
    `build_export_caption_layer` sets on every rerun without remounting the map.
    """

    default_js = [("html_to_image", HTML_TO_IMAGE_URL)]

    _template = Template(r"""
        {% macro header(this, kwargs) %}
        <style>
        .bw-export {font:600 13px/1.2 sans-serif;padding:6px 10px;background:#fff;color:#111;border:2px solid rgba(0,0,0,.35);
            border-radius:4px;cursor:pointer;}
        .bw-export:focus-visible {outline:3px solid #0072B2;outline-offset:1px;}
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            function plain(text) {  // the caption strings arrive HTML-escaped (inert); draw them as text
                return new DOMParser().parseFromString("<!doctype html><body>" + (text || ""), "text/html").body.textContent;
            }
            function wrap(ctx, text, font, width) {
                ctx.font = font;
                var lines = [], line = "";
                String(text).split(/\s+/).forEach(function (word) {
                    var next = line ? line + " " + word : word;
                    if (line && ctx.measureText(next).width > width) { lines.push(line); line = word; } else { line = next; }
                });
                if (line) { lines.push(line); }
                return lines;
            }
            function download(button) {
                var caption = window.bwExportText || {}, label = button.textContent;
                button.disabled = true; button.textContent = "Preparing PNG…";
                var ratio = 2;
                htmlToImage.toCanvas(map.getContainer(), {pixelRatio: ratio, skipFonts: true, backgroundColor: "#c9dbe8",
                    filter: function (node) { return !(node.classList && node.classList.contains("leaflet-control-container")); }
                }).then(function (shot) {
                    var pad = 16 * ratio, width = shot.width, text = width - 2 * pad, probe = document.createElement("canvas").getContext("2d");
                    var head = [["bold " + 18 * ratio + "px sans-serif", "#111", plain(caption.title)],
                                [13 * ratio + "px sans-serif", "#333", plain(caption.sentence)]];
                    var link = caption.link;
                    try { link = window.parent.location.href; } catch (e) { /* not same-origin: keep the given link */ }
                    var foot = [[12 * ratio + "px sans-serif", "#333", plain(caption.source)],
                                [12 * ratio + "px sans-serif", "#0b5394", link === caption.link ? plain(link) : link]];
                    function block(parts) {
                        return parts.map(function (p) {
                            var size = parseInt(p[0].replace(/^bold /, ""), 10);
                            return {font: p[0], color: p[1], size: size, lines: wrap(probe, p[2], p[0], text)};
                        });
                    }
                    function blockHeight(b) { return b.reduce(function (h, p) { return h + p.lines.length * p.size * 1.35; }, 0); }
                    var top = block(head), bottom = block(foot);
                    var topH = blockHeight(top) + 2 * pad, bottomH = blockHeight(bottom) + 2 * pad;
                    var out = document.createElement("canvas");
                    out.width = width; out.height = topH + shot.height + bottomH;
                    var ctx = out.getContext("2d");
                    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, out.width, out.height);
                    function draw(b, y) {
                        b.forEach(function (p) {
                            ctx.font = p.font; ctx.fillStyle = p.color;
                            p.lines.forEach(function (line) { y += p.size * 1.35; ctx.fillText(line, pad, y - p.size * 0.3); });
                        });
                    }
                    draw(top, pad);
                    ctx.drawImage(shot, 0, topH);
                    draw(bottom, topH + shot.height + pad);
                    window.bwLastExport = {width: out.width, height: out.height};
                    out.toBlob(function (blob) {
                        var a = document.createElement("a");
                        a.href = URL.createObjectURL(blob);
                        a.download = "basewatch-map.png";
                        document.body.appendChild(a); a.click(); a.remove();
                        setTimeout(function () { URL.revokeObjectURL(a.href); }, 10000);
                    }, "image/png");
                }).catch(function (error) {
                    console.error("Basewatch: map PNG failed", error);
                    label = "PNG failed, try again";
                }).then(function () { button.disabled = false; button.textContent = label; });
            }
            var Control = L.Control.extend({
                options: {position: "bottomleft"},
                onAdd: function () {
                    var button = L.DomUtil.create("button", "bw-export");
                    button.type = "button";
                    button.textContent = "Download PNG";
                    button.title = "Download this map view as a PNG with its title, filters, source and link";
                    L.DomEvent.disableClickPropagation(button);
                    L.DomEvent.on(button, "click", function () { download(button); });
                    return button;
                }
            });
            new Control().addTo(map);
        })();
        {% endmacro %}""")

    def __init__(self):
        super().__init__()
        self._name = "MapExport"


class ExportCaption(MacroElement):
    """Sets the caption the Download PNG control draws (every string already passed through `inert`)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        window.bwExportText = {{ this.caption|tojson }};
        {% endmacro %}""")

    def __init__(self, caption: dict[str, str]):
        super().__init__()
        self._name = "ExportCaption"
        self.caption = caption


def build_export_caption_layer(title: str, sentence: str, version: str, link: str = "") -> folium.FeatureGroup:
    """The caption of the map PNG: title, plain-language filter sentence, source line and link.

    The PNG prints the address bar's URL at the moment of download (it carries the view); `link` is
    only the fallback, so the page need not rebuild this layer, and re-add every layer, on each pan.
    """
    from basewatch.views.exports import source_line

    group = folium.FeatureGroup(name="Caption", control=False)
    ExportCaption({"title": inert(title), "sentence": inert(sentence), "source": inert(source_line(version)),
                   "link": inert(link)}).add_to(group)
    return group


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
    # Indices into the controlled list (the schema admits no other actor), so rows stay small numbers.
    return list(config.ACTORS)


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
    """All sites as one element: rings coloured by status, hover text and decluttered name labels.

    Rows are [lat, lon, colour, tooltip, label, uncertainty km] and `ranks` their label priorities;
    every string in the rows has been through `inert`. Labels are placed in priority order (0 first) after every zoom or pan:
    to the right of the marker if that space is free, else to the left, else not at all (the name
    still shows on hover). So no label ever sits on top of another or on another site's marker.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent._parent.get_name() if this._parent._parent else this._parent.get_name() }};
            var group = {{ this._parent.get_name() }};
            var rows = {{ this.rows|tojson }}, ranks = {{ this.ranks|tojson }};
            var labels = [];
            if (!map.getPane("bwLabels")) { map.createPane("bwLabels").style.zIndex = 620; }
            rows.forEach(function (r, i) {
                if (r[5]) {  // an estimated position: show how far off it may be
                    L.circle([r[0], r[1]], {radius: r[5] * 1000, color: "#555", weight: 1.5, dashArray: "4 4",
                        fill: true, fillOpacity: 0.06, interactive: false}).addTo(group);
                }
                L.circleMarker([r[0], r[1]], {radius: 10, color: "#222", weight: 2, fill: true,
                    fillColor: r[2], fillOpacity: 0.9}).bindTooltip(r[3]).addTo(group);
                if (r[4]) {
                    var marker = L.marker([r[0], r[1]], {pane: "bwLabels", interactive: false, keyboard: false, icon: L.divIcon({
                        className: "bw-site-label-icon", iconSize: [0, 0], iconAnchor: [0, 0],
                        html: '<div class="bw-site-label">' + r[4] + "</div>"})}).addTo(group);
                    labels.push({row: r, rank: ranks[i], marker: marker});
                }
            });
            labels.sort(function (a, b) { return a.rank - b.rank; });
            function overlaps(a, b) {
                return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
            }
            function declutter() {
                if (!group._map) { return; }
                var size = map.getSize(), taken = [];
                rows.forEach(function (r) {  // every site marker is an obstacle
                    var p = map.latLngToContainerPoint([r[0], r[1]]);
                    taken.push({x: p.x - 11, y: p.y - 11, w: 22, h: 22});
                });
                labels.forEach(function (l) {
                    var el = l.marker.getElement() && l.marker.getElement().firstChild;
                    if (!el) { return; }
                    el.style.display = "block"; el.style.left = "13px"; el.style.right = "auto";  // measure unclipped
                    var p = map.latLngToContainerPoint([l.row[0], l.row[1]]);
                    var w = el.offsetWidth, h = el.offsetHeight || 18;
                    var right = {x: p.x + 13, y: p.y - h / 2, w: w, h: h, side: "right"};
                    var left = {x: p.x - 13 - w, y: p.y - h / 2, w: w, h: h, side: "left"};
                    var spot = [right, left].filter(function (c) {
                        var inside = c.x >= 0 && c.x + c.w <= size.x && c.y >= 0 && c.y + c.h <= size.y;
                        var offscreen = c.x + c.w < 0 || c.x > size.x || c.y + c.h < 0 || c.y > size.y;
                        return (inside || offscreen) && !taken.some(function (t) { return overlaps(c, t); });
                    })[0];
                    if (!spot) { el.style.display = "none"; el.dataset.placed = "hidden"; return; }
                    el.style.left = spot.side === "right" ? "13px" : "auto";
                    el.style.right = spot.side === "left" ? "13px" : "auto";
                    el.dataset.placed = spot.side;
                    taken.push(spot);
                });
            }
            map.on("zoomend moveend resize", declutter);
            group.on("add", function () { setTimeout(declutter, 0); });
            setTimeout(declutter, 0);
        })();
        {% endmacro %}""")

    def __init__(self, rows: list[list], ranks: list[int] | None = None):
        super().__init__()
        self._name = "SiteMarkers"
        self.rows = rows
        self.ranks = list(range(len(rows))) if ranks is None else [int(r) for r in ranks]


# Below this, an uncertainty circle would hide under the marker itself.
MIN_DRAWN_UNCERTAINTY_KM = 5


def uncertainty_km(site: pd.Series) -> float:
    """The site's stated coordinate uncertainty in km when it is worth drawing, else 0."""
    value = site.get("coord_uncertainty_km")
    if value is None or pd.isna(value) or float(value) < MIN_DRAWN_UNCERTAINTY_KM:
        return 0
    return float(value)


STATUS_LABEL_RANK = {"active": 0, "contested": 1, "reduced": 2, "proposed": 3, "withdrawn": 4, "unknown": 5}


def label_priority(sites: pd.DataFrame, events: pd.DataFrame | None = None) -> dict[str, int]:
    """Site id → label rank (0 is labelled first): most events in view, then status, then name.

    When labels collide the map keeps the higher-ranked one and shows the other's name on hover.
    """
    counts = events["site_id"].value_counts() if events is not None and len(events) else pd.Series(dtype="int64")
    keyed = sites.assign(_events=sites["id"].map(counts).fillna(0).astype(int),
                         _status=sites["status"].map(STATUS_LABEL_RANK).fillna(9))
    ordered = keyed.sort_values(["_events", "_status", "name"], ascending=[False, True, True])
    return {site_id: rank for rank, site_id in enumerate(ordered["id"])}


def build_site_layer(sites: pd.DataFrame, events: pd.DataFrame | None = None) -> folium.FeatureGroup:
    """Sites as rings coloured by status, with decluttered name labels (busiest sites in `events` first)."""
    group = folium.FeatureGroup(name="Sites", control=True)
    rank = label_priority(sites, events)
    rows = [[float(site["lat"]), float(site["lon"]), status_color(site["status"]),
             site_tooltip(site), inert(short_name(site["name"])), uncertainty_km(site)]
            for _, site in sites.iterrows()]
    SiteMarkers(rows, [rank[site_id] for site_id in sites["id"]]).add_to(group)
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


# Leaflet's marker pane (and the event clusters in it) sits at z-index 600, tooltips at 650.
SELECTION_PANE = "bwSelection"
SELECTION_PANE_Z = 640


class SelectionMarker(MacroElement):
    """A ring and dot for the selected event or site in its own pane, above every cluster and marker."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent._parent.get_name() if this._parent._parent else this._parent.get_name() }};
            if (!map.getPane({{ this.pane|tojson }})) {
                map.createPane({{ this.pane|tojson }}).style.zIndex = {{ this.z_index }};
            }
            L.marker({{ this.location|tojson }}, {pane: {{ this.pane|tojson }}, interactive: false, keyboard: false,
                icon: L.divIcon({className: "bw-selected", iconSize: [34, 34], iconAnchor: [17, 17],
                    html: '<span style="--c:{{ this.color }}"></span>'})}).addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}""")

    def __init__(self, location: tuple[float, float], color: str = "#111111"):
        super().__init__()
        self._name = "SelectionMarker"
        self.location = [float(location[0]), float(location[1])]
        self.color = color if re.fullmatch(r"#[0-9A-Fa-f]{6}", color) else "#111111"
        self.pane, self.z_index = SELECTION_PANE, SELECTION_PANE_Z


def build_selection_layer(point: tuple[float, float] | None, color: str = "#111111") -> folium.FeatureGroup:
    """The selected event or site: a ring drawn above its cluster, in a pane of its own."""
    group = folium.FeatureGroup(name="Selection", control=False)
    if point is not None:
        SelectionMarker(point, color).add_to(group)
    return group


def parse_clicked(tooltip_text: str | None) -> tuple[str, str] | None:
    """('event' | 'site', id) from the text st_folium reports for a clicked marker."""
    if not tooltip_text:
        return None
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
    from basewatch.state.urlstate import MapView

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
                L.polyline(pts, {color: {{ this.color|tojson }}, weight: width, opacity: 0.85})
                    .bindTooltip(tip, {sticky: true}).addTo({{ this._parent.get_name() }});
                var a = pts[pts.length - 4], b = pts[pts.length - 1];
                var dy = b[0] - a[0], dx = b[1] - a[1], len = Math.sqrt(dx * dx + dy * dy) || 1;
                var s = Math.max(0.25, 0.6 * len), ux = dx / len, uy = dy / len;
                var tipAt = pts[pts.length - 2];
                L.polygon([tipAt, [tipAt[0] - uy * s - ux * s * 0.6, tipAt[1] - ux * s + uy * s * 0.6],
                           [tipAt[0] - uy * s + ux * s * 0.6, tipAt[1] - ux * s - uy * s * 0.6]],
                    {color: {{ this.color|tojson }}, weight: 1, fillOpacity: 0.9, interactive: false})
                    .addTo({{ this._parent.get_name() }});
            });
        })();
        {% endmacro %}""")

    def __init__(self, rows: list[list], names: list[str]):
        super().__init__()
        self._name = "MovementArcs"
        self.rows = rows
        self.color = config.MOVEMENT_COLOR
        self.names = names


def build_movement_layer(moves: pd.DataFrame, sites: pd.DataFrame) -> folium.FeatureGroup:
    """Movements between sites in view as directed arcs (origin → destination), width by number of movements."""
    from basewatch.queries.geo import great_circle_points

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


class EventCells(MacroElement):
    """Grid cells of many events (server-side aggregation): a disc per cell sized by its count, coloured by
    its most frequent actor; the tooltip gives the actor mix, a click zooms in two levels.

    A row is [lat, lon, count, [[actor index, n], ...]]; actor labels and colours come from arrays built
    from the catalog through `inert`, so only numbers reach the page script.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function () {
            var actors = {{ this.actors|tojson }}, colors = {{ this.colors|tojson }};
            var rows = {{ this.rows|tojson }}, group = {{ this._parent.get_name() }};
            rows.forEach(function (r) {
                var mix = r[3], top = mix[0][0];
                var parts = mix.slice(0, 4).map(function (m) {
                    return actors[m[0]] + " " + Math.round(100 * m[1] / r[2]) + "%"; });
                var size = Math.round(26 + 7 * Math.log10(r[2]));
                var label = r[2] >= 1e6 ? (r[2] / 1e6).toFixed(1) + "M" : r[2] >= 1e4 ? Math.round(r[2] / 1e3) + "k"
                    : r[2].toLocaleString("en");
                var icon = L.divIcon({className: "bw-cell", iconSize: [size, size],
                    html: '<span style="background:' + colors[top] + '">' + label + "</span>"});
                var marker = L.marker([r[0], r[1]], {icon: icon, keyboard: false});
                marker.bindTooltip("<b>" + r[2].toLocaleString("en") + " events</b><br>" + parts.join(" · "));
                marker.on("click", function (e) {
                    var map = group._map; if (map) { map.setView(e.latlng, Math.min(map.getZoom() + 2, 18)); } });
                marker.addTo(group);
            });
        })();
        {% endmacro %}""")

    def __init__(self, rows: list[list], actors: list[str], colors: list[str]):
        super().__init__()
        self._name = "EventCells"
        self.rows, self.actors, self.colors = rows, actors, colors


def build_cell_layer(cells: pd.DataFrame, catalog) -> folium.FeatureGroup:
    """Aggregated events (see basewatch.queries.aggregate) as one disc per grid cell, coloured by its main actor."""
    group = folium.FeatureGroup(name="Events (grouped: too many to draw one by one)", control=True)
    options = catalog.options["actor"]
    index = {o.value: i for i, o in enumerate(options)}
    rows = []
    for cell in cells.itertuples(index=False):
        mix = sorted(((index[a], int(n)) for a, n in cell.actors.items() if a in index), key=lambda m: -m[1])
        if mix:
            rows.append([round(float(cell.lat), 4), round(float(cell.lon), 4), int(cell.count),
                         [list(m) for m in mix]])
    EventCells(rows, [inert(o.label) for o in options], [o.color or config.FALLBACK_COLOR for o in options]).add_to(group)
    return group
