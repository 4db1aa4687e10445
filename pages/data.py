"""Data & sources: dictionary, method, sources by publisher, downloads."""

import streamlit as st

from basewatch import config
from basewatch.i18n import _
from basewatch.loading import changelog
from basewatch.queries import sources
from basewatch.shell import chrome, session
from basewatch.state import links
from basewatch.state.catalog import label, meaning
from basewatch.text import md_escape, number, plain_isolate
from basewatch.views import acled, downloads, story

ctx = chrome.page_setup("data")
st.title(_("Data & sources"))
st.markdown(chrome.summary_line(ctx))
st.markdown(_("**Data version** `{version}` — the latest event date plus the first characters of a SHA-256 hash of "
              "the data files. Cite it with the link from *Share this view*.").format(version=plain_isolate(ctx.dataset.version)))

st.markdown(_("**Licence**: the data is under [{licence}]({url}): reuse it for any purpose, crediting Basewatch with "
              "the data version and the link to your view. The code is under the Apache License 2.0.").format(
    licence=config.DATA_LICENSE_SHORT, url=config.DATA_LICENSE_URL))

st.subheader(_("Download"))
cols = st.columns(4)
# Files are made only when a button is clicked (callables), so a rerun never pays for them. The
# callables run outside this script run, so they hold the filter mask as it is now; the rows are copied on click.
mask, all_events = ctx.mask, ctx.all_events
cols[0].download_button(_("Filtered events, CSV ({count})").format(count=number(ctx.count)),
                        lambda: downloads.events_csv(all_events[mask]),
                        file_name=f"basewatch-events-{ctx.dataset.version}.csv", mime="text/csv",
                        on_click="ignore", key="dl_csv")
cols[1].download_button(_("Filtered events, GeoJSON"), lambda: downloads.events_geojson(all_events[mask]),
                        file_name=f"basewatch-events-{ctx.dataset.version}.geojson",
                        mime="application/geo+json", on_click="ignore", key="dl_geojson")
cols[2].download_button(_("Sites, GeoJSON ({count})").format(count=number(len(ctx.dataset.sites))), lambda: downloads.sites_geojson(ctx.dataset),
                        file_name=f"basewatch-sites-{ctx.dataset.version}.geojson",
                        mime="application/geo+json", on_click="ignore", key="dl_sites")
cols[3].download_button(_("Filtered events, ACLED columns"), lambda: acled.acled_csv(all_events[mask], ctx.dataset.sites),
                        file_name=f"basewatch-events-acled-{ctx.dataset.version}.csv", mime="text/csv",
                        on_click="ignore", key="dl_acled", help=_("ACLED's column names through the crosswalk in "
                                                                  "data/README.md; year-only dates are flagged in tags"))
api_links = " · ".join(f"[`{name}`]({session.machine_link(links.api(name, ctx.state, ctx.catalog), 'data')})"
                       for name in ("events.csv", "events.json", "events.geojson"))
st.caption(_("The same rows for scripts and spreadsheets: {links} (the API takes every parameter of the pages; curl "
             "examples are in the README, section “Data access”). {licence}.").format(
    links=api_links, licence=config.DATA_LICENSE_SHORT))

st.subheader(_("Method"))
st.markdown(_(
    "Every event and site carries at least one source URL. Summaries are written in our own words (in English). "
    "Where sources disagree, each claim is kept as its own row and the summary says so.\n\n"
    "- **Dates** are stored as the first day of the period a source gives; `date_precision` says whether "
    "that is a day, a month or a year, and the app writes the date at that precision (\"Dec 2024\", \"1971\"). "
    "A date filter matches an imprecise event when its period overlaps the filter.\n"
    "- **Personnel** figures are ranges (`personnel_low`–`personnel_high`) of estimated Russian personnel in "
    "scope after the event: the site when a site is named, otherwise the country. A single figure is stored "
    "twice; vague words (\"several hundred\") are left empty rather than turned into numbers."))
st.markdown("**" + _("Claim status") + "**")
st.table({_("status"): [label("status", s) for s in config.CLAIM_STATUSES],
          _("meaning"): [meaning("status", s) for s in config.CLAIM_STATUSES]})

if len(ctx.dataset.coverage):
    st.markdown(_("**Coverage**: {sentence} Events after these dates are missing because nobody has searched for "
                  "them yet, not because nothing happened.").format(
        sentence=md_escape(story.coverage_sentence(ctx.dataset.coverage))))
    st.dataframe(ctx.dataset.coverage.assign(country=ctx.dataset.coverage["country"].map(lambda c: label("country", c)),
                                             covered_to=ctx.dataset.coverage["covered_to"].dt.strftime("%Y-%m-%d")),
                 hide_index=True, width="stretch",
                 column_config={"country": _("Country"), "covered_to": _("Searched up to"), "note": _("How")})

st.subheader(_("Sources and their weight"))
if ctx.dataset.publishers.empty:
    publishers = downloads.sources_by_publisher(ctx.columns(["source_name", "id", "source_url"]))
    st.caption(_("{publishers} publishers cited by the {events} events in view. This data folder has no "
                 "publishers.csv, so sources are not classified.").format(publishers=number(len(publishers)),
                                                                          events=number(ctx.count)))
    st.dataframe(publishers, hide_index=True, width="stretch", height=360,
                 column_config={"example": st.column_config.LinkColumn(_("Example source")),
                                "publisher": st.column_config.TextColumn(_("Publisher")),
                                "events": st.column_config.NumberColumn(_("Events citing it"), format="%d")})
else:
    events = ctx.columns([c for c in ("weak_only", "source_url", "more_sources", "source_set")  # all it reads
                          if c in ctx.all_events])
    weak = int(events["weak_only"].sum())
    share = weak / len(events) if len(events) else 0
    st.markdown(_("**{weak} of {total} events in view ({share}) rest only on weak sources** (state-affiliated "
                  "outlets, aggregators, blogs or wikis). Switch on *Independent sources only* in the sidebar to "
                  "leave them out.").format(weak=number(weak), total=number(len(events)), share=f"{share:.0%}"))
    table = sources.citations_per_publisher(events, ctx.dataset.publishers, ctx.dataset.source_sets)
    st.caption(_("{cited} publishers cited by the events in view, out of {total} in the registry. Reliability is the "
                 "Admiralty source grade (A reliable … E unreliable, F cannot be judged); the rubric is in "
                 "data/README.md.").format(cited=number(int((table['events'] > 0).sum())), total=number(len(table))))
    st.dataframe(table, hide_index=True, width="stretch", height=360, column_config={
        "host": st.column_config.TextColumn(_("Host")), "publisher": st.column_config.TextColumn(_("Publisher")),
        "kind": st.column_config.TextColumn(_("Kind"), width="small"),
        "state_affiliated": st.column_config.CheckboxColumn(_("State-affiliated"), width="small"),
        "copies_of": st.column_config.TextColumn(_("Copies")),
        "reliability": st.column_config.TextColumn(_("Grade"), width="small"),
        "events": st.column_config.NumberColumn(_("Events citing it"), format="%d"),
        "note": st.column_config.TextColumn(_("Note"), width="large"), "country": None})
    st.markdown("**" + _("Kinds of source") + "**")
    st.table({_("kind"): [label("source", k) for k in config.SOURCE_KINDS],
              _("meaning"): [meaning("source", k) for k in config.SOURCE_KINDS]})

st.subheader(_("Corrections log"))
entries = ctx.changes
if not entries:
    st.caption(_("This data folder has no CHANGES.md."))
else:
    if ctx.state.event:
        mine = changelog.for_event(entries, ctx.state.event)
        st.markdown(_("**Changes to {event}:**").format(event=md_escape(ctx.state.event)) if mine else
                    _("No change to {event} is recorded.").format(event=md_escape(ctx.state.event)))
        st.markdown("\n".join(f"- {md_escape(e.date)}, {md_escape(e.section)}: {md_escape(e.text)}" for e in mine))
    latest = [e for e in entries if e.date == entries[0].date]
    st.caption(_("Latest changes ({date}, {count} entries; {total} in all). Every data change adds an entry to "
                 "data/CHANGES.md.").format(date=md_escape(entries[0].date), count=number(len(latest)),
                                            total=number(len(entries))))
    st.dataframe([{"date": e.date, "change": e.text, "events": " ".join(sorted(e.event_ids))} for e in latest],
                 hide_index=True, width="stretch", height=300,
                 column_config={"date": st.column_config.TextColumn(_("Date")),
                                "change": st.column_config.TextColumn(_("Change"), width="large"),
                                "events": st.column_config.TextColumn(_("Events"))})

st.subheader(_("Data dictionary"))
st.markdown(_("The full contract, vocabularies and how to add a row are in `data/README.md` in the repository; the "
              "columns of `events.csv` are:"))
st.dataframe(downloads.dictionary_table(), hide_index=True, width="stretch",
             column_config={"column": st.column_config.TextColumn(_("Column")),
                            "meaning": st.column_config.TextColumn(_("Meaning"))})
chrome.share_box(ctx)
