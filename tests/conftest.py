"""Shared test helpers: paths and a factory for deliberately broken data folders."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"
BUNDLED = ROOT / "data"


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
    shutil.copytree(MINI, folder)
    return folder, folder / "events.csv", folder / "bases.geojson"


def pytest_report_header(config):
    import folium
    import streamlit
    import streamlit_folium

    return (f"streamlit {streamlit.__version__}, folium {folium.__version__}, "
            f"streamlit-folium {getattr(streamlit_folium, '__version__', '?')}")
