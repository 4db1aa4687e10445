"""The page registry: one place for page files, titles and public URL paths."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageInfo:
    """A page of the app; `url_path` is part of every shared link and must not change."""

    key: str
    script: str
    title: str
    url_path: str


PAGES: tuple[PageInfo, ...] = (
    PageInfo("overview", "pages/overview.py", "Overview", ""),
    PageInfo("map", "pages/map.py", "Map", "map"),
    PageInfo("timeline", "pages/timeline.py", "Timeline", "timeline"),
    PageInfo("sites", "pages/sites.py", "Sites", "sites"),
    PageInfo("data", "pages/data.py", "Data & sources", "data"),
)
PAGE_BY_KEY = {p.key: p for p in PAGES}


def script(key: str) -> str:
    """The page file of a page, for st.page_link and st.switch_page."""
    return PAGE_BY_KEY[key].script
