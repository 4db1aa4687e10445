"""The shared chrome every page runs first: page config, data, URL state, sidebar, notices, share box.

Every page calls `page_setup` itself. It must not rely on app.py having run: on a freshly started
server Streamlit serves a deep link such as /map straight from pages/map.py (see README).
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

from basewatch import config, i18n
from basewatch.i18n import _, ngettext
from basewatch.loading.dataset import DataError, Dataset
from basewatch.queries import footprint
from basewatch.shell import components, resources, session, sidebar
from basewatch.state import links, rows
from basewatch.state.catalog import Catalog, label
from basewatch.state.filters import apply_filters, describe_filters, filter_mask
from basewatch.state.urlstate import ViewState
from basewatch.text import citation, date_label, md_escape, plain_isolate
from basewatch.views import exports, meta, share, story

# Caption and help text sit on a white page: #595959 keeps them above the WCAG AA 4.5:1 contrast ratio.
PAGE_CSS = ("<style>.block-container{padding-top:2.2rem;} [data-testid=stSidebarHeader]{height:1rem;}"
            "[data-testid=stCaptionContainer]{opacity:1;color:#595959;}"
            ".bw-langs{line-height:2}.bw-langs a{padding:.1em .15em}.bw-lang-on{font-weight:700;color:inherit;"
            "text-decoration:none}</style>")
# An embed keeps Streamlit's header (the sidebar toggle): start below it, so "Open in Basewatch" shows.
EMBED_CSS = "<style>.block-container{padding-top:3.8rem;} h1{font-size:2rem !important;}</style>"


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
        """The events matching the current filters, every column (prefer `columns`, `count`, `newest`: at a
        million events a full-width copy costs hundreds of megabytes)."""
        filters = self.state.filters
        if filters not in self._filtered:
            self._filtered[filters] = apply_filters(self.dataset.events, filters)
        return self._filtered[filters]

    @property
    def mask(self) -> np.ndarray:
        """Which events match the current filters, in the loader's (date, id) order (once per filters)."""
        key = ("mask", self.state.filters)
        if key not in self._filtered:
            self._filtered[key] = filter_mask(self.dataset.events, self.state.filters)
        return self._filtered[key]

    @property
    def count(self) -> int:
        """How many events match the current filters."""
        return int(self.mask.sum())

    def columns(self, names: list[str]) -> pd.DataFrame:
        """Only `names` of the matching events (a narrow copy, once per filters and columns in this run)."""
        key = ("columns", self.state.filters, tuple(names))
        if key not in self._filtered:
            events, filters = self.dataset.events, self.state.filters
            # Unfiltered, a selection of columns shares their memory (copy-on-write) instead of copying them.
            self._filtered[key] = events[list(names)] if filters.is_default else events.loc[self.mask, list(names)]
        return self._filtered[key]

    def where(self, rows: np.ndarray, names: list[str] | None = None) -> pd.DataFrame:
        """The matching events that are also in `rows` (a boolean array over all events): `names`, else every column.

        The events are memory-mapped from the validated cache: every column of scattered rows pages in the file.
        """
        return self.dataset.events.loc[self.mask & rows, slice(None) if names is None else names]

    def newest(self, limit: int) -> pd.DataFrame:
        """The `limit` newest matching events, newest first."""
        return rows.newest(self.dataset.events, self.mask, limit)

    def event_in_view(self, event_id: str | None) -> pd.Series | None:
        """The event `event_id` when it matches the current filters, else None."""
        if not event_id:
            return None
        hit = np.flatnonzero((self.dataset.events["id"] == event_id).to_numpy(dtype=bool) & self.mask)
        return self.dataset.events.iloc[hit[0]] if len(hit) else None

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
    def localized_sites(self) -> pd.DataFrame:
        """`sites` with `name` in the current language (the English name, kept as `name_en`, where none is given)."""
        return story.localized_sites(self.sites)

    @property
    def source_labels(self) -> dict[str, str]:
        """Host → 'Publisher (kind, marks)' from the publisher registry."""
        return resources.source_labels(self.dataset)

    @property
    def changes(self) -> list:
        """The data changelog's entries."""
        return self.dataset.changes

    @property
    def embedded(self) -> bool:
        """True in an embed (`embed=true`): the page shows its map or chart, its sentence and a way back only."""
        return bool(st.context.is_embedded)

    def summary(self) -> str:
        """The plain-language sentence describing the current view (not escaped)."""
        return describe_filters(self.state.filters, self.catalog, self.count, len(self.all_events))


def _show_data_error(error: DataError) -> None:
    # Only when no version of the data has ever validated; problems name files relative to the data folder.
    st.title(_("Basewatch cannot show this data"))
    st.error(ngettext("The data files break the data contract ({count} problem). Nothing is shown until it is "
                      "fixed, so no partial data is presented as complete.",
                      "The data files break the data contract ({count} problems). Nothing is shown until they are "
                      "fixed, so no partial data is presented as complete.", len(error.problems)).format(
        count=len(error.problems)))
    st.code("\n".join(error.report()), language=None)
    st.caption(_("Run `python -m basewatch validate` for the same report. See data/README.md for the contract."))
    st.stop()


def _pending_notice() -> None:
    """A discreet line while newer files on disk are being checked or fail their checks (readers see the last good)."""
    if resources.data_status().pending:
        st.caption(_("Newer data is being checked; this page shows the last version that passed its checks."))


def page_setup(page_key: str, sidebar_later: bool = False) -> PageContext:
    """Run the shared chrome for a page and return its data, catalog and live view state.

    `sidebar_later`: the page draws the sidebar itself (`draw_sidebar`) after its main view, so the
    browser paints that view before the filter widgets (/map: measured in README, issue 20).
    """
    # An embedded view is the view alone: its filters live in the link, the sidebar starts folded.
    # The language first: the page title and every word after it speak the link's language.
    i18n.set_language(session.language_of_url())
    st.set_page_config(page_title=f"{label('page', page_key)} · {config.APP_TITLE}", page_icon=None, layout="wide",
                       initial_sidebar_state="collapsed" if st.context.is_embedded else "auto")
    st.html(PAGE_CSS + direction_css() + (EMBED_CSS if st.context.is_embedded else ""))
    try:
        dataset = resources.dataset()
    except DataError as error:
        _show_data_error(error)
        raise  # st.stop() above ends the run; this line only satisfies type checkers
    catalog = resources.catalog(dataset)
    state = session.sync_from_url(catalog)
    sidebar.sync_widgets(state, catalog)
    ctx = PageContext(dataset=dataset, catalog=catalog, page_key=page_key)
    if not sidebar_later:
        draw_sidebar(ctx)
    _pending_notice()
    for notice in session.notices():
        st.warning(_("Link partly ignored: {notice}. Showing the default for it instead.").format(notice=notice),
                   icon="⚠️")
    if st.context.is_embedded:
        st.markdown(_("[Open in Basewatch ↗]({link})").format(link=session.absolute(session.link(page_key), page_key)))
    return ctx


def draw_sidebar(ctx: PageContext) -> None:
    """The sidebar: title, language, page links, the filter widgets with the count, the data version."""
    st.sidebar.markdown(f"### {config.APP_TITLE}")
    st.sidebar.caption(_(config.APP_TAGLINE))
    sidebar.language_picker(ctx.page_key)
    sidebar.nav()
    sidebar.filters(ctx.catalog, ctx.all_events["date"].min().date(), ctx.all_events["date"].max().date(),
                    ctx.count, len(ctx.all_events))
    st.sidebar.caption(_("Data version {version}").format(version=plain_isolate(ctx.dataset.version)))


# Right to left for Arabic: Streamlit's main and sidebar containers take the direction (the document root
# belongs to Streamlit's index.html). `unicode-bidi: isolate`, never bidi-override: Latin names and
# digits inside keep their own order. Code blocks (links, citations, embed snippets) stay left to right,
# and so does the map's iframe (Leaflet's controls assume it). The sidebar stays on the left: moving it
# would need Streamlit's own layout code.
RTL_CSS = ("<style>[data-testid=stMain],[data-testid=stSidebarContent]{direction:rtl;unicode-bidi:isolate;}"
           "[data-testid=stMain] pre,[data-testid=stSidebarContent] pre,[data-testid=stCode]{direction:ltr;"
           "text-align:left;unicode-bidi:isolate;}"
           "[data-testid=stMain] ul,[data-testid=stSidebarContent] ul{padding-inline-start:1.2em;}"
           # Streamlit pins element containers to text-align:left; in Arabic they start on the right.
           ":is([data-testid=stMain],[data-testid=stSidebarContent]) :is([data-testid=stElementContainer],"
           "[data-testid=stMarkdownContainer],[data-testid=stHeadingWithActionElements]){text-align:start;}"
           # Charts keep time running left to right (the glossary's decision); each label is its own string, so
           # Arabic in it still reads right to left, but SVG legends laid out right to left overlap their symbols.
           "[data-testid=stVegaLiteChart]{direction:ltr;}"
           # A phone showed the collapsed sidebar as a strip over the map (meta.HIDE_COLLAPSED_SIDEBAR_CSS).
           + meta.HIDE_COLLAPSED_SIDEBAR_CSS + "</style>")


# The vendored Arabic web font (static/vendor, no CDN) for Arabic letters only (unicode-range): as its own
# family for charts and as a face of Streamlit's "Source Sans", so Arabic in any widget uses it while
# Latin letters keep Streamlit's font. Relative URLs resolve under the app's path like the map assets.
_ARABIC_FONT_URL = "app/static/vendor/noto-sans-arabic-5.3.0/files/noto-sans-arabic-arabic-{weight}-normal.woff2"
_ARABIC_RANGE = "U+0600-06FF,U+0750-077F,U+0870-08FF,U+200C-200E,U+FB50-FDFF,U+FE70-FEFC"
FONT_CSS = "<style>" + "".join(
    f"@font-face{{font-family:'{family}';font-style:normal;font-display:swap;font-weight:{weight};"
    f"src:url({_ARABIC_FONT_URL.format(weight=weight)}) format('woff2');unicode-range:{_ARABIC_RANGE};}}"
    for family in ("Noto Sans Arabic", "Source Sans") for weight in (400, 700)) + "</style>"


def direction_css() -> str:
    """The page's fonts and direction styles for the current language (no direction rules left to right)."""
    return FONT_CSS + (RTL_CSS if i18n.direction() == "rtl" else "")


def summary_line(ctx: PageContext) -> str:
    """Plain-language description of the current view, markdown-escaped."""
    return md_escape(ctx.summary())


def summary_with_latest(ctx: PageContext) -> None:
    """The view's sentence and its newest event; on other-language pages the English summary says it is English."""
    latest = rows.latest(ctx.all_events, ctx.mask)
    if i18n.language() == i18n.DEFAULT or latest is None:
        st.markdown(summary_line(ctx) + story.latest_clause(latest))
        return
    head = _("{view}; latest: {date}, {actor}:").format(
        view=html.escape(ctx.summary()), date=components.bdi(date_label(latest["date"], latest["date_precision"])),
        actor=html.escape(label("actor", latest["actor"])))
    st.html(f'<p>{head} <span lang="en" dir="ltr">{html.escape(story.short_summary(latest["summary"]))}</span></p>')


def sentence_list(lines: list[str]) -> None:
    """Quotable sentences as a bulleted list, shown literally."""
    st.markdown("\n".join(f"- {md_escape(line)}" for line in lines))


def page_link(text: str, page_key: str, **changes) -> None:
    """A link to another page that keeps the current view, with `changes` applied."""
    target = session.link(page_key, **changes)
    st.page_link(target.page.script, label=text, query_params=target.params)


def stop_if_embedded(ctx: PageContext) -> None:
    """End an embedded page here: an embed is the view alone (its map or chart and sentence)."""
    if ctx.embedded:
        st.stop()


def _preview_image(ctx: PageContext, target) -> str | None:
    """The view's preview image for the embed snippet's fallback: the app's own route, else the archived copy's."""
    if config.web_routes_on():
        return target.preview_on(session.base_url(ctx.page_key), ctx.dataset.version)
    archived = _archived(ctx)
    return archived + "preview.png" if archived else None


def _archived(ctx: PageContext) -> str | None:
    """The archived copy of this view in the static snapshot, when one is configured and the view is archived."""
    archive = config.archive_url()
    return links.archived(ctx.state, archive, ctx.dataset.version) if archive else None


SHARE_BOX_KEY = "share_box"  # the share box's open state (its content is drawn only while open)


def share_box(ctx: PageContext, quote: list[str] | None = None) -> None:
    """The 'Share this view' box: the absolute link (copy button), a ready citation and an embed snippet.

    `quote`: sentences the page offers for quoting (e.g. what changed); they open the citation block.
    """
    if ctx.embedded:
        return
    box = st.expander(_("Share this view"), key=SHARE_BOX_KEY, on_change="rerun")
    if not box.open:
        # Drawn when opened: the link, citation, feed, archive and embed snippet cost /map 0.17 s at 10k events
        # (tools.paint_parts) for every reader, most of whom never share.
        return
    target = session.link(ctx.page_key)
    link = session.absolute(target, ctx.page_key)
    sentence = ctx.summary()
    with box:
        st.caption(_("This link reopens exactly this page, filters and selection."))
        st.code(link, language=None, wrap_lines=True)
        st.caption(_("Citation"))
        quoted = "\n".join(quote or [])
        st.code((quoted + "\n\n" if quoted else "") + citation(link, ctx.dataset.version, dt.date.today(), sentence,
                                                                  story.coverage_sentence(ctx.dataset.coverage)),
                language=None, wrap_lines=True)
        st.markdown(_("[Subscribe to this view (Atom feed)]({url}): its events, the most recently changed first.")
                    .format(url=session.machine_link(links.feed("events", ctx.state, ctx.catalog), ctx.page_key)))
        archived = _archived(ctx)
        if archived:
            st.caption(_("Archived copy of this view (data version {version}): it never changes, cite it").format(
                version=plain_isolate(ctx.dataset.version)))
            st.code(archived, language=None, wrap_lines=True)
        st.caption(_("Embed this view in a web page"))
        title = f"{config.APP_TITLE}: {label('page', ctx.page_key)}. {sentence}"
        st.code(share.embed_snippet(session.absolute(target, ctx.page_key, embed=True), title, link,
                                    _preview_image(ctx, target)), language="html", wrap_lines=True)


def chart_downloads(ctx: PageContext, chart_or_spec, title: str, key: str) -> None:
    """'Download PNG' and 'Download SVG' for a chart: title, filter sentence, source line and link in the image.

    The images are rendered only on click; the callables hold what they need, since they run after this run.
    """
    if ctx.embedded:
        return
    link = session.absolute(session.link(ctx.page_key), ctx.page_key)
    sentence, version, lang = ctx.summary(), ctx.dataset.version, i18n.language()
    slug = f"basewatch-{key}-{version}"
    png, svg, _spacer = st.columns([1, 1, 4])
    # The images are drawn after this run, maybe on another thread: they take the page's language along.
    png.download_button(_("Download PNG"),
                        lambda: exports.chart_image(chart_or_spec, "png", title, sentence, version, link, lang=lang),
                        file_name=f"{slug}.png", mime="image/png", on_click="ignore", key=f"dl_{key}_png")
    svg.download_button(_("Download SVG"),
                        lambda: exports.chart_image(chart_or_spec, "svg", title, sentence, version, link, lang=lang),
                        file_name=f"{slug}.svg", mime="image/svg+xml", on_click="ignore", key=f"dl_{key}_svg")
