"""The event timeline: one lane per actor over the busy period (focus), a strip of the whole span beneath."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from basewatch import config
from basewatch.i18n import _, ngettext
from basewatch.state.catalog import color, label, order, site_names_in, vocabulary
from basewatch.text import localized_date_labels, number
from basewatch.views.charts.common import NARROW_PX, date_domain, status_shape_scale

# Above this many marks the timeline draws monthly counts per actor instead of single events.
MAX_TIMELINE_MARKS = 4000



def _actor_order(events: pd.DataFrame) -> list[str]:
    """The lanes drawn, named and ordered by the catalog."""
    return [label("actor", a) for a in order("actor", events["actor"].unique())]


def _key_moments(start: pd.Timestamp | None, end: pd.Timestamp | None) -> pd.DataFrame:
    moments = pd.DataFrame([(day, _(text)) for day, text in config.KEY_MOMENTS], columns=["date", "label"])
    moments["date"] = pd.to_datetime(moments["date"])
    if start is not None and end is not None:
        moments = moments[(moments["date"] >= start) & (moments["date"] <= end)]
    return moments.reset_index(drop=True)


# Every column the timeline chart reads from its events (the strip beneath reads `date` only).
COLUMNS = ["id", "date", "date_precision", "date_label", "actor", "event_type", "claim_status", "summary",
           "source_name", "place", "site_id", "site_name", "destination_site_id", "destination_name"]


# What the chart reads above MAX_TIMELINE_MARKS, where it draws monthly counts per actor.
BINNED_COLUMNS = ["date", "actor"]


def chart_columns(events: pd.DataFrame) -> list[str]:
    """The chart's columns that `events` has (the destination is an optional column)."""
    return [column for column in COLUMNS if column in events.columns]


def columns_for(events: pd.DataFrame, marks: int) -> list[str]:
    """The columns the chart reads when it draws `marks` events: above MAX_TIMELINE_MARKS, date and actor only."""
    return BINNED_COLUMNS if marks > MAX_TIMELINE_MARKS else chart_columns(events)


def timeline_frame(events: pd.DataFrame, site_labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The columns the timeline draws, with summaries shortened for tooltips (sites named by `site_labels`)."""
    frame = events[["id", "date", "date_label", "actor", "event_type", "claim_status", "summary",
                    "source_name", "place"]].copy()
    frame["summary"] = frame["summary"].str.slice(0, 220)
    frame["date_label"] = localized_date_labels(events)
    frame["filled"] = frame["claim_status"] == "confirmed"
    # Readers see the catalog's names; the fields keep their names (filters and tests read them).
    for column, dim in (("actor", "actor"), ("event_type", "type"), ("claim_status", "status")):
        names = {v: label(dim, v) for v in frame[column].unique()}
        frame[column] = frame[column].map(names)
    # A movement between two sites reads "origin → destination" (blank otherwise); the chart marks it.
    if "destination_name" in events:
        moved = events["destination_name"].notna()
        if {"site_id", "destination_site_id"} <= set(events.columns):
            origin = site_names_in(events["site_id"], events["site_name"], site_labels)
            destination = site_names_in(events["destination_site_id"], events["destination_name"], site_labels)
        else:
            origin, destination = events["site_name"], events["destination_name"]
        frame["movement"] = [f"{o if isinstance(o, str) else ''} → {d}" if m else ""
                             for o, d, m in zip(origin, destination, moved)]
    else:
        frame["movement"] = ""
    return frame


# The focus rule: the timeline opens on the shortest period that holds FOCUS_SHARE of the events,
# widened by FOCUS_PAD_SHARE of its length on each side (at least MIN_FOCUS_PAD) and kept inside the
# data's own span. A few early outliers (1971, 1980s) then no longer squeeze the story into a corner,
# and whatever the filters select decides where the focus is.
FOCUS_SHARE = 0.9
MOVEMENT_COLOR = config.MOVEMENT_COLOR  # the map's movement arcs
FOCUS_PAD_SHARE = 0.1
MIN_FOCUS_PAD = pd.Timedelta(days=120)
# Marks of one lane closer together than 1/STACK_BUCKETS of the focus span share a bucket and are
# stacked within the lane (offsets in pixels), so same-day and same-week events stay apart; the
# largest offset plus a mark's radius stays inside the lane.
STACK_BUCKETS = 160
STACK_OFFSETS = (0, -6, 6, -11, 11)
LABEL_ROW_PX = 14
STRIP_HEIGHT = 44


def full_domain(events: pd.DataFrame) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """First and last event date, widened by 2 % of the span (at least 30 days) so edge marks show."""
    dates = events["date"].dropna()
    if dates.empty:
        return None
    first, last = dates.min(), dates.max()
    pad = max((last - first) * 0.02, pd.Timedelta(days=30))
    return first - pad, last + pad


def focus_domain(events: pd.DataFrame, share: float = FOCUS_SHARE) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The period the timeline opens on: the shortest span holding `share` of the events, padded."""
    dates = np.sort(events["date"].dropna().to_numpy(dtype="datetime64[ns]"))
    if len(dates) == 0:
        return None
    count = max(1, math.ceil(share * len(dates)))
    widths = dates[count - 1:] - dates[: len(dates) - count + 1]
    first = int(np.argmin(widths))  # the earliest of equally short spans
    start, end = pd.Timestamp(dates[first]), pd.Timestamp(dates[first + count - 1])
    pad = max((end - start) * FOCUS_PAD_SHARE, MIN_FOCUS_PAD)
    lo, hi = full_domain(events)
    return max(start - pad, lo), min(end + pad, hi)


def _stack_offsets(frame: pd.DataFrame, domain: tuple[pd.Timestamp, pd.Timestamp]) -> pd.Series:
    """Pixel offset within the lane: marks of one actor in the same small time bucket fan out."""
    bucket_days = max(1.0, (domain[1] - domain[0]).days / STACK_BUCKETS)
    bucket = ((frame["date"] - domain[0]).dt.days // bucket_days).astype("int64")
    order = frame.assign(bucket=bucket).sort_values(["date", "id"]).groupby(["actor", "bucket"]).cumcount()
    return order.reindex(frame.index).map(lambda i: STACK_OFFSETS[i % len(STACK_OFFSETS)])


def _ms(ts: pd.Timestamp) -> int:
    return int(pd.Timestamp(ts).value // 1_000_000)


def timeline_description(events: pd.DataFrame, domain: tuple[pd.Timestamp, pd.Timestamp] | None) -> str:
    """Text alternative of the timeline chart."""
    if domain is None or events.empty:
        return _("Event timeline: no event matches the current filters.")
    actors = _actor_order(events)
    busiest = events["actor"].map(lambda a: label("actor", a)).value_counts()
    in_focus = int(events["date"].between(*domain).sum())
    return ngettext(
        "Event timeline of {count} event from {first} to {last}, one lane per actor ({actors} actors; most events: "
        "{busiest}, {most}). It opens on {start}–{end}, which holds {in_focus} of the events; a strip below shows "
        "the whole span and dragging across it moves the period shown and sets the date filter. Colour is the event "
        "type, shape and fill the claim status. The same events are listed in the table below the chart.",
        "Event timeline of {count} events from {first} to {last}, one lane per actor ({actors} actors; most events: "
        "{busiest}, {most}). It opens on {start}–{end}, which holds {in_focus} of the events; a strip below shows "
        "the whole span and dragging across it moves the period shown and sets the date filter. Colour is the event "
        "type, shape and fill the claim status. The same events are listed in the table below the chart.",
        len(events)).format(count=number(len(events)), first=events["date"].min().year,
                            last=events["date"].max().year, actors=number(len(actors)), busiest=busiest.index[0],
                            most=number(int(busiest.iloc[0])), start=domain[0].year, end=domain[1].year,
                            in_focus=number(in_focus))


def _strip_frame(events: pd.DataFrame) -> pd.DataFrame:
    """Events per month, or per year over a long span (monthly bars would be slivers)."""
    long_span = len(events) and (events["date"].max() - events["date"].min()).days > 15 * 365
    period = events["date"].dt.to_period("Y" if long_span else "M")
    counts = period.value_counts().sort_index()
    return pd.DataFrame({"date": counts.index.to_timestamp(), "end": (counts.index + 1).to_timestamp(),
                         "events": counts.to_numpy()})


def timeline_chart(events: pd.DataFrame, selected_id: str | None = None, height_per_lane: int = 38,
                   context: pd.DataFrame | None = None, site_labels: dict[str, str] | None = None) -> alt.VConcatChart:
    """Focus + context: one lane per actor over the busy period, a strip of the whole span beneath.

    Colour = event type; shape and fill = claim status. Dragging across the strip (interval
    selection "brush" on field `date`) moves the focus; clicking a mark selects it (point selection
    "pick" on field `id`). `context` is what the strip shows (default: the same events); `site_labels`
    names the sites of movements in the reader's language.
    """
    context = events if context is None else context
    actors = _actor_order(events)
    domain = focus_domain(events) or (pd.Timestamp("2015-01-01"), pd.Timestamp("2026-01-01"))
    whole = full_domain(context) or domain
    whole = (min(whole[0], domain[0]), max(whole[1], domain[1]))
    moments = _key_moments(whole[0], whole[1])
    label_rows = 3 if len(moments) else 0
    top = label_rows * LABEL_ROW_PX + 6
    height = top + max(110, height_per_lane * max(len(actors), 1))
    brush = alt.selection_interval(encodings=["x"], name="brush")
    # The focus follows the brush when there is one, else the period the data says the story is in.
    focus_domain_expr = f"(brush && brush.date ? brush.date : [{_ms(domain[0])}, {_ms(domain[1])}])"
    focus_scale = alt.Scale(domain=alt.ExprRef(focus_domain_expr), nice=False)
    # Vega's own multi-level date labels: years over a long focus, months when the brush is short.
    x = alt.X("date:T", title=None, scale=focus_scale, axis=alt.Axis(labelOverlap=True, grid=True))
    # A band per lane without padding: with a yOffset channel Vega-Lite puts a mark at the top of its
    # band plus the offset, so the offsets below add half a lane to sit on the lane's centre line,
    # where the axis writes the lane's name.
    lane_px = (height - top) / max(len(actors), 1)
    y = alt.Y("actor:N", sort=actors, title=None,
              scale=alt.Scale(range=[top, height], paddingInner=0, paddingOuter=0),
              axis=alt.Axis(labelLimit=alt.ExprRef(f"width < {NARROW_PX} ? width : 240"),
                            # On a phone the lane names move inside the plot, to the top of their
                            # lane above its centre line (raised by labelOffset: Vega ignores bandPosition
                            # as an expression), so the marks keep the width.
                            labelAlign=alt.ExprRef(f"width < {NARROW_PX} ? 'left' : 'right'"),
                            labelBaseline=alt.ExprRef(f"width < {NARROW_PX} ? 'top' : 'middle'"),
                            bandPosition=alt.ExprRef(f"width < {NARROW_PX} ? 0 : 0.5"),
                            labelOffset=alt.ExprRef(f"width < {NARROW_PX} ? -14 : 0"),
                            labelPadding=alt.ExprRef(f"width < {NARROW_PX} ? -2 : 4"),
                            labelFontWeight=alt.ExprRef(f"width < {NARROW_PX} ? 'bold' : 'normal'"),
                            ticks=False, domain=False, zindex=1))
    types = vocabulary("type")
    type_scale = alt.Scale(domain=[label("type", t) for t in types], range=[color("type", t) for t in types])

    if len(events) > MAX_TIMELINE_MARKS:
        binned = (events.assign(month=events["date"].dt.to_period("M").dt.to_timestamp(),
                                actor=events["actor"].map(lambda a: label("actor", a)))
                  .groupby(["actor", "month"], observed=True).size().rename("events").reset_index()
                  .rename(columns={"month": "date"}))
        marks = alt.Chart(binned).mark_circle(opacity=0.7, clip=True).encode(
            x=x, y=y, size=alt.Size("events:Q", title=_("Events per month"), scale=alt.Scale(range=[10, 400])),
            color=alt.value(color("actor", "russia")),
            tooltip=[alt.Tooltip("date:T", title=_("Month"), format="%b %Y"), alt.Tooltip("actor:N", title=_("Actor")),
                     alt.Tooltip("events:Q", title=_("Events"))],
        )
    else:
        pick = alt.selection_point(fields=["id"], name="pick", on="click", clear="dblclick")
        frame = timeline_frame(events, site_labels)
        frame["offset"] = _stack_offsets(frame, domain) + lane_px / 2
        encoding = dict(
            x=x, y=y, yOffset=alt.YOffset("offset:Q", scale=None),
            color=alt.Color("event_type:N", title=_("Event type"), scale=type_scale,
                            legend=alt.Legend(orient="top", columns=alt.ExprRef(f"width < {NARROW_PX} ? 2 : 6"), symbolType="circle", symbolSize=90,
                                              symbolStrokeWidth=2.5, direction="horizontal")),
            shape=alt.Shape("claim_status:N", title=_("Claim status"),
                            scale=status_shape_scale(),
                            legend=alt.Legend(orient="top", columns=alt.ExprRef(f"width < {NARROW_PX} ? 3 : 5"),
                                              symbolStrokeColor="#333", symbolStrokeWidth=2,
                                              symbolSize=90, direction="horizontal")),
            tooltip=[alt.Tooltip("date_label:N", title=_("Date")), alt.Tooltip("actor:N", title=_("Actor")),
                     alt.Tooltip("event_type:N", title=_("Type")), alt.Tooltip("claim_status:N", title=_("Status")),
                     alt.Tooltip("summary:N", title=_("Summary")), alt.Tooltip("source_name:N", title=_("Source")),
                     alt.Tooltip("movement:N", title=_("Movement")), alt.Tooltip("id:N", title=_("Event id"))],
        )
        # Confirmed events are filled, the rest hollow: two layers instead of a conditional fill,
        # because a conditional fill blanks the legend's symbols (Vega-Lite paints them white).
        base = alt.Chart(frame)
        hollow = base.transform_filter("!datum.filled").mark_point(
            size=80, strokeWidth=2, opacity=0.95, filled=False, clip=True).encode(**encoding)
        solid = base.transform_filter("datum.filled").mark_point(
            size=80, strokeWidth=2, opacity=0.95, filled=True, clip=True).encode(**encoding)
        present = [layer for layer, rows in ((hollow, ~frame["filled"]), (solid, frame["filled"])) if rows.any()]
        marks = alt.layer(*present).add_params(pick)
        if (frame["movement"] != "").any():
            # Movements between sites get an arrow beside their mark, in the map's arc colour.
            arrows = alt.Chart(frame[frame["movement"] != ""]).mark_text(
                text="➜", dx=11, fontSize=13, color=MOVEMENT_COLOR, clip=True).encode(
                x=x, y=y, yOffset=alt.YOffset("offset:Q", scale=None),
                tooltip=[alt.Tooltip("movement:N", title=_("Movement")), alt.Tooltip("id:N", title=_("Event id"))])
            marks = alt.layer(marks, arrows)
        if selected_id is not None and (frame["id"] == selected_id).any():
            ring = alt.Chart(frame[frame["id"] == selected_id]).mark_point(
                size=420, strokeWidth=3, color="#111", filled=False, clip=True).encode(
                x=x, y=y, yOffset=alt.YOffset("offset:Q", scale=None))
            marks = alt.layer(marks, ring)

    # Key moments: dashed rules with labels in rows at the top of the plot, drawn on a white halo;
    # the last moment in view reads leftwards so it never runs off the right edge.
    moments["row"] = [LABEL_ROW_PX * (1 + i % label_rows) - 2 for i in range(len(moments))] if label_rows else []
    moments["align"] = ["right" if i == len(moments) - 1 and len(moments) > 1 else "left"
                        for i in range(len(moments))]
    moments["dx"] = moments["align"].map({"left": 3, "right": -3})
    rules = alt.Chart(moments).mark_rule(color="#666", strokeDash=[4, 4], clip=True).encode(x=x)
    # A label whose moment lies outside the focus (say, just before it) would stick out of the plot's left
    # edge cut in half; only moments inside what the focus shows, brushed or not, are labelled.
    in_focus = (f"time(datum.date) >= time({focus_domain_expr}[0]) && "
                f"time(datum.date) <= time({focus_domain_expr}[1])")
    label_layers = []
    for align in ("left", "right"):
        subset = moments[moments["align"] == align]
        if subset.empty:
            continue
        for halo in (True, False):
            text = alt.Chart(subset).mark_text(
                align=align, dx=3 if align == "left" else -3, baseline="bottom", fontSize=12, clip=True,
                color="#333", limit=alt.ExprRef("max(110, width * 0.4)"),
                **({"stroke": "white", "strokeWidth": 4, "strokeJoin": "round"} if halo else {}),
            ).encode(x=x, y=alt.Y("row:Q", scale=None), text="label:N").transform_filter(in_focus)
            label_layers.append(text)
    focus = alt.layer(rules, marks, *label_layers).properties(height=height)

    strip = alt.Chart(_strip_frame(context)).mark_bar(color="#5b6270", stroke="white", strokeWidth=0.5).encode(
        x=alt.X("date:T", title=None, scale=alt.Scale(domain=date_domain(*whole), nice=False),
                axis=alt.Axis(format="%Y", labelOverlap=True, tickCount=8)),
        x2="end:T",
        # Square-root heights: a year with one event stays visible next to a year with sixty.
        y=alt.Y("events:Q", title=None, axis=None, scale=alt.Scale(type="sqrt")), y2=alt.datum(0),
        tooltip=[alt.Tooltip("date:T", title=_("From"), format="%b %Y"), alt.Tooltip("events:Q", title=_("Events"))],
    ).add_params(brush).properties(
        height=STRIP_HEIGHT, title=alt.TitleParams(_("Whole period: drag to choose the years shown above"),
                                                   fontSize=12, fontWeight="normal", anchor="start",
                                                   color="#333"))
    # The strip's domain is declared once, on the bars: Vega-Lite 6.5 in the browser merges two equal
    # numeric temporal domains into an empty one (the personnel chart lost its x axis that way).
    strip_rules = alt.Chart(_key_moments(whole[0], whole[1])).mark_rule(color="#666", strokeDash=[2, 2]).encode(
        x="date:T")
    # fit-x: fill the page width while `height` stays the plot's own height; Streamlit's default
    # "fit" would squeeze legends and axes into it and collapse the lanes when there are few actors.
    return (alt.vconcat(focus, alt.layer(strip, strip_rules), spacing=8)
            .resolve_scale(x="independent", color="independent")
            # Canvas, not SVG: Vega draws the brush as two unnamed SVG groups with role graphics-symbol,
            # which screen readers announce as unlabelled images (axe: svg-img-alt). The chart's text
            # alternative is its description; its data is in the events table below it.
            .properties(description=timeline_description(events, domain), padding={"top": 6},
                        usermeta={"embedOptions": {"renderer": "canvas"}},
                        autosize={"type": "fit-x", "contains": "padding"}))
