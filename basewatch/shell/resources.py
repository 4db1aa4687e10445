"""Cached, shared resources per data version: the dataset, its catalog, chart specs and map rows.

Everything here is read-only once built, so it is shared between sessions with cache_resource
(cache_data would unpickle a fresh copy on every rerun: 0.45 s per rerun at 100,000 events).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from basewatch import config
from basewatch.loading.cache import load_dataset_cached
from basewatch.loading.dataset import Dataset, file_fingerprint
from basewatch.state.catalog import Catalog, build_catalog


@st.cache_resource(show_spinner="Loading data…", max_entries=2)
def _load(directory: str, fingerprint: str) -> Dataset:
    # `fingerprint` (size, mtime, inode of the files) is only part of the key: an edited file reloads
    # without a restart.
    return load_dataset_cached(Path(directory))


def dataset() -> Dataset:
    """The validated dataset of the configured data folder, cached per file content; raises DataError."""
    directory = config.data_dir()
    return _load(str(directory), file_fingerprint(directory))


@st.cache_resource(max_entries=4)
def _catalog(version: str, _dataset: Dataset) -> Catalog:
    return build_catalog(_dataset.events, _dataset.sites)


def catalog(data: Dataset) -> Catalog:
    """The catalog of a dataset, built once per data version."""
    return _catalog(data.version, data)


@st.cache_resource(max_entries=4)
def _changelog(directory: str, fingerprint: str) -> list:
    from basewatch.loading import changelog

    return changelog.load(Path(directory))


def changelog(data: Dataset) -> list:
    """The data folder's changelog entries (CHANGES.md), read again only when a file changes."""
    return _changelog(str(data.source_dir), file_fingerprint(data.source_dir))


@st.cache_resource(max_entries=4)
def _source_labels(version: str, _dataset: Dataset) -> dict[str, str]:
    from basewatch.loading.publishers import host_labels

    return host_labels(_dataset.publishers)


def source_labels(data: Dataset) -> dict[str, str]:
    """Host → 'Publisher (kind, marks)' for every host in the publisher registry."""
    return _source_labels(data.version, data)


@st.cache_data(max_entries=64, show_spinner=False)
def timeline_spec(version: str, filters: str, selected: str | None, _events: pd.DataFrame,
                  _all_events: pd.DataFrame, _filters) -> dict:
    """The timeline's Vega-Lite spec, built once per data version, filters and selection.

    The strip beneath shows the whole span the other filters select (dates dropped from `_filters`), so a
    brushed period can be moved; it follows from the same filters and needs no key of its own.
    """
    from basewatch.state.filters import apply_filters
    from basewatch.views.charts import timeline as charts

    context = apply_filters(_all_events, _filters.replace(date_from=None, date_to=None))
    return charts.timeline_chart(_events, selected, context=context).to_dict(validate=False)


@st.cache_data(max_entries=64, show_spinner=False)
def personnel_frame(version: str, filters: str, by: str, _events: pd.DataFrame) -> pd.DataFrame:
    """The personnel estimates a chart and its table show, per data version, filters and scope."""
    from basewatch.views.charts import timeline as charts

    return charts.personnel_frame(_events, by=by)


@st.cache_data(max_entries=64, show_spinner=False)
def personnel_spec(version: str, filters: str, by: str, title: str, _events: pd.DataFrame) -> dict | None:
    """The personnel chart's spec for the filtered events, or None when there is no estimate."""
    from basewatch.views.charts import timeline as charts

    frame = personnel_frame(version, filters, by, _events)
    return None if frame.empty else charts.personnel_chart(frame, title).to_dict(validate=False)


@st.cache_data(max_entries=4, show_spinner=False)
def footprint_bands(version: str, _dataset: Dataset) -> pd.DataFrame:
    """The footprint chart's bands (its caption and table), once per data version."""
    from basewatch.views.charts import footprint as footprint_chart

    return footprint_chart.footprint_frame(_dataset.site_status, _dataset.sites, _dataset.data_date)


@st.cache_resource(max_entries=32, show_spinner=False)
def event_rows(version: str, filters: str, _events: pd.DataFrame) -> list[list]:
    """The map's compact event rows, computed once per data version and filters (shared, read-only)."""
    from basewatch.views.maps import layers as maps

    return maps.event_rows(_events)


@st.cache_resource(max_entries=16, show_spinner=False)
def map_view(version: str, filters: str, viewport, _events: pd.DataFrame):
    """Points or grid cells for the map at scale, per data version, filters and viewport (a hashable tuple)."""
    from basewatch.queries import aggregate

    view = aggregate.Viewport(*viewport) if viewport is not None else None
    return aggregate.map_view(_events, view, aggregate.POINT_THRESHOLD)  # read now: tests and tools may lower it


@st.cache_data(max_entries=64, show_spinner=False)
def footprint_spec(version: str, start, end, selected_site: str | None, _dataset: Dataset) -> dict:
    """The footprint chart's spec for a period (None: not shaded) and selected site, built once per data version."""
    from basewatch.views.charts import footprint as footprint_chart

    return footprint_chart.footprint_chart(
        _dataset.site_status, _dataset.sites, start, end, until=_dataset.data_date,
        axis_start=footprint_chart.axis_start(_dataset.site_status), selected_site=selected_site).to_dict(
        validate=False)


@st.cache_data(max_entries=64, show_spinner=False)
def what_changed(version: str, filters: str, start, end, _dataset: Dataset, _events: pd.DataFrame) -> tuple:
    """What changed in the period (sentences), and how many sites changed status, per data version and filters."""
    from basewatch.queries import footprint

    first = _dataset.events["date"].min()
    changed = footprint.status_changes(_dataset.site_status, _dataset.sites, start or first, end or _dataset.data_date)
    return footprint.what_changed(_dataset, start, end, _events), len(changed)
