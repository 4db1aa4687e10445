"""The data changelog (CHANGES.md in the data folder): which events changed when, and why.

Sections are `## <date> — <title>`, newest first; every bullet or table row under a section is an
entry, and the event ids it names (ev-0042) tie it to events. Parsed, never rendered as markdown:
a contributor's file is shown as text like every other field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SECTION_RE = re.compile(r"^##\s+(\d{4}-\d{2}-\d{2})\s*(?:[—–-]\s*(.*))?$")
EVENT_ID_RE = re.compile(r"\bev-\d{4,}\b")


@dataclass(frozen=True)
class Entry:
    """One change: its text (markdown markup stripped), the events it names and the section it belongs to."""

    date: str
    section: str
    text: str
    event_ids: frozenset[str]


def _plain(line: str) -> str:
    """A bullet or table row as plain text."""
    line = line.strip()
    if line.startswith("|"):
        cells = [c.strip() for c in line.strip("|").split("|")]
        return " — ".join(c for c in cells if c)
    return re.sub(r"^[-*]\s+", "", line).replace("**", "").replace("`", "")


def parse(text: str) -> list[Entry]:
    """Every entry of the changelog, newest section first, in file order within a section."""
    entries: list[Entry] = []
    date = title = None
    for line in text.splitlines():
        match = SECTION_RE.match(line.strip())
        if match:
            date, title = match.group(1), (match.group(2) or "").strip()
            continue
        stripped = line.strip()
        if date is None or not stripped.startswith(("-", "*", "|")) or set(stripped) <= set("|-: "):
            continue
        if stripped.startswith("|") and "---" in stripped:
            continue
        plain = _plain(stripped)
        if plain.lower().startswith(("id — ", "id —")):
            continue  # a table's header row
        entries.append(Entry(date, title, plain, frozenset(EVENT_ID_RE.findall(stripped))))
    return entries


def for_event(entries: list[Entry], event_id: str) -> list[Entry]:
    """The entries naming one event, newest first."""
    return [e for e in entries if event_id in e.event_ids]
