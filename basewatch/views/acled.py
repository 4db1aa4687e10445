"""Events in ACLED's column layout, through a documented crosswalk, and back.

Researchers who work with ACLED can load Basewatch's events with their existing code. `CROSSWALK` is
the mapping (also in data/README.md, "ACLED-shaped export"): the ACLED columns come first, in the
codebook's order; what ACLED has no column for follows in `bw_` columns, and flags ACLED users need
(claim status, a date known only to the year) go into ACLED's own `tags` column as `key=value`.
ACLED columns Basewatch does not code (actor types, admin areas, fatalities, ...) stay empty rather
than guessed. `read_acled` turns such a file back into Basewatch's columns (the round trip is tested).
"""

from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from basewatch.state.catalog import label
from basewatch.views.downloads import export_frame

ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude",
    "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
)
EXTENSION_COLUMNS = ("bw_event_type", "bw_site_id", "bw_destination_site_id", "bw_source_url", "bw_more_sources",
                     "bw_source_date", "bw_personnel_low", "bw_personnel_high", "bw_from_site")
COLUMNS = ACLED_COLUMNS + EXTENSION_COLUMNS

# (ACLED column, Basewatch source, rule): the crosswalk as documented.
CROSSWALK = (
    ("event_id_cnty", "id", "the Basewatch id as it is (ev-0042), not ACLED's country-prefixed number"),
    ("event_date", "date", "YYYY-MM-DD, the first day of the period for month and year precision (ACLED writes "
                           "the middle of the month for time_precision 3)"),
    ("year", "date", "the year of event_date"),
    ("time_precision", "date_precision", "day → 1, month → 3, year → 3 flagged `date precision=year` in tags "
                                         "(ACLED has no code coarser than a month)"),
    ("disorder_type", "event_type", "strike → Political violence; every other type → Strategic developments"),
    ("event_type", "event_type", "strike → Explosions/Remote violence; every other type → Strategic developments"),
    ("sub_event_type", "event_type", "strike → Air/drone strike; agreement → Agreement; deployment at a site → "
                                     "Headquarters or base established; deployment elsewhere, withdrawal, "
                                     "redeployment → Change to group/activity; the rest → Other. The exact type is "
                                     "in bw_event_type"),
    ("actor1", "actor", "the actor's name"),
    ("actor2", "counterpart", "as written"),
    ("iso", "country", "ISO 3166-1 numeric code (760 for SY)"),
    ("country", "country", "the country's English name"),
    ("location", "place", "the place, else the site's name (bw_from_site says so)"),
    ("latitude", "lat", "the row's point, else its site's (bw_from_site says so)"),
    ("longitude", "lon", "the row's point, else its site's (bw_from_site says so)"),
    ("geo_precision", "coord_uncertainty_km", "the row's own point → 1; a site's point: uncertainty up to 5 km "
                                              "or not stated → 1, up to 50 km → 2, more → 3; no point → empty"),
    ("source", "source_name", "as written (the publisher, with the agency in brackets)"),
    ("notes", "summary", "as written (our own words)"),
    ("tags", "claim_status, date_precision", "`claim status=confirmed`, plus `date precision=year` on year rows"),
    ("timestamp", "last_checked", "Unix time of 00:00 UTC on that day; empty when the row has none"),
)
NOT_CODED = ("assoc_actor_1", "inter1", "assoc_actor_2", "inter2", "interaction", "civilian_targeting", "region",
             "admin1", "admin2", "admin3", "source_scale", "fatalities")

TIME_PRECISION = {"day": 1, "month": 3, "year": 3}
STRATEGIC, VIOLENCE = "Strategic developments", "Political violence"
SUB_EVENT = {"agreement": "Agreement", "withdrawal": "Change to group/activity",
             "redeployment": "Change to group/activity", "strike": "Air/drone strike"}
# ISO 3166-1 numeric codes of the countries the data names (ACLED's `iso` column).
ISO_NUMERIC = {
    "AE": 784, "AZ": 31, "BE": 56, "BF": 854, "BY": 112, "CF": 140, "CH": 756, "CY": 196, "DE": 276, "DZ": 12,
    "EG": 818, "ER": 232, "ES": 724, "FR": 250, "GB": 826, "GR": 300, "IL": 376, "IQ": 368, "IR": 364, "IT": 380,
    "JO": 400, "KZ": 398, "LB": 422, "LY": 434, "ML": 466, "MT": 470, "NE": 562, "QA": 634, "RU": 643, "SA": 682,
    "SD": 729, "SY": 760, "TD": 148, "TN": 788, "TR": 792, "UA": 804, "US": 840,
}
YEAR_FLAG = "date precision=year"
EXACT_KM, NEAR_KM = 5.0, 50.0


def _sub_event(event_type: str, site_id) -> str:
    if event_type == "deployment":
        return "Headquarters or base established" if isinstance(site_id, str) and site_id else "Change to group/activity"
    return SUB_EVENT.get(event_type, "Other")


def _geo_precision(own_point: bool, uncertainty) -> int | None:
    if own_point:
        return 1
    if uncertainty is None or pd.isna(uncertainty) or uncertainty <= EXACT_KM:
        return 1
    return 2 if uncertainty <= NEAR_KM else 3


def _timestamp(day) -> int | None:
    if not isinstance(day, str) or not day:
        return None
    return int(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), dt.UTC).timestamp())


def _blank(value) -> bool:
    return value is None or (not isinstance(value, str) and pd.isna(value)) or value == ""


def to_acled(events: pd.DataFrame, sites: pd.DataFrame) -> pd.DataFrame:
    """The events (loaded, with derived columns) as rows in ACLED's columns plus the bw_ extensions."""
    uncertainty = dict(zip(sites["id"], sites["coord_uncertainty_km"])) if "coord_uncertainty_km" in sites else {}
    plain = export_frame(events)
    rows = []
    for event, row in zip(events.itertuples(index=False), plain.itertuples(index=False)):
        own_point = not pd.isna(event.lat)
        has_point = not pd.isna(event.map_lat)
        from_site = [part for part, used in (("location", _blank(event.place) and isinstance(event.site_name, str)),
                                              ("coordinates", has_point and not own_point)) if used]
        tags = [f"claim status={event.claim_status}"] + ([YEAR_FLAG] if event.date_precision == "year" else [])
        strike = event.event_type == "strike"
        rows.append({
            "event_id_cnty": event.id, "event_date": row.date, "year": event.date.year,
            "time_precision": TIME_PRECISION[event.date_precision],
            "disorder_type": VIOLENCE if strike else STRATEGIC,
            "event_type": "Explosions/Remote violence" if strike else STRATEGIC,
            "sub_event_type": _sub_event(event.event_type, event.site_id),
            "actor1": event.actor, "actor2": event.counterpart,
            "iso": ISO_NUMERIC.get(event.country) if isinstance(event.country, str) else None,
            "country": label("country", event.country) if isinstance(event.country, str) else None,
            "location": event.site_name if "location" in from_site else event.place,
            "latitude": event.map_lat if has_point else None, "longitude": event.map_lon if has_point else None,
            "geo_precision": _geo_precision(own_point, uncertainty.get(event.site_id)) if has_point else None,
            "source": event.source_name, "notes": event.summary, "tags": "; ".join(tags),
            "timestamp": _timestamp(event.last_checked),
            "bw_event_type": event.event_type, "bw_site_id": event.site_id,
            "bw_destination_site_id": event.destination_site_id, "bw_source_url": event.source_url,
            "bw_more_sources": event.more_sources, "bw_source_date": event.source_date,
            "bw_personnel_low": event.personnel_low, "bw_personnel_high": event.personnel_high,
            "bw_from_site": " ".join(from_site),
        })
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for column in ("year", "time_precision", "iso", "geo_precision", "timestamp", "bw_personnel_low",
                   "bw_personnel_high"):
        frame[column] = frame[column].astype("Int64")
    return frame


def acled_csv(events: pd.DataFrame, sites: pd.DataFrame) -> bytes:
    """The events as an ACLED-shaped CSV (UTF-8, LF)."""
    return to_acled(events, sites).to_csv(index=False, lineterminator="\n").encode("utf-8")


def _tags(cell) -> dict[str, str]:
    pairs = (part.split("=", 1) for part in str(cell or "").split(";") if "=" in part)
    return {key.strip(): value.strip() for key, value in pairs}


def read_acled(content: bytes) -> pd.DataFrame:
    """An ACLED-shaped CSV written by `acled_csv` back in Basewatch's events.csv columns (all text, blanks empty)."""
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    alpha2 = {number: code for code, number in ISO_NUMERIC.items()}
    out = []
    for row in frame.to_dict("records"):
        tags = _tags(row.get("tags"))
        from_site = row.get("bw_from_site", "").split()
        precision = tags.get("date precision") or {"1": "day", "2": "day", "3": "month"}.get(row["time_precision"], "day")
        iso = row.get("iso", "")
        country = alpha2.get(int(iso), "") if iso.isdigit() else row.get("country", "")
        stamp = row.get("timestamp", "")
        checked = dt.datetime.fromtimestamp(int(stamp), dt.UTC).date().isoformat() if stamp.isdigit() else ""
        out.append({
            "id": row["event_id_cnty"], "date": row["event_date"], "date_precision": precision,
            "actor": row["actor1"], "counterpart": row["actor2"],
            "event_type": row.get("bw_event_type") or _event_type(row["sub_event_type"]),
            "site_id": row.get("bw_site_id", ""),
            "place": "" if "location" in from_site else row["location"],
            "country": country,
            "lat": "" if "coordinates" in from_site else row["latitude"],
            "lon": "" if "coordinates" in from_site else row["longitude"],
            "personnel_low": row.get("bw_personnel_low", ""), "personnel_high": row.get("bw_personnel_high", ""),
            "summary": row["notes"], "claim_status": tags.get("claim status", ""), "source_name": row["source"],
            "source_url": row.get("bw_source_url", ""), "source_date": row.get("bw_source_date", ""),
            "more_sources": row.get("bw_more_sources", ""),
            "destination_site_id": row.get("bw_destination_site_id", ""), "last_checked": checked,
        })
    return pd.DataFrame(out, dtype=object)


def _event_type(sub_event_type: str) -> str:
    """Basewatch's event type for a plain ACLED row (one without bw_event_type)."""
    reverse = {"Agreement": "agreement", "Air/drone strike": "strike", "Headquarters or base established": "deployment"}
    return reverse.get(sub_event_type, "other")
