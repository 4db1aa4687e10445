"""The map frames itself, writes `view` only after the reader moves it, and lifts the selection (issue 12).

"""

from __future__ import annotations

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
    # st_folium reports the first frame after it renders; that report must not become `view`.
    frame.wait_for_function("() => window.__GLOBAL_DATA__ && window.__GLOBAL_DATA__.previous_data"
                            " && window.__GLOBAL_DATA__.previous_data.center", timeout=WAIT_MS)
    wait_script_done(page)
    assert "view" not in query_of(page.url), page.url


def test_view_equals_the_map_after_a_pan(server, browsing):
    page = browsing.new_page()
    open_page(page, server + "/map")
    frame = map_frame(page)
    box = page.locator(MAP_IFRAME).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 9):
        page.mouse.move(x - 10 * step, y - 5 * step)
    page.mouse.up()
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
