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
    km = [round(great_circle_km(origin["lat"], origin["lon"], r["lat"], r["lon"])) for _, r in others.iterrows()]
    return (pd.DataFrame({"km": km, "site": others["name"].to_list(), "country": others["country"].to_list()})
            .sort_values("km").reset_index(drop=True))
