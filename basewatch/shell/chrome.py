"""The shared chrome every page runs first: page config, data, URL state, sidebar, notices, share box.

Every page calls `page_setup` itself. It must not rely on app.py having run: on a freshly started
server Streamlit serves a deep link such as /map straight from pages/map.py (see README).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from basewatch import config
from basewatch.loading.dataset import DataError, Dataset
from basewatch.queries import footprint
from basewatch.shell import resources, session
from basewatch.state.catalog import Catalog
from basewatch.state.filters import (
    BY_KEY as FILTER_KEYS,
)
from basewatch.state.filters import (
    EARLIEST_DATE,
    LATEST_DATE,
    REGISTRY,
    ChoiceFilter,
    DateFilter,
    Filters,
    FlagFilter,
    apply_filters,
    describe_filters,
)
from basewatch.state.pages import PAGE_BY_KEY, PAGES
from basewatch.state.urlstate import ViewState, query_string
from basewatch.text import citation, md_escape

# Caption and help text sit on a white page: #595959 keeps them above the WCAG AA 4.5:1 contrast ratio.
PAGE_CSS = ("<style>.block-container{padding-top:2.2rem;} [data-testid=stSidebarHeader]{height:1rem;}"
            "[data-testid=stCaptionContainer]{opacity:1;color:#595959;}</style>")


@dataclass
class PageContext:
    """A page's data and catalog; `state` and `events` always reflect the view as it is now."""

    dataset: Dataset
    catalog: Catalog
    page_key: str
    _filtered: dict = field(default_factory=dict, repr=False)

    @property
    def state(self) -> ViewState:
        """The current view (never a snapshot: fragments see changes made after the page started)."""
        return session.current()

    @property
    def all_events(self) -> pd.DataFrame:
        """Every event, ignoring filters."""
        return self.dataset.events

    @property
    def events(self) -> pd.DataFrame:
        """The events matching the current filters (computed once per filters in this run)."""
        filters = self.state.filters
        if filters not in self._filtered:
            self._filtered[filters] = apply_filters(self.dataset.events, filters)
        return self._filtered[filters]

    @property
    def footprint_date(self):
        """The day the footprint is shown for: the end of the selected period, else the data date."""
        return self.state.filters.date_to or self.dataset.data_date

    @property
    def sites(self) -> pd.DataFrame:
        """The sites with their Russian status as of `footprint_date` (map colours, profiles, counts, rings)."""
        day = self.state.filters.date_to
        key = ("sites", day)
        if key not in self._filtered:
            self._filtered[key] = footprint.sites_as_of(self.dataset.site_status, self.dataset.sites, day)
        return self._filtered[key]

    @property
    def source_labels(self) -> dict[str, str]:
        """Host → 'Publisher (kind, marks)' from the publisher registry."""
        return resources.source_labels(self.dataset)

    @property
    def changes(self) -> list:
        """The data changelog's entries."""
        return resources.changelog(self.dataset)

    @property
    def filters_key(self) -> str:
        """A short string naming the current filters, for cache keys."""
        params = session.params_of(self.state)  # the run's one serialisation, filtered to the filter keys
        return query_string({key: values for key, values in params.items() if key in FILTER_KEYS})

    def summary(self) -> str:
        """The plain-language sentence describing the current view (not escaped)."""
        return describe_filters(self.state.filters, self.catalog, len(self.events), len(self.all_events))


def _show_data_error(error: DataError) -> None:
    st.title("Basewatch cannot show this data")
    st.error(f"The data files break the data contract ({len(error.problems)} problem(s)). Nothing is shown "
             "until they are fixed, so no partial data is presented as complete.")
    st.code("\n".join(error.report()), language=None)
    st.caption("Run `python -m basewatch validate` for the same report. See data/README.md for the contract.")
    st.stop()


def _widget_key(entry) -> str:
    return f"f_{entry.key}"


def _sync_widgets(state: ViewState, catalog: Catalog) -> None:
    """The URL is the source of truth: widgets show what it says on every run."""
    for entry in REGISTRY:
        value = getattr(state.filters, entry.field)
        if isinstance(entry, ChoiceFilter):
            value = catalog.order(entry.key, value)
        st.session_state[_widget_key(entry)] = value


def _filters_from_widgets() -> Filters:
    values = {}
    for entry in REGISTRY:
        value = st.session_state.get(_widget_key(entry))
        if isinstance(entry, ChoiceFilter):
            value = frozenset(value or ())
        elif isinstance(entry, FlagFilter):
            value = bool(value)
        values[entry.field] = value
    filters = Filters(**values)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        filters = filters.replace(date_to=None)
    return filters


def _on_filter_change() -> None:
    session.write(dataclasses.replace(session.current(), filters=_filters_from_widgets()))


def _sidebar_filters(ctx: PageContext) -> None:
    side = st.sidebar
    side.markdown("**Filter events**")
    first, last = ctx.all_events["date"].min().date(), ctx.all_events["date"].max().date()
    date_columns = None  # made where the first date filter sits, so the sidebar follows the registry's order
    for entry in REGISTRY:
        if isinstance(entry, ChoiceFilter):
            side.multiselect(entry.label, ctx.catalog.values(entry.key), key=_widget_key(entry),
                             format_func=entry.option_format(ctx.catalog), on_change=_on_filter_change,
                             placeholder=entry.placeholder)
        elif isinstance(entry, FlagFilter):
            side.toggle(entry.label, key=_widget_key(entry), on_change=_on_filter_change, help=entry.help)
        elif isinstance(entry, DateFilter):
            hint = f"Earliest event: {first}" if entry.bound == "from" else f"Latest event: {last}"
            date_columns = date_columns or iter(side.columns(2))
            next(date_columns).date_input(entry.label, key=_widget_key(entry), min_value=EARLIEST_DATE,
                                          max_value=LATEST_DATE, format="YYYY-MM-DD", on_change=_on_filter_change,
                                          help=hint)
    side.markdown(f"**{len(ctx.events):,} of {len(ctx.all_events):,} events**")
    side.button("Reset filters", on_click=session.reset, width="stretch", key="f_reset")


def _nav() -> None:
    for page in PAGES:
        target = session.link(page.key)
        # The current page stays an enabled link: Streamlit marks it as the active page, where a disabled
        # link would be faded below readable contrast.
        st.sidebar.page_link(target.page.script, label=page.title, query_params=target.params, width="stretch")


def page_setup(page_key: str) -> PageContext:
    """Run the shared chrome for a page and return its data, catalog and live view state."""
    page = PAGE_BY_KEY[page_key]
    # An embedded view is the view alone: its filters live in the link, the sidebar starts folded.
    st.set_page_config(page_title=f"{page.title} · {config.APP_TITLE}", page_icon=None, layout="wide",
                       initial_sidebar_state="collapsed" if st.context.is_embedded else "auto")
    st.html(PAGE_CSS)
    try:
        dataset = resources.dataset()
    except DataError as error:
        _show_data_error(error)
        raise  # st.stop() above ends the run; this line only satisfies type checkers
    catalog = resources.catalog(dataset)
    state = session.sync_from_url(catalog)
    _sync_widgets(state, catalog)
    ctx = PageContext(dataset=dataset, catalog=catalog, page_key=page_key)
    st.sidebar.markdown(f"### {config.APP_TITLE}")
    st.sidebar.caption(config.APP_TAGLINE)
    _nav()
    _sidebar_filters(ctx)
    st.sidebar.caption(f"Data version {dataset.version}")
    for notice in session.notices():
        st.warning(f"Link partly ignored: {notice}. Showing the default for it instead.", icon="⚠️")
    if st.context.is_embedded:
        st.markdown(f"[Open in Basewatch ↗]({session.absolute(session.link(page_key), page_key)})")
    return ctx


def summary_line(ctx: PageContext) -> str:
    """Plain-language description of the current view, markdown-escaped."""
    return md_escape(ctx.summary())


def page_link(label: str, page_key: str, **changes) -> None:
    """A link to another page that keeps the current view, with `changes` applied."""
    target = session.link(page_key, **changes)
    st.page_link(target.page.script, label=label, query_params=target.params)


EMBED_HEIGHT = 720


def embed_snippet(link: str, title: str) -> str:
    """An <iframe> showing `link` in Streamlit's embed mode (no sidebar, no menu)."""
    import html

    src = link + ("&" if "?" in link else "?") + "embed=true"
    return (f'<iframe src="{html.escape(src)}" width="100%" height="{EMBED_HEIGHT}" '
            f'title="{html.escape(title)}" style="border:0" loading="lazy"></iframe>')


def share_box(ctx: PageContext, quote: list[str] | None = None) -> None:
    """The 'Share this view' box: the absolute link (copy button), a ready citation and an embed snippet.

    `quote`: sentences the page offers for quoting (e.g. what changed); they open the citation block.
    """
    link = session.absolute(session.link(ctx.page_key), ctx.page_key)
    sentence = ctx.summary()
    with st.expander("Share this view", expanded=False):
        st.caption("This link reopens exactly this page, filters and selection.")
        st.code(link, language=None, wrap_lines=True)
        st.caption("Citation")
        quoted = "\n".join(quote or [])
        st.code((quoted + "\n\n" if quoted else "") + citation(link, ctx.dataset.version, dt.date.today(), sentence),
                language=None, wrap_lines=True)
        st.caption("Embed this view in a web page")
        title = f"{config.APP_TITLE}: {PAGE_BY_KEY[ctx.page_key].title}. {sentence}"
        st.code(embed_snippet(link, title), language="html", wrap_lines=True)


def chart_downloads(ctx: PageContext, chart_or_spec, title: str, key: str) -> None:
    """'Download PNG' and 'Download SVG' for a chart: title, filter sentence, source line and link in the image.

    The images are rendered only on click; the callables hold what they need, since they run after this run.
    """
    from basewatch.views import exports

    link = session.absolute(session.link(ctx.page_key), ctx.page_key)
    sentence, version = ctx.summary(), ctx.dataset.version
    slug = f"basewatch-{key}-{version}"
    png, svg, _ = st.columns([1, 1, 4])
    png.download_button("Download PNG", lambda: exports.chart_image(chart_or_spec, "png", title, sentence, version, link),
                        file_name=f"{slug}.png", mime="image/png", on_click="ignore", key=f"dl_{key}_png")
    svg.download_button("Download SVG", lambda: exports.chart_image(chart_or_spec, "svg", title, sentence, version, link),
                        file_name=f"{slug}.svg", mime="image/svg+xml", on_click="ignore", key=f"dl_{key}_svg")
