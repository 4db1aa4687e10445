"""Correctness at 1,000,000 events (no timing): every filter combined gives the counts a plain reference gives."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from basewatch import config
from basewatch.loading.dataset import _period_end
from basewatch.state.filters import Filters, apply_filters, filter_mask

N = 1_000_000
COUNTRIES = ("sy", "ly", "sd", "ru", "tr", "")


@pytest.fixture(scope="module")
def million_events() -> pd.DataFrame:
    """1M events with the loader's filter columns, drawn with numpy (about a second)."""
    rng = np.random.default_rng(13)
    actors = np.array([config.slugify(a) for a in config.ACTORS], dtype=object)
    types = np.array([config.slugify(t) for t in config.EVENT_TYPES], dtype=object)
    statuses = np.array(config.CLAIM_STATUSES, dtype=object)
    start = np.datetime64("1971-01-01")
    days = rng.integers(0, (np.datetime64("2026-11-30") - start).astype(int), N)
    dates = start + days.astype("timedelta64[D]")
    precision = rng.choice(np.array(config.DATE_PRECISIONS, dtype=object), N, p=[0.8, 0.15, 0.05])
    # imprecise dates sit on the first day of their period, as the contract demands
    dates = np.where(precision == "month", dates.astype("datetime64[M]").astype("datetime64[D]"), dates)
    dates = np.where(precision == "year", dates.astype("datetime64[Y]").astype("datetime64[D]"), dates)
    events = pd.DataFrame({
        "actor_slug": rng.choice(actors, N),
        "type_slug": rng.choice(types, N),
        "status_slug": rng.choice(statuses, N),
        "country_slug": pd.Series(rng.choice(np.array(COUNTRIES, dtype=object), N), dtype=object),
        "date": pd.to_datetime(dates),
        "date_precision": pd.Series(precision, dtype=object),
    })
    events["date_end"] = _period_end(events["date"], events["date_precision"])  # as the loader derives it
    return events


def reference_count(events: pd.DataFrame, f: Filters) -> int:
    """The same question asked independently: period ends from numpy calendar arithmetic, plain pandas."""
    day = events["date"].to_numpy().astype("datetime64[D]")
    one = np.timedelta64(1, "D")
    month_end = ((day.astype("datetime64[M]") + 1).astype("datetime64[D]")) - one
    year_end = ((day.astype("datetime64[Y]") + 1).astype("datetime64[D]")) - one
    precision = events["date_precision"].to_numpy()
    end = np.where(precision == "month", month_end, np.where(precision == "year", year_end, day))
    keep = pd.Series(True, index=events.index)
    if f.actors:
        keep &= events["actor_slug"].isin(list(f.actors))
    if f.types:
        keep &= events["type_slug"].isin(list(f.types))
    if f.statuses:
        keep &= events["status_slug"].isin(list(f.statuses))
    if f.countries:
        keep &= events["country_slug"].isin(list(f.countries))
    if f.date_from is not None:
        keep &= end >= np.datetime64(f.date_from, "D")
    if f.date_to is not None:
        keep &= day <= np.datetime64(f.date_to, "D")
    return int(keep.sum())


COMBINED = [
    Filters(actors=frozenset({"russia", "wagner-group", "africa-corps"}),
            types=frozenset({"deployment", "withdrawal", "redeployment"}),
            statuses=frozenset({"confirmed", "reported"}), countries=frozenset({"sy", "ly"}),
            date_from=dt.date(2015, 9, 30), date_to=dt.date(2024, 12, 8)),
    # boundaries that only the period logic gets right: a month or a year overlapping the range's start
    Filters(actors=frozenset({"russia"}), types=frozenset({"agreement", "deployment"}),
            statuses=frozenset({"confirmed", "reported", "claimed"}),
            date_from=dt.date(2017, 1, 18), date_to=dt.date(2017, 2, 10)),
    Filters(actors=frozenset({"soviet-union", "syria-assad-government"}), types=frozenset({"strike", "other"}),
            statuses=frozenset({"rumored", "denied", "claimed"}), countries=frozenset({"", "ru", "tr"}),
            date_from=dt.date(1990, 6, 15)),
    Filters(date_to=dt.date(1980, 2, 29)),
    Filters(),
]


@pytest.mark.parametrize("filters", COMBINED, ids=[f"combo{i}" for i in range(len(COMBINED))])
def test_a_million_events_filtered_by_everything_at_once_match_a_reference(million_events, filters):
    expected = reference_count(million_events, filters)
    mask = filter_mask(million_events, filters)
    assert int(mask.sum()) == expected
    assert len(apply_filters(million_events, filters)) == expected
    if filters != Filters():
        assert 0 < expected < N, "the combination must actually select something and drop something"
