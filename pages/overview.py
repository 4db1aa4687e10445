"""Overview: the situation in numbers for the current filters, the footprint over time, what changed."""

import streamlit as st

from basewatch.i18n import _
from basewatch.queries import summaries
from basewatch.shell import chrome, components, resources, selections, session
from basewatch.state.catalog import label
from basewatch.text import date_label, long_date, number, plain_isolate
from basewatch.views import story
from basewatch.views.charts import footprint as footprint_chart

ctx = chrome.page_setup("overview")
st.title(_("Russia's military footprint around the Mediterranean"))
chrome.summary_with_latest(ctx)

sites = ctx.sites
as_of = long_date(ctx.footprint_date)
status_counts = summaries.sites_by_status(sites)
sites_with_events = ctx.columns(["site_id"])["site_id"].dropna().nunique()
if not ctx.embedded:  # an embed is the view alone: the chart and its sentence
    cols = st.columns(3)
    cols[0].metric(_("Events in view"), number(ctx.count),
                   help=_("of {total} in the data").format(total=number(len(ctx.all_events))))
    cols[1].metric(_("Sites with events in view"), _("{count} of {total}").format(count=number(sites_with_events),
                                                                                    total=number(len(sites))))
    cols[2].metric(_("Sites still active"), number(status_counts.get("active", 0)),
                   help=_("Russian presence reported as active on {date}, the end of the selected period").format(
                       date=as_of))
    st.caption(_("Sites by Russian status on {date}:").format(date=as_of) + " " + " · ".join(
        f"{number(count)} {label('site_status', status)}" for status, count in status_counts.items()))

period_start, period_end = ctx.state.filters.date_from, ctx.state.filters.date_to
st.subheader(_("The footprint over time"))
first_event = ctx.all_events["date"].min()
period_set = period_start is not None or period_end is not None  # shade a period only when the reader set one
spec = resources.footprint_spec(ctx.dataset, (period_start or first_event) if period_set else None,
                                (period_end or ctx.dataset.data_date) if period_set else None, ctx.state.site)
selection = st.vega_lite_chart(spec, width="stretch", on_select="rerun", key="footprint_chart")
chrome.chart_downloads(ctx, spec, _("Russia's military footprint: site status over time"), "footprint")
picked = selections.picked_value(selection, "site_pick", "site_id")
session.follow_pick("footprint_pick", picked, site=picked)
bands = resources.footprint_bands(ctx.dataset)
st.caption(footprint_chart.describe(bands, period_start, period_end) + " " + _("Click a band to select its site."))
chrome.stop_if_embedded(ctx)
components.chart_as_table(bands, components.FOOTPRINT_TABLE, key="footprint_table")
if ctx.state.site is not None:
    with st.container(border=True):
        components.site_detail(sites[sites["id"] == ctx.state.site].iloc[0], ctx.columns(["site_id"]),
                               ctx.source_labels)
        chrome.page_link(_("Open the site profile"), "sites")
        chrome.page_link(_("Show it on the map"), "map")

st.subheader(_("What changed"))
# what_changed gives the headline, one line per site that changed, then personnel and movements. A long
# site list (the whole 1971-2026 span) folds away so the personnel and movement sentences stay in view.
changes, site_count = resources.what_changed(ctx.dataset, ctx.state.filters)
site_lines, other_lines = changes[1:1 + site_count], changes[1 + site_count:]
chrome.sentence_list(changes[:1] + (site_lines if site_count <= 5 else []) + other_lines)
if site_count > 5:
    with st.expander(_("The {count} sites that changed, with sources").format(count=number(site_count))):
        chrome.sentence_list(site_lines)
st.caption(_("Each change names its source; personnel figures are given as each source gives them, never "
             "subtracted into a false-precision difference. Set From and To in the sidebar to compare two dates."))

st.subheader(_("Latest personnel estimate per country"))
# Each country's newest estimate from three narrow columns, then the quoted text of those few rows only:
# summaries and sources of every estimate in view paged about 370 MB of the memory-mapped cache in at 1M.
newest = summaries.latest_rows(ctx.where(ctx.all_events["personnel_low"].notna().to_numpy(),
                                         list(summaries.LATEST_KEYS)))
latest = summaries.latest_personnel(ctx.all_events.loc[newest, [
    c for c in (*summaries.PERSONNEL_COLUMNS, "source_url", "more_sources", "weak_only") if c in ctx.all_events]])
if latest.empty:
    st.info(_("No personnel estimate matches the current filters."))
else:
    est_cols = st.columns(min(len(latest), 4))
    for col, (_index, row) in zip(est_cols * 4, latest.iterrows()):
        with col.container(border=True):
            st.metric(f"{label('country', row['country'])}, {date_label(row['date'], row['date_precision'])}",
                      row["range"], help=_("Estimated Russian personnel; a range where the source gives one."))
            st.html(f"<p style='font-size:14px;color:#595959'>{components.html_text(label('status', row['claim_status']))}"
                    f" · {components.source_links_html(row, ctx.source_labels)}"
                    + (f" · ⚠ {components.html_text(story.weak_source_note())}" if row.get("weak_only") else "")
                    + "</p>")
    st.caption(_("Ranges are shown as the sources give them. See the Timeline page for every estimate and "
                 "where they conflict."))

st.subheader(_("Ten latest events"))
components.events_table(ctx.newest(10), key="overview_latest",
                        height=None, labels=ctx.source_labels, site_labels=ctx.catalog.labels("site"))
st.caption(_("Data date {date} · data version {version}").format(date=long_date(ctx.dataset.data_date),
                                                                  version=plain_isolate(ctx.dataset.version)))
chrome.share_box(ctx, quote=changes)
