"""Problems found in data files, each located by file, line and column, and the error that carries them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

# Reports stop listing after this many problems; the total is still given.
MAX_LISTED_PROBLEMS = 200


@dataclass(frozen=True)
class Problem:
    """One defect in a data file, located by file, line and column."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, line {self.line}"
        if self.column:
            where += f", column '{self.column}'"
        return f"{where}: {self.message}"


class DataError(Exception):
    """Raised when the data files break the contract; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the data files")

    def report(self, limit: int = MAX_LISTED_PROBLEMS) -> list[str]:
        """The problems as lines, at most `limit`, with a final count of the rest."""
        lines = [str(p) for p in self.problems[:limit]]
        if len(self.problems) > limit:
            lines.append(f"... and {len(self.problems) - limit} more problem(s) not listed")
        return lines



def shown_path(path: Path) -> str:
    """How a data file is named in a report: relative to the data folder (its name), never the server's path.

    Reports reach readers, crawlers and API clients; where the folder sits on the server is nobody's business.
    """
    return Path(path).name


def describe_validation_error(error: dict) -> str:
    """One pydantic error as a reader-facing message: the offending value (shortened) and what is wrong."""
    value = error.get("input")
    shown = repr(value if not isinstance(value, str) or len(value) <= 60 else value[:57] + "...")
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] in {"missing", "extra_forbidden"}:
        return message
    return f"{shown}: {message}"
