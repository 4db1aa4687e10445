"""The personnel chart: each source's low–high estimate as a point with a bar, runs of estimates as bands."""

from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from basewatch.i18n import _, ngettext
from basewatch.state.catalog import color, label, site_names_in
from basewatch.text import date_label, localized_date_labels, number
from basewatch.views.charts.common import NARROW_PX, date_domain, status_shape_scale

# Estimates further apart than this are not joined: the chart shows a gap, not an invented trend.
GAP_DAYS = 3 * 365
# Above this many estimates the personnel chart draws one aggregate per group and month.
MAX_PERSONNEL_POINTS = 1500


def _monthly_aggregate(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per group and month: lowest low, highest high, median midpoint, how many estimates."""
    month = frame["date"].dt.to_period("M").dt.to_timestamp()
    grouped = frame.assign(month=month).groupby(["group", "month"], observed=True)
    out = grouped.agg(low=("low", "min"), high=("high", "max"), mid=("mid", "median"), n=("low", "size"),
                      claim_status=("claim_status", lambda s: s.mode().iat[0]), actor=("actor", "first"))
    out = out.reset_index().rename(columns={"month": "date"})
    out["id"] = ""
    out["date_label"] = [date_label(d, "month") for d in out["date"]]
    out["range"] = [ngettext("{low}–{high} ({count} estimate)", "{low}–{high} ({count} estimates)", n).format(
        low=number(lo), high=number(hi), count=number(n)) for lo, hi, n in zip(out["low"], out["high"], out["n"])]
    out["source_name"] = out["n"].map(lambda n: ngettext("{count} estimate this month", "{count} estimates this month",
                                                         n).format(count=number(n)))
    out["summary"] = _("Monthly aggregate of many estimates: lowest low, highest high, median midpoint.")
    return out


# Every column personnel_frame reads. The events are memory-mapped from the validated cache: taking every
# column of 137,000 scattered rows (1M events) paged in the whole 900 MB file.
COLUMNS = ["id", "date", "date_precision", "date_label", "country", "site_id", "site_name", "personnel_low",
           "personnel_high", "claim_status", "source_name", "summary", "actor"]


def has_estimate(events: pd.DataFrame, by: str) -> np.ndarray:
    """The rows personnel_frame keeps: a low–high range, country-wide (`by="country"`) or at a site."""
    has_range = events["personnel_low"].notna() & events["personnel_high"].notna()
    scoped = events["site_id"].isna() if by == "country" else events["site_id"].notna()
    return (has_range & scoped).to_numpy(dtype=bool)


# What the monthly aggregates never read: each estimate's id, own date, source and summary.
NOT_AGGREGATED = ("id", "date_precision", "date_label", "source_name", "summary")


def columns_for(estimates: int) -> list[str]:
    """The columns personnel_frame needs for this many estimates: above MAX_PERSONNEL_POINTS it draws monthly
    aggregates, which read no per-estimate text (scattered rows of each text column page most of it in)."""
    return COLUMNS if estimates <= MAX_PERSONNEL_POINTS else [c for c in COLUMNS if c not in NOT_AGGREGATED]


def personnel_frame(events: pd.DataFrame, by: str = "country", max_points: int = MAX_PERSONNEL_POINTS,
                    site_labels: dict[str, str] | None = None) -> pd.DataFrame:
    """Estimates with a range, one row each, with a `segment` that breaks lines across long gaps.

    `by="country"` keeps country-wide figures (rows without a site); `by="site"` keeps per-site ones, each
    named by `site_labels` (site id → the name in the reader's language) where given.
    `segment_size` counts the estimates of the row's segment: a lone estimate has no band or line.
    """
    has_range = events["personnel_low"].notna() & events["personnel_high"].notna()
    scoped = events["site_id"].isna() if by == "country" else events["site_id"].notna()
    frame = events[has_range & scoped].copy()
    if by == "country":
        frame["group"] = frame["country"].map(lambda c: label("country", c))
    else:
        frame["group"] = pd.Series(site_names_in(frame["site_id"], frame["site_name"], site_labels),
                                   index=frame.index, dtype=object)  # text even when no row is left
    frame["low"] = frame["personnel_low"].astype("float64")
    frame["high"] = frame["personnel_high"].astype("float64")
    frame["mid"] = (frame["low"] + frame["high"]) / 2
    codes = dict(zip(frame["group"], frame["country"]))
    if len(frame) > max_points:
        frame = _monthly_aggregate(frame)
    else:
        frame["date_label"] = localized_date_labels(frame)
        frame["range"] = [number(lo) if lo == hi else f"{number(lo)}–{number(hi)}"
                          for lo, hi in zip(frame["low"], frame["high"])]
    frame["country"] = frame["group"].map(codes)
    frame["confirmed"] = frame["claim_status"] == "confirmed"
    frame["claim_status"] = frame["claim_status"].map(lambda s: label("status", s))
    frame = frame.sort_values(["group", "date", "id"])
    gaps = frame.groupby("group")["date"].diff().dt.days.fillna(0) > GAP_DAYS
    frame["segment"] = frame["group"] + "#" + gaps.groupby(frame["group"]).cumsum().astype(int).astype(str)
    frame["segment_size"] = frame.groupby("segment")["id"].transform("size").astype("int64")
    return frame[["id", "date", "date_label", "group", "country", "segment", "segment_size", "low", "high", "mid",
                  "range", "claim_status", "confirmed", "source_name", "summary", "actor"]]


# Up to this many series the names sit at the end of each line instead of in a legend.
MAX_DIRECT_LABELS = 4
PERSONNEL_FALLBACK_COLORS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000",
                             "#882255", "#117733", "#999933", "#332288", "#888888"]


def _year_step(start: pd.Timestamp, end: pd.Timestamp, max_ticks: int = 8) -> int:
    """Years between x-axis ticks so that at most `max_ticks` labels show, each a different year."""
    return max(1, math.ceil((end.year - start.year + 1) / max_ticks))


def group_colors(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(groups, colours): each country's own colour from the catalog, else a spare colour-blind-safe one."""
    groups = sorted(frame["group"].unique())
    codes = frame.groupby("group")["country"].first()
    own = {group: color("country", codes[group], "") for group in groups}
    # Two groups of one country (site charts) cannot share its colour: they take spare ones.
    unique_countries = codes.value_counts().max() == 1
    spare = [c for c in PERSONNEL_FALLBACK_COLORS if c not in set(own.values())]
    colors, used = [], 0
    for group in groups:
        if own[group] and unique_countries:
            colors.append(own[group])
        else:
            colors.append(spare[used % len(spare)])
            used += 1
    return groups, colors


def personnel_description(frame: pd.DataFrame, title: str) -> str:
    """Text alternative of a personnel chart: each series' span and latest estimate."""
    parts = []
    for group, rows in frame.sort_values("date").groupby("group"):
        last = rows.iloc[-1]
        parts.append(ngettext("{group}: {count} estimate from {first} to {last}, latest {range} ({date})",
                              "{group}: {count} estimates from {first} to {last}, latest {range} ({date})",
                              len(rows)).format(group=group, count=number(len(rows)), first=rows["date"].min().year,
                                                last=rows["date"].max().year, range=last["range"],
                                                date=last["date_label"]))
    return (f"{title}. " + "; ".join(parts) + ". "
            + _("Each estimate is a point with a bar from its low to its high figure."))


def personnel_chart(frame: pd.DataFrame, title: str | None = None) -> alt.LayerChart:
    """Band from low to high and a stepped midpoint line per run of estimates; a point and error bar each.

    A lone estimate is only a point with its low–high bar (a band would draw a spike to nowhere).
    Up to MAX_DIRECT_LABELS series are named at their last estimate instead of in a legend.
    """
    title = title or _("Estimated Russian personnel")
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
    x = alt.X("date:T", title=None, scale=alt.Scale(domain=date_domain(*domain), nice=False),
              axis=alt.Axis(format="%Y", tickCount={"interval": "year", "step": _year_step(*domain)},
                            labelOverlap=True, grid=True))
    y_scale = alt.Scale(domain=[0, float(frame["high"].max()) * 1.08], nice=True, zero=True)
    # The x domain is declared on one layer only (the error bars, always drawn): Vega-Lite 6.5 in the
    # browser turns repeated numeric temporal domains into an empty union and draws no x axis.
    x_shared = alt.X("date:T", title=None)
    base = alt.Chart(frame).encode(x=x_shared)
    runs = base.transform_filter("datum.segment_size > 1")
    band = runs.mark_area(opacity=0.18, interpolate="step-after").encode(
        y=alt.Y("low:Q", title=_("Personnel (low–high)"), scale=y_scale, axis=alt.Axis(format=",d")), y2="high:Q",
        color=group_color, detail="segment:N")
    line = runs.mark_line(interpolate="step-after", strokeWidth=2).encode(
        y=alt.Y("mid:Q", scale=y_scale), color=group_color, detail="segment:N")
    bars = base.mark_rule(strokeWidth=2, opacity=0.75).encode(
        x=x, y=alt.Y("low:Q", title=_("Personnel (low–high)"), scale=y_scale, axis=alt.Axis(format=",d")),
        y2="high:Q", color=group_color)
    point_encoding = dict(
        y=alt.Y("mid:Q", scale=y_scale), color=group_color,
        shape=alt.Shape("claim_status:N", title=_("Claim status"),
                        scale=status_shape_scale(),
                        legend=alt.Legend(orient="bottom", symbolStrokeColor="#333", symbolStrokeWidth=2,
                                          columns=alt.ExprRef(f"width < {NARROW_PX} ? 3 : 5"))),
        tooltip=[alt.Tooltip("date_label:N", title=_("Date")), alt.Tooltip("group:N", title=_("Where")),
                 alt.Tooltip("range:N", title=_("Personnel")), alt.Tooltip("claim_status:N", title=_("Status")),
                 alt.Tooltip("source_name:N", title=_("Source")), alt.Tooltip("summary:N", title=_("Summary"))])
    # Confirmed estimates are solid, the others hollow, as on the timeline and map.
    solid = base.transform_filter("datum.confirmed").mark_point(
        size=70, filled=True, opacity=1).encode(**point_encoding)
    hollow = base.transform_filter("!datum.confirmed").mark_point(
        size=70, filled=False, strokeWidth=2, opacity=1).encode(**point_encoding)
    # Only layers that have data: Vega gives an empty mark group no accessible name (axe: svg-img-alt).
    confirmed = frame["confirmed"].any()
    points = [layer for layer, present in ((hollow, not frame["confirmed"].all()),
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
