"""How much weight each source carries, as shown to readers: publisher labels and citation counts."""

from __future__ import annotations

import pandas as pd

from basewatch.loading.publishers import event_urls, host_of


def host_labels(publishers: pd.DataFrame) -> dict[str, str]:
    """Host → 'Reuters (wire)', with 'state-affiliated' and 'copy of X' marks where they apply."""
    labels = {}
    for row in publishers.itertuples(index=False):
        marks = [row.kind] + (["state-affiliated"] if row.state_affiliated else []) + (
            [f"copy of {row.copies_of}"] if row.copies_of else [])
        labels[row.host] = f"{row.publisher} ({', '.join(marks)})"
    return labels


def source_label(url: str, labels: dict[str, str]) -> str:
    """The label of one source link: its publisher and kind, or its host when the registry lacks it."""
    host = host_of(url)
    return labels.get(host, host)


def citations_per_publisher(events: pd.DataFrame, publishers: pd.DataFrame) -> pd.DataFrame:
    """The registry with how many of `events` cite each host (primary or further source)."""
    hosts = event_urls(events).map(lambda urls: list(dict.fromkeys(host_of(u) for u in urls))).explode()
    counts = hosts.value_counts()
    table = publishers.assign(events=publishers["host"].map(counts).fillna(0).astype(int))
    return table.sort_values(["events", "publisher"], ascending=[False, True])
