"""Server-side map aggregation at scale: grid cells per zoom (count + actor mix), or points when few enough.

At a million events the map cannot ship every point. For the viewport the map last reported (st_folium's
`bounds` and `zoom`), `map_view` returns the individual events when at most `threshold` of them are in
view, and otherwise one row per grid cell: its event count, the count-weighted mean position of its events
and how many belong to each actor. Cells are about CELL_PX screen pixels wide at every zoom, so the number
of cells, and the payload, is bounded by the size of the map on screen, not by the number of events.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

POINT_THRESHOLD = 20_000  # events in view up to which the map ships individual (clustered) points
CELL_PX = 64  # cell width on screen: a Web Mercator tile is 256 px, so a cell is a quarter tile wide
MIN_ZOOM, MAX_ZOOM = 0, 18
CELL_COLUMNS = ["map_lat", "map_lon", "actor_slug"]  # all grid_cells reads


@dataclass(frozen=True)
class Viewport:
    """What the map shows: south/west/north/east in degrees and the Leaflet zoom level."""

    south: float
    west: float
    north: float
    east: float
    zoom: int

    @classmethod
    def from_result(cls, result: dict | None) -> Viewport | None:
        """The viewport st_folium reported (returned_objects must include "bounds" and "zoom"), or None."""
        try:
            bounds, zoom = result["bounds"], int(result["zoom"])
            south, west = float(bounds["_southWest"]["lat"]), float(bounds["_southWest"]["lng"])
            north, east = float(bounds["_northEast"]["lat"]), float(bounds["_northEast"]["lng"])
        except (KeyError, TypeError, ValueError):
            return None
        if not all(map(math.isfinite, (south, west, north, east))) or south > north:
            return None
        # Leaflet reports longitudes past ±180 when the world repeats; more than a full turn means "all".
        if east - west >= 360:
            west, east = -180.0, 180.0
        return cls(south, west, north, east, max(MIN_ZOOM, min(MAX_ZOOM, zoom)))


def viewport_key(view: Viewport | None) -> tuple | None:
    """A cache key for a viewport, snapped to its zoom's grid so tiny pans reuse the cells already made."""
    if view is None:
        return None
    size = cell_degrees(view.zoom)
    snap = [math.floor(view.south / size), math.floor(view.west / size), math.ceil(view.north / size),
            math.ceil(view.east / size)]
    return (snap[0] * size, snap[1] * size, snap[2] * size, snap[3] * size, view.zoom)


def cell_degrees(zoom: int) -> float:
    """Width of a grid cell in degrees at `zoom` (about CELL_PX pixels on screen)."""
    return 360.0 / (2 ** zoom) * CELL_PX / 256


def in_view(events: pd.DataFrame, view: Viewport) -> np.ndarray:
    """Mask of located events inside the viewport (longitudes wrapped to the viewport's range)."""
    lat = events["map_lat"].to_numpy(dtype="float64")
    lon = events["map_lon"].to_numpy(dtype="float64")
    # Leaflet's bounds may run past ±180 after panning around the world: shift each longitude into
    # [west, west + 360) before comparing.
    shifted = (lon - view.west) % 360.0 + view.west
    with np.errstate(invalid="ignore"):
        return (lat >= view.south) & (lat <= view.north) & (shifted <= view.east)


def grid_cells(events: pd.DataFrame, zoom: int) -> pd.DataFrame:
    """One row per non-empty grid cell: cell_x, cell_y, count, lat, lon (mean position) and actors (slug → n)."""
    lat = events["map_lat"].to_numpy(dtype="float64")
    lon = events["map_lon"].to_numpy(dtype="float64")
    located = ~(np.isnan(lat) | np.isnan(lon))
    lat, lon = lat[located], lon[located]
    # Actors as codes in sorted order (not a million Python strings); the mix names them again below.
    codes, actor_names = pd.factorize(events["actor_slug"], sort=True)
    size = cell_degrees(zoom)
    frame = pd.DataFrame({
        "cell_x": np.floor(lon / size).astype("int64"), "cell_y": np.floor(lat / size).astype("int64"),
        "lat": lat, "lon": lon, "actor": codes[located],
    })
    if frame.empty:
        return pd.DataFrame({"cell_x": pd.Series(dtype="int64"), "cell_y": pd.Series(dtype="int64"),
                             "count": pd.Series(dtype="int64"), "lat": pd.Series(dtype="float64"),
                             "lon": pd.Series(dtype="float64"), "actors": pd.Series(dtype=object)})
    keys = ["cell_x", "cell_y"]
    cells = frame.groupby(keys, sort=True).agg(count=("lat", "size"), lat=("lat", "mean"), lon=("lon", "mean"))
    mix = frame.groupby([*keys, "actor"], sort=True).size()
    actors: dict[tuple[int, int], dict[str, int]] = {}
    for (x, y, actor), n in zip(mix.index, mix.to_numpy()):
        actors.setdefault((int(x), int(y)), {})[str(actor_names[actor])] = int(n)
    cells = cells.reset_index()
    cells["actors"] = [actors[(int(x), int(y))] for x, y in zip(cells["cell_x"], cells["cell_y"])]
    cells["count"] = cells["count"].astype("int64")
    return cells


@dataclass(frozen=True)
class MapView:
    """What the map layer should draw: individual events, or grid cells when there are too many."""

    kind: str  # "points" or "cells"
    in_view: int  # located events inside the viewport
    events: pd.DataFrame | None = None
    cells: pd.DataFrame | None = None


def map_view(events: pd.DataFrame, view: Viewport | None, threshold: int = POINT_THRESHOLD) -> MapView:
    """Points when at most `threshold` located events are in view (or no viewport is known yet and the
    whole set is that small); grid cells of the events in view otherwise."""
    located = events["map_lat"].notna().to_numpy() & events["map_lon"].notna().to_numpy()
    mask = in_view(events, view) & located if view is not None else located
    count = int(mask.sum())
    if count <= threshold:
        return MapView("points", count, events=events[mask])
    zoom = view.zoom if view is not None else 5
    # Cells read three columns: copying only those keeps a million rows from being copied 40 columns wide.
    return MapView("cells", count, cells=grid_cells(events.loc[mask, CELL_COLUMNS], zoom))
