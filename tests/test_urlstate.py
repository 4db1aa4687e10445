"""URL state: round trips, defaults omitted, repeated keys, and junk that never breaks a page."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from basewatch.state.filters import Filters
from basewatch.state.urlstate import (
    PARAM_NAMES,
    MapView,
    ViewState,
    parse_query_params,
    query_string,
    to_query_params,
)
from tests.conftest import catalog_from_sets

VOCAB = catalog_from_sets(
    actors=frozenset({"russia", "european-union", "syria-transitional-government", "turkey"}),
    types=frozenset({"deployment", "withdrawal", "statement"}),
    statuses=frozenset({"confirmed", "reported", "denied"}),
    countries=frozenset({"sy", "ly", "ru"}),
    sites=frozenset({"tartus", "hmeimim"}),
    events=frozenset({"ev-0001", "ev-0002"}),
)


def test_default_view_has_an_empty_query():
    assert to_query_params(ViewState()) == {}
    state, notices = parse_query_params({}, VOCAB)
    assert state == ViewState() and notices == []


def test_full_view_round_trips():
    state = ViewState(
        filters=Filters(actors=frozenset({"russia", "european-union"}), types=frozenset({"withdrawal"}),
                        statuses=frozenset({"confirmed"}), countries=frozenset({"sy"}),
                        date_from=dt.date(2024, 12, 1), date_to=dt.date(2025, 6, 30)),
        site="tartus", event="ev-0002", view=MapView(35.1, 36.2, 7), rings=("hmeimim",), radius_km=900)
    params = to_query_params(state)
    assert params["actor"] == ["european-union", "russia"]  # repeated key, sorted
    assert query_string(params).startswith("actor=european-union&actor=russia&type=withdrawal")
    assert parse_query_params(params, VOCAB) == (state, [])


def test_labels_and_comma_lists_are_accepted_as_slugs():
    state, notices = parse_query_params({"actor": ["Syria (transitional government)", "russia,turkey"]}, VOCAB)
    assert state.filters.actors == {"syria-transitional-government", "russia", "turkey"}
    assert notices == []


def test_unknown_and_malformed_values_are_named_and_dropped():
    params = {"actor": ["russia", "atlantis"], "from": "2024-13-01", "to": "yesterday", "view": "1,2",
              "site": "area-51", "event": "ev-9999", "radius": "-5", "ring": ["tartus", "nowhere"], "utm_source": "x"}
    state, notices = parse_query_params(params, VOCAB)
    assert state.filters.actors == {"russia"}
    assert state.filters.date_from is None and state.filters.date_to is None
    assert state.view is None and state.site is None and state.event is None and state.rings == ("tartus",)
    text = " ".join(notices)
    for needle in ("atlantis", "from=2024-13-01", "to=yesterday", "view=1,2", "site=area-51", "ev-9999",
                   "radius=-5", "nowhere", "utm_source"):
        assert needle in text, (needle, notices)


def test_reversed_dates_keep_from_and_say_so():
    state, notices = parse_query_params({"from": "2025-01-01", "to": "2024-01-01"}, VOCAB)
    assert state.filters.date_from == dt.date(2025, 1, 1) and state.filters.date_to is None
    assert any("before" in n for n in notices)


def test_dates_outside_the_pickers_range_are_refused():
    state, notices = parse_query_params({"from": "1066-10-14", "to": "2999-01-01"}, VOCAB)
    assert state.filters.date_from is None and state.filters.date_to is None
    assert len(notices) == 2


def test_out_of_range_view_is_refused():
    state, notices = parse_query_params({"view": "95,10,5"}, VOCAB)
    assert state.view is None and notices


def test_notice_cannot_break_out_of_its_code_span():
    _, notices = parse_query_params({"actor": "`**x**`[a](javascript:alert(1))"}, VOCAB)
    # Backticks in the value become quotes, so the notice's code spans stay balanced.
    assert notices[0].count("`") == 4 and "'**x**'" in notices[0]


query_values = st.lists(st.text(max_size=30), max_size=4)
junk = st.dictionaries(st.sampled_from(list(PARAM_NAMES) + ["x", "", "actor[]"]), query_values, max_size=8)


@settings(max_examples=300, deadline=None)
@given(junk)
def test_any_query_parses_without_raising(params):
    state, notices = parse_query_params(params, VOCAB)
    assert isinstance(state, ViewState)
    assert all(isinstance(n, str) for n in notices)
    # What we would write back is canonical: parsing it again gives the same state, silently.
    assert parse_query_params(to_query_params(state), VOCAB) == (state, [])


views = st.builds(
    ViewState,
    filters=st.builds(
        Filters,
        actors=st.frozensets(st.sampled_from(VOCAB.values("actor"))),
        types=st.frozensets(st.sampled_from(VOCAB.values("type"))),
        statuses=st.frozensets(st.sampled_from(VOCAB.values("status"))),
        countries=st.frozensets(st.sampled_from(VOCAB.values("country"))),
        date_from=st.none() | st.dates(dt.date(1970, 1, 1), dt.date(2000, 1, 1)),
        date_to=st.none() | st.dates(dt.date(2000, 1, 2), dt.date(2026, 1, 1)),
    ),
    site=st.none() | st.sampled_from(VOCAB.values("site")),
    event=st.none() | st.sampled_from(sorted(VOCAB.events)),
    view=st.none() | st.builds(MapView, st.integers(-900000, 900000).map(lambda v: v / 10000),
                               st.integers(-1800000, 1800000).map(lambda v: v / 10000), st.integers(1, 18)),
    rings=st.lists(st.sampled_from(VOCAB.values("site")), unique=True, max_size=2).map(tuple),
    radius_km=st.integers(1, 5000),
)


@settings(max_examples=300, deadline=None)
@given(views)
def test_every_view_round_trips_through_its_link(state):
    params = to_query_params(state)
    parsed, notices = parse_query_params(params, VOCAB)
    assert notices == []
    assert parsed == state
    assert all(values for values in params.values())  # never an empty parameter


def test_non_ascii_digits_in_the_radius_are_refused_not_a_crash():
    state, notices = parse_query_params({"radius": "²"}, VOCAB)
    assert state.radius_km == ViewState().radius_km and any("radius" in n for n in notices)
