"""Overview: the situation in numbers for the current filters."""

import streamlit as st

from basewatch import chrome, components, config, summaries

ctx = chrome.page_setup("overview")
st.title("Russia's military footprint around the Mediterranean")
st.markdown(chrome.summary_line(ctx) + summaries.latest_clause(ctx.events))

sites = ctx.dataset.sites
status_counts = summaries.sites_by_status(sites)
active_sites = ctx.events["site_id"].dropna().nunique()
cols = st.columns(3)
cols[0].metric("Events in view", f"{len(ctx.events):,}", help=f"of {len(ctx.all_events):,} in the data")
cols[1].metric("Sites with events in view", f"{active_sites} of {len(sites)}")
cols[2].metric("Sites still active", status_counts.get("active", 0),
               help="Status of the Russian presence as of the data date")
st.caption("Sites by status as of the data date: " + " · ".join(
    f"{count} {status}" for status, count in status_counts.items()))

st.subheader("Latest personnel estimate per country")
latest = summaries.latest_personnel(ctx.events)
if latest.empty:
    st.info("No personnel estimate matches the current filters.")
else:
    est_cols = st.columns(min(len(latest), 4))
    for col, (_, row) in zip(est_cols * 4, latest.iterrows()):
        with col.container(border=True):
            st.metric(f"{config.country_name(row['country'])}, {row['date_label']}", row["range"],
                      help="Estimated Russian personnel; a range where the source gives one.")
            st.caption(f"{row['claim_status']} · {components.source_links_md(row)}")
    st.caption("Ranges are shown as the sources give them. See the Timeline page for every estimate and "
               "where they conflict.")

st.subheader("Ten latest events")
components.events_table(ctx.events.sort_values(["date", "id"], ascending=False).head(10), key="overview_latest",
                height=None)
st.caption(f"Data date {ctx.dataset.data_date} · data version {ctx.dataset.version}")
chrome.share_box(ctx)
