"""The event layer: clustered points built in the browser from compact rows, or grid cells at scale.

`layer_data` decides which: every located event as a point while at most `POINT_THRESHOLD` are in the
filtered view, else the cells (or points) `queries.aggregate.map_view` gives for the viewport the map
last reported. `build_layer` draws either one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import folium
import folium.plugins
import pandas as pd
from branca.element import CssLink, JavascriptLink, MacroElement
from folium.template import Template

from basewatch.i18n import _
from basewatch.queries import aggregate
from basewatch.text import inert, localized_date_labels


class EventCluster(folium.plugins.MarkerCluster):
    """Events as one clustered layer built in the browser from compact rows.

    A row is [lat, lon, actor index, type index, status index, date label, id]; names and colours come
    from arrays built from the catalog, so no free text from the data is ever embedded. A cluster is a
    neutral dark disc with its count, ringed by its actor mix in the actors' colours: Leaflet.markercluster's
    default green, yellow and orange by size would read as the site-status palette.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var actors = {{ this.actors|tojson }}, colors = {{ this.colors|tojson }};
            var types = {{ this.types|tojson }}, statuses = {{ this.statuses|tojson }};
            var statusNames = {{ this.status_names|tojson }};
            var data = {{ this.data_json }};
            var markers = new Array(data.length);
            for (var i = 0; i < data.length; i++) {
                var r = data[i], status = statuses[r[4]];
                var cls = "bw-ev" + (status === "confirmed" ? "" : (status === "denied" ? " denied" : " hollow"));
                var icon = L.divIcon({className: cls, iconSize: [12, 12],
                    html: '<span style="--c:' + colors[r[2]] + '"></span>'});
                var m = L.marker([r[0], r[1]], {icon: icon, keyboard: false, bwActor: r[2]});
                m.bindTooltip('<div dir="auto"><b>' + r[5] + "</b> · " + actors[r[2]] + " · " + types[r[3]] +
                    " · <i>" + statusNames[r[4]] + "</i></div><span hidden>[event:" + r[6] + "]</span>");
                markers[i] = m;
            }
            var options = {{ this.options|tojavascript }};
            options.iconCreateFunction = function (cluster) {
                var children = cluster.getAllChildMarkers(), counts = {}, n = children.length;
                children.forEach(function (m) { counts[m.options.bwActor] = (counts[m.options.bwActor] || 0) + 1; });
                var stops = [], at = 0;
                Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a]; }).forEach(function (a) {
                    var next = at + 360 * counts[a] / n;
                    stops.push(colors[a] + " " + at.toFixed(1) + "deg " + next.toFixed(1) + "deg");
                    at = next;
                });
                var size = n < 10 ? 30 : n < 100 ? 36 : 42;
                return L.divIcon({className: "marker-cluster bw-cluster", iconSize: [size, size],
                    html: '<div style="background:conic-gradient(' + stops.join(",") + ')"><span>' + n +
                          "</span></div>"});
            };
            var cluster = L.markerClusterGroup(options);
            cluster.addLayers(markers);
            cluster.addTo({{ this._parent.get_name() }});
            return cluster;
        })();
        {% endmacro %}""")

    def __init__(self, rows: list[list], catalog, name: str | None = None):
        super().__init__(name=name or _("Events"), chunkedLoading=True, showCoverageOnHover=False, maxClusterRadius=40,
                         spiderfyOnMaxZoom=True)
        self._name = "EventCluster"
        # Serialised once here (Jinja's tojson is several times slower); rows hold only numbers,
        # date labels and validated ids, and '<' is escaped anyway so nothing can close the script tag.
        self.data_json = json.dumps(rows, separators=(",", ":")).replace("<", "\\u003c")
        actors = catalog.values("actor")
        self.actors = [inert(catalog.label("actor", a)) for a in actors]
        self.colors = [catalog.color("actor", a) for a in actors]
        self.types = [inert(catalog.label("type", t)) for t in catalog.values("type")]
        self.statuses = catalog.values("status")  # slugs: the script compares them
        self.status_names = [inert(catalog.label("status", s)) for s in self.statuses]

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


# Every column the layer reads (points and cells): the map page copies these, not every column, of the view.
COLUMNS = ["map_lat", "map_lon", "actor_slug", "event_type", "claim_status", "date", "date_precision", "date_label",
           "id"]


def event_rows(events: pd.DataFrame, catalog) -> list[list]:
    """Compact rows for EventCluster from events that have a map position (positions in catalog order)."""
    located = events.loc[events["map_lat"].notna(),
                         ["map_lat", "map_lon", "actor_slug", "event_type", "claim_status", "date_label", "id"]]
    frame = pd.DataFrame({
        "lat": located["map_lat"].round(4), "lon": located["map_lon"].round(4),
        "actor": located["actor_slug"].map(catalog.index("actor")),
        "type": located["event_type"].map(catalog.index("type")),
        "status": located["claim_status"].map(catalog.index("status")),
        "date": localized_date_labels(events.loc[located.index]),
        "id": located["id"],
    })
    return frame.values.tolist()


@dataclass(frozen=True)
class LayerData:
    """What the event layer draws: compact point rows, or grid cells when too many events are in view."""

    kind: str  # "points" or "cells"
    rows: list | None = None
    cells: pd.DataFrame | None = None


def needs_viewport(events: pd.DataFrame) -> bool:
    """Whether the layer depends on the viewport (too many located events to send them all)."""
    return int(events["map_lat"].notna().sum()) > aggregate.POINT_THRESHOLD


def layer_data(events: pd.DataFrame, catalog, viewport: aggregate.Viewport | None = None) -> LayerData:
    """Every located event as a point while few enough; at scale the cells (or points) in `viewport`."""
    if not needs_viewport(events):
        return LayerData("points", rows=event_rows(events, catalog))
    # read now, not at import: tests and tools may lower the threshold
    shown = aggregate.map_view(events, viewport, aggregate.POINT_THRESHOLD)
    if shown.kind == "cells":
        return LayerData("cells", cells=shown.cells)
    return LayerData("points", rows=event_rows(shown.events, catalog))


def build_layer(data: LayerData, catalog) -> folium.FeatureGroup:
    """The event layer for `layer_data`'s answer: clustered points or grid cells."""
    if data.kind == "cells":
        return build_cell_layer(data.cells, catalog)
    group = folium.FeatureGroup(name=_("Events"), control=True)
    EventCluster(data.rows, catalog).add_to(group)
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
                    : r[2].toLocaleString("en");  // Latin digits in every language (see the glossary)
                var icon = L.divIcon({className: "bw-cell", iconSize: [size, size],
                    html: '<span style="background:' + colors[top] + '">' + label + "</span>"});
                var marker = L.marker([r[0], r[1]], {icon: icon, keyboard: false});
                marker.bindTooltip('<div dir="auto"><b>' + {{ this.count_text|tojson }}.replace("{count}", r[2].toLocaleString("en")) +
                    "</b><br>" + parts.join(" · ") + "</div>");
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
        self.count_text = inert(_("{count} events"))


def build_cell_layer(cells: pd.DataFrame, catalog) -> folium.FeatureGroup:
    """Aggregated events (see basewatch.queries.aggregate) as one disc per grid cell, coloured by its main actor."""
    group = folium.FeatureGroup(name=_("Events (grouped: too many to draw one by one)"), control=True)
    index = catalog.index("actor")
    actors = catalog.values("actor")
    rows = []
    for cell in cells.itertuples(index=False):
        mix = sorted(((index[a], int(n)) for a, n in cell.actors.items() if a in index), key=lambda m: -m[1])
        if mix:
            rows.append([round(float(cell.lat), 4), round(float(cell.lon), 4), int(cell.count),
                         [list(m) for m in mix]])
    EventCells(rows, [inert(catalog.label("actor", a)) for a in actors],
               [catalog.color("actor", a) for a in actors]).add_to(group)
    return group
