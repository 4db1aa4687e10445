"""Site names in the interface's languages: which sites lack a name, or its source, in Arabic, Russian or French.

Not part of the data contract's pass/fail: a folder without French names (every folder before issue 19,
and the bundled data while it is being filled) still validates and is served, with the English name as
the documented fallback. `python -m basewatch validate --languages` reports each gap as a located
problem and exits 1, so a data pull request can be held to complete names when it chooses to be.
"""

from __future__ import annotations

import pandas as pd

from basewatch.config import SITES_FILE
from basewatch.loading.problems import Problem

NAME_LANGUAGES = ("ar", "ru", "fr")


def _given(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def missing_names(sites: pd.DataFrame) -> list[Problem]:
    """One problem per site and language without a name, or with a name but no `name_sources` entry for it."""
    lines = sites.attrs.get("lines", {})
    problems = []
    for _index, site in sites.iterrows():
        sources = site.get("name_sources")
        # A dict from the file; the Arrow cache gives it back with every key, the absent ones None.
        sources = {k: v for k, v in sources.items() if v} if isinstance(sources, dict) else {}
        for lang in NAME_LANGUAGES:
            column = f"name_{lang}"
            if not _given(site.get(column)):
                problems.append(Problem(SITES_FILE, lines.get(site["id"]), column,
                                        f"site {site['id']!r} has no name in {lang}"))
            elif lang not in sources:
                problems.append(Problem(SITES_FILE, lines.get(site["id"]), "name_sources",
                                        f"site {site['id']!r}: its {column} names no source (name_sources.{lang})"))
        for lang in sorted(set(sources) - {lang for lang in NAME_LANGUAGES if _given(site.get(f"name_{lang}"))}):
            problems.append(Problem(SITES_FILE, lines.get(site["id"]), "name_sources",
                                    f"site {site['id']!r}: name_sources.{lang} is given but name_{lang} is not"))
    return problems


def coverage(sites: pd.DataFrame) -> dict[str, int]:
    """Language → how many sites have a name in it."""
    return {lang: int(sum(_given(v) for v in sites.get(f"name_{lang}", pd.Series(dtype=object))))
            for lang in NAME_LANGUAGES}
