"""The filter registry: every filter round-trips through its link, a link never says more than the page
shows, repeated values collapse to one canonical link, and every filter reaches the README and the sidebar."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from basewatch.loading.dataset import load_dataset
from basewatch.state.catalog import build_catalog
from basewatch.state.filters import REGISTRY, ChoiceFilter, DateFilter, Filters, FlagFilter, describe_filters
from basewatch.state.urlstate import parse_query_params, query_string, to_query_params
from tests.conftest import MINI, ROOT
from tests.test_pages import run_page

DATASET = load_dataset(MINI, today=dt.date(2026, 11, 26))
CATALOG = build_catalog(DATASET.events, DATASET.sites)
IDS = [entry.key for entry in REGISTRY]


def offered_value(entry):
    """A value the entry's widget offers on the mini data."""
    if isinstance(entry, FlagFilter):
        return "1"
    return CATALOG.values(entry.key)[0] if isinstance(entry, ChoiceFilter) else "2016-01-01"


def value_no_widget_offers(entry) -> str:
    """Preferably a valid vocabulary value absent from the data (the `actor=wagner-group` case), else junk."""
    if isinstance(entry, DateFilter):
        return "1800-01-01"  # a real day, outside what the date picker accepts
    if isinstance(entry, FlagFilter):
        return "maybe"
    absent = sorted(CATALOG.known(entry.key) - set(CATALOG.values(entry.key)))
    return absent[0] if absent else "no-such-value"


def widget_value(at, entry):
    if isinstance(entry, ChoiceFilter):
        return at.multiselect(key=f"f_{entry.key}").value
    if isinstance(entry, FlagFilter):
        return at.toggle(key=f"f_{entry.key}").value
    return at.date_input(key=f"f_{entry.key}").value


@pytest.mark.parametrize("entry", REGISTRY, ids=IDS)
def test_a_value_no_widget_offers_is_dropped_with_a_notice(entry, monkeypatch):
    value = value_no_widget_offers(entry)
    at = run_page("pages/map.py", {entry.key: value}, data_dir=MINI, monkeypatch=monkeypatch)
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert value in notices, notices
    assert widget_value(at, entry) in ([], None, False)
    assert entry.key not in at.query_params  # the address bar no longer claims it


def test_an_actor_in_the_vocabulary_but_not_in_the_data_says_so(monkeypatch):
    at = run_page("pages/overview.py", {"actor": ["wagner-group", "russia"]}, data_dir=MINI, monkeypatch=monkeypatch)
    notices = " ".join(w.value for w in at.warning)
    assert "no event in this data has" in notices and "wagner-group" in notices
    assert at.multiselect(key="f_actor").value == ["russia"]
    assert at.query_params["actor"] in ("russia", ["russia"])


@pytest.mark.parametrize("entry", REGISTRY, ids=IDS)
def test_a_value_a_widget_offers_is_shown_selected(entry, monkeypatch):
    value = offered_value(entry)
    at = run_page("pages/timeline.py", {entry.key: value}, data_dir=MINI, monkeypatch=monkeypatch)
    assert not at.exception and not at.warning
    expected = ([value] if isinstance(entry, ChoiceFilter) else True if isinstance(entry, FlagFilter)
                else dt.date.fromisoformat(value))
    assert widget_value(at, entry) == expected
    assert at.query_params[entry.key] in (value, [value])


@pytest.mark.parametrize("entry", REGISTRY, ids=IDS)
def test_every_filter_is_in_the_readme_table_and_the_sidebar(entry, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("<!-- params:start -->", 1)[1].split("<!-- params:end -->", 1)[0]
    assert re.search(rf"^\| `{re.escape(entry.key)}`", table, flags=re.M)
    at = run_page("pages/overview.py", data_dir=MINI, monkeypatch=monkeypatch)
    assert widget_value(at, entry) in ([], None, False)  # the widget exists (AppTest raises otherwise), unset
    labels = [w.label for kind in ("multiselect", "date_input", "toggle") for w in getattr(at.sidebar, kind)]
    assert entry.label in labels


def _values(entry):
    if isinstance(entry, FlagFilter):
        return st.sampled_from([["1"], ["true"], ["yes"], ["on"]])
    if isinstance(entry, ChoiceFilter):
        return st.lists(st.sampled_from(CATALOG.values(entry.key)), min_size=1, max_size=12)
    return st.dates(dt.date(1950, 1, 1), dt.date(2090, 12, 31)).map(lambda d: [d.isoformat()])


@pytest.mark.parametrize("entry", REGISTRY, ids=IDS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_parse_and_serialise_are_inverse_and_canonical(entry, data):
    raw = data.draw(_values(entry))
    notices: list[str] = []
    parsed = entry.parse(raw, CATALOG, notices)
    assert notices == []
    serialised = entry.serialise(parsed, CATALOG)
    assert entry.parse(serialised, CATALOG, []) == parsed  # parse(serialise(x)) == x
    if isinstance(entry, ChoiceFilter):
        assert serialised == [v for v in CATALOG.values(entry.key) if v in set(raw)]  # each once, catalog order
        shuffled = data.draw(st.permutations(raw + raw))
        assert entry.serialise(entry.parse(shuffled, CATALOG, []), CATALOG) == serialised


def test_hundreds_of_repeated_values_collapse_to_one(monkeypatch):
    at = run_page("pages/map.py", {"actor": ["russia"] * 600, "ring": ["tartus"] * 300}, data_dir=MINI,
                  monkeypatch=monkeypatch)
    assert not at.exception
    assert at.query_params["actor"] in ("russia", ["russia"])
    assert at.query_params["ring"] in ("tartus", ["tartus"])
    assert at.multiselect(key="f_actor").value == ["russia"]


def test_a_query_string_too_long_for_the_server_is_cleared(monkeypatch):
    # Streamlit drops a query string of more than 1,000 parameters before the app sees it; the
    # address bar must not go on claiming 5,000 filters the page does not apply.
    at = run_page("pages/map.py", {"actor": ["russia"] * 5000}, data_dir=MINI, monkeypatch=monkeypatch)
    assert not at.exception
    assert dict(at.query_params) == {}
    assert at.multiselect(key="f_actor").value == []


def test_canonical_links_list_actors_in_catalog_order():
    state, _ = parse_query_params({"actor": ["soviet-union", "russia", "russia"]}, CATALOG)
    assert query_string(to_query_params(state, CATALOG)) == "actor=russia&actor=soviet-union"


def test_summary_sentence_names_every_filter():
    filters = Filters(actors=frozenset({"russia"}), types=frozenset({"withdrawal"}),
                      statuses=frozenset({"confirmed"}), countries=frozenset({"ly"}),
                      sources=frozenset({"wire", "official"}), independent_only=True,
                      date_from=dt.date(2024, 12, 1), date_to=dt.date(2025, 6, 30))
    sentence = describe_filters(filters, CATALOG, 1, 10)
    assert sentence == ("1 of 10 events by Russia of type withdrawal with claim status confirmed in Libya "
                        "citing wire or official sources with at least one independent source "
                        "from 1 Dec 2024 to 30 Jun 2025")


def test_only_the_session_module_touches_query_params():
    files = [ROOT / "app.py", *(ROOT / "basewatch").rglob("*.py"), *(ROOT / "pages").rglob("*.py")]
    # `\bst\.`: a web route's `request.query_params` is the request's own, not Streamlit's
    users = sorted(str(f.relative_to(ROOT)) for f in files
                   if re.search(r"\bst\.query_params", f.read_text(encoding="utf-8")))
    assert users == ["basewatch/shell/session.py"]
