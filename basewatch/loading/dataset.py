"""Load and validate events.csv and bases.geojson into a Dataset, or a report naming file, row and column."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from basewatch import config
from basewatch.loading.schema import EVENT_COLUMNS, HTTP_URL, PATTERN_MESSAGES, SITE_FEATURE
from basewatch.text import date_labels

# A bigger file is refused before parsing: it would stall every reader of a shared server. The default
# admits the benchmark's 1,000,000-event CSV (about 450 MB); $BASEWATCH_MAX_FILE_MB sets another limit.
MAX_FILE_BYTES = 1024 * 1024 * 1024
MAX_FILE_ENV = "BASEWATCH_MAX_FILE_MB"
# Reports stop listing after this many problems; the total is still given.
MAX_LISTED_PROBLEMS = 200


@dataclass(frozen=True)
class Problem:
    """One defect in a data file, located by file, line and column."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, line {self.line}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class DataError(Exception):
    """Raised when the data files break the contract; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the data files")

    def report(self, limit: int = MAX_LISTED_PROBLEMS) -> list[str]:
        """The problems as lines, at most `limit`, with a final count of the rest."""
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problem(s) not listed")
        return lines


@dataclass(frozen=True)
class Dataset:
    """Validated events and sites plus what identifies this version of the data."""

    events: pd.DataFrame
    sites: pd.DataFrame
    sites_geojson: dict
    data_date: dt.date | None
    content_hash: str
    source_dir: Path = field(compare=False)
    # publishers.csv, when the folder has one (contract extension; empty otherwise)
    publishers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(), compare=False)
    # site_status.csv (contract extension): one row per change of a site's status; empty without the file.
    site_status: pd.DataFrame = field(default_factory=lambda: _empty_site_status(), compare=False)

    @property
    def version(self) -> str:
        """Data version as shown and cited: the latest event date plus a short content hash."""
        day = self.data_date.isoformat() if self.data_date else "empty"
        return f"{day}+{self.content_hash[:7]}"


def _empty_site_status() -> pd.DataFrame:
    from basewatch.queries.footprint import empty_site_status  # footprint builds on this module

    return empty_site_status()


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def max_file_bytes() -> int:
    """The size limit per data file: $BASEWATCH_MAX_FILE_MB (megabytes, 10^6 bytes) or MAX_FILE_BYTES."""
    configured = os.environ.get(MAX_FILE_ENV, "").strip()
    try:
        megabytes = float(configured) if configured else None
    except ValueError:
        megabytes = None  # a typo must not disable the guard
    if megabytes is None or not megabytes > 0:
        return MAX_FILE_BYTES
    return int(megabytes * 1e6)


def _read_text(path: Path, problems: list[Problem], digest=None) -> str | None:
    """Read a UTF-8 file (a byte-order mark is allowed), or record why it cannot be read.

    `digest`, a hashlib object, is fed the file's name and bytes so the data version needs no second read.
    """
    shown = _display_path(path)
    if not path.exists():
        problems.append(Problem(shown, None, None, "file not found"))
        return None
    size = path.stat().st_size
    limit = max_file_bytes()
    if size > limit:
        problems.append(Problem(shown, None, None,
                                f"file is {size / 1e6:.0f} MB; the limit is {limit / 1e6:.0f} MB "
                                f"(set {MAX_FILE_ENV} to change it)"))
        return None
    raw = path.read_bytes()
    if digest is not None:
        digest.update(path.name.encode())
        digest.update(raw)
    if not raw.strip():
        problems.append(Problem(shown, 1, None, "file is empty"))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problems.append(Problem(shown, line, None,
                                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                                "save the file as UTF-8"))
        return None


def file_fingerprint(directory: Path) -> str:
    """A cheap key that changes when any data file (or the changelog) is edited: size, modification time, inode."""
    parts = []
    for name in (*config.DATA_FILES, config.CHANGES_FILE):
        path = Path(directory) / name
        try:
            stat = path.stat()
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}")
        except OSError:
            parts.append(f"{name}:missing")
    return "|".join(parts)


def _describe(error: dict) -> str:
    value = error.get("input")
    shown = repr(value if not isinstance(value, str) or len(value) <= 60 else value[:57] + "...")
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] in {"missing", "extra_forbidden"}:
        return message
    return f"{shown}: {message}"


# --- sites -----------------------------------------------------------------------------------

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
    shown = _display_path(path)
    empty = pd.DataFrame(columns=["id", "name", "lat", "lon"])
    text = _read_text(path, problems, digest)
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
                problems.append(Problem(shown, line, column, f"feature {index + 1}: {_describe(error)}"))
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


# --- events ----------------------------------------------------------------------------------

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
    body = text[text.index("\n") + 1:] if "\n" in text else ""
    try:
        rows = list(csv.reader(io.StringIO(body, newline=""), strict=True))
    except csv.Error:
        rows = None  # the slow path below finds the line
    physical = body.count("\n") + (0 if body.endswith("\n") or not body else 1)
    if rows is not None and len(rows) == physical:
        # No quoted line breaks: record i sits on line i + 2. This keeps 100,000 rows fast.
        lines = list(range(2, len(rows) + 2))
    else:
        rows, lines = _rows_with_lines(body, shown, problems)
    records, kept = [], []
    for row, line in zip(rows, lines):
        if not row:
            continue
        if len(row) != width:
            what = "truncated row" if len(row) < width else "too many fields (unquoted comma?)"
            problems.append(Problem(shown, line, None, f"{what}: expected {width} fields, found {len(row)}"))
        else:
            records.append(row)
            kept.append(line)
    return header, records, kept


def _rows_with_lines(body: str, shown: str, problems: list[Problem]) -> tuple[list[list[str]], list[int]]:
    """Parse row by row, tracking where each record starts (quoted fields may span lines)."""
    reader = csv.reader(io.StringIO(body, newline=""), strict=True)
    rows, lines = [], []
    line = 2
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(shown, line, None, f"unreadable CSV: {exc} (unbalanced quotes?)"))
            break
        rows.append(row)
        lines.append(line)
        line = reader.line_num + 2
    return rows, lines


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
            message = _describe(error)
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
    shown = _display_path(path)
    empty = pd.DataFrame(columns=list(config.ALL_EVENT_COLUMNS))
    text = _read_text(path, problems, digest)
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


def _period_end(dates: pd.Series, precision: pd.Series) -> pd.Series:
    """Last day of the period each (date, precision) stands for."""
    end = dates.copy()
    month = precision == "month"
    year = precision == "year"
    end[month] = dates[month] + pd.offsets.MonthEnd(0)
    end[year] = dates[year] + pd.offsets.YearEnd(0)
    return end


def add_derived_columns(events: pd.DataFrame, sites: pd.DataFrame,
                        publishers: pd.DataFrame | None = None) -> pd.DataFrame:
    """Precompute once what filters, maps and tables need: slugs, period ends, coordinates, source weight."""
    from basewatch.loading.publishers import source_columns

    events = events.copy()
    events["date_end"] = _period_end(events["date"], events["date_precision"])
    for column, slug_column in (("actor", "actor_slug"), ("event_type", "type_slug"),
                                ("claim_status", "status_slug")):
        # a handful of distinct values: slugify each once, not once per row
        events[slug_column] = events[column].map({v: config.slugify(v) for v in events[column].unique()})
    events["country_slug"] = events["country"].fillna("").str.lower()
    site_lat = events["site_id"].map(dict(zip(sites["id"], sites["lat"])))
    site_lon = events["site_id"].map(dict(zip(sites["id"], sites["lon"])))
    events["map_lat"] = events["lat"].fillna(site_lat).astype("float64")
    events["map_lon"] = events["lon"].fillna(site_lon).astype("float64")
    events["site_name"] = events["site_id"].map(dict(zip(sites["id"], sites["name"])))
    events["destination_name"] = events["destination_site_id"].map(dict(zip(sites["id"], sites["name"])))
    events["date_label"] = date_labels(events["date"], events["date_precision"])
    sources = source_columns(events, publishers if publishers is not None else pd.DataFrame())
    events[sources.columns] = sources
    return events.sort_values(["date", "id"], kind="stable").reset_index(drop=True)


def load_dataset(directory: Path | None = None, today: dt.date | None = None) -> Dataset:
    """Load and validate the data files in `directory`; raise DataError listing every problem."""
    directory = Path(directory) if directory else config.data_dir()
    problems: list[Problem] = []
    digest = hashlib.sha256()  # over the files' bytes as read: the data version names what was shown
    sites, geojson = load_sites(directory / config.SITES_FILE, problems, digest)
    events = load_events(directory / config.EVENTS_FILE, set(sites["id"]), problems, today, digest)
    from basewatch.queries.footprint import load_site_status  # footprint builds on this module

    # The optional files are hashed after the two required ones and only when present: a folder
    # without them keeps its version.
    publishers_path = directory / config.PUBLISHERS_FILE
    publishers_text = _read_text(publishers_path, problems, digest) if publishers_path.exists() else None
    site_status = load_site_status(directory / config.SITE_STATUS_FILE, sites, problems, digest, today)
    publishers = _load_publishers(directory, publishers_text, events, sites, site_status, problems)
    if problems:
        raise DataError(problems)
    events = add_derived_columns(events, sites, publishers)
    data_date = events["date"].max().date() if len(events) else None
    return Dataset(events=events, sites=sites, sites_geojson=geojson, data_date=data_date,
                   content_hash=digest.hexdigest(), source_dir=directory, publishers=publishers,
                   site_status=site_status)


def _load_publishers(directory: Path, text: str | None, events: pd.DataFrame, sites: pd.DataFrame,
                     site_status: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """publishers.csv when present (optional): validated, and covering every host the data cites."""
    from basewatch.loading.publishers import check_coverage, load_publishers

    if text is None:
        return pd.DataFrame()
    path = directory / config.PUBLISHERS_FILE
    before = len(problems)
    publishers = load_publishers(path, _display_path(path), problems, text)
    # Coverage is judged against a clean registry only: a broken row would make every host it names "missing".
    if len(problems) == before and len(events) and "lines" in events.attrs and len(sites):
        status_rows = (_display_path(directory / config.SITE_STATUS_FILE), site_status["source_url"],
                       site_status.attrs.get("lines", [None] * len(site_status)))
        check_coverage(events, events.attrs["lines"], sites, sites.attrs.get("lines", {}), publishers, problems,
                       _display_path(directory / config.EVENTS_FILE), _display_path(directory / config.SITES_FILE),
                       status_rows)
    return publishers
