"""`make bench`'s per-action table: how it reads a run, and the event-pick link it chooses (no timing)."""

from __future__ import annotations

from urllib.parse import parse_qs

from basewatch.loading.dataset import load_dataset
from basewatch.state.filters import Filters, filter_mask
from tests.conftest import BUNDLED
from tools import bench_actions


def test_the_table_names_each_action_per_data_set_and_says_where_a_run_stopped():
    runs = {"bundled": {"actions": {"open /map": {"cpu_s": 0.5, "ready_s": 2.0, "sent_bytes": 62_000}},
                        "server_start_s": 1.1, "rss_after_map_timeline_data_mb": 511.5, "rss_end_mb": 515.0},
            "1,000,000": {"actions": {}, "server_start_s": 1.0, "error": "TimeoutError: no map"}}
    text = bench_actions.table(runs)
    assert "| open /map | 0.50 / 2.00 / 62 | not reached |" in text
    assert "| server RSS after /map, /timeline, /data (MB) | 511.5 | – |" in text
    assert "stopped early, 1,000,000: TimeoutError: no map" in text


def test_the_pick_link_shows_points_counted_with_the_apps_filters():
    events = load_dataset(BUNDLED).events
    query = parse_qs(bench_actions.pick_query_for(events, most=10))
    filters = Filters(actors=frozenset(query["actor"]), types=frozenset(query.get("type", ())),
                      statuses=frozenset(query.get("status", ())))
    if "from" in query:
        import datetime as dt
        filters = filters.replace(date_from=dt.date.fromisoformat(query["from"][0]))
    shown = int(events.loc[filter_mask(events, filters), "map_lat"].notna().sum())
    assert 0 < shown <= 10
