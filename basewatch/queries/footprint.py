"""Site status over time (site_status.csv): loading, validation and the pure questions pages ask of it.

A row gives a site's Russian status from its date until the next row for that site. A month-precision
row counts from the first of that month, a year-precision row from 1 January. Before a site's first row
the site is not part of the footprint ("no Russian presence yet"). Without site_status.csv every site
keeps its bases.geojson status and has no history.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pandas as pd

from basewatch import config
from basewatch.loading.dataset import Problem, _display_path, _read_text, _rows_with_lines
from basewatch.loading.schema import HTTP_URL, ISO_DATE, PARTIAL_DATE
from basewatch.text import date_label, figure_as_given, long_date

SITE_STATUS_COLUMNS = ("site_id", "date", "date_precision", "status", "claim_status", "source_name",
                       "source_url", "source_date", "note")
REQUIRED_TEXT = ("site_id", "source_name", "note")
NO_PRESENCE_LABEL = "no Russian presence yet"
NO_PRESENCE_COLOR = "#FFFFFF"  # drawn as an outline only: never mistaken for a status colour

_ISO_DATE = re.compile(ISO_DATE)
_PARTIAL_DATE = re.compile(PARTIAL_DATE)
_HTTP_URL = re.compile(HTTP_URL)


def empty_site_status() -> pd.DataFrame:
    """A site-status table with no rows (what a data folder without site_status.csv has)."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in SITE_STATUS_COLUMNS})
    frame["date"] = pd.Series(dtype="datetime64[ns]")
    return frame


# --- loading and validation ----------------------------------------------------------------------

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
    shown = _display_path(path)
    text = _read_text(path, problems, digest)
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
    body = text[text.index("\n") + 1:] if "\n" in text else ""
    rows, lines = _rows_with_lines(body, shown, problems)
    # Sites that failed validation are already reported; checking references against a partial list
    # would only repeat those problems.
    site_ids = set(sites["id"]) if len(sites) else None
    today = today or dt.date.today()
    records, last_date = [], {}
    for row, line in zip(rows, lines):
        if not row:
            continue
        if len(row) != len(SITE_STATUS_COLUMNS):
            what = "truncated row" if len(row) < len(SITE_STATUS_COLUMNS) else "too many fields (unquoted comma?)"
            problems.append(Problem(shown, line, None,
                                    f"{what}: expected {len(SITE_STATUS_COLUMNS)} fields, found {len(row)}"))
            continue
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


# --- questions pages ask --------------------------------------------------------------------------

def status_color(status: str | None) -> str:
    """The map's colour for a status; sites with no Russian presence yet get a white fill (outline only)."""
    return config.SITE_STATUS_COLORS.get(status, NO_PRESENCE_COLOR) if status else NO_PRESENCE_COLOR


def as_of_sentence(day, data_date) -> str:
    """The line under the map saying which date the footprint is shown for."""
    if day is None or (data_date is not None and pd.Timestamp(day) >= pd.Timestamp(data_date)):
        shown = f"the data date, {long_date(data_date)}" if data_date is not None else "the latest data"
        return f"Sites are coloured by their Russian status as of {shown}."
    return (f"Sites are coloured by their Russian status on {long_date(day)}, the end of the selected period; "
            "sites with no Russian presence yet are drawn white.")


def _site_table(sites: pd.DataFrame) -> pd.DataFrame:
    table = sites.reindex(columns=["id", "name", "country", "status"])  # absent columns become blank
    return table.rename(columns={"id": "site_id"})


RUN_FIELDS = ("date", "date_precision", "claim_status", "source_name", "source_url", "note")


def _with_runs(site_status: pd.DataFrame) -> pd.DataFrame:
    """Add, to each row, the fields of the row that began its run of the same status (run_*)."""
    frame = site_status.copy()
    changed = frame["status"].ne(frame.groupby("site_id")["status"].shift())
    frame["run"] = changed.groupby(frame["site_id"]).cumsum()
    grouped = frame.groupby(["site_id", "run"], sort=False)
    for column in RUN_FIELDS:
        frame[f"run_{column}"] = grouped[column].transform("first")
    return frame


def status_as_of(site_status: pd.DataFrame, sites: pd.DataFrame, day=None) -> pd.DataFrame:
    """Each site's Russian status on `day` (None: the latest), since when, and the source of that change.

    Columns: site_id, name, country, status (None before the site's first row), label, present,
    since, since_precision, since_label, claim_status, source_name, source_url, note (all from the row
    that began the current status), latest_date, latest_source_name, latest_source_url, latest_note
    (the newest row up to `day`, which may restate the status or disagree about it), has_history.
    """
    out = _site_table(sites).rename(columns={"status": "geo_status"})
    history = site_status if site_status is not None else empty_site_status()
    history = _with_runs(history) if len(history) else history
    if day is not None and len(history):
        history = history[history["date"] <= pd.Timestamp(day)]
    latest = history.groupby("site_id", sort=False).tail(1).set_index("site_id")
    out["has_history"] = out["site_id"].isin(set(site_status["site_id"])) if site_status is not None else False
    if len(latest):
        found = out["site_id"].map(latest["status"])
    else:
        found = pd.Series(None, index=out.index, dtype=object)
    # Without a history the bases.geojson status is all there is; with one, no row yet = no presence yet.
    out["status"] = [s if h else g for s, h, g in zip(found, out["has_history"], out["geo_status"])]
    out["status"] = out["status"].astype(object).where(out["status"].notna(), None)
    out["present"] = out["status"].notna()
    out["label"] = out["status"].fillna(NO_PRESENCE_LABEL)
    pairs = [(f"run_{c}", c) for c in RUN_FIELDS] + [("date", "latest_date"), ("source_name", "latest_source_name"),
                                                     ("source_url", "latest_source_url"), ("note", "latest_note")]
    for source_column, column in pairs:
        if len(latest):
            values = out["site_id"].map(latest[source_column])
            out[column] = values.astype(object).where(values.notna(), None)
        else:
            out[column] = None
    out = out.rename(columns={"date": "since", "date_precision": "since_precision"})
    out["since_label"] = [date_label(d, p) if d is not None and not pd.isna(d) else None
                          for d, p in zip(out["since"], out["since_precision"])]
    return out.drop(columns=["geo_status"]).reset_index(drop=True)


def sites_as_of(site_status: pd.DataFrame, sites: pd.DataFrame, day=None) -> pd.DataFrame:
    """`sites` with `status` as of `day`, ready for the map, site profiles, counts and range rings.

    `status` becomes the status on `day`, or "no Russian presence yet" before a site's first row (not in
    the vocabulary, so counts skip it and the map greys it). For a `day` before the latest row,
    `status_note` becomes that row's note and source, because the bases.geojson note describes the
    present. The original status is kept in `geo_status`; `status_since`, `status_source_name`,
    `status_source_url` and `present` are added.
    """
    table = status_as_of(site_status, sites, day).set_index("site_id")
    out = sites.copy()
    out["geo_status"] = out["status"]
    out["status"] = out["id"].map(table["label"])
    out["present"] = out["id"].map(table["present"]).astype(bool)
    out["status_since"] = out["id"].map(table["since_label"])
    out["status_source_name"] = out["id"].map(table["source_name"])
    out["status_source_url"] = out["id"].map(table["source_url"])
    latest_dates = site_status.groupby("site_id")["date"].max() if site_status is not None and len(
        site_status) else pd.Series(dtype="datetime64[ns]")
    if day is not None:
        earlier = out["id"].map(latest_dates).gt(pd.Timestamp(day)) & out["id"].map(table["has_history"]).astype(bool)
        for i in out.index[earlier]:
            row = table.loc[out.at[i, "id"]]
            out.at[i, "status_note"] = (f"As of {long_date(day)}: no Russian presence is recorded yet."
                                        if not row["present"] else
                                        f"As of {long_date(day)}: {row['label']} since {row['since_label']} "
                                        f"({row['source_name']}). {row['latest_note']}")
    return out


def status_changes(site_status: pd.DataFrame, sites: pd.DataFrame, start, end) -> pd.DataFrame:
    """Sites whose status just before `start` differs from their status at `end`: old → new, with the source.

    A change dated on `start` itself counts as a change within the period.
    """
    before = status_as_of(site_status, sites, pd.Timestamp(start) - pd.Timedelta(days=1))
    after = status_as_of(site_status, sites, end)
    merged = after.merge(before[["site_id", "status", "label"]], on="site_id", suffixes=("", "_old"))
    changed = merged[merged["label"] != merged["label_old"]].copy()
    changed = changed.rename(columns={"status_old": "old_status", "label_old": "old_label",
                                      "status": "new_status", "label": "new_label"})
    return changed[["site_id", "name", "country", "old_status", "old_label", "new_status", "new_label",
                    "since", "since_precision", "since_label", "claim_status", "source_name", "source_url",
                    "note"]].sort_values(["country", "name"]).reset_index(drop=True)


def movements(events: pd.DataFrame, sites: pd.DataFrame | None = None) -> pd.DataFrame:
    """Origin → destination pairs from the destination_site_id column, with counts and event ids.

    A blank destination is not a movement. Columns: origin, destination, origin_name, destination_name,
    count, event_ids (list, in date order), first, last.
    """
    columns = ["origin", "destination", "origin_name", "destination_name", "count", "event_ids", "first", "last"]
    if "destination_site_id" not in events.columns or not len(events):
        return pd.DataFrame(columns=columns)
    moves = events[events["destination_site_id"].notna() & (events["destination_site_id"] != "")
                   & events["site_id"].notna()]
    if not len(moves):
        return pd.DataFrame(columns=columns)
    moves = moves.sort_values(["date", "id"], kind="stable")
    grouped = moves.groupby(["site_id", "destination_site_id"], sort=False)
    out = grouped.agg(count=("id", "size"), event_ids=("id", list), first=("date", "min"), last=("date", "max"))
    out = out.reset_index().rename(columns={"site_id": "origin", "destination_site_id": "destination"})
    names = dict(zip(sites["id"], sites["name"])) if sites is not None and len(sites) else {}
    out["origin_name"] = out["origin"].map(lambda s: names.get(s, s))
    out["destination_name"] = out["destination"].map(lambda s: names.get(s, s))
    return out.sort_values(["count", "origin", "destination"], ascending=[False, True, True])[columns].reset_index(
        drop=True)


def _latest_estimates(estimates: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """The estimates of the latest date on or before `day` (several when sources disagree that day)."""
    known = estimates[estimates["date"] <= day]
    if not len(known):
        return known
    return known[known["date"] == known["date"].max()]


def _estimate_text(rows: pd.DataFrame) -> str:
    parts = [f"{figure_as_given(r.personnel_low, r.personnel_high, r.summary)} ({r.source_name}, "
             f"{date_label(r.date, r.date_precision)})" for r in rows.itertuples()]
    return " or ".join(parts)


def what_changed(dataset, start=None, end=None, events_in_view: pd.DataFrame | None = None) -> list[str]:
    """Plain sentences a journalist could quote about the period from `start` to `end`.

    Covers the sites whose status changed (with their sources), the latest country-wide personnel
    estimates at both ends as the sources give them (ranges are never subtracted), and the movements
    between sites in `events_in_view` during the period. `start` defaults to the first event, `end` to
    the data date.
    """
    events = dataset.events
    if start is None:
        start = events["date"].min() if len(events) else pd.Timestamp(dataset.data_date or dt.date.today())
    if end is None:
        end = pd.Timestamp(dataset.data_date) if dataset.data_date else pd.Timestamp(dt.date.today())
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    span = f"between {long_date(start)} and {long_date(end)}"
    sentences: list[str] = []

    site_status = getattr(dataset, "site_status", None)
    if site_status is None or not len(site_status):
        sentences.append("The data has no site status history, so changes in site status cannot be shown.")
    else:
        changes = status_changes(site_status, dataset.sites, start, end)
        if not len(changes):
            sentences.append(f"No site changed its Russian status {span}.")
        else:
            sentences.append(f"{len(changes)} site{'s' if len(changes) != 1 else ''} changed Russian status {span}.")
            for row in changes.itertuples():
                where = f"{row.name}, {config.country_name(row.country)}"
                if row.new_status is None:
                    sentences.append(f"{where}: {row.old_label} → {row.new_label}.")
                    continue
                sentences.append(f"{where}: {row.old_label} → {row.new_label} since {row.since_label} "
                                 f"(source: {row.source_name}; {row.claim_status}).")

    has_range = events["personnel_low"].notna() & events["personnel_high"].notna() & events["site_id"].isna()
    estimates = events[has_range & events["country"].notna()]
    for country in sorted(estimates["country"].unique(), key=config.country_name):
        per_country = estimates[estimates["country"] == country]
        then, now = _latest_estimates(per_country, start), _latest_estimates(per_country, end)
        name = config.country_name(country)
        if not len(now):
            continue
        if not len(then):
            sentences.append(f"Russian personnel in {name}: no country-wide estimate as of {long_date(start)}; "
                             f"as of {long_date(end)} the latest is {_estimate_text(now)}.")
        elif set(then["id"]) == set(now["id"]):
            sentences.append(f"Russian personnel in {name}: no newer country-wide estimate {span}; "
                             f"the latest is {_estimate_text(now)}.")
        else:
            sentences.append(f"Russian personnel in {name}: as of {long_date(start)} the latest country-wide "
                             f"estimate was {_estimate_text(then)}; as of {long_date(end)} it is "
                             f"{_estimate_text(now)}. These are different sources' figures, not a measured change.")

    in_view = events if events_in_view is None else events_in_view
    if len(in_view):
        in_view = in_view[(in_view["date"] >= start) & (in_view["date"] <= end)]
    moves = movements(in_view, dataset.sites)
    if not len(moves):
        sentences.append(f"No movement of forces or materiel between sites is recorded {span}.")
    else:
        total = int(moves["count"].sum())
        pairs = "; ".join(f"{r.origin_name} → {r.destination_name}: {r.count} ({', '.join(r.event_ids)})"
                          for r in moves.itertuples())
        sentences.append(f"{total} recorded movement{'s' if total != 1 else ''} between sites {span}: {pairs}.")
    return sentences
