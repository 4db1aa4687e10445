"""Sites: a profile for each site, selected with ?site=."""

import streamlit as st
from streamlit_folium import st_folium

from basewatch.queries import geo
from basewatch.shell import chrome, components, session
from basewatch.text import md_escape
from basewatch.views import story
from basewatch.views.charts import personnel, timeline
from basewatch.views.maps import basemap
from basewatch.views.maps import sites as site_layers

ctx = chrome.page_setup("sites")
sites = ctx.sites  # with the status at the end of the selected period
st.title("Sites")
st.markdown(chrome.summary_line(ctx))

ids = list(sites["id"])
names = dict(zip(sites["id"], sites["name"]))


def site_map(site) -> None:
    """The site on a small map among the others, coloured by status."""
    st_folium(basemap.build_base_map(export=False), key="site_map", height=320, use_container_width=True,
              center=[site["lat"], site["lon"]], zoom=7,
              feature_group_to_add=[site_layers.build_site_layer(sites, ctx.catalog, events=ctx.events),
                                    site_layers.build_selection_layer((site["lat"], site["lon"]))],
              returned_objects=[])


if ctx.embedded and ctx.state.site in ids:  # an embed is the view alone: the site's map
    site_map(sites[sites["id"] == ctx.state.site].iloc[0])
    chrome.stop_if_embedded(ctx)
st.session_state["site_pick"] = ctx.state.site if ctx.state.site in ids else None
st.selectbox("Site", ids, key="site_pick", format_func=lambda i: f"{names[i]} ({i})", index=None,
             placeholder="Choose a site", on_change=lambda: session.update(site=st.session_state["site_pick"]))

if ctx.state.site is None:
    st.markdown("Choose a site above, or open one from the list. "
                + md_escape(story.as_of_sentence(ctx.state.filters.date_to, ctx.dataset.data_date)
                            .replace("coloured by", "listed with")))
    overview = sites[["id", "name", "country", "kind", "status", "status_note"]].assign(
        events=sites["id"].map(ctx.events["site_id"].value_counts()).fillna(0).astype(int))
    st.dataframe(overview, hide_index=True, width="stretch")
else:
    site = sites[sites["id"] == ctx.state.site].iloc[0]
    site_events = ctx.events[ctx.events["site_id"] == site["id"]]
    left, right = st.columns([3, 2], gap="medium")
    with left:
        components.site_detail(site, ctx.events, ctx.source_labels)
        chrome.page_link("Show this site on the map", "map", site=site["id"], event=None, view=None)
    with right:
        site_map(site)
        st.markdown("**Distances to other sites** (great circle)")
        st.dataframe(geo.distances_from(site["id"], sites), hide_index=True, width="stretch", height=240,
                     column_config={"km": st.column_config.NumberColumn("km", format="%d")})
    st.subheader("Personnel at this site")
    frame = personnel.personnel_frame(site_events, by="site")
    if frame.empty:
        st.info("No per-site personnel estimate for this site matches the current filters.")
    else:
        chart = personnel.personnel_chart(frame, f"Estimated Russian personnel at {site['name']}")
        st.altair_chart(chart, width="stretch")
        chrome.chart_downloads(ctx, chart, f"Estimated Russian personnel at {site['name']}", f"personnel-{site['id']}")
        components.chart_as_table(frame, components.PERSONNEL_TABLE, key="site_personnel_table")
    st.subheader(f"Events at this site ({len(site_events):,})")
    if not site_events.empty:
        events_chart = timeline.timeline_chart(site_events, ctx.state.event)
        st.altair_chart(events_chart, width="stretch")
        chrome.chart_downloads(ctx, events_chart, f"Events at {site['name']}", f"events-{site['id']}")
        components.events_table(site_events.sort_values(["date", "id"], ascending=False), key="site_events",
                                labels=ctx.source_labels)
chrome.share_box(ctx)
