"""Site status over time: the lookup at period edges, the validator, movements, what changed, the chart."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from basewatch import config
from basewatch.loading.dataset import load_dataset
from basewatch.queries.footprint import NO_PRESENCE_LABEL, movements, status_as_of, status_changes
from basewatch.views.charts.footprint import footprint_chart, footprint_frame
from basewatch.views.story import what_changed
from tests.conftest import BUNDLED, MINI, csv_rows, data_problems, write_csv_rows

TODAY = dt.date(2026, 11, 26)
HOSTILE_NOTE = 'Fixture: supply point <script>alert(1)</script> ${x} {{ 7*7 }} & "quotes" طرطوس Тартус'


@pytest.fixture(scope="module")
def mini():
    return load_dataset(MINI, today=TODAY)


def _status(dataset, site_id, day):
    table = status_as_of(dataset.site_status, dataset.sites, day).set_index("site_id")
    return table.loc[site_id]








# --- lookup at period edges -------------------------------------------------------------------

def test_the_day_before_a_change_shows_the_old_status_and_the_day_of_it_the_new(mini):
    before = _status(mini, "tartus", "2024-12-08")
    assert before["status"] == "active" and before["since_label"] == "1971"
    after = _status(mini, "tartus", "2024-12-09")
    assert after["status"] == "reduced" and after["since_label"] == "9 Dec 2024"
    assert after["source_name"] == "Example Wire [Reuters]" and after["source_url"] == "https://example.org/s2"


def test_a_month_precision_change_counts_from_the_first_of_the_month(mini):
    assert _status(mini, "benina", "2025-03-31")["status"] == "active"
    first = _status(mini, "benina", "2025-04-01")
    assert first["status"] == "unknown" and first["since_label"] == "Apr 2025"
    assert _status(mini, "hmeimim", "2015-08-31")["label"] == NO_PRESENCE_LABEL
    assert _status(mini, "hmeimim", "2015-09-01")["status"] == "active"


def test_a_year_precision_change_counts_from_1_january(mini):
    assert not _status(mini, "benina", "2019-12-31")["present"]
    assert _status(mini, "benina", "2020-01-01")["status"] == "active"
    assert _status(mini, "tartus", "1971-01-01")["status"] == "active"


def test_before_the_first_row_a_site_is_not_part_of_the_footprint(mini):
    row = _status(mini, "hmeimim", "2010-06-01")
    assert row["status"] is None and not row["present"]
    assert row["label"] == "no Russian presence yet"
    assert row["source_name"] is None


def test_without_a_date_every_site_shows_its_latest_status_which_matches_the_geojson(mini):
    table = status_as_of(mini.site_status, mini.sites).set_index("site_id")
    expected = dict(zip(mini.sites["id"], mini.sites["status"]))
    assert table["status"].to_dict() == expected


def test_a_folder_without_the_file_stays_valid_and_keeps_the_geojson_status(data_copy):
    folder, _, _ = data_copy
    with_file = load_dataset(folder, today=TODAY)
    (folder / config.SITE_STATUS_FILE).unlink()
    without = load_dataset(folder, today=TODAY)
    assert without.site_status.empty and not with_file.site_status.empty
    assert without.content_hash != with_file.content_hash
    table = status_as_of(without.site_status, without.sites, "1900-01-01").set_index("site_id")
    assert table.loc["tartus", "status"] == "reduced" and not table["has_history"].any()
    assert status_changes(without.site_status, without.sites, "2000-01-01", "2026-01-01").empty


def test_the_version_of_a_folder_without_the_file_is_what_it_was_before(data_copy):
    import hashlib

    folder, events, sites = data_copy
    (folder / config.SITE_STATUS_FILE).unlink()
    (folder / config.PUBLISHERS_FILE).unlink()  # the other optional file
    digest = hashlib.sha256()
    for path in (sites, events):  # the order load_dataset hashes them in
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    assert load_dataset(folder, today=TODAY).content_hash == digest.hexdigest()


def test_the_sentence_under_the_map_names_the_footprint_date(mini):
    from basewatch.state.catalog import color
    from basewatch.views.story import as_of_sentence

    assert "on 1 June 2020, the end of the selected period" in as_of_sentence("2020-06-01", mini.data_date)
    assert "as of the data date, 27 January 2026" in as_of_sentence(None, mini.data_date)
    assert color("site_status", "active") == config.SITE_STATUS_COLORS["active"]
    assert color("site_status", None) not in config.SITE_STATUS_COLORS.values()


def test_hostile_text_in_note_round_trips_unchanged(mini):
    notes = set(mini.site_status["note"])
    assert HOSTILE_NOTE in notes


def test_sites_as_of_feeds_the_map_profiles_and_counts(mini):
    from basewatch.queries.footprint import sites_as_of

    then = sites_as_of(mini.site_status, mini.sites, "2010-06-01").set_index("id")
    assert then.loc["tartus", "status"] == "active" and then.loc["tartus", "geo_status"] == "reduced"
    assert then.loc["hmeimim", "status"] == NO_PRESENCE_LABEL and not then.loc["hmeimim", "present"]
    assert then.loc["tartus", "status_note"].startswith("As of 1 June 2010: active since 1971 (Example Wire).")
    assert (then["status"] == "active").sum() == 1  # "sites still active" on that date
    now = sites_as_of(mini.site_status, mini.sites).set_index("id")
    assert now["status"].to_dict() == now["geo_status"].to_dict()
    assert now.loc["tartus", "status_note"] == mini.sites.set_index("id").loc["tartus", "status_note"]


# --- the bundled data: Qamishli ------------------------------------------------------------------

@pytest.fixture(scope="module")
def bundled():
    return load_dataset(BUNDLED)


def test_qamishli_is_active_in_mid_2020_and_withdrawn_now(bundled):
    from basewatch.queries.footprint import sites_as_of

    assert sites_as_of(bundled.site_status, bundled.sites, "2020-06-01").set_index("id").loc[
        "qamishli", "status"] == "active"
    assert _status(bundled, "qamishli", "2020-06-01")["status"] == "active"
    assert _status(bundled, "qamishli", None)["status"] == "withdrawn"
    assert _status(bundled, "al-khadim", "2019-01-01")["label"] == NO_PRESENCE_LABEL


def test_every_bundled_site_has_a_sourced_history(bundled):
    assert set(bundled.site_status["site_id"]) == set(bundled.sites["id"])
    assert bundled.site_status["source_url"].str.match(r"^https?://").all()
    assert bundled.site_status["note"].str.len().gt(20).all()


def test_changes_since_december_2024_name_the_sites_and_their_sources(bundled):
    changes = status_changes(bundled.site_status, bundled.sites, "2024-12-01", None).set_index("site_id")
    assert changes.loc["qamishli", "old_status"] == "active"
    assert changes.loc["qamishli", "new_status"] == "withdrawn"
    assert changes.loc["qamishli", "source_name"] == "Daily Sabah [AFP]"
    assert "al-jufra" not in changes.index  # active before and after


def test_personnel_figures_keep_the_sources_qualifier_and_range(bundled):
    syria = next(s for s in what_changed(bundled, "2024-12-01", None) if "personnel in Syria" in s)
    assert "was 6,000–7,500 (Censor.net, Jun 2024)" in syria
    assert "it is up to 3,000 (Espreso [ISW], 15 Dec 2024)" in syria  # ISW said "up to 3,000"


# --- validator ----------------------------------------------------------------------------------

def _set_status_cell(folder, line, column, value):
    path = folder / config.SITE_STATUS_FILE
    rows = csv_rows(path)
    rows[line - 1][rows[0].index(column)] = value
    write_csv_rows(path, rows)


@pytest.mark.parametrize("line, column, value, message", [
    (2, "site_id", "atlantis", "'atlantis' is not an id in bases.geojson"),
    (3, "status", "gone", "'gone' is not one of: active, reduced"),
    (3, "claim_status", "likely", "'likely' is not one of"),
    (2, "date_precision", "week", "'week' is not one of"),
    (4, "source_url", "javascript:alert(1)", "http:// or https://"),
    (4, "date", "15/09/2015", "YYYY-MM-DD"),
    (4, "date", "2015-09-31", "not a real calendar date"),
    (4, "date", "2015-09-13", "the first day of the period"),
    (4, "note", "", "must not be empty"),
])
def test_each_broken_status_cell_names_file_line_and_column(data_copy, line, column, value, message):
    folder, _, _ = data_copy
    _set_status_cell(folder, line, column, value)
    problems = data_problems(folder)
    prefix = f"site_status.csv, line {line}, column '{column}'"
    assert any(prefix in p and message in p for p in problems), problems


def test_dates_out_of_order_name_the_line(data_copy):
    folder, _, _ = data_copy
    _set_status_cell(folder, 6, "date", "1970-01-01")  # tartus's second row now precedes its first
    problems = data_problems(folder)
    assert any("site_status.csv, line 6, column 'date'" in p and "earlier than the previous row" in p
               and "line 5" in p for p in problems), problems


def test_latest_row_must_equal_the_geojson_status(data_copy):
    folder, _, _ = data_copy
    _set_status_cell(folder, 6, "status", "withdrawn")
    problems = data_problems(folder)
    assert any("site_status.csv, line 6, column 'status'" in p and "'withdrawn'" in p and "'reduced'" in p
               for p in problems), problems


def test_a_missing_column_is_reported_on_the_header(data_copy):
    folder, _, _ = data_copy
    path = folder / config.SITE_STATUS_FILE
    write_csv_rows(path, [r[:-1] for r in csv_rows(path)])
    assert any("site_status.csv, line 1, column 'note': required column is missing" in p
               for p in data_problems(folder))


# --- movements ----------------------------------------------------------------------------------

@pytest.fixture
def moved(data_copy):
    """The mini fixture with a destination_site_id column: two moves hmeimim → benina, one tartus → hmeimim."""
    folder, events, _ = data_copy
    rows = csv_rows(events)
    destinations = {"ev-0002": "benina", "ev-0005": "benina", "ev-0007": "hmeimim"}
    rows = [r + (["destination_site_id"] if i == 0 else [destinations.get(r[0], "")]) for i, r in enumerate(rows)]
    write_csv_rows(events, rows)
    return load_dataset(folder, today=TODAY)


def test_movements_are_counted_by_origin_and_destination(moved):
    table = movements(moved.events, moved.sites)
    pairs = {(r.origin, r.destination): (r.count, r.event_ids) for r in table.itertuples()}
    assert pairs == {("hmeimim", "benina"): (2, ["ev-0002", "ev-0005"]), ("tartus", "hmeimim"): (1, ["ev-0007"])}
    assert table.iloc[0]["origin_name"] == "Hmeimim Air Base"


def test_events_without_a_destination_are_no_movements(mini):
    assert movements(mini.events, mini.sites).empty


# --- what changed -----------------------------------------------------------------------------

def test_what_changed_names_the_site_with_its_source(moved):
    sentences = what_changed(moved, "2024-12-01", "2025-06-30", moved.events)
    text = " ".join(sentences)
    assert "Tartus naval facility, Syria: active → reduced since 9 Dec 2024 (source: Example Wire [Reuters]" in text
    assert "Benina" in text and "active → unknown since Apr 2025" in text
    assert "Hmeimim" not in sentences[0]
    # Syria's estimates are given as ranges, as the sources give them, never subtracted.
    syria = next(s for s in sentences if "personnel in Syria" in s)
    assert "3,000–6,000" in syria and "Example" in syria
    moves = sentences[-1]
    assert "2 recorded movements" in moves and "Hmeimim Air Base → Benina airport: 1 (ev-0005)" in moves
    assert "Tartus naval facility → Hmeimim Air Base: 1 (ev-0007)" in moves


def test_a_to_date_before_a_change_shows_no_change(mini):
    sentences = what_changed(mini, "2024-01-01", "2024-12-08", mini.events)
    assert sentences[0] == "No site changed its Russian status between 1 January 2024 and 8 December 2024."


def test_what_changed_defaults_to_first_event_and_data_date(mini):
    sentences = what_changed(mini)
    assert "between 1 January 1971 and 27 January 2026" in sentences[0]


# --- chart ----------------------------------------------------------------------------------

def _layers(spec):
    return spec["layer"]


def test_chart_bands_use_the_map_palette_and_offer_site_pick(mini):
    chart = footprint_chart(mini.site_status, mini.sites, "2024-12-01", "2025-06-30", until=mini.data_date)
    spec = chart.to_dict()
    bands = next(layer for layer in _layers(spec) if layer["mark"]["type"] == "bar")
    scale = bands["encoding"]["color"]["scale"]
    assert dict(zip(scale["domain"], scale["range"])) == config.SITE_STATUS_COLORS
    assert "legend" in bands["encoding"]["color"]
    # Altair lifts a layer's selection to the top level of a layered spec.
    params = spec.get("params", []) + [p for layer in _layers(spec) for p in layer.get("params", [])]
    pick = next(p for p in params if p["name"] == "site_pick")
    assert pick["select"]["fields"] == ["site_id"]
    assert spec["description"].startswith("Footprint chart")
    tooltip_titles = {t["title"] for t in bands["encoding"]["tooltip"]}
    assert {"Site", "Status", "From", "To", "Source"} <= tooltip_titles


def test_a_site_picked_elsewhere_starts_out_selected(mini):
    spec = footprint_chart(mini.site_status, mini.sites, selected_site="tartus").to_dict()
    params = spec.get("params", []) + [p for layer in _layers(spec) for p in layer.get("params", [])]
    pick = next(p for p in params if p["name"] == "site_pick")
    assert pick["value"] == [{"site_id": "tartus"}]


def test_chart_marks_the_selected_period(mini):
    spec = footprint_chart(mini.site_status, mini.sites, "2024-12-01", "2025-06-30").to_dict()
    period = next(layer for layer in _layers(spec) if layer["mark"]["type"] == "rect")
    values = spec["datasets"][period["data"]["name"]]
    assert values[0]["start"].startswith("2024-12-01") and values[0]["end"].startswith("2025-06-30")
    assert any(layer["mark"]["type"] == "rule" for layer in _layers(spec))


def test_chart_draws_nothing_before_a_sites_first_row_and_colours_each_band_by_its_status(mini):
    frame = footprint_frame(mini.site_status, mini.sites, until=mini.data_date)
    hmeimim = frame[frame["site_id"] == "hmeimim"]
    assert hmeimim["start"].min() == pd.Timestamp("2015-09-01")
    tartus = frame[frame["site_id"] == "tartus"].sort_values("start")
    assert list(tartus["status"]) == ["active", "reduced"]
    assert list(tartus["to_label"]) == ["9 Dec 2024", "now (data date)"]
    assert frame["label"].str.len().max() <= 40


def test_chart_spec_carries_hostile_text_only_as_data(mini):
    spec = footprint_chart(mini.site_status, mini.sites).to_dict()
    text = json.dumps(spec)
    assert "<script>" not in text  # notes are not drawn at all; sources and names are plain data fields


def test_a_quotable_estimate_says_when_only_weak_sources_give_it(bundled):
    from basewatch.views.story import weak_source_note

    events = bundled.events
    country_wide = events[events["personnel_low"].notna() & events["site_id"].isna()]
    flagged = []
    for code, name in (("LY", "Libya"), ("SY", "Syria")):
        sentence = next(s for s in what_changed(bundled, "2024-01-01", None) if f"personnel in {name}" in s)
        latest = country_wide[country_wide["country"] == code].sort_values(["date", "id"]).iloc[-1]
        now = sentence.split(" it is ")[-1]
        assert (weak_source_note() in now) == bool(latest["weak_only"]), sentence
        flagged.append(bool(latest["weak_only"]))
    assert flagged == [True, False]  # the bundled data: Libya's latest figure rests on a content site only
