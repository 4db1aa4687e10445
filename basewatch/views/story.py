"""Sentences a journalist can quote: what changed in a period, and which date the footprint is drawn for."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from basewatch.queries.footprint import movements, status_changes
from basewatch.state.catalog import label
from basewatch.text import date_label, figure_as_given, long_date, md_escape


def as_of_sentence(day, data_date) -> str:
    """The line under the map saying which date the footprint is shown for."""
    if day is None or (data_date is not None and pd.Timestamp(day) >= pd.Timestamp(data_date)):
        shown = f"the data date, {long_date(data_date)}" if data_date is not None else "the latest data"
        return f"Sites are coloured by their Russian status as of {shown}."
    return (f"Sites are coloured by their Russian status on {long_date(day)}, the end of the selected period; "
            "sites with no Russian presence yet are drawn white.")



def _latest_estimates(estimates: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """The estimates of the latest date on or before `day` (several when sources disagree that day)."""
    known = estimates[estimates["date"] <= day]
    if not len(known):
        return known
    return known[known["date"] == known["date"].max()]


WEAK_SOURCE_NOTE = "a weak source: only aggregators, blogs, wikis or state-affiliated outlets give it"


def _estimate_text(rows: pd.DataFrame) -> str:
    # A sentence written for quotation says so when its figure rests only on weak sources.
    parts = [f"{figure_as_given(r.personnel_low, r.personnel_high, r.summary)} ({r.source_name}, "
             f"{date_label(r.date, r.date_precision)}"
             + (f"; {WEAK_SOURCE_NOTE}" if bool(getattr(r, "weak_only", False)) else "") + ")"
             for r in rows.itertuples()]
    return " or ".join(parts)


def what_changed(dataset, start=None, end=None, events_in_view: pd.DataFrame | None = None) -> list[str]:
    """Plain sentences a journalist could quote about the period from `start` to `end`.

    Covers the sites whose status changed (with their sources), the latest country-wide personnel
    estimates at both ends as the sources give them (ranges are never subtracted), and the movements
    between sites in `events_in_view` during the period. `start` defaults to the first event, `end` to
    the data date.
    """
    events = dataset.events
    if start is None:
        start = events["date"].min() if len(events) else pd.Timestamp(dataset.data_date or dt.date.today())
    if end is None:
        end = pd.Timestamp(dataset.data_date) if dataset.data_date else pd.Timestamp(dt.date.today())
    start, end = pd.Timestamp(start), pd.Timestamp(end)
    span = f"between {long_date(start)} and {long_date(end)}"
    sentences: list[str] = []

    site_status = getattr(dataset, "site_status", None)
    if site_status is None or not len(site_status):
        sentences.append("The data has no site status history, so changes in site status cannot be shown.")
    else:
        changes = status_changes(site_status, dataset.sites, start, end)
        if not len(changes):
            sentences.append(f"No site changed its Russian status {span}.")
        else:
            sentences.append(f"{len(changes)} site{'s' if len(changes) != 1 else ''} changed Russian status {span}.")
            for row in changes.itertuples():
                where = f"{row.name}, {label('country', row.country)}"
                if row.new_status is None:
                    sentences.append(f"{where}: {label('site_status', row.old_label)} → "
                                     f"{label('site_status', row.new_label)}.")
                    continue
                sentences.append(f"{where}: {label('site_status', row.old_label)} → "
                                 f"{label('site_status', row.new_label)} since {row.since_label} "
                                 f"(source: {row.source_name}; {label('status', row.claim_status)}).")

    has_range = events["personnel_low"].notna() & events["personnel_high"].notna() & events["site_id"].isna()
    estimates = events[has_range & events["country"].notna()]
    for country in sorted(estimates["country"].unique(), key=lambda c: label("country", c)):
        per_country = estimates[estimates["country"] == country]
        then, now = _latest_estimates(per_country, start), _latest_estimates(per_country, end)
        name = label("country", country)
        if not len(now):
            continue
        if not len(then):
            sentences.append(f"Russian personnel in {name}: no country-wide estimate as of {long_date(start)}; "
                             f"as of {long_date(end)} the latest is {_estimate_text(now)}.")
        elif set(then["id"]) == set(now["id"]):
            sentences.append(f"Russian personnel in {name}: no newer country-wide estimate {span}; "
                             f"the latest is {_estimate_text(now)}.")
        else:
            sentences.append(f"Russian personnel in {name}: as of {long_date(start)} the latest country-wide "
                             f"estimate was {_estimate_text(then)}; as of {long_date(end)} it is "
                             f"{_estimate_text(now)}. These are different sources' figures, not a measured change.")

    in_view = events if events_in_view is None else events_in_view
    if len(in_view):
        in_view = in_view[(in_view["date"] >= start) & (in_view["date"] <= end)]
    moves = movements(in_view, dataset.sites)
    if not len(moves):
        sentences.append(f"No movement of forces or materiel between sites is recorded {span}.")
    else:
        total = int(moves["count"].sum())
        pairs = "; ".join(f"{r.origin_name} → {r.destination_name}: {r.count} ({', '.join(r.event_ids)})"
                          for r in moves.itertuples())
        sentences.append(f"{total} recorded movement{'s' if total != 1 else ''} between sites {span}: {pairs}.")
    return sentences


def latest_clause(events: pd.DataFrame) -> str:
    """'; latest: <date>, <actor>: <summary>' for the newest event in view (markdown-escaped)."""
    if events.empty:
        return "."
    row = events.sort_values(["date", "id"]).iloc[-1]
    summary = row["summary"] if len(row["summary"]) <= 160 else row["summary"][:157] + "…"
    return "; latest: " + md_escape(f"{row['date_label']}, {label('actor', row['actor'])}: {summary}")


def coverage_sentence(coverage: pd.DataFrame) -> str:
    """'Sources searched up to: Libya 26 Feb 2026; Syria 27 Feb 2026.' — what "latest" means, per country."""
    if coverage is None or not len(coverage):
        return ""
    parts = [f"{label('country', row.country)} {date_label(row.covered_to)}"
             for row in coverage.sort_values("country", key=lambda c: c.map(lambda v: label("country", v))).itertuples()]
    return "Sources searched up to: " + "; ".join(parts) + "."
