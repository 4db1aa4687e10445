"""What the snapshot archives and what each of its pages says: the canonical views and their content.

A page is a plain dict of already-formatted values (no markup): the template escapes every one of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from basewatch import config
from basewatch.i18n import _
from basewatch.loading.dataset import Dataset
from basewatch.loading.publishers import host_of
from basewatch.queries import sources, summaries
from basewatch.state import links
from basewatch.state.catalog import Catalog
from basewatch.state.filters import apply_filters, describe_filters
from basewatch.state.pages import PAGE_BY_KEY
from basewatch.state.urlstate import ViewState
from basewatch.text import cell_text, date_label, figure_as_given, localized_date_labels, long_date
from basewatch.views import meta, preview

KINDS = ("overview", "country", "site", "actor", "event")


@dataclass(frozen=True)
class SnapshotView:
    """One archived view: its kind and value, the page it opens on in the app and its state."""

    kind: str
    value: str | None

    @property
    def state(self) -> ViewState:
        return links.snapshot_state(self.kind, self.value)

    @property
    def page_key(self) -> str:
        return links.SNAPSHOT_PAGES[self.kind]

    @property
    def path(self) -> str:
        """The page's folder inside a data version's folder ('' for the overview)."""
        return links.snapshot_path(self.kind, self.value)

    @property
    def root(self) -> str:
        """The way back from this page's folder to the version's folder ('' or '../../')."""
        return "../" * self.path.count("/")


def snapshot_views(dataset: Dataset, catalog: Catalog) -> list[SnapshotView]:
    """Every view the snapshot archives, in a fixed order: overview, countries, sites, actors, events."""
    return ([SnapshotView("overview", None)]
            + [SnapshotView("country", c) for c in catalog.values("country")]
            + [SnapshotView("site", s) for s in catalog.values("site")]
            + [SnapshotView("actor", a) for a in catalog.values("actor")]
            + [SnapshotView("event", e) for e in sorted(dataset.events["id"])])


def view_events(dataset: Dataset, view: SnapshotView) -> pd.DataFrame:
    """The events a page lists (and downloads): the view's filters; a site's own events; one event."""
    events = apply_filters(dataset.events, view.state.filters)
    if view.kind == "site":
        events = events[events["site_id"] == view.value]
    elif view.kind == "event":
        events = events[events["id"] == view.value]
    return events.sort_values(["date", "id"], ascending=[False, True])


def _sources(row, labels: dict[str, str]) -> list[dict]:
    urls = [row["source_url"], *str(row.get("more_sources") or "").split()]
    first = str(row["source_name"])
    if host_of(urls[0]) in labels:
        first += " — " + labels[host_of(urls[0])]
    return [{"url": urls[0], "text": first}] + [{"url": u, "text": sources.source_label(u, labels)} for u in urls[1:]]


def event_rows(events: pd.DataFrame, catalog: Catalog, labels: dict[str, str], root: str) -> list[dict]:
    """The event table: date, actor, type, place, summary, figure, claim status, sources, the event's own page."""
    rows = []
    for row, date in zip(events.to_dict("records"), localized_date_labels(events)):
        rows.append({
            "id": row["id"], "href": f"{root}{links.snapshot_path('event', row['id'])}",
            "date": date, "actor": catalog.label("actor", row["actor_slug"]),
            "type": catalog.label("type", row["event_type"]),
            "place": ", ".join(p for p in (cell_text(row.get("place")), catalog.label("country", row["country"])
                                            if cell_text(row.get("country")) else "") if p),
            "site": catalog.label("site", row["site_id"]) if isinstance(row.get("site_name"), str) else "",
            "summary": row["summary"], "status": catalog.label("status", row["claim_status"]),
            "figure": figure_as_given(row.get("personnel_low"), row.get("personnel_high"), row["summary"]),
            "sources": _sources(row, labels),
        })
    return rows


def _numbers(dataset: Dataset, view: SnapshotView, events: pd.DataFrame, catalog: Catalog) -> list[tuple[str, str]]:
    """Headline numbers: what the overview says for a filtered view; a site's status; an event's facts."""
    sites = preview.sites_on(dataset, None)
    if view.kind == "site":
        site = sites[sites["id"] == view.value].iloc[0]
        since = f" ({_('since')} {site['status_since']})" if isinstance(site.get("status_since"), str) else ""
        return [(_("Russian status on the data date"), catalog.label("site_status", site["status"]) + since),
                (_("Country"), catalog.label("country", site["country"])),
                (_("Events at this site"), f"{len(events):,}")]
    if view.kind == "event":
        row = events.iloc[0]
        figure = figure_as_given(row.get("personnel_low"), row.get("personnel_high"), row["summary"])
        facts = [(_("Date"), date_label(row["date"], row["date_precision"])),
                 (_("Actor"), catalog.label("actor", row["actor_slug"])),
                 (_("Event type"), catalog.label("type", row["event_type"])),
                 (_("Claim status"), catalog.label("status", row["claim_status"]))]
        return facts + ([(_("Estimated Russian personnel"), figure)] if figure else [])
    if view.kind == "country":  # a country's page counts that country's sites
        sites = sites[sites["country"].str.lower() == view.value]
    counts = summaries.sites_by_status(sites)
    with_events = events.loc[events["site_id"].isin(sites["id"]), "site_id"].nunique()
    return [(_("Events"), f"{len(events):,} / {len(dataset.events):,}"),
            (_("Sites with events"), f"{with_events} / {len(sites)}"),
            (_("Sites still active on the data date"), f"{counts.get('active', 0)} / {len(sites)}")]


def heading(dataset: Dataset, view: SnapshotView, catalog: Catalog) -> str:
    """The page's heading: the country, site, actor or event it is about."""
    if view.kind == "overview":
        return _(config.APP_TAGLINE)
    if view.kind == "event":
        row = dataset.events[dataset.events["id"] == view.value].iloc[0]
        return f"{date_label(row['date'], row['date_precision'])} · {catalog.label('actor', row['actor_slug'])} · " \
               f"{catalog.label('type', row['event_type'])} ({view.value})"
    return catalog.label(view.kind, view.value)


def page(dataset: Dataset, catalog: Catalog, view: SnapshotView, labels: dict[str, str], urls: dict[str, str]) -> dict:
    """Everything one page shows. `urls`: `page` (its archived address), `image` (its preview's), `app` (the
    interactive view), `base` (the version folder's address)."""
    events = view_events(dataset, view)
    filtered = apply_filters(dataset.events, view.state.filters)
    tags = meta.view_meta(view.page_key, view.state, catalog, dataset.events, len(filtered), url=urls["page"],
                          image=urls["image"])
    sentence = describe_filters(view.state.filters, catalog, len(filtered), len(dataset.events))
    out = {
        "meta": tags, "head": meta.head_tags(tags), "html_attributes": meta.html_attributes(tags),
        "kind": view.kind, "root": view.root, "heading": heading(dataset, view, catalog), "sentence": sentence,
        "numbers": _numbers(dataset, view, events, catalog), "app_url": urls["app"],
        "app_page": PAGE_BY_KEY[view.page_key].title, "page_url": urls["page"],
        "rows": event_rows(events, catalog, labels, view.root), "version": dataset.version,
        "data_date": long_date(dataset.data_date) if dataset.data_date else "",
        "citation": f"{config.APP_TITLE}: {_(config.APP_TAGLINE)}. {sentence}. "
                    f"{_('Data version')} {dataset.version}. {_('Archived copy')}: {urls['page']}",
    }
    if view.kind == "site":
        site = dataset.sites[dataset.sites["id"] == view.value].iloc[0]
        out["site_sources"] = [{"url": u, "text": sources.source_label(u, labels)} for u in site["sources"]]
        out["site_note"] = site.get("status_note") if isinstance(site.get("status_note"), str) else ""
    if view.kind == "overview":
        out["index"] = _index(dataset, catalog)
    if view.kind == "event":
        out["lead"] = events.iloc[0]["summary"]
    return out


def _index(dataset: Dataset, catalog: Catalog) -> list[tuple[str, list[dict]]]:
    """The overview's lists of every other page, with each one's event count."""
    events = dataset.events
    country_counts = events["country_slug"].value_counts()
    site_counts = events["site_id"].value_counts()
    actor_counts = events["actor_slug"].value_counts()
    return [
        (_("Countries"), [{"href": links.snapshot_path("country", c), "text": catalog.label("country", c),
                           "count": int(country_counts.get(c, 0))} for c in catalog.values("country")]),
        (_("Sites"), [{"href": links.snapshot_path("site", s), "text": catalog.label("site", s),
                       "count": int(site_counts.get(s, 0))} for s in catalog.values("site")]),
        (_("Actors"), [{"href": links.snapshot_path("actor", a), "text": catalog.label("actor", a),
                        "count": int(actor_counts.get(a, 0))} for a in catalog.values("actor")]),
    ]
