"""coverage.csv: how far the stored reporting was searched per country, validated and shown to readers."""

from __future__ import annotations

import datetime as dt

import pytest

from basewatch.loading.dataset import load_dataset
from basewatch.loading.problems import DataError
from basewatch.views.story import coverage_sentence
from tests.test_pages import open_share_box, run_page, texts

TODAY = dt.date(2026, 11, 26)


def write_coverage(folder, body: str) -> None:
    (folder / "coverage.csv").write_text("country,covered_to,note\n" + body, encoding="utf-8")


def test_coverage_is_loaded_and_said_per_country(data_copy):
    folder, _, _ = data_copy
    write_coverage(folder, "SY,2026-02-27,Stored pages searched month by month from 2024.\n"
                           "LY,2026-02-20,Same search for Libyan sites.\n")
    dataset = load_dataset(folder, today=TODAY)
    assert list(dataset.coverage["country"]) == ["LY", "SY"]
    assert coverage_sentence(dataset.coverage) == "Sources searched up to: Libya 20 Feb 2026; Syria 27 Feb 2026."


def test_without_the_file_nothing_changes(data_copy):
    folder, _, _ = data_copy
    before = load_dataset(folder, today=TODAY)
    assert before.coverage.empty and coverage_sentence(before.coverage) == ""
    write_coverage(folder, "SY,2026-02-27,Searched.\n")
    assert load_dataset(folder, today=TODAY).version != before.version  # the file is data: it is versioned


@pytest.mark.parametrize("row, column", [
    ("sy,2026-02-27,x\n", "country"),
    ("SY,2026-02-30,x\n", "covered_to"),
    ("SY,2027-01-01,x\n", "covered_to"),
    ("SY,2026-02-27,\n", "note"),
    ("SY,2026-02-27,x\nSY,2026-01-01,y\n", "country"),
])
def test_bad_rows_are_named_by_line_and_column(data_copy, row, column):
    folder, _, _ = data_copy
    write_coverage(folder, row)
    with pytest.raises(DataError) as info:
        load_dataset(folder, today=TODAY)
    assert any(p.file == "coverage.csv" and p.column == column for p in info.value.problems), info.value.report()


def test_the_data_page_and_the_citation_say_how_far_sources_were_searched(data_copy, monkeypatch):
    folder, _, _ = data_copy
    write_coverage(folder, "SY,2026-01-31,Stored pages searched month by month.\n")
    at = open_share_box(run_page("pages/data.py", data_dir=folder, monkeypatch=monkeypatch))
    assert not at.exception
    assert "Sources searched up to: Syria 31 Jan 2026" in texts(at).replace("\\", "")
    assert any("Sources searched up to: Syria 31 Jan 2026." in c.value for c in at.code)


def test_a_note_over_two_lines_does_not_shift_the_line_named_for_a_later_row(data_copy):
    folder, _, _ = data_copy
    write_coverage(folder, 'LY,2026-02-20,"Searched month by month,\nthen site by site."\nsy,2026-02-27,x\nSY,2026\n')
    with pytest.raises(DataError) as info:
        load_dataset(folder, today=TODAY)
    named = {(p.line, p.column) for p in info.value.problems if p.file == "coverage.csv"}
    assert (4, "country") in named, info.value.report()  # the lowercase code sits on the file's 4th line
    assert any(p.line == 5 and "truncated row" in p.message for p in info.value.problems), info.value.report()
