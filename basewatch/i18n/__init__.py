"""The interface's language: which one a run or a request speaks, and the translation of every visible string.

Ground floor (imports nothing of ours but config). The language comes from the `lang` URL parameter
(`en` by default and omitted; `ar`, `ru`, `fr`); a page run or a web request sets it once with
`use(lang)`, and `_()` / `ngettext()` then answer in it. Catalogs are gettext files under
`basewatch/i18n/locales/`; Babel supplies plural rules and dates.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path

DOMAIN = "basewatch"
LOCALES = Path(__file__).resolve().parent / "locales"
DEFAULT = "en"
# Each language named in itself, in the order the picker offers them.
LANGUAGES = {"en": "English", "ar": "العربية", "ru": "Русский", "fr": "Français"}
RIGHT_TO_LEFT = frozenset({"ar"})

_current: ContextVar[str] = ContextVar("basewatch_language", default=DEFAULT)


@lru_cache(maxsize=len(LANGUAGES))
def _translations(lang: str) -> _gettext.NullTranslations:
    if lang == DEFAULT:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, LOCALES, languages=[lang], fallback=True)


def language() -> str:
    """The language of the current page run or request."""
    return _current.get()


def set_language(lang: str) -> None:
    """Speak `lang` from now on in this thread's context (a page run sets it once, first thing)."""
    _current.set(lang if lang in LANGUAGES else DEFAULT)


@contextmanager
def use(lang: str) -> Iterator[None]:
    """Speak `lang` inside the block (web requests, exports), then whatever was spoken before."""
    token = _current.set(lang if lang in LANGUAGES else DEFAULT)
    try:
        yield
    finally:
        _current.reset(token)


def direction(lang: str | None = None) -> str:
    """'rtl' for a right-to-left language, else 'ltr'."""
    return "rtl" if (lang or language()) in RIGHT_TO_LEFT else "ltr"


def _(message: str) -> str:
    """`message` in the current language (itself when no translation exists)."""
    return _translations(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for `n`, by the current language's plural rules."""
    return _translations(language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` translated within `context` (the same English word can need two translations)."""
    return _translations(language()).pgettext(context, message)
