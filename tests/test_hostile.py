"""Hostile text in every free-text field loads, renders inertly in map builders, and hostile URLs are refused."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from basewatch.loading.dataset import DataError, load_dataset
from basewatch.views.maps import basemap
from basewatch.views.maps import events as event_layers
from basewatch.views.maps import sites as site_layers
from tests.conftest import catalog_of
from tests.hostile import HOSTILE_STRINGS, make_hostile_dataset
from tests.test_maps import render_like_st_folium, render_whole_page


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return load_dataset(make_hostile_dataset(tmp_path_factory.mktemp("hostile")), today=dt.date(2026, 11, 26))


def test_hostile_text_is_valid_data_and_kept_as_written(hostile):
    assert set(HOSTILE_STRINGS) <= set(hostile.events["summary"])
    assert HOSTILE_STRINGS[0] in set(hostile.sites["name"])


def test_no_hostile_string_survives_into_the_map(hostile):
    def groups():
        return [site_layers.build_site_layer(hostile.sites, catalog_of(hostile)),
                event_layers.build_layer(event_layers.layer_data(hostile.events, catalog_of(hostile)), catalog_of(hostile)),
                site_layers.build_ring_layer(hostile.sites, tuple(hostile.sites["id"]), 200),
                site_layers.build_selection_layer((35.0, 36.0))]

    for html in (render_like_st_folium(basemap.build_base_map(), groups()), render_whole_page(groups)):
        assert str(os.getpid()) not in html
        for text in HOSTILE_STRINGS:
            if any(c in text for c in "<>`${}%\\\"'"):
                assert text not in html, text


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "JaVaScRiPt:alert(1)",
    " javascript:alert(1)", "vbscript:msgbox(1)", "file:///etc/passwd", "//evil.example/x", "ftp://x.example/",
    "https://", "http:// spaces.example",
])
def test_validator_refuses_non_http_source_urls(tmp_path, url):
    import csv

    folder = make_hostile_dataset(tmp_path / "d")
    with open(folder / "events.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    rows[1][rows[0].index("source_url")] = url
    with open(folder / "events.csv", "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    with pytest.raises(DataError) as info:
        load_dataset(folder, today=dt.date(2026, 11, 26))
    assert any("line 2, column 'source_url'" in str(p) for p in info.value.problems)


def test_ordinary_punctuation_is_accepted(tmp_path):
    dataset = load_dataset(make_hostile_dataset(tmp_path / "d"), today=dt.date(2026, 11, 26))
    assert any("$" in s and "`" in s for s in dataset.events["summary"])
