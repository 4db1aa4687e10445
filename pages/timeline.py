"""Timeline: who did what when, and estimated troop levels over time."""


import streamlit as st

from basewatch import charts, playback, ui

ctx = ui.page_setup("timeline")
st.title("Timeline")
st.markdown(ui.summary_line(ctx))

if ctx.events.empty:
    st.info("No event matches the current filters. Use **Reset filters** in the sidebar.")
else:
    st.caption("One lane per actor; colour is the event type; a filled mark is confirmed, hollow shapes are "
               "reported (○), claimed (◇) or rumored (△), a cross (✕) was denied. Drag across the chart to set "
               "the date filter; click a mark to select that event.")
    selection = st.altair_chart(charts.timeline_chart(ctx.events, ctx.state.event), width="stretch",
                                on_select="rerun", selection_mode=None, key="timeline_chart")
    brushed = ui.brushed_period(selection)
    picked = ui.picked_event(selection)
    if ui.is_new("brush", brushed) and brushed != (ctx.state.filters.date_from, ctx.state.filters.date_to):
        ui.set_period(*brushed)
        st.rerun()
    if ui.is_new("chart_pick", picked) and picked != ctx.state.event:
        ui.update_state(event=picked)
        st.rerun()

    if ctx.state.event and ctx.state.event in set(ctx.events["id"]):
        with st.container(border=True):
            ui.event_detail(ctx.events[ctx.events["id"] == ctx.state.event].iloc[0])

    playback.controls(ctx)

st.subheader("Estimated Russian personnel")
country_frame = charts.personnel_frame(ctx.events, by="country")
if country_frame.empty:
    st.info("No country-wide personnel estimate matches the current filters.")
else:
    st.altair_chart(charts.personnel_chart(country_frame, "Country-wide estimates"), width="stretch")
    st.caption("Band: the low–high range a source gives; line: its midpoint, held until the next estimate; "
               f"lines break where no estimate exists for more than {charts.GAP_DAYS // 365} years. Each point is "
               "one estimate (hover for source). Cumulative rotations and civilians are not counted.")
site_frame = charts.personnel_frame(ctx.events, by="site")
if not site_frame.empty:
    with st.expander("Per-site estimates"):
        st.altair_chart(charts.personnel_chart(site_frame, "Per-site estimates"), width="stretch")

st.subheader("Events")
query = st.text_input("Search summaries, places and sources", key="timeline_search",
                      placeholder="e.g. S-400, Benghazi, Reuters")
table = ui.search_events(ctx.events, query)
st.caption(f"{len(table):,} events. Click a column header to sort, a row to select the event (its details "
           "appear above the table); the Link column opens it on the map.")
table = table.sort_values(["date", "id"], ascending=False)
picked_rows = ui.events_table(table, key="timeline_table", selectable=True)
rows = picked_rows.selection.rows if picked_rows is not None else []
table_pick = table.iloc[rows[0]]["id"] if rows and rows[0] < len(table) else None
if ui.is_new("table_pick", table_pick) and table_pick != ctx.state.event:
    ui.update_state(event=table_pick)
    st.rerun()
ui.share_box(ctx)
