"""What a view says about itself in an HTML <head>: title, description, canonical link, preview image, language.

Messengers, social sites and search engines read these tags without running JavaScript. The head route
(basewatch/web/head.py) puts them into Streamlit's own page for every view, and the static snapshot
writes them into its pages, so both describe a view in the same words: the page's name and the
sentence the pages print above their content (`describe_filters`). Every value is escaped here, once.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd

from basewatch import config
from basewatch.i18n import _, direction
from basewatch.state.catalog import Catalog, label
from basewatch.state.filters import describe_filters
from basewatch.state.urlstate import ViewState

TITLE_MAX = 70  # what search results and chat cards show before they cut
DESCRIPTION_MAX = 200
IMAGE_WIDTH, IMAGE_HEIGHT = 1200, 630
SEPARATOR = " · "
# Streamlit hides a collapsed sidebar by sliding it to the left; in a right-to-left document it sits on the
# right, so the slide leaves it across the page. Right-to-left pages hide it outright, from the page's head
# (the first paint, before the app's own styles arrive) and again from the app (plain `streamlit run`).
HIDE_COLLAPSED_SIDEBAR_CSS = ("[data-testid=stSidebar][data-collapsed=true],"
                              "[data-testid=stSidebar][data-collapsed=true] *{visibility:hidden;}")


@dataclass(frozen=True)
class Meta:
    """A view's head tags, unescaped (`head_tags` escapes them)."""

    title: str
    description: str
    url: str  # the canonical link of the view
    image: str  # absolute URL of its preview image
    lang: str
    dir: str
    image_alt: str = ""
    image_type: str = "image/png"


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut at a word with an ellipsis when too long."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:·") + "…"


def view_name(page_key: str, state: ViewState, catalog: Catalog) -> str:
    """The page's name, with the site or event the view selects ('Sites · Hmeimim Air Base')."""
    parts = [label("page", page_key)]
    if state.site and state.site in catalog.allowed("site"):
        parts.append(catalog.label("site", state.site))
    if state.event:
        parts.append(state.event)
    return SEPARATOR.join(parts)


def title(name: str, sentence: str) -> str:
    """'<page> · <sentence> · Basewatch', without the app's name when that would pass TITLE_MAX."""
    full = SEPARATOR.join((name, sentence, config.APP_TITLE))
    return full if len(full) <= TITLE_MAX else shorten(SEPARATOR.join((name, sentence)), TITLE_MAX)


def event_summary(events: pd.DataFrame, event_id: str | None) -> str:
    """The summary of the selected event (empty when none is selected or it is unknown)."""
    if not event_id:
        return ""
    row = events[events["id"] == event_id]
    return str(row.iloc[0]["summary"]) if len(row) else ""


def view_meta(page_key: str, state: ViewState, catalog: Catalog, all_events: pd.DataFrame, shown: int,
              url: str, image: str) -> Meta:
    """The head tags of a view showing `shown` of `all_events` (speak the view's language around this call)."""
    sentence = describe_filters(state.filters, catalog, shown, len(all_events))
    summary = event_summary(all_events, state.event)
    tail = summary if summary else _(config.APP_TAGLINE) + "."
    description = f"{sentence}. {tail}"
    return Meta(title=title(view_name(page_key, state, catalog), sentence),
                description=shorten(description, DESCRIPTION_MAX), url=url, image=image, lang=state.lang,
                dir=direction(state.lang), image_alt=shorten(sentence, DESCRIPTION_MAX))


def head_tags(meta: Meta) -> str:
    """The <title>, description, canonical link, Open Graph and Twitter tags, every value escaped (+ RTL style)."""
    def attr(value: str) -> str:
        return html.escape(value, quote=True)

    tags = [
        f"<title>{html.escape(meta.title, quote=False)}</title>",
        f'<meta name="description" content="{attr(meta.description)}" />',
        f'<link rel="canonical" href="{attr(meta.url)}" />',
        f'<meta property="og:site_name" content="{attr(config.APP_TITLE)}" />',
        '<meta property="og:type" content="website" />',
        f'<meta property="og:title" content="{attr(meta.title)}" />',
        f'<meta property="og:description" content="{attr(meta.description)}" />',
        f'<meta property="og:url" content="{attr(meta.url)}" />',
        f'<meta property="og:image" content="{attr(meta.image)}" />',
        f'<meta property="og:image:type" content="{attr(meta.image_type)}" />',
        f'<meta property="og:image:width" content="{IMAGE_WIDTH}" />',
        f'<meta property="og:image:height" content="{IMAGE_HEIGHT}" />',
        f'<meta property="og:image:alt" content="{attr(meta.image_alt)}" />',
        '<meta name="twitter:card" content="summary_large_image" />',
    ]
    if meta.dir == "rtl":
        tags.append(f"<style>{HIDE_COLLAPSED_SIDEBAR_CSS}</style>")
    return "\n    ".join(tags)


def html_attributes(meta: Meta) -> str:
    """The <html> element's language and direction attributes."""
    return f'lang="{html.escape(meta.lang, quote=True)}" dir="{html.escape(meta.dir, quote=True)}"'
