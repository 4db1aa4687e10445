"""What every chart shares: claim-status shapes, the phone breakpoint, temporal domains Vega-Lite reads right."""

from __future__ import annotations

from functools import lru_cache

import altair as alt
import pandas as pd
from babel import Locale

from basewatch.i18n import DEFAULT, language
from basewatch.state.catalog import label, shape, vocabulary

# Below this plot width (a phone) lane names sit inside the plot and legends wrap.
NARROW_PX = 500


def date_domain(start: pd.Timestamp, end: pd.Timestamp) -> list[str]:
    """A temporal scale domain as ISO days: Vega-Lite 6.5 in the browser misreads numeric ones."""
    return [pd.Timestamp(start).strftime("%Y-%m-%d"), pd.Timestamp(end).strftime("%Y-%m-%d")]


def status_shape_scale() -> alt.Scale:
    """Claim status → mark shape, keyed by the names readers see (the legend shows them)."""
    statuses = vocabulary("status")
    return alt.Scale(domain=[label("status", s) for s in statuses], range=[shape(s) for s in statuses])


@lru_cache(maxsize=8)
def vega_locale(lang: str) -> dict | None:
    """Vega's number and time locale for `lang` from Babel's CLDR data (None for English, Vega's default).

    Month and day names as the language writes them (stand-alone forms, as on an axis); Latin digits in
    every language, Arabic included, as in the text (the choice is in docs/translation-glossary.md).
    """
    if lang == DEFAULT:
        return None
    locale = Locale.parse(lang)
    symbols = locale.number_symbols["latn"]
    order = [6, 0, 1, 2, 3, 4, 5]  # CLDR counts days from Monday, d3 from Sunday
    days, short_days = locale.days["stand-alone"]["wide"], locale.days["stand-alone"]["abbreviated"]
    months, short_months = locale.months["stand-alone"]["wide"], locale.months["stand-alone"]["abbreviated"]
    return {
        "number": {"decimal": symbols["decimal"], "thousands": symbols["group"], "grouping": [3],
                   "currency": ["", ""]},
        "time": {"dateTime": "%x, %X", "date": "%d/%m/%Y", "time": "%H:%M:%S",
                 "periods": [locale.day_periods["format"]["abbreviated"].get(p, p.upper()) for p in ("am", "pm")],
                 "days": [days[i] for i in order], "shortDays": [short_days[i] for i in order],
                 "months": [months[i] for i in range(1, 13)], "shortMonths": [short_months[i] for i in range(1, 13)]},
    }


def localized(spec: dict, lang: str | None = None) -> dict:
    """A copy of a Vega-Lite spec that speaks `lang` (default: the current language): its `config.locale`."""
    lang = lang or language()
    locale = vega_locale(lang)
    if locale is None:
        return spec
    config = {**spec.get("config", {}), "locale": locale}
    if lang == "ar":  # the vendored Arabic web font (see shell.chrome), then the browser's own
        config["font"] = ARABIC_FONT_STACK
    return {**spec, "config": config}


ARABIC_FONT_STACK = "Noto Sans Arabic, Source Sans, sans-serif"
