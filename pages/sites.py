"""Sites: a profile for each site, selected with ?site=."""

import numpy as np
import streamlit as st
from streamlit_folium import st_folium

from basewatch.i18n import _
from basewatch.queries import geo
from basewatch.shell import chrome, components, session
from basewatch.state.catalog import label
from basewatch.text import md_escape, number
from basewatch.views import story
from basewatch.views.charts import personnel, timeline
from basewatch.views.charts.common import localized
from basewatch.views.maps import basemap
from basewatch.views.maps import sites as site_layers

ctx = chrome.page_setup("sites")
sites = ctx.localized_sites  # with the status at the end of the selected period, named in the language
st.title(_("Sites"))
st.markdown(chrome.summary_line(ctx))

ids = list(sites["id"])
names = dict(zip(sites["id"], sites["name"]))


def site_map(site) -> None:
    """The site on a small map among the others, coloured by status."""
    st_folium(basemap.build_base_map(export=False), key="site_map", height=320, use_container_width=True,
              center=[site["lat"], site["lon"]], zoom=7,
              feature_group_to_add=[site_layers.build_site_layer(sites, ctx.catalog, events=ctx.columns(["site_id"])),
                                    site_layers.build_selection_layer((site["lat"], site["lon"]))],
              returned_objects=[])


if ctx.embedded and ctx.state.site in ids:  # an embed is the view alone: the site's map
    site_map(sites[sites["id"] == ctx.state.site].iloc[0])
    chrome.stop_if_embedded(ctx)
st.session_state["site_pick"] = ctx.state.site if ctx.state.site in ids else None
st.selectbox(_("Site"), ids, key="site_pick", format_func=lambda i: f"{names[i]} ({i})", index=None,
             placeholder=_("Choose a site"), on_change=lambda: session.update(site=st.session_state["site_pick"]))

if ctx.state.site is None:
    st.markdown(md_escape(_("Choose a site above, or open one from the list.")) + " "
                + md_escape(story.as_of_sentence(ctx.state.filters.date_to, ctx.dataset.data_date, listed=True)))
    overview = sites[["id", "name", "country", "kind", "status", "status_note"]].assign(
        events=sites["id"].map(ctx.columns(["site_id"])["site_id"].value_counts()).fillna(0).astype(int),
        country=sites["country"].map(lambda c: label("country", c)),
        kind=sites["kind"].map(lambda k: label("site_kind", k)),
        status=sites["status"].map(lambda s: label("site_status", s)))
    st.dataframe(overview, hide_index=True, width="stretch", column_config={
        "id": st.column_config.TextColumn(_("Id")), "name": st.column_config.TextColumn(_("Name")),
        "country": st.column_config.TextColumn(_("Country")), "kind": st.column_config.TextColumn(_("Kind")),
        "status": st.column_config.TextColumn(_("Russian status")),
        "status_note": st.column_config.TextColumn(_("Status note (English)") if ctx.state.lang != "en"
                                                   else _("Status note")),
        "events": st.column_config.NumberColumn(_("Events in view"), format="%d")})
else:
    site = sites[sites["id"] == ctx.state.site].iloc[0]
    # Positions of the site's events in view, then only the columns each part reads: every column of a site's
    # scattered rows paged the whole memory-mapped cache in at 1M (the table copies the rows it shows).
    at_site = np.flatnonzero(ctx.mask & (ctx.all_events["site_id"] == site["id"]).to_numpy(dtype=bool, na_value=False))
    left, right = st.columns([3, 2], gap="medium")
    with left:
        components.site_detail(site, ctx.columns(["site_id"]), ctx.source_labels)
        chrome.page_link(_("Show this site on the map"), "map", site=site["id"], event=None, view=None)
    with right:
        site_map(site)
        st.markdown(_("**Distances to other sites** (great circle)"))
        st.dataframe(geo.distances_from(site["id"], sites), hide_index=True, width="stretch", height=240,
                     column_config={"site": st.column_config.TextColumn(_("Site")),
                                    "country": st.column_config.TextColumn(_("Country")),
                                    "km": st.column_config.NumberColumn(_("km"), format="%d")})
    st.subheader(_("Personnel at this site"))
    estimates = at_site[personnel.has_estimate(ctx.all_events, "site")[at_site]]
    frame = personnel.personnel_frame(ctx.all_events[personnel.columns_for(len(estimates))].iloc[estimates], by="site",
                                      site_labels={site["id"]: site["name"]})
    if frame.empty:
        st.info(_("No per-site personnel estimate for this site matches the current filters."))
    else:
        title = _("Estimated Russian personnel at {site}").format(site=site["name"])
        chart = localized(personnel.personnel_chart(frame, title).to_dict(validate=False))
        st.vega_lite_chart(chart, width="stretch")
        chrome.chart_downloads(ctx, chart, title, f"personnel-{site['id']}")
        components.chart_as_table(frame, components.PERSONNEL_TABLE, key="site_personnel_table")
    st.subheader(_("Events at this site ({count})").format(count=number(len(at_site))))
    if len(at_site):
        charted = ctx.all_events[timeline.columns_for(ctx.all_events, len(at_site))].iloc[at_site]
        events_chart = localized(timeline.timeline_chart(charted, ctx.state.event, site_labels=ctx.catalog.labels("site"))
                                 .to_dict(validate=False))
        st.vega_lite_chart(events_chart, width="stretch")
        chrome.chart_downloads(ctx, events_chart, _("Events at {site}").format(site=site["name"]),
                               f"events-{site['id']}")
        components.events_table(ctx.all_events.iloc[at_site[::-1][:components.MAX_TABLE_ROWS]],  # newest first
                                key="site_events", labels=ctx.source_labels, total=len(at_site),
                                site_labels=ctx.catalog.labels("site"))
chrome.share_box(ctx)
