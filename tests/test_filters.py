"""Filtering: by actor, type, status, country and a date range that respects date precision."""

from __future__ import annotations

import datetime as dt

import pytest

from basewatch.loading.dataset import load_dataset
from basewatch.state.filters import Filters, apply_filters
from tests.conftest import MINI


@pytest.fixture(scope="module")
def events():
    return load_dataset(MINI, today=dt.date(2026, 11, 26)).events


def test_no_filter_returns_everything(events):
    assert len(apply_filters(events, Filters())) == len(events)


def test_actor_and_type_combine(events):
    result = apply_filters(events, Filters(actors=frozenset({"russia"}), types=frozenset({"withdrawal"})))
    assert set(result["id"]) == {"ev-0005", "ev-0010"}


def test_several_actors_are_alternatives(events):
    result = apply_filters(events, Filters(actors=frozenset({"russia", "european-union"})))
    assert set(result["actor"]) == {"Russia", "European Union"}


def test_status_and_country(events):
    assert set(apply_filters(events, Filters(statuses=frozenset({"denied"})))["id"]) == {"ev-0009"}
    assert set(apply_filters(events, Filters(countries=frozenset({"ly"})))["id"]) == {"ev-0008", "ev-0010"}


def test_imprecise_dates_match_when_their_period_overlaps(events):
    # ev-0001 is dated "1971" (year precision); ev-0003 is "Mar 2016" (month precision).
    in_1971 = apply_filters(events, Filters(date_from=dt.date(1971, 6, 1), date_to=dt.date(1971, 6, 30)))
    assert set(in_1971["id"]) == {"ev-0001"}
    mid_march = apply_filters(events, Filters(date_from=dt.date(2016, 3, 15), date_to=dt.date(2016, 3, 15)))
    assert set(mid_march["id"]) == {"ev-0003"}


def test_from_only_and_to_only(events):
    since = apply_filters(events, Filters(date_from=dt.date(2024, 12, 1)))
    # ev-0004 (8 Dec 2024) is the first event on or after 1 Dec 2024; nothing earlier may slip in.
    assert set(since["id"]) == {f"ev-{n:04d}" for n in range(4, 11)}
    until = apply_filters(events, Filters(date_to=dt.date(2015, 12, 31)))
    assert set(until["id"]) == {"ev-0001", "ev-0002"}


def test_empty_result_keeps_columns(events):
    result = apply_filters(events, Filters(actors=frozenset({"turkey"})))
    assert result.empty and list(result.columns) == list(events.columns)
