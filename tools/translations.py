"""The gettext catalogs: extract every message, update the .po files, compile the .mo files, check them.

    python -m tools.translations          # extract, update basewatch/i18n/locales/*/LC_MESSAGES/basewatch.po, compile .mo
    python -m tools.translations --check  # exit 1 naming every message untranslated, fuzzy or out of step

Messages come from `_()`, `N_()`, `ngettext()` and `pgettext()` calls in basewatch/ and pages/ (Babel's
extractor) plus the vocabulary names `basewatch.state.catalog.vocabulary_messages` lists, filed under
their dimension as context. The compiled .mo files are committed, so a fresh clone runs without a
build step; tests/test_i18n.py fails when a .mo is out of step with its .po.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from basewatch.i18n import DEFAULT, DOMAIN, LANGUAGES, LOCALES
from basewatch.state.catalog import vocabulary_messages

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("basewatch", "pages")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
TARGETS = tuple(lang for lang in LANGUAGES if lang != DEFAULT)
HEADER = {"version": "1", "copyright_holder": "Basewatch contributors",
          "msgid_bugs_address": "the project's issue tracker", "last_translator": "Basewatch contributors",
          "language_team": "Basewatch contributors"}


def template() -> Catalog:
    """Every message the interface can show, with where it comes from."""
    catalog = Catalog(project="Basewatch", domain=DOMAIN, **HEADER)
    for folder in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
                ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("Translators:",)):
            catalog.add(message, locations=[(f"{folder}/{filename}", lineno)], auto_comments=comments,
                        context=context)
    for context, message in vocabulary_messages():
        catalog.add(message, locations=[("basewatch/state/catalog.py", 0)], context=context)
    return catalog


def po_path(lang: str) -> Path:
    """The .po file of a language."""
    return LOCALES / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(lang: str) -> Catalog:
    """A language's catalog as committed (empty when it has none yet)."""
    path = po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project="Basewatch", **HEADER)
    with path.open("rb") as handle:
        return read_po(handle, locale=lang, domain=DOMAIN)


def compiled(catalog: Catalog) -> bytes:
    """The .mo bytes of a catalog."""
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def write(lang: str, catalog: Catalog) -> None:
    """Write a language's .po and its compiled .mo."""
    path = po_path(lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, sort_output=False, include_previous=False)
    path.with_suffix(".mo").write_bytes(compiled(catalog))


def update() -> None:
    """Bring every .po in step with the code (new messages added empty, gone ones dropped) and compile it."""
    pot = template()
    for lang in TARGETS:
        catalog = read(lang)
        created, revised = catalog.creation_date, catalog.revision_date  # no churn in the headers
        catalog.update(pot, no_fuzzy_matching=True, update_header_comment=False)
        catalog.creation_date, catalog.revision_date = created, revised
        catalog.obsolete.clear()
        catalog.fuzzy = False
        for key, value in HEADER.items():
            setattr(catalog, key, value)
        write(lang, catalog)


def _untranslated(string) -> bool:
    return not all(string) if isinstance(string, tuple) else not string


def problems() -> list[str]:
    """Every message missing, empty or fuzzy in a language, and every .mo out of step with its .po."""
    pot = template()
    found = []
    for lang in TARGETS:
        catalog = read(lang)
        for message in pot:
            if not message.id:
                continue
            entry = catalog.get(message.id, context=message.context)
            name = message.id[0] if isinstance(message.id, tuple) else message.id
            key = f"{message.context}|{name}" if message.context else name
            if entry is None:
                found.append(f"{lang}: missing {key!r}")
            elif entry.fuzzy:
                found.append(f"{lang}: fuzzy {key!r}")
            elif _untranslated(entry.string):
                found.append(f"{lang}: untranslated {key!r}")
        mo = po_path(lang).with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(catalog):
            found.append(f"{lang}: {mo.relative_to(ROOT)} is out of step with its .po (run python -m tools.translations)")
    return found


def main(argv: list[str] | None = None) -> int:
    """Update and compile, or with --check report what is missing."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="report untranslated messages; change nothing")
    args = parser.parse_args(argv)
    if not args.check:
        update()
    found = problems()
    for line in found:
        print(line)
    return 1 if found and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
