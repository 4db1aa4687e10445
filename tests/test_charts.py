"""Chart builders: expected encodings, honest bands and gaps instead of invented trends."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from basewatch import charts
from basewatch.data import load_dataset
from tests.conftest import BUNDLED, MINI


@pytest.fixture(scope="module")
def mini():
    return load_dataset(MINI, today=dt.date(2026, 11, 26)).events


@pytest.fixture(scope="module")
def bundled():
    return load_dataset(BUNDLED).events


def _layers(spec):
    return spec.get("layer", [spec])


def test_timeline_has_lanes_per_actor_colour_by_type_shape_by_status(mini):
    spec = charts.timeline_chart(mini).to_dict()
    marks = [layer for layer in _layers(spec) if layer.get("mark", {}).get("type") == "point"][0]
    enc = marks["encoding"]
    assert enc["y"]["field"] == "actor" and enc["x"]["field"] == "date"
    assert enc["color"]["field"] == "event_type" and enc["shape"]["field"] == "claim_status"
    assert {p["name"] for p in spec["params"]} == {"brush", "pick"}
    tooltip_fields = {t["field"] for t in enc["tooltip"]}
    assert {"summary", "source_name", "date_label"} <= tooltip_fields


def test_timeline_annotates_key_moments(bundled):
    spec = charts.timeline_chart(bundled).to_dict()
    texts = [layer for layer in _layers(spec) if layer.get("mark", {}).get("type") == "text"]
    assert texts, "expected annotation labels"
    datasets = spec["datasets"].values()
    labels = {row.get("label") for rows in datasets for row in rows if isinstance(row, dict)}
    assert {"Assad falls", "Russian air campaign begins"} <= labels


def test_timeline_bins_when_there_are_too_many_marks(bundled):
    many = pd.concat([bundled] * (charts.MAX_TIMELINE_MARKS // len(bundled) + 1), ignore_index=True)
    spec = charts.timeline_chart(many).to_dict()
    circles = [layer for layer in _layers(spec) if layer.get("mark", {}).get("type") == "circle"]
    assert circles and circles[0]["encoding"]["size"]["field"] == "events"
    rows = sum(len(v) for v in spec["datasets"].values())
    assert rows < len(many) / 2


def test_personnel_bands_never_invert_and_gaps_break_lines(bundled):
    frame = charts.personnel_frame(bundled, by="country")
    assert not frame.empty and (frame["low"] <= frame["high"]).all()
    assert {"Syria", "Libya"} <= set(frame["group"])
    for group, rows in frame.groupby("group"):
        rows = rows.sort_values("date")
        long_gaps = rows["date"].diff().dt.days > charts.GAP_DAYS
        # every long gap starts a new segment, so no line is drawn across it
        assert rows["segment"].nunique() == 1 + int(long_gaps.sum()), group


def test_personnel_chart_layers(bundled):
    spec = charts.personnel_chart(charts.personnel_frame(bundled)).to_dict()
    types = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
    assert types == ["area", "line", "rule", "point"]
    band, line = spec["layer"][0], spec["layer"][1]
    assert band["encoding"]["y"]["field"] == "low" and band["encoding"]["y2"]["field"] == "high"
    assert band["mark"]["interpolate"] == line["mark"]["interpolate"] == "step-after"
    assert band["encoding"]["detail"]["field"] == "segment"


def test_country_and_site_scopes_do_not_mix(bundled):
    country = charts.personnel_frame(bundled, by="country")
    site = charts.personnel_frame(bundled, by="site")
    assert set(country["id"]).isdisjoint(site["id"])


def test_many_estimates_are_drawn_as_monthly_aggregates(bundled):
    with_range = bundled[bundled["personnel_low"].notna() & bundled["site_id"].isna()]
    many = pd.concat([with_range] * 40, ignore_index=True)
    frame = charts.personnel_frame(many, by="country", max_points=100)
    assert len(frame) < len(many) / 10
    assert (frame["low"] <= frame["mid"]).all() and (frame["mid"] <= frame["high"]).all()
    assert frame["range"].str.contains("estimates").all()
