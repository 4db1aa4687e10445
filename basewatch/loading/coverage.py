"""coverage.csv (optional): per country, the date up to which the stored reporting was searched.

So a reader knows what "latest" means: an empty month after that date is not a quiet month, it is
a month nobody has searched yet. One row per ISO country code; the app shows it on the Data page and
in citations.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd

from basewatch.loading.files import body_after_header, full_width, read_text, rows_with_lines
from basewatch.loading.problems import Problem, shown_path

COLUMNS = ("country", "covered_to", "note")


def empty_coverage() -> pd.DataFrame:
    """A coverage table with no rows (a folder without coverage.csv)."""
    return pd.DataFrame({"country": pd.Series(dtype=object), "covered_to": pd.Series(dtype="datetime64[ns]"),
                         "note": pd.Series(dtype=object)})


def load_coverage(path: Path, problems: list[Problem], digest=None, today: dt.date | None = None) -> pd.DataFrame:
    """Validate coverage.csv when it exists; each problem named by line and column."""
    if not Path(path).exists():
        return empty_coverage()
    shown = shown_path(path)
    text = read_text(path, problems, digest)
    if text is None:
        return empty_coverage()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        problems.append(Problem(shown, 1, None, f"unreadable CSV: {exc}"))
        return empty_coverage()
    if header != list(COLUMNS):
        problems.append(Problem(shown, 1, None, "the header must be exactly " + ",".join(COLUMNS)))
        return empty_coverage()
    today = today or dt.date.today()
    rows, seen = [], {}
    records, lines = rows_with_lines(body_after_header(text), shown, problems)
    for line, record in full_width(records, lines, len(COLUMNS), shown, problems):
        country, covered_to, note = (cell.strip() for cell in record)
        before = len(problems)
        if not re.fullmatch(r"[A-Z]{2}", country):
            problems.append(Problem(shown, line, "country", f"{country!r}: must be an ISO 3166-1 alpha-2 code in "
                                    "capitals, as in events.csv"))
        elif country in seen:
            problems.append(Problem(shown, line, "country", f"{country!r}: given twice (first at line {seen[country]})"))
        try:
            day = dt.date.fromisoformat(covered_to) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", covered_to) else None
        except ValueError:
            day = None
        if day is None:
            problems.append(Problem(shown, line, "covered_to", f"{covered_to!r}: must be a real date written YYYY-MM-DD"))
        elif day > today:
            problems.append(Problem(shown, line, "covered_to", f"{covered_to} is in the future"))
        if not note:
            problems.append(Problem(shown, line, "note", "must say how the reporting was searched"))
        if len(problems) == before:
            seen[country] = line
            rows.append({"country": country, "covered_to": pd.Timestamp(day), "note": note})
    if not rows:
        return empty_coverage()
    return pd.DataFrame(rows, columns=list(COLUMNS)).sort_values("country").reset_index(drop=True)
