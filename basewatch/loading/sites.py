"""bases.geojson: one Point feature per site, validated against the contract."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from basewatch.loading.files import read_text
from basewatch.loading.problems import Problem, describe_validation_error, shown_path
from basewatch.loading.schema import SITE_FEATURE


def _feature_lines(text: str, features: list) -> list[int | None]:
    """Best-effort line number of each feature, found through its id in the raw text."""
    lines: list[int | None] = []
    starts = [m.start() for m in re.finditer(r'"type"\s*:\s*"Feature"', text)]
    for index, feature in enumerate(features):
        site_id = feature.get("properties", {}).get("id") if isinstance(feature, dict) else None
        pos = -1
        if isinstance(site_id, str):
            match = re.search(r'"id"\s*:\s*' + re.escape(json.dumps(site_id)), text)
            pos = match.start() if match else -1
        if pos < 0 and index < len(starts):
            pos = starts[index]
        lines.append(text.count("\n", 0, pos) + 1 if pos >= 0 else None)
    return lines


def load_sites(path: Path, problems: list[Problem], digest=None) -> tuple[pd.DataFrame, dict]:
    """Validate bases.geojson; return one row per site and the cleaned FeatureCollection."""
    shown = shown_path(path)
    empty = pd.DataFrame(columns=["id", "name", "lat", "lon"])
    text = read_text(path, problems, digest)
    if text is None:
        return empty, {"type": "FeatureCollection", "features": []}
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.append(Problem(shown, exc.lineno, None, f"invalid JSON: {exc.msg} (character {exc.colno})"))
        return empty, {"type": "FeatureCollection", "features": []}
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(
            doc.get("features"), list):
        problems.append(Problem(shown, 1, "type", "must be a GeoJSON FeatureCollection with a 'features' list"))
        return empty, {"type": "FeatureCollection", "features": []}

    features = doc["features"]
    lines = _feature_lines(text, features)
    rows, seen = [], {}
    for index, (feature, line) in enumerate(zip(features, lines)):
        try:
            clean = SITE_FEATURE.validate_python(feature)
        except ValidationError as exc:
            for error in exc.errors():
                loc = [str(part) for part in error["loc"]]
                column = loc[-1] if loc and loc[0] == "properties" and len(loc) > 1 else ".".join(loc)
                if loc[:1] == ["properties"] and len(loc) > 2 and loc[1] == "sources":
                    column = "sources"
                if loc[:1] == ["geometry"]:
                    column = "geometry.coordinates" if "coordinates" in loc else "geometry"
                problems.append(Problem(shown, line, column, f"feature {index + 1}: {describe_validation_error(error)}"))
            continue
        props = clean["properties"]
        if props["id"] in seen:
            problems.append(Problem(shown, line, "id",
                                    f"duplicate site id {props['id']!r} (first at line {seen[props['id']]})"))
            continue
        seen[props["id"]] = line
        lon, lat = clean["geometry"]["coordinates"]
        rows.append({**props, "lat": float(lat), "lon": float(lon)})
    sites = pd.DataFrame(rows) if rows else empty
    sites.attrs["lines"] = dict(seen)
    cleaned = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": r["id"], "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
         "properties": {k: v for k, v in r.items() if k not in ("lat", "lon")}} for r in rows]}
    return sites, cleaned

