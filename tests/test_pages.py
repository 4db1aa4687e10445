"""Every page under AppTest: preset links, filters carried by page links, notices, broken data."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from basewatch.shell import chrome
from basewatch.state.pages import PAGES
from tests.conftest import BUNDLED, MINI, ROOT

APP = str(ROOT / "app.py")


def run_page(script: str, params: dict | None = None, data_dir=BUNDLED, monkeypatch=None) -> AppTest:
    monkeypatch.setenv("BASEWATCH_DATA_DIR", str(data_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if script != PAGES[0].script:
        at.switch_page(script).run()
    return at


def open_share_box(at: AppTest) -> AppTest:
    """Open the page's "Share this view" box as a reader's click does (it draws its content only while open)."""
    at.session_state[chrome.SHARE_BOX_KEY] = True
    return at.run()


def texts(at: AppTest) -> str:
    return " ".join([m.value for m in at.markdown] + [m.value for m in at.caption] + [t.value for t in at.title])


@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_every_page_renders_with_a_preset_link(page, monkeypatch):
    params = {"actor": ["russia"], "from": "2024-12-01", "site": "hmeimim"}
    at = run_page(page.script, params, monkeypatch=monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    assert at.multiselect(key="f_actor").value == ["russia"]
    assert str(at.date_input(key="f_from").value) == "2024-12-01"
    assert "events by Russia since 1 Dec 2024" in texts(at)  # every page says what it shows
    assert not at.warning


@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_page_links_carry_the_filters(page, monkeypatch):
    at = run_page(page.script, {"actor": ["russia", "turkey"], "type": "withdrawal"}, monkeypatch=monkeypatch)
    links = at.get("page_link")
    assert len(links) == len(PAGES)
    for link in links:
        assert link.proto.query_string == "actor=russia&actor=turkey&type=withdrawal"


def test_count_line_matches_the_filter(monkeypatch):
    from basewatch.loading.dataset import load_dataset
    from basewatch.state.filters import Filters, apply_filters

    events = load_dataset(BUNDLED).events
    expected = len(apply_filters(events, Filters(actors=frozenset({"european-union"}))))
    at = run_page("pages/overview.py", {"actor": "european-union"}, monkeypatch=monkeypatch)
    assert f"**{expected:,} of {len(events):,} events**" in [m.value for m in at.sidebar.markdown]


def test_junk_link_falls_back_with_a_notice(monkeypatch):
    at = run_page("pages/map.py", {"actor": "martians", "from": "2024-99-01", "view": "x", "zzz": "1"},
                  monkeypatch=monkeypatch)
    assert not at.exception
    notices = " ".join(w.value for w in at.warning)
    assert "martians" in notices and "from=2024-99-01" in notices and "zzz" in notices
    assert at.multiselect(key="f_actor").value == []
    assert at.query_params == {}  # the link is cleaned to the default view


def test_changing_a_filter_writes_the_url(monkeypatch):
    at = run_page("pages/timeline.py", monkeypatch=monkeypatch)
    at.multiselect(key="f_actor").select("european-union").run()
    assert at.query_params.get("actor") in ("european-union", ["european-union"])
    at.button(key="f_reset").click().run()
    assert "actor" not in at.query_params


def test_selected_event_shows_its_sources_on_the_map_page(monkeypatch):
    at = run_page("pages/map.py", {"event": "ev-0006"}, data_dir=MINI, monkeypatch=monkeypatch)
    assert not at.exception
    body = " ".join(m.value for m in at.markdown)
    assert "Claim status" in body and 'href="https://example.org/6"' in " ".join(h.proto.body for h in at.get("html"))
    # hostile summary is escaped for markdown: no raw tags, no live template syntax
    assert "\\<script\\>" in body and "\\{\\{ lipsum" in body


def test_map_component_gets_only_local_assets(monkeypatch):
    import json

    at = run_page("pages/map.py", data_dir=MINI, monkeypatch=monkeypatch)
    component = at.get("component_instance")[0]
    args = json.loads(component.proto.json_args)
    links = args["js_links"] + args["css_links"]
    assert links and all(link.startswith("/app/static/") for link in links), links
    assert "[event:ev-0002]" not in args["script"]  # events live in the feature group, not the base map
    assert "ev-0002" in args["feature_group"]


def test_broken_data_shows_the_report_not_a_traceback(tmp_path, monkeypatch):
    (tmp_path / "events.csv").write_text("id,date\nx,2024-01-01\n", encoding="utf-8")
    (tmp_path / "bases.geojson").write_text("{not json", encoding="utf-8")
    at = run_page("pages/overview.py", data_dir=tmp_path, monkeypatch=monkeypatch)
    assert not at.exception
    assert "cannot show this data" in at.title[0].value
    report = at.code[0].value
    assert "bases.geojson, line 1: invalid JSON" in report and "column 'summary'" in report


def test_sites_page_profile_and_distances(monkeypatch):
    at = run_page("pages/sites.py", {"site": "hmeimim"}, monkeypatch=monkeypatch)
    assert not at.exception
    body = " ".join(m.value for m in at.markdown)
    assert "Hmeimim" in body and "Distances to other sites" in body
    assert at.selectbox(key="site_pick").value == "hmeimim"


def test_data_page_offers_downloads(monkeypatch):
    at = run_page("pages/data.py", {"actor": "russia"}, monkeypatch=monkeypatch)
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert len(labels) == 4 and any("CSV" in label for label in labels) and any("ACLED" in lb for lb in labels)
    shown = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "CC BY 4.0" in shown and "creativecommons.org/licenses/by/4.0" in shown  # the data licence
    assert "api/v1/events.csv?actor=russia" in shown and "Data access" in shown  # the API for this view


def test_playback_moves_the_period_through_time(monkeypatch):
    import datetime as dt

    import pandas as pd

    from basewatch.shell.playback import next_window

    assert next_window(dt.date(2015, 1, 1), dt.date(2015, 12, 31), pd.DateOffset(months=3),
                       dt.date(2026, 1, 1)) == (dt.date(2015, 4, 1), dt.date(2016, 3, 31))
    assert next_window(dt.date(2026, 6, 1), dt.date(2027, 6, 1), pd.DateOffset(years=1), dt.date(2026, 12, 1)) is None

    at = run_page("pages/timeline.py", {"from": "2015-01-01"}, monkeypatch=monkeypatch)
    at.button(key="play_toggle").click().run()
    assert at.session_state["playing"] is True
    assert at.query_params.get("from") in ("2015-01-01", ["2015-01-01"])
    assert at.query_params.get("to") in ("2016-01-01", ["2016-01-01"])


def test_future_and_ancient_dates_in_a_link_do_not_crash(monkeypatch):
    at = run_page("pages/timeline.py", {"from": "1899-12-31", "to": "2030-06-30"}, monkeypatch=monkeypatch)
    assert not at.exception, [e.message for e in at.exception]
    assert str(at.date_input(key="f_to").value) == "2030-06-30"
    assert any("from=1899-12-31" in w.value for w in at.warning)


def test_the_share_box_draws_its_content_once_a_reader_opens_it(monkeypatch):
    # Most readers never share: the link, citation, feed and embed snippet are built only for one who opens it.
    at = run_page("pages/map.py", {"actor": "russia"}, monkeypatch=monkeypatch)
    assert [box.label for box in at.expander if box.label == "Share this view"]
    assert not any("actor=russia" in code.value for code in at.code)
    at = open_share_box(at)
    assert not at.exception
    assert any(code.value.endswith("/map?actor=russia") for code in at.code), [code.value for code in at.code]
