"""The one owner of the view state in a running app: the only module that reads or writes st.query_params.

The URL is the source of truth. Each full run reads it once into a ViewState (`sync_from_url`); every
change (widgets, map clicks, chart brushes, table picks, playback) goes through `write`, which updates
the run's state and the URL together. Pages and fragments read `current()`, never a snapshot, and
every link (page links, share box, table permalinks, "open on the map") is built by `link`.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from basewatch.state.catalog import Catalog
from basewatch.state.pages import PAGE_BY_KEY, PageInfo
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


def sync_from_url(catalog: Catalog) -> ViewState:
    """Read the URL into the run's view state; junk is dropped with notices and the link is cleaned."""
    st.session_state[CATALOG_KEY] = catalog
    raw = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    state, notices = parse_query_params(raw, catalog)
    if not raw and "?" in (st.context.url or ""):
        notices.append("ignored the whole query string: it is longer than the server accepts "
                       "(1,000 parameters or 512 KB)")
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
    """The view as it stands now, including changes made earlier in this run."""
    return st.session_state.get(STATE_KEY, ViewState())


def write(state: ViewState) -> None:
    """The one way to change the view: the run's state and the URL change together."""
    st.session_state[STATE_KEY] = state
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


@dataclass(frozen=True)
class Link:
    """A page plus the view it opens with."""

    page: PageInfo
    params: dict[str, list[str]]

    @property
    def href(self) -> str:
        """Relative link, e.g. `map?actor=russia` (`./` for the overview)."""
        query = query_string(self.params)
        return (self.page.url_path or "./") + (f"?{query}" if query else "")


def link(page_key: str, state: ViewState | None = None, **changes) -> Link:
    """The link to a page showing `state` (default: the current view) with `changes` applied."""
    state = current() if state is None else state
    if changes:
        state = state.changed(**changes)
    return Link(PAGE_BY_KEY[page_key], params_of(state))


def absolute(target: Link, current_page: str) -> str:
    """An absolute URL for `target`, based on the address the reader is at now."""
    base = st.context.url or "http://localhost:8501/"
    page = PAGE_BY_KEY[current_page]
    if page.url_path and base.endswith("/" + page.url_path):
        base = base[: -len(page.url_path)]
    base = base if base.endswith("/") else base + "/"
    query = query_string(target.params)
    return base + target.page.url_path + (f"?{query}" if query else "")
