"""Altair chart builders: the event timeline and personnel estimates. Plain functions returning specs."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from basewatch import config

# Above this many marks the timeline draws monthly counts per actor instead of single events.
MAX_TIMELINE_MARKS = 4000
# Estimates further apart than this are not joined: the chart shows a gap, not an invented trend.
GAP_DAYS = 3 * 365
# Above this many estimates the personnel chart draws one aggregate per group and month.
MAX_PERSONNEL_POINTS = 1500

STATUS_SHAPES = {s: v["shape"] for s, v in config.CLAIM_STATUS_STYLE.items()}
TYPE_COLORS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#882255",
               "#117733", "#999933", "#332288", "#888888"]


def _actor_order(events: pd.DataFrame) -> list[str]:
    # The catalog's order (the controlled list) restricted to the lanes drawn; the schema admits no other actor.
    present = set(events["actor"].unique())
    return [a for a in config.ACTORS if a in present]


def _key_moments(start: pd.Timestamp | None, end: pd.Timestamp | None) -> pd.DataFrame:
    moments = pd.DataFrame(config.KEY_MOMENTS, columns=["date", "label"])
    moments["date"] = pd.to_datetime(moments["date"])
    if start is not None and end is not None:
        moments = moments[(moments["date"] >= start) & (moments["date"] <= end)]
    return moments.reset_index(drop=True)


def timeline_frame(events: pd.DataFrame) -> pd.DataFrame:
    """The columns the timeline draws, with summaries shortened for tooltips."""
    frame = events[["id", "date", "date_label", "actor", "event_type", "claim_status", "summary",
                    "source_name", "place"]].copy()
    frame["summary"] = frame["summary"].str.slice(0, 220)
    frame["filled"] = frame["claim_status"] == "confirmed"
    # A movement between two sites reads "origin → destination" (blank otherwise); the chart marks it.
    if "destination_name" in events:
        moved = events["destination_name"].notna()
        frame["movement"] = (events["site_name"].fillna("") + " → " + events["destination_name"].fillna("")).where(
            moved, "")
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
# Below this plot width (a phone) lane names sit inside the plot and legends wrap.
NARROW_PX = 500


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


def _date_domain(start: pd.Timestamp, end: pd.Timestamp) -> list[str]:
    """A temporal scale domain as ISO days: Vega-Lite 6.5 in the browser misreads numeric ones."""
    return [pd.Timestamp(start).strftime("%Y-%m-%d"), pd.Timestamp(end).strftime("%Y-%m-%d")]


def timeline_description(events: pd.DataFrame, domain: tuple[pd.Timestamp, pd.Timestamp] | None) -> str:
    """Text alternative of the timeline chart."""
    if domain is None or events.empty:
        return "Event timeline: no event matches the current filters."
    actors = _actor_order(events)
    busiest = events["actor"].value_counts()
    in_focus = int(events["date"].between(*domain).sum())
    return (f"Event timeline of {len(events):,} events from {events['date'].min().year} to "
            f"{events['date'].max().year}, one lane per actor ({len(actors)} actors; most events: "
            f"{busiest.index[0]}, {int(busiest.iloc[0]):,}). It opens on {domain[0].year}–{domain[1].year}, "
            f"which holds {in_focus:,} of the events; a strip below shows the whole span and dragging "
            f"across it moves the period shown and sets the date filter. Colour is the event type, shape "
            f"and fill the claim status. The same events are listed in the table below the chart.")


def _strip_frame(events: pd.DataFrame) -> pd.DataFrame:
    """Events per month, or per year over a long span (monthly bars would be slivers)."""
    long_span = len(events) and (events["date"].max() - events["date"].min()).days > 15 * 365
    period = events["date"].dt.to_period("Y" if long_span else "M")
    counts = period.value_counts().sort_index()
    return pd.DataFrame({"date": counts.index.to_timestamp(), "end": (counts.index + 1).to_timestamp(),
                         "events": counts.to_numpy()})


def timeline_chart(events: pd.DataFrame, selected_id: str | None = None, height_per_lane: int = 38,
                   context: pd.DataFrame | None = None) -> alt.VConcatChart:
    """Focus + context: one lane per actor over the busy period, a strip of the whole span beneath.

    Colour = event type; shape and fill = claim status. Dragging across the strip (interval
    selection "brush" on field `date`) moves the focus; clicking a mark selects it (point selection
    "pick" on field `id`). `context` is what the strip shows (default: the same events).
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
    focus_scale = alt.Scale(domain=alt.ExprRef(
        f"brush && brush.date ? brush.date : [{_ms(domain[0])}, {_ms(domain[1])}]"), nice=False)
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
                            # lane above its centre line, so the marks keep the width.
                            labelAlign=alt.ExprRef(f"width < {NARROW_PX} ? 'left' : 'right'"),
                            labelBaseline=alt.ExprRef(f"width < {NARROW_PX} ? 'top' : 'middle'"),
                            bandPosition=alt.ExprRef(f"width < {NARROW_PX} ? 0 : 0.5"),
                            labelPadding=alt.ExprRef(f"width < {NARROW_PX} ? -2 : 4"),
                            labelFontWeight=alt.ExprRef(f"width < {NARROW_PX} ? 'bold' : 'normal'"),
                            ticks=False, domain=False))
    type_scale = alt.Scale(domain=list(config.EVENT_TYPES), range=TYPE_COLORS)

    if len(events) > MAX_TIMELINE_MARKS:
        binned = (events.assign(month=events["date"].dt.to_period("M").dt.to_timestamp())
                  .groupby(["actor", "month"], observed=True).size().rename("events").reset_index()
                  .rename(columns={"month": "date"}))
        marks = alt.Chart(binned).mark_circle(opacity=0.7, clip=True).encode(
            x=x, y=y, size=alt.Size("events:Q", title="Events per month", scale=alt.Scale(range=[10, 400])),
            color=alt.value(config.ACTOR_COLORS["Russia"]),
            tooltip=[alt.Tooltip("date:T", title="Month", format="%b %Y"), "actor:N", "events:Q"],
        )
    else:
        pick = alt.selection_point(fields=["id"], name="pick", on="click", clear="dblclick")
        frame = timeline_frame(events)
        frame["offset"] = _stack_offsets(frame, domain) + lane_px / 2
        encoding = dict(
            x=x, y=y, yOffset=alt.YOffset("offset:Q", scale=None),
            color=alt.Color("event_type:N", title="Event type", scale=type_scale,
                            legend=alt.Legend(orient="top", columns=alt.ExprRef(f"width < {NARROW_PX} ? 2 : 6"), symbolType="circle", symbolSize=90,
                                              symbolStrokeWidth=2.5, direction="horizontal")),
            shape=alt.Shape("claim_status:N", title="Claim status",
                            scale=alt.Scale(domain=list(STATUS_SHAPES), range=list(STATUS_SHAPES.values())),
                            legend=alt.Legend(orient="top", columns=alt.ExprRef(f"width < {NARROW_PX} ? 3 : 5"),
                                              symbolStrokeColor="#333", symbolStrokeWidth=2,
                                              symbolSize=90, direction="horizontal")),
            tooltip=[alt.Tooltip("date_label:N", title="Date"), alt.Tooltip("actor:N", title="Actor"),
                     alt.Tooltip("event_type:N", title="Type"), alt.Tooltip("claim_status:N", title="Status"),
                     alt.Tooltip("summary:N", title="Summary"), alt.Tooltip("source_name:N", title="Source"),
                     alt.Tooltip("movement:N", title="Movement"), alt.Tooltip("id:N", title="Event id")],
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
                tooltip=[alt.Tooltip("movement:N", title="Movement"), alt.Tooltip("id:N", title="Event id")])
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
            ).encode(x=x, y=alt.Y("row:Q", scale=None), text="label:N")
            label_layers.append(text)
    focus = alt.layer(rules, marks, *label_layers).properties(height=height)

    strip = alt.Chart(_strip_frame(context)).mark_bar(color="#5b6270", stroke="white", strokeWidth=0.5).encode(
        x=alt.X("date:T", title=None, scale=alt.Scale(domain=_date_domain(*whole), nice=False),
                axis=alt.Axis(format="%Y", labelOverlap=True, tickCount=8)),
        x2="end:T",
        # Square-root heights: a year with one event stays visible next to a year with sixty.
        y=alt.Y("events:Q", title=None, axis=None, scale=alt.Scale(type="sqrt")), y2=alt.datum(0),
        tooltip=[alt.Tooltip("date:T", title="From", format="%b %Y"), alt.Tooltip("events:Q", title="Events")],
    ).add_params(brush).properties(
        height=STRIP_HEIGHT, title=alt.TitleParams("Whole period: drag to choose the years shown above",
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


def _monthly_aggregate(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per group and month: lowest low, highest high, median midpoint, how many estimates."""
    month = frame["date"].dt.to_period("M").dt.to_timestamp()
    grouped = frame.assign(month=month).groupby(["group", "month"], observed=True)
    out = grouped.agg(low=("low", "min"), high=("high", "max"), mid=("mid", "median"), n=("id", "size"),
                      claim_status=("claim_status", lambda s: s.mode().iat[0]), actor=("actor", "first"))
    out = out.reset_index().rename(columns={"month": "date"})
    out["id"] = ""
    out["date_label"] = out["date"].dt.strftime("%b %Y")
    out["range"] = [f"{int(lo):,}–{int(hi):,} ({n:,} estimates)" for lo, hi, n in zip(out["low"], out["high"], out["n"])]
    out["source_name"] = out["n"].map(lambda n: f"{n:,} estimates this month")
    out["summary"] = "Monthly aggregate of many estimates: lowest low, highest high, median midpoint."
    return out


def personnel_frame(events: pd.DataFrame, by: str = "country", max_points: int = MAX_PERSONNEL_POINTS) -> pd.DataFrame:
    """Estimates with a range, one row each, with a `segment` that breaks lines across long gaps.

    `by="country"` keeps country-wide figures (rows without a site); `by="site"` keeps per-site ones.
    `segment_size` counts the estimates of the row's segment: a lone estimate has no band or line.
    """
    has_range = events["personnel_low"].notna() & events["personnel_high"].notna()
    scoped = events["site_id"].isna() if by == "country" else events["site_id"].notna()
    frame = events[has_range & scoped].copy()
    frame["group"] = frame["country"].map(config.country_name) if by == "country" else frame["site_name"]
    frame["low"] = frame["personnel_low"].astype("float64")
    frame["high"] = frame["personnel_high"].astype("float64")
    frame["mid"] = (frame["low"] + frame["high"]) / 2
    codes = dict(zip(frame["group"], frame["country"]))
    if len(frame) > max_points:
        frame = _monthly_aggregate(frame)
    else:
        frame["range"] = [f"{int(lo):,}" if lo == hi else f"{int(lo):,}–{int(hi):,}"
                          for lo, hi in zip(frame["low"], frame["high"])]
    frame["country"] = frame["group"].map(codes)
    frame = frame.sort_values(["group", "date", "id"])
    gaps = frame.groupby("group")["date"].diff().dt.days.fillna(0) > GAP_DAYS
    frame["segment"] = frame["group"] + "#" + gaps.groupby(frame["group"]).cumsum().astype(int).astype(str)
    frame["segment_size"] = frame.groupby("segment")["id"].transform("size").astype("int64")
    return frame[["id", "date", "date_label", "group", "country", "segment", "segment_size", "low", "high", "mid",
                  "range", "claim_status", "source_name", "summary", "actor"]]


# Up to this many series the names sit at the end of each line instead of in a legend.
MAX_DIRECT_LABELS = 4
PERSONNEL_FALLBACK_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000",
                             "#882255", "#117733", "#999933", "#332288", "#888888"]


def _year_step(start: pd.Timestamp, end: pd.Timestamp, max_ticks: int = 8) -> int:
    """Years between x-axis ticks so that at most `max_ticks` labels show, each a different year."""
    return max(1, math.ceil((end.year - start.year + 1) / max_ticks))


def group_colors(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(groups, colours): a country's colour from config.COUNTRY_COLORS, else a colour-blind-safe one."""
    groups = sorted(frame["group"].unique())
    spare = [c for c in PERSONNEL_FALLBACK_COLORS if c not in config.COUNTRY_COLORS.values()]
    colors, used = [], 0
    for group in groups:
        code = frame.loc[frame["group"] == group, "country"].iloc[0]
        if len(groups) <= len(config.COUNTRY_COLORS) and code in config.COUNTRY_COLORS and \
                frame.groupby("group")["country"].first().value_counts().max() == 1:
            colors.append(config.COUNTRY_COLORS[code])
        else:
            colors.append(spare[used % len(spare)])
            used += 1
    return groups, colors


def personnel_description(frame: pd.DataFrame, title: str) -> str:
    """Text alternative of a personnel chart: each series' span and latest estimate."""
    parts = []
    for group, rows in frame.sort_values("date").groupby("group"):
        last = rows.iloc[-1]
        parts.append(f"{group}: {len(rows)} estimate{'s' if len(rows) != 1 else ''} from {rows['date'].min().year} "
                     f"to {rows['date'].max().year}, latest {last['range']} ({last['date_label']})")
    return f"{title}. " + "; ".join(parts) + ". Each estimate is a point with a bar from its low to its high figure."


def personnel_chart(frame: pd.DataFrame, title: str = "Estimated Russian personnel") -> alt.LayerChart:
    """Band from low to high and a stepped midpoint line per run of estimates; a point and error bar each.

    A lone estimate is only a point with its low–high bar (a band would draw a spike to nowhere).
    Up to MAX_DIRECT_LABELS series are named at their last estimate instead of in a legend.
    """
    groups, colors = group_colors(frame)
    direct = len(groups) <= MAX_DIRECT_LABELS
    group_color = alt.Color("group:N", title=None, scale=alt.Scale(domain=groups, range=colors),
                            legend=None if direct else alt.Legend(orient="top", labelLimit=260))
    start, end = frame["date"].min(), frame["date"].max()
    # At least two years wide, so a lone estimate sits between two labelled years; then room for the
    # first and last point, and on the right for the series names.
    short = max(pd.Timedelta(days=730) - (end - start), pd.Timedelta(0))
    start, end = start - short / 2, end + short / 2
    span = end - start
    domain = (start - span * 0.05, end + span * (0.22 if direct else 0.05))
    x = alt.X("date:T", title=None, scale=alt.Scale(domain=_date_domain(*domain), nice=False),
              axis=alt.Axis(format="%Y", tickCount={"interval": "year", "step": _year_step(*domain)},
                            labelOverlap=True, grid=True))
    y_scale = alt.Scale(domain=[0, float(frame["high"].max()) * 1.08], nice=True, zero=True)
    # The x domain is declared on one layer only (the error bars, always drawn): Vega-Lite 6.5 in the
    # browser turns repeated numeric temporal domains into an empty union and draws no x axis.
    x_shared = alt.X("date:T", title=None)
    base = alt.Chart(frame).encode(x=x_shared)
    runs = base.transform_filter("datum.segment_size > 1")
    band = runs.mark_area(opacity=0.18, interpolate="step-after").encode(
        y=alt.Y("low:Q", title="Personnel (low–high)", scale=y_scale, axis=alt.Axis(format=",d")), y2="high:Q",
        color=group_color, detail="segment:N")
    line = runs.mark_line(interpolate="step-after", strokeWidth=2).encode(
        y=alt.Y("mid:Q", scale=y_scale), color=group_color, detail="segment:N")
    bars = base.mark_rule(strokeWidth=2, opacity=0.75).encode(
        x=x, y=alt.Y("low:Q", title="Personnel (low–high)", scale=y_scale, axis=alt.Axis(format=",d")),
        y2="high:Q", color=group_color)
    point_encoding = dict(
        y=alt.Y("mid:Q", scale=y_scale), color=group_color,
        shape=alt.Shape("claim_status:N", title="Claim status",
                        scale=alt.Scale(domain=list(STATUS_SHAPES), range=list(STATUS_SHAPES.values())),
                        legend=alt.Legend(orient="bottom", symbolStrokeColor="#333", symbolStrokeWidth=2,
                                          columns=alt.ExprRef(f"width < {NARROW_PX} ? 3 : 5"))),
        tooltip=[alt.Tooltip("date_label:N", title="Date"), alt.Tooltip("group:N", title="Where"),
                 alt.Tooltip("range:N", title="Personnel"), alt.Tooltip("claim_status:N", title="Status"),
                 alt.Tooltip("source_name:N", title="Source"), alt.Tooltip("summary:N", title="Summary")])
    # Confirmed estimates are solid, the others hollow, as on the timeline and map.
    solid = base.transform_filter("datum.claim_status === 'confirmed'").mark_point(
        size=70, filled=True, opacity=1).encode(**point_encoding)
    hollow = base.transform_filter("datum.claim_status !== 'confirmed'").mark_point(
        size=70, filled=False, strokeWidth=2, opacity=1).encode(**point_encoding)
    # Only layers that have data: Vega gives an empty mark group no accessible name (axe: svg-img-alt).
    confirmed = (frame["claim_status"] == "confirmed").any()
    points = [layer for layer, present in ((hollow, not (frame["claim_status"] == "confirmed").all()),
                                           (solid, confirmed)) if present]
    layers = [*([band, line] if (frame["segment_size"] > 1).any() else []), bars, *points]
    if direct:
        last = frame.sort_values("date").groupby("group").tail(1).copy()
        last["label"] = last["group"].map(lambda g: str(g).split(" (")[0].split(",")[0])
        labels = alt.Chart(last).mark_text(align="left", dx=8, fontSize=12, fontWeight="bold",
                                           limit=alt.ExprRef("max(80, width * 0.2)")).encode(
            x=x_shared, y=alt.Y("mid:Q", scale=y_scale), text="label:N", color=group_color)
        layers.append(labels)
    return alt.layer(*layers).properties(
        title=title, height=300, description=personnel_description(frame, title),
        autosize={"type": "fit-x", "contains": "padding"})
