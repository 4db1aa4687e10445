"""Map: sites, events and range rings; click a marker to read its sources."""

import streamlit as st
from streamlit_folium import st_folium

from basewatch.i18n import _
from basewatch.queries import aggregate, footprint
from basewatch.shell import chrome, components, playback, resources, session
from basewatch.text import number
from basewatch.views import story
from basewatch.views.maps import basemap, framing
from basewatch.views.maps import events as event_layers
from basewatch.views.maps import export as map_export
from basewatch.views.maps import sites as site_layers

# The sidebar (its filter widgets cost the first paint most: README, issue 20) is drawn after the map.
ctx = chrome.page_setup("map", sidebar_later=True)
st.title(_("Map"))
st.markdown(chrome.summary_line(ctx))
if not ctx.embedded:  # an embed is the view alone: no playback, range rings or share box
    playback.controls(ctx)
    with st.expander(_("Range rings"), expanded=bool(ctx.state.rings)):
        ring_col, radius_col = st.columns([3, 1])
        st.session_state["map_rings"] = list(ctx.state.rings)
        st.session_state["map_radius"] = ctx.state.radius_km
        ring_col.multiselect(_("Around sites"), ctx.catalog.values("site"), key="map_rings",
                             format_func=ctx.catalog.labels("site").get, placeholder=_("Choose sites"),
                             on_change=lambda: session.update(rings=tuple(st.session_state["map_rings"])))
        radius_col.number_input(_("Radius (km)"), min_value=1, max_value=5000, step=50, key="map_radius",
                                on_change=lambda: session.update(radius_km=int(st.session_state["map_radius"])))


@st.fragment
def map_and_details():
    """The map and its detail panel rerun alone when the reader clicks or pans."""
    state = ctx.state
    sites = ctx.localized_sites  # coloured by their status at the end of the selected period, named in the language
    selected_event = ctx.all_events[ctx.all_events["id"] == state.event].iloc[0] if state.event else None
    selected_site = sites[sites["id"] == state.site].iloc[0] if state.site else None
    # The columns this page reads from the events in view, copied once: not every column of every event.
    in_view = ctx.columns(["map_lat", "map_lon", "actor_slug", *footprint.movement_columns(ctx.all_events)])
    moves = footprint.movements(in_view, sites)
    focus = framing.focus_point(selected_event, selected_site)
    # A link's view or a selection decides where the map opens; otherwise it fits what the filters select.
    center, zoom = framing.initial_view(state.view, focus) if (state.view or focus) else (None, None)
    focus_color = ctx.catalog.color("actor", selected_event["actor_slug"]) if selected_event is not None else "#111111"

    returned = ["last_object_clicked_tooltip", "center", "zoom", "selected_layers"]
    if event_layers.needs_viewport(in_view):
        # At scale the server sends grid cells for the viewport the map last reported, or the points in it
        # when few enough; st_folium reruns only when the bounds change, so there is no rerun loop.
        returned.append("bounds")
        reported_at_open = returned
    else:
        # Below that scale the map reports only clicks until the reader moves it: st_folium otherwise
        # reports the frame it opened on, and that report costs a second script run as every map opens.
        reported_at_open = ["last_object_clicked_tooltip"]
    layer = resources.event_layer_data(ctx.dataset, state.filters, in_view,
                                       aggregate.Viewport.from_result(st.session_state.get("main_map")))

    map_col, detail_col = (st.container(), None) if ctx.embedded else st.columns([5, 3], gap="medium")
    with map_col:
        result = st_folium(
            basemap.build_base_map(frame=framing.frame_bounds(in_view, sites), report_after_move=returned),
            key="main_map",
            height=480 if ctx.embedded else 620,
            use_container_width=True,
            center=center,
            zoom=zoom,
            feature_group_to_add=[
                event_layers.build_layer(layer, ctx.catalog),
                site_layers.build_site_layer(sites, ctx.catalog, events=in_view),
                site_layers.build_movement_layer(moves, sites),
                site_layers.build_ring_layer(sites, () if ctx.embedded else state.rings, state.radius_km),
                site_layers.build_selection_layer(focus, focus_color),
                map_export.build_export_caption_layer(_("Russia's military footprint around the Mediterranean: map"),
                                                      ctx.summary(), ctx.dataset.version,
                                                      session.absolute(session.link("map", view=None), "map"),
                                                      session.view_template("map"), has_view=state.view is not None),
            ],
            layer_control=basemap.layer_control(),
            returned_objects=reported_at_open,
        )
        located = int(in_view["map_lat"].notna().sum())
        st.caption(story.as_of_sentence(state.filters.date_to, ctx.dataset.data_date))
        st.caption(_("{located} of {total} events in view have a map position; the others name only a place (e.g. a "
                     "capital) and are listed on the Timeline page. Sites are coloured by status, events by actor; a "
                     "hollow marker is not confirmed, a dashed one was denied.").format(
            located=number(located), total=number(ctx.count)))
    clicked = site_layers.parse_clicked((result or {}).get("last_object_clicked_tooltip"))
    kind, item_id = clicked or (None, None)
    session.follow_pick("map_click", clicked, scope="fragment", event=item_id if kind == "event" else None,
                        site=item_id if kind == "site" else None, view=None)
    # `view` is written only after the reader pans or zooms, never from the frame the map opened on.
    new_view = framing.view_from_result(result)
    if framing.user_moved(result) and new_view is not None and new_view != state.view:
        session.update(view=new_view)

    if detail_col is None:
        return
    with detail_col:
        if selected_event is not None:
            with st.container(border=True):
                components.event_detail(selected_event, ctx.source_labels, ctx.changes, ctx.catalog.labels("site"))
                st.button(_("Clear selection"), key="clear_event", on_click=session.update, kwargs={"event": None})
        elif selected_site is not None:
            with st.container(border=True):
                components.site_detail(selected_site, in_view, ctx.source_labels)
                chrome.page_link(_("Open the site profile"), "sites", site=selected_site["id"])
                st.button(_("Clear selection"), key="clear_site", on_click=session.update, kwargs={"site": None})
        else:
            st.info(_("Click an event or a site on the map to read its details and sources here. "
                      "Clusters open as you zoom in."))
        with st.expander(_("Movements between sites in view ({count})").format(
                count=number(int(moves['count'].sum()) if len(moves) else 0))):
            components.movements_list(moves)
        components.map_legend(in_view, ctx.catalog)
        chrome.share_box(ctx)


map_and_details()
chrome.draw_sidebar(ctx)
