"""Data & sources: dictionary, method, sources by publisher, downloads."""

import streamlit as st

from basewatch import chrome, config, downloads

ctx = chrome.page_setup("data")
st.title("Data & sources")
st.markdown(chrome.summary_line(ctx))
st.markdown(f"**Data version** `{ctx.dataset.version}` — the latest event date plus the first characters of a "
            "SHA-256 hash of both data files. Cite it with the link from *Share this view*.")

st.subheader("Download")
cols = st.columns(3)
# Files are made only when a button is clicked (callables), so a rerun never pays for them. The
# callables run outside this script run, so they hold the events as filtered now.
events = ctx.events
cols[0].download_button(f"Filtered events, CSV ({len(events):,})", lambda: downloads.events_csv(events),
                        file_name=f"basewatch-events-{ctx.dataset.version}.csv", mime="text/csv",
                        on_click="ignore", key="dl_csv")
cols[1].download_button("Filtered events, GeoJSON", lambda: downloads.events_geojson(events),
                        file_name=f"basewatch-events-{ctx.dataset.version}.geojson",
                        mime="application/geo+json", on_click="ignore", key="dl_geojson")
cols[2].download_button(f"Sites, GeoJSON ({len(ctx.dataset.sites)})", lambda: downloads.sites_geojson(ctx.dataset),
                        file_name=f"basewatch-sites-{ctx.dataset.version}.geojson",
                        mime="application/geo+json", on_click="ignore", key="dl_sites")

st.subheader("Method")
st.markdown(
    "Every event and site carries at least one source URL. Summaries are written in our own words. "
    "Where sources disagree, each claim is kept as its own row and the summary says so.\n\n"
    "- **Dates** are stored as the first day of the period a source gives; `date_precision` says whether "
    "that is a day, a month or a year, and the app writes the date at that precision (\"Dec 2024\", \"1971\"). "
    "A date filter matches an imprecise event when its period overlaps the filter.\n"
    "- **Personnel** figures are ranges (`personnel_low`–`personnel_high`) of estimated Russian personnel in "
    "scope after the event: the site when a site is named, otherwise the country. A single figure is stored "
    "twice; vague words (\"several hundred\") are left empty rather than turned into numbers.")
st.markdown("**Claim status**")
st.table({"status": list(config.CLAIM_STATUS_MEANING),
          "meaning": list(config.CLAIM_STATUS_MEANING.values())})

st.subheader("Sources by publisher")
publishers = downloads.sources_by_publisher(ctx.events)
st.caption(f"{len(publishers):,} publishers cited by the {len(ctx.events):,} events in view.")
st.dataframe(publishers, hide_index=True, width="stretch", height=360,
             column_config={"example": st.column_config.LinkColumn("Example source")})

st.subheader("Data dictionary")
st.markdown("The full contract, vocabularies and how to add a row are in "
            "`data/README.md` in the repository; the columns of `events.csv` are:")
st.dataframe(downloads.dictionary_table(), hide_index=True, width="stretch")
chrome.share_box(ctx)
