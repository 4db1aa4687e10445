"""The Dataset: every data file loaded and validated together, with the derived columns pages use.

Each file has its own module in this package (events, sites, site_status, publishers); this one
assembles them, checks what spans files (every cited host has a publisher row) and names the version.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from basewatch import config
from basewatch.loading import changelog
from basewatch.loading.coverage import empty_coverage, load_coverage
from basewatch.loading.events import load_events
from basewatch.loading.files import read_text
from basewatch.loading.problems import DataError, Problem, shown_path
from basewatch.loading.publishers import check_coverage, load_publishers, source_columns, url_sets
from basewatch.loading.site_status import empty_site_status, load_site_status
from basewatch.loading.sites import load_sites
from basewatch.text import date_labels


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
    site_status: pd.DataFrame = field(default_factory=lambda: empty_site_status(), compare=False)
    # coverage.csv (contract extension): per country, how far the stored reporting was searched; empty without it.
    coverage: pd.DataFrame = field(default_factory=lambda: empty_coverage(), compare=False)
    # CHANGES.md as read with the other files, so the corrections log switches with the data it describes.
    changelog_text: str = field(default="", compare=False)
    # The source URLs of each distinct source set, by the events' `source_set` code (empty without publishers.csv).
    source_sets: list = field(default_factory=list, compare=False)

    @cached_property
    def changes(self) -> list[changelog.Entry]:
        """The corrections log's entries, newest section first."""
        return changelog.parse(self.changelog_text)

    @property
    def version(self) -> str:
        """Data version as shown and cited: the latest event date plus a short content hash."""
        day = self.data_date.isoformat() if self.data_date else "empty"
        return f"{day}+{self.content_hash[:7]}"



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
    return arrow_strings(events.sort_values(["date", "id"], kind="stable").reset_index(drop=True))


def arrow_strings(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns held as Arrow strings (pandas' `str` dtype) instead of one Python object per cell.

    At 1,000,000 events Python strings take about 1.8 GB; Arrow buffers a third of that, and the
    validated cache maps them from its file without a copy (loading/cache.py). Missing text is NaN.
    """
    out = frame.copy(deep=False)
    for column in frame.columns:
        values = frame[column]
        if values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
            # pyarrow's own conversion: about twice as fast as astype("str") on a million strings
            text = pa.array(values.to_numpy(), type=pa.large_string(), from_pandas=True).to_pandas()
            out[column] = pd.Series(text.array, index=frame.index, name=column)
    return out


def load_dataset(directory: Path | None = None, today: dt.date | None = None) -> Dataset:
    """Load and validate the data files in `directory`; raise DataError listing every problem."""
    directory = Path(directory) if directory else config.data_dir()
    problems: list[Problem] = []
    digest = hashlib.sha256()  # over the files' bytes as read: the data version names what was shown
    sites, geojson = load_sites(directory / config.SITES_FILE, problems, digest)
    events = load_events(directory / config.EVENTS_FILE, set(sites["id"]), problems, today, digest)
    # Taken off the frame at once: pandas deep-copies `attrs` into the result of every operation (a million
    # line numbers copied per operation cost over a minute at 1,000,000 events).
    event_lines = events.attrs.pop("lines", None)
    # The optional files are hashed after the two required ones and only when present: a folder
    # without them keeps its version.
    publishers_path = directory / config.PUBLISHERS_FILE
    publishers_text = read_text(publishers_path, problems, digest) if publishers_path.exists() else None
    site_status = load_site_status(directory / config.SITE_STATUS_FILE, sites, problems, digest, today)
    publishers = _load_publishers(directory, publishers_text, events, event_lines, sites, site_status, problems)
    coverage = load_coverage(directory / config.COVERAGE_FILE, problems, digest, today)
    changes_path = directory / config.CHANGES_FILE
    # Not part of the data version: a correction note alone does not change what the data says.
    changelog_text = (read_text(changes_path, problems) or "") if changes_path.exists() else ""
    if problems:
        raise DataError(problems)
    events = add_derived_columns(events, sites, publishers)
    data_date = events["date"].max().date() if len(events) else None
    return Dataset(events=events, sites=sites, sites_geojson=geojson, data_date=data_date,
                   content_hash=digest.hexdigest(), source_dir=directory, publishers=publishers,
                   site_status=site_status, coverage=coverage,
                   changelog_text=changelog_text, source_sets=_source_sets(events))


def _source_sets(events: pd.DataFrame) -> list[list[str]]:
    """The URL list of each `source_set` code, read while the events are in memory (not from the mapped cache)."""
    if "source_set" not in events or not len(events):
        return []
    present = np.unique(events["source_set"].to_numpy())  # url_sets' lists come in this order
    lists: list[list[str]] = [[] for _ in range(int(present[-1]) + 1)]
    for code, urls in zip(present, url_sets(events)[1]):
        lists[int(code)] = urls
    return lists


def _load_publishers(directory: Path, text: str | None, events: pd.DataFrame, event_lines: list[int] | None,
                     sites: pd.DataFrame, site_status: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """publishers.csv when present (optional): validated, and covering every host the data cites."""
    if text is None:
        return pd.DataFrame()
    path = directory / config.PUBLISHERS_FILE
    before = len(problems)
    publishers = load_publishers(path, shown_path(path), problems, text)
    # Coverage is judged against a clean registry only: a broken row would make every host it names "missing".
    if len(problems) == before and len(events) and event_lines is not None and len(sites):
        status_rows = (shown_path(directory / config.SITE_STATUS_FILE), site_status["source_url"],
                       site_status.attrs.get("lines", [None] * len(site_status)))
        check_coverage(events, event_lines, sites, sites.attrs.get("lines", {}), publishers, problems,
                       shown_path(directory / config.EVENTS_FILE), shown_path(directory / config.SITES_FILE),
                       status_rows)
    return publishers

