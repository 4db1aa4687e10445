"""Display components shared by pages: detail panels, the events table, the map legend, source links.

Text from the data is shown literally: markdown is escaped character by character, HTML is escaped,
tables show cell text as text.
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from basewatch import config, i18n
from basewatch.i18n import DEFAULT, LANGUAGES, N_, _
from basewatch.loading.changelog import for_event
from basewatch.loading.publishers import host_of
from basewatch.queries.sources import source_label
from basewatch.shell import session
from basewatch.state.catalog import (
    NO_PRESENCE_LABEL,
    Catalog,
    color,
    label,
    meaning,
    site_name,
    site_names,
    site_names_in,
    symbol,
)
from basewatch.text import cell_text, date_label, figure_as_given, iso_date_labels, md_escape, number


def source_links_md(row: pd.Series, labels: dict[str, str] | None = None) -> str:
    """Markdown links to every source of an event, each with its publisher and kind when the registry knows it.

    The first link keeps the row's own source_name (e.g. "LBC [Reuters]"); URLs are validated http(s).
    """
    urls = [row["source_url"], *str(row.get("more_sources") or "").split()]
    labels = labels or {}
    first = md_escape(row["source_name"])
    if labels and host_of(urls[0]) in labels:
        first += " — " + md_escape(labels[host_of(urls[0])])
    parts = [f"[{first}]({md_url(urls[0])})"] + [
        "[" + (md_escape(source_label(u, labels)) if labels else _("source {number}").format(number=i + 2))
        + f"]({md_url(u)})"
        for i, u in enumerate(urls[1:])]
    return " · ".join(parts)


def md_url(url: str) -> str:
    """A URL made safe as a markdown link target (parentheses and spaces would end it early)."""
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def html_text(text: object) -> str:
    """Text escaped for HTML."""
    return html.escape(str(text))


def bdi(text: object, lang: str | None = None) -> str:
    """Escaped data text isolated in <bdi>: its direction (and any direction control in it) stays inside.

    `lang` marks text in a known language (a name in Arabic or Russian) so screen readers switch voice.
    """
    if lang is None:
        return f"<bdi>{html_text(text)}</bdi>"
    return f'<bdi lang="{lang}" dir="{i18n.direction(lang)}">{html_text(text)}</bdi>'


def english_text(text: object) -> str:
    """Free text from the data (always English) as HTML that says so on other-language pages."""
    return f'<p lang="en" dir="ltr">{html_text(text)}</p>'


def source_links_html(row: pd.Series, labels: dict[str, str] | None = None) -> str:
    """The event's sources as HTML links, each name isolated (Latin names inside Arabic text keep their order)."""
    urls = [row["source_url"], *str(row.get("more_sources") or "").split()]
    labels = labels or {}
    first = str(row["source_name"])
    if labels and host_of(urls[0]) in labels:
        first += " — " + labels[host_of(urls[0])]
    names = [first] + [source_label(u, labels) if labels else _("source {number}").format(number=i + 2)
                       for i, u in enumerate(urls[1:])]
    return " · ".join(f'<a href="{html.escape(u, quote=True)}" target="_blank" rel="noopener noreferrer">'
                      f"{bdi(name)}</a>" for name, u in zip(names, urls))


def facts_html(facts: dict[str, object]) -> str:
    """A list of 'key: value' facts; keys are interface words, each value is data and sits in <bdi>."""
    items = "".join(f"<li><b>{html_text(key)}:</b> {value if isinstance(value, Markup) else bdi(value)}</li>"
                    for key, value in facts.items() if known(value) and value != "")
    return f'<ul style="margin:0 0 .6rem 0">{items}</ul>'


class Markup(str):
    """HTML already built from escaped parts (facts_html inserts it as it is)."""


def known(value) -> bool:
    """True for a real value (not None, not NaN)."""
    return value is not None and not pd.isna(value)


def table_columns() -> dict:
    """The events table's columns with their headers and help in the current language."""
    return {
        "date_iso": st.column_config.TextColumn(_("Date"), width="small",
                                                help=_("At the precision the source gives (a year, a month or a "
                                                       "day); sorts in time order")),
        "actor": st.column_config.TextColumn(_("Actor")),
        "event_type": st.column_config.TextColumn(_("Type"), width="small"),
        "site_name": st.column_config.TextColumn(_("Site")),
        "place": st.column_config.TextColumn(_("Place")),
        "summary": st.column_config.TextColumn(_("Summary (English)") if i18n.language() != DEFAULT
                                               else _("Summary"), width="large"),
        "claim_status": st.column_config.TextColumn(_("Status"), width="small"),
        "personnel": st.column_config.TextColumn(_("Personnel"), width="small"),
        "publisher": st.column_config.TextColumn(_("Source"), help=_("Publisher and kind of the first source "
                                                 "(publishers.csv); marks state-affiliated outlets and copies")),
        "independent_publishers": st.column_config.NumberColumn(
            _("Indep."), width="small", format="%d",
            help=_("Independent publishers behind the event; copies of one original count once")),
        "source_url": st.column_config.LinkColumn(_("Link to source"), display_text=r"https?://(?:www\.)?([^/]+)"),
        "permalink": st.column_config.LinkColumn(_("Link"), display_text=_("open"), width="small",
                                                 help=_("Permalink to this event on the map")),
        "id": st.column_config.TextColumn(_("Id"), width="small"),
    }


TABLE_FIELDS = ("date_iso", "actor", "event_type", "site_name", "place", "summary", "claim_status", "personnel",
                "publisher", "independent_publishers", "source_url", "permalink", "id")
MAX_TABLE_ROWS = 2000
TEXT_COLUMNS = ("site_name", "place", "summary", "actor", "event_type", "claim_status")


def table_frame(events: pd.DataFrame, labels: dict[str, str] | None = None,
                site_labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The rows as the events table shows them: ISO dates at their precision, blanks instead of None.

    `site_labels`: site id → its name in the reader's language (`Catalog.labels("site")`).
    """
    labels = labels or {}
    frame = events.assign(
        publisher=[source_label(u, labels) for u in events["source_url"]],
        date_iso=iso_date_labels(events["date"], events["date_precision"]),
        personnel=[figure_as_given(lo, hi, text) for lo, hi, text in
                   zip(events["personnel_low"], events["personnel_high"], events["summary"])],
        permalink=[session.link("map", event=i).href for i in events["id"]],
    )
    for column, dim in (("actor", "actor"), ("event_type", "type"), ("claim_status", "status")):
        frame[column] = frame[column].map({v: label(dim, v) for v in frame[column].unique()})
    frame["site_name"] = pd.Series(site_names_in(frame["site_id"], frame["site_name"], site_labels), index=frame.index,
                                   dtype=object)  # text even when no row has a site
    for column in TEXT_COLUMNS:
        frame[column] = frame[column].fillna("")
    return frame[list(TABLE_FIELDS)]


def events_table(events: pd.DataFrame, key: str, height: int | None = 420, selectable: bool = False,
                 labels: dict[str, str] | None = None, total: int | None = None,
                 site_labels: dict[str, str] | None = None):
    """Events as a sortable table; text is shown literally, sources are http(s) links.

    At most MAX_TABLE_ROWS rows are sent to the browser (in the order given); the caption says so.
    `total`: how many rows the table stands for when `events` holds only its first rows.
    """
    total = len(events) if total is None else total
    if total > MAX_TABLE_ROWS:
        st.caption(_("Showing the first {shown} of {total} events in this order. Narrow the filters or search, or "
                     "download everything as CSV on the Data page.").format(shown=number(MAX_TABLE_ROWS),
                                                                          total=number(total)))
        events = events.head(MAX_TABLE_ROWS)
    kwargs = {"on_select": "rerun", "selection_mode": "single-row"} if selectable else {}
    return st.dataframe(table_frame(events, labels, site_labels), hide_index=True, width="stretch",
                        column_config=table_columns(), key=key, height=height if height else "auto", **kwargs)


def event_detail(event: pd.Series, labels: dict[str, str] | None = None, changes: list | None = None,
                 site_labels: dict[str, str] | None = None) -> None:
    """Every field of one event, text shown literally, sources clickable with their publisher and kind.

    `labels`: host → publisher label; `changes`: the data changelog's entries (to say when it last changed);
    `site_labels`: site id → its name in the reader's language.
    Data values sit in <bdi>, so a Latin name or id inside Arabic text (or the reverse) keeps its order.
    """
    st.markdown(f"#### {md_escape(date_label(event['date'], event['date_precision']))} · "
                f"{md_escape(label('actor', event['actor']))}")
    if i18n.language() == DEFAULT:
        st.markdown(md_escape(event["summary"]))
    else:
        st.html(english_text(event["summary"]))
    status = event["claim_status"]
    claim = md_escape(_("Claim status"))
    st.markdown(f"**{claim}:** {symbol(status)} {md_escape(label('status', status))} — "
                f"{md_escape(meaning('status', status))}")
    site_labels = site_labels or {}
    site = site_labels.get(event.get("site_id"), event["site_name"])
    destination = site_labels.get(event.get("destination_site_id"), event.get("destination_name"))
    weak_note = _(" (all its sources are state-affiliated, aggregators, blogs or wikis)") if event.get("weak_only") else ""
    facts = {
        _("Event type"): label("type", event["event_type"]),
        _("Counterpart"): event["counterpart"],
        _("Site"): site,
        _("Moved to"): (Markup(_("{destination} (from {origin})").format(destination=bdi(destination), origin=bdi(site)))
                        if known(event.get("destination_name")) else None),
        _("Place"): event["place"],
        _("Country"): label("country", event["country"]) if cell_text(event["country"]) else None,
        _("Date precision"): label("date_precision", event["date_precision"]),
        _("Personnel in scope after the event"): figure_as_given(event["personnel_low"], event["personnel_high"],
                                                                 event["summary"]),
        _("Source date"): event["source_date"],
        _("Independent publishers"): (Markup(bdi(int(event["independent_publishers"])) + html_text(weak_note))
                                      if "independent_publishers" in event and labels else None),
        _("Last checked against its sources"): event.get("last_checked"),
        _("Event id"): event["id"],
    }
    st.html(facts_html(facts) + "<p><b>" + html_text(_("Sources")) + f":</b> {source_links_html(event, labels)}</p>")
    history = for_event(changes or [], event["id"])
    if history:
        log = session.link("data", event=event["id"], site=None, view=None)
        st.markdown(_("**Last changed:** {date} — {section}. [See the data changelog]({link})").format(
            date=md_escape(history[0].date), section=md_escape(history[0].section), link=md_url(log.href)))


def names_html(site: pd.Series) -> Markup:
    """The site's name in every language the data gives, each named in itself and isolated, plus its aliases."""
    items = "".join(f'<li><span lang="{lang}">{html_text(LANGUAGES[lang])}</span>: {bdi(name, lang)}</li>'
                    for lang, name in site_names(site).items())
    aliases = [a for a in (site.get("aliases") or []) if isinstance(a, str) and a]
    also = ("<li>" + html_text(_("Also known as")) + ": " + " · ".join(bdi(a) for a in aliases) + "</li>"
            if aliases else "")
    return Markup(f'<ul style="margin:0">{items}{also}</ul>')


def site_detail(site: pd.Series, events: pd.DataFrame, labels: dict[str, str] | None = None) -> None:
    """The facts of one site, its names in every language (each isolated), and its sources with publisher and kind."""
    st.markdown(f"#### {md_escape(site_name(site))}")
    since = (" " + _("since {date}").format(date=bdi(site["status_since"]))) if known(site.get("status_since")) else ""
    status_source = ""
    if known(site.get("status_source_url")):
        status_source = ("<br>" + html_text(_("Status source")) + f': <a href="{html.escape(site["status_source_url"])}" '
                         f'target="_blank" rel="noopener noreferrer">{bdi(site["status_source_name"])}</a>')
    st.html(f'<span style="display:inline-block;width:.8em;height:.8em;border-radius:50%;border:1px solid #222;'
            f'background:{color("site_status", site["status"])};margin-inline-end:.4em"></span>'
            + "<b>" + html_text(_("Russian status")) + f':</b> {html_text(label("site_status", site["status"]))}{since}'
            f"{status_source}")
    count = int((events["site_id"] == site["id"]).sum())
    facts = {
        _("Names"): names_html(site),
        _("Kind"): label("site_kind", site["kind"]),
        _("Country"): label("country", site["country"]),
        _("Status note"): site.get("status_note"),
        _("Operator"): site.get("operator"),
        _("Established"): site.get("established"),
        _("Agreement"): site.get("agreement"),
        _("Coordinate"): Markup(bdi(f"{site['lat']:.4f}, {site['lon']:.4f}") + " — " + bdi(site["coord_source"])),
        _("Position uncertain by"): (_("about ±{km} km (dashed circle on the map)").format(
            km=f"{site['coord_uncertainty_km']:g}") if known(site.get("coord_uncertainty_km")) else None),
        _("Events in view"): number(count),
    }
    names = [source_label(u, labels) if labels else _("source {number}").format(number=i + 1)
             for i, u in enumerate(site["sources"])]
    links = " · ".join(f'<a href="{html.escape(u, quote=True)}" target="_blank" rel="noopener noreferrer">{bdi(name)}</a>'
                       for name, u in zip(names, site["sources"]))
    st.html(facts_html(facts) + "<p><b>" + html_text(_("Sources")) + f":</b> {links}</p>")


def map_legend(events: pd.DataFrame, catalog: Catalog) -> None:
    """Legend for the map: actor colours in view, claim-status shapes, site-status colours."""
    present = set(events["actor_slug"].unique())
    # Each symbol stays on one line with its label: a name that wraps away from its dot reads as two entries.
    item = ('<span style="white-space:nowrap"><span style="display:inline-block;width:11px;height:11px;'
            'border-radius:50%;{style};margin-inline:10px 5px;vertical-align:-1px"></span>{text}</span> ')
    actor_html = "".join(item.format(style=f"background:{o.color}", text=html_text(catalog.label("actor", o.value)))
                         for o in catalog.options["actor"] if o.value in present)
    status_html = (item.format(style="background:#555", text=html_text(label("status", "confirmed")))
                   + item.format(style="border:2.5px solid #555;background:#fff", text=html_text(
                       " / ".join(label("status", s) for s in ("reported", "claimed", "rumored"))))
                   + item.format(style="border:2.5px dashed #555;background:#fff", text=html_text(label("status", "denied"))))
    site_html = "".join(item.format(style=f"background:{o.color};border:2px solid #222",
                                    text=html_text(label("site_status", o.value)))
                        for o in catalog.options["site_status"]) + item.format(
        style=f"background:{color('site_status', None)};border:2px solid #222",
        text=html_text(label("site_status", NO_PRESENCE_LABEL)))
    # The two long explanations may wrap (a phone is narrower than them); they each hold a line of their own.
    estimate = item.replace("nowrap", "normal").format(
        style="border:1.5px dashed #555;background:rgba(85,85,85,.06);width:16px;height:16px",
        text=html_text(_("estimated site position (circle = how far off it may be)")))
    estimate += (f'<br><span><span style="display:inline-block;width:22px;height:3px;'
                 f'background:{config.MOVEMENT_COLOR};margin-inline:10px 5px;vertical-align:3px"></span>'
                 + html_text(_("movement between sites (arrowhead at the destination)")) + "</span>")
    actors, claims, statuses = (html_text(_("Actors")), html_text(_("Claim status")), html_text(_("Sites by status")))
    st.html(f'<div style="font-size:13px;line-height:1.9"><b>{actors}</b><br>{actor_html}<br>'
            f"<b>{claims}</b><br>{status_html}<br><b>{statuses}</b><br>{site_html}<br>{estimate}</div>")


def movements_list(moves: pd.DataFrame) -> None:
    """The site-to-site movements in view, each route with links to its events."""
    if moves.empty:
        st.caption(_("No movement between two sites is recorded for the events in view. Movements to or from "
                     "places that are not sites (e.g. \"to Russia\") are described in the events' summaries."))
        return
    lines = []
    for move in moves.itertuples(index=False):
        links = ", ".join(f'<a href="{html.escape(session.link("map", event=i, site=None, view=None).href)}" '
                          f'target="_self">{bdi(i)}</a>' for i in move.event_ids)
        lines.append(f"<li><b>{bdi(move.origin_name)} → {bdi(move.destination_name)}</b>: "
                     f"{number(move.count)} ({links})</li>")
    st.html(f"<ul>{''.join(lines)}</ul>")
    st.caption(_("Arcs on the map run from origin to destination (arrowhead at the destination); their width grows "
                 "with the number of movements. Movements to or from places that are not sites (e.g. \"to Russia\") "
                 "are not drawn; the events' summaries describe them."))


def chart_as_table(frame: pd.DataFrame, columns: dict[str, str], key: str) -> None:
    """'Show as table': the data a chart plots, for readers who cannot see the chart or want the numbers."""
    if "low" in frame and "summary" in frame:  # personnel: the figure as each source gives it
        frame = frame.assign(range=[figure_as_given(lo, hi, text) if i else rng for lo, hi, text, i, rng in
                                    zip(frame["low"], frame["high"], frame["summary"], frame["id"], frame["range"])])
    with st.expander(_("Show as table")):
        shown = frame[list(columns)].rename(columns=translated(columns))
        st.dataframe(shown, hide_index=True, width="stretch", key=key,
                     height=min(400, 38 + 35 * max(len(shown), 1)))


def translated(columns: dict[str, str]) -> dict[str, str]:
    """Column → header in the current language (the headers are English msgids)."""
    return {column: _(header) for column, header in columns.items()}


PERSONNEL_TABLE = {"date_label": N_("Date"), "group": N_("Where"), "range": N_("Personnel (as the source gives it)"),
                   "claim_status": N_("Claim status"), "source_name": N_("Source"), "id": N_("Event id")}
FOOTPRINT_TABLE = {"site": N_("Site"), "country_name": N_("Country"), "status": N_("Russian status"),
                   "from_label": N_("From"), "to_label": N_("To"), "source_name": N_("Source")}
