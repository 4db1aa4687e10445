"""Chart exports: valid PNG and SVG that carry title, filter sentence, data version and link."""

from __future__ import annotations

import json
import re
import struct
import xml.etree.ElementTree as ET

import pandas as pd
import pytest
import vl_convert

from basewatch import config
from basewatch.loading.dataset import load_dataset
from basewatch.views import exports
from basewatch.views.charts import personnel, timeline
from tests.conftest import BUNDLED

TITLE = "Estimated Russian personnel <in Syria & Libya>"
SENTENCE = "All 202 events by Russia from 8 Dec 2024 {{ 7*7 }}"
LINK = "http://localhost:8501/timeline?actor=russia&from=2024-12-08"


@pytest.fixture(scope="module")
def events():
    return load_dataset(BUNDLED).events


def _svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)  # raises on anything that is not well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return ["".join(el.itertext()) for el in root.iter("{http://www.w3.org/2000/svg}text")]


@pytest.mark.parametrize("kind", ["timeline", "personnel"])
def test_svg_carries_title_sentence_version_and_link(events, kind):
    chart = (timeline.timeline_chart(events) if kind == "timeline"
             else personnel.personnel_chart(personnel.personnel_frame(events)))
    svg = exports.chart_image(chart, "svg", TITLE, SENTENCE, "v-1a2b", LINK)
    texts = _svg_texts(svg)
    assert TITLE in texts and SENTENCE in texts and LINK in texts
    assert "Source: Basewatch, data version v-1a2b (CC BY 4.0)" in texts  # the data licence travels with the image
    assert len(texts) > 10, "the chart's own axis labels and legends are in the image too"


def test_png_is_a_real_image_with_the_same_text_layout(events):
    chart = personnel.personnel_chart(personnel.personnel_frame(events))
    png = exports.chart_image(chart, "png", TITLE, SENTENCE, "v-1a2b", LINK, scale=1)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82")
    width, height = struct.unpack(">II", png[16:24])
    svg = exports.chart_image(chart, "svg", TITLE, SENTENCE, "v-1a2b", LINK)
    root = ET.fromstring(svg)
    assert (width, height) == (int(root.get("width")), int(root.get("height")))
    assert width == exports.EXPORT_WIDTH and height > 300


def test_a_spec_dict_works_too_and_bad_formats_are_refused(events):
    spec = personnel.personnel_chart(personnel.personnel_frame(events)).to_dict()
    assert exports.chart_image(spec, "svg", "t", "s", "v", "l").startswith(b"<svg")
    with pytest.raises(ValueError):
        exports.chart_image(spec, "pdf", "t", "s", "v", "l")


def test_a_key_moment_outside_the_focus_is_not_labelled_half_outside_the_plot(events):
    # Russia's events open the focus just after 30 Sep 2015: that label used to stick out of the plot's
    # left edge, cut in half ("ussian air campaign begins"); moments inside the focus keep theirs.
    russia = events[events["actor_slug"] == "russia"]
    start, end = timeline.focus_domain(russia)
    moments = {text: pd.Timestamp(day) for day, text in config.KEY_MOMENTS}
    assert moments["Russian air campaign begins"] < start <= moments["Assad falls"] <= end
    texts = _svg_texts(exports.chart_image(timeline.timeline_chart(russia), "svg", "t", "s", "v", "l"))
    assert "Assad falls" in texts
    assert not any("air campaign" in text for text in texts), texts


def test_on_a_phone_lane_names_are_drawn_above_the_marks(events):
    # Narrower than NARROW_PX the lane names sit inside the plot, over their lane; drawn beneath the marks,
    # "Russia" and "Libyan National Army" vanished under their own events.
    spec = timeline.timeline_chart(events).to_dict()
    spec["width"] = 340
    svg = vl_convert.vegalite_to_svg(json.dumps(spec))
    lane_marks = [m.start() for m in re.finditer(r'<g class="mark-symbol role-mark concat_0', svg)]
    assert lane_marks and svg.index(">Libyan National Army<") > max(lane_marks)
