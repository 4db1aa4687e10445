"""Reading data files safely: a size guard, UTF-8 with its errors located, CSV records with their line numbers.

Every loader in this package reads through here, so a problem is always named by file and line.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from basewatch import config
from basewatch.loading.problems import Problem, shown_path

# A bigger file is refused before parsing: it would stall every reader of a shared server. The default
# admits the benchmark's 1,000,000-event CSV (about 450 MB); $BASEWATCH_MAX_FILE_MB sets another limit.
MAX_FILE_BYTES = 1024 * 1024 * 1024
MAX_FILE_ENV = "BASEWATCH_MAX_FILE_MB"


def max_file_bytes() -> int:
    """The size limit per data file: $BASEWATCH_MAX_FILE_MB (megabytes, 10^6 bytes) or MAX_FILE_BYTES."""
    configured = os.environ.get(MAX_FILE_ENV, "").strip()
    try:
        megabytes = float(configured) if configured else None
    except ValueError:
        megabytes = None  # a typo must not disable the guard
    if megabytes is None or not megabytes > 0:
        return MAX_FILE_BYTES
    return int(megabytes * 1e6)


def read_text(path: Path, problems: list[Problem], digest=None) -> str | None:
    """Read a UTF-8 file (a byte-order mark is allowed), or record why it cannot be read.

    `digest`, a hashlib object, is fed the file's name and bytes so the data version needs no second read.
    """
    shown = shown_path(path)
    if not path.exists():
        problems.append(Problem(shown, None, None, "file not found"))
        return None
    size = path.stat().st_size
    limit = max_file_bytes()
    if size > limit:
        problems.append(Problem(shown, None, None,
                                f"file is {size / 1e6:.0f} MB; the limit is {limit / 1e6:.0f} MB "
                                f"(set {MAX_FILE_ENV} to change it)"))
        return None
    raw = path.read_bytes()
    if digest is not None:
        digest.update(path.name.encode())
        digest.update(raw)
    if not raw.strip():
        problems.append(Problem(shown, 1, None, "file is empty"))
        return None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problems.append(Problem(shown, line, None,
                                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
                                "save the file as UTF-8"))
        return None


def file_fingerprint(directory: Path) -> str:
    """A cheap key that changes when any data file (or the changelog) is edited: size, modification time, inode."""
    parts = []
    for name in (*config.DATA_FILES, config.CHANGES_FILE):
        path = Path(directory) / name
        try:
            stat = path.stat()
            parts.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}:{stat.st_ino}")
        except OSError:
            parts.append(f"{name}:missing")
    return "|".join(parts)



def rows_with_lines(body: str, shown: str, problems: list[Problem]) -> tuple[list[list[str]], list[int]]:
    """Parse row by row, tracking where each record starts (quoted fields may span lines)."""
    reader = csv.reader(io.StringIO(body, newline=""), strict=True)
    rows, lines = [], []
    line = 2
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            problems.append(Problem(shown, line, None, f"unreadable CSV: {exc} (unbalanced quotes?)"))
            break
        rows.append(row)
        lines.append(line)
        line = reader.line_num + 2
    return rows, lines


def full_width(rows: list[list[str]], lines: list[int], width: int, shown: str, problems: list[Problem]):
    """Each non-empty record with exactly `width` fields, with its line; a short or long one is a problem."""
    for row, line in zip(rows, lines):
        if not row:
            continue
        if len(row) != width:
            what = "truncated row" if len(row) < width else "too many fields (unquoted comma?)"
            problems.append(Problem(shown, line, None, f"{what}: expected {width} fields, found {len(row)}"))
            continue
        yield line, row


def body_after_header(text: str) -> str:
    """The text after the header line (the header is read on its own, so problems name its columns)."""
    return text[text.index("\n") + 1:] if "\n" in text else ""

