"""What every chart shares: claim-status shapes, the phone breakpoint, temporal domains Vega-Lite reads right."""

from __future__ import annotations

import altair as alt
import pandas as pd

from basewatch.state.catalog import label, shape, vocabulary

# Below this plot width (a phone) lane names sit inside the plot and legends wrap.
NARROW_PX = 500


def date_domain(start: pd.Timestamp, end: pd.Timestamp) -> list[str]:
    """A temporal scale domain as ISO days: Vega-Lite 6.5 in the browser misreads numeric ones."""
    return [pd.Timestamp(start).strftime("%Y-%m-%d"), pd.Timestamp(end).strftime("%Y-%m-%d")]


def status_shape_scale() -> alt.Scale:
    """Claim status → mark shape, keyed by the names readers see (the legend shows them)."""
    statuses = vocabulary("status")
    return alt.Scale(domain=[label("status", s) for s in statuses], range=[shape(s) for s in statuses])
