"""The map's stable part: offline assets (no CDN), the Natural Earth base map, optional tiles and controls.

Nothing from the data reaches folium as raw text anywhere in this package: events travel as numbers
and validated ids (labels are looked up in arrays of catalog names in the browser); site names and
other free text pass through `inert`, because folium re-renders map scripts as Jinja templates on the
server and wraps tooltips in JS template literals.
"""

from __future__ import annotations

import json
from functools import lru_cache

import folium
import folium.plugins
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template

from basewatch import config
from basewatch.i18n import _
from basewatch.views.maps.export import MapExport
from basewatch.views.maps.framing import FitToFrame, UserViewFlag

OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
SATELLITE_TILES = "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}"
SATELLITE_ATTRIBUTION = "Imagery &copy; Esri, Maxar, Earthstar Geographics"


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
        .marker-cluster.bw-cluster {background:transparent;}
        .marker-cluster.bw-cluster div {width:100%;height:100%;margin:0;border-radius:50%;display:flex;
            align-items:center;justify-content:center;box-shadow:0 0 0 1px #222;}
        .marker-cluster.bw-cluster span {display:flex;line-height:1;align-items:center;justify-content:center;width:calc(100% - 10px);
            height:calc(100% - 10px);border-radius:50%;background:#2b2b2b;color:#fff;font:700 12px/1 sans-serif;}
        .bw-site-label {position:absolute;top:-9px;left:13px;white-space:nowrap;background:rgba(255,255,255,.9);
            border:0;box-shadow:none;font:600 12px/1.2 sans-serif;padding:1px 4px;color:#222;}
        .bw-site-label:before {display:none;}
        .leaflet-tooltip {font:13px/1.35 sans-serif;max-width:320px;white-space:normal;}
        .bw-selected span {display:block;width:34px;height:34px;border-radius:50%;box-sizing:border-box;
            border:4px solid #111;box-shadow:0 0 0 2px #fff, inset 0 0 0 2px #fff;
            background:radial-gradient(circle, var(--c) 0 5px, transparent 6px);}
        </style>
        {% endmacro %}""")


def build_base_map(frame: tuple[tuple[float, float], tuple[float, float]] | None = None,
                   export: bool = True, report_after_move: list[str] | None = None) -> folium.Map:
    """The stable part of the map: outlines, optional tiles, controls. Data layers are added separately.

    `frame` ((south, west), (north, east)) is fitted in the browser to the map's real size when it
    opens (see `frame_bounds`); a `center`/`zoom` passed to st_folium afterwards overrides it.
    `report_after_move` lists what the map reports to the server from the reader's first pan or zoom on.
    """
    use_local_assets()
    lat, lon, default_zoom = config.MAP_DEFAULT_VIEW
    fmap = folium.Map(location=[lat, lon], zoom_start=default_zoom, tiles=None,
                      maxZoom=config.MAP_MAX_ZOOM, minZoom=2, prefer_canvas=True, control_scale=True,
                      world_copy_jump=False)
    MarkerStyles().add_to(fmap)
    OfflineBasemap(config.STATIC_URL + "basemap/countries.geojson").add_to(fmap)
    folium.TileLayer(OSM_TILES, name=_("OpenStreetMap (online)"), attr=OSM_ATTRIBUTION, overlay=True,
                     show=False, max_zoom=19).add_to(fmap)
    folium.TileLayer(SATELLITE_TILES, name=_("Satellite imagery (online)"), attr=SATELLITE_ATTRIBUTION,
                     overlay=True, show=False, max_zoom=18).add_to(fmap)
    folium.plugins.Fullscreen(position="topleft", title=_("Full screen"), title_cancel=_("Exit full screen")).add_to(fmap)
    if frame is not None:
        FitToFrame(frame).add_to(fmap)
    UserViewFlag(report_after_move).add_to(fmap)
    if export:
        MapExport().add_to(fmap)
    return fmap


def layer_control() -> folium.LayerControl:
    """Switch base tiles and data layers on and off."""
    return folium.LayerControl(collapsed=True, position="topright")
