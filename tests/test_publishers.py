"""The publisher registry: validation, coverage of every cited host, source weight per event, the changelog."""

from __future__ import annotations

import datetime as dt

import pytest

from basewatch.loading import changelog
from basewatch.loading.dataset import load_dataset
from basewatch.loading.publishers import host_of, source_columns
from basewatch.queries.sources import host_labels
from basewatch.state.filters import Filters, apply_filters
from tests.conftest import data_problems
from tests.test_pages import run_page

TODAY = dt.date(2026, 11, 26)
HEADER = "host,publisher,kind,country,state_affiliated,copies_of,reliability,note\n"


def report(folder) -> str:
    return "\n".join(data_problems(folder))


def test_host_is_lower_case_without_www_or_trailing_dot():
    assert host_of("https://WWW.Reuters.com/world/x") == "reuters.com"
    assert host_of("https://kyivindependent.com./news") == "kyivindependent.com"
    assert host_of("http://user@fr.sputniknews.africa:8080/a") == "fr.sputniknews.africa"


@pytest.mark.parametrize("row, column, message", [
    ("example.org,Example,magazine,,false,,B,x", "kind", "must be one of"),
    ("example.org,Example,wire,,maybe,,B,x", "state_affiliated", "true or false"),
    ("example.org,Example,wire,,false,,G,x", "reliability", "Admiralty source grade"),
    ("example.org,,wire,,false,,B,x", "publisher", "must not be empty"),
    ("www.example.org,Example,wire,,false,,B,x", "host", "without 'www.'"),
    ("example.org,Example,wire,sy,false,,B,x", "country", "ISO 3166-1"),
])
def test_each_broken_cell_is_named_by_line_and_column(data_copy, row, column, message):
    folder, _, _ = data_copy
    (folder / "publishers.csv").write_text(HEADER + row + "\n", encoding="utf-8")
    text = report(folder)
    assert f"publishers.csv, line 2, column '{column}'" in text and message in text


def test_duplicate_hosts_are_refused(data_copy):
    folder, _, _ = data_copy
    row = "example.org,Example,wire,,false,,B,x\n"
    (folder / "publishers.csv").write_text(HEADER + row + row, encoding="utf-8")
    assert "publishers.csv, line 3, column 'host'" in report(folder) and "duplicate host" in report(folder)


def test_every_cited_host_needs_a_row_and_the_row_lacking_one_is_named(data_copy):
    folder, events, sites = data_copy
    events.write_text(events.read_text(encoding="utf-8").replace("https://example.org/6", "https://news.example.net/6"),
                      encoding="utf-8")
    sites.write_text(sites.read_text(encoding="utf-8").replace("https://example.org/benina",
                                                                "https://maps.example.com/benina"),
                     encoding="utf-8")
    text = report(folder)
    assert "events.csv, line 7, column 'source_url': no row in publishers.csv for host(s) news.example.net" in text
    assert "bases.geojson, line 69, column 'sources': site 'benina': no row in publishers.csv" in text


def test_a_folder_without_the_registry_stays_valid(data_copy):
    folder, _, _ = data_copy
    (folder / "publishers.csv").unlink()
    dataset = load_dataset(folder, today=TODAY)
    assert dataset.publishers.empty and (dataset.events["source_kinds"] == "").all()


def test_copies_of_one_original_count_once_and_weak_only_events_are_flagged():
    import pandas as pd

    publishers = pd.DataFrame([
        ("reuters.com", "Reuters", "wire", "", False, "", "B", ""),
        ("devdiscourse.com", "Devdiscourse", "aggregator", "", False, "Reuters", "E", ""),
        ("tass.com", "TASS", "wire", "RU", True, "", "C", ""),
        ("blog.example", "A blog", "blog", "", False, "", "F", ""),
    ], columns=["host", "publisher", "kind", "country", "state_affiliated", "copies_of", "reliability", "note"])
    events = pd.DataFrame({
        "source_url": ["https://reuters.com/a", "https://tass.com/b", "https://devdiscourse.com/c"],
        "more_sources": ["https://devdiscourse.com/a", "https://blog.example/x", "https://tass.com/d"],
    })
    out = source_columns(events, publishers)
    assert out["independent_publishers"].tolist() == [1, 2, 2]  # Reuters and its copy count once
    assert out["weak_only"].tolist() == [False, True, True]  # state media + blog; aggregator + state media
    assert out["source_kinds"].tolist() == ["wire aggregator", "wire blog", "wire aggregator"]
    labels = host_labels(publishers)
    assert labels["tass.com"] == "TASS (wire, state-affiliated)"
    assert labels["devdiscourse.com"] == "Devdiscourse (aggregator, copy of Reuters)"


def test_source_kind_and_independent_filters_count_like_a_reference(data_copy):
    folder, events, _ = data_copy
    (folder / "publishers.csv").write_text(HEADER + "example.org,Example Wire,wire,,false,,B,x\n"
                                           "blog.example.net,A blog,blog,,false,,F,x\n", encoding="utf-8")
    events.write_text(events.read_text(encoding="utf-8").replace("https://example.org/9,",
                                                                   "https://blog.example.net/9,"), encoding="utf-8")
    frame = load_dataset(folder, today=TODAY).events
    blogs = apply_filters(frame, Filters(sources=frozenset({"blog"})))
    assert blogs["id"].tolist() == ["ev-0009"]
    independent = apply_filters(frame, Filters(independent_only=True))
    assert set(independent["id"]) == set(frame["id"]) - {"ev-0009"}


def test_hostile_publisher_text_is_shown_literally(data_copy, monkeypatch):
    folder, _, _ = data_copy
    hostile = '"<img src=x onerror=alert(1)> {{ 7*7 }} [x](javascript:alert(1))"'
    (folder / "publishers.csv").write_text(HEADER + f"example.org,{hostile},wire,,false,,B,{hostile}\n",
                                           encoding="utf-8")
    at = run_page("pages/map.py", {"event": "ev-0005"}, data_dir=folder, monkeypatch=monkeypatch)
    assert not at.exception
    body = " ".join(h.proto.body for h in at.get("html"))  # the sources line: escaped HTML, names in <bdi>
    assert "&lt;img src=x onerror=alert(1)&gt;" in body and "{{ 7*7 }}" in body
    assert "<img" not in body


def test_changelog_ties_entries_to_events(tmp_path):
    text = ("# Data changes\n\n## 2026-12-01 — source re-check (issue 10)\n\n### Source swapped\n\n"
            "- ev-0001: the primary source is now **RFE/RL**.\n\n| id | was | now |\n|---|---|---|\n"
            "| ev-0002 | a blog | Reuters |\n\n## 2026-11-26 — first release\n\n- ev-0001: added.\n")
    entries = changelog.parse(text)
    assert [(e.date, sorted(e.event_ids)) for e in entries] == [
        ("2026-12-01", ["ev-0001"]), ("2026-12-01", ["ev-0002"]), ("2026-11-26", ["ev-0001"])]
    assert entries[0].text == "ev-0001: the primary source is now RFE/RL."
    assert [e.date for e in changelog.for_event(entries, "ev-0001")] == ["2026-12-01", "2026-11-26"]


def test_event_detail_says_when_it_last_changed_and_links_the_log(data_copy, monkeypatch):
    folder, _, _ = data_copy
    (folder / "CHANGES.md").write_text("## 2026-12-01 — re-check\n\n- ev-0005: date corrected.\n", encoding="utf-8")
    at = run_page("pages/map.py", {"event": "ev-0005"}, data_dir=folder, monkeypatch=monkeypatch)
    body = " ".join(m.value for m in at.markdown)
    assert "Last changed:" in body and "data?event=ev-0005" in body
    log = run_page("pages/data.py", {"event": "ev-0005"}, data_dir=folder, monkeypatch=monkeypatch)
    assert "date corrected" in " ".join(m.value for m in log.markdown)


def test_bundled_data_meets_the_sourcing_targets():
    """No confirmed row rests on copies only; every row still citing a copy first is listed in data/README.md."""
    from basewatch.loading.publishers import WEAK_KINDS

    dataset = load_dataset(None)
    assert not dataset.publishers.empty, "the bundled data has no publishers.csv"
    kind = dict(zip(dataset.publishers["host"], dataset.publishers["kind"]))
    events = dataset.events
    copies_only = events["source_kinds"].map(lambda kinds: set(kinds.split()) <= WEAK_KINDS)
    assert events.loc[copies_only & (events["claim_status"] == "confirmed"), "id"].tolist() == []
    readme = (dataset.source_dir / "README.md").read_text(encoding="utf-8")
    listed = readme.split("Rows that still cite a copy", 1)[1].split("\n## ", 1)[0]
    primary_copy = events.loc[events["source_url"].map(lambda u: kind[host_of(u)] in WEAK_KINDS), "id"]
    assert [i for i in primary_copy if i not in listed] == []


def test_status_rows_are_held_to_the_registry_too(data_copy):
    folder, _, _ = data_copy
    status = folder / "site_status.csv"
    status.write_text(status.read_text(encoding="utf-8").replace("https://example.org/s2", "https://blog.example.com/s2"),
                      encoding="utf-8")
    text = report(folder)
    assert "site_status.csv, line 6, column 'source_url': no row in publishers.csv for host blog.example.com" in text
