"""The data contract as pydantic types: events.csv (validated column by column) and bases.geojson features."""

from __future__ import annotations

from typing import Annotated, Literal, NotRequired

from pydantic import ConfigDict, Field, StringConstraints, TypeAdapter
from typing_extensions import TypedDict

from basewatch.config import (
    ACTORS,
    CLAIM_STATUSES,
    DATE_PRECISIONS,
    EVENT_TYPES,
    SITE_KINDS,
    SITE_STATUSES,
)

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Text = Annotated[str, StringConstraints(min_length=1)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]


# Validation is columnar and runs entirely in pydantic's Rust core (patterns, literals, ranges): with no
# Python validator per cell, 100,000 rows validate in well under a second. The loader turns blank cells
# into None beforehand and converts dates and integers once validated; errors are located as
# (column, row index).
ISO_DATE = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"
PARTIAL_DATE = r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$"
HTTP_URL = r"^(?i:https?)://[^\s/$.?#][^\s]*$"
HTTP_URLS = r"^(?i:https?)://[^\s/$.?#][^\s]*( (?i:https?)://[^\s/$.?#][^\s]*)*$"
WHOLE_NUMBER = r"^\d{1,9}$"
HttpUrl = Annotated[str, StringConstraints(pattern=HTTP_URL)]

Cell = Annotated[str, StringConstraints(min_length=1)]
OptionalCell = str | None
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None
Count = Annotated[str, StringConstraints(pattern=WHOLE_NUMBER)] | None


class EventColumns(TypedDict):
    """events.csv as columns (one list per column), the shape the loader validates."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    id: list[Slug]
    date: list[Annotated[str, StringConstraints(pattern=ISO_DATE)]]
    date_precision: list[Literal[DATE_PRECISIONS]]  # type: ignore[valid-type]
    actor: list[Literal[ACTORS]]  # type: ignore[valid-type]
    counterpart: list[OptionalCell]
    event_type: list[Literal[EVENT_TYPES]]  # type: ignore[valid-type]
    site_id: list[Slug | None]
    place: list[OptionalCell]
    country: list[CountryCode | None]
    lat: list[Latitude]
    lon: list[Longitude]
    personnel_low: list[Count]
    personnel_high: list[Count]
    summary: list[Cell]
    claim_status: list[Literal[CLAIM_STATUSES]]  # type: ignore[valid-type]
    source_name: list[Cell]
    source_url: list[HttpUrl]
    source_date: list[Annotated[str, StringConstraints(pattern=PARTIAL_DATE)] | None]
    more_sources: list[Annotated[str, StringConstraints(pattern=HTTP_URLS)] | None]
    destination_site_id: NotRequired[list[Slug | None]]
    last_checked: NotRequired[list[Annotated[str, StringConstraints(pattern=ISO_DATE)] | None]]


EVENT_COLUMNS = TypeAdapter(EventColumns)

# Friendlier words for pattern errors than pydantic's "String should match pattern ...".
PATTERN_MESSAGES = {
    "id": "must be a lowercase slug: letters, digits and single hyphens, e.g. ev-0042",
    "site_id": "must be a site id (lowercase slug) from bases.geojson",
    "date": "must be a date written YYYY-MM-DD",
    "personnel_low": "must be a whole number without separators, e.g. 1200",
    "personnel_high": "must be a whole number without separators, e.g. 1200",
    "source_url": "must be an http:// or https:// URL",
    "more_sources": "must be http:// or https:// URLs separated by single spaces",
    "source_date": "must be YYYY-MM-DD, YYYY-MM or YYYY",
    "country": "must be an ISO 3166-1 alpha-2 code in capitals, e.g. SY",
    "destination_site_id": "must be a site id (lowercase slug) from bases.geojson",
    "last_checked": "must be a date written YYYY-MM-DD",
}


class PointGeometry(TypedDict):
    """A GeoJSON Point; coordinates are [longitude, latitude] (WGS84)."""

    __pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[misc]

    type: Literal["Point"]
    coordinates: Annotated[
        tuple[
            Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)],
            Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)],
        ],
        Field(description="[lon, lat]"),
    ]


class SiteProperties(TypedDict):
    """The properties of one site in bases.geojson."""

    __pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[misc]

    id: Slug
    name: Text
    aliases: list[str]
    name_ar: str | None
    name_ru: str | None
    # Optional extension (issue 19): the French name, and for each of the names in Arabic, Russian and
    # French the page it was taken from (official usage, the outlets' own spelling).
    name_fr: NotRequired[str | None]
    # a language without a name (yet) has no source: null
    name_sources: NotRequired[dict[Literal["ar", "ru", "fr"], HttpUrl | None] | None]
    country: CountryCode
    kind: Literal[SITE_KINDS]  # type: ignore[valid-type]
    status: Literal[SITE_STATUSES]  # type: ignore[valid-type]
    status_note: str | None
    operator: str | None
    established: str | None
    agreement: str | None
    coord_source: Text
    # Optional extension of the contract: how far off the point may be, where a source says so or the
    # point is an estimate. The map draws it as a dashed circle so an estimate never looks exact.
    coord_uncertainty_km: NotRequired[Annotated[float, Field(ge=0, le=2000)] | None]
    sources: Annotated[list[HttpUrl], Field(min_length=1)]


class SiteFeature(TypedDict):
    """One Feature of bases.geojson."""

    __pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[misc]

    type: Literal["Feature"]
    geometry: PointGeometry
    properties: SiteProperties


SITE_FEATURE = TypeAdapter(SiteFeature)
