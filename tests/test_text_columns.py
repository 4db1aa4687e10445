"""Text held as Arrow strings: missing text reads as nothing, never as "nan", wherever an event is shown."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from basewatch.loading import cache
from basewatch.loading.dataset import load_dataset
from basewatch.snapshot.views import event_rows
from basewatch.state.catalog import build_catalog
from tests.conftest import ROOT, csv_rows, write_csv_rows


def _without_place_and_country(events_path, event_id: str) -> None:
    rows = csv_rows(events_path)
    header = rows[0]
    for row in rows[1:]:
        if row[0] == event_id:
            row[header.index("place")] = ""
            row[header.index("country")] = ""
    write_csv_rows(events_path, rows)


def test_text_columns_are_arrow_strings_and_the_cache_keeps_them(data_copy, tmp_path, monkeypatch):
    folder, _, _ = data_copy
    monkeypatch.setenv("BASEWATCH_CACHE_DIR", str(tmp_path / "cache"))
    validated = load_dataset(folder)
    served = cache.load_dataset_cached(folder)  # read back from the memory-mapped cache
    for frame in (validated.events, served.events):
        assert frame["summary"].dtype == "str" and frame["site_id"].dtype == "str"
        assert not any(frame[c].dtype == object for c in frame.columns)
    pd.testing.assert_frame_equal(validated.events, served.events, check_exact=True)


def test_an_event_without_place_or_country_shows_no_nan(data_copy, monkeypatch):
    folder, events_path, _ = data_copy
    _without_place_and_country(events_path, "ev-0002")
    dataset = load_dataset(folder)
    assert dataset.events.loc[dataset.events["id"] == "ev-0002", "country"].isna().all()
    rows = event_rows(dataset.events[dataset.events["id"] == "ev-0002"], build_catalog(dataset.events, dataset.sites),
                      {}, "/")
    assert rows[0]["place"] == ""

    monkeypatch.setenv("BASEWATCH_DATA_DIR", str(folder))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params["event"] = "ev-0002"
    at.run()
    at.switch_page("pages/map.py").run()
    assert not at.exception
    detail = " ".join(h.proto.body for h in at.get("html"))
    assert "airstrikes begin" in " ".join(m.value for m in at.markdown)
    assert "Event type:" in detail and "Country:" not in detail and "nan" not in detail.lower()
