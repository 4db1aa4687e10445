"""The ACLED-shaped export: ACLED's columns through the documented crosswalk, year-only dates flagged, and a
round trip back to the same events."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys

import pandas as pd
import pytest

from basewatch.loading.dataset import load_dataset
from basewatch.state.filters import Filters, apply_filters
from basewatch.views import acled, downloads
from tests.conftest import BUNDLED, MINI, ROOT, TODAY
from tests.hostile import make_hostile_dataset

# The column set of ACLED's codebook (acledR), in its order.
CODEBOOK = ("event_id_cnty event_date year time_precision disorder_type event_type sub_event_type actor1 "
            "assoc_actor_1 inter1 actor2 assoc_actor_2 inter2 interaction civilian_targeting iso region country "
            "admin1 admin2 admin3 location latitude longitude geo_precision source source_scale notes fatalities "
            "tags timestamp").split()


def rows_of(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


@pytest.fixture(scope="module")
def bundled():
    return load_dataset(BUNDLED)


def test_the_acled_columns_come_first_in_the_codebooks_order(bundled):
    header = next(csv.reader(io.StringIO(acled.acled_csv(bundled.events, bundled.sites).decode())))
    assert header[:len(CODEBOOK)] == CODEBOOK
    assert all(name.startswith("bw_") for name in header[len(CODEBOOK):])


@pytest.mark.parametrize("which", ["bundled", "mini", "hostile"])
def test_export_then_import_gives_the_same_events(which, tmp_path):
    folder = {"bundled": BUNDLED, "mini": MINI}.get(which) or make_hostile_dataset(tmp_path / "hostile")
    today = None if which == "bundled" else TODAY  # the bundled rows were checked after the fixtures' "today"
    dataset = load_dataset(folder, today=today)
    original = rows_of(downloads.events_csv(dataset.events))
    back = acled.read_acled(acled.acled_csv(dataset.events, dataset.sites))
    assert back[list(original[0])].to_dict("records") == original
    # and the imported rows, written as events.csv, pass the validator as the same events
    again = tmp_path / "again"
    again.mkdir()
    for name in ("bases.geojson", "publishers.csv", "site_status.csv"):
        if (folder / name).exists():
            shutil.copy(folder / name, again / name)
    back[list(original[0])].to_csv(again / "events.csv", index=False, lineterminator="\n")
    reloaded = load_dataset(again, today=today)
    pd.testing.assert_frame_equal(downloads.export_frame(reloaded.events), downloads.export_frame(dataset.events))


def test_year_precision_rows_are_flagged_and_no_others(bundled):
    rows = rows_of(acled.acled_csv(bundled.events, bundled.sites))
    precision = dict(zip(bundled.events["id"], bundled.events["date_precision"]))
    assert "year" in precision.values()
    for row in rows:
        flagged = acled.YEAR_FLAG in row["tags"].split("; ")
        assert flagged == (precision[row["event_id_cnty"]] == "year")
        assert row["time_precision"] == {"day": "1", "month": "3", "year": "3"}[precision[row["event_id_cnty"]]]
        assert f"claim status={row['tags'].split('claim status=')[1].split(';')[0]}" in row["tags"]


def test_the_crosswalk_fills_each_acled_column_as_documented(bundled):
    events = bundled.events.set_index("id")
    rows = {r["event_id_cnty"]: r for r in rows_of(acled.acled_csv(bundled.events, bundled.sites))}
    for event_id, row in rows.items():
        event = events.loc[event_id]
        assert row["event_date"] == event["date"].strftime("%Y-%m-%d") and row["year"] == str(event["date"].year)
        assert row["actor1"] == event["actor"] and row["notes"] == event["summary"]
        assert row["source"] == event["source_name"]
        assert row["bw_event_type"] == event["event_type"]
        if event["event_type"] == "strike":
            assert (row["event_type"], row["sub_event_type"]) == ("Explosions/Remote violence", "Air/drone strike")
        else:
            assert row["event_type"] == "Strategic developments" and row["disorder_type"] == "Strategic developments"
        for column in acled.NOT_CODED:
            assert row[column] == ""
    syria = next(r for r in rows.values() if r["country"] == "Syria")
    assert syria["iso"] == "760"


def test_geo_precision_follows_the_coordinate_uncertainty():
    assert acled._geo_precision(True, 100.0) == 1  # the row's own point
    assert [acled._geo_precision(False, km) for km in (None, 0.5, 5.0, 20.0, 50.0, 100.0)] == [1, 1, 1, 2, 2, 3]


def test_every_acled_column_is_documented_in_the_data_readme():
    section = (ROOT / "data" / "README.md").read_text(encoding="utf-8").split("## ACLED-shaped export", 1)[1]
    section = section.split("\n## ", 1)[0]
    for column in acled.COLUMNS:
        assert f"`{column}`" in section, column
    assert {c for c, _, _ in acled.CROSSWALK} | set(acled.NOT_CODED) == set(acled.ACLED_COLUMNS)


def test_the_command_line_exports_a_view(tmp_path):
    out = tmp_path / "acled.csv"
    done = subprocess.run([sys.executable, "-m", "basewatch", "export", "--format", "acled", "--query",
                           "actor=russia&from=2024-12-01", "--out", str(out)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    dataset = load_dataset(BUNDLED)
    view = apply_filters(dataset.events, Filters(actors=frozenset({"russia"}),
                                                 date_from=pd.Timestamp("2024-12-01").date()))
    assert out.read_bytes() == acled.acled_csv(view, dataset.sites)
    junk = subprocess.run([sys.executable, "-m", "basewatch", "export", "--format", "acled", "--query",
                           "actor=martians"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert junk.returncode == 2 and "martians" in junk.stderr and not junk.stdout
