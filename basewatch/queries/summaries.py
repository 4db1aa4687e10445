"""Headline numbers for the overview: pure pandas, no Streamlit."""

from __future__ import annotations

import pandas as pd

from basewatch import config
from basewatch.text import figure_as_given


def sites_by_status(sites: pd.DataFrame) -> dict[str, int]:
    """Site counts per status, in the vocabulary's order, statuses with no site left out."""
    counts = sites["status"].value_counts()
    return {s: int(counts[s]) for s in config.SITE_STATUSES if s in counts}


PERSONNEL_COLUMNS = ("personnel_low", "personnel_high", "site_id", "country", "date", "date_precision", "id",
                     "summary", "claim_status", "source_name")  # what latest_personnel reads and the overview shows


LATEST_KEYS = ("personnel_low", "site_id", "country")  # what latest_rows reads


def _country_wide(events: pd.DataFrame) -> pd.DataFrame:
    """The country-wide personnel estimates: a figure, no site, a country."""
    return events[events["personnel_low"].notna() & events["site_id"].isna() & events["country"].notna()]


def latest_rows(events: pd.DataFrame) -> pd.Index:
    """Index of each country's newest country-wide estimate, from events stored in (date, id) order (the
    loader's): latest_personnel of these rows alone answers as it does for all, without reading the text of
    every estimate."""
    return _country_wide(events).groupby("country", sort=False).tail(1).index


def latest_personnel(events: pd.DataFrame) -> pd.DataFrame:
    """For each country, the most recent country-wide personnel estimate (ties: the later id)."""
    rows = _country_wide(events)
    if rows.empty:
        return rows.assign(range=pd.Series(dtype=str))
    latest = rows.sort_values(["date", "id"]).groupby("country", sort=False).tail(1).copy()
    # As the source gives it: "up to 3,000" stays "up to 3,000", never a bare 3,000.
    latest["range"] = [figure_as_given(lo, hi, summary) for lo, hi, summary in
                       zip(latest["personnel_low"], latest["personnel_high"], latest["summary"])]
    return latest.sort_values("date", ascending=False)
