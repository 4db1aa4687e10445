"""Formatting shared by pages: dates at their precision, numbers, ranges, plain-language summaries, citations.

Dates and numbers speak the current language (`basewatch.i18n`): English keeps its own short forms
('8 Dec 2024'); the other languages take Babel's (CLDR) month names and digit grouping. Digits stay
Latin (0–9) in every language, Arabic included: see docs/translation-glossary.md.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from functools import lru_cache

import pandas as pd
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.lists import format_list

from basewatch.config import APP_TAGLINE, APP_TITLE
from basewatch.i18n import DEFAULT, N_, _, direction, isolate, language

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")


# Babel (CLDR) patterns per precision for the languages other than English: day, month (stand-alone
# month name, as in a heading) and the long form of sentences (the month declined where the language does).
_PATTERNS = {"day": "d MMM y", "month": "LLL y", "long": "d MMMM y"}


@lru_cache(maxsize=8192)
def _babel_date(year: int, month: int, day: int, pattern: str, lang: str) -> str:
    return babel_dates.format_date(dt.date(year, month, day), _PATTERNS[pattern], locale=lang)


def date_label(day, precision: str = "day") -> str:
    """A date written at the precision the source gives: '8 Dec 2024', 'Dec 2024' or '1971' (in the language)."""
    day = day if hasattr(day, "year") else pd.Timestamp(day)  # also a 'YYYY-MM-DD' string
    if precision == "year":
        return f"{day.year}"
    lang = language()
    if lang != DEFAULT:
        return _babel_date(day.year, day.month, day.day if precision == "day" else 1,
                           "month" if precision == "month" else "day", lang)
    if precision == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def long_date(day) -> str:
    """A full date for sentences: '1 December 2024' (in the language, month declined where it is)."""
    day = pd.Timestamp(day)
    lang = language()
    if lang != DEFAULT:
        return _babel_date(day.year, day.month, day.day, "long", lang)
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def number(value) -> str:
    """A whole number with the language's digit grouping: '12,345', '12 345' (Latin digits everywhere)."""
    value = int(value)
    lang = language()
    if lang == DEFAULT or abs(value) < 1000:
        return f"{value:,}"
    return babel_numbers.format_decimal(value, locale=lang, numbering_system="latn")


def joined(labels: list[str], conjunction: str = "list") -> str:
    """Names joined as the language joins them: 'Russia and Turkey', 'wire or official', 'A, B' (a list)."""
    if language() == DEFAULT:
        return {"and": " and ", "or": " or "}.get(conjunction, ", ").join(labels)
    style = {"and": "standard", "or": "or"}.get(conjunction, "unit-narrow")
    return format_list(labels, style=style, locale=language())


def localized_date_labels(events: pd.DataFrame) -> pd.Series:
    """The events' `date_label` column in the current language (the loader writes it in English)."""
    if language() == DEFAULT or "date" not in events:
        return events["date_label"]
    return date_labels(events["date"], events["date_precision"])


def date_labels(dates: pd.Series, precisions: pd.Series) -> pd.Series:
    """date_label for a whole column, formatting each distinct (date, precision) pair once."""
    pairs = pd.MultiIndex.from_arrays([dates, precisions])
    codes, uniques = pd.factorize(pairs)
    labels = [date_label(day, precision) for day, precision in uniques]
    return pd.Series(pd.array(labels, dtype=object)[codes], index=dates.index, dtype=object)


def iso_date_labels(dates: pd.Series, precisions: pd.Series) -> pd.Series:
    """Dates as '2024-12-08', '2024-12' or '1971' by precision: readable, and they sort in time order."""
    full = dates.dt.strftime("%Y-%m-%d")
    out = full.where(precisions == "day", full.str.slice(0, 7))
    return out.where(precisions != "year", full.str.slice(0, 4))


QUALIFIERS = ("up to", "no more than", "at least", "more than", "over", "about", "around", "some")
# The qualifier as the reader's language writes it before a figure (the summaries stay English).
QUALIFIER_TEMPLATES = {
    "up to": N_("up to {number}"), "no more than": N_("no more than {number}"),
    "at least": N_("at least {number}"), "more than": N_("more than {number}"), "over": N_("over {number}"),
    "about": N_("about {number}"), "around": N_("around {number}"), "some": N_("some {number}"),
}


def cell_text(value) -> str:
    """A text cell as a string: "" when it is missing (None, or NaN from an Arrow-backed column)."""
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def figure_as_given(low, high, summary: str = "") -> str:
    """The figure as the source gives it: a range, or a single number with its qualifier ('up to 3,000').

    The data stores "up to N" as low = high = N and keeps the qualifier in the summary; a quotable
    sentence must not drop it.
    """
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return ""
    low, high = int(low), int(high)
    if low != high:
        return f"{number(low)}–{number(high)}"
    for written in (f"{low:,}", str(low)):
        match = re.search(r"\b(" + "|".join(QUALIFIERS) + r")\s+" + re.escape(written) + r"\b",
                          str(summary or ""), flags=re.IGNORECASE)
        if match:
            return _(QUALIFIER_TEMPLATES[match.group(1).lower()]).format(number=number(low))
    return number(low)


def inert(text: object) -> str:
    """Text made safe for every place folium puts it: HTML, JS template literals and Jinja re-rendering.

    html.escape stops tags and attributes; backtick, `$` and backslash would still break out of the
    template literals folium wraps popups and tooltips in; and folium compiles rendered scripts as
    Jinja again on the server, so `{`, `}` and `%` must not survive either.
    """
    escaped = html.escape("" if text is None else str(text), quote=True)
    for char, entity in (("`", "&#96;"), ("$", "&#36;"), ("\\", "&#92;"), ("{", "&#123;"),
                         ("}", "&#125;"), ("%", "&#37;")):
        escaped = escaped.replace(char, entity)
    return escaped


def citation(link: str, data_version: str, accessed: dt.date, view: str = "", coverage: str = "") -> str:
    """A ready-to-paste citation of the current view; `view` is the plain-language sentence describing it and
    `coverage` says how far the sources were searched."""
    described = f" {view.rstrip('.')}." if view else ""
    if coverage:
        described += f" {coverage}"
    return _("{app}: {tagline}.{view} Data version {version}. Accessed {date}. {link}").format(
        app=APP_TITLE, tagline=_(APP_TAGLINE), view=described, version=plain_isolate(data_version),
        date=date_label(accessed), link=plain_isolate(link))


def plain_isolate(text: object) -> str:
    """In right-to-left plain text (citations, image captions), Latin data wrapped in FSI…PDI; elsewhere as is."""
    return isolate(text) if direction() == "rtl" else str(text)


_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def md_escape(text: object) -> str:
    """Text shown literally inside Streamlit markdown: every ASCII punctuation mark is backslash-escaped.

    Streamlit markdown would otherwise turn `$...$` into maths, `[a](b)` into links and `:red[x]`
    into colour directives; a backslash before any ASCII punctuation is a CommonMark escape.
    """
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str("" if text is None else text).split()))
