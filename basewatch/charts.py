"""Altair chart builders: the event timeline and personnel estimates. Plain functions returning specs."""

from __future__ import annotations

import altair as alt
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
    present = set(events["actor"].unique())
    return [a for a in config.ACTORS if a in present] + sorted(present - set(config.ACTORS))


def _key_moments(start: pd.Timestamp | None, end: pd.Timestamp | None) -> pd.DataFrame:
    moments = pd.DataFrame(config.KEY_MOMENTS, columns=["date", "label"])
    moments["date"] = pd.to_datetime(moments["date"])
    if start is not None and end is not None:
        moments = moments[(moments["date"] >= start) & (moments["date"] <= end)]
    return moments


def timeline_frame(events: pd.DataFrame) -> pd.DataFrame:
    """The columns the timeline draws, with summaries shortened for tooltips."""
    frame = events[["id", "date", "date_label", "actor", "event_type", "claim_status", "summary",
                    "source_name", "place"]].copy()
    frame["summary"] = frame["summary"].str.slice(0, 220)
    frame["filled"] = frame["claim_status"] == "confirmed"
    return frame


def timeline_chart(events: pd.DataFrame, selected_id: str | None = None, height_per_lane: int = 34) -> alt.LayerChart:
    """One lane per actor; colour = event type; shape and fill = claim status; brush to pick a period."""
    actors = _actor_order(events)
    height = max(140, height_per_lane * max(len(actors), 1))
    brush = alt.selection_interval(encodings=["x"], name="brush")
    start, end = (events["date"].min(), events["date"].max()) if len(events) else (None, None)
    x = alt.X("date:T", title=None, axis=alt.Axis(format="%Y", labelOverlap=True, grid=True))
    y = alt.Y("actor:N", sort=actors, title=None, axis=alt.Axis(labelLimit=220))
    type_scale = alt.Scale(domain=list(config.EVENT_TYPES), range=TYPE_COLORS)

    if len(events) > MAX_TIMELINE_MARKS:
        binned = (events.assign(month=events["date"].dt.to_period("M").dt.to_timestamp())
                  .groupby(["actor", "month"], observed=True).size().rename("events").reset_index()
                  .rename(columns={"month": "date"}))
        marks = alt.Chart(binned).mark_circle(opacity=0.7).encode(
            x=x, y=y, size=alt.Size("events:Q", title="Events per month", scale=alt.Scale(range=[10, 400])),
            color=alt.value(config.ACTOR_COLORS["Russia"]),
            tooltip=[alt.Tooltip("date:T", title="Month", format="%b %Y"), "actor:N", "events:Q"],
        ).add_params(brush)
    else:
        pick = alt.selection_point(fields=["id"], name="pick", on="click", clear="dblclick")
        frame = timeline_frame(events)
        marks = alt.Chart(frame).mark_point(size=90, strokeWidth=2, opacity=0.9).encode(
            x=x, y=y,
            color=alt.Color("event_type:N", title="Event type", scale=type_scale,
                            legend=alt.Legend(orient="bottom", columns=4)),
            shape=alt.Shape("claim_status:N", title="Claim status",
                            scale=alt.Scale(domain=list(STATUS_SHAPES), range=list(STATUS_SHAPES.values())),
                            legend=alt.Legend(orient="bottom", symbolStrokeColor="#333",
                                              symbolFillColor="white", symbolStrokeWidth=1.5, symbolOpacity=1)),
            fill=alt.condition("datum.filled", alt.Color("event_type:N", scale=type_scale, legend=None),
                               alt.value("white")),
            tooltip=[alt.Tooltip("date_label:N", title="Date"), alt.Tooltip("actor:N", title="Actor"),
                     alt.Tooltip("event_type:N", title="Type"), alt.Tooltip("claim_status:N", title="Status"),
                     alt.Tooltip("summary:N", title="Summary"), alt.Tooltip("source_name:N", title="Source"),
                     alt.Tooltip("id:N", title="Event id")],
        ).add_params(brush, pick)
        if selected_id is not None and (frame["id"] == selected_id).any():
            ring = alt.Chart(frame[frame["id"] == selected_id]).mark_point(
                size=420, strokeWidth=3, color="#111", filled=False).encode(x="date:T", y=alt.Y("actor:N", sort=actors))
            marks = alt.layer(marks, ring)

    moments = _key_moments(start, end)
    # Key moments cluster in 2015-2017; stagger their labels on three rows so they stay readable.
    moments["row"] = [-4 - 13 * (i % 3) for i in range(len(moments))]
    rules = alt.Chart(moments).mark_rule(color="#666", strokeDash=[4, 4]).encode(x="date:T")
    labels = alt.Chart(moments).mark_text(align="right", dx=-3, baseline="bottom", fontSize=11,
                                          color="#444").encode(x="date:T", y=alt.Y("row:Q", scale=None),
                                                               text="label:N")
    # fit-x: fill the page width while `height` stays the plot's own height; Streamlit's default
    # "fit" would squeeze legends and axes into it and collapse the lanes when there are few actors.
    return (alt.layer(rules, labels, marks)
            .properties(height=height, padding={"top": 40}, autosize={"type": "fit-x", "contains": "padding"})
            .resolve_scale(color="independent"))


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
    """
    has_range = events["personnel_low"].notna() & events["personnel_high"].notna()
    scoped = events["site_id"].isna() if by == "country" else events["site_id"].notna()
    frame = events[has_range & scoped].copy()
    frame["group"] = frame["country"].map(config.country_name) if by == "country" else frame["site_name"]
    frame["low"] = frame["personnel_low"].astype("float64")
    frame["high"] = frame["personnel_high"].astype("float64")
    frame["mid"] = (frame["low"] + frame["high"]) / 2
    if len(frame) > max_points:
        frame = _monthly_aggregate(frame)
    else:
        frame["range"] = [f"{int(lo):,}" if lo == hi else f"{int(lo):,}–{int(hi):,}"
                          for lo, hi in zip(frame["low"], frame["high"])]
    frame = frame.sort_values(["group", "date", "id"])
    gaps = frame.groupby("group")["date"].diff().dt.days.fillna(0) > GAP_DAYS
    frame["segment"] = frame["group"] + "#" + gaps.groupby(frame["group"]).cumsum().astype(int).astype(str)
    return frame[["id", "date", "date_label", "group", "segment", "low", "high", "mid", "range",
                  "claim_status", "source_name", "summary", "actor"]]


def personnel_chart(frame: pd.DataFrame, title: str = "Estimated Russian personnel") -> alt.LayerChart:
    """Band from low to high, a stepped line through the midpoint, a point per estimate."""
    group_color = alt.Color("group:N", title=None, legend=alt.Legend(orient="top"))
    base = alt.Chart(frame).encode(x=alt.X("date:T", title=None, axis=alt.Axis(format="%Y")))
    band = base.mark_area(opacity=0.18, interpolate="step-after").encode(
        y=alt.Y("low:Q", title="Personnel (low–high)"), y2="high:Q", color=group_color, detail="segment:N")
    line = base.mark_line(interpolate="step-after", strokeWidth=2).encode(
        y="mid:Q", color=group_color, detail="segment:N")
    points = base.mark_point(size=70, filled=True).encode(
        y="mid:Q", color=group_color,
        shape=alt.Shape("claim_status:N", title="Claim status",
                        scale=alt.Scale(domain=list(STATUS_SHAPES), range=list(STATUS_SHAPES.values()))),
        tooltip=[alt.Tooltip("date_label:N", title="Date"), alt.Tooltip("group:N", title="Where"),
                 alt.Tooltip("range:N", title="Personnel"), alt.Tooltip("claim_status:N", title="Status"),
                 alt.Tooltip("source_name:N", title="Source"), alt.Tooltip("summary:N", title="Summary")])
    bars = base.mark_rule(strokeWidth=1.5, opacity=0.6).encode(y="low:Q", y2="high:Q", color=group_color)
    return alt.layer(band, line, bars, points).properties(
        title=title, height=300, autosize={"type": "fit-x", "contains": "padding"})
