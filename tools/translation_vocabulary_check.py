"""Check docs/translation-vocabulary.json against the controlled vocabularies the code defines.

    python -m tools.translation_vocabulary_check [--file PATH]

Every value of the controlled lists (actors, EVENT_TYPES, CLAIM_STATUSES, DATE_PRECISIONS, SITE_KINDS, SITE_STATUSES,
COUNTRY_NAMES and publishers.KINDS must have exactly one entry, keyed by the slug the app uses for it
(config.slugify of the value; the lower-case ISO code for countries), whose "en" is the English value and
whose "ar", "ru" and "fr" are filled in. Prints one line per problem and exits 1 if there is any.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOCABULARY_FILE = ROOT / "docs" / "translation-vocabulary.json"
LANGUAGES = ("en", "ar", "ru", "fr")


def expected_domains() -> dict[str, dict[str, str]]:
    """Domain → slug → English label, from the code."""
    from basewatch.state import catalog

    def english(dim: str, values) -> dict[str, str]:
        return {value: catalog.english(dim, value) for value in values}

    return {
        "actor": english("actor", catalog.vocabulary("actor")),
        "event_type": english("type", catalog.vocabulary("type")),
        "claim_status": english("status", catalog.vocabulary("status")),
        "claim_status_meaning": {s: catalog.meaning("status", s) for s in catalog.vocabulary("status")},
        "date_precision": english("date_precision", catalog.DATE_PRECISIONS),
        "site_kind": english("site_kind", catalog.SITE_KINDS),
        "site_status": english("site_status", catalog.vocabulary("site_status")),
        "source_kind": english("source", catalog.vocabulary("source")),
        "country": english("country", catalog.country_codes()),
    }


def problems(vocabulary: dict) -> list[str]:
    found = []
    for domain, expected in expected_domains().items():
        entries = vocabulary.get(domain)
        if not isinstance(entries, dict):
            found.append(f"{domain}: missing")
            continue
        for slug in sorted(set(expected) - set(entries)):
            found.append(f"{domain}: no entry for {slug!r} ({expected[slug]})")
        for slug in sorted(set(entries) - set(expected)):
            found.append(f"{domain}: {slug!r} is not a value of the vocabulary")
        for slug in sorted(set(entries) & set(expected)):
            entry = entries[slug]
            if entry.get("en") != expected[slug]:
                found.append(f"{domain}.{slug}: en is {entry.get('en')!r}, the code says {expected[slug]!r}")
            for lang in LANGUAGES[1:]:
                if not str(entry.get(lang) or "").strip():
                    found.append(f"{domain}.{slug}: no {lang} label")
    for domain, entries in vocabulary.items():
        for slug, entry in entries.items():
            if set(entry) != set(LANGUAGES):
                found.append(f"{domain}.{slug}: keys must be exactly {', '.join(LANGUAGES)}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--file", type=Path, default=VOCABULARY_FILE)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    vocabulary = json.loads(args.file.read_text(encoding="utf-8"))
    found = problems(vocabulary)
    for line in found:
        print(line)
    if not found:
        counts = ", ".join(f"{domain} {len(entries)}" for domain, entries in vocabulary.items())
        print(f"ok: every vocabulary value has en/ar/ru/fr labels ({counts})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
