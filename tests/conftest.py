"""Shared test helpers: paths and a factory for deliberately broken data folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "fixtures" / "mini"
BUNDLED = ROOT / "data"


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
