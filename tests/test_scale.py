"""Correctness at 1,000,000 events (no timing): every filter combined gives the counts a plain reference gives."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pytest

from basewatch import config
from basewatch.loading.dataset import _period_end
from basewatch.state.filters import (
    FILTER_FIELDS,
    REGISTRY,
    ChoiceFilter,
    Filters,
    FlagFilter,
    apply_filters,
    canonical,
    filter_mask,
)

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


# --- The app's own frame at 1,000,000 events -----------------------------------------------------------------
# The frame above holds only the slug columns. Here 1M synthetic events go through the app's loader and
# validated cache (Arrow strings memory-mapped from the cache file), and every registry filter, `source` and
# `independent` included, is counted against a reference read from the same CSV as plain Python objects.

WEAK = {"aggregator", "blog", "wiki"}


@pytest.fixture(scope="module")
def loaded_million(tmp_path_factory):
    """(app events, reference events): the app's loaded frame and the CSV as object columns."""
    from basewatch.loading.cache import load_dataset_cached
    from tools.synth import make_dataset

    folder = make_dataset(N, tmp_path_factory.mktemp("million"), seed=5)
    app = load_dataset_cached(folder).events
    raw = pd.read_csv(folder / "events.csv", dtype=object, keep_default_na=False,
                      usecols=["id", "date", "date_precision", "actor", "event_type", "claim_status", "country",
                               "source_url", "more_sources"])
    publishers = pd.read_csv(folder / "publishers.csv", dtype=object, keep_default_na=False)
    return app, reference_frame(raw, publishers)


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").rstrip(".")
    return host[4:] if host.startswith("www.") else host


def reference_frame(raw: pd.DataFrame, publishers: pd.DataFrame) -> pd.DataFrame:
    """The filter columns derived again, row by row in Python, from the CSV's own text."""
    kind = dict(zip(publishers["host"], publishers["kind"]))
    weak = {h for h, k, state in zip(publishers["host"], publishers["kind"], publishers["state_affiliated"])
            if state == "true" or k in WEAK}
    per_sources: dict[str, tuple[frozenset, bool]] = {}
    kinds, all_weak = [], []
    for first, more in zip(raw["source_url"], raw["more_sources"]):
        key = first + " " + more
        if key not in per_sources:
            hosts = [_host(u) for u in key.split()]
            per_sources[key] = (frozenset(kind.get(h, "other") for h in hosts), all(h in weak for h in hosts))
        kinds.append(per_sources[key][0])
        all_weak.append(per_sources[key][1])
    slugs = {column: {v: config.slugify(v) for v in raw[column].unique()}
             for column in ("actor", "event_type", "claim_status")}
    return pd.DataFrame({
        "id": raw["id"], "actor_slug": raw["actor"].map(slugs["actor"]),
        "type_slug": raw["event_type"].map(slugs["event_type"]),
        "status_slug": raw["claim_status"].map(slugs["claim_status"]),
        "country_slug": raw["country"].str.lower(), "date": pd.to_datetime(raw["date"]),
        "date_precision": raw["date_precision"], "kinds": kinds, "weak_only": all_weak})


def reference_mask(events: pd.DataFrame, f: Filters) -> np.ndarray:
    """Every registry filter asked of the reference frame, the date logic from reference_count."""
    keep = np.ones(len(events), dtype=bool)
    if f.sources:
        keep &= np.fromiter((not kinds.isdisjoint(f.sources) for kinds in events["kinds"]), bool, len(events))
    if f.independent_only:
        keep &= ~events["weak_only"].to_numpy(dtype=bool)
    plain = f.replace(sources=frozenset(), independent_only=False)
    if plain != Filters():
        keep &= _reference_keep(events, plain)
    return keep


def _reference_keep(events: pd.DataFrame, f: Filters) -> np.ndarray:
    day = events["date"].to_numpy().astype("datetime64[D]")
    one = np.timedelta64(1, "D")
    month_end = ((day.astype("datetime64[M]") + 1).astype("datetime64[D]")) - one
    year_end = ((day.astype("datetime64[Y]") + 1).astype("datetime64[D]")) - one
    precision = events["date_precision"].to_numpy()
    end = np.where(precision == "month", month_end, np.where(precision == "year", year_end, day))
    keep = np.ones(len(events), dtype=bool)
    for name, column in (("actors", "actor_slug"), ("types", "type_slug"), ("statuses", "status_slug"),
                         ("countries", "country_slug")):
        if getattr(f, name):
            keep &= events[column].isin(list(getattr(f, name))).to_numpy()
    if f.date_from is not None:
        keep &= end >= np.datetime64(f.date_from, "D")
    if f.date_to is not None:
        keep &= day <= np.datetime64(f.date_to, "D")
    return keep


def registry_views(reference: pd.DataFrame) -> list[Filters]:
    """Each filter of the registry on its own, every value of each choice filter, then all at once."""
    views = []
    for entry in REGISTRY:
        if isinstance(entry, ChoiceFilter):
            column = reference["kinds"].explode().dropna() if entry.key == "source" else reference[entry.column]
            views += [Filters(**{entry.name: frozenset({value})}) for value in sorted(set(column))]
        elif isinstance(entry, FlagFilter):
            views.append(Filters(**{entry.name: True}))
        else:
            views += [Filters(**{entry.name: day}) for day in (dt.date(1990, 6, 15), dt.date(2017, 1, 18))]
    views.append(Filters(actors=frozenset({"russia", "wagner-group"}), countries=frozenset({"ly", "sy"}),
                         sources=frozenset({"wire", "official"}), independent_only=True,
                         date_from=dt.date(2015, 9, 30), date_to=dt.date(2024, 12, 8)))
    return views


@pytest.mark.scale
def test_a_million_loaded_events_give_the_reference_counts_for_every_registry_filter(loaded_million):
    app, reference = loaded_million
    assert len(app) == len(reference) == N
    assert str(app["source_kinds"].dtype) == "str" and str(app["actor_slug"].dtype) == "str", \
        "the app's text columns are Arrow strings"
    views = registry_views(reference)
    exercised = {entry.name for view in views for entry in REGISTRY if getattr(view, entry.name)}
    assert exercised == FILTER_FIELDS, "every registry filter is counted"
    for view in views:
        expected = reference_mask(reference, view)
        got = filter_mask(app, view)
        assert int(got.sum()) == int(expected.sum()), canonical(view)
        assert 0 < int(expected.sum()) < N, f"{canonical(view)} must select something and drop something"
    combined = views[-1]
    assert sorted(app.loc[filter_mask(app, combined), "id"]) == sorted(reference["id"][reference_mask(reference, combined)])
