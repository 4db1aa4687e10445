"""Display components shared by pages: detail panels, the events table, the map legend, source links.

Text from the data is shown literally: markdown is escaped character by character, HTML is escaped,
tables show cell text as text.
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from basewatch import config
from basewatch.loading.changelog import for_event
from basewatch.loading.publishers import host_of
from basewatch.queries.sources import source_label
from basewatch.shell import session
from basewatch.state.catalog import NO_PRESENCE_LABEL, Catalog, color, label, meaning, symbol
from basewatch.text import figure_as_given, iso_date_labels, md_escape


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
        f"[{md_escape(source_label(u, labels)) if labels else f'source {i + 2}'}]({md_url(u)})"
        for i, u in enumerate(urls[1:])]
    return " · ".join(parts)


def md_url(url: str) -> str:
    """A URL made safe as a markdown link target (parentheses and spaces would end it early)."""
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def html_text(text: object) -> str:
    """Text escaped for HTML."""
    return html.escape(str(text))


def known(value) -> bool:
    """True for a real value (not None, not NaN)."""
    return value is not None and not pd.isna(value)


TABLE_COLUMNS = {
    "date_iso": st.column_config.TextColumn("Date", width="small",
                                            help="At the precision the source gives (a year, a month or a day); "
                                                 "sorts in time order"),
    "actor": st.column_config.TextColumn("Actor"),
    "event_type": st.column_config.TextColumn("Type", width="small"),
    "site_name": st.column_config.TextColumn("Site"),
    "place": st.column_config.TextColumn("Place"),
    "summary": st.column_config.TextColumn("Summary", width="large"),
    "claim_status": st.column_config.TextColumn("Status", width="small"),
    "personnel": st.column_config.TextColumn("Personnel", width="small"),
    "publisher": st.column_config.TextColumn("Source", help="Publisher and kind of the first source "
                                             "(publishers.csv); marks state-affiliated outlets and copies"),
    "independent_publishers": st.column_config.NumberColumn(
        "Indep.", width="small", format="%d",
        help="Independent publishers behind the event; copies of one original count once"),
    "source_url": st.column_config.LinkColumn("Link to source", display_text=r"https?://(?:www\.)?([^/]+)"),
    "permalink": st.column_config.LinkColumn("Link", display_text="open", width="small",
                                             help="Permalink to this event on the map"),
    "id": st.column_config.TextColumn("Id", width="small"),
}
MAX_TABLE_ROWS = 2000
TEXT_COLUMNS = ("site_name", "place", "summary", "actor", "event_type", "claim_status")


def table_frame(events: pd.DataFrame, labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The rows as the events table shows them: ISO dates at their precision, blanks instead of None."""
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
    for column in TEXT_COLUMNS:
        frame[column] = frame[column].fillna("")
    return frame[list(TABLE_COLUMNS)]


def events_table(events: pd.DataFrame, key: str, height: int | None = 420, selectable: bool = False,
                 labels: dict[str, str] | None = None):
    """Events as a sortable table; text is shown literally, sources are http(s) links.

    At most MAX_TABLE_ROWS rows are sent to the browser (in the order given); the caption says so.
    """
    if len(events) > MAX_TABLE_ROWS:
        st.caption(f"Showing the first {MAX_TABLE_ROWS:,} of {len(events):,} events in this order. Narrow the "
                   "filters or search, or download everything as CSV on the Data page.")
        events = events.head(MAX_TABLE_ROWS)
    kwargs = {"on_select": "rerun", "selection_mode": "single-row"} if selectable else {}
    return st.dataframe(table_frame(events, labels), hide_index=True, width="stretch", column_config=TABLE_COLUMNS,
                        key=key, height=height if height else "auto", **kwargs)


def event_detail(event: pd.Series, labels: dict[str, str] | None = None, changes: list | None = None) -> None:
    """Every field of one event, text shown literally, sources clickable with their publisher and kind.

    `labels`: host → publisher label; `changes`: the data changelog's entries (to say when it last changed).
    """
    st.markdown(f"#### {md_escape(event['date_label'])} · {md_escape(label('actor', event['actor']))}")
    st.markdown(md_escape(event["summary"]))
    status = event["claim_status"]
    st.markdown(f"**Claim status:** {symbol(status)} {md_escape(label('status', status))} — "
                f"{md_escape(meaning('status', status))}")
    facts = {
        "Event type": label("type", event["event_type"]),
        "Counterpart": event["counterpart"],
        "Site": event["site_name"],
        "Moved to": (f"{event['destination_name']} (from {event['site_name']})"
                     if known(event.get("destination_name")) else None),
        "Place": event["place"],
        "Country": label("country", event["country"]) if event["country"] else None,
        "Date precision": label("date_precision", event["date_precision"]),
        "Personnel in scope after the event": figure_as_given(event["personnel_low"], event["personnel_high"],
                                                              event["summary"]),
        "Source date": event["source_date"],
        "Independent publishers": (f"{int(event['independent_publishers'])}"
                                   + (" (all its sources are state-affiliated, aggregators, blogs or wikis)"
                                      if event.get("weak_only") else "")
                                   if "independent_publishers" in event and labels else None),
        "Last checked against its sources": event.get("last_checked"),
        "Event id": event["id"],
    }
    lines = [f"- **{k}:** {md_escape(v)}" for k, v in facts.items() if known(v) and v != ""]
    st.markdown("\n".join(lines))
    st.markdown("**Sources:** " + source_links_md(event, labels))
    history = for_event(changes or [], event["id"])
    if history:
        log = session.link("data", event=event["id"], site=None, view=None)
        st.markdown(f"**Last changed:** {md_escape(history[0].date)} — {md_escape(history[0].section)}. "
                    f"[See the data changelog]({md_url(log.href)})")


def site_detail(site: pd.Series, events: pd.DataFrame, labels: dict[str, str] | None = None) -> None:
    """The facts of one site, names in every script, and its sources with their publisher and kind."""
    st.markdown(f"#### {md_escape(site['name'])}")
    since = f" since {html_text(site['status_since'])}" if known(site.get("status_since")) else ""
    st.html(f'<span style="display:inline-block;width:.8em;height:.8em;border-radius:50%;border:1px solid #222;'
            f'background:{color("site_status", site["status"])};margin-right:.4em"></span><b>Russian status:</b> '
            f'{html_text(label("site_status", site["status"]))}{since}')
    if known(site.get("status_source_url")):
        st.markdown(f"Status source: [{md_escape(site['status_source_name'])}]({md_url(site['status_source_url'])})")
    names = [n for n in [site.get("name_ar"), site.get("name_ru")] if isinstance(n, str) and n]
    aliases = list(site.get("aliases") or [])
    facts = {
        "Other names": " · ".join(names + aliases) or None,
        "Kind": label("site_kind", site["kind"]),
        "Country": label("country", site["country"]),
        "Status note": site.get("status_note"),
        "Operator": site.get("operator"),
        "Established": site.get("established"),
        "Agreement": site.get("agreement"),
        "Coordinate": f"{site['lat']:.4f}, {site['lon']:.4f} — {site['coord_source']}",
        "Position uncertain by": (f"about ±{site['coord_uncertainty_km']:g} km (dashed circle on the map)"
                                  if known(site.get("coord_uncertainty_km")) else None),
        "Events in view": f"{int((events['site_id'] == site['id']).sum())}",
    }
    st.markdown("\n".join(f"- **{k}:** {md_escape(v)}" for k, v in facts.items() if known(v) and v != ""))
    links = " · ".join(f"[{md_escape(source_label(u, labels)) if labels else f'source {i + 1}'}]({md_url(u)})"
                       for i, u in enumerate(site["sources"]))
    st.markdown("**Sources:** " + links)


def map_legend(events: pd.DataFrame, catalog: Catalog) -> None:
    """Legend for the map: actor colours in view, claim-status shapes, site-status colours."""
    present = set(events["actor_slug"].unique())
    dot = ('<span style="display:inline-block;width:11px;height:11px;border-radius:50%;{style};'
           'margin:0 5px 0 10px;vertical-align:-1px"></span>')
    actor_html = "".join(dot.format(style=f"background:{o.color}") + html_text(o.label)
                         for o in catalog.options["actor"] if o.value in present)
    status_html = (dot.format(style="background:#555") + "confirmed"
                   + dot.format(style="border:2.5px solid #555;background:#fff") + "reported / claimed / rumored"
                   + dot.format(style="border:2.5px dashed #555;background:#fff") + "denied")
    site_html = "".join(dot.format(style=f"background:{o.color};border:2px solid #222") + html_text(o.label)
                        for o in catalog.options["site_status"]) + dot.format(
        style=f"background:{color('site_status', None)};border:2px solid #222") + html_text(
        label("site_status", NO_PRESENCE_LABEL))
    estimate = (dot.format(style="border:1.5px dashed #555;background:rgba(85,85,85,.06);width:16px;height:16px")
                + "estimated site position (circle = how far off it may be)")
    estimate += (f'<br><span style="display:inline-block;width:22px;height:3px;background:{config.MOVEMENT_COLOR};'
                 'margin:0 5px 0 10px;vertical-align:3px"></span>movement between sites (arrowhead at the destination)')
    st.html(f'<div style="font-size:13px;line-height:1.9"><b>Actors</b><br>{actor_html}<br><b>Claim status</b>'
            f'<br>{status_html}<br><b>Sites by status</b><br>{site_html}<br>{estimate}</div>')


def movements_list(moves: pd.DataFrame) -> None:
    """The site-to-site movements in view, each route with links to its events."""
    if moves.empty:
        st.caption("No movement between two sites is recorded for the events in view. Movements to or from "
                   "places that are not sites (e.g. \"to Russia\") are described in the events' summaries.")
        return
    lines = []
    for move in moves.itertuples(index=False):
        links = ", ".join(f"[{md_escape(i)}]({md_url(session.link('map', event=i, site=None, view=None).href)})"
                          for i in move.event_ids)
        lines.append(f"- **{md_escape(move.origin_name)} → {md_escape(move.destination_name)}**: "
                     f"{move.count} ({links})")
    st.markdown("\n".join(lines))
    st.caption("Arcs on the map run from origin to destination (arrowhead at the destination); their width grows "
               "with the number of movements. Movements to or from places that are not sites (e.g. \"to Russia\") "
               "are not drawn; the events' summaries describe them.")


def chart_as_table(frame: pd.DataFrame, columns: dict[str, str], key: str) -> None:
    """'Show as table': the data a chart plots, for readers who cannot see the chart or want the numbers."""
    if "low" in frame and "summary" in frame:  # personnel: the figure as each source gives it
        frame = frame.assign(range=[figure_as_given(lo, hi, text) if i else rng for lo, hi, text, i, rng in
                                    zip(frame["low"], frame["high"], frame["summary"], frame["id"], frame["range"])])
    with st.expander("Show as table"):
        shown = frame[list(columns)].rename(columns=columns)
        st.dataframe(shown, hide_index=True, width="stretch", key=key,
                     height=min(400, 38 + 35 * max(len(shown), 1)))


PERSONNEL_TABLE = {"date_label": "Date", "group": "Where", "range": "Personnel (as the source gives it)",
                   "claim_status": "Claim status", "source_name": "Source", "id": "Event id"}
FOOTPRINT_TABLE = {"site": "Site", "country_name": "Country", "status": "Russian status", "from_label": "From",
                   "to_label": "To", "source_name": "Source"}
