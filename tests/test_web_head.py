"""The head of every view, read with a plain HTTP client as a messenger or crawler reads it (no JavaScript)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from basewatch import i18n
from basewatch.i18n import ngettext
from basewatch.state.catalog import label
from basewatch.state.filters import Filters, apply_filters
from basewatch.state.pages import PAGE_BY_KEY, PAGES
from basewatch.text import number as written_number
from basewatch.views import meta
from basewatch.web import head
from tests.conftest import MINI
from tests.hostile import HOSTILE_STRINGS, make_hostile_dataset
from tests.web_client import client, parse_head

DAY = dt.date.fromisoformat

# Three views per page: the query a reader pastes, the filters it means, the canonical query the share
# box would write, and the language.
VIEWS = {
    "overview": [("", Filters(), "", "en"),
                 ("from=2024-12-01&actor=russia", Filters(actors=frozenset({"russia"}), date_from=DAY("2024-12-01")),
                  "actor=russia&from=2024-12-01", "en"),
                 ("country=sy&lang=ar", Filters(countries=frozenset({"sy"})), "country=sy&lang=ar", "ar")],
    "map": [("", Filters(), "", "en"),
            ("actor=russia&junk=1&actor=russia", Filters(actors=frozenset({"russia"})), "actor=russia", "en"),
            ("event=ev-0005&view=35.1,36.2,7", Filters(), "event=ev-0005&view=35.1000%2C36.2000%2C7", "en")],
    "timeline": [("type=withdrawal", Filters(types=frozenset({"withdrawal"})), "type=withdrawal", "en"),
                 ("status=confirmed&to=2024-12-31", Filters(statuses=frozenset({"confirmed"}), date_to=DAY("2024-12-31")),
                  "status=confirmed&to=2024-12-31", "en"),
                 ("lang=fr&actor=russia", Filters(actors=frozenset({"russia"})), "actor=russia&lang=fr", "fr")],
    "sites": [("site=hmeimim", Filters(), "site=hmeimim", "en"),
              ("site=benina&to=2025-06-30", Filters(date_to=DAY("2025-06-30")), "to=2025-06-30&site=benina", "en"),
              ("", Filters(), "", "en")],
    "data": [("status=confirmed", Filters(statuses=frozenset({"confirmed"})), "status=confirmed", "en"),
             ("country=sy&country=ly", Filters(countries=frozenset({"sy", "ly"})), "country=ly&country=sy", "en"),
             ("event=ev-0008&embed=true", Filters(), "event=ev-0008", "en")],
}
CASES = [(page, *view) for page, views in VIEWS.items() for view in views]


@pytest.fixture(scope="module")
def web(monkeypatch_module):
    monkeypatch_module.setenv("BASEWATCH_DATA_DIR", str(MINI))
    monkeypatch_module.delenv("BASEWATCH_PUBLIC_URL", raising=False)
    return client()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def events():
    from basewatch.loading.dataset import load_dataset

    return load_dataset(MINI).events


def path(page_key: str) -> str:
    return "/" + PAGE_BY_KEY[page_key].url_path


def test_every_page_path_has_a_head_route():
    assert sorted(r.path for r in head.routes()) == sorted("/" + p.url_path for p in PAGES)


@pytest.mark.parametrize("page_key, query, filters, canonical, lang", CASES,
                         ids=[f"{c[0]}?{c[1]}" for c in CASES])
def test_each_tag_of_the_head(web, events, page_key, query, filters, canonical, lang):
    response = web.get(path(page_key) + (f"?{query}" if query else ""))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = head_of = parse_head(response.text)

    # <html lang dir> from the view's language
    assert head_of.html_attrs == {"lang": lang, "dir": "rtl" if lang == "ar" else "ltr"}
    # ...and a right-to-left page hides the collapsed sidebar from its first paint (it would cross the page)
    assert (meta.HIDE_COLLAPSED_SIDEBAR_CSS in response.text) == (lang == "ar")

    # One title: the page's name and the view's sentence, at most 70 characters
    count = len(apply_filters(events, filters))
    with i18n.use(lang):  # the head speaks the view's language
        total = len(events)
        sentence = (ngettext("{count} of {total} event", "{count} of {total} events", total).format(
            count=written_number(count), total=written_number(total)) if count != total else
            ngettext("All {total} event", "All {total} events", total).format(total=written_number(total)))
        page_name = label("page", page_key)
    assert len(page.titles) == 1
    title = page.titles[0]
    assert title.startswith(page_name), title
    assert sentence in title and len(title) <= 70, title
    if "site=" in query:
        assert "Hmeimim" in title or "Benina" in title

    # The description is the view's sentence (≤ 200)
    description = page.one("description")
    assert description.startswith(sentence) and len(description) <= 200

    # The canonical link, as the share box builds it: junk gone, parameters in canonical order
    url = "http://testserver" + path(page_key) + (f"?{canonical}" if canonical else "")
    assert page.links("canonical") == [url]
    assert page.one("og:url") == url
    assert page.one("og:title") == title
    assert page.one("og:description") == description
    assert page.one("twitter:card") == "summary_large_image"
    assert page.one("og:image:width") == "1200" and page.one("og:image:height") == "630"

    # The image: absolute, this page's preview route, the same view plus the data version
    image = urlsplit(page.one("og:image"))
    assert (image.scheme, image.netloc, image.path) == ("http", "testserver", f"/-/preview/{page_key}.png")
    query_of_image = parse_qs(image.query)
    assert query_of_image.pop("v") and query_of_image == parse_qs(canonical)

    # Streamlit's own page around it: the app still loads from the same bundle
    assert '<div id="root"></div>' in response.text
    assert all(line in response.text for line in head.streamlit_index().splitlines()
               if "<script" in line or "modulepreload" in line)


def test_streamlit_page_still_has_what_the_route_replaces():
    index = head.streamlit_index()
    assert index.count("<title>Streamlit</title>") == 1 and '<html lang="en">' in index


def test_configured_public_url_and_forwarded_headers(web, monkeypatch_module):
    forwarded = parse_head(web.get("/map?actor=russia", headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-Host": "basewatch.example", "X-Forwarded-Prefix": "/bw"}).text)
    assert forwarded.one("og:url") == "https://basewatch.example/bw/map?actor=russia"
    assert forwarded.one("og:image").startswith("https://basewatch.example/bw/-/preview/map.png?actor=russia&v=")
    monkeypatch_module.setenv("BASEWATCH_PUBLIC_URL", "https://public.example/app")
    try:
        configured = parse_head(web.get("/map?actor=russia", headers={"X-Forwarded-Host": "evil.example"}).text)
    finally:
        monkeypatch_module.delenv("BASEWATCH_PUBLIC_URL")
    assert configured.one("og:url") == "https://public.example/app/map?actor=russia"


def test_a_client_that_has_the_page_gets_304_and_caches_may_keep_it_a_minute(web):
    first = web.get("/timeline?type=withdrawal")
    assert first.headers["cache-control"] == "public, max-age=0, s-maxage=60"
    again = web.get("/timeline?type=withdrawal", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    other = web.get("/timeline?type=statement")
    assert other.headers["etag"] != first.headers["etag"]


def _shape(page: str) -> list:
    """A head's structure: its elements and attribute names, in order (values left out)."""
    parsed = parse_head(page)
    return [sorted(parsed.html_attrs)] + [(tag, sorted(attrs)) for tag, attrs in parsed.tags]


@pytest.mark.parametrize("text", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_hostile_links_cannot_leave_their_attribute_or_the_title(web, text):
    clean = web.get("/map").text
    for query in ({"actor": text}, {"site": text}, {"event": text}, {"from": text}, {"lang": text}, {text: "1"},
                  {"view": text, "ring": text, "radius": text}):
        response = web.get("/map", params=query)
        assert response.status_code == 200
        assert _shape(response.text) == _shape(clean), query  # no element or attribute added
        page = parse_head(response.text)
        assert page.titles == parse_head(clean).titles  # the junk is dropped, the default view remains
        assert page.one("og:url") == "http://testserver/map"
        if "<" in text:
            assert text not in response.text


@pytest.fixture(scope="module")
def hostile_web(tmp_path_factory):
    folder = make_hostile_dataset(tmp_path_factory.mktemp("hostile-head"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BASEWATCH_DATA_DIR", str(folder))
        yield client()


def test_hostile_data_stays_text_in_the_head(hostile_web):
    clean_shape = None
    for number, text in enumerate(HOSTILE_STRINGS):
        response = hostile_web.get("/sites", params={"site": "hmeimim", "event": f"hx-{number:03d}"})
        assert response.status_code == 200
        page = parse_head(response.text)
        clean_shape = clean_shape or _shape(response.text)
        assert _shape(response.text) == clean_shape, text
        assert len(page.titles) == 1
        expected = " ".join(text.split())
        # the summary (hostile) is the description's second sentence, as written, cut at 200 characters
        assert page.one("description").split(". ", 1)[1][:40] == expected[:40]


def test_without_valid_data_the_route_serves_streamlits_page(monkeypatch, tmp_path):
    monkeypatch.setenv("BASEWATCH_DATA_DIR", str(tmp_path))
    response = client().get("/map?actor=russia")
    assert response.status_code == 200 and "<title>Streamlit</title>" in response.text
