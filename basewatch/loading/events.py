"""events.csv: one row per event, validated against the contract, each problem by line and column."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from basewatch import config
from basewatch.loading.files import body_after_header, full_width, read_text, rows_with_lines
from basewatch.loading.problems import Problem, describe_validation_error, shown_path
from basewatch.loading.schema import EVENT_COLUMNS, HTTP_URL, PATTERN_MESSAGES


def _read_event_rows(text: str, shown: str, problems: list[Problem]) -> tuple[list[str], list[list[str]], list[int]]:
    """Split the CSV into rows of the header's width, remembering each record's first line.

    The header holds the required columns in the contract's order, then any optional columns.
    """
    first_line = text.split("\n", 1)[0]
    try:
        header = next(csv.reader([first_line.rstrip("\r")]))
    except (StopIteration, csv.Error) as exc:
        problems.append(Problem(shown, 1, None, f"cannot read the header row: {exc}"))
        return [], [], []
    header = [h.strip() for h in header]
    expected = list(config.EVENT_COLUMNS)
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in config.ALL_EVENT_COLUMNS]
    for column in missing:
        problems.append(Problem(shown, 1, column, "required column is missing from the header"))
    for column in extra:
        problems.append(Problem(shown, 1, column or "(blank)", "unexpected column; the contract lists "
                                + ", ".join(expected) + ", optionally followed by "
                                + ", ".join(config.OPTIONAL_EVENT_COLUMNS)))
    if len(set(header)) != len(header):
        problems.append(Problem(shown, 1, None, "a column name appears twice in the header"))
    if missing or extra or len(set(header)) != len(header):
        return [], [], []
    if header[:len(expected)] != expected:
        problems.append(Problem(shown, 1, None, "columns are out of order; expected " + ",".join(expected)
                                + " (optional columns after them)"))
        return [], [], []

    width = len(header)
    body = body_after_header(text)
    try:
        rows = list(csv.reader(io.StringIO(body, newline=""), strict=True))
    except csv.Error:
        rows = None  # the slow path below finds the line
    physical = body.count("\n") + (0 if body.endswith("\n") or not body else 1)
    if rows is not None and len(rows) == physical:
        # No quoted line breaks: record i sits on line i + 2. This keeps 100,000 rows fast.
        lines = list(range(2, len(rows) + 2))
    else:
        rows, lines = rows_with_lines(body, shown, problems)
    records, kept = [], []
    for line, row in full_width(rows, lines, width, shown, problems):
        records.append(row)
        kept.append(line)
    return header, records, kept



def _cross_checks(events: pd.DataFrame, lines: list[int], site_ids: set[str], shown: str,
                  problems: list[Problem], today: dt.date) -> None:
    """Rules that span columns or rows: duplicates, references, ranges, dates."""
    line_of = pd.Series(lines, index=events.index)
    duplicated = events["id"].duplicated(keep="first")
    first_line = dict(zip(events["id"][~duplicated], line_of[~duplicated]))
    for i in events.index[duplicated]:
        problems.append(Problem(shown, int(line_of[i]), "id",
                                f"duplicate id {events.at[i, 'id']!r} (first at line {first_line[events.at[i, 'id']]})"))
    has_site = events["site_id"].notna()
    unknown = has_site & ~events["site_id"].isin(site_ids)
    for i in events.index[unknown]:
        problems.append(Problem(shown, int(line_of[i]), "site_id",
                                f"{events.at[i, 'site_id']!r} is not an id in {config.SITES_FILE}"))
    low, high = events["personnel_low"], events["personnel_high"]
    for i in events.index[low.notna() & high.notna() & (low > high)]:
        problems.append(Problem(shown, int(line_of[i]), "personnel_low",
                                f"{int(low[i])} is greater than personnel_high {int(high[i])}"))
    for i in events.index[low.isna() != high.isna()]:
        column = "personnel_high" if high.isna()[i] else "personnel_low"
        problems.append(Problem(shown, int(line_of[i]), column,
                                "give both personnel_low and personnel_high, or neither "
                                "(use the same number twice for a single figure)"))
    future = events["date"] > pd.Timestamp(today)
    for i in events.index[future]:
        problems.append(Problem(shown, int(line_of[i]), "date",
                                f"{events.at[i, 'date'].date().isoformat()} is in the future"))
    precision = events["date_precision"]
    not_first = ((precision == "month") & (events["date"].dt.day != 1)) | (
        (precision == "year") & ((events["date"].dt.day != 1) | (events["date"].dt.month != 1)))
    for i in events.index[not_first]:
        problems.append(Problem(shown, int(line_of[i]), "date",
                                f"with date_precision '{precision[i]}' the date must be the first day of the period"))
    destination = events["destination_site_id"]
    has_destination = destination.notna()
    for i in events.index[has_destination & ~destination.isin(site_ids)]:
        problems.append(Problem(shown, int(line_of[i]), "destination_site_id",
                                f"{destination[i]!r} is not an id in {config.SITES_FILE}"))
    for i in events.index[has_destination & ~has_site]:
        problems.append(Problem(shown, int(line_of[i]), "destination_site_id",
                                "a movement needs its origin in site_id too"))
    for i in events.index[has_destination & (destination == events["site_id"])]:
        problems.append(Problem(shown, int(line_of[i]), "destination_site_id",
                                f"{destination[i]!r} is also the origin (site_id); a movement goes somewhere else"))
    checked = pd.to_datetime(events["last_checked"], format="%Y-%m-%d", errors="coerce")
    for i in events.index[events["last_checked"].notna() & (checked.isna() | (checked > pd.Timestamp(today)))]:
        problems.append(Problem(shown, int(line_of[i]), "last_checked",
                                f"{events.at[i, 'last_checked']!r} is not a real calendar date up to today"))
    half_coords = events["lat"].isna() != events["lon"].isna()
    for i in events.index[half_coords]:
        problems.append(Problem(shown, int(line_of[i]), "lat" if events["lat"].isna()[i] else "lon",
                                "give both lat and lon, or neither"))


OPTIONAL_COLUMNS = ("counterpart", "site_id", "place", "country", "lat", "lon", "personnel_low",
                    "personnel_high", "source_date", "more_sources", *config.OPTIONAL_EVENT_COLUMNS)


def _validate_columns(frame: pd.DataFrame, lines: list[int], shown: str, problems: list[Problem]) -> dict | None:
    """Run the contract over every column at once; record each bad cell with its line and column."""
    columns = {}
    for column in frame.columns:
        values = frame[column]
        if column in OPTIONAL_COLUMNS:
            values = values.where(values != "", None)
        columns[column] = values.tolist()
    try:
        return EVENT_COLUMNS.validate_python(columns)
    except ValidationError as exc:
        for error in exc.errors():
            column, index = str(error["loc"][0]), error["loc"][1] if len(error["loc"]) > 1 else None
            line = lines[index] if isinstance(index, int) and index < len(lines) else None
            message = describe_validation_error(error)
            if error["type"] == "string_pattern_mismatch" and column in PATTERN_MESSAGES:
                value = error.get("input")
                if column == "more_sources" and isinstance(value, str):
                    # name the offending URL, not the whole cell
                    value = next((u for u in value.split(" ") if not re.match(HTTP_URL, u)), value)
                message = f"{_shown_value(value)}: {PATTERN_MESSAGES[column]}"
            problems.append(Problem(shown, line, column, message))
        return None


def _shown_value(value) -> str:
    return repr(value if not isinstance(value, str) or len(value) <= 60 else value[:57] + "...")


def load_events(path: Path, site_ids: set[str], problems: list[Problem],
                today: dt.date | None = None, digest=None) -> pd.DataFrame:
    """Validate events.csv against the contract and return it as a typed DataFrame."""
    shown = shown_path(path)
    empty = pd.DataFrame(columns=list(config.ALL_EVENT_COLUMNS))
    text = read_text(path, problems, digest)
    if text is None:
        return empty
    header, rows, lines = _read_event_rows(text, shown, problems)
    if not rows:
        if not problems:
            problems.append(Problem(shown, 2, None, "the file has a header but no events"))
        return empty
    frame = pd.DataFrame(rows, columns=header, dtype=object)
    clean = _validate_columns(frame, lines, shown, problems)
    if clean is None:
        return empty
    for column in config.OPTIONAL_EVENT_COLUMNS:
        clean.setdefault(column, [None] * len(rows))
    # Plain Python strings (object dtype): converting 1.9 million cells to Arrow strings costs more
    # (0.5 s at 100,000 rows) than it saves in the few vectorised string operations we run.
    events = pd.DataFrame(clean, columns=list(config.ALL_EVENT_COLUMNS), dtype=object)
    events["date"] = pd.to_datetime(events["date"], format="%Y-%m-%d", errors="coerce")
    for i in events.index[events["date"].isna()]:
        problems.append(Problem(shown, lines[i], "date", f"{clean['date'][i]!r} is not a real calendar date"))
    for column in ("personnel_low", "personnel_high"):
        events[column] = pd.to_numeric(events[column]).astype("Int64")
    for column in ("lat", "lon"):
        events[column] = events[column].astype("float64")
    # Kept as the space-separated string it is (validated above); split only where it is shown.
    events["more_sources"] = events["more_sources"].fillna("")
    if events["date"].isna().any():
        return empty
    _cross_checks(events, lines, site_ids, shown, problems, today or dt.date.today())
    events.attrs["lines"] = lines  # for checks made after loading (publishers.csv coverage)
    return events

