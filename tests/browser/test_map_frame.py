"""The map frames itself, writes `view` only after the reader moves it, and lifts the selection (issue 12).

"""

from __future__ import annotations

import json

from streamlit.proto.BackMsg_pb2 import BackMsg

from basewatch.views.maps import framing
from basewatch.views.maps import sites as site_layers

from .conftest import MAP_IFRAME, WAIT_MS, map_frame, open_page, query_of, wait_script_done

TARTUS, HMEIMIM = (34.915, 35.874), (35.41167, 35.945)



def _bounds(frame) -> dict:
    return frame.evaluate("""() => { const b = window.map.getBounds();
        return {s: b.getSouth(), w: b.getWest(), n: b.getNorth(), e: b.getEast(), zoom: window.map.getZoom()}; }""")


def _shows(bounds: dict, point) -> bool:
    return bounds["s"] <= point[0] <= bounds["n"] and bounds["w"] <= point[1] <= bounds["e"]



def test_phone_opens_on_tartus_and_hmeimim_and_the_url_keeps_no_view(server, browsing):
    context, _ = browsing.new_context()
    page = context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    open_page(page, server + "/map")
    frame = map_frame(page)
    # The frame is fitted by the map's own script, in the same task that creates window.map.
    assert frame.evaluate("() => !!window.bwFrame"), "the map was not fitted to a frame"
    bounds = _bounds(frame)
    assert _shows(bounds, TARTUS) and _shows(bounds, HMEIMIM), bounds
    assert bounds["zoom"] >= 4, bounds
    wait_script_done(page)
    assert "view" not in query_of(page.url), page.url


def _drag_the_map(page) -> None:
    """Pan the map with the mouse, as a reader does."""
    box = page.locator(MAP_IFRAME).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 9):
        page.mouse.move(x - 10 * step, y - 5 * step)
    page.mouse.up()


def _map_reports(page) -> list[dict]:
    """Every value the map sends to the server, in order, as the script-run requests carry them."""
    reports: list[dict] = []

    def read(payload) -> None:
        if isinstance(payload, str):
            return
        message = BackMsg.FromString(payload)
        if message.WhichOneof("type") != "rerun_script":
            return
        for widget in message.rerun_script.widget_states.widgets:
            # A component's id hashes its key; the map is the one whose value carries a clicked tooltip.
            value = json.loads(widget.json_value) if widget.WhichOneof("value") == "json_value" else None
            if isinstance(value, dict) and "last_object_clicked_tooltip" in value:
                reports.append(value)

    page.on("websocket", lambda socket: socket.on("framesent", read))
    return reports


def test_the_map_opens_in_one_script_run_and_reports_from_the_readers_first_move(server, browsing):
    # Below the aggregation threshold, st_folium's report of the frame the map opens on would cost a
    # second script run on every open (0.35 s at 10k events); the map keeps quiet until the reader moves.
    page = browsing.new_page()
    reports = _map_reports(page)
    open_page(page, server + "/map")
    map_frame(page)
    _drag_the_map(page)
    page.wait_for_url(lambda url: "view" in query_of(url), timeout=WAIT_MS)
    wait_script_done(page)
    assert reports, "the map never reported the reader's move"
    first = reports[0]
    assert first.get("center") and first.get("zoom"), first
    assert framing.user_moved(first), f"the map reported before the reader moved it: {first}"


def test_view_equals_the_map_after_a_pan(server, browsing):
    page = browsing.new_page()
    open_page(page, server + "/map")
    frame = map_frame(page)
    _drag_the_map(page)
    page.wait_for_url(lambda url: "view" in query_of(url), timeout=WAIT_MS)
    wait_script_done(page)
    lat, lon, zoom = (float(v) for v in query_of(page.url)["view"][0].split(","))
    center = frame.evaluate("() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")
    assert zoom == center[2]
    assert abs(lat - center[0]) < 1e-3 and abs(lon - center[1]) < 1e-3, (page.url, center)



def test_a_selected_event_is_drawn_above_its_cluster(server, browsing):
    page = browsing.new_page()
    open_page(page, server + "/map?event=ev-0002")
    frame = map_frame(page)
    # st_folium adds the layers in the same task that creates window.map: no waiting needed.
    assert frame.locator(".bw-selected").count() == 1, "the selection is not drawn as its own marker"
    z_index = frame.evaluate(f"() => +getComputedStyle(window.map.getPane('{site_layers.SELECTION_PANE}')).zIndex")
    marker_z = frame.evaluate("() => +getComputedStyle(window.map.getPane('markerPane')).zIndex")
    assert z_index > marker_z, (z_index, marker_z)
    # The element on top at the selection's centre is the selection, not a cluster icon.
    # (Leaflet makes non-interactive markers transparent to the pointer; let this one be hit.)
    top = frame.evaluate("""() => { const sel = document.querySelector('.bw-selected');
        sel.style.pointerEvents = 'auto'; const r = sel.getBoundingClientRect();
        const el = document.elementFromPoint(r.left + 3, r.top + r.height / 2);
        return el && el.closest('.bw-selected') ? 'selection' : (el ? el.className : 'nothing'); }""")
    assert top == "selection", top
    wait_script_done(page)
    assert "view" not in query_of(page.url), page.url
