"""Timeline: who did what when, and estimated troop levels over time."""

import numpy as np
import streamlit as st

from basewatch.i18n import _, ngettext
from basewatch.shell import chrome, components, playback, resources, selections, session
from basewatch.state import rows
from basewatch.text import number
from basewatch.views.charts import personnel

ctx = chrome.page_setup("timeline")
st.title(_("Timeline"))
st.markdown(chrome.summary_line(ctx))

if ctx.count == 0:
    st.info(_("No event matches the current filters. Use **Reset filters** in the sidebar."))
else:
    st.caption(_("One lane per actor; colour is the event type; a filled mark is confirmed, hollow shapes are "
                 "reported (○), claimed (◇) or rumored (△), a cross (✕) was denied; an arrow (➜) marks a movement "
                 "between two sites. It opens on the years where most events are; drag across the strip beneath it "
                 "to choose other years (this sets the date filter); click a mark to select that event. The events "
                 "it plots are listed in the table below."))
    spec = resources.timeline_spec(ctx.dataset, ctx.state.filters, ctx.state.event)
    selection = st.vega_lite_chart(spec, width="stretch", on_select="rerun", key="timeline_chart")
    chrome.chart_downloads(ctx, spec, _("Events over time, by actor"), "timeline")
    brushed = selections.brushed_period(selection)
    session.follow_pick("brush", brushed, **dict(zip(("date_from", "date_to"), brushed or (None, None))))
    picked = selections.picked_event(selection)
    session.follow_pick("chart_pick", picked, event=picked)

    picked_event = None if ctx.embedded else ctx.event_in_view(ctx.state.event)
    if picked_event is not None:
        with st.container(border=True):
            components.event_detail(picked_event, ctx.source_labels, ctx.changes, ctx.catalog.labels("site"))

    if not ctx.embedded:  # an embed is the view alone: the chart and its sentence
        playback.controls(ctx)
chrome.stop_if_embedded(ctx)

st.subheader(_("Estimated Russian personnel"))
country_spec = resources.personnel_spec(ctx.dataset, ctx.state.filters, "country", _("Country-wide estimates"))
if country_spec is None:
    st.info(_("No country-wide personnel estimate matches the current filters."))
else:
    st.vega_lite_chart(country_spec, width="stretch")
    chrome.chart_downloads(ctx, country_spec, _("Estimated Russian personnel, country-wide"), "personnel")
    components.chart_as_table(resources.personnel_frame(ctx.dataset, ctx.state.filters, "country"),
                              components.PERSONNEL_TABLE, key="country_personnel_table")
    st.caption(_("Band: the low–high range a source gives; line: its midpoint, held until the next estimate; lines "
                 "break where no estimate exists for more than {years} years. Each point is one estimate (hover for "
                 "source). Cumulative rotations and civilians are not counted.").format(
        years=personnel.GAP_DAYS // 365))
site_spec = resources.personnel_spec(ctx.dataset, ctx.state.filters, "site", _("Per-site estimates"))
if site_spec is not None:
    with st.expander(_("Per-site estimates")):
        st.vega_lite_chart(site_spec, width="stretch")
        chrome.chart_downloads(ctx, site_spec, _("Estimated Russian personnel, per site"), "personnel-sites")
        frame = resources.personnel_frame(ctx.dataset, ctx.state.filters, "site")
        st.dataframe(frame[list(components.PERSONNEL_TABLE)].rename(
            columns=components.translated(components.PERSONNEL_TABLE)),
                     hide_index=True, width="stretch", key="site_personnel_table")

st.subheader(_("Events"))
query = st.text_input(_("Search summaries, places and sources"), key="timeline_search",
                      placeholder=_("e.g. S-400, Benghazi, Reuters"))
# Newest first without sorting: events are stored in (date, id) order. Only the rows the table shows are copied.
found = np.flatnonzero(ctx.mask)
if query.strip():
    found = found[rows.search_mask(ctx.all_events[rows.SEARCHED].iloc[found], query, ctx.catalog.labels("site"))]
table = ctx.all_events.iloc[found[::-1][:components.MAX_TABLE_ROWS]]
st.caption(ngettext("{count} event. Click a column header to sort, a row to select the event (its details appear "
                    "above the table); the Link column opens it on the map.",
                    "{count} events. Click a column header to sort, a row to select the event (its details appear "
                    "above the table); the Link column opens it on the map.", len(found)).format(
    count=number(len(found))))
selection = components.events_table(table, key="timeline_table", selectable=True,
                                     labels=ctx.source_labels, total=len(found), site_labels=ctx.catalog.labels("site"))
table_pick = selections.picked_row(selection, table)
session.follow_pick("table_pick", table_pick, event=table_pick)
chrome.share_box(ctx)
