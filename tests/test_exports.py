"""Downloads round-trip through the validator; distances and headline numbers are right."""

from __future__ import annotations

import json
import shutil

from basewatch.loading.dataset import load_dataset
from basewatch.queries import geo, summaries
from basewatch.state.filters import Filters, apply_filters
from basewatch.views import downloads
from tests.conftest import BUNDLED


def test_filtered_csv_download_validates_again(tmp_path):
    dataset = load_dataset(BUNDLED)
    russia = apply_filters(dataset.events, Filters(actors=frozenset({"russia"})))
    (tmp_path / "events.csv").write_bytes(downloads.events_csv(russia))
    shutil.copy(BUNDLED / "bases.geojson", tmp_path / "bases.geojson")
    again = load_dataset(tmp_path)
    assert list(again.events["id"]) == list(russia["id"])
    assert again.events["summary"].tolist() == russia["summary"].tolist()


def test_geojson_downloads(tmp_path):
    dataset = load_dataset(BUNDLED)
    events = json.loads(downloads.events_geojson(dataset.events))
    assert len(events["features"]) == int(dataset.events["map_lat"].notna().sum())
    lon, lat = events["features"][0]["geometry"]["coordinates"]
    assert -180 <= lon <= 180 and -90 <= lat <= 90
    sites = json.loads(downloads.sites_geojson(dataset))
    assert {f["id"] for f in sites["features"]} == set(dataset.sites["id"])


def test_great_circle_distance_hmeimim_benina():
    dataset = load_dataset(BUNDLED)
    table = geo.distances_from("hmeimim", dataset.sites)
    benina = table[table["site"].str.contains("Benina")]["km"].iloc[0]
    assert 1400 < benina < 1600  # about 1,500 km across the eastern Mediterranean
    assert table["km"].is_monotonic_increasing
    assert geo.great_circle_km(0, 0, 0, 1) == pytest_approx(111.19, 0.01)


def pytest_approx(value, rel):
    import pytest

    return pytest.approx(value, rel=rel)


def test_latest_personnel_per_country_is_the_newest_country_wide_figure():
    events = load_dataset(BUNDLED).events
    latest = summaries.latest_personnel(events)
    for _, row in latest.iterrows():
        country_rows = events[(events["country"] == row["country"]) & events["site_id"].isna()
                              & events["personnel_low"].notna()]
        assert row["date"] == country_rows["date"].max()
    assert {"SY", "LY"} <= set(latest["country"])


def test_a_single_figure_keeps_the_qualifier_its_source_gives():
    from basewatch.text import figure_as_given

    assert figure_as_given(3000, 3000, "ISW put the force at up to 3,000 troops.") == "up to 3,000"
    assert figure_as_given(1500, 2000, "between 1,500 and 2,000") == "1,500–2,000"
    assert figure_as_given(4000, 4000, "about 4000 personnel") == "about 4,000"
    assert figure_as_given(None, None, "") == ""
