"""Chart builders: expected encodings, honest bands and gaps instead of invented trends."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from basewatch.loading.dataset import load_dataset
from basewatch.views.charts import personnel, timeline
from tests.conftest import BUNDLED, MINI


@pytest.fixture(scope="module")
def mini():
    return load_dataset(MINI, today=dt.date(2026, 11, 26)).events


@pytest.fixture(scope="module")
def bundled():
    return load_dataset(BUNDLED).events


def _layers(spec):
    """Every unit view of a (possibly layered or concatenated) spec, depth first."""
    children = spec.get("layer") or spec.get("vconcat") or spec.get("hconcat")
    if not children:
        return [spec]
    return [unit for child in children for unit in _layers(child)]


def _mark(layer):
    mark = layer.get("mark", {})
    return mark.get("type") if isinstance(mark, dict) else mark


def test_timeline_has_lanes_per_actor_colour_by_type_shape_by_status(mini):
    spec = timeline.timeline_chart(mini).to_dict()
    marks = [layer for layer in _layers(spec) if _mark(layer) == "point"][0]
    enc = marks["encoding"]
    assert enc["y"]["field"] == "actor" and enc["x"]["field"] == "date"
    assert enc["color"]["field"] == "event_type" and enc["shape"]["field"] == "claim_status"
    assert {p["name"] for p in spec["params"]} == {"brush", "pick"}
    tooltip_fields = {t["field"] for t in enc["tooltip"]}
    assert {"summary", "source_name", "date_label"} <= tooltip_fields


def test_timeline_annotates_key_moments(bundled):
    spec = timeline.timeline_chart(bundled).to_dict()
    texts = [layer for layer in _layers(spec) if _mark(layer) == "text"]
    assert texts, "expected annotation labels"
    datasets = spec["datasets"].values()
    labels = {row.get("label") for rows in datasets for row in rows if isinstance(row, dict)}
    assert {"Assad falls", "Russian air campaign begins"} <= labels


def test_timeline_bins_when_there_are_too_many_marks(bundled):
    many = pd.concat([bundled] * (timeline.MAX_TIMELINE_MARKS // len(bundled) + 1), ignore_index=True)
    spec = timeline.timeline_chart(many).to_dict()
    circles = [layer for layer in _layers(spec) if _mark(layer) == "circle"]
    assert circles and circles[0]["encoding"]["size"]["field"] == "events"
    rows = sum(len(v) for v in spec["datasets"].values())
    assert rows < len(many) / 2


def test_personnel_bands_never_invert_and_gaps_break_lines(bundled):
    frame = personnel.personnel_frame(bundled, by="country")
    assert not frame.empty and (frame["low"] <= frame["high"]).all()
    assert {"Syria", "Libya"} <= set(frame["group"])
    for group, rows in frame.groupby("group"):
        rows = rows.sort_values("date")
        long_gaps = rows["date"].diff().dt.days > personnel.GAP_DAYS
        # every long gap starts a new segment, so no line is drawn across it
        assert rows["segment"].nunique() == 1 + int(long_gaps.sum()), group


def test_personnel_chart_layers(bundled):
    spec = personnel.personnel_chart(personnel.personnel_frame(bundled)).to_dict()
    types = [_mark(layer) for layer in _layers(spec)]
    assert types == ["area", "line", "rule", "point", "point", "text"]
    band, line = spec["layer"][0], spec["layer"][1]
    assert band["encoding"]["y"]["field"] == "low" and band["encoding"]["y2"]["field"] == "high"
    assert band["mark"]["interpolate"] == line["mark"]["interpolate"] == "step-after"
    assert band["encoding"]["detail"]["field"] == "segment"


def test_country_and_site_scopes_do_not_mix(bundled):
    country = personnel.personnel_frame(bundled, by="country")
    site = personnel.personnel_frame(bundled, by="site")
    assert set(country["id"]).isdisjoint(site["id"])


def test_many_estimates_are_drawn_as_monthly_aggregates(bundled):
    with_range = bundled[bundled["personnel_low"].notna() & bundled["site_id"].isna()]
    many = pd.concat([with_range] * 40, ignore_index=True)
    frame = personnel.personnel_frame(many, by="country", max_points=100)
    assert len(frame) < len(many) / 10
    assert (frame["low"] <= frame["mid"]).all() and (frame["mid"] <= frame["high"]).all()
    assert frame["range"].str.contains("estimates").all()


def _events_on(dates: list[str], actor: str = "Russia") -> pd.DataFrame:
    """Minimal timeline rows on the given days."""
    n = len(dates)
    return pd.DataFrame({
        "id": [f"ev-{i:04d}" for i in range(n)], "date": pd.to_datetime(dates), "date_label": dates,
        "actor": [actor] * n, "event_type": ["statement"] * n, "claim_status": ["reported"] * n,
        "summary": ["x"] * n, "source_name": ["s"] * n, "place": ["p"] * n,
    })


def test_focus_opens_where_the_bundled_events_are(bundled):
    start, end = timeline.focus_domain(bundled)
    assert 2014 <= start.year <= 2015, start  # not 1971: the story starts with the 2015 intervention
    assert end >= bundled["date"].max()
    assert bundled["date"].between(start, end).mean() >= timeline.FOCUS_SHARE


def test_focus_follows_the_data_not_a_fixed_year():
    nineties = [f"199{y}-0{m}-15" for y in range(0, 10) for m in range(1, 10)]
    stray = ["1971-01-01", "2015-09-30", "2024-12-08"]
    start, end = timeline.focus_domain(_events_on(nineties + stray))
    assert start.year in (1989, 1990) and end.year in (1999, 2000), (start, end)


def test_brushing_the_context_strip_moves_the_focus(bundled):
    spec = timeline.timeline_chart(bundled).to_dict()
    focus, strip = spec["vconcat"]
    brush = [p for p in spec["params"] if p["name"] == "brush"][0]
    assert brush["select"]["encodings"] == ["x"]
    strip_units = _layers(strip)
    assert any(u.get("name") in brush["views"] for u in strip_units), "the brush lives on the strip"
    assert not any(u.get("name") in brush["views"] for u in _layers(focus))
    domain = [u for u in _layers(focus) if _mark(u) == "point"][0]["encoding"]["x"]["scale"]["domain"]
    start, end = timeline.focus_domain(bundled)
    assert "brush.date" in domain["expr"] and str(int(start.value // 10**6)) in domain["expr"]
    assert strip_units[0]["encoding"]["x"]["field"] == "date"  # Streamlit reports brush.date as today
    assert spec["description"].startswith(f"Event timeline of {len(bundled)} events")


def test_same_day_marks_in_one_lane_do_not_sit_on_top_of_each_other():
    events = _events_on(["2024-12-08"] * 4 + ["2020-01-01"])
    frame = timeline.timeline_frame(events)
    offsets = timeline._stack_offsets(frame, timeline.focus_domain(events))
    assert offsets.iloc[:4].nunique() == 4 and offsets.iloc[4] == 0
    # In the chart every mark sits half a lane below its band's top (the lane's centre line) plus its offset.
    spec = timeline.timeline_chart(events).to_dict()
    rows = [r for rows in spec["datasets"].values() for r in rows if "offset" in r]
    lane = max(110, 38) / 1  # one actor lane
    assert sorted({r["offset"] - lane / 2 for r in rows}) == sorted(set(offsets))


def test_legends_show_their_glyphs(mini):
    """No conditional fill on the marks: Vega-Lite would paint the legend symbols white on white."""
    spec = timeline.timeline_chart(mini).to_dict()
    points = [u for u in _layers(spec) if _mark(u) == "point" and "shape" in u["encoding"]]
    assert {u["mark"]["filled"] for u in points} == {True, False}
    for unit in points:
        assert "fill" not in unit["encoding"]
        assert unit["encoding"]["shape"]["legend"]["symbolStrokeColor"] == "#333"


def _svg_year_labels(spec: dict, width: int) -> list[str]:
    """The year labels Vega actually draws on the x axis at this width (rendered offline)."""
    import re

    import vl_convert

    spec = {**spec, "width": width}
    svg = vl_convert.vegalite_to_svg(spec)
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    return [t for t in texts if re.fullmatch(r"(19|20)\d\d", t)]


@pytest.mark.parametrize("width", [340, 1000])
@pytest.mark.parametrize("by", ["country", "site"])
def test_personnel_year_ticks_do_not_repeat(bundled, by, width):
    spec = personnel.personnel_chart(personnel.personnel_frame(bundled, by=by)).to_dict()
    years = _svg_year_labels(spec, width)
    assert len(years) >= 2, years
    assert len(years) == len(set(years)), years


def test_a_lone_estimate_is_a_point_with_its_error_bar_and_no_band(bundled):
    one = bundled[bundled["personnel_low"].notna() & bundled["site_id"].isna()].head(1).copy()
    one["personnel_low"], one["personnel_high"] = 2000, 3000
    frame = personnel.personnel_frame(one)
    assert frame["segment_size"].tolist() == [1]
    spec = personnel.personnel_chart(frame, "One estimate").to_dict()
    units = _layers(spec)
    assert not [u for u in units if _mark(u) in ("area", "line")], "no band or step line: they would spike"
    runs = _layers(personnel.personnel_chart(personnel.personnel_frame(bundled)).to_dict())
    for unit in runs:
        if _mark(unit) in ("area", "line"):  # band and step line only for runs of two or more
            assert {"filter": "datum.segment_size > 1"} in unit["transform"]
    rule = [u for u in units if _mark(u) == "rule"][0]
    assert rule["encoding"]["y"]["field"] == "low" and rule["encoding"]["y2"]["field"] == "high"
    assert any(_mark(u) == "point" for u in units)
    # The axes fit the estimate: the date sits inside the x domain, the high figure under the y top.
    x_lo, x_hi = (pd.Timestamp(d) for d in rule["encoding"]["x"]["scale"]["domain"])
    day = frame["date"].iloc[0]
    assert x_lo + pd.Timedelta(days=300) < day < x_hi - pd.Timedelta(days=300), "the point sits well inside"
    years = _svg_year_labels(spec, 600)
    assert len(years) >= 2 and len(set(years)) == len(years), years
    assert 3000 <= rule["encoding"]["y"]["scale"]["domain"][1] <= 3500
    assert spec["description"].startswith("One estimate.")


def test_country_colours_are_distinct_and_shared(bundled):
    from basewatch import config

    frame = personnel.personnel_frame(bundled, by="country")
    groups, colors = personnel.group_colors(frame)
    named = dict(zip(groups, colors))
    assert named["Syria"] == config.COUNTRY_COLORS["SY"] and named["Libya"] == config.COUNTRY_COLORS["LY"]
    assert len(set(config.COUNTRY_COLORS.values())) == len(config.COUNTRY_COLORS)
    assert not {"SY", "LY", "SD"} & {c for c, v in config.COUNTRY_COLORS.items()
                                     if v in config.SITE_STATUS_COLORS.values()}


def test_few_series_are_labelled_at_their_end_not_in_a_legend(bundled):
    spec = personnel.personnel_chart(personnel.personnel_frame(bundled, by="country")).to_dict()
    units = _layers(spec)
    assert all(u["encoding"]["color"].get("legend", "absent") is None for u in units if "color" in u["encoding"])
    texts = [u for u in units if _mark(u) == "text"]
    assert texts and texts[0]["encoding"]["text"]["field"] == "label"


@pytest.mark.parametrize("kind", ["timeline", "personnel"])
def test_each_date_domain_is_declared_once(bundled, kind):
    """Vega-Lite 6.5 in the browser merges repeated numeric date domains into nothing (no x axis)."""
    spec = (timeline.timeline_chart(bundled) if kind == "timeline"
            else personnel.personnel_chart(personnel.personnel_frame(bundled))).to_dict()
    views = spec.get("vconcat", [spec])
    for view in views:
        declared = [u["encoding"]["x"]["scale"]["domain"] for u in _layers(view)
                    if isinstance(u.get("encoding", {}).get("x", {}).get("scale", {}).get("domain"), list)]
        assert len(declared) <= 1, declared
        for domain in declared:  # ISO days: Vega-Lite 6.5 in the browser misplaces numeric date domains
            assert all(isinstance(d, str) and len(d) == 10 for d in domain), domain
