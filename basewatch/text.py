"""Formatting shared by pages: dates at their precision, ranges, plain-language summaries, citations."""

from __future__ import annotations

import datetime as dt
import html
import re

import pandas as pd

from basewatch.config import APP_TAGLINE, APP_TITLE

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
               "October", "November", "December")


def date_label(day, precision: str = "day") -> str:
    """A date written at the precision the source gives: '8 Dec 2024', 'Dec 2024' or '1971'."""
    day = day if hasattr(day, "year") else pd.Timestamp(day)  # also a 'YYYY-MM-DD' string
    if precision == "year":
        return f"{day.year}"
    if precision == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def long_date(day) -> str:
    """A full date for sentences: '1 December 2024'."""
    day = pd.Timestamp(day)
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


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


def figure_as_given(low, high, summary: str = "") -> str:
    """The figure as the source gives it: a range, or a single number with its qualifier ('up to 3,000').

    The data stores "up to N" as low = high = N and keeps the qualifier in the summary; a quotable
    sentence must not drop it.
    """
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return ""
    low, high = int(low), int(high)
    if low != high:
        return f"{low:,}–{high:,}"
    for number in (f"{low:,}", str(low)):
        match = re.search(r"\b(" + "|".join(QUALIFIERS) + r")\s+" + re.escape(number) + r"\b",
                          str(summary or ""), flags=re.IGNORECASE)
        if match:
            return f"{match.group(1).lower()} {low:,}"
    return f"{low:,}"


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
    covered = f" {coverage}" if coverage else ""
    return (f"{APP_TITLE}: {APP_TAGLINE}.{described} Data version {data_version}.{covered} "
            f"Accessed {date_label(accessed)}. {link}")


_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def md_escape(text: object) -> str:
    """Text shown literally inside Streamlit markdown: every ASCII punctuation mark is backslash-escaped.

    Streamlit markdown would otherwise turn `$...$` into maths, `[a](b)` into links and `:red[x]`
    into colour directives; a backslash before any ASCII punctuation is a CommonMark escape.
    """
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str("" if text is None else text).split()))
