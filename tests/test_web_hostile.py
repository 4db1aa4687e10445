"""Every machine-readable route (API, feeds, status) under the hostile corpus: hostile links get a JSON 400 (or
the view), hostile data stays inert, never a traceback, never HTML. The page heads and preview images answer with
HTML and images; tests/test_web_head.py and tests/test_previews.py put them through the same corpus."""

from __future__ import annotations

import json
from urllib.parse import quote

import feedparser
import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from basewatch.web import app as web_app
from tests.conftest import MINI
from tests.hostile import HOSTILE_STRINGS, make_hostile_dataset

ANSWER_TYPES = ("application/json", "application/geo+json", "application/atom+xml", "text/csv")
MACHINE_ROUTES = ("/api/", "/feeds/", "/-/status")
RAW_MARKUP = ("<script", "<img", "<svg", "<iframe", "<body", "<details", "<math")


def get_paths() -> list[str]:
    paths = [r.path for r in web_app.routes() if isinstance(r, Route) and "GET" in (r.methods or ())
             and r.path.startswith(MACHINE_ROUTES)]
    assert len(paths) >= 10
    return paths


def client_for(folder, monkeypatch) -> TestClient:
    monkeypatch.setenv("BASEWATCH_DATA_DIR", str(folder))
    return TestClient(Starlette(routes=web_app.routes()), raise_server_exceptions=False)


def check_answer(answer, where) -> None:
    kind = answer.headers.get("content-type", "")
    assert answer.status_code in (200, 400), (where, answer.status_code, answer.text[:300])
    assert kind.startswith(ANSWER_TYPES), (where, kind)
    assert "Traceback" not in answer.text and "File \"/" not in answer.text, where
    if kind.startswith(("application/json", "application/geo+json")):
        json.loads(answer.text)
        lowered = answer.text.lower()
        assert not any(tag in lowered for tag in RAW_MARKUP), where  # < and > travel as \u003c and \u003e
    if kind.startswith("application/atom+xml"):
        assert feedparser.parse(answer.content, response_headers={"content-type": kind}).bozo == 0, where
        assert not any(tag in answer.text.lower() for tag in RAW_MARKUP), where


@pytest.mark.parametrize("path", get_paths())
def test_hostile_links_get_a_json_400_naming_them(path, monkeypatch):
    client = client_for(MINI, monkeypatch)
    for text in HOSTILE_STRINGS:
        value = quote(text[:300], safe="")
        for query in (f"actor={value}&from={value}", f"{value}=1", f"site={value}&lang={value}",
                      f"ring={value}&radius={value}&view={value}&event={value}"):
            answer = client.get(f"{path}?{query}")
            check_answer(answer, (path, text[:40], query[:40]))
            if "status" not in path:  # the maintainers' status route reads no parameter
                assert answer.status_code == 400, (path, query[:60])
                assert answer.json()["problems"]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return make_hostile_dataset(tmp_path_factory.mktemp("hostile") / "data")


@pytest.mark.parametrize("path", get_paths())
def test_hostile_data_stays_inert_on_every_route(path, hostile, monkeypatch):
    client = client_for(hostile, monkeypatch)
    for query in ("", "actor=russia", "site=tartus", "lang=ar&site=hmeimim"):
        answer = client.get(f"{path}?{query}")
        check_answer(answer, (path, query))
        if answer.headers["content-type"].startswith("text/csv"):
            assert HOSTILE_STRINGS[0] in answer.text  # the CSV gives the data as written, for a CSV reader
