"""Exports of the filtered events and the sites, and the tables of the Data page."""

from __future__ import annotations

import json

import pandas as pd

from basewatch import config
from basewatch.i18n import N_, _
from basewatch.loading.dataset import Dataset

COLUMN_HELP = {
    "id": N_("Stable event id, never reused; `event=` in links"),
    "date": N_("YYYY-MM-DD; first day of the period when less precise"),
    "date_precision": N_("day | month | year"),
    "actor": N_("Who acted (controlled list)"),
    "counterpart": N_("Optional other party"),
    "event_type": ", ".join(config.EVENT_TYPES),
    "site_id": N_("A site id from bases.geojson, or empty"),
    "place": N_("Place name as the source gives it"),
    "country": N_("ISO 3166-1 alpha-2 code"),
    "lat": N_("Optional latitude (the site's when empty)"),
    "lon": N_("Optional longitude (the site's when empty)"),
    "personnel_low": N_("Optional low estimate of Russian personnel in scope after the event"),
    "personnel_high": N_("Optional high estimate (equal to low for a single figure)"),
    "summary": N_("One or two sentences in our own words"),
    "claim_status": " | ".join(config.CLAIM_STATUSES),
    "source_name": N_("Publisher of the source (agency in brackets)"),
    "source_url": N_("http(s) URL of the source"),
    "source_date": N_("Publication date: YYYY-MM-DD, YYYY-MM or YYYY"),
    "more_sources": N_("Further http(s) URLs, space-separated"),
    "destination_site_id": N_("Optional: for a movement, the site it went to (site_id is where it came from)"),
    "last_checked": N_("Optional: YYYY-MM-DD, when the row was last checked against its sources"),
}


def export_frame(events: pd.DataFrame) -> pd.DataFrame:
    """The filtered events in the contract's columns and formats."""
    # Optional contract columns travel along when the data uses them, so a download validates again.
    optional = [c for c in config.OPTIONAL_EVENT_COLUMNS if c in events and events[c].notna().any()]
    frame = events[list(config.EVENT_COLUMNS) + optional].copy()
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d")
    return frame


def events_csv(events: pd.DataFrame) -> bytes:
    """Filtered events as a CSV that passes the validator."""
    return export_frame(events).to_csv(index=False, lineterminator="\n").encode("utf-8")


# Escapes that leave every JSON value as it is but keep a browser or a careless template from seeing a tag.
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def inert_json(document, indent: int | None = None, default=None) -> bytes:
    """A document as UTF-8 JSON with <, > and the JavaScript line separators written as \\u escapes."""
    text = json.dumps(document, ensure_ascii=False, indent=indent, default=default, allow_nan=False)
    for char, escape in _JSON_ESCAPES.items():
        text = text.replace(char, escape)
    return text.encode("utf-8")


# RFC 7946 advises at most 6 decimals (about 10 cm): more is noise, not precision.
GEOJSON_DECIMALS = 6


def _position(lon: float, lat: float) -> list[float]:
    """An RFC 7946 position: [longitude, latitude], rounded to GEOJSON_DECIMALS."""
    return [round(float(lon), GEOJSON_DECIMALS), round(float(lat), GEOJSON_DECIMALS)]


def events_geojson(events: pd.DataFrame) -> bytes:
    """Filtered events that have a position, as an RFC 7946 GeoJSON FeatureCollection ([lon, lat], WGS84)."""
    located = events["map_lat"].notna().to_numpy()
    frame = export_frame(events[located]).drop(columns=["lat", "lon"])
    frame = frame.astype(object).where(frame.notna(), None)
    records = frame.to_dict("records")
    features = [{"type": "Feature", "id": props["id"], "properties": props,
                 "geometry": {"type": "Point", "coordinates": _position(lon, lat)}}
                for props, lat, lon in zip(records, events["map_lat"][located], events["map_lon"][located])]
    return inert_json({"type": "FeatureCollection", "features": features})


def sites_geojson(dataset: Dataset) -> bytes:
    """All sites as RFC 7946 GeoJSON, as validated (positions rounded, no `crs` member)."""
    doc = {key: value for key, value in dataset.sites_geojson.items() if key != "crs"}
    doc["features"] = [{**feature, "geometry": {**feature["geometry"],
                                                "coordinates": _position(*feature["geometry"]["coordinates"][:2])}}
                       for feature in dataset.sites_geojson.get("features", [])]
    return inert_json(doc, indent=1)


def sources_by_publisher(events: pd.DataFrame) -> pd.DataFrame:
    """Publishers with how many events cite them, most cited first, plus one example URL."""
    grouped = events.groupby("source_name").agg(events=("id", "size"), example=("source_url", "first"))
    return grouped.reset_index().rename(columns={"source_name": "publisher"}).sort_values(
        ["events", "publisher"], ascending=[False, True])


def dictionary_table() -> pd.DataFrame:
    """The events.csv columns with their meaning, for the Data page."""
    return pd.DataFrame({"column": list(config.ALL_EVENT_COLUMNS),
                         "meaning": [_(COLUMN_HELP[c]) for c in config.ALL_EVENT_COLUMNS]})
