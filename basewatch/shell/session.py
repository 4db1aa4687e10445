"""The one owner of the view state in a running app: the only module that reads or writes st.query_params.

The URL is the source of truth. Each full run reads it once into a ViewState (`sync_from_url`); every
change (widgets, map clicks, chart brushes, table picks, playback) goes through `write`, which updates
the run's state and the URL together. Pages and fragments read `current()`, never a snapshot, and
every link (page links, share box, table permalinks, "open on the map") is built by `link`,
through the one link builder, `basewatch.state.links`.
"""

from __future__ import annotations

import streamlit as st

from basewatch import i18n
from basewatch.state import links
from basewatch.state.catalog import Catalog
from basewatch.state.urlstate import ViewState, parse_query_params, query_string, to_query_params

STATE_KEY = "_bw_state"
NOTICE_KEY = "_bw_notices"
CATALOG_KEY = "_bw_catalog"
PARAMS_KEY = "_bw_params"  # (state, params): a state is serialised once, however many links use it


def _catalog() -> Catalog | None:
    return st.session_state.get(CATALOG_KEY)


def params_of(state: ViewState) -> dict[str, list[str]]:
    """The canonical query parameters of `state` (memoised for the last state asked about)."""
    cached = st.session_state.get(PARAMS_KEY)
    if cached is not None and cached[0] == state:
        return cached[1]
    params = to_query_params(state, _catalog())
    st.session_state[PARAMS_KEY] = (state, params)
    return params


def language_of_url() -> str:
    """The language the address names, read before the rest of the view (the page's title needs it first)."""
    values = st.query_params.get_all("lang")
    value = values[-1].strip() if values else ""
    return value if value in i18n.LANGUAGES else i18n.DEFAULT


def sync_from_url(catalog: Catalog) -> ViewState:
    """Read the URL into the run's view state; junk is dropped with notices and the link is cleaned."""
    st.session_state[CATALOG_KEY] = catalog
    raw = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    state, notices = parse_query_params(raw, catalog)
    i18n.set_language(state.lang)
    if not raw and "?" in (st.context.url or ""):
        notices.append(i18n._("ignored the whole query string: it is longer than the server accepts "
                              "(1,000 parameters or 512 KB)"))
    if notices:
        st.session_state[NOTICE_KEY] = notices
    elif st.session_state.get(STATE_KEY) != state:
        # The reader went somewhere else (a link, the back button): earlier notices no longer apply.
        st.session_state[NOTICE_KEY] = []
    st.session_state[STATE_KEY] = state
    params = params_of(state)
    if not raw or query_string(raw) != query_string(params):
        # Junk, repeats or another order: the reader sees a notice, the address bar the canonical link.
        # With no parameters at all the update is sent too: Streamlit drops an oversized query string
        # before the app sees it, and only an update makes the browser drop it as well (the browser
        # ignores an update equal to its address).
        st.query_params.from_dict(params)
    return state


def notices() -> list[str]:
    """What the last link named that the page could not show."""
    return list(st.session_state.get(NOTICE_KEY, []))


def current() -> ViewState:
    """The view as it stands now, including changes made earlier in this run.

    Also speaks the view's language from here on: a fragment's rerun (the map's, a chart's) does not
    run the page's setup, and its words must still be in the link's language.
    """
    state = st.session_state.get(STATE_KEY, ViewState())
    i18n.set_language(state.lang)
    return state


def write(state: ViewState) -> None:
    """The one way to change the view: the run's state and the URL change together."""
    st.session_state[STATE_KEY] = state
    i18n.set_language(state.lang)
    st.session_state[NOTICE_KEY] = []
    st.query_params.from_dict(params_of(state))


def update(**changes) -> None:
    """Change some fields of the view (filter fields such as `date_from` go into the filters)."""
    write(current().changed(**changes))


def reset() -> None:
    """Back to the default view."""
    write(ViewState())


def follow_pick(source: str, value, scope: str = "app", **changes) -> None:
    """Apply a fresh pick from a widget (chart click or brush, table row, map click) and rerun.

    Widget selections persist across reruns; only a pick not seen before may move the view, otherwise
    a stale pick in one widget would override a newer one made elsewhere.
    """
    seen_key = f"_bw_seen_{source}"
    previous, st.session_state[seen_key] = st.session_state.get(seen_key), value
    if value is None or value == previous:
        return
    new_state = current().changed(**changes)
    if new_state != current():
        write(new_state)
        st.rerun(scope=scope)


def link(page_key: str, state: ViewState | None = None, **changes) -> links.Link:
    """The link to a page showing `state` (default: the current view) with `changes` applied."""
    state = current() if state is None else state
    if changes:
        state = state.changed(**changes)
    return links.link(page_key, state, params=params_of(state))


def link_in_language(page_key: str, lang: str) -> links.Link:
    """The current view on `page_key` in `lang`: only `lang` changes (`lang` is the last parameter of a link).

    Built from the current view's parameters, which are serialised once per run, so the picker's four links
    cost no more serialising than one.
    """
    params = {key: values for key, values in params_of(current()).items() if key != "lang"}
    if lang != i18n.DEFAULT:
        params["lang"] = [lang]
    return links.Link(links.PAGE_BY_KEY[page_key], params)


def base_url(current_page: str) -> str:
    """The app's root URL as the reader reached it."""
    return links.base_of(st.context.url, current_page)


def absolute(target: links.Link, current_page: str, embed: bool = False) -> str:
    """An absolute URL for `target`, based on the address the reader is at now."""
    return target.on(base_url(current_page), embed=embed)


def machine_link(target: links.RouteLink, current_page: str) -> str:
    """An absolute URL for a feed or API route, based on the address the reader is at now."""
    return target.on(base_url(current_page))


def view_template(page_key: str) -> str:
    """The absolute link to the current view with `{view}` for the map position (see links.view_template)."""
    return links.view_template(page_key, current(), _catalog(), base_url(page_key))
