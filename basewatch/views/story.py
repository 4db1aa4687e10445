"""Sentences a journalist can quote: what changed in a period, and which date the footprint is drawn for."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from basewatch.i18n import DEFAULT, _, language, ngettext
from basewatch.queries.footprint import movements, status_changes
from basewatch.state.catalog import label
from basewatch.text import date_label, figure_as_given, long_date, md_escape, number
from basewatch.text import plain_isolate as iso


def as_of_sentence(day, data_date, listed: bool = False) -> str:
    """The line under the map (or above the site list, `listed`) saying which date the footprint is shown for."""
    if day is None or (data_date is not None and pd.Timestamp(day) >= pd.Timestamp(data_date)):
        if data_date is None:
            return _("Sites are listed with their Russian status as of the latest data.") if listed else \
                _("Sites are coloured by their Russian status as of the latest data.")
        template = (_("Sites are listed with their Russian status as of the data date, {date}.") if listed else
                    _("Sites are coloured by their Russian status as of the data date, {date}."))
        return template.format(date=long_date(data_date))
    if listed:
        return _("Sites are listed with their Russian status on {date}, the end of the selected period.").format(
            date=long_date(day))
    return _("Sites are coloured by their Russian status on {date}, the end of the selected period; sites with no "
             "Russian presence yet are drawn white.").format(date=long_date(day))



def _latest_estimates(estimates: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """The estimates of the latest date on or before `day` (several when sources disagree that day)."""
    known = estimates[estimates["date"] <= day]
    if not len(known):
        return known
    return known[known["date"] == known["date"].max()]


def weak_source_note() -> str:
    """Said of a figure that only aggregators, blogs, wikis or state-affiliated outlets give."""
    return _("a weak source: only aggregators, blogs, wikis or state-affiliated outlets give it")


ESTIMATE_COLUMNS = ("date", "date_precision", "country", "id", "personnel_low", "personnel_high", "source_name",
                    "weak_only")  # the summary (read for "up to", "about") is taken for the few estimates quoted


def _estimate_text(rows: pd.DataFrame) -> str:
    # A sentence written for quotation says so when its figure rests only on weak sources.
    parts = [(_("{figure} ({source}, {date}; {note})") if getattr(r, "weak_only", False) else
              _("{figure} ({source}, {date})")).format(
        figure=figure_as_given(r.personnel_low, r.personnel_high, r.summary), source=iso(r.source_name),
        date=date_label(r.date, r.date_precision), note=weak_source_note()) for r in rows.itertuples()]
    return _(" or ").join(parts)


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
    dates = {"start": long_date(start), "end": long_date(end)}
    sentences: list[str] = []

    site_status = getattr(dataset, "site_status", None)
    if site_status is None or not len(site_status):
        sentences.append(_("The data has no site status history, so changes in site status cannot be shown."))
    else:
        changes = status_changes(site_status, dataset.sites, start, end)
        if not len(changes):
            sentences.append(_("No site changed its Russian status between {start} and {end}.").format(**dates))
        else:
            sentences.append(ngettext("{count} site changed Russian status between {start} and {end}.",
                                      "{count} sites changed Russian status between {start} and {end}.",
                                      len(changes)).format(count=number(len(changes)), **dates))
            names = site_names_in_language(dataset.sites)
            for row in changes.itertuples():
                where = f"{iso(names.get(row.site_id, row.name))}, {label('country', row.country)}"
                before, after = label("site_status", row.old_label), label("site_status", row.new_label)
                if row.new_status is None:
                    sentences.append(f"{where}: {before} → {after}.")
                    continue
                sentences.append(_("{site}: {before} → {after} since {date} (source: {source}; {status}).").format(
                    site=where, before=before, after=after, date=date_label(row.since, row.since_precision),
                    source=iso(row.source_name), status=label("status", row.claim_status)))

    has_range = events["personnel_low"].notna() & events["personnel_high"].notna() & events["site_id"].isna()
    # Only the columns the sentences read: every column of scattered rows would page in the whole cache file.
    estimates = events.loc[has_range & events["country"].notna(), [c for c in ESTIMATE_COLUMNS if c in events]]
    for country in sorted(estimates["country"].unique(), key=lambda c: label("country", c)):
        per_country = estimates[estimates["country"] == country]
        then, now = (_latest_estimates(per_country, day).assign(summary=lambda rows: events.loc[rows.index, "summary"])
                     for day in (start, end))
        name = label("country", country)
        if not len(now):
            continue
        if not len(then):
            sentences.append(_("Russian personnel in {country}: no country-wide estimate as of {start}; as of {end} "
                               "the latest is {now}.").format(country=name, now=_estimate_text(now), **dates))
        elif set(then["id"]) == set(now["id"]):
            sentences.append(_("Russian personnel in {country}: no newer country-wide estimate between {start} and "
                               "{end}; the latest is {now}.").format(country=name, now=_estimate_text(now), **dates))
        else:
            sentences.append(_("Russian personnel in {country}: as of {start} the latest country-wide estimate was "
                               "{then}; as of {end} it is {now}. These are different sources' figures, not a "
                               "measured change.").format(country=name, then=_estimate_text(then),
                                                          now=_estimate_text(now), **dates))

    in_view = events if events_in_view is None else events_in_view
    if len(in_view):
        in_view = in_view[(in_view["date"] >= start) & (in_view["date"] <= end)]
    moves = movements(in_view, dataset.sites)
    if not len(moves):
        sentences.append(_("No movement of forces or materiel between sites is recorded between {start} and "
                           "{end}.").format(**dates))
    else:
        total = int(moves["count"].sum())
        names = site_names_in_language(dataset.sites)
        pairs = "; ".join(f"{iso(names.get(r.origin, r.origin_name))} → {iso(names.get(r.destination, r.destination_name))}"
                          f": {number(r.count)} ({', '.join(iso(i) for i in r.event_ids)})" for r in moves.itertuples())
        sentences.append(ngettext("{count} recorded movement between sites between {start} and {end}: {pairs}.",
                                  "{count} recorded movements between sites between {start} and {end}: {pairs}.",
                                  total).format(count=number(total), pairs=pairs, **dates))
    return sentences


def localized_sites(sites: pd.DataFrame) -> pd.DataFrame:
    """`sites` with `name` in the current language where the data gives one (the English name kept as `name_en`)."""
    column = f"name_{language()}"
    if language() == DEFAULT or column not in sites:
        return sites
    given = sites[column].notna() & (sites[column].astype(str).str.strip() != "")
    return sites.assign(name=sites[column].where(given, sites["name"]), name_en=sites["name"])


def site_names_in_language(sites: pd.DataFrame) -> dict[str, str]:
    """Site id → its name in the current language (the English name where none is given)."""
    return dict(zip(sites["id"], localized_sites(sites)["name"]))


def latest_event(events: pd.DataFrame) -> pd.Series | None:
    """The newest event of `events` (in the loader's (date, id) order, as every filtered view is), or None."""
    return None if events.empty else events.iloc[-1]


def short_summary(summary: str) -> str:
    """A summary cut to 160 characters for a sentence."""
    return summary if len(summary) <= 160 else summary[:157] + "…"


def latest_clause(events: pd.DataFrame | pd.Series | None) -> str:
    """'; latest: <date>, <actor>: <summary>' for the newest event in view, or that event (markdown-escaped)."""
    row = events if events is None or isinstance(events, pd.Series) else latest_event(events)
    if row is None:
        return "."
    return "; " + md_escape(_("latest: {date}, {actor}: {summary}").format(
        date=date_label(row["date"], row["date_precision"]), actor=label("actor", row["actor"]),
        summary=short_summary(row["summary"])))


def coverage_sentence(coverage: pd.DataFrame) -> str:
    """'Sources searched up to: Libya 18 Jan 2026; Syria 21 Feb 2026.' — what "latest" means, per country."""
    if coverage is None or not len(coverage):
        return ""
    named = sorted((label("country", row.country), date_label(row.covered_to)) for row in coverage.itertuples())
    return _("Sources searched up to: {list}.").format(
        list="; ".join(_("{country} {date}").format(country=name, date=day) for name, day in named))
