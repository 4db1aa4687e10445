"""Altair builder for the footprint chart: each site's Russian status over time, grouped by country."""

from __future__ import annotations

import altair as alt
import pandas as pd

from basewatch.i18n import _
from basewatch.state.catalog import color, label, vocabulary
from basewatch.text import date_label, number
from basewatch.views.charts.common import NARROW_PX

ROW_HEIGHT = 20  # px per site: readable on a 390 px phone, 15 sites fit in about 300 px
LABEL_LIMIT = 120  # px for the site labels; longer names are cut with an ellipsis (full name in the tooltip)
PERIOD_FILL = "#000000"


# Generic words dropped from axis labels so names fit a phone; the tooltip keeps the full name.
_GENERIC = ((" international airport", ""), (" air base", ""), (" airfield", ""), (" commercial port", " port"),
            (" naval facility", " naval"), (" naval logistics center", " naval"))


def short_name(name: str) -> str:
    """A site name short enough for an axis label: 'Al-Jufra air base' -> 'Al-Jufra'."""
    short = str(name).split(" (")[0].split(",")[0].strip()
    for generic, replacement in _GENERIC:
        if short.lower().endswith(generic):
            short = short[: len(short) - len(generic)] + replacement
    return short


def footprint_frame(site_status: pd.DataFrame, sites: pd.DataFrame, until=None) -> pd.DataFrame:
    """One band per row of the history: a site's status from the row's date to the next row (or `until`).

    Periods before a site's first row are not drawn. `until` defaults to the latest row's date.
    """
    columns = ["site_id", "site", "label", "country", "country_name", "status", "status_label", "start", "end", "from_label",
               "to_label", "claim_status", "source_name", "order"]
    if site_status is None or not len(site_status):
        return pd.DataFrame(columns=columns)
    until = pd.Timestamp(until) if until is not None else site_status["date"].max()
    known = sites.set_index("id")
    frame = site_status[site_status["site_id"].isin(known.index)].copy()
    frame = frame.sort_values(["site_id", "date"], kind="stable")
    following = frame.groupby("site_id")["date"].shift(-1)
    following_precision = frame.groupby("site_id")["date_precision"].shift(-1)
    frame["start"] = frame["date"]
    frame["end"] = following.fillna(max(until, frame["date"].max()))
    frame["from_label"] = [date_label(d, p) for d, p in zip(frame["date"], frame["date_precision"])]
    frame["to_label"] = [date_label(d, p) if not pd.isna(d) else _("now (data date)")
                         for d, p in zip(following, following_precision)]
    frame["site"] = frame["site_id"].map(known["name"])
    frame["country"] = frame["site_id"].map(known["country"])
    frame["country_name"] = frame["country"].map(lambda c: label("country", c))
    # Country as a prefix of a sorted label keeps countries together in one y axis (no facet: a facet
    # per country would repeat the x axis three times on a phone).
    frame["label"] = frame["country"] + " · " + frame["site"].map(short_name)
    frame["status_label"] = frame["status"].map(lambda v: label("site_status", v))
    frame = frame[frame["end"] > frame["start"]]
    order = (frame[["country_name", "label"]].drop_duplicates().sort_values(["country_name", "label"])["label"])
    frame["order"] = frame["label"].map({label: i for i, label in enumerate(order)})
    return frame[columns].reset_index(drop=True)


def axis_start(site_status: pd.DataFrame, quiet_years: int = 5) -> pd.Timestamp | None:
    """Where the time axis opens: 1 January of the year the story resumes after its longest quiet spell.

    Derived from the data (a gap of `quiet_years` or more between status changes counts as quiet), so a
    1971 agreement does not squeeze the changes of the last decade into a sliver; the bands before the
    axis start are clipped, not dropped.
    """
    if site_status is None or site_status.empty:
        return None
    days = pd.to_datetime(site_status["date"]).drop_duplicates().sort_values().reset_index(drop=True)
    gaps = days.diff().dt.days
    if len(days) < 2 or gaps.max() < quiet_years * 365:
        return pd.Timestamp(year=days.iloc[0].year, month=1, day=1)
    resume = days.iloc[int(gaps.idxmax())]
    return pd.Timestamp(year=resume.year, month=1, day=1)


def describe(frame: pd.DataFrame, start=None, end=None) -> str:
    """A text alternative for screen readers: what the chart shows and where each site ends up."""
    if not len(frame):
        return _("Footprint chart: no site status history in the data.")
    countries = frame["country_name"].nunique()
    sites = frame["site_id"].nunique()
    latest = frame.sort_values("start").groupby("site_id").tail(1)
    counts = latest["status"].value_counts()
    summary = ", ".join(f"{number(counts[s])} {label('site_status', s)}" for s in vocabulary("site_status")
                        if s in counts)
    text = _("Footprint chart: Russian status of {sites} sites in {countries} countries over time, from {first} to "
             "{last}; at the latest date {summary}.").format(sites=number(sites), countries=number(countries),
                                                            first=frame["start"].min().year,
                                                            last=frame["end"].max().year, summary=summary)
    if start is not None and end is not None:
        text += " " + _("The selected period, {start} to {end}, is shaded.").format(start=date_label(start),
                                                                                    end=date_label(end))
    return text


def footprint_chart(site_status: pd.DataFrame, sites: pd.DataFrame, start=None, end=None, until=None,
                    axis_start=None, selected_site: str | None = None) -> alt.LayerChart:
    """Bands coloured by status per site (map palette), the period from `start` to `end` shaded, click = site_pick.

    `axis_start` trims the x axis (e.g. to 2015) so recent changes are not squeezed by 1971;
    `selected_site` (the site picked elsewhere, e.g. from the URL) starts out selected.
    """
    frame = footprint_frame(site_status, sites, until)
    if axis_start is not None and len(frame):
        cut = pd.Timestamp(axis_start)
        frame = frame[frame["end"] > cut].copy()
        frame["start"] = frame["start"].where(frame["start"] >= cut, cut)
    order = frame.drop_duplicates("label").sort_values("order")["label"].tolist()
    height = max(ROW_HEIGHT * 3, ROW_HEIGHT * len(order))
    picked = {"value": [{"site_id": selected_site}]} if selected_site else {}
    site_pick = alt.selection_point(fields=["site_id"], name="site_pick", on="click", clear="dblclick", **picked)
    statuses = vocabulary("site_status")
    status_scale = alt.Scale(domain=[label("site_status", s) for s in statuses],
                             range=[color("site_status", s) for s in statuses])
    y = alt.Y("label:N", sort=order, title=None,
              axis=alt.Axis(labelLimit=LABEL_LIMIT, labelFontSize=11, ticks=False, domain=False))
    x = alt.X("start:T", title=None, axis=alt.Axis(format="%Y", labelOverlap=True, grid=True,
                                                  tickCount={"interval": "year", "step": 1}))
    bands = alt.Chart(frame).mark_bar(height=ROW_HEIGHT - 6, stroke="#333", strokeWidth=0.4).encode(
        x=x, x2="end:T", y=y,
        color=alt.Color("status_label:N", title=_("Russian status"), scale=status_scale,
                        legend=alt.Legend(orient="bottom", columns=alt.ExprRef(f"width < {NARROW_PX} ? 2 : 6"),
                                          symbolStrokeColor="#333")),
        opacity=alt.condition(site_pick, alt.value(1.0), alt.value(0.35)),
        tooltip=[alt.Tooltip("site:N", title=_("Site")), alt.Tooltip("status_label:N", title=_("Status")),
                 alt.Tooltip("from_label:N", title=_("From")), alt.Tooltip("to_label:N", title=_("To")),
                 alt.Tooltip("claim_status:N", title=_("Claim")), alt.Tooltip("source_name:N", title=_("Source"))],
    ).add_params(site_pick)
    layers = [bands]
    if start is not None and end is not None:
        shown_start = max(pd.Timestamp(start), pd.Timestamp(axis_start)) if axis_start is not None else start
        period = pd.DataFrame({"start": [pd.Timestamp(shown_start)], "end": [pd.Timestamp(end)],
                               "label": [f"{date_label(start)} – {date_label(end)}"]})
        layers.insert(0, alt.Chart(period).mark_rect(color=PERIOD_FILL, opacity=0.12).encode(
            x="start:T", x2="end:T", tooltip=[alt.Tooltip("label:N", title=_("Selected period"))]))
        rules = period.melt(id_vars="label", value_vars=["start", "end"], value_name="date")
        layers.append(alt.Chart(rules).mark_rule(color="#111", strokeDash=[4, 3], strokeWidth=1.5).encode(
            x="date:T"))
    return alt.layer(*layers).properties(
        height=height, description=describe(frame, start, end),
        autosize={"type": "fit-x", "contains": "padding"})
