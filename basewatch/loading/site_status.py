"""site_status.csv: one row per change of a site's Russian status, validated against the contract.

A row gives a site's Russian status from its date until the next row for that site. A month-precision
row counts from the first of that month, a year-precision row from 1 January. Without the file every
site keeps its bases.geojson status and has no history.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pandas as pd

from basewatch import config
from basewatch.loading.files import body_after_header, full_width, read_text, rows_with_lines
from basewatch.loading.problems import Problem, shown_path
from basewatch.loading.schema import HTTP_URL, ISO_DATE, PARTIAL_DATE

SITE_STATUS_COLUMNS = ("site_id", "date", "date_precision", "status", "claim_status", "source_name",
                       "source_url", "source_date", "note")
REQUIRED_TEXT = ("site_id", "source_name", "note")

_ISO_DATE = re.compile(ISO_DATE)
_PARTIAL_DATE = re.compile(PARTIAL_DATE)
_HTTP_URL = re.compile(HTTP_URL)


def empty_site_status() -> pd.DataFrame:
    """A site-status table with no rows (what a data folder without site_status.csv has)."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in SITE_STATUS_COLUMNS})
    frame["date"] = pd.Series(dtype="datetime64[ns]")
    return frame



def _check_row(record: dict, line: int, shown: str, site_ids: set[str] | None, today: dt.date,
               problems: list[Problem]) -> pd.Timestamp | None:
    """Validate one row's cells; return its date when the date is usable."""
    for column in REQUIRED_TEXT:
        if not record[column].strip():
            problems.append(Problem(shown, line, column, "must not be empty"))
    site_id = record["site_id"]
    if site_id and site_ids is not None and site_id not in site_ids:
        problems.append(Problem(shown, line, "site_id", f"{site_id!r} is not an id in {config.SITES_FILE}"))
    for column, allowed in (("status", config.SITE_STATUSES), ("claim_status", config.CLAIM_STATUSES),
                            ("date_precision", config.DATE_PRECISIONS)):
        if record[column] not in allowed:
            problems.append(Problem(shown, line, column,
                                    f"{record[column]!r} is not one of: {', '.join(allowed)}"))
    if not _HTTP_URL.match(record["source_url"]):
        problems.append(Problem(shown, line, "source_url", f"{record['source_url']!r}: must be an http:// or "
                                "https:// URL"))
    if record["source_date"] and not _PARTIAL_DATE.match(record["source_date"]):
        problems.append(Problem(shown, line, "source_date",
                                f"{record['source_date']!r}: must be YYYY-MM-DD, YYYY-MM or YYYY"))
    raw = record["date"]
    if not _ISO_DATE.match(raw):
        problems.append(Problem(shown, line, "date", f"{raw!r}: must be a date written YYYY-MM-DD"))
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        problems.append(Problem(shown, line, "date", f"{raw!r} is not a real calendar date"))
        return None
    if day > today:
        problems.append(Problem(shown, line, "date", f"{raw} is in the future"))
    precision = record["date_precision"]
    if (precision == "month" and day.day != 1) or (precision == "year" and (day.day, day.month) != (1, 1)):
        problems.append(Problem(shown, line, "date",
                                f"with date_precision '{precision}' the date must be the first day of the period"))
    return pd.Timestamp(day)


def load_site_status(path: Path, sites: pd.DataFrame, problems: list[Problem], digest=None,
                     today: dt.date | None = None) -> pd.DataFrame:
    """Validate site_status.csv when it exists; return its rows sorted by site and date (file order on ties).

    A missing file is no problem: the result is empty and the digest is left untouched, so the data
    version of a folder without the file does not change.
    """
    path = Path(path)
    if not path.exists():
        return empty_site_status()
    shown = shown_path(path)
    text = read_text(path, problems, digest)
    if text is None:
        return empty_site_status()
    first_line = text.split("\n", 1)[0].rstrip("\r")
    header = [h.strip() for h in next(csv.reader([first_line]), [])]
    if header != list(SITE_STATUS_COLUMNS):
        missing = [c for c in SITE_STATUS_COLUMNS if c not in header]
        extra = [c for c in header if c not in SITE_STATUS_COLUMNS]
        for column in missing:
            problems.append(Problem(shown, 1, column, "required column is missing from the header"))
        for column in extra:
            problems.append(Problem(shown, 1, column or "(blank)", "unexpected column; the contract lists "
                                    + ",".join(SITE_STATUS_COLUMNS)))
        if not missing and not extra:
            problems.append(Problem(shown, 1, None, "columns are out of order or repeated; expected "
                                    + ",".join(SITE_STATUS_COLUMNS)))
        return empty_site_status()
    body = body_after_header(text)
    rows, lines = rows_with_lines(body, shown, problems)
    # Sites that failed validation are already reported; checking references against a partial list
    # would only repeat those problems.
    site_ids = set(sites["id"]) if len(sites) else None
    today = today or dt.date.today()
    records, last_date = [], {}
    for line, row in full_width(rows, lines, len(SITE_STATUS_COLUMNS), shown, problems):
        record = dict(zip(SITE_STATUS_COLUMNS, row))
        day = _check_row(record, line, shown, site_ids, today, problems)
        site_id = record["site_id"]
        if day is not None and site_id:
            previous = last_date.get(site_id)
            if previous is not None and day < previous[0]:
                problems.append(Problem(shown, line, "date",
                                        f"{day.date().isoformat()} is earlier than the previous row for "
                                        f"{site_id!r} (line {previous[1]}); rows of a site must be in date order"))
            else:
                last_date[site_id] = (day, line)
        records.append({**record, "date": day, "line": line})
    if not records:
        return empty_site_status()
    frame = pd.DataFrame(records)
    if site_ids is not None:
        geo_status = dict(zip(sites["id"], sites["status"]))
        for site_id, group in frame.groupby("site_id", sort=False):
            latest = group.iloc[-1]
            if site_id in geo_status and latest["status"] != geo_status[site_id]:
                problems.append(Problem(shown, int(latest["line"]), "status",
                                        f"the latest row for {site_id!r} says {latest['status']!r} but "
                                        f"{config.SITES_FILE} gives its status as {geo_status[site_id]!r}; "
                                        "they must agree"))
    frame["date"] = pd.to_datetime(frame["date"])
    frame["source_date"] = frame["source_date"].where(frame["source_date"] != "", None)
    frame = frame.sort_values(["site_id", "date", "line"], kind="stable").reset_index(drop=True)
    out = frame[list(SITE_STATUS_COLUMNS)]
    out.attrs["lines"] = frame["line"].tolist()  # for checks made after loading (publishers.csv coverage)
    return out

