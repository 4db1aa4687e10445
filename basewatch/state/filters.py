"""The filter registry: every filter of the events table declared once.

Each entry knows its URL key, how to parse and serialise it, how it appears in the sidebar, its
vectorised mask and its clause in the plain-language summary. Parsing (urlstate), the sidebar
(chrome), filtering, the summary sentence, the citation and the README parameter table all iterate
over `REGISTRY`; `Filters` itself is generated from it. Adding a filter is one entry here (plus, when
it filters on something new, the derived column the loader adds) and its tests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from basewatch.config import slugify
from basewatch.i18n import N_, _, ngettext
from basewatch.state.catalog import Catalog, symbol
from basewatch.text import date_label, joined, number

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# The date pickers accept this range; a link outside it is refused with a notice, never a crash.
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
MAX_VALUES_PER_KEY = 50


def short(value: str) -> str:
    """Shorten a reader-supplied value for a notice; backticks would break the code span it sits in."""
    value = " ".join(value.split()).replace("`", "'")
    return value if len(value) <= 40 else value[:37] + "..."


@dataclass(frozen=True)
class ParamDoc:
    """How a URL parameter is documented (the README table is checked against these)."""

    meaning: str
    format: str
    default: str
    example: str


@dataclass(frozen=True)
class ChoiceFilter:
    """Keep events whose value in `column` is one of the chosen catalog values (any, when none chosen)."""

    inline = False

    name: str  # attribute of Filters, e.g. "actors"
    key: str  # URL parameter and catalog dimension, e.g. "actor"
    label: str  # sidebar label (an English msgid, translated where shown)
    placeholder: str
    column: str  # precomputed slug column of the events table
    clause: tuple[str, str]  # (template with {values}, "and" / "or" / "list"): words of the summary sentence
    doc: ParamDoc
    repeatable = True
    empty: Any = frozenset()
    # One events cell may hold several values separated by spaces (e.g. an event's source kinds).
    multi_valued: bool = False
    # How the sidebar writes an option, from its value and catalog label (default: the label).
    option_text: Callable[[str, str], str] | None = None

    def field(self) -> tuple:
        """This filter's field of `Filters`: (name, type, default)."""
        return self.name, frozenset, dataclasses.field(default_factory=frozenset)

    def widget(self, container, catalog: Catalog, key: str, on_change: Callable[[], None], **_unused) -> None:
        """A multiselect of the catalog's values, in catalog order."""
        container.multiselect(_(self.label), catalog.values(self.key), key=key,
                              format_func=self.option_format(catalog), on_change=on_change,
                              placeholder=_(self.placeholder))

    def to_widget(self, value: frozenset[str], catalog: Catalog) -> list[str]:
        """What the widget shows for a value: the chosen slugs in catalog order."""
        return catalog.order(self.key, value)

    def from_widget(self, raw) -> frozenset[str]:
        """The filter value a widget holds."""
        return frozenset(raw or ())

    def option_format(self, catalog: Catalog) -> Callable[[str], str]:
        """The sidebar's text for each option of this filter."""
        labels = catalog.labels(self.key)
        write = self.option_text or (lambda value, label: label)
        return lambda value: write(value, labels.get(value, value))

    def parse(self, values: list[str], catalog: Catalog, notices: list[str]) -> frozenset[str]:
        """The known values named in a link; unknown ones are dropped with a notice naming them."""
        kept: list[str] = []
        unknown: list[str] = []
        absent: list[str] = []
        for raw in values[:MAX_VALUES_PER_KEY]:
            for value in raw.split(","):  # tolerate `actor=a,b` as people type it by hand
                value = value.strip()
                if not value:
                    continue
                slug = slugify(value)
                if slug in catalog.allowed(self.key):
                    if slug not in kept:
                        kept.append(slug)
                elif slug in catalog.known(self.key):
                    absent.append(value)
                else:
                    unknown.append(value)
        if len(values) > MAX_VALUES_PER_KEY:
            notices.append(_("`{key}` had more than {limit} values; the rest were ignored").format(
                key=self.key, limit=MAX_VALUES_PER_KEY))
        if unknown:
            notices.append(_("ignored unknown `{key}` value(s): {values}").format(key=self.key, values=_listed(unknown)))
        if absent:
            notices.append(_("ignored `{key}` value(s) that no event in this data has: {values}").format(
                key=self.key, values=_listed(absent)))
        return frozenset(kept)

    def serialise(self, value: frozenset[str], catalog: Catalog | None) -> list[str]:
        """Each value once, in catalog order (sorted when no catalog is at hand)."""
        return catalog.order(self.key, value) if catalog is not None else sorted(value)

    def mask(self, events: pd.DataFrame, value: frozenset[str]) -> np.ndarray:
        """Rows whose value is among the chosen ones."""
        if not self.multi_valued:
            return events[self.column].isin(value).to_numpy()
        # Space-separated tokens: pad with spaces so a token never matches inside another one.
        padded = " " + events[self.column].fillna("").astype(str) + " "
        mask = np.zeros(len(events), dtype=bool)
        for token in value:
            mask |= padded.str.contains(f" {token} ", regex=False).to_numpy()
        return mask

    def describe(self, filters: Filters, catalog: Catalog | None) -> str | None:
        """This filter's words in the summary sentence, or None when it is not set."""
        value = getattr(filters, self.name)
        if not value:
            return None
        labels = [catalog.label(self.key, v) if catalog else v for v in self.serialise(value, catalog)]
        template, conjunction = self.clause
        return _(template).format(values=joined(labels, conjunction))


@dataclass(frozen=True)
class DateFilter:
    """One end of the period: events on or after (`bound="from"`) or on or before (`"to"`) a day."""

    name: str
    key: str
    label: str
    bound: str  # "from" or "to"
    doc: ParamDoc
    repeatable = False
    empty: Any = None
    placeholder = ""
    inline = True  # the two ends sit side by side in the sidebar

    def field(self) -> tuple:
        """This filter's field of `Filters`: (name, type, default)."""
        return self.name, dt.date | None, dataclasses.field(default=None)

    def widget(self, container, catalog: Catalog, key: str, on_change: Callable[[], None],
               first: dt.date | None = None, last: dt.date | None = None) -> None:
        """A date picker within the range links accept; its help names the data's own first or last day."""
        hint = (_("Earliest event: {date}").format(date=first) if self.bound == "from"
                else _("Latest event: {date}").format(date=last))
        container.date_input(_(self.label), key=key, min_value=EARLIEST_DATE, max_value=LATEST_DATE,
                             format="YYYY-MM-DD", on_change=on_change, help=hint)

    def to_widget(self, value: dt.date | None, catalog: Catalog) -> dt.date | None:
        """What the widget shows for a value."""
        return value

    def from_widget(self, raw) -> dt.date | None:
        """The filter value a widget holds."""
        return raw or None

    def parse(self, values: list[str], catalog: Catalog, notices: list[str]) -> dt.date | None:
        """A day in YYYY-MM-DD form within the pickers' range, else None with a notice."""
        value = values[-1].strip()
        if len(values) > 1:
            notices.append(_("`{key}` was given {count} times; used the last one").format(key=self.key, count=len(values)))
        if not DATE_RE.match(value):
            notices.append(_("ignored `{param}`: not a date in YYYY-MM-DD form").format(
                param=f"{self.key}={short(value)}"))
            return None
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            notices.append(_("ignored `{param}`: no such calendar day").format(param=f"{self.key}={short(value)}"))
            return None
        if not EARLIEST_DATE <= day <= LATEST_DATE:
            notices.append(_("ignored `{param}`: outside {first}–{last}").format(
                param=f"{self.key}={value}", first=EARLIEST_DATE.year, last=LATEST_DATE.year))
            return None
        return day

    def serialise(self, value: dt.date, catalog: Catalog | None) -> list[str]:
        """The day as YYYY-MM-DD."""
        return [value.isoformat()]

    def mask(self, events: pd.DataFrame, value: dt.date) -> np.ndarray:
        """An imprecise event (a month, a year) matches when its period overlaps the range."""
        if self.bound == "from":
            return (events["date_end"] >= pd.Timestamp(value)).to_numpy()
        return (events["date"] <= pd.Timestamp(value)).to_numpy()

    def describe(self, filters: Filters, catalog: Catalog | None) -> str | None:
        """'from A to B', 'since A' or 'up to B'; the period is said once, by whichever end is set first."""
        start, end = filters.date_from, filters.date_to
        if self.bound == "from" and start:
            if end:
                return _("from {start} to {end}").format(start=date_label(start), end=date_label(end))
            return _("since {start}").format(start=date_label(start))
        if self.bound == "to" and end and not start:
            return _("up to {end}").format(end=date_label(end))
        return None


@dataclass(frozen=True)
class FlagFilter:
    """An on/off filter: when on, keep only events where `column` is False (e.g. not resting on weak sources)."""

    inline = False

    name: str
    key: str
    label: str
    column: str
    clause_text: str
    help: str
    doc: ParamDoc
    repeatable = False
    empty: Any = False
    placeholder = ""

    def field(self) -> tuple:
        """This filter's field of `Filters`: (name, type, default)."""
        return self.name, bool, dataclasses.field(default=False)

    def widget(self, container, catalog: Catalog, key: str, on_change: Callable[[], None], **_unused) -> None:
        """An on/off toggle."""
        container.toggle(_(self.label), key=key, on_change=on_change, help=_(self.help))

    def to_widget(self, value: bool, catalog: Catalog) -> bool:
        """What the widget shows for a value."""
        return bool(value)

    def from_widget(self, raw) -> bool:
        """The filter value a widget holds."""
        return bool(raw)

    TRUE = ("1", "true", "yes", "on")
    FALSE = ("0", "false", "no", "off")

    def parse(self, values: list[str], catalog: Catalog, notices: list[str]) -> bool:
        """`1` (or true/yes/on) turns the filter on; `0` (false/no/off) leaves it off; anything else is named."""
        value = values[-1].strip().lower()
        if value in self.TRUE:
            return True
        if value not in self.FALSE:
            notices.append(_("ignored `{param}`: expected 1 (on) or 0 (off)").format(
                param=f"{self.key}={short(values[-1])}"))
        return False

    def serialise(self, value: bool, catalog: Catalog | None) -> list[str]:
        """`1` when on (off is the default and never written)."""
        return ["1"]

    def mask(self, events: pd.DataFrame, value: bool) -> np.ndarray:
        """Rows where `column` is False."""
        return ~events[self.column].astype(bool).to_numpy()

    def describe(self, filters: Filters, catalog: Catalog | None) -> str | None:
        """The flag's words in the summary sentence when it is on."""
        return _(self.clause_text) if getattr(filters, self.name) else None


def _listed(values: list[str]) -> str:
    return ", ".join(f"`{short(v)}`" for v in values[:5]) + (" ..." if len(values) > 5 else "")


REGISTRY: tuple[ChoiceFilter | FlagFilter | DateFilter, ...] = (
    ChoiceFilter(
        "actors", "actor", N_("Actor"), N_("All actors"), "actor_slug", (N_("by {values}"), "and"),
        ParamDoc("Only events by these actors", "actor slug, e.g. `russia`, `european-union`", "all actors",
                 "/?actor=russia&actor=turkey")),
    ChoiceFilter(
        "types", "type", N_("Event type"), N_("All types"), "type_slug", (N_("of type {values}"), "list"),
        ParamDoc("Only these event types", "event type, e.g. `deployment`, `withdrawal`", "all types",
                 "/timeline?type=withdrawal")),
    ChoiceFilter(
        "statuses", "status", N_("Claim status"), N_("All statuses"), "status_slug",
        (N_("with claim status {values}"), "list"),
        ParamDoc("Only these claim statuses", "`confirmed`, `reported`, `claimed`, `rumored`, `denied`",
                 "all statuses", "/data?status=confirmed"),
        option_text=lambda status, label: f"{symbol(status)} {label}"),
    ChoiceFilter(
        "countries", "country", N_("Country"), N_("All countries"), "country_slug", (N_("in {values}"), "list"),
        ParamDoc("Only events in these countries", "ISO 3166-1 alpha-2 code in lower case, e.g. `sy`, `ly`",
                 "all countries", "/map?country=ly"),
        option_text=lambda code, name: f"{name} ({code.upper()})"),
    ChoiceFilter(
        "sources", "source", N_("Source kind"), N_("All source kinds"), "source_kinds",
        (N_("citing {values} sources"), "or"),
        ParamDoc("Only events citing at least one source of these kinds (publishers.csv)",
                 "`wire`, `newspaper`, `broadcaster`, `official`, `research`, `specialist`, `aggregator`, "
                 "`blog`, `wiki`, `other`", "all kinds", "/timeline?source=wire&source=official"),
        multi_valued=True),
    FlagFilter(
        "independent_only", "independent", N_("Independent sources only"), "weak_only",
        N_("with at least one independent source"),
        N_("Leave out events whose only sources are state-affiliated outlets, aggregators, blogs or wikis."),
        ParamDoc("Leave out events whose only sources are state-affiliated, aggregators, blogs or wikis",
                 "`1` (on)", "off", "/map?independent=1")),
    DateFilter(
        "date_from", "from", N_("From"), "from",
        ParamDoc("Events on or after this day (imprecise dates match when their period overlaps)", "YYYY-MM-DD",
                 "earliest event", "/map?from=2024-12-01")),
    DateFilter(
        "date_to", "to", N_("To"), "to",
        ParamDoc("Events on or before this day", "YYYY-MM-DD", "latest event", "/timeline?to=2016-12-31")),
)


def _filters_namespace() -> dict:
    def is_default(self) -> bool:
        """True when nothing is filtered."""
        return self == type(self)()

    def replace(self, **changes) -> Filters:
        """A copy with some filters changed."""
        return dataclasses.replace(self, **changes)

    return {"__doc__": "What the reader narrowed the events to; empty sets and None dates mean 'everything'.",
            "is_default": property(is_default), "replace": replace}


# Generated from the registry so that a new filter is one entry, not an entry plus a field.
Filters = dataclasses.make_dataclass(
    "Filters", [entry.field() for entry in REGISTRY],
    frozen=True, namespace=_filters_namespace())
Filters.__module__ = __name__  # make_dataclass gained `module=` only in Python 3.12
FILTER_FIELDS = frozenset(entry.name for entry in REGISTRY)


def canonical(filters: Filters) -> str:
    """The filters as one canonical string (sorted values, registry order): a key for caches."""
    return "&".join(f"{entry.key}={','.join(entry.serialise(value, None))}" for entry in REGISTRY
                    if (value := getattr(filters, entry.name)))


def checked_period(filters: Filters) -> tuple[Filters, str | None]:
    """The one from-after-to rule (links and widgets alike): a `to` before `from` is dropped, with a notice."""
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        return filters.replace(date_to=None), _("ignored `{param}`: it is before `{other}`").format(
            param=f"to={filters.date_to}", other=f"from={filters.date_from}")
    return filters, None


def filter_mask(events: pd.DataFrame, filters: Filters) -> np.ndarray:
    """Boolean mask of the events matching `filters` (slug columns precomputed by the loader)."""
    mask = np.ones(len(events), dtype=bool)
    for entry in REGISTRY:
        value = getattr(filters, entry.name)
        if value:
            mask &= entry.mask(events, value)
    return mask


def apply_filters(events: pd.DataFrame, filters: Filters, columns: list[str] | None = None) -> pd.DataFrame:
    """The events matching `filters`, in the loader's order; only `columns` when given (a narrow copy, not 40 columns)."""
    if filters.is_default:
        return events if columns is None else events[columns]
    return events.loc[filter_mask(events, filters), slice(None) if columns is None else columns]


def describe_filters(filters: Filters, catalog: Catalog | None, count: int, total: int) -> str:
    """One sentence saying what the reader is looking at, for screen readers, citations and link previews."""
    if count != total:
        first = ngettext("{count} of {total} event", "{count} of {total} events", total)
    else:
        first = ngettext("All {total} event", "All {total} events", total)
    parts = [first.format(count=number(count), total=number(total))]
    parts += [clause for entry in REGISTRY if (clause := entry.describe(filters, catalog))]
    return " ".join(parts)

