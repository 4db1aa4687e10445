"""The embed snippet: a frame showing the view, with the preview image behind it and a caption linking to the view."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from basewatch.views.share import embed_snippet
from tests.hostile import HOSTILE_STRINGS


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(snippet: str) -> list[tuple[str, dict]]:
    parser = Elements()
    parser.feed(snippet)
    return parser.found


def test_without_an_image_it_is_the_plain_frame():
    assert [tag for tag, _ in elements(embed_snippet("https://b.example/map?embed=true", "T"))] == ["iframe"]


def test_the_fallback_shows_the_preview_and_links_to_the_view():
    found = elements(embed_snippet("https://b.example/map?a=1&embed=true", "Basewatch: Map. All 10 events",
                                   "https://b.example/map?a=1", "https://b.example/-/preview/map.png?a=1&v=x"))
    assert [tag for tag, _ in found] == ["figure", "iframe", "figcaption", "a", "img"]
    frame, link, image = found[1][1], found[3][1], found[4][1]
    assert frame["src"] == "https://b.example/map?a=1&embed=true" and frame["title"].startswith("Basewatch: Map.")
    assert "url('https://b.example/-/preview/map.png?a=1&v=x')" in frame["style"]
    assert link["href"] == "https://b.example/map?a=1" and image["src"] == "https://b.example/-/preview/map.png?a=1&v=x"


@pytest.mark.parametrize("text", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_hostile_text_stays_in_its_attribute(text):
    found = elements(embed_snippet(f"https://b.example/{text}", text, f"https://b.example/{text}",
                                   f"https://b.example/{text}.png"))
    assert [tag for tag, _ in found] == ["figure", "iframe", "figcaption", "a", "img"]
    assert found[1][1]["title"] == text
    style = found[1][1]["style"]
    assert style.count("url('") == 1 and style.endswith("') center top/contain no-repeat")
    assert not any(c in style.split("url('", 1)[1].rsplit("')", 1)[0] for c in "'\"()\\ ")
