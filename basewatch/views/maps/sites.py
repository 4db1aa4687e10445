"""Site layers: status-coloured rings with decluttered labels, range rings, the selection, movement arcs."""

from __future__ import annotations

import re

import folium
import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from basewatch import config
from basewatch.i18n import _
from basewatch.queries.geo import great_circle_points
from basewatch.text import inert, number


def site_tooltip(site: pd.Series, catalog) -> str:
    """Hover text of a site marker; the hidden part lets a click name the site."""
    return (f'<div dir="auto"><b>{inert(site["name"])}</b><br>{inert(catalog.label("site_kind", site["kind"]))} · '
            + inert(_("status: {status}").format(status=catalog.label("site_status", site["status"])))
            + f"</div><span hidden>[site:{inert(site['id'])}]</span>")


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
                        html: '<div class="bw-site-label" dir="auto">' + r[4] + "</div>"})}).addTo(group);
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


def build_site_layer(sites: pd.DataFrame, catalog, events: pd.DataFrame | None = None) -> folium.FeatureGroup:
    """Sites as rings coloured by status, with decluttered name labels (busiest sites in `events` first)."""
    group = folium.FeatureGroup(name=_("Sites"), control=True)
    rank = label_priority(sites, events)
    rows = [[float(site["lat"]), float(site["lon"]), catalog.color("site_status", site["status"]),
             site_tooltip(site, catalog), inert(short_name(site["name"])), uncertainty_km(site)]
            for _index, site in sites.iterrows()]
    SiteMarkers(rows, [rank[site_id] for site_id in sites["id"]]).add_to(group)
    return group


def build_ring_layer(sites: pd.DataFrame, ring_ids: tuple[str, ...], radius_km: int) -> folium.FeatureGroup:
    """Range rings of `radius_km` around the chosen sites."""
    group = folium.FeatureGroup(name=_("Range rings ({km} km)").format(km=number(radius_km)), control=True)
    chosen = sites[sites["id"].isin(ring_ids)]
    for _index, site in chosen.iterrows():
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
    group = folium.FeatureGroup(name=_("Selection"), control=False)
    if point is not None:
        SelectionMarker(point, color).add_to(group)
    return group


def parse_clicked(tooltip_text: str | None) -> tuple[str, str] | None:
    """('event' | 'site', id) from the text st_folium reports for a clicked marker."""
    if not tooltip_text:
        return None
    match = re.search(r"\[(event|site):([a-z0-9]+(?:-[a-z0-9]+)*)\]\s*$", tooltip_text.strip())
    return (match.group(1), match.group(2)) if match else None


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
                var words = {{ this.words|tojson }};
                var tip = '<div dir="auto"><b><bdi>' + names[r[2]] + "</bdi> → <bdi>" + names[r[3]] + "</bdi></b><br>" +
                    (n === 1 ? words[0] : words[1]).replace("{count}", n) + " " +
                    r[5].map(function (i) { return "<bdi>" + i + "</bdi>"; }).join(", ") +
                    "</div><span hidden>[event:" + r[4] + "]</span>";
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
        # One and several movements (the arcs count in the browser; languages with more plural forms use
        # the general form, which the translations word so that it reads for any number).
        self.words = [inert(_("{count} movement in view:")), inert(_("{count} movements in view:"))]


def build_movement_layer(moves: pd.DataFrame, sites: pd.DataFrame) -> folium.FeatureGroup:
    """Movements between sites in view as directed arcs (origin → destination), width by number of movements."""
    group = folium.FeatureGroup(name=_("Movements between sites"), control=True)
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
