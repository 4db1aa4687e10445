"""The filter model shared by every page, and vectorised filtering of the events table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Filters:
    """What the reader narrowed the events to; empty sets and None dates mean 'everything'."""

    actors: frozenset[str] = field(default_factory=frozenset)
    types: frozenset[str] = field(default_factory=frozenset)
    statuses: frozenset[str] = field(default_factory=frozenset)
    countries: frozenset[str] = field(default_factory=frozenset)
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    @property
    def is_default(self) -> bool:
        """True when nothing is filtered."""
        return self == Filters()


def filter_mask(events: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Boolean mask of the events matching `filters` (slug columns precomputed by the loader).

    An event whose date is imprecise (a month, a year) matches when its period overlaps the range.
    """
    mask = np.ones(len(events), dtype=bool)
    for column, wanted in (("actor_slug", filters.actors), ("type_slug", filters.types),
                           ("status_slug", filters.statuses), ("country_slug", filters.countries)):
        if wanted:
            mask &= events[column].isin(wanted).to_numpy()
    if filters.date_from is not None:
        mask &= (events["date_end"] >= pd.Timestamp(filters.date_from)).to_numpy()
    if filters.date_to is not None:
        mask &= (events["date"] <= pd.Timestamp(filters.date_to)).to_numpy()
    return mask


def apply_filters(events: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The events matching `filters`, in the loader's order."""
    if filters.is_default:
        return events
    return events[filter_mask(events, filters)]
