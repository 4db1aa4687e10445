"""The interface's language: which one a run or a request speaks, and the translation of every visible string.

Ground floor (imports nothing of ours). The language comes from the `lang` URL parameter (`en` by
default and omitted; `ar`, `ru`, `fr`); a page run or a web request sets it once with `use(lang)` or
`set_language`, and `_()` / `ngettext()` / `pgettext()` then answer in it. Catalogs are gettext files
under `basewatch/i18n/locales/<lang>/LC_MESSAGES/basewatch.po`, compiled to the committed `.mo` next to
them by `python -m scripts.translations` (a test keeps the two in step); Babel supplies plural rules,
dates and number formats (`basewatch.text`).
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
# Unicode isolates: text between FSI/RLI/LRI and PDI takes its own direction and cannot reorder
# anything outside it (used where HTML's <bdi> is not available: plain-text exports, SVG captions).
FSI, LRI, RLI, PDI = "\u2068", "\u2066", "\u2067", "\u2069"

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


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name for a marker
    """Mark `message` for translation where it is defined; `_()` translates it where it is shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for `n`, by the current language's plural rules."""
    return _translations(language()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` translated within `context` (the same English word can need two translations)."""
    return _translations(language()).pgettext(context, message)


def isolate(text: object) -> str:
    """Plain text wrapped in first-strong isolates (FSI…PDI): its direction cannot leak into what surrounds it."""
    return f"{FSI}{'' if text is None else text}{PDI}"
