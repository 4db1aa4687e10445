"""The shipped data honours the contract, and every broken file is reported by file, line and column."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import pytest

from basewatch import config
from basewatch.__main__ import main as cli
from basewatch.loading.dataset import DataError, load_dataset
from tests.conftest import BUNDLED, MINI, ROOT, csv_rows, data_problems, write_csv_rows

REQUIRED_SITES = {"tartus", "hmeimim", "benina", "benghazi-port", "qamishli", "al-khadim", "al-jufra",
                  "brak-al-shati", "maaten-al-sarra", "tobruk", "port-sudan"}


@pytest.fixture(scope="module")
def bundled():
    return load_dataset(BUNDLED)


def test_bundled_data_meets_the_content_targets(bundled):
    events, sites = bundled.events, bundled.sites
    assert len(sites) >= 12 and REQUIRED_SITES <= set(sites["id"])
    assert len(events) >= 120
    assert events["date"].min().year == 1971 and events["date"].max().year == 2026
    with_personnel = events[events["personnel_low"].notna()]
    assert len(with_personnel) >= 30
    assert {"SY", "LY"} <= set(with_personnel["country"])
    assert events["source_url"].str.match(r"^https?://").all()
    assert events["claim_status"].isin(config.CLAIM_STATUSES).all()


def test_bundled_data_covers_the_story(bundled):
    events = bundled.events
    for day in ("2015-09-30", "2024-12-08"):
        assert (events["date"] == day).any(), f"no event on {day}"
    assert {"European Union", "Libyan National Army", "Syria (transitional government)"} <= set(events["actor"])
    assert (events["event_type"] == "demand").any()


def test_cli_validates_bundled_data(capsys):
    assert cli(["validate", str(BUNDLED)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: ") and len(out.strip().splitlines()) == 1


def test_cli_honours_basewatch_data_dir(tmp_path):
    (tmp_path / "events.csv").write_text("id\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "basewatch", "validate"], cwd=ROOT, capture_output=True,
                            text=True, env={"BASEWATCH_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 1
    assert "bases.geojson: file not found" in result.stdout








def _set_cell(events_path, row_index, column, value):
    rows = csv_rows(events_path)
    rows[row_index][rows[0].index(column)] = value
    write_csv_rows(events_path, rows)


@pytest.mark.parametrize("column, value, line, message", [
    ("date", "2024-02-30", 3, "not a real calendar date"),
    ("date", "08/12/2024", 3, "YYYY-MM-DD"),
    ("date", "2030-01-01", 3, "in the future"),
    ("actor", "Rusia", 3, "'Rusia'"),
    ("site_id", "atlantis", 3, "'atlantis' is not an id in bases.geojson"),
    ("lat", "95", 3, "less than or equal to 90"),
    ("personnel_low", "7000", 3, "greater than personnel_high"),
    ("personnel_low", "1,000", 3, "whole number"),
    ("source_url", "javascript:alert(1)", 3, "http:// or https://"),
    ("source_url", "data:text/html,<b>x</b>", 3, "http:// or https://"),
    ("more_sources", "https://ok.example ftp://no.example", 3, "'ftp://no.example'"),
    ("claim_status", "likely", 3, "'likely'"),
    ("date_precision", "week", 3, "'week'"),
])
def test_each_broken_cell_names_file_line_and_column(data_copy, column, value, line, message):
    folder, events, _ = data_copy
    _set_cell(events, line - 1, column, value)  # line 1 is the header
    problems = data_problems(folder)
    expected_prefix = f"events.csv, line {line}, column '{column}'"
    matching = [p for p in problems if expected_prefix in p and message in p]
    assert matching, problems


def test_missing_column_is_reported_on_the_header(data_copy):
    folder, events, _ = data_copy
    rows = [r[:-1] for r in csv_rows(events)]  # drop more_sources
    write_csv_rows(events, rows)
    assert any("line 1, column 'more_sources': required column is missing" in p for p in data_problems(folder))


def test_extra_column_is_reported(data_copy):
    folder, events, _ = data_copy
    rows = csv_rows(events)
    rows = [r + (["notes"] if i == 0 else ["x"]) for i, r in enumerate(rows)]
    write_csv_rows(events, rows)
    assert any("column 'notes': unexpected column" in p for p in data_problems(folder))


def test_duplicate_id_points_to_the_first(data_copy):
    folder, events, _ = data_copy
    _set_cell(events, 5, "id", "ev-0001")
    assert any("line 6, column 'id': duplicate id 'ev-0001' (first at line 2)" in p for p in data_problems(folder))


def test_truncated_file_names_the_last_line(data_copy):
    folder, events, _ = data_copy
    text = events.read_text(encoding="utf-8")
    events.write_text(text[: text.rindex("\n", 0, len(text) - 1) + 25], encoding="utf-8")
    problems = data_problems(folder)
    assert any("line 11" in p and "truncated row" in p for p in problems), problems


def test_wrong_encoding_is_named(data_copy):
    folder, events, _ = data_copy
    raw = events.read_bytes().replace(b"Fixture: latest.", "Fixture: café latest.".encode("latin-1"))
    events.write_bytes(raw)
    problems = data_problems(folder)
    assert any("events.csv, line 11" in p and "not valid UTF-8" in p for p in problems), problems


def test_empty_file(data_copy):
    folder, events, _ = data_copy
    events.write_text("", encoding="utf-8")
    assert any("events.csv, line 1: file is empty" in p for p in data_problems(folder))


def test_header_only_file(data_copy):
    folder, events, _ = data_copy
    events.write_text(",".join(config.EVENT_COLUMNS) + "\n", encoding="utf-8")
    assert any("has a header but no events" in p for p in data_problems(folder))


def test_bom_and_crlf_are_read_correctly(data_copy):
    folder, events, _ = data_copy
    text = events.read_text(encoding="utf-8")
    events.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    dataset = load_dataset(folder, today=dt.date(2026, 11, 26))
    assert list(dataset.events["id"])[:2] == ["ev-0001", "ev-0002"]
    assert not dataset.events["summary"].str.contains("\r").any()


def test_invalid_geojson_names_line(data_copy):
    folder, _, sites = data_copy
    sites.write_text('{"type": "FeatureCollection",\n "features": [\n  {"type": "Feature",,}\n]}', encoding="utf-8")
    problems = data_problems(folder)
    assert any(p.startswith("tests") is False and "bases.geojson, line 3: invalid JSON" in p for p in problems)


def test_site_with_bad_kind_and_swapped_coordinates(data_copy):
    folder, _, sites = data_copy
    doc = json.loads(sites.read_text(encoding="utf-8"))
    doc["features"][1]["properties"]["kind"] = "fortress"
    doc["features"][2]["geometry"]["coordinates"] = [32.1, 200.0]
    sites.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    problems = data_problems(folder)
    assert any("column 'kind'" in p and "'fortress'" in p for p in problems), problems
    assert any("column 'geometry.coordinates'" in p for p in problems), problems


def test_oversized_file_is_refused_before_parsing(data_copy, monkeypatch):
    from basewatch.loading import files as data

    folder, events, _ = data_copy
    monkeypatch.setattr(data, "MAX_FILE_BYTES", 100)
    assert any("events.csv: file is" in p and "the limit is" in p for p in data_problems(folder))


def test_text_with_special_characters_is_kept_as_written():
    dataset = load_dataset(MINI, today=dt.date(2026, 11, 26))
    summaries = set(dataset.events["summary"])
    assert 'Fixture: a US estimate of $5 < 6 & "quotes".' in summaries
    assert any("{{ lipsum" in s and "<script>" in s for s in summaries)


def test_a_50_mb_file_gets_a_clear_message_not_a_hang(data_copy):
    folder, events, _ = data_copy
    header = ",".join(config.EVENT_COLUMNS)
    with open(events, "w", encoding="utf-8") as handle:
        handle.write(header + "\n")
        handle.write("ev-9999," + "x" * (50 * 1024 * 1024) + "\n")
    assert events.stat().st_size > 50 * 1024 * 1024
    problems = data_problems(folder)
    assert any("events.csv, line 2: unreadable CSV" in p and "field larger than field limit" in p
               for p in problems), problems[:3]


def test_report_is_capped_for_files_full_of_errors(data_copy):
    folder, events, _ = data_copy
    rows = csv_rows(events)
    write_csv_rows(events, [rows[0]] + [[f"bad id {i}"] + rows[1][1:] for i in range(1000)])
    with pytest.raises(DataError) as info:
        load_dataset(folder, today=dt.date(2026, 11, 26))
    report = info.value.report(limit=50)
    assert len(report) == 51 and report[-1].startswith("... and 950 more problem(s)")


def test_the_size_limit_admits_the_million_event_benchmark_file(monkeypatch):
    from basewatch.loading import files as data

    monkeypatch.delenv(data.MAX_FILE_ENV, raising=False)
    assert data.max_file_bytes() >= 460e6  # the 1,000,000-event synthetic CSV weighs about 452 MB


def test_the_size_limit_is_configurable_with_the_same_clear_message(data_copy, monkeypatch):
    from basewatch.loading import files as data

    folder, events, _ = data_copy
    monkeypatch.setenv(data.MAX_FILE_ENV, "0.001")  # 1,000 bytes: the mini events file is bigger
    assert events.stat().st_size > 1000
    problems = data_problems(folder)
    refused = [p for p in problems if "events.csv: file is" in p]
    assert refused and "the limit is 0 MB" in refused[0] and data.MAX_FILE_ENV in refused[0], problems
    monkeypatch.setenv(data.MAX_FILE_ENV, "5")
    assert len(load_dataset(folder, today=dt.date(2026, 11, 26)).events) > 0


@pytest.mark.parametrize("junk", ["", "lots", "-5", "0", "nan"])
def test_a_junk_size_limit_keeps_the_default_guard(junk, monkeypatch):
    from basewatch.loading import files as data

    monkeypatch.setenv(data.MAX_FILE_ENV, junk)
    assert data.max_file_bytes() == data.MAX_FILE_BYTES
