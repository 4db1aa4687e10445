"""The data contract, as pydantic types: one event row of events.csv and one site feature of bases.geojson."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field, StringConstraints, TypeAdapter
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
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PARTIAL_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _empty_to_none(value):
    """CSV cells are strings; an empty (or blank) cell means 'not given'."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _iso_date(value: str) -> dt.date:
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("must be a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date") from None


def _partial_date(value: str) -> str:
    if not _PARTIAL_DATE.match(value):
        raise ValueError("must be YYYY-MM-DD, YYYY-MM or YYYY")
    year, month, day = (value.split("-") + [None, None])[:3]
    try:
        dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(f"{value!r} is not a real calendar date") from None
    return value


def _http_url(value: str) -> str:
    if not _URL.match(value):
        raise ValueError("must be an http:// or https:// URL")
    return value


def _url_list(value: str) -> list[str]:
    urls = value.split()
    for url in urls:
        if not _URL.match(url):
            raise ValueError(f"{url[:80]!r} is not an http:// or https:// URL (separate URLs with spaces)")
    return urls


def _integer(value):
    """Accept '1200' but not '1,200' or '1200.5': figures stay exact integers."""
    if isinstance(value, str):
        if not re.fullmatch(r"\d+", value.strip()):
            raise ValueError("must be a whole number without separators, e.g. 1200")
        return int(value)
    return value


Text = Annotated[str, StringConstraints(min_length=1)]
OptionalText = Annotated[str | None, BeforeValidator(_empty_to_none)]
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=80)]
CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
Personnel = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_integer), BeforeValidator(_empty_to_none)]


class EventRecord(TypedDict):
    """One row of events.csv, after validation."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]

    id: Slug
    date: Annotated[dt.date, BeforeValidator(_iso_date)]
    date_precision: Literal[DATE_PRECISIONS]  # type: ignore[valid-type]
    actor: Literal[ACTORS]  # type: ignore[valid-type]
    counterpart: OptionalText
    event_type: Literal[EVENT_TYPES]  # type: ignore[valid-type]
    site_id: Annotated[Slug | None, BeforeValidator(_empty_to_none)]
    place: OptionalText
    country: Annotated[CountryCode | None, BeforeValidator(_empty_to_none)]
    lat: Annotated[Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False)] | None, BeforeValidator(_empty_to_none)]
    lon: Annotated[Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False)] | None, BeforeValidator(_empty_to_none)]
    personnel_low: Personnel
    personnel_high: Personnel
    summary: Text
    claim_status: Literal[CLAIM_STATUSES]  # type: ignore[valid-type]
    source_name: Text
    source_url: HttpUrl
    source_date: Annotated[str | None, BeforeValidator(_empty_to_none), AfterValidator(
        lambda v: None if v is None else _partial_date(v))]
    more_sources: Annotated[list[str], BeforeValidator(lambda v: _url_list(v) if isinstance(v, str) else v)]


EVENT_ROWS = TypeAdapter(list[EventRecord])


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
    country: CountryCode
    kind: Literal[SITE_KINDS]  # type: ignore[valid-type]
    status: Literal[SITE_STATUSES]  # type: ignore[valid-type]
    status_note: str | None
    operator: str | None
    established: str | None
    agreement: str | None
    coord_source: Text
    sources: Annotated[list[HttpUrl], Field(min_length=1)]


class SiteFeature(TypedDict):
    """One Feature of bases.geojson."""

    __pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[misc]

    type: Literal["Feature"]
    geometry: PointGeometry
    properties: SiteProperties


SITE_FEATURE = TypeAdapter(SiteFeature)
