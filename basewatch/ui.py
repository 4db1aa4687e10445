"""Streamlit glue: cached loading, the shared sidebar (navigation, filters, share box), URL sync.

Every page calls `page_setup` first. It must not rely on app.py having run: on a freshly started
server Streamlit serves a deep link such as /map straight from pages/map.py (see README).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import streamlit as st

from basewatch import config
from basewatch.cache import load_dataset_cached
from basewatch.data import DataError, Dataset, file_fingerprint
from basewatch.filters import Filters, apply_filters
from basewatch.pages import PAGE_BY_KEY, PAGES
from basewatch.text import citation, describe_filters, md_escape
from basewatch.urlstate import (
    EARLIEST_DATE,
    LATEST_DATE,
    ViewState,
    Vocabulary,
    parse_query_params,
    query_string,
    to_query_params,
)

STATE_KEY = "_bw_view_state"
NOTICE_KEY = "_bw_notices"
SEEN_KEY = "_bw_seen_query"


@dataclass(frozen=True)
class PageContext:
    """What a page needs after the shared chrome ran."""

    dataset: Dataset
    state: ViewState
    events: pd.DataFrame  # filtered
    vocab: Vocabulary
    page_key: str

    @property
    def all_events(self) -> pd.DataFrame:
        """Every event, ignoring filters."""
        return self.dataset.events


@st.cache_resource(show_spinner="Loading data…", max_entries=2)
def _load(directory: str, fingerprint: str) -> Dataset:
    # `fingerprint` (size, mtime, inode of both files) is only part of the key: an edited file reloads
    # without a restart. cache_resource, not cache_data: the Dataset is read-only, and cache_data would
    # unpickle a fresh copy on every rerun (measured 0.45 s per rerun at 100,000 events).
    return load_dataset_cached(Path(directory))


def load_cached(directory=None) -> Dataset:
    """The validated dataset, cached per file content; raises DataError."""
    directory = Path(directory) if directory else config.data_dir()
    return _load(str(directory), file_fingerprint(directory))


@st.cache_resource(max_entries=4)
def vocabulary_for(version: str, _dataset: Dataset) -> Vocabulary:
    """Values a shared link may name, from the controlled lists and the data."""
    events, sites = _dataset.events, _dataset.sites
    return Vocabulary(
        actors=frozenset(config.slugify(a) for a in config.ACTORS) | frozenset(events["actor_slug"].unique()),
        types=frozenset(config.slugify(t) for t in config.EVENT_TYPES),
        statuses=frozenset(config.CLAIM_STATUSES),
        countries=frozenset(c for c in events["country_slug"].unique() if c),
        sites=frozenset(sites["id"]),
        events=frozenset(events["id"]),
    )


@st.cache_resource(max_entries=4)
def _actor_labels(version: str, _dataset: Dataset) -> dict[str, str]:
    labels = {config.slugify(a): a for a in config.ACTORS}
    pairs = _dataset.events[["actor_slug", "actor"]].drop_duplicates()
    labels.update(dict(zip(pairs["actor_slug"], pairs["actor"])))
    return labels


@st.cache_resource(max_entries=4)
def _actor_options(version: str, _dataset: Dataset) -> list[str]:
    present = set(_dataset.events["actor_slug"].unique())
    ordered = [config.slugify(a) for a in config.ACTORS if config.slugify(a) in present]
    return ordered + sorted(present - set(ordered))


def actor_labels(dataset: Dataset) -> dict[str, str]:
    """Actor slug → display label (computed once per data version)."""
    return _actor_labels(dataset.version, dataset)


def _show_data_error(error: DataError) -> None:
    st.title("Basewatch cannot show this data")
    st.error(f"The data files break the data contract ({len(error.problems)} problem(s)). Nothing is shown "
             "until they are fixed, so no partial data is presented as complete.")
    st.code("\n".join(error.report()), language=None)
    st.caption("Run `python -m basewatch validate` for the same report. See data/README.md for the contract.")
    st.stop()


def _write_url(state: ViewState) -> None:
    params = to_query_params(state)
    st.session_state[SEEN_KEY] = query_string(params)
    st.query_params.from_dict(params)


def _filters_from_widgets() -> Filters:
    s = st.session_state
    return Filters(
        actors=frozenset(s.get("f_actor") or ()), types=frozenset(s.get("f_type") or ()),
        statuses=frozenset(s.get("f_status") or ()), countries=frozenset(s.get("f_country") or ()),
        date_from=s.get("f_from"), date_to=s.get("f_to"),
    )


def _on_filter_change() -> None:
    state: ViewState = st.session_state.get(STATE_KEY, ViewState())
    filters = _filters_from_widgets()
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        filters = replace(filters, date_to=None)
    st.session_state[NOTICE_KEY] = []
    _write_url(replace(state, filters=filters))


def _on_reset() -> None:
    st.session_state[NOTICE_KEY] = []
    st.session_state[SEEN_KEY] = ""
    st.query_params.clear()


def update_state(**changes) -> None:
    """Change the view (selection, rings, map view) and write it to the URL."""
    state: ViewState = st.session_state.get(STATE_KEY, ViewState())
    new_state = replace(state, **changes)
    st.session_state[STATE_KEY] = new_state
    _write_url(new_state)


def _sync_widgets(state: ViewState) -> None:
    """The URL is the source of truth: widgets show what it says on every run."""
    f = state.filters
    st.session_state["f_actor"] = sorted(f.actors)
    st.session_state["f_type"] = sorted(f.types)
    st.session_state["f_status"] = [s for s in config.CLAIM_STATUSES if s in f.statuses]
    st.session_state["f_country"] = sorted(f.countries)
    st.session_state["f_from"] = f.date_from
    st.session_state["f_to"] = f.date_to


def _nav(state: ViewState, current: str) -> None:
    params = to_query_params(state)
    for page in PAGES:
        st.sidebar.page_link(page.script, label=page.title, query_params=params,
                             disabled=page.key == current, width="stretch")


def _sidebar_filters(ctx_events: pd.DataFrame, dataset: Dataset, vocab: Vocabulary) -> None:
    labels = actor_labels(dataset)
    side = st.sidebar
    side.markdown("**Filter events**")
    actor_opts = _actor_options(dataset.version, dataset)
    side.multiselect("Actor", actor_opts, key="f_actor", format_func=lambda s: labels.get(s, s),
                     on_change=_on_filter_change, placeholder="All actors")
    side.multiselect("Event type", sorted(vocab.types), key="f_type", on_change=_on_filter_change,
                     placeholder="All types")
    side.multiselect("Claim status", list(config.CLAIM_STATUSES), key="f_status", on_change=_on_filter_change,
                     format_func=lambda s: f"{config.CLAIM_STATUS_STYLE[s]['symbol']} {s}",
                     placeholder="All statuses")
    side.multiselect("Country", sorted(vocab.countries), key="f_country", on_change=_on_filter_change,
                     format_func=lambda c: f"{config.country_name(c.upper())} ({c.upper()})",
                     placeholder="All countries")
    first, last = dataset.events["date"].min().date(), dataset.events["date"].max().date()
    lo, hi = EARLIEST_DATE, LATEST_DATE
    col_from, col_to = side.columns(2)
    col_from.date_input("From", key="f_from", min_value=lo, max_value=hi, format="YYYY-MM-DD",
                        on_change=_on_filter_change, help=f"Earliest event: {first}")
    col_to.date_input("To", key="f_to", min_value=lo, max_value=hi, format="YYYY-MM-DD",
                      on_change=_on_filter_change, help=f"Latest event: {last}")
    side.markdown(f"**{len(ctx_events):,} of {len(dataset.events):,} events**")
    side.button("Reset filters", on_click=_on_reset, width="stretch", key="f_reset")


def page_setup(page_key: str) -> PageContext:
    """Run the shared chrome for a page and return its data, filters and state."""
    page = PAGE_BY_KEY[page_key]
    st.set_page_config(page_title=f"{page.title} · {config.APP_TITLE}", page_icon=None, layout="wide",
                       initial_sidebar_state="auto")
    st.html("<style>.block-container{padding-top:2.2rem;} [data-testid=stSidebarHeader]{height:1rem;}</style>")
    try:
        dataset = load_cached()
    except DataError as error:
        _show_data_error(error)
        raise  # st.stop() above ends the run; this line only satisfies type checkers
    vocab = vocabulary_for(dataset.version, dataset)

    raw = {k: st.query_params.get_all(k) for k in st.query_params.keys()}
    state, notices = parse_query_params(raw, vocab)
    canonical = query_string(to_query_params(state))
    if notices:
        st.session_state[NOTICE_KEY] = notices
    elif st.session_state.get(SEEN_KEY) != canonical:
        st.session_state[NOTICE_KEY] = []
    st.session_state[SEEN_KEY] = canonical
    st.session_state[STATE_KEY] = state
    if query_string(raw) != canonical:
        # Junk or non-canonical parameters: the reader sees a notice, the link becomes the clean one.
        st.query_params.from_dict(to_query_params(state))
    _sync_widgets(state)

    events = apply_filters(dataset.events, state.filters)
    st.sidebar.markdown(f"### {config.APP_TITLE}")
    st.sidebar.caption(config.APP_TAGLINE)
    _nav(state, page_key)
    _sidebar_filters(events, dataset, vocab)
    st.sidebar.caption(f"Data version {dataset.version}")
    for notice in st.session_state.get(NOTICE_KEY, []):
        st.warning(f"Link partly ignored: {notice}. Showing the default for it instead.", icon="⚠️")
    return PageContext(dataset=dataset, state=state, events=events, vocab=vocab, page_key=page_key)


def current_link(ctx: PageContext) -> str:
    """The absolute link that reopens this exact view."""
    base = st.context.url or "http://localhost:8501/"
    page = PAGE_BY_KEY[ctx.page_key]
    if base.endswith("/" + page.url_path) and page.url_path:
        base = base[: -len(page.url_path)]
    base = base if base.endswith("/") else base + "/"
    query = query_string(current_params())
    return base + page.url_path + (f"?{query}" if query else "")


def share_box(ctx: PageContext) -> None:
    """The 'Share this view' box: the absolute link (copy button) and a ready citation."""
    link = current_link(ctx)
    with st.expander("Share this view", expanded=False):
        st.caption("This link reopens exactly this page, filters and selection.")
        st.code(link, language=None, wrap_lines=True)
        st.caption("Citation")
        st.code(citation(link, ctx.dataset.version, dt.date.today()), language=None, wrap_lines=True)


def summary_line(ctx: PageContext) -> str:
    """Plain-language description of the current view, markdown-escaped."""
    text = describe_filters(ctx.state.filters, actor_labels(ctx.dataset), len(ctx.events), len(ctx.all_events))
    return md_escape(text)


def source_links_md(row: pd.Series) -> str:
    """Markdown links to every source of an event (URLs are validated http(s) by the schema)."""
    urls = [row["source_url"], *str(row.get("more_sources") or "").split()]
    name = md_escape(row["source_name"])
    parts = [f"[{name}]({_md_url(urls[0])})"] + [f"[source {i + 2}]({_md_url(u)})" for i, u in enumerate(urls[1:])]
    return " · ".join(parts)


def _md_url(url: str) -> str:
    # Parentheses and spaces would end a markdown link target early.
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


TABLE_COLUMNS = {
    "date_label": st.column_config.TextColumn("Date", width="small", help="At the precision the source gives"),
    "date": st.column_config.DateColumn("Sort by date", format="YYYY-MM-DD", width="small",
                                        help="First day of the period; sort on this column"),
    "actor": st.column_config.TextColumn("Actor"),
    "event_type": st.column_config.TextColumn("Type", width="small"),
    "site_name": st.column_config.TextColumn("Site"),
    "place": st.column_config.TextColumn("Place"),
    "summary": st.column_config.TextColumn("Summary", width="large"),
    "claim_status": st.column_config.TextColumn("Status", width="small"),
    "personnel": st.column_config.TextColumn("Personnel", width="small"),
    "source_url": st.column_config.LinkColumn("Source", display_text=r"https?://(?:www\.)?([^/]+)"),
    "permalink": st.column_config.LinkColumn("Link", display_text="open", width="small",
                                             help="Permalink to this event on the map"),
    "id": st.column_config.TextColumn("Id", width="small"),
}


MAX_TABLE_ROWS = 2000


def events_table(events: pd.DataFrame, key: str, height: int | None = 420, selectable: bool = False):
    """Events as a sortable table; text is shown literally, sources are http(s) links.

    At most MAX_TABLE_ROWS rows are sent to the browser (in the order given); the caption says so.
    """
    from basewatch.text import personnel_range

    if len(events) > MAX_TABLE_ROWS:
        st.caption(f"Showing the first {MAX_TABLE_ROWS:,} of {len(events):,} events in this order. Narrow the "
                   "filters or search, or download everything as CSV on the Data page.")
        events = events.head(MAX_TABLE_ROWS)
    frame = events.assign(personnel=[personnel_range(lo, hi) for lo, hi in
                                     zip(events["personnel_low"], events["personnel_high"])],
                          permalink="map?event=" + events["id"])
    columns = ["date_label", "date", "actor", "event_type", "site_name", "place", "summary", "claim_status", "personnel",
               "source_url", "permalink", "id"]
    kwargs = {"on_select": "rerun", "selection_mode": "single-row"} if selectable else {}
    return st.dataframe(frame[columns], hide_index=True, width="stretch", column_config=TABLE_COLUMNS, key=key,
                        height=height if height else "auto", **kwargs)


def event_detail(event: pd.Series) -> None:
    """Every field of one event, text shown literally, sources clickable."""
    from basewatch.text import personnel_range

    st.markdown(f"#### {md_escape(event['date_label'])} · {md_escape(event['actor'])}")
    st.markdown(md_escape(event["summary"]))
    status = event["claim_status"]
    st.markdown(f"**Claim status:** {config.CLAIM_STATUS_STYLE[status]['symbol']} {status} — "
                f"{md_escape(config.CLAIM_STATUS_MEANING[status])}")
    facts = {
        "Event type": event["event_type"],
        "Counterpart": event["counterpart"],
        "Site": event["site_name"],
        "Place": event["place"],
        "Country": config.country_name(event["country"]) if event["country"] else None,
        "Date precision": event["date_precision"],
        "Personnel in scope after the event": personnel_range(event["personnel_low"], event["personnel_high"]),
        "Source date": event["source_date"],
        "Event id": event["id"],
    }
    lines = [f"- **{k}:** {md_escape(v)}" for k, v in facts.items() if v is not None and not pd.isna(v) and v != ""]
    st.markdown("\n".join(lines))
    st.markdown("**Sources:** " + source_links_md(event))


def site_detail(site: pd.Series, events: pd.DataFrame) -> None:
    """The facts of one site, names in every script, and its sources."""
    st.markdown(f"#### {md_escape(site['name'])}")
    status_color = config.SITE_STATUS_COLORS.get(site["status"], "#999")
    st.html(f'<span style="display:inline-block;width:.8em;height:.8em;border-radius:50%;'
            f'background:{status_color};margin-right:.4em"></span><b>Status:</b> {_html(site["status"])}')
    names = [n for n in [site.get("name_ar"), site.get("name_ru")] if isinstance(n, str) and n]
    aliases = list(site.get("aliases") or [])
    facts = {
        "Other names": " · ".join(names + aliases) or None,
        "Kind": site["kind"],
        "Country": config.country_name(site["country"]),
        "Status note": site.get("status_note"),
        "Operator": site.get("operator"),
        "Established": site.get("established"),
        "Agreement": site.get("agreement"),
        "Coordinate": f"{site['lat']:.4f}, {site['lon']:.4f} — {site['coord_source']}",
        "Position uncertain by": (f"about ±{site['coord_uncertainty_km']:g} km (dashed circle on the map)"
                                  if _known(site.get("coord_uncertainty_km")) else None),
        "Events in view": f"{int((events['site_id'] == site['id']).sum())}",
    }
    st.markdown("\n".join(f"- **{k}:** {md_escape(v)}" for k, v in facts.items() if v))
    links = " · ".join(f"[source {i + 1}]({_md_url(u)})" for i, u in enumerate(site["sources"]))
    st.markdown("**Sources:** " + links)


def _known(value) -> bool:
    return value is not None and not pd.isna(value)


def _html(text: object) -> str:
    import html

    return html.escape(str(text))


def current_params() -> dict[str, list[str]]:
    """Query parameters of the current view (for links that keep it)."""
    return to_query_params(st.session_state.get(STATE_KEY, ViewState()))


def map_legend(events: pd.DataFrame) -> None:
    """Legend for the map: actor colours in view, claim-status shapes, site-status colours."""
    present = set(events["actor"].unique())
    actors = [a for a in config.ACTORS if a in present] + sorted(present - set(config.ACTORS))
    dot = ('<span style="display:inline-block;width:11px;height:11px;border-radius:50%;{style};'
           'margin:0 5px 0 10px;vertical-align:-1px"></span>')
    actor_html = "".join(dot.format(style=f"background:{config.actor_color(a)}") + _html(a) for a in actors)
    status_html = (dot.format(style="background:#555") + "confirmed"
                   + dot.format(style="border:2.5px solid #555;background:#fff") + "reported / claimed / rumored"
                   + dot.format(style="border:2.5px dashed #555;background:#fff") + "denied")
    site_html = "".join(dot.format(style=f"background:{c};border:2px solid #222") + s
                        for s, c in config.SITE_STATUS_COLORS.items())
    estimate = (dot.format(style="border:1.5px dashed #555;background:rgba(85,85,85,.06);width:16px;height:16px")
                + "estimated site position (circle = how far off it may be)")
    st.html(f'<div style="font-size:13px;line-height:1.9"><b>Actors</b><br>{actor_html}<br><b>Claim status</b>'
            f'<br>{status_html}<br><b>Sites by status</b><br>{site_html}<br>{estimate}</div>')


def set_period(date_from, date_to) -> None:
    """Set the from/to filter (brushing, playback) and write it to the URL."""
    state: ViewState = st.session_state.get(STATE_KEY, ViewState())
    update_state(filters=replace(state.filters, date_from=date_from, date_to=date_to))


def brushed_period(selection) -> tuple[dt.date, dt.date] | None:
    """The (from, to) days of an Altair x-brush selection, if any."""
    try:
        values = selection["selection"]["brush"]["date"]
    except (KeyError, TypeError):
        return None
    if not values or len(values) != 2:
        return None
    days = sorted(pd.to_datetime(v, unit="ms" if isinstance(v, (int, float)) else None).date() for v in values)
    return days[0], days[1]


def picked_event(selection) -> str | None:
    """The event id clicked in the timeline, if any."""
    try:
        points = selection["selection"]["pick"]
    except (KeyError, TypeError):
        return None
    return points[0].get("id") if points else None


def search_events(events: pd.DataFrame, query: str) -> pd.DataFrame:
    """Events whose summary, place, actor, site or source contains `query` (case-insensitive, literal)."""
    query = (query or "").strip()
    if not query:
        return events
    haystack = (events["summary"].fillna("") + " " + events["place"].fillna("") + " " + events["actor"] + " "
                + events["site_name"].fillna("") + " " + events["source_name"].fillna("") + " " + events["id"])
    return events[haystack.str.contains(query, case=False, regex=False)]


def is_new(name: str, value) -> bool:
    """True the first time `value` is seen under `name`: widget selections persist across reruns, and
    only a fresh pick should move the view (otherwise a stale pick in one widget overrides another)."""
    key = f"_bw_seen_{name}"
    previous, st.session_state[key] = st.session_state.get(key), value
    return value is not None and value != previous


def filters_key(state: ViewState) -> str:
    """A short string naming the filters, for cache keys."""
    return query_string(to_query_params(ViewState(filters=state.filters)))


@st.cache_data(max_entries=64, show_spinner=False)
def timeline_spec(version: str, filters: str, selected: str | None, _events: pd.DataFrame) -> dict:
    """The timeline's Vega-Lite spec, built once per data version, filters and selection."""
    from basewatch import charts

    return charts.timeline_chart(_events, selected).to_dict(validate=False)


@st.cache_data(max_entries=64, show_spinner=False)
def personnel_spec(version: str, filters: str, by: str, title: str, _events: pd.DataFrame) -> dict | None:
    """The personnel chart's spec for the filtered events, or None when there is no estimate."""
    from basewatch import charts

    frame = charts.personnel_frame(_events, by=by)
    return None if frame.empty else charts.personnel_chart(frame, title).to_dict(validate=False)


@st.cache_resource(max_entries=32, show_spinner=False)
def event_rows(version: str, filters: str, _events: pd.DataFrame) -> list[list]:
    """The map's compact event rows, computed once per data version and filters (shared, read-only)."""
    from basewatch import maps

    return maps.event_rows(_events)
