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
    spec = ui.timeline_spec(ctx.dataset.version, ui.filters_key(ctx.state), ctx.state.event, ctx.events)
    selection = st.vega_lite_chart(spec, width="stretch", on_select="rerun", key="timeline_chart")
    brushed = ui.brushed_period(selection)
    picked = ui.picked_event(selection)
    if ui.is_new("brush", brushed) and brushed != (ctx.state.filters.date_from, ctx.state.filters.date_to):
        ui.set_period(*brushed)
        st.rerun()
    if ui.is_new("chart_pick", picked) and picked != ctx.state.event:
        ui.update_state(event=picked)
        st.rerun()

    if ctx.state.event and (ctx.events["id"] == ctx.state.event).any():
        with st.container(border=True):
            ui.event_detail(ctx.events[ctx.events["id"] == ctx.state.event].iloc[0])

    playback.controls(ctx)

st.subheader("Estimated Russian personnel")
country_spec = ui.personnel_spec(ctx.dataset.version, ui.filters_key(ctx.state), "country",
                                 "Country-wide estimates", ctx.events)
if country_spec is None:
    st.info("No country-wide personnel estimate matches the current filters.")
else:
    st.vega_lite_chart(country_spec, width="stretch")
    st.caption("Band: the low–high range a source gives; line: its midpoint, held until the next estimate; "
               f"lines break where no estimate exists for more than {charts.GAP_DAYS // 365} years. Each point is "
               "one estimate (hover for source). Cumulative rotations and civilians are not counted.")
site_spec = ui.personnel_spec(ctx.dataset.version, ui.filters_key(ctx.state), "site", "Per-site estimates",
                              ctx.events)
if site_spec is not None:
    with st.expander("Per-site estimates"):
        st.vega_lite_chart(site_spec, width="stretch")

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
