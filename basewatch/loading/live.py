"""The data a running server shows: one loaded Dataset per data folder, shared by pages and web routes.

When the files on disk change, the whole set is validated again; only a set that validates replaces
the one being served. A broken push (a duplicated id, a half-copied file, a truncated last row) never
reaches readers: they keep the last good version, with its own data version, while the report goes to
the server log and the status route. Files still being written (modified within the last
`SETTLE_SECONDS`) are not read yet. Once the files are fixed, the next reader gets the new version,
without a restart. Only when no version has ever validated does `dataset()` raise `DataError`.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from basewatch import config
from basewatch.loading.cache import data_files_digest, load_dataset_cached
from basewatch.loading.dataset import Dataset
from basewatch.loading.files import file_fingerprint
from basewatch.loading.problems import DataError, Problem

log = logging.getLogger(__name__)

# A file modified this recently may still be being copied: wait before reading it.
SETTLE_SECONDS = 1.0
SETTLE_ENV = "BASEWATCH_SETTLE_SECONDS"


def settle_seconds() -> float:
    """How long files must stay untouched before they are read: $BASEWATCH_SETTLE_SECONDS or SETTLE_SECONDS."""
    try:
        return max(0.0, float(os.environ.get(SETTLE_ENV, "").strip() or SETTLE_SECONDS))
    except ValueError:
        return SETTLE_SECONDS


@dataclass(frozen=True)
class Status:
    """What a folder's readers are shown, and what its files on disk hold now."""

    served: Dataset | None  # the last version that validated (None: none ever did)
    disk_digest: str  # SHA-256 over the files on disk as last read
    problems: tuple[Problem, ...] = ()  # why the files on disk are not served (empty when they are)
    settling: bool = False  # files changed a moment ago and are not read yet
    checked_at: float = field(default_factory=time.time)

    @property
    def pending(self) -> bool:
        """True while the files on disk are not what readers see (newer data being checked, or broken)."""
        return self.settling or bool(self.problems)

    def as_json(self) -> dict:
        """The status route's answer: versions served and on disk, and each problem relative to the data folder."""
        return {
            "served_version": self.served.version if self.served else None,
            "disk_digest": self.disk_digest[:7] if self.disk_digest else None,
            "disk_valid": not self.problems and not self.settling,
            "settling": self.settling,
            "problems": [{"file": p.file, "line": p.line, "column": p.column, "message": p.message}
                         for p in self.problems],
            "checked_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.checked_at)),
        }


class LiveData:
    """The served Dataset of one data folder, replaced only by a whole set that validates."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._fingerprint: str | None = None
        self._status = Status(served=None, disk_digest="")

    def status(self) -> Status:
        """The current status, after looking at the files once (cheap: size, mtime and inode)."""
        fingerprint = file_fingerprint(self.directory)
        if fingerprint == self._fingerprint:
            return self._status
        with self._lock:  # one reader validates; the others wait and then see its result
            if fingerprint != self._fingerprint:
                self._refresh(fingerprint)
            return self._status

    def _refresh(self, fingerprint: str) -> None:
        served = self._status.served
        if served is not None and self._recently_modified():
            # Still being written: keep serving and look again on a later request.
            self._status = Status(served, self._status.disk_digest, self._status.problems, settling=True)
            return
        try:
            dataset = load_dataset_cached(self.directory)
        except DataError as error:
            digest = data_files_digest(self.directory)
            self._status = Status(served, digest, tuple(error.problems))
            log.warning("data in %s not served (%d problem(s)); readers keep %s:\n%s", self.directory,
                        len(error.problems), served.version if served else "no version",
                        "\n".join(error.report()))
        else:
            self._status = Status(dataset, data_files_digest(self.directory))
            if served is not None and served.version != dataset.version:
                log.info("data version %s replaces %s", dataset.version, served.version)
        # A file that changed while it was being read gets another look on the next request.
        self._fingerprint = fingerprint if file_fingerprint(self.directory) == fingerprint else None

    def _recently_modified(self) -> bool:
        now, wait = time.time(), settle_seconds()
        for name in (*config.DATA_FILES, config.CHANGES_FILE):
            try:
                if now - (self.directory / name).stat().st_mtime < wait:
                    return True
            except OSError:
                continue
        return False

    def dataset(self) -> Dataset:
        """The Dataset readers see; raises DataError only when no version has ever validated."""
        status = self.status()
        if status.served is None:
            raise DataError(list(status.problems))
        return status.served


_folders: dict[str, LiveData] = {}
_folders_lock = threading.Lock()


def live(directory: Path | None = None) -> LiveData:
    """The process-wide holder for a data folder (default: the configured one)."""
    path = Path(directory) if directory else config.data_dir()
    key = str(path.resolve())
    with _folders_lock:
        if key not in _folders:
            _folders[key] = LiveData(path)
        return _folders[key]


def dataset(directory: Path | None = None) -> Dataset:
    """The Dataset a running server shows for a folder (last good version); raises DataError if none validated."""
    return live(directory).dataset()
