"""The static snapshot: the same tree from two runs, nothing fetched from outside it, a page per view and kind,
append-only versions, head tags, and hostile text kept as text."""

from __future__ import annotations

import contextlib
import csv
import io
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from PIL import Image

from basewatch.__main__ import main as cli
from basewatch.loading.dataset import load_dataset
from basewatch.snapshot.export import export_site
from basewatch.state import links
from basewatch.state.catalog import build_catalog
from tests.conftest import MINI
from tests.hostile import make_hostile_dataset
from tests.web_client import parse_head

pytestmark = pytest.mark.slow  # minutes of CPU together; make test-fast leaves them to make test

BASE = "https://archive.basewatch.example/"
APP = "https://basewatch.example/"


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def mini():
    dataset = load_dataset(MINI)
    return dataset, build_catalog(dataset.events, dataset.sites)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The mini data exported through the command line, on two worker processes: (folder, what it printed)."""
    out = tmp_path_factory.mktemp("snapshot") / "site"
    printed = io.StringIO()
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(printed):
        patch.setenv("BASEWATCH_DATA_DIR", str(MINI))
        assert cli(["export", "--out", str(out), "--base-url", BASE, "--app-url", APP, "--workers", "2"]) == 0
    return out, printed.getvalue()


class Refs(HTMLParser):
    """Every URL a page refers to: src, href, and the URLs in its meta tags."""

    def __init__(self):
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.scripts += tag == "script"
        for name in ("src", "href"):
            if attrs.get(name) is not None:
                self.refs.append((tag, name, attrs[name]))
        if tag == "meta" and (attrs.get("content") or "").startswith(("http:", "https:")):
            self.refs.append((tag, "content", attrs["content"]))


def test_two_runs_write_identical_trees(exported, tmp_path):
    out, _ = exported
    again = tmp_path / "again"
    export_site(again, BASE, APP, data_dir=MINI, workers=1)  # another process layout, same bytes
    assert tree(again) == tree(out)
    before = tree(out)
    second = export_site(out, BASE, APP, data_dir=MINI, workers=1)
    assert not second.written  # already archived: left as it was
    assert tree(out) == before


def test_a_page_per_view_of_each_kind(exported, mini):
    out, printed = exported
    dataset, catalog = mini
    expected = {"overview": 1, "country": len(catalog.values("country")), "site": len(dataset.sites),
                "actor": len(catalog.values("actor")), "event": len(dataset.events)}
    counted = ", ".join(f"{n} {kind}" for kind, n in expected.items())
    assert f"data version {dataset.version}: wrote {sum(expected.values())} pages ({counted})" in printed
    version = out / "archive" / links.version_folder(dataset.version)
    assert len(list(version.glob("*/*/index.html"))) == sum(expected.values()) - 1
    for kind, n in expected.items():
        if kind != "overview":
            assert len(list((version / kind).glob("*/index.html"))) == n, kind
    for page in [version, *version.glob("*/*")]:
        assert {p.name for p in page.iterdir() if p.is_file()} == {"index.html", "preview.png", "events.csv",
                                                                   "events.geojson"}
        image = Image.open(page / "preview.png")
        assert image.size == (1200, 630) and (page / "preview.png").stat().st_size <= 300 * 1024
    assert tree(out / "latest") == tree(version)


def test_pages_refer_to_nothing_outside_the_folder_but_sources_and_the_app(exported, mini):
    out, _ = exported
    dataset, _ = mini
    sources = set(dataset.events["source_url"]) | {u for more in dataset.events["more_sources"].dropna()
                                                   for u in str(more).split()}
    sources |= {u for urls in dataset.sites["sources"] for u in urls}
    checked = 0
    for page in out.rglob("*.html"):
        parser = Refs()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.scripts == 0, page  # no script at all, so nothing runs or fetches
        for tag, _, url in parser.refs:
            checked += 1
            if url.startswith(BASE):
                target = out / urlsplit(url).path.lstrip("/")
            elif url in sources:
                assert tag == "a", (page, url)  # a reader's link to a source, never a fetched resource
                continue
            elif url.startswith(APP) and not url.startswith(BASE):
                assert tag == "a", (page, url)  # "Open the interactive view"
                continue
            else:
                parts = urlsplit(url)
                assert not parts.scheme and not parts.netloc and not url.startswith("/"), (page, url)
                target = Path(urljoin(str(page.parent) + "/", parts.path))
            target = target / "index.html" if url.endswith("/") or target.is_dir() else target
            assert target.resolve().is_relative_to(out.resolve()), (page, url)
            assert target.is_file(), (page, url)
    assert checked > 100


def test_each_page_carries_the_head_tags_and_the_view(exported, mini):
    out, _ = exported
    dataset, catalog = mini
    version_url = f"{BASE}archive/{links.version_folder(dataset.version)}/"
    page = (out / "archive" / links.version_folder(dataset.version) / "actor" / "russia" / "index.html").read_text()
    head = parse_head(page)
    assert head.titles == [head.one("og:title")] and len(head.titles[0]) <= 70
    assert head.titles[0].startswith("Timeline · ") and "events by Russia" in head.titles[0]
    assert head.links("canonical") == [version_url + "actor/russia/"] == [head.one("og:url")]
    assert head.one("og:image") == version_url + "actor/russia/preview.png"
    assert head.one("twitter:card") == "summary_large_image" and len(head.one("description")) <= 200
    assert f'href="{APP}timeline?actor=russia"' in page and "Open the interactive view" in page
    rows = list(csv.DictReader(io.StringIO((out / "latest" / "actor" / "russia" / "events.csv").read_text())))
    russia = dataset.events[dataset.events["actor_slug"] == "russia"]
    assert sorted(r["id"] for r in rows) == sorted(russia["id"])
    for row in russia.itertuples():
        assert row.source_url in page and f">{row.id}<" in page  # each event, its source and its own page
    event_page = (out / "latest" / "event" / "ev-0005" / "index.html").read_text()
    assert "withdrawal" in event_page and 'href="../../"' in event_page


def test_a_new_data_version_adds_a_folder_and_never_rewrites_the_old_one(exported, tmp_path, mini):
    out, _ = exported
    dataset, _ = mini
    site = tmp_path / "site"
    shutil.copytree(out, site)
    old = tree(site / "archive")
    changed = tmp_path / "data"
    shutil.copytree(MINI, changed)
    events = (changed / "events.csv").read_text(encoding="utf-8")
    (changed / "events.csv").write_text(events.replace("Moscow", "Moscow (Kremlin)"), encoding="utf-8")
    report = export_site(site, BASE, APP, data_dir=changed, workers=1)
    assert report.written and report.version != dataset.version
    now = tree(site / "archive")
    assert {k: v for k, v in now.items() if k in old} == old  # every old file as it was
    new_folder = links.version_folder(report.version)
    assert all(k.startswith(new_folder + "/") for k in set(now) - set(old))
    assert tree(site / "latest") == tree(site / "archive" / new_folder)
    listing = (site / "index.html").read_text()
    assert listing.index(f"archive/{new_folder}/") < listing.index(f"archive/{links.version_folder(dataset.version)}/")


def test_hostile_text_stays_text(tmp_path):
    folder = make_hostile_dataset(tmp_path / "hostile")
    out = tmp_path / "site"
    export_site(out, BASE, APP, data_dir=folder, workers=1)
    for page in out.rglob("*.html"):
        parser = Refs()
        parser.feed(page.read_text(encoding="utf-8"))
        assert parser.scripts == 0, page
        for tag, _, url in parser.refs:
            assert tag in ("a", "link", "img", "meta"), (page, tag)
            assert not url.lower().startswith(("javascript:", "data:")), (page, url)


def test_the_command_line_says_what_it_did(exported, tmp_path, capsys, monkeypatch):
    out, _ = exported
    monkeypatch.setenv("BASEWATCH_DATA_DIR", str(MINI))
    shutil.copytree(out, tmp_path / "s")
    assert cli(["export", "--format", "site", "--out", str(tmp_path / "s"), "--base-url", BASE]) == 0
    assert "is already archived" in capsys.readouterr().out
    assert cli(["export", "--out", str(tmp_path / "t")]) == 2  # a site needs the address it will be served at
    assert "--base-url" in capsys.readouterr().err
    monkeypatch.setenv("BASEWATCH_DATA_DIR", str(tmp_path))  # no data there
    assert cli(["export", "--out", str(tmp_path / "u"), "--base-url", BASE]) == 1
    assert "nothing exported" in capsys.readouterr().err


@pytest.mark.parametrize("state, found", [
    (links.snapshot_state("overview"), ("overview", None)),
    (links.snapshot_state("country", "sy").changed(lang="ar", radius_km=900), ("country", "sy")),
    (links.snapshot_state("actor", "russia"), ("actor", "russia")),
    (links.snapshot_state("site", "hmeimim"), ("site", "hmeimim")),
    (links.snapshot_state("event", "ev-0005"), ("event", "ev-0005")),
    (links.snapshot_state("country", "sy").changed(actors=frozenset({"russia"})), None),
    (links.snapshot_state("site", "hmeimim").changed(countries=frozenset({"sy"})), None),
    (links.snapshot_state("overview").changed(countries=frozenset({"sy", "ly"})), None),
])
def test_which_views_have_an_archived_copy(state, found):
    assert links.snapshot_view(state) == found
    url = links.archived(state, "https://a.example/x", "2026-01-27+9b5a97b")
    if found is None:
        assert url is None
    else:
        assert url == "https://a.example/x/archive/2026-01-27-9b5a97b/" + links.snapshot_path(*found)


def test_the_share_box_offers_the_archived_copy_to_cite(monkeypatch, mini):
    from tests.test_pages import open_share_box, run_page

    dataset, _ = mini
    monkeypatch.setenv("BASEWATCH_ARCHIVE_URL", BASE)
    at = open_share_box(run_page("pages/timeline.py", {"actor": ["russia"]}, data_dir=MINI, monkeypatch=monkeypatch))
    codes = [c.value for c in at.code]
    assert f"{BASE}archive/{links.version_folder(dataset.version)}/actor/russia/" in codes
    assert any(c.value.startswith("Archived copy of this view") for c in at.caption)
    other = open_share_box(run_page("pages/timeline.py", {"actor": ["russia", "united-states"]}, data_dir=MINI,
                                    monkeypatch=monkeypatch))
    assert any(c.value == "Citation" for c in other.caption)  # the box is open
    assert not any(c.value.startswith("Archived copy") for c in other.caption)  # not an archived view
