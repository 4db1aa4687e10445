"""Timeline charts and brushing, site profiles, and the Data page downloads (issues 6–8)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from playwright.sync_api import expect

from basewatch import config
from basewatch.state.filters import Filters, apply_filters
from basewatch.views.charts import timeline

from .conftest import WAIT_MS, count_line, count_text, map_frame, open_page, path_of, query_of, wait_script_done


def test_timeline_charts_render_and_brushing_sets_the_period(server, browsing, dataset):
    page = browsing.new_page()
    open_page(page, server + "/timeline")
    assert query_of(page.url) == {}

    charts = page.locator('[data-testid="stVegaLiteChart"].vega-embed')
    expect(charts.first).to_be_visible()
    assert charts.count() >= 2, f"expected the events timeline and the personnel chart, found {charts.count()}"
    for i in range(2):
        drawing = charts.nth(i).locator("canvas, svg.marks").first
        expect(drawing).to_be_visible()
        box = drawing.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, f"chart {i} is {box}"

    # The timeline is focus + context on a canvas: lanes above, the whole-period strip at the bottom.
    # Drag across the strip, which sits just above its year axis (about 20 px) and the 5 px padding.
    plot = charts.first.locator("canvas").first
    box = plot.bounding_box()
    lanes = dataset.events["actor"].nunique()
    assert box and box["width"] > 100 and box["height"] >= 10 * lanes + timeline.STRIP_HEIGHT, (
        f"the timeline is {box} for {lanes} actor lanes: too small to show or brush events")
    y = box["y"] + box["height"] - 5 - 20 - timeline.STRIP_HEIGHT / 2
    x0, x1 = box["x"] + box["width"] * 0.4, box["x"] + box["width"] * 0.8
    page.mouse.move(x0, y)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x0 + (x1 - x0) * step / 10, y)
    page.mouse.up()

    page.wait_for_url(lambda url: "from" in query_of(url) and "to" in query_of(url), timeout=WAIT_MS)
    query = query_of(page.url)
    date_from, date_to = dt.date.fromisoformat(query["from"][0]), dt.date.fromisoformat(query["to"][0])
    first, last = dataset.events["date"].min().date(), dataset.events["date"].max().date()
    assert first <= date_from < date_to <= dt.date.today(), (date_from, date_to)
    assert (date_from, date_to) != (first, last)
    wait_script_done(page)
    expected = apply_filters(dataset.events, Filters(date_from=date_from, date_to=date_to))
    expect(count_line(page)).to_have_text(count_text(len(expected), len(dataset.events)))


def test_site_profile(server, browsing, dataset):
    site = dataset.sites.set_index("id").loc["hmeimim"]
    assert site["name"] == "Hmeimim Air Base"
    page = browsing.new_page()
    open_page(page, server + "/sites?site=hmeimim")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_role("heading", name=site["name"])).to_be_visible()
    expect(main.get_by_text("Distances to other sites")).to_be_visible()
    frame = map_frame(page)
    centre = frame.evaluate("() => window.map.getCenter()")
    assert abs(centre["lat"] - site["lat"]) < 0.5 and abs(centre["lng"] - site["lon"]) < 0.5, centre
    # Every other site is listed with a distance.
    distances = main.locator('[data-testid="stDataFrame"]').first
    expect(distances).to_be_visible()
    assert page.locator('[data-testid="stException"]').count() == 0
    assert query_of(page.url) == {"site": ["hmeimim"]}


def test_data_page_downloads(server, browsing, dataset, tmp_path):
    expected = apply_filters(dataset.events, Filters(actors=frozenset({"russia"})))
    assert 0 < len(expected) < len(dataset.events)
    page = browsing.new_page()
    open_page(page, server + "/data?actor=russia")
    expect(count_line(page)).to_have_text(count_text(len(expected), len(dataset.events)))

    buttons = page.locator('[data-testid="stDownloadButton"]')
    expect(buttons).to_have_count(4)
    csv_button = buttons.filter(has_text="CSV")
    expect(csv_button).to_have_count(1)
    expect(csv_button).to_contain_text(f"({len(expected):,})")

    with page.expect_download(timeout=WAIT_MS) as download_info:
        csv_button.get_by_role("button").click()
    download = download_info.value
    assert download.suggested_filename == f"basewatch-events-{dataset.version}.csv"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text(encoding="utf-8"))))
    assert rows[0] == list(config.EVENT_COLUMNS)
    assert len(rows) - 1 == len(expected)
    assert sorted(r[0] for r in rows[1:]) == sorted(expected["id"])
    # Downloading does not rerun into another page or drop the filters.
    assert path_of(page.url) == "/data" and query_of(page.url) == {"actor": ["russia"]}
    # The page's API link for this view answers with the very bytes of the download.
    api_link = page.get_by_role("link", name="events.csv")
    expect(api_link).to_have_attribute("href", f"{server}/api/v1/events.csv?actor=russia")
    answer = page.request.get(api_link.get_attribute("href"))
    assert answer.ok and answer.body() == saved.read_bytes()
