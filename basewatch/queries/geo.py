"""Great-circle distances between sites."""

from __future__ import annotations

import math

import pandas as pd

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def distances_from(site_id: str, sites: pd.DataFrame) -> pd.DataFrame:
    """Distance from one site to every other, nearest first."""
    origin = sites[sites["id"] == site_id].iloc[0]
    others = sites[sites["id"] != site_id]
    km = [round(great_circle_km(origin["lat"], origin["lon"], r["lat"], r["lon"])) for _index, r in others.iterrows()]
    return (pd.DataFrame({"km": km, "site": others["name"].to_list(), "country": others["country"].to_list()})
            .sort_values("km").reset_index(drop=True))


def great_circle_points(lat1: float, lon1: float, lat2: float, lon2: float, steps: int = 32) -> list[list[float]]:
    """Points along the great circle from one position to another (spherical interpolation), ends included."""
    p1, l1, p2, l2 = map(math.radians, (lat1, lon1, lat2, lon2))
    a = (math.cos(p1) * math.cos(l1), math.cos(p1) * math.sin(l1), math.sin(p1))
    b = (math.cos(p2) * math.cos(l2), math.cos(p2) * math.sin(l2), math.sin(p2))
    omega = math.acos(max(-1.0, min(1.0, sum(x * y for x, y in zip(a, b)))))
    if omega < 1e-9:
        return [[lat1, lon1], [lat2, lon2]]
    points = []
    for i in range(steps + 1):
        t = i / steps
        k1, k2 = math.sin((1 - t) * omega) / math.sin(omega), math.sin(t * omega) / math.sin(omega)
        x, y, z = (k1 * u + k2 * v for u, v in zip(a, b))
        points.append([round(math.degrees(math.atan2(z, math.hypot(x, y))), 4),
                       round(math.degrees(math.atan2(y, x)), 4)])
    return points
