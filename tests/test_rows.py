"""The narrow paths the pages take give the answers the full-width copies and sorts gave.

Pages read the filter mask and a few columns, and take the newest rows from the loader's order
instead of sorting; these tests hold each of those to the plain pandas answer on the bundled data.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from basewatch.loading.dataset import load_dataset
from basewatch.queries import aggregate, footprint
from basewatch.state import rows
from basewatch.state.catalog import build_catalog
from basewatch.state.filters import Filters, apply_filters, filter_mask
from basewatch.views import story
from basewatch.views.maps import events as event_layers
from tests.conftest import BUNDLED, MINI

VIEWS = [Filters(), Filters(actors=frozenset({"russia"})), Filters(countries=frozenset({"ly"})),
         Filters(date_from=dt.date(2020, 1, 1)), Filters(independent_only=True),
         Filters(sources=frozenset({"wire", "official"})), Filters(actors=frozenset({"nobody"}))]


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return load_dataset(BUNDLED).events


@pytest.mark.parametrize(("folder", "today"), [(BUNDLED, None), (MINI, dt.date(2026, 11, 26))], ids=["bundled", "mini"])
def test_the_loader_stores_events_in_date_then_id_order_with_unique_ids(folder, today):
    events = load_dataset(folder, today=today).events
    assert events["id"].is_unique
    ordered = events.sort_values(["date", "id"], kind="stable")
    assert list(ordered["id"]) == list(events["id"])


@pytest.mark.parametrize("filters", VIEWS)
def test_newest_rows_from_the_mask_equal_a_sort(events, filters):
    mask = filter_mask(events, filters)
    sorted_view = apply_filters(events, filters).sort_values(["date", "id"], ascending=False)
    assert list(rows.newest(events, mask, 10)["id"]) == list(sorted_view.head(10)["id"])
    latest = rows.latest(events, mask)
    if sorted_view.empty:
        assert latest is None and story.latest_clause(latest) == "."
    else:
        assert latest["id"] == sorted_view.iloc[0]["id"]
        assert story.latest_clause(latest) == story.latest_clause(apply_filters(events, filters))


@pytest.mark.parametrize("query", ["Reuters", "tartus", "ev-", "zzz-no-such-text"])
def test_search_on_the_masked_rows_equals_search_on_the_filtered_copy(events, query):
    filters = Filters(actors=frozenset({"russia"}))
    found = np.flatnonzero(filter_mask(events, filters))
    found = found[rows.search_mask(events[rows.SEARCHED].iloc[found], query)]
    expected = rows.search_events(apply_filters(events, filters), query)
    assert list(events["id"].iloc[found]) == list(expected["id"])
    if query != "zzz-no-such-text":
        assert len(found) > 0


@pytest.mark.parametrize("filters", VIEWS)
def test_narrow_columns_give_the_full_width_answers(events, filters):
    full = apply_filters(events, filters)
    narrow = apply_filters(events, filters, event_layers.COLUMNS)
    catalog = build_catalog(events, load_dataset(BUNDLED).sites)
    assert list(narrow.columns) == event_layers.COLUMNS and len(narrow) == len(full)
    assert event_layers.event_rows(narrow, catalog) == event_layers.event_rows(full, catalog)
    moves = apply_filters(events, filters, footprint.movement_columns(events))
    pd.testing.assert_frame_equal(footprint.movements(moves), footprint.movements(full))


def test_grid_cells_on_three_columns_equal_cells_of_every_column(events):
    for zoom in (2, 5, 9):
        full = aggregate.grid_cells(events, zoom)
        narrow = aggregate.grid_cells(events[aggregate.CELL_COLUMNS], zoom)
        pd.testing.assert_frame_equal(full, narrow)
        assert [list(a.items()) for a in full["actors"]] == [list(a.items()) for a in narrow["actors"]]
    shown = aggregate.map_view(events, None, threshold=10)
    assert shown.kind == "cells" and list(shown.cells.columns)[:3] == ["cell_x", "cell_y", "count"]
    assert shown.cells["count"].sum() == int(events["map_lat"].notna().sum())


def test_the_catalog_knows_event_ids_without_a_set_of_them(events):
    catalog = build_catalog(events, load_dataset(BUNDLED).sites)
    first = events["id"].iloc[0]
    assert first in catalog.allowed("event")
    assert "ev-no-such-id" not in catalog.allowed("event")
    assert None not in catalog.allowed("event") and 5 not in catalog.allowed("event")


@pytest.mark.parametrize("by", ["country", "site"])
def test_personnel_estimates_from_their_own_rows_and_columns_equal_the_full_width_answer(events, by):
    from basewatch.views.charts import personnel

    rows = personnel.has_estimate(events, by)
    narrow = events.loc[rows, personnel.columns_for(int(rows.sum()))]
    pd.testing.assert_frame_equal(personnel.personnel_frame(narrow, by=by), personnel.personnel_frame(events, by=by))
    # Monthly aggregates read no per-estimate text, so it is left out above MAX_PERSONNEL_POINTS.
    without_text = events.loc[rows, [c for c in personnel.COLUMNS if c not in personnel.NOT_AGGREGATED]]
    pd.testing.assert_frame_equal(personnel.personnel_frame(without_text, by=by, max_points=3),
                                  personnel.personnel_frame(events, by=by, max_points=3))


def test_latest_personnel_of_the_newest_rows_alone_equals_the_answer_for_every_row(events):
    from basewatch.queries import summaries

    for filters in VIEWS:
        view = apply_filters(events, filters)
        newest = summaries.latest_rows(view[list(summaries.LATEST_KEYS)])
        pd.testing.assert_frame_equal(summaries.latest_personnel(view.loc[newest]), summaries.latest_personnel(view))


def test_citations_per_publisher_from_the_loaders_source_sets_equal_joining_every_url(events):
    from basewatch.queries import sources

    dataset = load_dataset(BUNDLED)
    publishers = dataset.publishers
    assert "source_set" in events and dataset.source_sets
    for filters in VIEWS:
        view = apply_filters(events, filters)
        pd.testing.assert_frame_equal(sources.citations_per_publisher(view, publishers),
                                      sources.citations_per_publisher(view.drop(columns="source_set"), publishers))
        # The loader's list per source set: no URL cell read, the same counts.
        pd.testing.assert_frame_equal(sources.citations_per_publisher(view, publishers, dataset.source_sets),
                                      sources.citations_per_publisher(view.drop(columns="source_set"), publishers))


def test_timeline_counts_from_date_and_actor_alone_equal_the_full_width_chart(events, monkeypatch):
    from basewatch.views.charts import timeline

    monkeypatch.setattr(timeline, "MAX_TIMELINE_MARKS", 10)  # the bundled data then draws monthly counts
    assert timeline.timeline_chart(events[timeline.BINNED_COLUMNS]).to_dict(validate=False) == \
        timeline.timeline_chart(events).to_dict(validate=False)


def test_a_site_is_found_by_the_name_the_reader_sees(events):
    arabic = {"hmeimim": "قاعدة حميميم الجوية"}
    found = events[rows.search_mask(events, "حميميم", arabic)]
    assert len(found) and set(found["site_id"]) == {"hmeimim"}
    assert not rows.search_mask(events, "حميميم").any()  # the data itself is in English
    assert rows.search_mask(events, "Hmeimim", arabic).sum() >= len(found)  # the English name still finds it
