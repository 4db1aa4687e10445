"""The per-view API: the same rows as the Data page's downloads, 400 naming junk as the page does, ETags, CORS,
RFC 7946 GeoJSON, and never a traceback."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from urllib.parse import urlencode

import pytest
from geojson_pydantic import FeatureCollection
from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from basewatch.state.links import API_PATHS
from basewatch.web import app as web_app
from tests.conftest import BUNDLED, MINI, ROOT
from tests.hostile import make_hostile_dataset


def client_for(folder, monkeypatch) -> TestClient:
    monkeypatch.setenv("BASEWATCH_DATA_DIR", str(folder))
    return TestClient(Starlette(routes=web_app.routes()), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def hostile_folder(tmp_path_factory):
    return make_hostile_dataset(tmp_path_factory.mktemp("hostile") / "data")


def page_downloads(params: list[tuple[str, str]], folder, monkeypatch) -> tuple[AppTest, dict[str, bytes]]:
    """Run the Data page on a link and click (call) its download buttons: key -> the bytes a reader gets."""
    deferred: dict[str, object] = {}
    real_add = MediaFileManager.add_deferred

    def spy(self, data_callable, *args, **kwargs):
        file_id = real_add(self, data_callable, *args, **kwargs)
        deferred[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    monkeypatch.setenv("BASEWATCH_DATA_DIR", str(folder))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=90)
    for key in dict.fromkeys(k for k, _ in params):
        values = [v for k, v in params if k == key]
        at.query_params[key] = values if len(values) > 1 else values[0]
    at.run()
    at.switch_page("pages/data.py").run()
    assert not at.exception, [e.message for e in at.exception]
    files = {}
    for button in at.get("download_button"):
        made = deferred[button.proto.deferred_file_id]()
        files[button.proto.id.rsplit("-", 1)[-1]] = made if isinstance(made, bytes) else made.encode()
    return at, files


def page_notices(at: AppTest) -> str:
    return " ".join(w.value for w in at.warning)


def cleaned_query(at: AppTest) -> list[tuple[str, str]]:
    """The link the page cleaned the reader's address to."""
    return [(k, v) for k, values in at.query_params.items() for v in (values if isinstance(values, list) else [values])]


HOSTILE_PARAMS = [("actor", "<script>alert('x')</script>"), ("type", "${alert(1)}"), ("{{ 7*7 }}", "1"),
                  ("from", "2024-12-01' OR 1=1 --")]
# Ten views: plain, filtered, every parameter kind, on hostile data, and junk and hostile links.
VIEWS = {
    "everything": ("bundled", []),
    "one actor": ("bundled", [("actor", "russia")]),
    "actors, types and a period": ("bundled", [("actor", "russia"), ("actor", "turkey"), ("type", "withdrawal"),
                                               ("from", "2024-12-01"), ("to", "2025-12-31")]),
    "country, claim status, independent sources": ("bundled", [("country", "ly"), ("status", "claimed"),
                                                                ("status", "reported"), ("independent", "1")]),
    "source kinds before a date": ("bundled", [("source", "wire"), ("source", "official"), ("to", "2016-12-31")]),
    "selection, map view, rings and language": ("bundled", [("actor", "russia"), ("site", "hmeimim"),
                                                            ("event", "ev-0042"), ("view", "35.1,36.2,7"),
                                                            ("ring", "tartus"), ("radius", "800"), ("lang", "fr")]),
    "hostile data, everything": ("hostile", []),
    "hostile data, filtered": ("hostile", [("actor", "russia"), ("from", "2015-01-01")]),
    "junk link": ("bundled", [("actor", "martians"), ("actor", "russia"), ("from", "2024-99-01"), ("zzz", "1"),
                              ("radius", "²")]),
    "hostile link": ("mini", HOSTILE_PARAMS),
}


@pytest.mark.parametrize("name", list(VIEWS), ids=list(VIEWS))
def test_the_api_gives_the_rows_of_the_data_page_download(name, monkeypatch, hostile_folder):
    which, params = VIEWS[name]
    folder = {"bundled": BUNDLED, "mini": MINI, "hostile": hostile_folder}[which]
    at, downloads = page_downloads(params, folder, monkeypatch)
    client = client_for(folder, monkeypatch)
    query = urlencode(params)
    notices = page_notices(at)
    if notices:
        # Junk: the page shows the default for it with a notice; the API refuses with the same words ...
        answer = client.get(f"/api/v1/events.csv?{query}")
        assert answer.status_code == 400 and answer.headers["content-type"].startswith("application/json")
        problems = answer.json()["problems"]
        assert problems and all(problem in notices for problem in problems)
        assert len(problems) == notices.count("Link partly ignored")
        # ... and answers the link the page cleaned it to with exactly the page's rows.
        query = urlencode(cleaned_query(at))
    csv_answer = client.get(f"/api/v1/events.csv?{query}")
    assert csv_answer.status_code == 200, csv_answer.text
    assert csv_answer.content == downloads["dl_csv"]
    geojson_answer = client.get(f"/api/v1/events.geojson?{query}")
    assert geojson_answer.content == downloads["dl_geojson"]
    assert client.get(f"/api/v1/sites.geojson?{query}").content == downloads["dl_sites"]
    rows = client.get(f"/api/v1/events.json?{query}").json()["rows"]
    expected = list(csv.DictReader(io.StringIO(downloads["dl_csv"].decode("utf-8"))))
    assert [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows] == expected
    assert len(rows) == int(re.search(r"CSV \(([\d,]+)\)", str(at.get("download_button")[0].proto.label))
                            .group(1).replace(",", ""))


def test_json_rows_carry_version_licence_and_the_view(monkeypatch):
    client = client_for(MINI, monkeypatch)
    answer = client.get("/api/v1/events.json?from=2024-01-01&actor=russia")
    body = answer.json()
    assert body["license"]["name"] == "CC-BY-4.0" and body["data_version"].startswith("20")
    assert body["view"] == "actor=russia&from=2024-01-01"  # canonical order
    assert body["page"].endswith("/data?actor=russia&from=2024-01-01")
    assert body["count"] == len(body["rows"]) > 0
    assert {r["actor"] for r in body["rows"]} == {"Russia"}
    assert answer.headers["link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'


def check_rfc7946(document: dict) -> None:
    """RFC 7946: a FeatureCollection the GeoJSON model accepts, [lon, lat] in range, no crs, at most 6 decimals."""
    FeatureCollection.model_validate(document)
    assert "crs" not in document
    assert document["features"], "nothing to check"
    for feature in document["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        for value in (lon, lat):
            assert len(repr(float(value)).split(".")[1]) <= 6, value


@pytest.mark.parametrize("path", ["/api/v1/events.geojson", "/api/v1/sites.geojson",
                                  "/api/v1/events.geojson?country=ly&lang=ar"])
def test_geojson_follows_rfc_7946(path, monkeypatch, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(BUNDLED, folder)
    # a point with more decimals than a position needs, and one east of Libya: both must come out right
    rows = list(csv.reader((folder / "events.csv").open(encoding="utf-8", newline="")))
    header = rows[0]
    rows[1][header.index("lat")], rows[1][header.index("lon")] = "33.51234567891", "36.29198765432"
    rows[1][header.index("site_id")] = ""
    with (folder / "events.csv").open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    client = client_for(folder, monkeypatch)
    answer = client.get(path)
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/geo+json"
    document = answer.json()
    check_rfc7946(document)
    if "events" in path and "country" not in path:
        first = next(f for f in document["features"] if f["id"] == rows[1][0])
        assert first["geometry"]["coordinates"] == [36.291988, 33.512346]  # [lon, lat], rounded


def test_the_geojson_model_and_range_check_catch_a_bad_document():
    good = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Point", "coordinates": [36.2, 33.5]}}]}
    check_rfc7946(good)
    for broken in ({**good, "crs": {"type": "name"}},
                   {**good, "features": [{**good["features"][0], "geometry": {"type": "Point",
                                                                              "coordinates": [200.0, 33.5]}}]},
                   {**good, "features": [{**good["features"][0], "geometry": {"type": "Point",
                                                                              "coordinates": [36.1234567, 33.5]}}]},
                   {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point"}}]}):
        with pytest.raises((AssertionError, ValueError)):
            check_rfc7946(broken)


def test_site_status_and_publishers(monkeypatch):
    client = client_for(BUNDLED, monkeypatch)
    status = client.get("/api/v1/site_status.json?site=hmeimim&to=2024-12-01").json()
    assert status["as_of"] == "2024-12-01"
    assert [s["site_id"] for s in status["sites"]] == ["hmeimim"] and status["sites"][0]["status"] == "active"
    assert status["history"] and {h["site_id"] for h in status["history"]} == {"hmeimim"}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", h["date"]) for h in status["history"])
    everything = client.get("/api/v1/site_status.json").json()
    assert len(everything["sites"]) == len({f["id"] for f in json.loads((BUNDLED / "bases.geojson").read_text())[
        "features"]})
    publishers = client.get("/api/v1/publishers.json?actor=russia").json()
    cited = [r for r in publishers["rows"] if r["events"] > 0]
    assert cited and all(isinstance(r["state_affiliated"], bool) for r in publishers["rows"])
    assert publishers["rows"] == sorted(publishers["rows"], key=lambda r: (-r["events"], r["publisher"]))


def test_etag_and_if_none_match(monkeypatch):
    client = client_for(MINI, monkeypatch)
    for path in API_PATHS.values():
        first = client.get(f"/{path}?actor=russia")
        tag = first.headers["etag"]
        assert first.status_code == 200 and tag.startswith('"') and first.headers["cache-control"]
        again = client.get(f"/{path}?actor=russia", headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
        assert again.headers["access-control-allow-origin"] == "*"
        listed = client.get(f"/{path}?actor=russia", headers={"If-None-Match": f'"other", W/{tag}'})
        assert listed.status_code == 304
        # the same view written another way is the same answer; another view is not
        reordered = client.get(f"/{path}?actor=russia&lang=en")
        assert reordered.headers["etag"] == tag
        assert client.get(f"/{path}?actor=united-states", headers={"If-None-Match": tag}).status_code == 200


def test_a_new_data_version_changes_the_etag(monkeypatch, data_copy):
    folder, events, _ = data_copy
    client = client_for(folder, monkeypatch)
    before = client.get("/api/v1/events.csv").headers["etag"]
    events.write_text(events.read_text(encoding="utf-8").replace("Fixture", "Corrected fixture", 1), encoding="utf-8")
    monkeypatch.setenv("BASEWATCH_SETTLE_SECONDS", "0")
    after = client.get("/api/v1/events.csv", headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["etag"] != before and b"Corrected fixture" in after.content


def test_cors_and_preflight(monkeypatch):
    client = client_for(MINI, monkeypatch)
    answer = client.get("/api/v1/events.json", headers={"Origin": "https://elsewhere.example"})
    assert answer.headers["access-control-allow-origin"] == "*"
    preflight = client.options("/api/v1/events.json", headers={
        "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == "*"
    assert "if-none-match" in preflight.headers["access-control-allow-headers"].lower()
    assert client.post("/api/v1/events.json").status_code == 405  # read-only


def test_every_bad_parameter_is_named_in_the_words_of_the_page(monkeypatch):
    client = client_for(BUNDLED, monkeypatch)
    answer = client.get("/api/v1/events.json?actor=martians&from=2024-99-01&zzz=1&view=x&lang=xx")
    assert answer.status_code == 400 and answer.headers["cache-control"] == "no-store"
    problems = answer.json()["problems"]
    assert problems == [
        "ignored unknown parameter(s): `zzz`",
        "ignored unknown `actor` value(s): `martians`",
        "ignored `from=2024-99-01`: no such calendar day",
        "ignored `view=x`: expected lat,lon,zoom such as 35.1,36.2,7",
        "ignored `lang=xx`: expected one of en, ar, ru, fr",
    ]


def test_without_valid_data_the_answer_is_503_json_without_paths(tmp_path, monkeypatch):
    folder = tmp_path / "never-valid"
    shutil.copytree(MINI, folder)
    (folder / "events.csv").write_text("id,date\nbroken,row\n", encoding="utf-8")
    client = client_for(folder, monkeypatch)
    for path in API_PATHS.values():
        answer = client.get(f"/{path}")
        assert answer.status_code == 503 and answer.headers["content-type"].startswith("application/json")
        assert str(tmp_path) not in answer.text and "Traceback" not in answer.text


def test_a_bug_is_a_json_500_not_a_traceback(monkeypatch):
    from basewatch.views import downloads

    def broken(*args, **kwargs):
        raise RuntimeError("/secret/server/path exploded")

    monkeypatch.setattr(downloads, "events_csv", broken)
    answer = client_for(MINI, monkeypatch).get("/api/v1/events.csv")
    assert answer.status_code == 500 and answer.json()["status"] == 500
    assert "secret" not in answer.text and "Traceback" not in answer.text


def test_dates_in_the_future_of_the_period_do_not_break_site_status(monkeypatch):
    client = client_for(MINI, monkeypatch)
    day = (dt.date.today() + dt.timedelta(days=400)).isoformat()
    answer = client.get(f"/api/v1/site_status.json?to={day}")
    assert answer.status_code in (200, 400)
    assert answer.headers["content-type"].startswith("application/json")
