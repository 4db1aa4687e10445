"""Event clusters at bundled size say what the legend says: neutral with their actor mix, never
Leaflet.markercluster's default green, yellow and orange by size, which read as site statuses (issue 20)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from basewatch import config
from tools.server import RunningServer, streamlit_server

from .conftest import WAIT_MS, map_frame, open_page

# Leaflet.markercluster's default fills (MarkerCluster.Default.css), as getComputedStyle reports them.
DEFAULT_FILLS = ("rgba(181, 226, 140", "rgba(110, 204, 57", "rgba(241, 211, 87", "rgba(240, 194, 12",
                 "rgba(253, 156, 115", "rgba(241, 128, 23")


@pytest.fixture(scope="module")
def bundled_server() -> Iterator[RunningServer]:
    """A server on the bundled data set (hundreds of events: the map opens on clusters)."""
    with streamlit_server(data_dir=config.BUNDLED_DATA_DIR) as base:
        yield base


def test_clusters_at_bundled_size_show_their_actor_mix_not_the_default_colours(bundled_server, browsing):
    page = browsing.new_page()
    open_page(page, bundled_server + "/map")
    frame = map_frame(page)
    frame.wait_for_selector(".marker-cluster", state="attached", timeout=WAIT_MS)
    clusters = frame.evaluate("""() => [...document.querySelectorAll('.marker-cluster')].map(el => ({
        cls: el.className, fill: getComputedStyle(el).backgroundColor,
        inner: el.firstElementChild ? getComputedStyle(el.firstElementChild).backgroundImage
                                    + ' ' + getComputedStyle(el.firstElementChild).backgroundColor : ''}))""")
    assert clusters, "no cluster on the bundled map"
    for cluster in clusters:
        assert "bw-cluster" in cluster["cls"], cluster
        assert not any(size in cluster["cls"] for size in ("marker-cluster-small", "marker-cluster-medium",
                                                            "marker-cluster-large")), cluster
        assert not cluster["fill"].startswith(DEFAULT_FILLS), cluster
        assert not cluster["inner"].split(" ", 1)[-1].startswith(DEFAULT_FILLS), cluster
        assert "conic-gradient" in cluster["inner"], cluster  # the ring of actor colours
