"""Preview images: 1200×630 PNG ≤ 300 KB, the same bytes for the same view, another image for other filters,
made in a worker process behind a bound, the generic card past it, and hostile links and data kept inert."""

from __future__ import annotations

import datetime as dt
import io
import time
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import pytest
from PIL import Image

from basewatch.loading.dataset import load_dataset
from basewatch.state import links
from basewatch.state.catalog import build_catalog
from basewatch.state.filters import Filters
from basewatch.state.pages import PAGES
from basewatch.state.urlstate import ViewState
from basewatch.views import preview
from basewatch.web import previews
from tests.conftest import MINI
from tests.hostile import HOSTILE_STRINGS, make_hostile_dataset
from tests.web_client import client, parse_head

pytestmark = pytest.mark.slow  # minutes of CPU together; make test-fast leaves them to make test

BASE = "http://testserver/"
MAX_BYTES = 300 * 1024


@pytest.fixture(scope="module")
def mini():
    dataset = load_dataset(MINI)
    return dataset, build_catalog(dataset.events, dataset.sites)


@pytest.fixture(scope="module")
def web():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BASEWATCH_DATA_DIR", str(MINI))
        patch.delenv("BASEWATCH_PUBLIC_URL", raising=False)
        yield client()


def image_of(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (1200, 630)
    assert len(png) <= MAX_BYTES
    return image


def test_one_view_twice_gives_the_same_bytes_and_other_filters_another_image(mini):
    dataset, catalog = mini
    russia = ViewState(filters=Filters(actors=frozenset({"russia"}), date_from=dt.date(2024, 12, 1)))
    first = preview.render("map", russia, dataset, catalog, BASE)
    second = preview.render("map", russia, dataset, catalog, BASE)
    assert first == second
    libya = preview.render("map", ViewState(filters=Filters(countries=frozenset({"ly"}))), dataset, catalog, BASE)
    assert libya != first
    # different pixels, not only different bytes
    assert image_of(first).convert("RGB").tobytes() != image_of(libya).convert("RGB").tobytes()


@pytest.mark.parametrize("page_key", [p.key for p in PAGES])
def test_every_page_has_a_preview(mini, page_key):
    dataset, catalog = mini
    for state in (ViewState(), ViewState(filters=Filters(actors=frozenset({"russia"}))), ViewState(site="hmeimim"),
                  ViewState(event="ev-0005"), ViewState(lang="ar")):
        image = image_of(preview.render(page_key, state, dataset, catalog, BASE)).convert("RGB")
        assert len(image.getcolors(maxcolors=256) or ()) > 8  # a drawing, not a blank card


def test_the_caption_follows_the_export_rules(mini):
    dataset, catalog = mini
    state = ViewState(filters=Filters(types=frozenset({"withdrawal"})))
    card = preview.card("timeline", state, dataset, catalog, BASE)
    assert card.sentence == "2 of 10 events of type withdrawal"
    assert card.source == f"Source: Basewatch, data version {dataset.version} (CC BY 4.0)"
    assert card.link == BASE + "timeline?type=withdrawal"
    svg = preview.compose(card, None)
    for text in (card.title, card.sentence, card.source, card.link):
        assert f">{text}</text>" in svg


def test_right_to_left_captions_are_isolated_and_right_anchored(mini):
    dataset, catalog = mini
    card = preview.card("map", ViewState(lang="ar"), dataset, catalog, BASE)
    assert card.rtl
    svg = preview.compose(card, None)
    assert f">{preview.RLI}{card.title}{preview.PDI}</text>" in svg
    assert 'text-anchor="end"' in svg.split(card.title)[0].rsplit("<text", 1)[1]


def canonical_url(web, page_key: str, query: str = "") -> str:
    """The og:image the head route names for a view."""
    path = "/" + {p.key: p.url_path for p in PAGES}[page_key]
    return parse_head(web.get(path + (f"?{query}" if query else "")).text).one("og:image")


def test_the_worker_draws_exactly_what_the_view_draws_and_caches_it(web, mini):
    dataset, catalog = mini
    url = canonical_url(web, "map", "actor=russia&from=2024-12-01")
    response = web.get(url)
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "x-basewatch-preview" not in response.headers
    state = ViewState(filters=Filters(actors=frozenset({"russia"}), date_from=dt.date(2024, 12, 1)))
    assert response.content == preview.render("map", state, dataset, catalog, BASE)  # another process, same bytes
    again = web.get(url, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    assert web.get(url).content == response.content


def test_other_spellings_redirect_to_the_canonical_url(web):
    url = canonical_url(web, "timeline", "type=withdrawal")
    assert parse_qs(urlsplit(url).query)["v"]
    for query in ("type=withdrawal", "type=withdrawal&v=old", "v=x&type=withdrawal&type=withdrawal&junk=1",
                  "type=withdrawal&embed=true"):
        response = web.get(f"/-/preview/timeline.png?{query}", follow_redirects=False)
        assert response.status_code == 307, query
        assert response.headers["location"] == url
        assert response.headers["cache-control"] == "public, max-age=60"


def test_an_unknown_page_is_a_404_naming_it(web):
    response = web.get("/-/preview/<script>.png")
    assert response.status_code == 404
    assert "no such page: <script>" in response.text and response.headers["content-type"].startswith("text/plain")


def test_past_the_bound_the_generic_card_comes_back_and_is_never_cached(web):
    renderer = previews.renderer
    taken = 0
    while renderer.slots.acquire(blocking=False):  # every worker and queue place busy
        taken += 1
    try:
        response = web.get(canonical_url(web, "map", "country=ly"))
    finally:
        for _ in range(taken):
            renderer.slots.release()
    assert taken == renderer.workers + renderer.queue
    assert response.status_code == 200 and response.headers["x-basewatch-preview"] == "generic"
    assert response.headers["cache-control"] == "no-store"
    assert response.content == renderer.generic()
    image_of(response.content)
    after = web.get(canonical_url(web, "map", "country=ly"))  # room again: the view's own image
    assert "x-basewatch-preview" not in after.headers and after.content != response.content


def test_hostile_links_give_the_canonical_image(web):
    clean = web.get(canonical_url(web, "sites"))
    assert clean.status_code == 200
    for text in HOSTILE_STRINGS:
        for query in ({"site": text}, {"actor": text, "lang": text}, {text: text}, {"v": text}):
            response = web.get("/-/preview/sites.png", params=query)
            assert response.status_code == 200, (text, query)
            assert response.content == clean.content


def test_hostile_data_is_drawn_as_text(tmp_path):
    folder = make_hostile_dataset(tmp_path / "hostile")
    dataset = load_dataset(folder)
    catalog = build_catalog(dataset.events, dataset.sites)
    for page_key in ("map", "sites", "timeline", "overview"):
        for state in (ViewState(site="hmeimim"), ViewState(event="hx-022")):
            card = preview.card(page_key, state, dataset, catalog, BASE)
            tree = ElementTree.fromstring(preview.compose(card, None))  # still one well-formed SVG
            assert {element.tag.split("}")[1] for element in tree.iter()} <= {"svg", "rect", "text"}
            drawn = [element.text for element in tree.iter() if element.tag.endswith("text")]
            assert card.title.startswith(drawn[0].rstrip("…"))  # the title as written (cut to the width)
            image_of(preview.draw(card))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BASEWATCH_DATA_DIR", str(folder))
        web = client()
        response = web.get(canonical_url(web, "sites", "site=hmeimim"))
        assert response.status_code == 200 and "x-basewatch-preview" not in response.headers


def test_preview_links_come_from_the_link_builder(mini):
    dataset, catalog = mini
    target = links.link("map", ViewState(filters=Filters(actors=frozenset({"russia"}))), catalog)
    assert target.preview_on("https://b.example/app", "2026-01-27+9b5a97b") == (
        "https://b.example/app/-/preview/map.png?actor=russia&v=2026-01-27%2B9b5a97b")


def test_an_idle_worker_stops_and_the_next_preview_starts_it_again(monkeypatch):
    monkeypatch.setenv("BASEWATCH_DATA_DIR", str(MINI))
    renderer = previews.Renderer(workers=1, queue=1)
    renderer.idle_seconds = 0.4
    try:
        generic = renderer.generic()  # starts the worker; its first job is the generic card
        assert renderer.generic_future is not None and renderer.generic_future.result() == generic
        deadline = time.monotonic() + 60
        while renderer.pool is not None and time.monotonic() < deadline:  # waiting for the reaper, not timing it
            time.sleep(0.1)
        assert renderer.pool is None, "the idle worker was never stopped"
        assert renderer.generic() == generic  # kept: a burst right after a restart still gets it at once
        dataset = load_dataset(MINI)
        catalog = build_catalog(dataset.events, dataset.sites)
        key = links.link("sites", ViewState(), catalog).preview_on(BASE, dataset.version)
        png = renderer.image(key, dataset.version, "sites", {}, BASE)
        assert png == preview.render("sites", ViewState(), dataset, catalog, BASE)
    finally:
        renderer.stop()
