"""Movements between sites: great-circle arcs from origin to destination, carrying no free text."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from basewatch import config
from basewatch.loading.dataset import load_dataset
from basewatch.queries import footprint
from basewatch.queries.geo import great_circle_km, great_circle_points
from basewatch.views.maps import sites as site_layers
from tests.conftest import MINI


def test_great_circle_points_run_from_origin_to_destination_along_the_shortest_path():
    points = great_circle_points(35.41, 35.95, 32.09, 20.27, steps=16)  # Hmeimim -> Benina
    assert points[0] == [35.41, 35.95] and points[-1] == [32.09, 20.27]
    legs = sum(great_circle_km(*a, *b) for a, b in zip(points, points[1:]))
    assert abs(legs - great_circle_km(35.41, 35.95, 32.09, 20.27)) < 1


def test_movement_layer_draws_one_arc_per_route_with_counts_and_ids_only():
    events = load_dataset(MINI, today=dt.date(2026, 11, 26)).events
    events = events.assign(destination_site_id=events["id"].map({"ev-0002": "tartus", "ev-0005": "tartus"}))
    sites = load_dataset(MINI, today=dt.date(2026, 11, 26)).sites.copy()
    sites.loc[sites["id"] == "tartus", "name"] = "<script>alert(1)</script> {{ 7*7 }}"
    moves = footprint.movements(events, sites)
    assert moves[["origin", "destination", "count"]].values.tolist() == [["hmeimim", "tartus", 2]]
    layer = site_layers.build_movement_layer(moves, sites)
    arcs = next(iter(layer._children.values()))
    assert arcs.rows[0][1] == 2 and arcs.rows[0][4] == "ev-0005"  # the latest event opens on click
    script = arcs._template.module.script(arcs, {})
    assert "<script>" not in script and "{{ 7*7 }}" not in script and "alert(1)" in script  # escaped, present


def test_no_movements_no_arcs():
    sites = pd.DataFrame({"id": ["a"], "name": ["A"], "lat": [1.0], "lon": [2.0]})
    layer = site_layers.build_movement_layer(footprint.movements(pd.DataFrame(), sites), sites)
    assert not layer._children


def test_the_timeline_marks_movements_with_an_arrow_and_names_the_route():
    from basewatch.views.charts import timeline

    events = load_dataset(MINI, today=dt.date(2026, 11, 26)).events
    events = events.assign(destination_site_id=events["id"].map({"ev-0002": "tartus"}),
                           destination_name=events["id"].map({"ev-0002": "Tartus naval facility"}))
    frame = timeline.timeline_frame(events)
    assert frame.loc[frame["id"] == "ev-0002", "movement"].item() == "Hmeimim Air Base → Tartus naval facility"
    spec = timeline.timeline_chart(events).to_dict()
    arrows = [u for u in _units(spec) if isinstance(u.get("mark"), dict) and u["mark"].get("text") == "➜"]
    assert arrows and arrows[0]["mark"]["color"] == config.MOVEMENT_COLOR


def _units(spec):
    for key in ("layer", "vconcat", "hconcat"):
        for unit in spec.get(key, []):
            yield unit
            yield from _units(unit)
