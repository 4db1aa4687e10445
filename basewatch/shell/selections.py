"""What a reader picked in a chart or table, parsed from Streamlit's selection payloads (pure)."""

from __future__ import annotations

import datetime as dt

import pandas as pd


def brushed_period(selection) -> tuple[dt.date, dt.date] | None:
    """The (from, to) days of an Altair x-brush selection named `brush`, if any."""
    try:
        values = selection["selection"]["brush"]["date"]
    except (KeyError, TypeError):
        return None
    if not values or len(values) != 2:
        return None
    days = sorted(pd.to_datetime(v, unit="ms" if isinstance(v, (int, float)) else None).date() for v in values)
    return days[0], days[1]


def picked_value(selection, param: str = "pick", field: str = "id") -> str | None:
    """The value of `field` in the first point of a chart's point selection `param`, if any."""
    try:
        points = selection["selection"][param]
    except (KeyError, TypeError):
        return None
    return points[0].get(field) if points else None


def picked_event(selection) -> str | None:
    """The event id clicked in the timeline, if any."""
    return picked_value(selection, "pick", "id")


def picked_row(selection, table: pd.DataFrame, column: str = "id") -> str | None:
    """The `column` value of the row selected in a st.dataframe showing `table`, if any."""
    rows = selection.selection.rows if selection is not None else []
    return table.iloc[rows[0]][column] if rows and rows[0] < len(table) else None
