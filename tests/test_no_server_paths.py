"""No page, route or export shows where the data folder sits on the server: readers and crawlers see file names only."""

from __future__ import annotations

import shutil

import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from basewatch.loading.dataset import load_dataset
from basewatch.state.pages import PAGES
from basewatch.views import downloads
from basewatch.web import app as web_app
from tests.conftest import MINI
from tests.test_pages import run_page


def element_texts(at) -> str:
    parts = []
    for kind in ("markdown", "caption", "title", "code", "error", "warning", "info", "subheader", "header"):
        parts += [str(getattr(e, "value", "")) for e in getattr(at, kind, [])]
    parts += [str(e.proto) for e in at.get("html")]
    return "\n".join(parts)


@pytest.fixture
def folders(tmp_path):
    good = tmp_path / "served-data-folder"
    shutil.copytree(MINI, good)
    broken = tmp_path / "broken-data-folder"
    shutil.copytree(MINI, broken)
    lines = (broken / "events.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (broken / "events.csv").write_text("".join(lines + [lines[1]]), encoding="utf-8")
    return good, broken


@pytest.mark.parametrize("page", PAGES, ids=[p.key for p in PAGES])
def test_pages_never_show_the_data_folder(page, folders, monkeypatch):
    for folder in folders:
        at = run_page(page.script, {"event": "ev-0001"}, data_dir=folder, monkeypatch=monkeypatch)
        shown = element_texts(at)
        assert shown.strip(), "the page rendered nothing to check"
        assert str(folder) not in shown and str(folder.parent) not in shown


def test_downloads_never_carry_the_data_folder(folders):
    folder, _ = folders
    dataset = load_dataset(folder)
    for blob in (downloads.events_csv(dataset.events), downloads.events_geojson(dataset.events),
                 downloads.sites_geojson(dataset)):
        assert str(folder).encode() not in blob and str(folder.parent).encode() not in blob


def route_paths() -> list[str]:
    """A GET path for every web route (path parameters filled with a plausible value)."""
    paths = []
    for route in web_app.routes():
        if isinstance(route, Route) and "GET" in (route.methods or {"GET"}):
            paths.append(route.path.replace("{page}", "map").replace("{path}", "map").split("{")[0])
    return paths


def test_every_route_answers_without_the_data_folder(folders, monkeypatch):
    assert route_paths(), "no web route to check"
    for folder in folders:
        monkeypatch.setenv("BASEWATCH_DATA_DIR", str(folder))
        client = TestClient(Starlette(routes=web_app.routes()), raise_server_exceptions=False)
        for path in route_paths():
            for query in ("", "?actor=martians&from=2024-99-01&zzz=%3Cscript%3E", "?site=tartus&event=ev-0001"):
                answer = client.get(path + query)
                seen = answer.text + " ".join(f"{k}: {v}" for k, v in answer.headers.items())
                assert str(folder) not in seen and str(folder.parent) not in seen, (path, query)
