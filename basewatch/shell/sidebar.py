"""The sidebar every page shares: links to the pages (keeping the view) and the filter widgets.

Each filter kind in the registry builds its own widget and converts its value (`widget`, `to_widget`,
`from_widget`), so this module only walks the registry: the URL is the source of truth, widgets
show what it says on every run, and a widget change goes through the session's one write path.
"""

from __future__ import annotations

import dataclasses
import html

import streamlit as st

from basewatch import i18n
from basewatch.i18n import _, ngettext
from basewatch.shell import session
from basewatch.state.catalog import Catalog, label
from basewatch.state.filters import REGISTRY, Filters, checked_period
from basewatch.state.pages import PAGES
from basewatch.state.urlstate import ViewState
from basewatch.text import number


def _widget_key(entry) -> str:
    return f"f_{entry.key}"


def sync_widgets(state: ViewState, catalog: Catalog) -> None:
    """The URL is the source of truth: widgets show what it says on every run."""
    for entry in REGISTRY:
        st.session_state[_widget_key(entry)] = entry.to_widget(getattr(state.filters, entry.name), catalog)


def _filters_from_widgets() -> Filters:
    values = {entry.name: entry.from_widget(st.session_state.get(_widget_key(entry))) for entry in REGISTRY}
    filters, _notice = checked_period(Filters(**values))  # the date pickers cannot show a notice: `to` is just dropped
    return filters


def _on_filter_change() -> None:
    session.write(dataclasses.replace(session.current(), filters=_filters_from_widgets()))


def filters(catalog: Catalog, first, last, shown: int, total: int) -> None:
    """Every registry filter as its widget, in registry order; inline kinds share a row."""
    side = st.sidebar
    side.markdown("**" + _("Filter events") + "**")
    row = []
    for entry in REGISTRY:
        if entry.inline:
            row.append(entry)
            continue
        _inline_row(side, row, catalog, first, last)
        row = []
        entry.widget(side, catalog, _widget_key(entry), _on_filter_change)
    _inline_row(side, row, catalog, first, last)
    side.markdown("**" + ngettext("{shown} of {total} event", "{shown} of {total} events", total).format(
        shown=number(shown), total=number(total)) + "**")
    side.button(_("Reset filters"), on_click=session.reset, width="stretch", key="f_reset")


def _inline_row(side, row: list, catalog: Catalog, first, last) -> None:
    if not row:
        return
    for column, entry in zip(side.columns(len(row)), row):
        entry.widget(column, catalog, _widget_key(entry), _on_filter_change, first=first, last=last)


def nav() -> None:
    """A link to every page that keeps the current view."""
    for page in PAGES:
        target = session.link(page.key)
        # The current page stays an enabled link: Streamlit marks it as the active page, where a disabled
        # link would be faded below readable contrast.
        st.sidebar.page_link(target.page.script, label=label("page", page.key), query_params=target.params,
                             width="stretch")


def language_picker(page_key: str) -> None:
    """A link per language, each named in itself, that changes only `lang` (a full page load: the URL is the view).

    Plain links: reachable by Tab, readable by screen readers in their own language (`lang`, `hreflang`), and
    the page they open speaks the new language from its first word. The line under them says once that
    event summaries stay in English.
    """
    current = i18n.language()
    items = []
    for code, name in i18n.LANGUAGES.items():
        href = html.escape(session.link_in_language(page_key, code).href, quote=True)
        attrs = f'lang="{code}" hreflang="{code}" dir="{i18n.direction(code)}"'
        if code == current:
            items.append(f'<a href="{href}" target="_self" {attrs} aria-current="true" class="bw-lang bw-lang-on">'
                         f"{html.escape(name)}</a>")
        else:
            items.append(f'<a href="{href}" target="_self" {attrs} class="bw-lang">{html.escape(name)}</a>')
    name = html.escape(_("Language"), quote=True)
    st.sidebar.html(f'<nav aria-label="{name}" class="bw-langs">' + " · ".join(items) + "</nav>")
    if current != i18n.DEFAULT:
        st.sidebar.caption(_("Event summaries, source names and notes from the data are in English."))
