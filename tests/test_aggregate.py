"""Map aggregation: cells equal a plain-Python reference; points below the threshold, cells above it."""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict

import numpy as np
import pandas as pd
import pytest

from basewatch.queries import aggregate
from basewatch.queries.aggregate import Viewport


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    n = 20_000
    lat = rng.normal(33, 6, n)
    lon = rng.normal(25, 12, n)
    unlocated = rng.random(n) < 0.05
    lat[unlocated] = np.nan
    lon[unlocated] = np.nan
    return pd.DataFrame({"map_lat": lat, "map_lon": lon,
                         "actor_slug": rng.choice(np.array(["russia", "wagner-group", "turkey"], dtype=object), n)})


def reference_cells(events: pd.DataFrame, zoom: int) -> dict:
    size = aggregate.cell_degrees(zoom)
    counts, actors, sums = Counter(), defaultdict(Counter), defaultdict(lambda: [0.0, 0.0])
    for lat, lon, actor in zip(events["map_lat"], events["map_lon"], events["actor_slug"]):
        if math.isnan(lat) or math.isnan(lon):
            continue
        key = (math.floor(lon / size), math.floor(lat / size))
        counts[key] += 1
        actors[key][actor] += 1
        sums[key][0] += lat
        sums[key][1] += lon
    return {k: (counts[k], dict(actors[k]), sums[k][0] / counts[k], sums[k][1] / counts[k]) for k in counts}


@pytest.mark.parametrize("zoom", [2, 5, 9])
def test_grid_cells_equal_a_plain_reference(events, zoom):
    cells = aggregate.grid_cells(events, zoom)
    got = {(int(r.cell_x), int(r.cell_y)): (int(r.count), r.actors, r.lat, r.lon) for r in cells.itertuples()}
    want = reference_cells(events, zoom)
    assert got.keys() == want.keys()
    for key, (count, actors, lat, lon) in want.items():
        assert got[key][:2] == (count, actors), key
        assert got[key][2] == pytest.approx(lat) and got[key][3] == pytest.approx(lon)
    assert cells["count"].sum() == events["map_lat"].notna().sum()


def test_cells_grow_finer_with_zoom(events):
    assert len(aggregate.grid_cells(events, 3)) < len(aggregate.grid_cells(events, 7))
    assert aggregate.cell_degrees(6) == aggregate.cell_degrees(5) / 2


def test_points_below_the_threshold_cells_above(events):
    small = Viewport(south=33.0, west=25.0, north=33.5, east=25.5, zoom=10)
    wide = Viewport(south=-10, west=-40, north=70, east=90, zoom=4)
    view = aggregate.map_view(events, small, threshold=1000)
    assert view.kind == "points" and len(view.events) == view.in_view
    lat, lon = view.events["map_lat"], view.events["map_lon"]
    assert lat.between(33.0, 33.5).all() and lon.between(25.0, 25.5).all()
    big = aggregate.map_view(events, wide, threshold=1000)
    assert big.kind == "cells" and big.cells["count"].sum() == big.in_view > 1000


def test_the_payload_is_bounded_by_the_screen_not_by_the_events(events):
    """Ten times the events in the same viewport: the same number of cells (payload stays flat)."""
    view = Viewport(south=-10, west=-40, north=70, east=90, zoom=5)
    tenfold = pd.concat([events] * 10, ignore_index=True)
    one = aggregate.map_view(events, view, threshold=100).cells
    ten = aggregate.map_view(tenfold, view, threshold=100).cells
    assert len(one) == len(ten)
    assert (ten["count"].to_numpy() == 10 * one["count"].to_numpy()).all()
    assert len(json.dumps(ten[["count", "lat", "lon", "actors"]].to_dict("records"))) < 100_000


def test_viewport_from_st_folium_result():
    result = {"zoom": 6, "bounds": {"_southWest": {"lat": 30.1, "lng": 20.5}, "_northEast": {"lat": 36, "lng": 40}}}
    assert Viewport.from_result(result) == Viewport(30.1, 20.5, 36.0, 40.0, 6)
    for junk in (None, {}, {"zoom": 6}, {"zoom": "x", "bounds": result["bounds"]},
                 {"zoom": 6, "bounds": {"_southWest": {"lat": None, "lng": 1}, "_northEast": {"lat": 1, "lng": 2}}}):
        assert Viewport.from_result(junk) is None
    whole = {"zoom": 1, "bounds": {"_southWest": {"lat": -80, "lng": -300}, "_northEast": {"lat": 80, "lng": 300}}}
    assert Viewport.from_result(whole).west == -180 and Viewport.from_result(whole).east == 180


def test_a_viewport_past_the_antimeridian_still_finds_the_events():
    frame = pd.DataFrame({"map_lat": [10.0, 10.0], "map_lon": [179.5, -179.5], "actor_slug": ["russia", "russia"]})
    view = Viewport(south=0, west=170, north=20, east=190, zoom=5)  # Leaflet after panning east of 180°
    assert aggregate.in_view(frame, view).tolist() == [True, True]


def test_cell_layer_carries_counts_and_actor_indices_only():
    import datetime as dt

    from basewatch.loading.dataset import load_dataset
    from basewatch.queries import aggregate
    from basewatch.state.catalog import build_catalog
    from basewatch.views.maps import events as event_layers
    from tests.conftest import MINI

    dataset = load_dataset(MINI, today=dt.date(2026, 11, 26))
    cells = aggregate.grid_cells(dataset.events, 3)
    layer = event_layers.build_cell_layer(cells, build_catalog(dataset.events, dataset.sites))
    element = next(iter(layer._children.values()))
    assert sum(r[2] for r in element.rows) == int(dataset.events["map_lat"].notna().sum())
    assert all(isinstance(v, (int, float)) for r in element.rows for v in r[:3])
    assert all(isinstance(i, int) and isinstance(n, int) for r in element.rows for i, n in r[3])


def test_map_page_switches_to_cells_above_the_threshold_and_keeps_points_below(monkeypatch):
    import json

    from basewatch.queries import aggregate
    from tests.conftest import MINI
    from tests.test_pages import run_page

    def layers(at):
        return json.loads(at.get("component_instance")[0].proto.json_args)["feature_group"]

    points = layers(run_page("pages/map.py", data_dir=MINI, monkeypatch=monkeypatch))
    assert "markerClusterGroup" in points and "\"bw-cell\"" not in points
    monkeypatch.setattr(aggregate, "POINT_THRESHOLD", 3)
    cells = layers(run_page("pages/map.py", data_dir=MINI, monkeypatch=monkeypatch))
    assert "\"bw-cell\"" in cells and "markerClusterGroup" not in cells
