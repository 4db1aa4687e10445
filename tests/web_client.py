"""Helpers for tests of the web routes: a plain HTTP client over the routes, and a parser for a page's <head>."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from starlette.applications import Starlette
from starlette.testclient import TestClient


def client(base_url: str = "http://testserver") -> TestClient:
    """A client for the web layer's routes alone (what launcher.py adds to Streamlit's)."""
    from basewatch.web import app as web_app

    return TestClient(Starlette(routes=web_app.routes()), base_url=base_url)


@dataclass
class Head:
    """What a page says in its <head>, as a crawler reads it (no JavaScript)."""

    html_attrs: dict[str, str] = field(default_factory=dict)
    titles: list[str] = field(default_factory=list)
    tags: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # every element inside <head>, in order

    def meta(self, key: str) -> list[str]:
        """The content of every <meta name=key> or <meta property=key>."""
        return [a.get("content", "") for t, a in self.tags if t == "meta" and key in (a.get("name"), a.get("property"))]

    def one(self, key: str) -> str:
        found = self.meta(key)
        assert len(found) == 1, f"{key}: {found}"
        return found[0]

    def links(self, rel: str) -> list[str]:
        return [a.get("href", "") for t, a in self.tags if t == "link" and a.get("rel") == rel]


class _HeadParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.head, self.in_head, self.in_title, self.title = Head(), False, False, None

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.head.html_attrs = attrs
        elif tag == "head":
            self.in_head = True
        elif self.in_head:
            self.head.tags.append((tag, attrs))
            if tag == "title":
                self.in_title, self.title = True, ""

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False
        elif tag == "title" and self.in_title:
            self.in_title = False
            self.head.titles.append(self.title)

    def handle_data(self, data):
        if self.in_title:
            self.title += data


def parse_head(page: str) -> Head:
    """The <html> attributes and the <head> of a page."""
    parser = _HeadParser()
    parser.feed(page)
    return parser.head
