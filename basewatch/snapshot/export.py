"""Writing the snapshot into DIR: `archive/<data version>/` (append-only), `latest/`, and the list of versions.

    DIR/index.html                          every archived data version, newest first
    DIR/latest/...                          a copy of the newest version's folder
    DIR/archive/2026-02-21-f32c219/
        index.html preview.png events.csv events.geojson     the overview
        country/sy/  site/hmeimim/  actor/russia/  event/ev-0042/   (each: the same four files)

A version's folder is written once, into a temporary folder renamed into place when complete; a later
run finds it and leaves it as it is, so an archived page never changes once published. Everything is a
pure function of the data and the two addresses (no clock, no randomness, sorted iteration), so two
runs write byte-identical trees. The pages are drawn by `--workers` processes (one per core by default).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from basewatch import config, i18n
from basewatch.loading.cache import load_dataset_cached
from basewatch.loading.dataset import Dataset
from basewatch.queries import sources
from basewatch.snapshot.views import KINDS, SnapshotView, page, snapshot_views, view_events
from basewatch.state import links
from basewatch.state.catalog import build_catalog
from basewatch.views import downloads, preview

TEMPLATES = Path(__file__).resolve().parent / "templates"
VERSIONS_FILE = "versions.json"  # the archived versions, newest first (the first one is latest/)
CHUNKS_PER_WORKER = 6  # small batches balance heavy pages (timelines) across the workers


@dataclass
class Report:
    """What a run did: the version, whether its folder was written or already there, pages per kind."""

    version: str
    folder: Path
    written: bool
    pages: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, keep_trailing_newline=True)
    env.globals["_"] = i18n._
    return env


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


_loaded: dict[str, Dataset] = {}


def _dataset(data_dir: str, version: str) -> Dataset:
    """The folder's data, validated (through the validated-data cache), read once per process and version."""
    if data_dir not in _loaded or _loaded[data_dir].version != version:
        _loaded[data_dir] = load_dataset_cached(Path(data_dir))
    return _loaded[data_dir]


def write_views(data_dir: str, version: str, views: list[tuple[str, str | None]], folder: str, base_url: str,
                app_url: str) -> dict[str, int]:
    """Write the pages of `views` into a version's folder (in a worker process); returns pages per kind."""
    dataset = _dataset(data_dir, version)
    if dataset.version != version:
        raise RuntimeError(f"the data changed while exporting ({version} → {dataset.version}); run again")
    catalog = build_catalog(dataset.events, dataset.sites)
    labels = sources.host_labels(dataset.publishers) if len(dataset.publishers) else {}
    env = _environment()
    template = env.get_template("page.html")
    version_url = f"{_slash(base_url)}{links.ARCHIVE_FOLDER}/{links.version_folder(version)}/"
    counts: dict[str, int] = {}
    for kind, value in views:
        view = SnapshotView(kind, value)
        target = Path(folder) / view.path
        target.mkdir(parents=True, exist_ok=True)
        page_url = version_url + view.path
        urls = {"page": page_url, "image": page_url + "preview.png", "base": version_url,
                "app": links.link(view.page_key, view.state, catalog).on(app_url)}
        with i18n.use(view.state.lang):
            content = page(dataset, catalog, view, labels, urls)
            html = template.render(**content, site_url=_slash(base_url))
        (target / "index.html").write_text(html, encoding="utf-8")
        (target / "preview.png").write_bytes(preview.render(view.page_key, view.state, dataset, catalog, app_url,
                                                            link=page_url))
        events = view_events(dataset, view).sort_index()
        (target / "events.csv").write_bytes(downloads.events_csv(events))
        (target / "events.geojson").write_bytes(downloads.events_geojson(events))
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def _write_version(dataset: Dataset, data_dir: Path, folder: Path, base_url: str, app_url: str,
                   workers: int) -> dict[str, int]:
    catalog = build_catalog(dataset.events, dataset.sites)
    views = [(v.kind, v.value) for v in snapshot_views(dataset, catalog)]
    chunks = [views[i::workers * CHUNKS_PER_WORKER] for i in range(workers * CHUNKS_PER_WORKER)]
    args = (str(data_dir), dataset.version)
    counts = {kind: 0 for kind in KINDS}
    if workers <= 1:
        done = [write_views(*args, chunk, str(folder), base_url, app_url) for chunk in chunks if chunk]
    else:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            done = list(pool.map(write_views, *zip(*[(*args, chunk, str(folder), base_url, app_url)
                                                      for chunk in chunks if chunk])))
    for part in done:
        for kind, n in part.items():
            counts[kind] += n
    return counts


def _replace_folder(source: Path, target: Path) -> None:
    """Make `target` a copy of `source`, swapping it in whole."""
    fresh = target.with_name(f".{target.name}.new-{os.getpid()}")
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    shutil.rmtree(fresh, ignore_errors=True)
    shutil.copytree(source, fresh)
    if target.exists():
        target.rename(old)
    fresh.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _ordered_versions(out: Path, archive: Path, added: str | None) -> list[str]:
    """The archived versions, newest first: the list the last run wrote, with a version just written placed by
    its data date (a version exported today is newer than one of the same date exported before)."""
    present = sorted((p.name for p in archive.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True)
    listed = out / VERSIONS_FILE
    known = json.loads(listed.read_text(encoding="utf-8"))["versions"] if listed.exists() else []
    ordered = [v for v in known if v in present and v != added] + [v for v in present if v not in known and v != added]
    if added is not None:
        at = next((i for i, v in enumerate(ordered) if v[:10] <= added[:10]), len(ordered))
        ordered.insert(at, added)
    return ordered


def _write_versions_index(out: Path, versions: list[str]) -> None:
    env = _environment()
    html = env.get_template("versions.html").render(
        title=i18n._("Basewatch: archived copies"), versions=versions, newest=versions[0],
        description=i18n._("Static copies of Basewatch's views, one folder per data version; an archived page "
                           "never changes."))
    (out / "index.html").write_text(html, encoding="utf-8")
    listing = {"latest": versions[0], "versions": versions}
    (out / VERSIONS_FILE).write_text(json.dumps(listing, indent=1) + "\n", encoding="utf-8")


def export_site(out: Path, base_url: str, app_url: str, data_dir: Path | None = None,
                workers: int | None = None) -> Report:
    """Write the snapshot of the data in `data_dir` into `out` (see the module's docstring); raises DataError."""
    started = time.monotonic()
    data_dir = Path(data_dir or config.data_dir())
    dataset = load_dataset_cached(data_dir)
    workers = max(1, workers or os.cpu_count() or 1)
    archive = out / links.ARCHIVE_FOLDER
    folder = archive / links.version_folder(dataset.version)
    report = Report(dataset.version, folder, written=not folder.exists())
    if report.written:
        partial = archive / f".{folder.name}.partial-{os.getpid()}"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        report.pages = _write_version(dataset, data_dir, partial, base_url, app_url, workers)
        partial.rename(folder)
    versions = _ordered_versions(out, archive, folder.name if report.written else None)
    if report.written or not (out / links.LATEST_FOLDER).exists():
        _replace_folder(archive / versions[0], out / links.LATEST_FOLDER)
    _write_versions_index(out, versions)
    report.seconds = time.monotonic() - started
    return report
