"""Rows of the filtered view without full-width copies: the newest matching rows, and text search.

The loader stores events in (date, id) order and ids are unique, so the newest matching events are the
last rows of the filter mask: no sort (which turned a million ids into Python strings) and no copy of
every column of every matching row (a page shows a few columns, or a few rows).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SEARCHED = ["summary", "place", "actor", "site_id", "site_name", "source_name", "id"]  # the only columns a search reads


def newest_first(mask: np.ndarray) -> np.ndarray:
    """Positions of the rows `mask` keeps, newest first (events are stored in (date, id) order)."""
    return np.flatnonzero(mask)[::-1]


def newest(events: pd.DataFrame, mask: np.ndarray, limit: int) -> pd.DataFrame:
    """The `limit` newest events `mask` keeps, newest first: what sort_values(["date", "id"]) gave, reversed."""
    return events.iloc[newest_first(mask)[:limit]]


def latest(events: pd.DataFrame, mask: np.ndarray) -> pd.Series | None:
    """The newest event `mask` keeps, or None."""
    kept = np.flatnonzero(mask)
    return events.iloc[kept[-1]] if len(kept) else None


def search_mask(events: pd.DataFrame, query: str, site_labels: dict[str, str] | None = None) -> np.ndarray:
    """Rows whose summary, place, actor, site, source or id contains `query` (case-insensitive, literal).

    `site_labels` (site id → its name in the reader's language): a site is also found by the name the page shows.
    """
    haystack = (events["summary"].fillna("") + " " + events["place"].fillna("") + " " + events["actor"] + " "
                + events["site_name"].fillna("") + " " + events["source_name"].fillna("") + " " + events["id"])
    if site_labels:
        haystack = haystack + " " + events["site_id"].map(site_labels).fillna("")
    return haystack.str.contains(query.strip(), case=False, regex=False).to_numpy(dtype=bool)


def search_events(events: pd.DataFrame, query: str) -> pd.DataFrame:
    """Events whose summary, place, actor, site, source or id contains `query` (case-insensitive, literal)."""
    return events[search_mask(events, query)] if (query or "").strip() else events
