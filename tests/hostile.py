"""A corpus of hostile strings, and a data folder with them in every free-text field."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

from tests.conftest import MINI

HOSTILE_STRINGS = [
    "<script>alert('xss-1')</script>",
    "<img src=x onerror=alert('xss-2')>",
    "<svg onload=alert('xss-3')>",
    '"><script>alert("xss-4")</script>',
    "' onmouseover='alert(5)' x='",
    "<iframe src=javascript:alert('xss-6')>",
    "<a href=\"javascript:alert('xss-7')\">click</a>",
    "<body onload=alert('xss-8')>",
    "<details open ontoggle=alert('xss-9')>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss-10')>",
    "${alert('xss-11')}",
    "`; alert('xss-12'); `",
    "x` + alert('xss-13') + `",
    "trailing backslash \\",
    "\\`${alert('xss-15')}`",
    "javascript:alert('xss-16')",
    "data:text/html,<script>alert('xss-17')</script>",
    "[click me](javascript:alert('xss-18'))",
    "![img](https://example.invalid/x.png)",
    "**bold** _it_ `code` # heading",
    "$x^2$ and $$\\frac{1}{0}$$ math",
    ":red[coloured] :material/warning: :smile:",
    "{{ lipsum.__globals__.os.getpid() }}",
    "{{ 7*7 }}",
    "{% raw %}",
    "{% for x in range(3) %}loop{% endfor %}",
    "{# comment #}",
    "%}{{",
    "\u202eRTL override txet\u202c",
    "zero\u200bwidth\u200djoiner\ufeffbom",
    "Arabic قاعدة حميميم and Cyrillic Авиабаза «Хмеймим»",
    "emoji 💣🚀 and combining é",
    "<!-- comment --> &amp; &lt;not a tag&gt; &#x3C;script&#x3E;",
    "</textarea></title></style><script>alert('xss-34')</script>",
    "A" * 5000,
]
assert len(HOSTILE_STRINGS) >= 30

EVENT_TEXT_FIELDS = ("counterpart", "place", "summary", "source_name")
SITE_TEXT_FIELDS = ("name", "name_ar", "name_ru", "status_note", "operator", "established", "agreement",
                    "coord_source")


def make_hostile_dataset(folder: Path) -> Path:
    """Copy the mini fixture and put hostile strings into every free-text field of events and sites."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(MINI / "events.csv", folder / "events.csv")
    with open(MINI / "events.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    n = len(HOSTILE_STRINGS)
    for i, row in enumerate(rows):
        for j, field in enumerate(EVENT_TEXT_FIELDS):
            row[field] = HOSTILE_STRINGS[(i * len(EVENT_TEXT_FIELDS) + j) % n]
        out.append(row)
    # Extra rows so that every hostile string appears as a summary at least once.
    for k, text in enumerate(HOSTILE_STRINGS):
        extra = dict(rows[k % len(rows)])
        extra["id"] = f"hx-{k:03d}"
        extra["summary"] = text
        extra["source_name"] = HOSTILE_STRINGS[(k + 7) % n]
        out.append(extra)
    with open(folder / "events.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(out)

    doc = json.loads((MINI / "bases.geojson").read_text(encoding="utf-8"))
    for i, feature in enumerate(doc["features"]):
        props = feature["properties"]
        for j, field in enumerate(SITE_TEXT_FIELDS):
            props[field] = HOSTILE_STRINGS[(i * 11 + j) % n]
        props["aliases"] = HOSTILE_STRINGS[i::7][:4]
    (folder / "bases.geojson").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    return folder
