"""The footprint as of a date on the pages: profiles, the overview's counts and what changed, the map."""

from __future__ import annotations

import json

from tests.conftest import BUNDLED, MINI
from tests.test_pages import open_share_box, run_page, texts


def html_of(at) -> str:
    return " ".join(h.proto.body for h in at.get("html"))


def test_a_site_profile_follows_the_end_of_the_period(monkeypatch):
    then = run_page("pages/sites.py", {"site": "qamishli", "to": "2020-06-01"}, data_dir=BUNDLED,
                    monkeypatch=monkeypatch)
    assert not then.exception
    assert "Russian status:</b> active since <bdi>14 Nov 2019</bdi>" in html_of(then)
    now = run_page("pages/sites.py", {"site": "qamishli"}, data_dir=BUNDLED, monkeypatch=monkeypatch)
    assert "Russian status:</b> withdrawn" in html_of(now)


def test_fixture_site_shows_its_old_status_before_the_change(monkeypatch):
    before = run_page("pages/sites.py", {"site": "tartus", "to": "2024-12-01"}, data_dir=MINI, monkeypatch=monkeypatch)
    after = run_page("pages/sites.py", {"site": "tartus"}, data_dir=MINI, monkeypatch=monkeypatch)
    assert "Russian status:</b> active" in html_of(before)
    assert "Russian status:</b> reduced" in html_of(after)


def test_overview_names_the_sites_that_changed_with_their_sources(monkeypatch):
    at = open_share_box(run_page("pages/overview.py", {"from": "2024-12-01"}, data_dir=MINI, monkeypatch=monkeypatch))
    assert not at.exception
    body = texts(at)
    assert "Tartus" in body and "active → reduced" in body and "source" in body
    citation = at.code[1].value  # link, then citation
    assert "active → reduced" in citation and "Data version" in citation


def test_overview_counts_sites_still_active_on_the_period_end(monkeypatch):
    early = run_page("pages/overview.py", {"to": "2024-12-01"}, data_dir=MINI, monkeypatch=monkeypatch)
    late = run_page("pages/overview.py", data_dir=MINI, monkeypatch=monkeypatch)
    active = {at: next(m.value for m in at.metric if m.label == "Sites still active") for at in (early, late)}
    # On 1 Dec 2024 Benina, Hmeimim and Tartus were active; later Tartus is reduced and Benina unknown.
    assert (int(active[early]), int(active[late])) == (3, 1)


def test_map_colours_sites_by_their_status_on_the_period_end(monkeypatch):
    from basewatch.state.catalog import color

    def site_colours(at):
        group = json.loads(at.get("component_instance")[0].proto.json_args)["feature_group"]
        return group

    before = site_colours(run_page("pages/map.py", {"to": "2024-12-01"}, data_dir=MINI, monkeypatch=monkeypatch))
    after = site_colours(run_page("pages/map.py", data_dir=MINI, monkeypatch=monkeypatch))
    assert color("site_status", "active") in before and color("site_status", "reduced") in after
    assert before != after


def test_every_chart_has_a_table_of_what_it_plots(monkeypatch):
    def table_with(at, column):
        return next((d.value for d in at.dataframe if column in d.value.columns), None)

    overview = run_page("pages/overview.py", data_dir=MINI, monkeypatch=monkeypatch)
    assert table_with(overview, "Russian status") is not None
    timeline = run_page("pages/timeline.py", data_dir=MINI, monkeypatch=monkeypatch)
    assert len(table_with(timeline, "Personnel (as the source gives it)")) > 0
    site = run_page("pages/sites.py", {"site": "hmeimim"}, data_dir=MINI, monkeypatch=monkeypatch)
    assert len(table_with(site, "Personnel (as the source gives it)")) > 0
