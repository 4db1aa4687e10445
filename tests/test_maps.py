"""Map builders: one marker per located event, hostile text inert (HTML, JS and server-side Jinja), no CDN."""

from __future__ import annotations

import datetime as dt
import json
import os
import re

import folium
import pandas as pd
import pytest
from streamlit_folium import _get_feature_group_string, _get_map_string

from basewatch import config
from basewatch.loading.dataset import load_dataset
from basewatch.state.filters import Filters, apply_filters
from basewatch.text import inert
from basewatch.views.maps import basemap, framing
from basewatch.views.maps import events as event_layers
from basewatch.views.maps import export as map_export
from basewatch.views.maps import sites as site_layers
from tests.conftest import MINI, catalog_of

JINJA_PID = "{{ lipsum.__globals__.os.getpid() }}"
JINJA_MATH = "QQ{{ 7*7 }}QQ"
HOSTILE = [
    "<img src=x onerror=alert(1)>", "${alert(2)}", "x` + alert(3) + `", "trailing\\", JINJA_PID, JINJA_MATH,
    "{% raw %}", "{{", "%}", "<script>alert(4)</script>", "\u202eevil", 'a" onmouseover="alert(5)',
]


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(MINI, today=dt.date(2026, 11, 26))


def js_unescape(text: str) -> str:
    """Undo the \\uXXXX escapes of Jinja's tojson, so assertions read the text as the browser will."""
    for code, char in (("\\u0026", "&"), ("\\u003c", "<"), ("\\u003e", ">"), ("\\u0027", "'")):
        text = text.replace(code, char)
    return text


def render_like_st_folium(fmap: folium.Map, groups: list[folium.FeatureGroup]) -> str:
    """What st_folium sends to the browser: the map script plus each feature group's script."""
    fmap.get_root().render()
    parts = [_get_map_string(fmap)]
    parts += [_get_feature_group_string(group, fmap, idx) for idx, group in enumerate(groups)]
    parts.append(fmap.get_root().header.render())
    return js_unescape("\n".join(parts))


def render_whole_page(make_groups) -> str:
    """The other path: groups added to the map and the whole figure rendered (where folium re-renders Jinja)."""
    fmap = basemap.build_base_map()
    for group in make_groups():
        group.add_to(fmap)
    return js_unescape(fmap.get_root().render())


def hostile_sites(dataset) -> pd.DataFrame:
    sites = dataset.sites.copy()
    for i, payload in enumerate(HOSTILE[: len(sites)]):
        sites.loc[sites.index[i], "name"] = payload + " " + JINJA_PID + JINJA_MATH
    sites.loc[sites.index[0], "kind"] = "naval" + JINJA_PID
    return sites


def test_one_marker_per_located_matching_event(dataset):
    russia = apply_filters(dataset.events, Filters(actors=frozenset({"russia"})))
    rows = event_layers.event_rows(russia, catalog_of(dataset))
    assert len(rows) == int(russia["map_lat"].notna().sum()) == 3
    assert sorted(r[6] for r in rows) == sorted(russia.loc[russia["map_lat"].notna(), "id"])


def test_event_rows_carry_no_free_text(dataset):
    rows = event_layers.event_rows(dataset.events, catalog_of(dataset))
    for row in rows:
        lat, lon, actor, kind, status, label, event_id = row
        assert isinstance(lat, float) and isinstance(actor, int) and isinstance(status, int)
        assert re.fullmatch(r"[0-9A-Za-z ]+", label) and re.fullmatch(r"[a-z0-9-]+", event_id)


def test_server_side_template_injection_does_not_run(dataset):
    sites = hostile_sites(dataset)

    def groups():
        return [site_layers.build_site_layer(sites, catalog_of(dataset)), event_layers.build_layer(event_layers.layer_data(dataset.events, catalog_of(dataset)), catalog_of(dataset)),
                site_layers.build_ring_layer(sites, tuple(sites["id"]), 300)]

    for html in (render_like_st_folium(basemap.build_base_map(), groups()), render_whole_page(groups)):
        assert str(os.getpid()) not in html, "Jinja in data ran on the server"
        assert "QQ49QQ" not in html
        assert "QQ&#123;&#123; 7*7 &#125;&#125;QQ" in html  # shown literally instead


def test_hostile_text_is_escaped_for_html_and_template_literals(dataset):
    sites = hostile_sites(dataset)
    html = render_like_st_folium(basemap.build_base_map(), [site_layers.build_site_layer(sites, catalog_of(dataset))])
    assert "<img src=x" not in html and "<script>alert(4)" not in html
    assert "${alert(2)}" not in html and "` + alert(3)" not in html
    assert 'onmouseover="alert(5)' not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_inert_removes_every_dangerous_character():
    text = inert("<a href='x'>`${}`{%}\\</a>")
    assert not set(text) & set("<>'\"`${}%\\")


def test_no_cdn_asset_in_the_rendered_map(dataset):
    fmap = basemap.build_base_map()
    for group in (event_layers.build_layer(event_layers.layer_data(dataset.events, catalog_of(dataset)), catalog_of(dataset)), site_layers.build_site_layer(dataset.sites, catalog_of(dataset))):
        group.add_to(fmap)
    basemap.layer_control().add_to(fmap)
    page = fmap.get_root().render()
    assets = re.findall(r'<(?:script[^>]*\ssrc|link[^>]*\shref)="([^"]+)"', page)
    assert assets, "expected local script and stylesheet links"
    assert all(url.startswith("/app/static/vendor/") for url in assets), assets
    for url in assets:
        assert (config.STATIC_DIR / url.removeprefix("/app/static/")).is_file(), url


def test_clicked_tooltip_text_names_the_item():
    assert site_layers.parse_clicked("8 Dec 2024 · Russia · withdrawal · reported[event:ev-0005]") == ("event", "ev-0005")
    assert site_layers.parse_clicked("Hmeimim Air Base air · status: active[site:hmeimim]") == ("site", "hmeimim")
    assert site_layers.parse_clicked("no id here") is None
    assert site_layers.parse_clicked("[event:../../etc]") is None


def test_view_helpers():
    center, zoom = framing.initial_view(None, (35.4, 35.9))
    assert center == [35.4, 35.9] and zoom == framing.SELECTED_ZOOM
    view = framing.view_from_result({"center": {"lat": 35.0, "lng": 36.0}, "zoom": 7})
    assert view is not None and (view.lat, view.lon, view.zoom) == (35.0, 36.0, 7)
    assert framing.view_from_result({"center": {"lat": "x", "lng": 1}, "zoom": 3}) is None


def test_control_raw_folium_would_run_the_payload():
    """Proves the injection test above can fail: unescaped text through folium does execute."""
    def groups():
        group = folium.FeatureGroup()
        folium.Marker([35, 36], tooltip="QQ{{ 7*7 }}QQ").add_to(group)
        return [group]

    assert "QQ49QQ" in render_whole_page(groups)


def test_estimated_positions_get_an_uncertainty_circle():
    from tests.conftest import BUNDLED

    dataset = load_dataset(BUNDLED)
    sites = dataset.sites
    khadim = sites[sites["id"] == "al-khadim"].iloc[0]
    assert site_layers.uncertainty_km(khadim) == 100
    tartus = sites[sites["id"] == "tartus"].iloc[0]
    assert site_layers.uncertainty_km(tartus) == 0
    html = render_like_st_folium(basemap.build_base_map(), [site_layers.build_site_layer(sites, catalog_of(dataset))])
    assert "radius: r[5] * 1000" in html and ",100.0]" in html.replace(" ", "")


# ------------------------------------------------------------------ framing, labels, selection, export

TARTUS, HMEIMIM = (34.915, 35.874), (35.41, 35.945)
PHONE_MAP = (390 - 2 * 16, 620)  # a 390 px phone minus Streamlit's side padding; st_folium height=620
DESKTOP_MAP = (820, 620)


def _inside(box, point) -> bool:
    (south, west), (north, east) = box
    return south <= point[0] <= north and west <= point[1] <= east


@pytest.fixture(scope="module")
def bundled():
    from tests.conftest import BUNDLED

    return load_dataset(BUNDLED)


@pytest.mark.parametrize("size", [PHONE_MAP, (390, 600), DESKTOP_MAP])
def test_default_frame_shows_tartus_and_hmeimim(bundled, size):
    bounds = framing.frame_bounds(bundled.events, bundled.sites)
    center, zoom = framing.fitted_view(bounds, *size)
    box = framing.view_box(center, zoom, *size)
    assert _inside(box, TARTUS) and _inside(box, HMEIMIM), (size, center, zoom, box)
    # and the frame is a region, not the whole world: zoom 4 or closer even on a phone
    assert zoom >= 4, (size, zoom)


def test_frame_follows_the_filters_and_ignores_outliers(bundled):
    events = bundled.events.copy()
    moscow = events.index[:3]
    events.loc[moscow, ["map_lat", "map_lon", "site_id"]] = [55.75, 37.62, None]
    (south, west), (north, east) = framing.frame_bounds(events, bundled.sites)
    assert north < 40, "three Moscow events among many must not stretch the frame to Moscow"
    libya = apply_filters(bundled.events, Filters(countries=frozenset({"ly"})))
    (south, west), (north, east) = framing.frame_bounds(libya, bundled.sites)
    assert east < 30 and west > 9, "a Libya filter frames Libya"
    none = apply_filters(bundled.events, Filters(actors=frozenset({"nobody"})))
    assert framing.frame_bounds(none, bundled.sites) == framing.frame_bounds(bundled.events.iloc[:0], bundled.sites)


def test_fitted_zoom_matches_leaflet_rules():
    # A 10°×10° box at the equator in an 800×600 map: 10/360*256*2^z <= 600-48 holds up to z = 6.
    center, zoom = framing.fitted_view(((-5, -5), (5, 5)), 800, 600)
    assert zoom == 6 and abs(center[0]) < 1e-6 and abs(center[1]) < 1e-6
    # A single point opens at FRAME_MAX_ZOOM, not at the maximum zoom.
    assert framing.fitted_view(((35, 36), (35, 36)), 800, 600)[1] == framing.FRAME_MAX_ZOOM


def test_label_priority_puts_busy_sites_first(bundled):
    rank = site_layers.label_priority(bundled.sites, bundled.events)
    assert sorted(rank.values()) == list(range(len(bundled.sites)))
    assert rank["tartus"] < rank["tartus-commercial-port"], "same spot: the busier site keeps its label"
    assert rank["hmeimim"] < rank["al-wigh"]
    only_tobruk = bundled.events[bundled.events["site_id"] == "tobruk"]
    assert site_layers.label_priority(bundled.sites, only_tobruk)["tobruk"] == 0, "filters decide who is busy"


def test_site_labels_are_decluttered_in_the_browser(bundled):
    html = render_like_st_folium(basemap.build_base_map(), [site_layers.build_site_layer(bundled.sites, catalog_of(bundled), events=bundled.events)])
    assert "function declutter()" in html and 'map.on("zoomend moveend resize", declutter)' in html
    ranks = re.search(r"ranks = (\[[\d, ]+\])", html).group(1)
    assert sorted(json.loads(ranks)) == list(range(len(bundled.sites)))


def test_selection_sits_in_a_pane_above_the_clusters():
    html = render_like_st_folium(basemap.build_base_map(), [site_layers.build_selection_layer((35.41, 35.945), "#D55E00")])
    assert site_layers.SELECTION_PANE_Z > 600  # Leaflet's marker pane, where the event clusters live
    assert f'createPane("{site_layers.SELECTION_PANE}").style.zIndex = {site_layers.SELECTION_PANE_Z}' in html
    assert f'pane: "{site_layers.SELECTION_PANE}"' in html and "[35.41, 35.945]" in html
    bad = render_like_st_folium(basemap.build_base_map(), [site_layers.build_selection_layer((1, 2), "red;}<script>")])
    assert "red;}" not in bad


def test_only_a_reader_move_counts_as_a_new_view():
    frame_report = {"center": {"lat": 31.0, "lng": 27.6}, "zoom": 5, "selected_layers": []}
    assert not framing.user_moved(frame_report) and not framing.user_moved(None)
    assert not framing.user_moved({"selected_layers": None})
    moved = {**frame_report, "selected_layers": [{"name": framing.USER_MOVED_LAYER, "url": ""}]}
    assert framing.user_moved(moved)
    html = render_like_st_folium(basemap.build_base_map(frame=((30, 20), (36, 40))), [])
    assert f'"{framing.USER_MOVED_LAYER}"' in html and 'map.on("dragstart", mark)' in html
    assert "map.fitBounds(bounds" in html and "[[30.0, 20.0], [36.0, 40.0]]" in html
    assert "data.returned_objects" not in html  # nothing to widen: the map reports what the page asked for


def test_a_map_that_opens_quietly_reports_its_view_from_the_readers_first_move():
    # pages/map.py asks st_folium for clicks only until the reader moves the map; the reader's first
    # gesture widens the report to the view (the browser test drives it).
    after_move = ["last_object_clicked_tooltip", "center", "zoom", "selected_layers"]
    html = render_like_st_folium(basemap.build_base_map(report_after_move=after_move), [])
    widen = 'data.returned_objects = ["last_object_clicked_tooltip", "center", "zoom", "selected_layers"];'
    assert widen in html
    assert html.index("function mark()") < html.index(widen) < html.index('map.on("dragstart", mark)')


def test_map_png_caption_is_inert_and_the_library_is_local(dataset):
    group = map_export.build_export_caption_layer(JINJA_PID + "<b>T</b>", "All ${x} `y` events", "v1",
                                                  "http://localhost/map?a=1&b=2", "http://localhost/map?a=1&view={view}")
    html = render_like_st_folium(basemap.build_base_map(), [group])
    assert str(os.getpid()) not in html and "<b>T</b>" not in html and "${x}" not in html
    assert "Source: Basewatch, data version v1" in html and "Download PNG" in html
    fmap = basemap.build_base_map()
    fmap.get_root().render()
    assert any(url.endswith("html-to-image-1.11.13/html-to-image.js") for _, url in map_export.MapExport.default_js)
