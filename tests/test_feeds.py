"""Atom feeds: the view's events newest change first, site status changes, the corrections log; valid for
feedparser, stable ids, corrections surfacing, escaped content, and the share box linking them."""

from __future__ import annotations

import html
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import feedparser
import pandas as pd
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from basewatch.loading.dataset import load_dataset
from basewatch.state.filters import Filters, apply_filters
from basewatch.state.links import FEED_PATHS
from basewatch.web import app as web_app
from basewatch.web import feeds
from tests.conftest import BUNDLED, MINI, TODAY, write_csv_rows
from tests.hostile import HOSTILE_STRINGS, make_hostile_dataset
from tests.test_pages import open_share_box, run_page

ATOM = "{http://www.w3.org/2005/Atom}"


def client_for(folder, monkeypatch) -> TestClient:
    monkeypatch.setenv("BASEWATCH_DATA_DIR", str(folder))
    return TestClient(Starlette(routes=web_app.routes()), raise_server_exceptions=False,
                      base_url="https://basewatch.example")


def parse(answer):
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/atom+xml; charset=utf-8"
    feed = feedparser.parse(answer.content, response_headers={"content-type": answer.headers["content-type"]})
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


@pytest.mark.parametrize("path", [
    "/feeds/events.atom", "/feeds/events.atom?actor=russia&from=2024-12-01", "/feeds/events.atom?lang=ar&type=strike",
    "/feeds/events.atom?site=hmeimim&view=35.1,36.2,7", "/feeds/sites.atom?site=hmeimim",
    "/feeds/sites.atom?site=tartus&lang=ru", "/feeds/corrections.atom", "/feeds/corrections.atom?lang=fr",
])
def test_feedparser_reads_every_feed_without_complaint(path, monkeypatch):
    feed = parse(client_for(BUNDLED, monkeypatch).get(path))
    assert feed.version == "atom10" and feed.feed.title and feed.entries
    assert all(entry.id.startswith("tag:basewatch.example,2025:") for entry in feed.entries)


def test_the_events_feed_holds_the_view_newest_change_first(monkeypatch):
    dataset = load_dataset(BUNDLED)
    view = apply_filters(dataset.events, Filters(actors=frozenset({"russia"}), date_from=pd.Timestamp("2025-06-01")
                                                 .date()))
    assert 0 < len(view) < feeds.FEED_LIMIT
    feed = parse(client_for(BUNDLED, monkeypatch).get("/feeds/events.atom?actor=russia&from=2025-06-01"))
    assert sorted(e.id.rsplit("/", 1)[1] for e in feed.entries) == sorted(view["id"])
    updated = [e.updated for e in feed.entries]
    assert updated == sorted(updated, reverse=True)
    expected = feeds.latest_change(view, dataset.changes)
    for entry in feed.entries:
        event_id = entry.id.rsplit("/", 1)[1]
        day = expected[view.index[view["id"] == event_id][0]]
        assert entry.updated == day.strftime("%Y-%m-%dT00:00:00Z")
        assert entry.link == f"https://basewatch.example/map?event={event_id}"


def test_a_big_view_gives_the_fifty_most_recently_changed(monkeypatch):
    dataset = load_dataset(BUNDLED)
    feed = parse(client_for(BUNDLED, monkeypatch).get("/feeds/events.atom"))
    assert len(feed.entries) == feeds.FEED_LIMIT < len(dataset.events)
    latest = feeds.latest_change(dataset.events, dataset.changes)
    cutoff = min(e.updated for e in feed.entries)
    newer = dataset.events["id"][latest.dt.strftime("%Y-%m-%dT00:00:00Z") > cutoff]
    assert set(newer) <= {e.id.rsplit("/", 1)[1] for e in feed.entries}


@pytest.fixture
def corrected(tmp_path):
    """The mini data with a changelog that corrects ev-0003 after everything else."""
    folder = tmp_path / "data"
    shutil.copytree(MINI, folder)
    (folder / "CHANGES.md").write_text(
        "# Data changes\n\n## 2026-11-20 — correction\n\n- ev-0003: the estimate's date moved to March 2016 "
        "<b>per the source</b>.\n\n## 2026-01-30 — first release\n\n- ev-0001, ev-0002: added.\n", encoding="utf-8")
    return folder


def test_a_correction_brings_its_event_to_the_top_with_the_change(corrected, monkeypatch):
    feed = parse(client_for(corrected, monkeypatch).get("/feeds/events.atom"))
    first = feed.entries[0]
    assert first.id == "tag:basewatch.example,2025:event/ev-0003" and first.updated == "2026-11-20T00:00:00Z"
    assert "the estimate's date moved to March 2016 <b>per the source</b>" in html.unescape(first.content[0].value)
    assert "<b>" not in first.content[0].value  # the changelog's text is shown as text
    corrections = parse(client_for(corrected, monkeypatch).get("/feeds/corrections.atom"))
    assert [e.updated for e in corrections.entries] == ["2026-11-20T00:00:00Z", "2026-01-30T00:00:00Z"]
    assert corrections.entries[0].link == "https://basewatch.example/data?event=ev-0003"


def test_entry_ids_survive_a_new_data_version(corrected, monkeypatch):
    client = client_for(corrected, monkeypatch)
    before = {e.id: e.title for e in parse(client.get("/feeds/events.atom")).entries}
    events = corrected / "events.csv"
    events.write_text(events.read_text(encoding="utf-8").replace("Fixture: latest.", "Fixture: latest and corrected."),
                      encoding="utf-8")
    monkeypatch.setenv("BASEWATCH_SETTLE_SECONDS", "0")
    after = parse(client.get("/feeds/events.atom"))
    assert "corrected" in " ".join(e.content[0].value for e in after.entries)
    assert {e.id for e in after.entries} == set(before)


def test_self_link_is_the_canonical_feed_url_and_alternate_the_view(monkeypatch):
    answer = client_for(BUNDLED, monkeypatch).get(
        "/feeds/events.atom?from=2024-01-01&actor=turkey&actor=russia&view=35.1,36.2,7&site=hmeimim")
    root = ET.fromstring(answer.content)
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links["self"] == "https://basewatch.example/feeds/events.atom?actor=russia&actor=turkey&from=2024-01-01"
    assert links["alternate"].startswith("https://basewatch.example/map?actor=russia&actor=turkey&from=2024-01-01")


def test_content_has_summary_claim_status_and_escaped_source_links(monkeypatch):
    feed = parse(client_for(MINI, monkeypatch).get("/feeds/events.atom?actor=russia"))
    entry = next(e for e in feed.entries if e.id.endswith("/ev-0002"))
    content = entry.content[0].value
    assert "Fixture: airstrikes begin." in content and "Claim status: confirmed" in content
    assert '<a href="https://example.org/2">Example Wire [Reuters]</a>' in content
    assert 'href="https://example.org/2b"' in content


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return make_hostile_dataset(tmp_path_factory.mktemp("hostile") / "data")


class Markup(HTMLParser):
    """The elements and attributes an HTML fragment holds, and its text."""

    def __init__(self):
        super().__init__()
        self.tags, self.attributes, self.text = set(), set(), []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes |= {name for name, _ in attrs}

    def handle_data(self, data):
        self.text.append(data)


@pytest.mark.parametrize("kind", list(FEED_PATHS))
def test_hostile_text_stays_text_in_every_feed(kind, hostile, monkeypatch):
    shutil.copy(BUNDLED / "CHANGES.md", hostile / "CHANGES.md")
    (hostile / "CHANGES.md").write_text((hostile / "CHANGES.md").read_text(encoding="utf-8").replace(
        "## 2026-12-01 — source re-check (issue 10)", "## 2026-12-01 — " + HOSTILE_STRINGS[0], 1)
        + "\n".join(f"- hx-{i:03d}: {text}" for i, text in enumerate(HOSTILE_STRINGS[:20])), encoding="utf-8")
    rows = [["site_id", "date", "date_precision", "status", "claim_status", "source_name", "source_url",
             "source_date", "note"]]
    rows += [["tartus", f"20{10 + i:02d}-01-01", "year", "active" if i % 2 else "reduced", "reported", text,
              "https://example.org/s?q=<x>&y='1'", "", text] for i, text in enumerate(HOSTILE_STRINGS[:10])]
    rows.append(["tartus", "2021-01-01", "year", "reduced", "reported", "x", "https://example.org/s", "", "x"])
    write_csv_rows(hostile / "site_status.csv", rows)
    load_dataset(hostile, today=TODAY)
    query = "?site=tartus" if kind == "sites" else ""
    answer = client_for(hostile, monkeypatch).get(f"/{FEED_PATHS[kind]}{query}")
    parse(answer)
    for tag in ("<script", "<img", "<iframe", "<svg", "<body", "<details", "<math"):
        assert tag not in answer.text.lower()
    # What a feed reader renders: each entry's HTML holds only our own elements; the data is its text.
    shown = []
    for content in ET.fromstring(answer.content).iter(f"{ATOM}content"):
        markup = Markup()
        markup.feed(content.text)
        assert markup.tags <= {"p", "ul", "li", "a"} and markup.attributes <= {"href"}, (markup.tags, markup.attributes)
        shown.append("".join(markup.text))
    assert shown
    if kind != "corrections":
        assert any(HOSTILE_STRINGS[0] in text for text in shown)  # kept as written, shown as text
    for title in ET.fromstring(answer.content).iter(f"{ATOM}title"):
        assert title.text  # plain text titles: Atom's default type="text"


def test_the_sites_feed_has_one_entry_per_status_change_with_its_source(monkeypatch):
    dataset = load_dataset(BUNDLED)
    rows = dataset.site_status[dataset.site_status["site_id"] == "hmeimim"]
    changes = rows[rows["status"].ne(rows["status"].shift())]
    feed = parse(client_for(BUNDLED, monkeypatch).get("/feeds/sites.atom?site=hmeimim"))
    assert len(feed.entries) == len(changes) > 0
    for entry, row in zip(feed.entries, changes.iloc[::-1].itertuples()):
        assert entry.updated == row.date.strftime("%Y-%m-%dT00:00:00Z")
        assert f'href="{row.source_url}"' in entry.content[0].value.replace("&amp;", "&")
        assert entry.link == "https://basewatch.example/sites?site=hmeimim"


def test_a_feed_with_a_bad_parameter_is_a_400_in_the_pages_words(monkeypatch):
    client = client_for(BUNDLED, monkeypatch)
    missing = client.get("/feeds/sites.atom")
    assert missing.status_code == 400 and "site" in missing.json()["error"]
    unknown = client.get("/feeds/sites.atom?site=atlantis")
    assert unknown.status_code == 400 and unknown.json()["problems"] == ["ignored `site=atlantis`: no such site"]
    junk = client.get("/feeds/events.atom?actor=martians")
    assert junk.json()["problems"] == ["ignored unknown `actor` value(s): `martians`"]


def test_feeds_answer_304_to_a_known_etag(monkeypatch):
    client = client_for(BUNDLED, monkeypatch)
    for path in ("/feeds/events.atom?actor=russia", "/feeds/sites.atom?site=hmeimim", "/feeds/corrections.atom"):
        tag = client.get(path).headers["etag"]
        again = client.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.content == b""


def test_feed_url_follows_the_filters_and_language_only(monkeypatch):
    from starlette.requests import Request

    from basewatch.web.context import view_of

    monkeypatch.setenv("BASEWATCH_DATA_DIR", str(BUNDLED))
    monkeypatch.setenv("BASEWATCH_PUBLIC_URL", "https://basewatch.example/sub")
    request = Request({"type": "http", "method": "GET", "path": "/map", "headers": [], "query_string":
                       b"view=35.1,36.2,7&lang=fr&actor=russia&event=ev-0042"})
    view = view_of(request)
    assert feeds.feed_url(view) == "https://basewatch.example/sub/feeds/events.atom?actor=russia&lang=fr"
    assert feeds.feed_url(view, "corrections") == "https://basewatch.example/sub/feeds/corrections.atom?lang=fr"


@pytest.mark.parametrize("page", ["pages/overview.py", "pages/map.py"])
def test_the_share_box_links_the_views_feed(page, monkeypatch):
    at = open_share_box(run_page(page, {"actor": "russia", "type": "withdrawal"}, monkeypatch=monkeypatch))
    shown = " ".join(m.value for m in at.markdown)
    assert "feeds/events.atom?actor=russia&type=withdrawal" in shown and "Atom" in shown


def test_an_arabic_feed_names_each_site_and_date_in_arabic(monkeypatch):
    feed = parse(client_for(BUNDLED, monkeypatch).get("/feeds/events.atom?lang=ar&actor=russia&from=2026-01-20"))
    titles = [entry.title for entry in feed.entries]
    assert any("مطار القامشلي" in title for title in titles), titles
    assert not any("Qamishli International Airport" in title for title in titles), titles
    assert any("يناير 2026" in title for title in titles) and not any("Jan" in title for title in titles), titles
