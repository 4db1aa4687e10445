"""Atom feeds of a view's events, of one site's status changes, and of the corrections log.

`/feeds/events.atom?<the page's parameters>` lists the events the same view selects, the most recently
changed first (at most 50): an event's `updated` is its latest entry in data/CHANGES.md or its
`last_checked` date, whichever is newer, so a corrected row comes back to the top of a reader's list.
`/feeds/sites.atom?site=ID` has one entry per change of a site's Russian status, with its source;
`/feeds/corrections.atom` one per CHANGES.md entry. Entry ids never change across data versions.
Built with the standard library's ElementTree; every text is escaped twice over (HTML inside XML).
"""

from __future__ import annotations

import hashlib
import html
import re
import xml.etree.ElementTree as ET
from urllib.parse import urlsplit

import pandas as pd
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from basewatch import config
from basewatch.i18n import _
from basewatch.state import links
from basewatch.state.catalog import label
from basewatch.state.filters import describe_filters
from basewatch.state.urlstate import ViewState
from basewatch.text import cell_text, date_label
from basewatch.web.context import View
from basewatch.web.responses import cached, error, machine_route

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ATOM_TYPE = "application/atom+xml; charset=utf-8"
FEED_LIMIT = 50
TAG_YEAR = "2025"  # the year in every tag: URI id; fixed, so ids stay the same for ever
CHANGES_PER_ENTRY = 3
# Characters XML 1.0 cannot carry at all (a data file could hold them; the feed must stay well-formed).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

ET.register_namespace("", ATOM)


def feed_url(view: View, kind: str = "events") -> str:
    """The absolute URL of a view's feed (`events`, `sites` or `corrections`), for share boxes and <head> tags."""
    return links.feed(kind, view.state, view.catalog).on(view.base_url)


def _clean(text) -> str:
    return _NOT_XML.sub("", "" if text is None or (not isinstance(text, str) and pd.isna(text)) else str(text))


def _tag_id(view: View, what: str) -> str:
    host = urlsplit(view.base_url).hostname or "localhost"
    return f"tag:{host},{TAG_YEAR}:{what}"


def _time(day) -> str:
    return pd.Timestamp(day).strftime("%Y-%m-%dT00:00:00Z")


def _add(parent: ET.Element, name: str, text: str | None = None, **attributes) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", {k: _clean(v) for k, v in attributes.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _feed(view: View, kind: str, feed_id: str, title: str, alternate: str, updated) -> ET.Element:
    root = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: view.state.lang})
    _add(root, "id", feed_id)
    _add(root, "title", title)
    _add(root, "updated", _time(updated))
    _add(root, "link", rel="self", type="application/atom+xml", href=feed_url(view, kind))
    _add(root, "link", rel="alternate", type="text/html", href=alternate)
    _add(_add(root, "author"), "name", config.APP_TITLE)
    _add(root, "rights", _("Data: {licence} ({url})").format(licence=config.DATA_LICENSE_TITLE,
                                                            url=config.DATA_LICENSE_URL))
    return root


def _entry(root: ET.Element, entry_id: str, title: str, updated, alternate: str, content_html: str) -> ET.Element:
    entry = _add(root, "entry")
    _add(entry, "id", entry_id)
    _add(entry, "title", title)
    _add(entry, "updated", _time(updated))
    _add(entry, "link", rel="alternate", type="text/html", href=alternate)
    _add(entry, "content", content_html, type="html")
    return entry


def _atom(root: ET.Element) -> Response:
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return Response(body, media_type=ATOM_TYPE)


def _link_html(url: str, text: str) -> str:
    return f'<a href="{html.escape(_clean(url), quote=True)}">{html.escape(_clean(text))}</a>'


def latest_change(events: pd.DataFrame, changes: list) -> pd.Series:
    """Each event's `updated` day: its newest CHANGES.md entry or `last_checked`, whichever is later, else its date."""
    newest: dict[str, str] = {}
    for entry in changes:
        for event_id in entry.event_ids:
            if entry.date > newest.get(event_id, ""):
                newest[event_id] = entry.date
    from_log = pd.to_datetime(events["id"].map(newest), format="%Y-%m-%d", errors="coerce")
    checked = pd.to_datetime(events["last_checked"], format="%Y-%m-%d", errors="coerce")
    return pd.concat([from_log, checked], axis=1).max(axis=1).fillna(events["date"])


def _event_html(row, view: View, changes: list) -> str:
    parts = [f"<p>{html.escape(_clean(row.summary))}</p>",
             "<p>" + html.escape(_("Claim status: {status}. Date: {date}. Actor: {actor}. Type: {type}.").format(
                 status=label("status", row.claim_status), date=date_label(row.date, row.date_precision),
                 actor=view.catalog.label("actor", row.actor_slug), type=label("type", row.event_type))) + "</p>"]
    further = (row.more_sources or "").split()
    items = [_link_html(row.source_url, row.source_name)] + [_link_html(url, url) for url in further]
    parts.append("<p>" + html.escape(_("Sources:")) + "</p><ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>")
    mine = [e for e in changes if row.id in e.event_ids][:CHANGES_PER_ENTRY]
    if mine:
        parts.append("<p>" + html.escape(_("Changes to this row:")) + "</p><ul>" + "".join(
            f"<li>{html.escape(_clean(e.date))}: {html.escape(_clean(e.text))}</li>" for e in mine) + "</ul>")
    return "".join(parts)


def _event_title(row, view: View) -> str:
    place = view.catalog.label("site", row.site_id) if isinstance(row.site_name, str) else cell_text(row.place)
    return " · ".join(p for p in (date_label(row.date, row.date_precision),
                                  view.catalog.label("actor", row.actor_slug), label("type", row.event_type), place) if p)


def events_feed(request: Request, view: View) -> Response:
    """The view's events, newest change first."""
    def make() -> Response:
        events = view.events.assign(feed_updated=latest_change(view.events, view.dataset.changes))
        newest_first = events.sort_values(["feed_updated", "id"], ascending=[False, True]).head(FEED_LIMIT)
        sentence = describe_filters(view.state.filters, view.catalog, len(events), len(view.dataset.events))
        canonical = links.feed("events", view.state, view.catalog)
        newest = newest_first["feed_updated"].iloc[0] if len(events) else _data_day(view)
        root = _feed(view, "events", _tag_id(view, "events" + (f"?{canonical.query}" if canonical.query else "")),
                     f"{config.APP_TITLE}: {sentence}",
                     links.link("map", view.state, view.catalog).on(view.base_url), newest)
        for row in newest_first.itertuples(index=False):
            permalink = links.link("map", ViewState(event=row.id, lang=view.state.lang)).on(view.base_url)
            _entry(root, _tag_id(view, f"event/{row.id}"), _event_title(row, view), row.feed_updated, permalink,
                   _event_html(row, view, view.dataset.changes))
        return _atom(root)
    return cached(request, view, "events.atom", make)


def _data_day(view: View):
    """The feed's `updated` when it has no entry: the data date (a fixed day when there is no event at all)."""
    return view.dataset.data_date or "1970-01-01"


def sites_feed(request: Request, view: View) -> Response:
    """One site's status changes, newest first, each with its source."""
    if not view.state.site:
        return error(400, _("This feed needs a site: add ?site= and a site id such as hmeimim."), [
            _("missing `site`: the feed follows one site")])

    def make() -> Response:
        site = view.state.site
        name = view.catalog.label("site", site)
        rows = view.dataset.site_status[view.dataset.site_status["site_id"] == site]
        changed = rows[rows["status"].ne(rows["status"].shift())].iloc[::-1]
        profile = links.link("sites", ViewState(site=site, lang=view.state.lang)).on(view.base_url)
        newest = changed["date"].max() if len(changed) else _data_day(view)
        root = _feed(view, "sites", _tag_id(view, f"site/{site}"),
                     _("{app}: status of {site}").format(app=config.APP_TITLE, site=name), profile, newest)
        for row in changed.itertuples(index=False):
            day = row.date.date().isoformat()
            title = _("{site}: {status} from {date}").format(site=name, status=label("site_status", row.status),
                                                             date=date_label(row.date, row.date_precision))
            content = (f"<p>{html.escape(_clean(row.note))}</p><p>"
                       + html.escape(_("Claim status: {status}.").format(status=label("status", row.claim_status)))
                       + " " + html.escape(_("Source:")) + " " + _link_html(row.source_url, row.source_name) + "</p>")
            _entry(root, _tag_id(view, f"site/{site}/{day}/{row.status}"), title, row.date, profile, content)
        return _atom(root)
    return cached(request, view, "sites.atom", make)


def corrections_feed(request: Request, view: View) -> Response:
    """The corrections log (data/CHANGES.md), newest first: one entry per change."""
    def make() -> Response:
        entries = view.dataset.changes[:FEED_LIMIT]
        log_page = links.link("data", ViewState(lang=view.state.lang)).on(view.base_url)
        newest = entries[0].date if entries else _data_day(view)
        root = _feed(view, "corrections", _tag_id(view, "corrections"),
                     _("{app}: corrections and changes to the data").format(app=config.APP_TITLE), log_page, newest)
        seen: dict[str, int] = {}
        for entry in entries:
            ids = sorted(entry.event_ids)
            digest = hashlib.sha256(f"{entry.date}\n{entry.section}\n{entry.text}".encode()).hexdigest()[:16]
            seen[digest] = seen.get(digest, 0) + 1  # the same words twice in one section: the 2nd gets "-2"
            digest += f"-{seen[digest]}" if seen[digest] > 1 else ""
            first = links.link("data", ViewState(event=ids[0], lang=view.state.lang)).on(view.base_url) if ids \
                else log_page
            title = f"{entry.date}: {entry.section}" + (f" ({', '.join(ids[:5])}{' …' if len(ids) > 5 else ''})"
                                                        if ids else "")
            event_links = [_link_html(links.link("data", ViewState(event=i, lang=view.state.lang)).on(view.base_url), i)
                           for i in ids]
            content = f"<p>{html.escape(_clean(entry.text))}</p>" + (
                "<p>" + " ".join(event_links) + "</p>" if event_links else "")
            _entry(root, _tag_id(view, f"change/{entry.date}/{digest}"), title, entry.date, first, content)
        return _atom(root)
    return cached(request, view, "corrections.atom", make)


def routes() -> list[Route]:
    """The feed routes (GET and HEAD, plus OPTIONS for a browser's preflight)."""
    handlers = {"events": events_feed, "sites": sites_feed, "corrections": corrections_feed}
    return [Route("/" + links.FEED_PATHS[kind], machine_route(handler), methods=["GET", "OPTIONS"],
                  name=f"feed-{kind}") for kind, handler in handlers.items()]
