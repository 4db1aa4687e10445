"""The read-only API: every view's data as JSON, CSV or GeoJSON, for scripts, spreadsheets and notebooks.

`/api/v1/events.{json,csv,geojson}` take the pages' own query parameters (`actor`, `from`, `lang`, ...)
and answer with exactly the rows the Data page's download buttons give for that view: the CSV and
GeoJSON are the same bytes (`views.downloads`), the JSON holds the same rows. `/api/v1/sites.geojson`,
`/api/v1/site_status.json` and `/api/v1/publishers.json` give the sites, their status history and the
publisher registry. Examples are in the README ("Data access").
"""

from __future__ import annotations

import pandas as pd
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from basewatch import config
from basewatch.queries.footprint import status_as_of
from basewatch.queries.sources import citations_per_publisher
from basewatch.state import links
from basewatch.state.urlstate import query_string, to_query_params
from basewatch.views import downloads
from basewatch.web.context import View
from basewatch.web.responses import cached, json_response, machine_route

CSV_TYPE = "text/csv; charset=utf-8"
GEOJSON_TYPE = "application/geo+json"
LICENSE = {"name": config.DATA_LICENSE, "title": config.DATA_LICENSE_TITLE, "path": config.DATA_LICENSE_URL}


def records(frame: pd.DataFrame) -> list[dict]:
    """Rows as JSON-ready dicts: blanks become null, dates ISO strings, numbers plain numbers."""
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    frame = frame.astype(object).where(frame.notna(), None)
    return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()} for row in frame.to_dict("records")]


def _envelope(view: View, **content) -> dict:
    """What every JSON answer starts with: data version, licence and the view it answers."""
    return {"data_version": view.dataset.version, "license": LICENSE,
            "view": query_string(to_query_params(view.state, view.catalog)),
            "page": links.link("data", view.state, view.catalog).on(view.base_url), **content}


def _download_name(view: View, what: str, extension: str) -> dict:
    # inline: a browser shows it, curl prints it; the name is what "Save as" offers
    return {"Content-Disposition": f'inline; filename="basewatch-{what}-{view.dataset.version}.{extension}"'}


def events_json(request: Request, view: View) -> Response:
    """The view's events as JSON rows (the columns and rows of the CSV download)."""
    def make() -> Response:
        frame = downloads.export_frame(view.events)
        return json_response(_envelope(view, count=len(frame), columns=list(frame.columns), rows=records(frame)))
    return cached(request, view, "events.json", make)


def events_csv(request: Request, view: View) -> Response:
    """The view's events as the CSV download: same bytes, and it validates again."""
    return cached(request, view, "events.csv", lambda: Response(
        downloads.events_csv(view.events), media_type=CSV_TYPE, headers=_download_name(view, "events", "csv")))


def events_geojson(request: Request, view: View) -> Response:
    """The view's located events as the GeoJSON download (RFC 7946)."""
    return cached(request, view, "events.geojson", lambda: Response(
        downloads.events_geojson(view.events), media_type=GEOJSON_TYPE,
        headers=_download_name(view, "events", "geojson")))


def sites_geojson(request: Request, view: View) -> Response:
    """Every site as the Sites download (RFC 7946)."""
    return cached(request, view, "sites.geojson", lambda: Response(
        downloads.sites_geojson(view.dataset), media_type=GEOJSON_TYPE,
        headers=_download_name(view, "sites", "geojson")))


STATUS_COLUMNS = ("site_id", "name", "country", "status", "since", "since_precision", "claim_status",
                  "source_name", "source_url")


def site_status_json(request: Request, view: View) -> Response:
    """Each site's status on the view's end date (as the map colours it) and the status history (`site=` narrows)."""
    def make() -> Response:
        day = view.state.filters.date_to
        now = status_as_of(view.dataset.site_status, view.dataset.sites, day)[list(STATUS_COLUMNS)]
        history = view.dataset.site_status
        if view.state.site:
            now = now[now["site_id"] == view.state.site]
            history = history[history["site_id"] == view.state.site]
        as_of = day or view.dataset.data_date
        return json_response(_envelope(view, as_of=as_of.isoformat() if as_of else None, sites=records(now),
                                       history=records(history)))
    return cached(request, view, "site_status.json", make)


def publishers_json(request: Request, view: View) -> Response:
    """The publisher registry with how many of the view's events cite each host (the Data page's table)."""
    def make() -> Response:
        if view.dataset.publishers.empty:
            table = downloads.sources_by_publisher(view.events)
        else:
            table = citations_per_publisher(view.events, view.dataset.publishers)
        return json_response(_envelope(view, count=len(table), rows=records(table)))
    return cached(request, view, "publishers.json", make)


HANDLERS = {"events.json": events_json, "events.csv": events_csv, "events.geojson": events_geojson,
            "sites.geojson": sites_geojson, "site_status.json": site_status_json,
            "publishers.json": publishers_json}


def routes() -> list[Route]:
    """The API routes (GET and HEAD, plus OPTIONS for a browser's preflight)."""
    return [Route("/" + links.API_PATHS[name], machine_route(handler), methods=["GET", "OPTIONS"], name=f"api-{name}")
            for name, handler in HANDLERS.items()]
