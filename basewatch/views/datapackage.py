"""The data folder as a Frictionless Data Package: `datapackage.json` and the derived `sites.csv`, built from the contract.

The Table Schemas come from the same definitions the validator enforces: the pydantic types of
`loading.schema` (patterns, ranges, vocabularies as `enum`), the column lists of the optional files and
the vocabularies in `config`. The descriptor is Data Package v1 with inline schemas and no remote
profile, so `frictionless validate` runs offline. Sites live in bases.geojson, which a table validator
cannot join on, so the package carries them a second time as `sites.csv` (one row per feature, with
lat/lon), the target of every foreign key to a site. `python -m basewatch package` writes both files.
"""

from __future__ import annotations

import csv
import io
import json

import pandas as pd

from basewatch import config
from basewatch.loading import coverage, publishers, site_status
from basewatch.loading.dataset import Dataset
from basewatch.loading.schema import (
    EVENT_COLUMNS,
    HTTP_URL,
    HTTP_URLS,
    ISO_DATE,
    SITE_FEATURE,
    SLUG_PATTERN,
)
from basewatch.views.downloads import COLUMN_HELP

DESCRIPTOR_FILE = "datapackage.json"
SITES_CSV = "sites.csv"
# The order in which sites.csv lists its columns: the bases.geojson properties, then the point.
SITE_LIST_SEPARATOR = " | "  # aliases in one cell
SITE_HELP = {
    "id": "Stable site id; events.csv site_id and destination_site_id point here",
    "name": "English name",
    "aliases": f"Other spellings, codes and names, separated by '{SITE_LIST_SEPARATOR.strip()}'",
    "name_ar": "Arabic name, where a stored source gives one",
    "name_ru": "Russian name, where a stored source gives one",
    "name_fr": "French name, where a stored source gives one",
    "country": "ISO 3166-1 alpha-2 code of the country the site is in",
    "kind": ", ".join(config.SITE_KINDS),
    "status": "State of the Russian presence on the data date: " + ", ".join(config.SITE_STATUSES),
    "status_note": "Why the status is what it is, and which sources disagree",
    "operator": "Who runs or uses the site",
    "established": "When and how the site (or the Russian use of it) began",
    "agreement": "Terms of a basing agreement, where one is documented",
    "coord_source": "Where the coordinate comes from and how precise it is",
    "coord_uncertainty_km": "How far off the point may be, in km",
    "sources": "http(s) URLs the site entry rests on, separated by single spaces",
    "lat": "Latitude (WGS84) of the point in bases.geojson",
    "lon": "Longitude (WGS84) of the point in bases.geojson",
}


def table_pattern(pattern: str) -> str:
    """A validator regex as a Table Schema pattern (XML Schema flavour: implicitly anchored, no inline flags)."""
    pattern = pattern.removeprefix("^").removesuffix("$").replace("(?:", "(")
    return pattern.replace("(?i:https?)", "[Hh][Tt][Tt][Pp][Ss]?")


def _field(name: str, schema: dict, description: str) -> dict:
    """One Table Schema field from the JSON Schema of a contract value (null allowed = not required)."""
    branches = schema.get("anyOf", [schema])
    value = next((b for b in branches if b.get("type") != "null"), {})
    required = not any(b.get("type") == "null" for b in branches)
    field: dict = {"name": name, "description": description}
    constraints: dict = {"required": True} if required else {}
    kind = value.get("type", "string")
    if kind == "array":
        kind = "string"  # lists are written into one cell, and an empty list into an empty one
        if not value.get("minItems"):
            constraints.pop("required", None)
        value = {**value.get("items", {}), "type": "string"}
    if kind == "number":
        field["type"] = "number"
        constraints.update({k: value[k] for k in ("minimum", "maximum") if k in value})
    elif value.get("pattern") == ISO_DATE:
        field["type"], field["format"] = "date", "%Y-%m-%d"
    elif value.get("pattern") == r"^\d{1,9}$":
        field["type"] = "integer"  # the loader reads these as whole numbers
        constraints["minimum"] = 0
    else:
        field["type"] = "string"
        if "enum" in value:
            constraints["enum"] = list(value["enum"])
        if "pattern" in value:
            constraints["pattern"] = table_pattern(value["pattern"])
        if value.get("minLength", 0) > 0 and not required:
            constraints["minLength"] = value["minLength"]
        if "maxLength" in value:
            constraints["maxLength"] = value["maxLength"]
    if constraints:
        field["constraints"] = constraints
    return field


def events_schema(columns: list[str]) -> dict:
    """The Table Schema of events.csv (the columns it has), from the pydantic contract."""
    properties = EVENT_COLUMNS.json_schema()["properties"]
    fields = [_field(c, properties[c]["items"], COLUMN_HELP[c]) for c in columns]
    site_key = [{"fields": c, "reference": {"resource": "sites", "fields": "id"}}
                for c in ("site_id", "destination_site_id") if c in columns]
    return {"fields": fields, "primaryKey": ["id"], "foreignKeys": site_key, "missingValues": [""]}


# Nested objects stay in bases.geojson (the package's `bases` resource): a CSV cell cannot hold them.
NESTED_SITE_PROPERTIES = ("name_sources",)


def _site_columns() -> list[str]:
    properties = SITE_FEATURE.json_schema()["$defs"]["SiteProperties"]["properties"]
    return [*(p for p in properties if p not in NESTED_SITE_PROPERTIES), "lat", "lon"]


def sites_schema() -> dict:
    """The Table Schema of the derived sites.csv, from the bases.geojson feature contract."""
    definitions = SITE_FEATURE.json_schema()["$defs"]
    properties = dict(definitions["SiteProperties"]["properties"])
    properties["sources"] = {"type": "string", "pattern": HTTP_URLS}
    coordinates = definitions["PointGeometry"]["properties"]["coordinates"]["prefixItems"]
    properties["lon"], properties["lat"] = coordinates
    fields = [_field(c, properties[c], SITE_HELP[c]) for c in _site_columns()]
    fields[0]["constraints"]["unique"] = True
    return {"fields": fields, "primaryKey": ["id"], "missingValues": [""]}


def _string(name: str, description: str, required: bool = True, **constraints) -> dict:
    if required:
        constraints["required"] = True
    field = {"name": name, "type": "string", "description": description}
    return {**field, "constraints": constraints} if constraints else field


def site_status_schema() -> dict:
    """The Table Schema of site_status.csv (the rules of loading.site_status)."""
    fields = [
        _string("site_id", "The site whose status changes (an id in sites.csv)", pattern=table_pattern(SLUG_PATTERN)),
        {"name": "date", "type": "date", "format": "%Y-%m-%d", "constraints": {"required": True},
         "description": "When the new status begins; the first day of the period when less precise"},
        _string("date_precision", "How much of date is meaningful", enum=list(config.DATE_PRECISIONS)),
        _string("status", "The site's Russian status from date on", enum=list(config.SITE_STATUSES)),
        _string("claim_status", "How well established the row's claim is", enum=list(config.CLAIM_STATUSES)),
        _string("source_name", "Publisher of the page, with the original agency in brackets"),
        _string("source_url", "The page the row is based on", pattern=table_pattern(HTTP_URL)),
        _string("source_date", "Publication date of source_url: YYYY-MM-DD, YYYY-MM or YYYY", required=False,
                pattern=r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?"),
        _string("note", "In our own words: what changed, according to the cited page"),
    ]
    assert [f["name"] for f in fields] == list(site_status.SITE_STATUS_COLUMNS)
    return {"fields": fields, "foreignKeys": [{"fields": "site_id", "reference": {"resource": "sites", "fields": "id"}}],
            "missingValues": [""]}


def publishers_schema() -> dict:
    """The Table Schema of publishers.csv (the rules of loading.publishers)."""
    fields = [
        _string("host", "Host name of source URLs, lower case, without a leading www.",
                pattern=table_pattern(publishers.HOST_RE.pattern), unique=True),
        _string("publisher", "Who publishes the site"),
        _string("kind", "What sort of source the site is", enum=list(config.SOURCE_KINDS)),
        _string("country", "ISO 3166-1 alpha-2 code of where the publisher is based", required=False,
                pattern="[A-Z]{2}"),
        {"name": "state_affiliated", "type": "boolean", "trueValues": ["true"], "falseValues": ["false"],
         "constraints": {"required": True}, "description": "A state or a party to a conflict controls the outlet"},
        _string("copies_of", "The one publisher whose content this site mirrors", required=False),
        _string("reliability", "Admiralty source-reliability grade (A reliable ... F cannot be judged)",
                enum=list(publishers.RELIABILITY)),
        _string("note", "One short line: ownership, slant, what the cited items relay", required=False),
    ]
    assert [f["name"] for f in fields] == list(publishers.COLUMNS)
    return {"fields": fields, "primaryKey": ["host"], "missingValues": [""]}


def coverage_schema() -> dict:
    """The Table Schema of coverage.csv (the rules of loading.coverage)."""
    fields = [_string("country", "ISO 3166-1 alpha-2 code, as in events.csv", pattern="[A-Z]{2}", unique=True),
              {"name": "covered_to", "type": "date", "format": "%Y-%m-%d", "constraints": {"required": True},
               "description": "The day up to which the stored reporting on the country was searched"},
              _string("note", "How the reporting was searched")]
    assert [f["name"] for f in fields] == list(coverage.COLUMNS)
    return {"fields": fields, "primaryKey": ["country"], "missingValues": [""]}


def _csv_resource(name: str, path: str, title: str, schema: dict) -> dict:
    return {"name": name, "path": path, "title": title, "format": "csv", "mediatype": "text/csv",
            "encoding": "utf-8", "schema": schema}


def sites_frame(dataset: Dataset) -> pd.DataFrame:
    """bases.geojson as one row per site: every property, lists joined into one cell, then lat and lon."""
    frame = dataset.sites.reindex(columns=_site_columns()).copy()
    frame["aliases"] = frame["aliases"].map(lambda v: SITE_LIST_SEPARATOR.join(v) if isinstance(v, list) else v)
    frame["sources"] = frame["sources"].map(lambda v: " ".join(v) if isinstance(v, list) else v)
    return frame


def sites_csv(dataset: Dataset) -> bytes:
    """The derived sites.csv (UTF-8, LF, minimal quoting, like the other data files)."""
    buffer = io.StringIO()
    sites_frame(dataset).to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def descriptor(dataset: Dataset) -> dict:
    """The datapackage.json of a validated data folder: resources for the files it has, licence, version."""
    directory = dataset.source_dir
    # the required columns, then the optional ones the file has, in its own order (the loader's rule)
    header = _header(directory / config.EVENTS_FILE)
    event_columns = list(config.EVENT_COLUMNS) + [c for c in header if c in config.OPTIONAL_EVENT_COLUMNS]
    resources = [
        _csv_resource("events", config.EVENTS_FILE, "Events", events_schema(event_columns)),
        _csv_resource("sites", SITES_CSV, f"Sites (derived from {config.SITES_FILE})", sites_schema()),
    ]
    if (directory / config.SITE_STATUS_FILE).exists():
        resources.append(_csv_resource("site_status", config.SITE_STATUS_FILE, "Site status history",
                                       site_status_schema()))
    if (directory / config.PUBLISHERS_FILE).exists():
        resources.append(_csv_resource("publishers", config.PUBLISHERS_FILE, "Publisher registry",
                                       publishers_schema()))
    if (directory / config.COVERAGE_FILE).exists():
        resources.append(_csv_resource("coverage", config.COVERAGE_FILE, "How far the reporting was searched",
                                       coverage_schema()))
    resources.append({"name": "bases", "path": config.SITES_FILE, "title": "Sites as GeoJSON (RFC 7946)",
                      "format": "geojson", "mediatype": "application/geo+json", "encoding": "utf-8"})
    return {
        "name": "basewatch",
        "title": f"{config.APP_TITLE}: {config.APP_TAGLINE}",
        "description": ("Dated events, sites and site status history of Russia's military presence around the "
                        "Mediterranean. Every row cites its sources and carries a claim status; troop figures are "
                        "ranges. The data dictionary is README.md in this folder."),
        "version": dataset.version,
        "licenses": [{"name": config.DATA_LICENSE, "path": config.DATA_LICENSE_URL,
                      "title": config.DATA_LICENSE_TITLE}],
        "sources": [{"title": "The publishers' pages each row cites (source_url, more_sources; sources in "
                              "bases.geojson), described in publishers.csv. Rows hold our own summaries, "
                              "never the sources' texts."}],
        "contributors": [{"title": "Basewatch contributors", "role": "author"}],
        "keywords": ["Russia", "military bases", "Syria", "Libya", "Sudan", "Mediterranean", "event data"],
        "resources": resources,
    }


def _header(path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as handle:
        return [name.strip() for name in next(csv.reader([handle.readline().rstrip("\r\n")]), [])]


def descriptor_json(dataset: Dataset) -> bytes:
    """datapackage.json as written to disk (stable key order, two-space indent, final newline)."""
    return (json.dumps(descriptor(dataset), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def package_files(dataset: Dataset) -> dict[str, bytes]:
    """The files `python -m basewatch package` writes into the data folder, by name."""
    return {DESCRIPTOR_FILE: descriptor_json(dataset), SITES_CSV: sites_csv(dataset)}

