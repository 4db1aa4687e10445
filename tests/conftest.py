"""Shared test helpers: paths and a factory for deliberately broken data folders."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"
BUNDLED = ROOT / "data"


TODAY = dt.date(2026, 11, 26)  # a fixed "today" so date checks do not drift


def csv_rows(path) -> list[list[str]]:
    """A CSV file as rows of cells."""
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def write_csv_rows(path, rows) -> None:
    """Write rows as the data files are written (LF, minimal quoting)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def data_problems(folder, today: dt.date = TODAY) -> list[str]:
    """The validator's problems for a data folder that must be broken."""
    from basewatch.loading.dataset import DataError, load_dataset

    with pytest.raises(DataError) as info:
        load_dataset(folder, today=today)
    return [str(p) for p in info.value.problems]


@pytest.fixture(scope="session", autouse=True)
def _dataset_cache_outside_the_repository(tmp_path_factory):
    """Tests (and the servers they start) keep the validated-data cache in a temporary folder."""
    previous = os.environ.get("BASEWATCH_CACHE_DIR")
    os.environ["BASEWATCH_CACHE_DIR"] = str(tmp_path_factory.mktemp("dataset-cache"))
    yield
    if previous is None:
        os.environ.pop("BASEWATCH_CACHE_DIR", None)
    else:
        os.environ["BASEWATCH_CACHE_DIR"] = previous


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of the mini fixture; returns (folder, events path, sites path)."""
    folder = tmp_path / "data"
    shutil.copytree(MINI, folder, ignore=shutil.ignore_patterns(".cache"))  # a server run on the fixture leaves one
    return folder, folder / "events.csv", folder / "bases.geojson"


def pytest_report_header(config):
    import folium
    import streamlit
    import streamlit_folium

    return (f"streamlit {streamlit.__version__}, folium {folium.__version__}, "
            f"streamlit-folium {getattr(streamlit_folium, '__version__', '?')}")


def catalog_of(dataset):
    """The catalog the app builds for a dataset (maps and URL state read it)."""
    from basewatch.state.catalog import build_catalog

    return build_catalog(dataset.events, dataset.sites)


def catalog_from_sets(actors=frozenset(), types=frozenset(), statuses=frozenset(), countries=frozenset(),
                      sites=frozenset(), events=frozenset()):
    """A catalog from plain sets of slugs (sorted order, slugs as labels), for URL-state tests."""
    from basewatch.state.catalog import Catalog, Option

    return Catalog(options={dim: tuple(Option(v, v) for v in sorted(values)) for dim, values in
                            (("actor", actors), ("type", types), ("status", statuses), ("country", countries),
                             ("site", sites))},
                   events=frozenset(events))
