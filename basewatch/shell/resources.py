"""Cached, shared resources per data version: the dataset, its catalog, chart specs, map layers, sentences.

Everything here is read-only once built, so it is shared between sessions with cache_resource
(cache_data would unpickle a fresh copy on every rerun: 0.45 s per rerun at 100,000 events). Results
that depend on the view take the dataset and the `Filters` and filter inside, keyed on the data
version, the filters' canonical form and the language (charts, sentences and layers carry words), so a caller cannot pass a key that does not match its frame.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from basewatch import config
from basewatch.i18n import language
from basewatch.loading import live
from basewatch.loading.dataset import Dataset
from basewatch.queries import aggregate, footprint, sources
from basewatch.state.catalog import Catalog, build_catalog
from basewatch.state.filters import Filters, apply_filters, canonical, filter_mask
from basewatch.views import story
from basewatch.views.charts import footprint as footprint_chart
from basewatch.views.charts import personnel, timeline
from basewatch.views.charts.common import localized
from basewatch.views.maps import events as event_layer


def data_status() -> live.Status:
    """What the configured data folder serves now: the last good version, and whether newer files are pending."""
    return live.live(config.data_dir()).status()


def dataset() -> Dataset:
    """The Dataset readers see (the last version that validated, shared with the web routes); raises DataError
    only when no version has ever validated."""
    return live.dataset(config.data_dir())


@st.cache_resource(max_entries=4)
def _catalog(version: str, _dataset: Dataset) -> Catalog:
    return build_catalog(_dataset.events, _dataset.sites)


def catalog(data: Dataset) -> Catalog:
    """The catalog of a dataset, built once per data version."""
    return _catalog(data.version, data)


@st.cache_resource(max_entries=4)
def _source_labels(version: str, _dataset: Dataset) -> dict[str, str]:
    return sources.host_labels(_dataset.publishers)


def source_labels(data: Dataset) -> dict[str, str]:
    """Host → 'Publisher (kind, marks)' for every host in the publisher registry."""
    return _source_labels(data.version, data)


@st.cache_data(max_entries=64, show_spinner=False)
def _timeline_spec(version: str, key: str, selected: str | None, lang: str, _dataset: Dataset,
                   _filters: Filters) -> dict:
    context = apply_filters(_dataset.events, _filters.replace(date_from=None, date_to=None), ["date"])
    # Above MAX_TIMELINE_MARKS the chart counts events per actor and month: only those two columns are copied.
    mask = filter_mask(_dataset.events, _filters)
    events = _dataset.events.loc[mask, timeline.columns_for(_dataset.events, int(mask.sum()))]
    chart = timeline.timeline_chart(events, selected, context=context, site_labels=catalog(_dataset).labels("site"))
    return localized(chart.to_dict(validate=False), lang)


def timeline_spec(data: Dataset, filters: Filters, selected: str | None) -> dict:
    """The timeline's Vega-Lite spec, built once per data version, filters and selection.

    The strip beneath shows the whole span the other filters select (dates dropped), so a brushed
    period can be moved.
    """
    return _timeline_spec(data.version, canonical(filters), selected, language(), data, filters)


@st.cache_data(max_entries=64, show_spinner=False)
def _personnel_frame(version: str, key: str, by: str, lang: str, _dataset: Dataset, _filters: Filters) -> pd.DataFrame:
    # Only the rows and columns personnel_frame keeps and reads: the same answer without a full-width copy.
    events = _dataset.events
    rows = filter_mask(events, _filters) & personnel.has_estimate(events, by)
    return personnel.personnel_frame(events.loc[rows, personnel.columns_for(int(rows.sum()))], by=by,
                                     site_labels=catalog(_dataset).labels("site"))


def personnel_frame(data: Dataset, filters: Filters, by: str) -> pd.DataFrame:
    """The personnel estimates a chart and its table show, per data version, filters and scope."""
    return _personnel_frame(data.version, canonical(filters), by, language(), data, filters)


@st.cache_data(max_entries=64, show_spinner=False)
def _personnel_spec(version: str, key: str, by: str, title: str, lang: str, _dataset: Dataset,
                    _filters: Filters) -> dict | None:
    frame = personnel_frame(_dataset, _filters, by)
    return None if frame.empty else localized(personnel.personnel_chart(frame, title).to_dict(validate=False), lang)


def personnel_spec(data: Dataset, filters: Filters, by: str, title: str) -> dict | None:
    """The personnel chart's spec for the filtered events, or None when there is no estimate."""
    return _personnel_spec(data.version, canonical(filters), by, title, language(), data, filters)


@st.cache_data(max_entries=4, show_spinner=False)
def _footprint_bands(version: str, lang: str, _dataset: Dataset) -> pd.DataFrame:
    return footprint_chart.footprint_frame(_dataset.site_status, _dataset.sites, _dataset.data_date)


def footprint_bands(data: Dataset) -> pd.DataFrame:
    """The footprint chart's bands (its caption and table), once per data version."""
    return _footprint_bands(data.version, language(), data)


@st.cache_data(max_entries=64, show_spinner=False)
def _footprint_spec(version: str, start, end, selected_site: str | None, lang: str, _dataset: Dataset) -> dict:
    return localized(footprint_chart.footprint_chart(
        _dataset.site_status, _dataset.sites, start, end, until=_dataset.data_date,
        axis_start=footprint_chart.axis_start(_dataset.site_status), selected_site=selected_site).to_dict(
        validate=False), lang)


def footprint_spec(data: Dataset, start, end, selected_site: str | None) -> dict:
    """The footprint chart's spec for a period (None: not shaded) and selected site, once per data version."""
    return _footprint_spec(data.version, start, end, selected_site, language(), data)


@st.cache_resource(max_entries=32, show_spinner=False)
def _event_layer(version: str, key: str, at_scale: bool, viewport, lang: str, _dataset: Dataset,
                 _filters: Filters) -> event_layer.LayerData:
    view = aggregate.Viewport(*viewport) if viewport is not None else None
    return event_layer.layer_data(apply_filters(_dataset.events, _filters, event_layer.COLUMNS), catalog(_dataset), view)


def event_layer_data(data: Dataset, filters: Filters, events: pd.DataFrame,
                     viewport: aggregate.Viewport | None) -> event_layer.LayerData:
    """The map's event layer (points, or cells at scale), shared per data version, filters and viewport.

    `events` are the filtered events the page already has: only their count is read, to tell whether
    the layer depends on the viewport at all (below the threshold one entry serves every pan).
    """
    at_scale = event_layer.needs_viewport(events)  # part of the key: the threshold may change (tests, tools)
    snapped = aggregate.viewport_key(viewport) if at_scale else None
    return _event_layer(data.version, canonical(filters), at_scale, snapped, language(), data, filters)


@st.cache_data(max_entries=64, show_spinner=False)
def _what_changed(version: str, key: str, start, end, lang: str, _dataset: Dataset, _filters: Filters) -> tuple:
    first = _dataset.events["date"].min()
    changed = footprint.status_changes(_dataset.site_status, _dataset.sites, start or first, end or _dataset.data_date)
    in_view = apply_filters(_dataset.events, _filters, footprint.movement_columns(_dataset.events))
    return story.what_changed(_dataset, start, end, in_view), len(changed)


def what_changed(data: Dataset, filters: Filters) -> tuple[list[str], int]:
    """What changed in the period the filters set (sentences), and how many sites changed status."""
    return _what_changed(data.version, canonical(filters), filters.date_from, filters.date_to, language(), data,
                         filters)
