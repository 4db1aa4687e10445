"""The catalog: every value a link or a widget may name, with its order, label and colour.

Built once per data version from the dataset. The URL parser, the sidebar, the legend, the map and
the charts all read it, so an actor has one position, one label and one colour everywhere, and a link
can only name what a widget offers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from basewatch import config
from basewatch.config import slugify
from basewatch.loading.publishers import KINDS


@dataclass(frozen=True)
class Option:
    """One value of a dimension: its slug (as in links), its label and, where it has one, its colour."""

    value: str
    label: str
    color: str | None = None


@dataclass(frozen=True)
class Catalog:
    """Ordered options per dimension (`actor`, `type`, `status`, `country`, `site`) plus the event ids.

    `options` holds what the data has (what widgets offer and links may name); `vocabulary` holds every
    value the controlled lists know, so a notice can tell "not in this data" from "no such value".
    """

    options: Mapping[str, tuple[Option, ...]]
    vocabulary: Mapping[str, frozenset[str]] = field(default_factory=dict)
    events: frozenset[str] = frozenset()

    def __post_init__(self):
        # Lookups are hot (labels for every chip, order for every link): index them once.
        object.__setattr__(self, "_index", {dim: {o.value: (i, o) for i, o in enumerate(opts)}
                                            for dim, opts in self.options.items()})

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
        """The display label of a value (the value itself when unknown)."""
        entry = self._index.get(dim, {}).get(value)  # type: ignore[attr-defined]
        return entry[1].label if entry else value

    def color(self, dim: str, value: str, default: str = config.FALLBACK_COLOR) -> str:
        """The one colour a value has on maps, charts and legends."""
        entry = self._index.get(dim, {}).get(value)  # type: ignore[attr-defined]
        return (entry[1].color or default) if entry else default

    def order(self, dim: str, values: Iterable[str]) -> list[str]:
        """`values` once each, in catalog order; values outside the catalog follow, sorted."""
        index = self._index.get(dim, {})  # type: ignore[attr-defined]
        unique = set(values)
        known = sorted((v for v in unique if v in index), key=lambda v: index[v][0])
        return known + sorted(unique - set(known))

    def labels(self, dim: str) -> dict[str, str]:
        """Value → label for a dimension."""
        return {o.value: o.label for o in self.options.get(dim, ())}

    # What a link may name per dimension, as sets (the shape URL-state tests and tools use).
    actors = property(lambda self: frozenset(self.values("actor")))
    types = property(lambda self: frozenset(self.values("type")))
    statuses = property(lambda self: frozenset(self.values("status")))
    countries = property(lambda self: frozenset(self.values("country")))
    sites = property(lambda self: frozenset(self.values("site")))


def _options(values: Iterable[str], label=None, color=None) -> tuple[Option, ...]:
    return tuple(Option(v, label(v) if label else v, color(v) if color else None) for v in values)


def build_catalog(events, sites) -> Catalog:
    """The catalog of a loaded dataset: values present in the data, in the controlled lists' order."""
    present_actors = set(events["actor"].unique())
    actors = [a for a in config.ACTORS if a in present_actors]  # the schema admits no other actor
    present_types = set(events["event_type"].unique())
    present_statuses = set(events["claim_status"].unique())
    present_kinds = set(" ".join(events["source_kinds"].unique()).split()) if "source_kinds" in events else set()
    countries = sorted((c for c in events["country_slug"].unique() if c), key=lambda c: config.country_name(c.upper()))
    options = {
        "actor": tuple(Option(slugify(a), a, config.actor_color(a)) for a in actors),
        "type": _options([t for t in config.EVENT_TYPES if t in present_types]),
        "status": _options([s for s in config.CLAIM_STATUSES if s in present_statuses]),
        "country": _options(countries, lambda c: config.country_name(c.upper()),
                            lambda c: getattr(config, "COUNTRY_COLORS", {}).get(c.upper())),
        "site": tuple(Option(i, n) for i, n in zip(sites["id"], sites["name"])),
        "site_status": _options(config.SITE_STATUSES, color=config.SITE_STATUS_COLORS.get),
        "source": _options([k for k in KINDS if k in present_kinds]),
    }
    vocabulary = {
        "actor": frozenset(slugify(a) for a in config.ACTORS),
        "type": frozenset(config.EVENT_TYPES),
        "status": frozenset(config.CLAIM_STATUSES),
        "country": frozenset(code.lower() for code in config.COUNTRY_NAMES),
        "source": frozenset(KINDS),
    }
    return Catalog(options=options, vocabulary=vocabulary, events=frozenset(events["id"]))


def catalog_from_sets(actors=frozenset(), types=frozenset(), statuses=frozenset(), countries=frozenset(),
                      sites=frozenset(), events=frozenset()) -> Catalog:
    """A catalog from plain sets of slugs (sorted order, slugs as labels): for tests and tools."""
    return Catalog(options={"actor": _options(sorted(actors)), "type": _options(sorted(types)),
                            "status": _options(sorted(statuses)), "country": _options(sorted(countries)),
                            "site": _options(sorted(sites))},
                   events=frozenset(events))
