"""The catalog: every vocabulary value a reader sees or a link names, with its one name, order and colour.

`label` is the one function that names a vocabulary value (actor, event type, claim status, source
kind, site status, site kind, date precision, country, page) and `color` the one that colours it: a
translation or a new palette changes exactly these. Names are translated here, in the language of the
current run (`basewatch.i18n`): vocabulary values through the gettext catalogs with the dimension as
context (`vocabulary_messages` lists them for the catalogs), countries from Babel's CLDR territory
names, sites from the data's `name_<lang>` fields (the English name where a site has none). A `Catalog` is built once per data version from
the dataset: the values present in the data, in the controlled lists' order. The URL parser, the
sidebar, the legend, the map and the charts all read it, so an actor has one position, one name and
one colour everywhere, and a link can only name what a widget offers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from babel import Locale

from basewatch import config
from basewatch.config import slugify
from basewatch.i18n import DEFAULT, LANGUAGES, _, language, pgettext
from basewatch.queries.footprint import NO_PRESENCE_LABEL  # a site before its first status row
from basewatch.state.pages import PAGE_BY_KEY

# Vocabulary values whose reader-facing name differs from the value itself.
_ACTOR_NAMES = {slugify(name): name for name in config.ACTORS}
_NAMES = {
    "actor": _ACTOR_NAMES,
    "site_status": {NO_PRESENCE_LABEL: NO_PRESENCE_LABEL},
}
_COLORS = {
    "actor": {slugify(name): color for name, color in config.ACTOR_COLORS.items()},
    "country": {code.lower(): color for code, color in config.COUNTRY_COLORS.items()},
    "site_status": config.SITE_STATUS_COLORS,
    "type": config.EVENT_TYPE_COLORS,
}
# The controlled lists' order, per dimension.
_ORDER = {
    "actor": {a: i for i, a in enumerate(_ACTOR_NAMES)},
    "type": {t: i for i, t in enumerate(config.EVENT_TYPES)},
    "status": {s: i for i, s in enumerate(config.CLAIM_STATUSES)},
    "site_status": {s: i for i, s in enumerate(config.SITE_STATUSES)},
    "source": {k: i for i, k in enumerate(config.SOURCE_KINDS)},
}
# Colours a value falls back to when it has none of its own.
_DEFAULT_COLORS = {"site_status": config.NO_PRESENCE_COLOR}


def _key(dim: str, value: str) -> str:
    if dim == "actor" and value not in _ACTOR_NAMES:
        return slugify(value)  # the data and the charts carry actor names, links carry slugs
    if dim == "country":
        return str(value).lower()
    return value


def english(dim: str, value: str) -> str:
    """The English name of a vocabulary value (the msgid its translations are filed under)."""
    if dim == "country":
        return config.COUNTRY_NAMES.get(str(value).upper(), str(value).upper())
    if dim == "page":
        return PAGE_BY_KEY[value].title
    return _NAMES.get(dim, {}).get(_key(dim, value), str(value))


@lru_cache(maxsize=4096)
def _translated(dim: str, value: str, lang: str) -> str:
    if dim == "country":
        code = str(value).upper()
        # CLDR's own name of the country in the language; codes outside CLDR keep the English name.
        return Locale.parse(lang).territories.get(code) or english(dim, value)
    return pgettext(dim, english(dim, value))


def label(dim: str, value: str | None) -> str:
    """The name a reader sees for a vocabulary value of dimension `dim`, in the current language."""
    if value is None or (dim == "country" and not value):
        return "—"
    lang = language()
    if lang == DEFAULT:
        return english(dim, value)
    return _translated(dim, value, lang)


# Every dimension whose names the gettext catalogs carry (countries come from CLDR instead).
TRANSLATED_DIMENSIONS = ("actor", "type", "status", "source", "site_status", "site_kind", "date_precision", "page")


def vocabulary_messages() -> list[tuple[str, str]]:
    """(context, English name) of every vocabulary value the catalogs must translate."""
    values = {
        "actor": list(_ACTOR_NAMES), "type": list(config.EVENT_TYPES), "status": list(config.CLAIM_STATUSES),
        "source": list(config.SOURCE_KINDS), "site_status": [*config.SITE_STATUSES, NO_PRESENCE_LABEL],
        "site_kind": list(config.SITE_KINDS), "date_precision": list(config.DATE_PRECISIONS),
        "page": list(PAGE_BY_KEY),
    }
    return [(dim, english(dim, value)) for dim in TRANSLATED_DIMENSIONS for value in values[dim]]


DATE_PRECISIONS = config.DATE_PRECISIONS
SITE_KINDS = config.SITE_KINDS


def country_codes() -> list[str]:
    """Every country code (lower case) the catalog has an English name for."""
    return [code.lower() for code in config.COUNTRY_NAMES]


def site_name(site, lang: str | None = None) -> str:
    """A site's name in `lang` (default: the current language) from its `name_<lang>` field, else its English name."""
    lang = lang or language()
    if lang != DEFAULT:
        name = site.get(f"name_{lang}")
        if isinstance(name, str) and name.strip():
            return name
    english_name = site.get("name_en")
    return english_name if isinstance(english_name, str) and english_name else site["name"]


def site_names(site) -> dict[str, str]:
    """Language → the site's name in it, for every language where the data gives one (English always)."""
    english_name = site.get("name_en")
    names = {DEFAULT: english_name if isinstance(english_name, str) and english_name else site["name"]}
    for lang in LANGUAGES:
        name = site.get(f"name_{lang}")
        if lang != DEFAULT and isinstance(name, str) and name.strip():
            names[lang] = name
    return names


def site_names_in(site_ids: Iterable, names: Iterable, site_labels: Mapping[str, str] | None) -> list:
    """Each row's site named by `site_labels` (site id → its name in the reader's language), else by `names`."""
    return [site_labels.get(s, n) for s, n in zip(site_ids, names)] if site_labels else list(names)


def color(dim: str, value: str | None, default: str | None = None) -> str | None:
    """The one colour a value has on maps, charts and legends (`default`, else the dimension's fallback)."""
    fallback = default if default is not None else _DEFAULT_COLORS.get(dim, config.FALLBACK_COLOR)
    if value is None:
        return fallback
    return _COLORS.get(dim, {}).get(_key(dim, value), fallback)


def order(dim: str, values: Iterable[str]) -> list[str]:
    """`values` once each, in the controlled list's order (names or slugs alike); unknown ones follow, sorted."""
    position = _ORDER.get(dim, {})
    unique = list(dict.fromkeys(values))
    known = sorted((v for v in unique if _key(dim, v) in position), key=lambda v: position[_key(dim, v)])
    return known + sorted(v for v in unique if _key(dim, v) not in position)


def vocabulary(dim: str) -> list[str]:
    """Every value of a controlled list, in its order (slugs for actors)."""
    return list(_ORDER[dim])


def symbol(status: str) -> str:
    """The shape that stands for a claim status in text (●, ○, ◇, △, ✕)."""
    return config.CLAIM_STATUS_STYLE[status]["symbol"]


def shape(status: str) -> str:
    """The Vega-Lite mark shape of a claim status (drawn by shape and fill, never by colour)."""
    return config.CLAIM_STATUS_STYLE[status]["shape"]


def meaning(dim: str, value: str) -> str:
    """What a claim status or source kind means, as the data README's rubric words it."""
    return _({"status": config.CLAIM_STATUS_MEANING, "source": config.SOURCE_KIND_MEANING}[dim][value])


class EventIds:
    """Membership of event ids, looked up in the events' id column when a link names one.

    A set of every id cost 0.56 s and about 94 MB per data version at 1,000,000 events; a link names one id.
    """

    def __init__(self, ids):
        self._ids = ids

    def __contains__(self, value) -> bool:
        return isinstance(value, str) and bool((self._ids == value).any())

    def __len__(self) -> int:
        return len(self._ids)


@dataclass(frozen=True)
class Option:
    """One value of a dimension: its slug (as in links), its label and, where it has one, its colour."""

    value: str
    label: str
    color: str | None = None


@dataclass(frozen=True)
class Catalog:
    """Ordered options per dimension (`actor`, `type`, `status`, `country`, `site`, ...) plus the event ids.

    `options` holds what the data has (what widgets offer and links may name); `vocabulary` holds every
    value the controlled lists know, so a notice can tell "not in this data" from "no such value".
    """

    options: Mapping[str, tuple[Option, ...]]
    vocabulary: Mapping[str, frozenset[str]] = field(default_factory=dict)
    events: EventIds | frozenset[str] = frozenset()  # membership tests only
    # Language → site id → the site's name in that language, where the data gives one.
    site_names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __post_init__(self):
        # Lookups are hot (labels for every chip, order for every link): index them once.
        object.__setattr__(self, "_index", {dim: {o.value: (i, o) for i, o in enumerate(opts)}
                                            for dim, opts in self.options.items()})
        object.__setattr__(self, "_labels", {})

    def values(self, dim: str) -> list[str]:
        """The values of a dimension in catalog order."""
        return [o.value for o in self.options.get(dim, ())]

    def allowed(self, dim: str):
        """Values a link may name for this dimension (those a widget offers), for membership tests."""
        if dim == "event":
            return self.events
        return self._index.get(dim, {}).keys()  # type: ignore[attr-defined]

    def known(self, dim: str) -> frozenset[str]:
        """Every value the controlled vocabulary knows for this dimension, present in the data or not."""
        return self.vocabulary.get(dim, frozenset())

    def label(self, dim: str, value: str) -> str:
        """The display label of a value in the current language (site names from the data, others from `label`)."""
        if dim == "site":
            lang = language()
            translated = self.site_names.get(lang, {}).get(value) if lang != DEFAULT else None
            if translated:
                return translated
            entry = self._index.get(dim, {}).get(value)  # type: ignore[attr-defined]
            return entry[1].label if entry else value
        return label(dim, value)

    def color(self, dim: str, value: str, default: str | None = None) -> str:
        """The one colour a value has on maps, charts and legends."""
        return color(dim, value, default)

    def order(self, dim: str, values: Iterable[str]) -> list[str]:
        """`values` once each, in catalog order; values outside the catalog follow, sorted."""
        index = self._index.get(dim, {})  # type: ignore[attr-defined]
        unique = set(values)
        known = sorted((v for v in unique if v in index), key=lambda v: index[v][0])
        return known + sorted(unique - set(known))

    def index(self, dim: str) -> dict[str, int]:
        """Value → position in catalog order (compact rows for the map carry positions, not names)."""
        return {o.value: i for i, o in enumerate(self.options.get(dim, ()))}

    def labels(self, dim: str) -> dict[str, str]:
        """Value → label for a dimension, in the current language (computed once per language)."""
        key = (dim, language())
        cached = self._labels.get(key)  # type: ignore[attr-defined]
        if cached is None:
            cached = {o.value: self.label(dim, o.value) for o in self.options.get(dim, ())}
            self._labels[key] = cached  # type: ignore[attr-defined]
        return cached


def _options(dim: str, values: Iterable[str]) -> tuple[Option, ...]:
    # English labels: the catalog is shared by every language; `Catalog.label` translates when asked.
    colored = dim in _COLORS
    return tuple(Option(v, english(dim, v), color(dim, v, "") or None if colored else None) for v in values)


def build_catalog(events, sites) -> Catalog:
    """The catalog of a loaded dataset: values present in the data, in the controlled lists' order."""
    present_actors = set(events["actor_slug"].unique())
    present_types = set(events["event_type"].unique())
    present_statuses = set(events["claim_status"].unique())
    present_kinds = set(" ".join(events["source_kinds"].unique()).split()) if "source_kinds" in events else set()
    countries = sorted((c for c in events["country_slug"].unique() if c), key=lambda c: english("country", c))
    options = {
        # the schema admits no actor outside the controlled list
        "actor": _options("actor", [a for a in _ACTOR_NAMES if a in present_actors]),
        "type": _options("type", [t for t in config.EVENT_TYPES if t in present_types]),
        "status": _options("status", [s for s in config.CLAIM_STATUSES if s in present_statuses]),
        "country": _options("country", countries),
        "site": tuple(Option(i, n) for i, n in zip(sites["id"], sites["name"])),
        "site_status": _options("site_status", config.SITE_STATUSES),
        "source": _options("source", [k for k in config.SOURCE_KINDS if k in present_kinds]),
    }
    vocabulary = {
        "actor": frozenset(_ACTOR_NAMES),
        "type": frozenset(config.EVENT_TYPES),
        "status": frozenset(config.CLAIM_STATUSES),
        "country": frozenset(code.lower() for code in config.COUNTRY_NAMES),
        "source": frozenset(config.SOURCE_KINDS),
    }
    site_names = {lang: {i: n for i, n in zip(sites["id"], sites[f"name_{lang}"]) if isinstance(n, str) and n.strip()}
                  for lang in LANGUAGES if lang != DEFAULT and f"name_{lang}" in sites}
    return Catalog(options=options, vocabulary=vocabulary, events=EventIds(events["id"]), site_names=site_names)
