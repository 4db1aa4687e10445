"""How much weight each source carries, as shown to readers: publisher labels and citation counts."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from basewatch.loading.publishers import host_of, url_sets


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


def citations_per_publisher(events: pd.DataFrame, publishers: pd.DataFrame,
                            known: list[list[str]] | None = None) -> pd.DataFrame:
    """The registry with how many of `events` cite each host (primary or further source); `known`: the
    loader's source sets (Dataset.source_sets)."""
    codes, url_lists = url_sets(events, known)
    events_per_set = np.bincount(codes[codes >= 0], minlength=len(url_lists))
    counts: Counter = Counter()
    for urls, n in zip(url_lists, events_per_set):
        for host in dict.fromkeys(host_of(u) for u in urls):  # an event citing a host twice counts once
            counts[host] += int(n)
    table = publishers.assign(events=publishers["host"].map(dict(counts)).fillna(0).astype(int))
    return table.sort_values(["events", "publisher"], ascending=[False, True])
