"""Pick the engine by measurement (issue 20, item 1): memory, cold load and a page's paths, on the same events.

    python -m tools.engines DATA_DIR [DATA_DIR ...] [--repeats 5] [--engines pandas-object,duckdb]
                            [--md FILE.md] [--out FILE.json]
    python -m tools.engines --audit DATA_DIR [--repeats 3]   # the app's per-run functions, object vs Arrow dtypes

DATA_DIR is a valid data folder (`python -m tools.synth N DIR` makes one). The events come from the app's
own loader through its validated cache (validated once, the first time). From them the tool writes, once
per data version, the forms the other engines read at server start: `DATA_DIR/.engines/<key>/events.parquet`
(vocabulary columns dictionary-encoded), `events.arrow` (Arrow IPC, same schema, for memory-mapping) and
`events.duckdb` (a read-only DuckDB database holding only a view over the Parquet file).

Each engine then runs in a fresh subprocess that loads the events in that engine's form and reports

* memory: VmRSS (anonymous and file-backed apart) and VmHWM of the process after the load, its RSS after
  the imports alone, and the table's own size (pandas `memory_usage(deep=True)`, Arrow `nbytes`, Polars
  `estimated_size`; DuckDB holds nothing: the Parquet file's size is given instead);
* cold load: seconds from the file to the engine's form, as a fresh server would read it. The app's check
  that the cache belongs to the data files (SHA-256 of every data file) is timed apart, once: every engine
  would pay it;
* the paths a page runs, median of `repeats` after one warm-up, for three filters (no filter: the fresh
  /map; the typical link `actor=russia&from=2020-01-01`; every dimension set at once):
  - filter: how many events match;
  - grid: the map's opening view at scale (no viewport yet: zoom 5), one row per cell with its count, mean
    position and actor mix, the filtered events' copy included where the app makes one;
  - timeline: events per month and actor (the timeline's binned marks);
  - table: the first 1,000 matching rows by date then id, newest first, every column;
  - sidebar: per filter dimension (actor, type, status, country), events per value under every other
    filter (facet counts).

Engines: `pandas-object` (the app: `load_dataset_cached`, plain Python strings, and the app's own
`apply_filters`, `filter_mask` and `aggregate.map_view`), `pandas-arrow` (the same app functions on a frame
read from Parquet with strings as `string[pyarrow]` and vocabulary columns as categoricals, every column
combined into one chunk: pandas' `take` on a chunked Arrow column concatenates all its chunks first),
`pandas-arrow-ipc` (the same frame memory-mapped from the Arrow IPC file, written as one record batch), `pyarrow` (pyarrow.compute),
`duckdb` (over the Parquet file: one read-only connection per process, a cursor per run, memory_limit
set) and `polars`. Every engine's answers are checked against pandas-object's; the run fails loudly when
one differs. Load averages are recorded around every subprocess: the machine is shared.

`--audit` runs the app's per-run pandas functions (filters, aggregate, charts, catalog, footprint, maps,
summaries) on the object frame and on the Arrow-backed one, and reports for each its time, whether it
failed, whether its answer differs, and where it turned an Arrow or categorical column of at least
10,000 values into a NumPy object array or Python objects (the first basewatch frame on the stack).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import gc
import json
import math
import os
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ENGINES = ("pandas-object", "pandas-arrow", "pandas-arrow-ipc", "pyarrow", "duckdb", "polars")
SPECS = {
    "none": {},
    "typical": {"actors": ["russia"], "date_from": dt.date(2020, 1, 1)},
    "every": {"actors": ["russia", "wagner-group", "africa-corps"],
              "types": ["deployment", "withdrawal", "redeployment", "observation"],
              "statuses": ["confirmed", "reported"], "countries": ["sy", "ly"],
              "date_from": dt.date(2015, 9, 30), "date_to": dt.date(2025, 12, 31)},
}
PATHS = ("filter", "grid", "timeline", "table", "sidebar")
# Filter field -> slug column; also the sidebar's dimensions.
CHOICES = {"actors": "actor_slug", "types": "type_slug", "statuses": "status_slug", "countries": "country_slug"}
# Columns from controlled vocabularies (a few dozen values at most): categoricals / dictionaries.
# Free text (summary, place, sources, ids, date labels) stays plain strings even where synthetic data
# repeats it: real data does not.
VOCABULARY = ("date_precision", "actor", "event_type", "claim_status", "country", "site_id",
              "destination_site_id", "actor_slug", "type_slug", "status_slug", "country_slug", "site_name",
              "destination_name", "source_kinds")
TABLE_ROWS = 1000
GRID_ZOOM = 5  # aggregate.map_view's zoom when no viewport is known yet (a fresh /map)
ROW_GROUP = 131_072
DUCKDB_MEMORY = "512MB"
DUCKDB_THREADS = 2


# === adapter: the only place that imports basewatch (update these paths when the package moves) ==========

def app_cache_key(directory: Path) -> str:
    """The validated cache's key for `directory` (SHA-256 of every data file and of the package's code)."""
    from basewatch.loading.cache import cache_key

    return cache_key(directory)


def app_read_cached(directory: Path, key: str):
    """The Dataset from the validated cache, as a fresh server reads it (raises when there is none)."""
    from basewatch.loading.cache import cache_dir, read_cache

    where = cache_dir(directory)
    if where is None:
        raise SystemExit(f"no writable cache location for {directory}")
    return read_cache(directory, key, where)


def app_dataset(directory: Path):
    """The Dataset through the app's loader: validated the first time, from the cache afterwards."""
    from basewatch.loading.cache import load_dataset_cached

    return load_dataset_cached(directory)


def app_load_dataset_uncached(directory: Path):
    """Validate `directory` with the app's loader, bypassing the cache (for chunk-wise validation)."""
    from basewatch.loading.dataset import load_dataset

    return load_dataset(directory)


def app_contract() -> dict:
    """The data folder's file names and the events' CSV columns (the app's config)."""
    from basewatch import config

    return {"events_file": config.EVENTS_FILE, "sites_file": config.SITES_FILE, "data_files": config.DATA_FILES,
            "columns": list(config.EVENT_COLUMNS), "bundled": config.BUNDLED_DATA_DIR}


def app_filters(spec: dict):
    """The app's Filters for a spec."""
    from basewatch.state.filters import Filters

    return Filters(**{k: frozenset(v) if isinstance(v, list) else v for k, v in spec.items()})


def app_filter_mask(events: pd.DataFrame, spec: dict) -> np.ndarray:
    from basewatch.state.filters import filter_mask

    return filter_mask(events, app_filters(spec))


def app_apply_filters(events: pd.DataFrame, spec: dict) -> pd.DataFrame:
    from basewatch.state.filters import apply_filters

    return apply_filters(events, app_filters(spec))


def app_opening_cells(events: pd.DataFrame) -> pd.DataFrame:
    """The map's aggregate for a fresh /map (no viewport reported yet), cells forced."""
    from basewatch.queries import aggregate

    return aggregate.map_view(events, None, threshold=0).cells


def app_cell_degrees(zoom: int) -> float:
    from basewatch.queries.aggregate import cell_degrees

    return cell_degrees(zoom)


def app_timeline_bins(events: pd.DataFrame) -> pd.DataFrame:
    """Events per actor and month exactly as views.charts.timeline.timeline_chart bins them above MAX_TIMELINE_MARKS."""
    return (events.assign(month=events["date"].dt.to_period("M").dt.to_timestamp())
            .groupby(["actor", "month"], observed=True).size().rename("events").reset_index())


PROPOSED = {
    "(proposed) map_view on the 3 columns it reads (no filter)": "aggregate.map_view (fresh /map, no filter)",
    "(proposed) mask + 3 columns instead of apply_filters, then map_view (typical link)":
        "aggregate.map_view (fresh /map, typical link)",
    "(proposed) newest 2,000 from the mask, no sort (events are stored in date, id order)":
        "timeline table: sort_values(date, id).head(2000)",
}


def app_per_run_functions() -> dict[str, Callable]:
    """The app's pandas work per page run (or per filters / data version where a page caches it).

    Each takes (events, filtered, dataset) and returns what the app would use.
    """
    from basewatch.queries import aggregate, footprint, summaries
    from basewatch.state import catalog, filters, rows
    from basewatch.views import story
    from basewatch.views.charts import personnel, timeline
    from basewatch.views.maps import events as event_layer
    from basewatch.views.maps import framing
    from basewatch.views.maps import sites as site_layers

    typical = app_filters(SPECS["typical"])
    catalogs: dict = {}

    def rows_catalog(events, dataset):
        """The catalog the event layer indexes actors, types and statuses by (built once per frame)."""
        if id(events) not in catalogs:
            catalogs[id(events)] = catalog.build_catalog(events, dataset.sites)
        return catalogs[id(events)]

    def what_changed(events, filtered, dataset):
        return story.what_changed(dataclasses.replace(dataset, events=events), None, None, filtered)

    return {
        "filters.filter_mask (typical link)": lambda e, f, d: filters.filter_mask(e, typical),
        "filters.apply_filters (typical link)": lambda e, f, d: filters.apply_filters(e, typical),
        "filters.filter_mask (source=wire: space-separated tokens)":
            lambda e, f, d: filters.filter_mask(e, app_filters({"sources": ["wire"]})),
        "aggregate.map_view (fresh /map, no filter)": lambda e, f, d: aggregate.map_view(e, None).cells,
        "aggregate.map_view (fresh /map, typical link)": lambda e, f, d: aggregate.map_view(f, None).cells,
        "aggregate.grid_cells (typical link, zoom 5)": lambda e, f, d: aggregate.grid_cells(f, GRID_ZOOM),
        "timeline.timeline_chart(...).to_dict (typical link)":
            lambda e, f, d: timeline.timeline_chart(f, None, context=e).to_dict(validate=False),
        "timeline._strip_frame (no filter)": lambda e, f, d: timeline._strip_frame(e),
        "personnel.personnel_frame by country (typical link)": lambda e, f, d: personnel.personnel_frame(f, "country"),
        "catalog.build_catalog (per data version)": lambda e, f, d: catalog.build_catalog(e, d.sites).options,
        "footprint.movements (typical link; /map every run)": lambda e, f, d: footprint.movements(f, d.sites),
        "story.what_changed (typical link; overview)": what_changed,
        "framing.frame_bounds (typical link; /map every run)": lambda e, f, d: framing.frame_bounds(f, d.sites),
        "sites.label_priority (typical link; /map every run)": lambda e, f, d: site_layers.label_priority(d.sites, f),
        "events.event_rows (20,000 points)": lambda e, f, d: event_layer.event_rows(f.iloc[:20_000], rows_catalog(e, d)),
        "rows.search_events 'Reuters' (typical link; timeline)":
            lambda e, f, d: rows.search_events(f, "Reuters"),
        "timeline table: sort_values(date, id).head(2000)":
            lambda e, f, d: f.sort_values(["date", "id"], ascending=False).head(2000),
        "story.latest_clause (typical link; overview)": lambda e, f, d: story.latest_clause(f),
        "summaries.latest_personnel (typical link; overview)": lambda e, f, d: summaries.latest_personnel(f),
        "overview: site_id.dropna().nunique()": lambda e, f, d: f["site_id"].dropna().nunique(),
        "legend: actor_slug.unique() (components.map_legend)": lambda e, f, d: set(f["actor_slug"].unique()),
        # Proposed replacements, measured on the same frames; each must give the answer of the function
        # PROPOSED names for it (checked on the object frame).
        "(proposed) map_view on the 3 columns it reads (no filter)":
            lambda e, f, d: aggregate.map_view(e[["map_lat", "map_lon", "actor_slug"]], None).cells,
        "(proposed) mask + 3 columns instead of apply_filters, then map_view (typical link)":
            lambda e, f, d: aggregate.map_view(
                e.loc[filters.filter_mask(e, typical), ["map_lat", "map_lon", "actor_slug"]], None).cells,
        "(proposed) newest 2,000 from the mask, no sort (events are stored in date, id order)":
            lambda e, f, d: e.take(np.flatnonzero(filters.filter_mask(e, typical))[::-1][:2000]),
    }


# === forms: what each engine reads at server start ========================================================

STREAM_KEY = "stream"  # forms written by tools.synth_stream (validated chunk by chunk, no app cache)
FORMS_VERSION = 2  # bump when the files' layout changes: older ones are rewritten


def forms_dir(directory: Path, key: str) -> Path:
    return Path(directory) / ".engines" / key[:16]


def arrow_events(events: pd.DataFrame) -> pa.Table:
    """The app's events as an Arrow table: plain `string` for text, dictionaries for VOCABULARY."""
    table = pa.Table.from_pandas(events, preserve_index=False)
    fields = []
    for f in table.schema:
        kind = f.type
        if pa.types.is_large_string(kind) or pa.types.is_null(kind):
            kind = pa.string()
        if f.name in VOCABULARY:
            kind = pa.dictionary(pa.int32(), pa.string())
        fields.append(pa.field(f.name, kind))
    columns = []
    for f, column in zip(fields, table.columns):
        if pa.types.is_dictionary(f.type):
            column = pc.dictionary_encode(column.cast(pa.string()))
        columns.append(column.cast(f.type))
    return pa.Table.from_arrays(columns, schema=pa.schema(fields, metadata=table.schema.metadata))


def write_forms(table: pa.Table, out: Path) -> dict:
    """Write events.parquet, events.arrow and events.duckdb from `table`; seconds and sizes per file."""
    out.mkdir(parents=True, exist_ok=True)
    info = {}
    start = time.perf_counter()
    pq.write_table(table, out / "events.parquet", row_group_size=ROW_GROUP, compression="zstd",
                   use_dictionary=list(VOCABULARY))
    info["parquet_write_s"] = time.perf_counter() - start
    start = time.perf_counter()
    try:
        # One record batch, so every column is one chunk: pandas' take on a chunked Arrow column concatenates
        # every chunk first (2.5 s and +246 MB to take 2,000 rows of 1,000,000 in 8 chunks; 6 ms in one).
        single = table.unify_dictionaries().combine_chunks()
        with pa.OSFile(str(out / "events.arrow"), "wb") as sink, pa.ipc.new_file(sink, single.schema) as writer:
            writer.write_table(single, max_chunksize=max(1, single.num_rows))
        del single
    except pa.ArrowInvalid:  # a string column past 2 GB cannot be one chunk: a batch per row group then
        write_ipc_from_parquet(out)
    info["ipc_write_s"] = time.perf_counter() - start
    write_duckdb_view(out)
    for name in ("events.parquet", "events.arrow"):
        info[name.replace(".", "_") + "_mb"] = (out / name).stat().st_size / 1e6
    return info


def write_ipc_from_parquet(out: Path) -> None:
    """events.arrow from events.parquet, a row group at a time, each dictionary column on one dictionary.

    The IPC file format allows one dictionary per column for the whole file, while Parquet row groups
    (and the chunks tools.synth_stream appends) each have their own: each column's values are collected
    first (one column at a time), then every row group is re-indexed into them.
    """
    parquet = pq.ParquetFile(out / "events.parquet")
    schema = parquet.schema_arrow
    dictionaries = {}
    for f in schema:
        if pa.types.is_dictionary(f.type):
            values = parquet.read(columns=[f.name])[f.name]
            dictionaries[f.name] = pa.chunked_array([c.dictionary for c in values.chunks],
                                                    type=pa.string()).unique().drop_null()
    with pa.OSFile(str(out / "events.arrow"), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
        for group in range(parquet.num_row_groups):
            table = parquet.read_row_group(group)
            arrays = []
            for f, column in zip(schema, table.columns):
                if f.name in dictionaries:
                    indices = pc.index_in(column.cast(pa.string()).combine_chunks(), value_set=dictionaries[f.name])
                    column = pa.DictionaryArray.from_arrays(indices.cast(pa.int32()), dictionaries[f.name])
                arrays.append(column)
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))


def write_duckdb_view(out: Path) -> None:
    """events.duckdb: a database holding only the view `events` over events.parquet (opened read-only)."""
    import duckdb

    db = out / "events.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    parquet = str((out / "events.parquet").resolve()).replace("'", "''")
    con.execute(f"CREATE VIEW events AS SELECT * FROM read_parquet('{parquet}')")  # noqa: S608 - our own path
    con.close()


def prepare(directory: Path) -> dict:
    """Validate (once) through the app's cache, then write the other engines' forms if not there yet."""
    directory = Path(directory)
    start = time.perf_counter()
    dataset = app_dataset(directory)
    key = app_cache_key(directory)
    prepared = {"events": len(dataset.events), "app_load_s": time.perf_counter() - start, "key": key[:16]}
    out = forms_dir(directory, key)
    done = out / "forms.json"
    if done.exists() and json.loads(done.read_text()).get("forms_version") == FORMS_VERSION:
        prepared.update(json.loads(done.read_text()))
        return prepared
    start = time.perf_counter()
    table = arrow_events(dataset.events)
    info = {"to_arrow_s": time.perf_counter() - start, "forms_version": FORMS_VERSION}
    del dataset
    info.update(write_forms(table, out))
    done.write_text(json.dumps(info))
    prepared.update(info)
    return prepared


# === memory ================================================================================================

def proc_status() -> dict[str, float]:
    """VmRSS, VmHWM, RssAnon and RssFile of this process in MB (Linux)."""
    out = {}
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM", "RssAnon", "RssFile"):
                out[name] = int(value.split()[0]) / 1024
    return out


def settle() -> float:
    """Free what can be freed (Python garbage, Arrow's pool, glibc's free lists); returns RSS in MB after."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    return proc_status()["VmRSS"]


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux: writing 5 to clear_refs), so a path's own peak can be read."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def frame_nbytes(form) -> float:
    if isinstance(form, pd.DataFrame):
        return float(form.memory_usage(deep=True, index=False).sum())
    if isinstance(form, pa.Table):
        return float(form.nbytes)
    if hasattr(form, "estimated_size"):
        return float(form.estimated_size())
    return 0.0


# === engines: load + paths =================================================================================

def load_form(engine: str, directory: Path, key: str):
    """Read the events as `engine` would at server start; returns its form."""
    out = forms_dir(directory, key)
    if engine == "pandas-object":
        if key != STREAM_KEY:
            return app_read_cached(directory, key).events
        # No app cache (the app cannot load this folder): the Parquet file with Python strings, as _restore does.
        table = _undictionary(pq.read_table(out / "events.parquet"))
        frame = table.select([f.name for f in table.schema if not pa.types.is_string(f.type)]).to_pandas()
        for name in table.column_names:
            if pa.types.is_string(table.schema.field(name).type):
                frame[name] = pd.Series(table[name].to_numpy(zero_copy_only=False), dtype=object)
                table = table.drop_columns([name])
        return frame
    if engine == "pandas-arrow":
        # One chunk per column (see write_forms: pandas' take on chunked Arrow columns concatenates them).
        table = pq.read_table(out / "events.parquet", read_dictionary=list(VOCABULARY))
        table = _one_chunk(table)
        return table.to_pandas(types_mapper=_string_pyarrow)
    if engine == "pandas-arrow-ipc":
        with pa.memory_map(str(out / "events.arrow"), "r") as source:
            table = pa.ipc.open_file(source).read_all()  # zero-copy: buffers point into the mapped file
        return table.to_pandas(types_mapper=_string_pyarrow)
    if engine == "pyarrow":
        # Row groups (and synth_stream's chunks) each bring their own dictionary; Acero's group_by refuses
        # differing ones, so they are unified once here.
        return pq.read_table(out / "events.parquet", read_dictionary=list(VOCABULARY)).unify_dictionaries()
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect(str(out / "events.duckdb"), read_only=True,
                             config={"memory_limit": DUCKDB_MEMORY, "threads": DUCKDB_THREADS})
        con.execute("SELECT count(*) FROM events").fetchone()  # opens the view; reads Parquet metadata
        return con
    if engine == "polars":
        import polars as pl

        frame = pl.read_parquet(out / "events.parquet")
        return frame.with_columns([pl.col(c).cast(pl.Categorical) for c in VOCABULARY])
    raise ValueError(engine)


def _one_chunk(table: pa.Table) -> pa.Table:
    """Every column in one chunk (dictionaries unified), or as it is when a column cannot be (past 2 GB)."""
    try:
        return table.unify_dictionaries().combine_chunks()
    except pa.ArrowInvalid:
        return table


def _undictionary(table: pa.Table) -> pa.Table:
    """Dictionary columns as plain strings (the Parquet file's stored Arrow schema brings them back)."""
    return table.cast(pa.schema([pa.field(f.name, pa.string() if pa.types.is_dictionary(f.type) else f.type)
                                 for f in table.schema], metadata=table.schema.metadata))


def _string_pyarrow(kind: pa.DataType):
    return pd.StringDtype("pyarrow") if kind in (pa.string(), pa.large_string()) else None


def _cells_frame(long: pd.DataFrame) -> pd.DataFrame:
    """grid_cells' shape from one row per (cell_x, cell_y, actor) with n, sum_lat, sum_lon."""
    if long.empty:
        return pd.DataFrame(columns=["cell_x", "cell_y", "count", "lat", "lon", "actors"])
    long = long.sort_values(["cell_x", "cell_y", "actor"])
    cells = long.groupby(["cell_x", "cell_y"], sort=True).agg(count=("n", "sum"), lat=("sum_lat", "sum"),
                                                              lon=("sum_lon", "sum")).reset_index()
    cells["lat"] /= cells["count"]
    cells["lon"] /= cells["count"]
    actors: dict[tuple[int, int], dict[str, int]] = {}
    for x, y, actor, n in zip(long["cell_x"], long["cell_y"], long["actor"], long["n"]):
        actors.setdefault((int(x), int(y)), {})[str(actor)] = int(n)
    cells["actors"] = [actors[(int(x), int(y))] for x, y in zip(cells["cell_x"], cells["cell_y"])]
    cells["count"] = cells["count"].astype("int64")
    return cells


def pandas_paths(events: pd.DataFrame) -> dict[str, Callable]:
    """The app's own code on a pandas frame (whatever its dtypes)."""
    def filter_count(spec):
        return int(app_filter_mask(events, spec).sum())

    def grid(spec):
        return app_opening_cells(app_apply_filters(events, spec))

    def timeline(spec):
        return app_timeline_bins(app_apply_filters(events, spec))

    def table(spec):
        return app_apply_filters(events, spec).sort_values(["date", "id"], ascending=False).head(TABLE_ROWS)

    def sidebar(spec):
        out = {}
        for field, column in CHOICES.items():
            mask = app_filter_mask(events, {k: v for k, v in spec.items() if k != field})
            counts = events[column][mask].value_counts()
            out[field] = {str(k): int(n) for k, n in counts.items() if n}
        return out

    return {"filter": filter_count, "grid": grid, "timeline": timeline, "table": table, "sidebar": sidebar}


def arrow_paths(table: pa.Table) -> dict[str, Callable]:
    size = app_cell_degrees(GRID_ZOOM)

    def mask(spec, skip=None):
        m = None
        for field, column in CHOICES.items():
            if spec.get(field) and field != skip:
                part = pc.is_in(table[column], value_set=pa.array(spec[field]))
                m = part if m is None else pc.and_(m, part)
        for key, column, op in (("date_from", "date_end", pc.greater_equal), ("date_to", "date", pc.less_equal)):
            if spec.get(key):
                part = op(table[column], pa.scalar(dt.datetime.combine(spec[key], dt.time()), table[column].type))
                m = part if m is None else pc.and_(m, part)
        return None if m is None else pc.fill_null(m, False)

    def rows(spec):
        m = mask(spec)
        return table if m is None else table.filter(m)

    def filter_count(spec):
        m = mask(spec)
        return table.num_rows if m is None else int(pc.sum(m).as_py() or 0)

    def grid(spec):
        sub = rows(spec).select(["map_lat", "map_lon", "actor_slug"])
        sub = sub.filter(pc.and_(pc.is_valid(sub["map_lat"]), pc.is_valid(sub["map_lon"])))
        cells = pa.table({"cell_x": pc.cast(pc.floor(pc.divide(sub["map_lon"], size)), pa.int64()),
                          "cell_y": pc.cast(pc.floor(pc.divide(sub["map_lat"], size)), pa.int64()),
                          "actor": sub["actor_slug"], "lat": sub["map_lat"], "lon": sub["map_lon"]})
        long = cells.group_by(["cell_x", "cell_y", "actor"]).aggregate(
            [([], "count_all"), ("lat", "sum"), ("lon", "sum")])
        long = long.rename_columns({"count_all": "n", "lat_sum": "sum_lat", "lon_sum": "sum_lon"}).to_pandas()
        return _cells_frame(long)

    def timeline(spec):
        sub = rows(spec).select(["date", "actor"])
        month = pc.floor_temporal(sub["date"], unit="month")
        out = pa.table({"actor": sub["actor"], "month": month}).group_by(["actor", "month"]).aggregate(
            [([], "count_all")])
        return out.rename_columns({"count_all": "events"}).to_pandas()

    row_numbers = pa.array(np.arange(table.num_rows, dtype="int64"))

    def table_slice(spec):
        # Late materialisation: pick the rows on (date, id, row number) alone, then take every column of 1,000.
        keys_table = table.select(["date", "id"]).append_column("row", row_numbers)
        m = mask(spec)
        if m is not None:
            keys_table = keys_table.filter(m)
        keys = [("date", "descending"), ("id", "descending")]
        top = keys_table.take(pc.select_k_unstable(keys_table, k=min(TABLE_ROWS, keys_table.num_rows),
                                                   sort_keys=keys)).sort_by(keys)
        return table.take(top["row"])

    def sidebar(spec):
        out = {}
        for field, column in CHOICES.items():
            m = mask(spec, skip=field)
            values = table[column] if m is None else table[column].filter(m)
            counts = pc.value_counts(values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values)
            out[field] = {str(v): int(n) for v, n in zip(counts.field("values").to_pylist(),
                                                          counts.field("counts").to_pylist()) if n}
        return out

    return {"filter": filter_count, "grid": grid, "timeline": timeline, "table": table_slice, "sidebar": sidebar}


def duckdb_paths(con) -> dict[str, Callable]:
    size = app_cell_degrees(GRID_ZOOM)

    def where(spec, skip=None) -> tuple[str, list]:
        parts, params = [], []
        for field, column in CHOICES.items():
            if spec.get(field) and field != skip:
                parts.append(f"{column} IN ({', '.join('?' for _ in spec[field])})")
                params += list(spec[field])
        if spec.get("date_from"):
            parts.append("date_end >= ?")
            params.append(dt.datetime.combine(spec["date_from"], dt.time()))
        if spec.get("date_to"):
            parts.append("date <= ?")
            params.append(dt.datetime.combine(spec["date_to"], dt.time()))
        return " AND ".join(parts) or "TRUE", params

    def run(sql, params, fetch):
        cursor = con.cursor()  # one cursor per run, as each Streamlit session thread would have
        try:
            return fetch(cursor.execute(sql, params))
        finally:
            cursor.close()

    def filter_count(spec):
        w, params = where(spec)
        return int(run(f"SELECT count(*) FROM events WHERE {w}", params, lambda c: c.fetchone()[0]))  # noqa: S608

    def grid(spec):
        w, params = where(spec)
        long = run(f"SELECT floor(map_lon / {size})::BIGINT cell_x, floor(map_lat / {size})::BIGINT cell_y, "  # noqa: S608
                   f"actor_slug actor, count(*) n, sum(map_lat) sum_lat, sum(map_lon) sum_lon FROM events "
                   f"WHERE {w} AND map_lat IS NOT NULL AND map_lon IS NOT NULL GROUP BY ALL", params,
                   lambda c: c.df())
        return _cells_frame(long)

    def timeline(spec):
        w, params = where(spec)
        return run(f"SELECT actor, date_trunc('month', date) AS \"month\", count(*) AS events FROM events "  # noqa: S608
                   f"WHERE {w} GROUP BY ALL", params, lambda c: c.df())

    def table_slice(spec):
        # Two steps: the 1,000th newest date from the date column alone, then every column only where
        # date >= it, a constant the Parquet scan prunes row groups with (the file is in date order).
        w, params = where(spec)
        cutoff = run(f"SELECT date FROM events WHERE {w} ORDER BY date DESC LIMIT 1 OFFSET {TABLE_ROWS - 1}",  # noqa: S608
                     params, lambda c: c.fetchone())
        if cutoff is not None:
            w, params = f"{w} AND date >= ?", [*params, cutoff[0]]
        return run(f"SELECT * FROM events WHERE {w} ORDER BY date DESC, id DESC LIMIT {TABLE_ROWS}",  # noqa: S608
                   params, lambda c: c.to_arrow_table())

    def sidebar(spec):
        selects, params = [], []
        for field, column in CHOICES.items():
            w, p = where(spec, skip=field)
            selects.append(f"SELECT '{field}' dim, {column}::VARCHAR v, count(*) n FROM events WHERE {w} GROUP BY ALL")  # noqa: S608
            params += p
        out: dict[str, dict[str, int]] = {field: {} for field in CHOICES}
        for dim, value, n in run(" UNION ALL ".join(selects), params, lambda c: c.fetchall()):
            out[dim][str(value)] = int(n)
        return out

    return {"filter": filter_count, "grid": grid, "timeline": timeline, "table": table_slice, "sidebar": sidebar}


def polars_paths(frame) -> dict[str, Callable]:
    import polars as pl

    size = app_cell_degrees(GRID_ZOOM)

    def expr(spec, skip=None):
        e = pl.lit(True)
        for field, column in CHOICES.items():
            if spec.get(field) and field != skip:
                e = e & pl.col(column).is_in(spec[field])
        if spec.get("date_from"):
            e = e & (pl.col("date_end") >= pl.lit(dt.datetime.combine(spec["date_from"], dt.time())))
        if spec.get("date_to"):
            e = e & (pl.col("date") <= pl.lit(dt.datetime.combine(spec["date_to"], dt.time())))
        return e

    def filter_count(spec):
        return int(frame.lazy().filter(expr(spec)).select(pl.len()).collect().item())

    def grid(spec):
        long = (frame.lazy().filter(expr(spec) & pl.col("map_lat").is_not_null() & pl.col("map_lon").is_not_null())
                .group_by((pl.col("map_lon") / size).floor().cast(pl.Int64).alias("cell_x"),
                          (pl.col("map_lat") / size).floor().cast(pl.Int64).alias("cell_y"),
                          pl.col("actor_slug").cast(pl.String).alias("actor"))
                .agg(pl.len().alias("n"), pl.col("map_lat").sum().alias("sum_lat"),
                     pl.col("map_lon").sum().alias("sum_lon")).collect())
        return _cells_frame(long.to_pandas())

    def timeline(spec):
        return (frame.lazy().filter(expr(spec))
                .group_by(pl.col("actor").cast(pl.String), pl.col("date").dt.truncate("1mo").alias("month"))
                .agg(pl.len().alias("events")).collect().to_pandas())

    def table_slice(spec):
        return (frame.lazy().filter(expr(spec)).sort(["date", "id"], descending=True).head(TABLE_ROWS)
                .collect())

    def sidebar(spec):
        queries = [frame.lazy().filter(expr(spec, skip=field)).group_by(pl.col(column).cast(pl.String).alias("v"))
                   .agg(pl.len().alias("n")) for field, column in CHOICES.items()]
        return {field: {str(v): int(n) for v, n in result.iter_rows()}
                for field, result in zip(CHOICES, pl.collect_all(queries))}

    return {"filter": filter_count, "grid": grid, "timeline": timeline, "table": table_slice, "sidebar": sidebar}


def engine_paths(engine: str, form) -> dict[str, Callable]:
    if engine.startswith("pandas"):
        return pandas_paths(form)
    return {"pyarrow": arrow_paths, "duckdb": duckdb_paths, "polars": polars_paths}[engine](form)


# === answers, normalised so that engines can be compared ==================================================

def signature(path: str, result):
    """A plain, engine-independent form of a path's answer."""
    if path == "filter":
        return int(result)
    if path == "sidebar":
        return {dim: sorted((str(v), int(n)) for v, n in counts.items() if n) for dim, counts in result.items()}
    if path == "grid":
        return sorted((int(x), int(y), int(n), float(lat), float(lon), sorted((str(a), int(k)) for a, k in act.items()))
                      for x, y, n, lat, lon, act in zip(result["cell_x"], result["cell_y"], result["count"],
                                                        result["lat"], result["lon"], result["actors"]))
    if path == "timeline":
        months = pd.to_datetime(pd.Series(result["month"] if "month" in result else result["date"]))
        return sorted((str(a), m.strftime("%Y-%m"), int(n)) for a, m, n in
                      zip(result["actor"].astype(str), months, result["events"]))
    if path == "table":
        if isinstance(result, pd.DataFrame):
            ids, width = [str(i) for i in result["id"]], result.shape[1]
        elif isinstance(result, pa.Table):
            ids, width = [str(i) for i in result["id"].to_pylist()], result.num_columns
        else:
            ids, width = [str(i) for i in result["id"].to_list()], result.width
        return {"ids": ids, "columns": width}
    raise ValueError(path)


def differences(reference, other, where: str = "") -> list[str]:
    """Where two signatures differ (floats compared to 1e-9 relative)."""
    if isinstance(reference, float) or isinstance(other, float):
        ok = isinstance(reference, (int, float)) and isinstance(other, (int, float)) and math.isclose(
            reference, other, rel_tol=1e-9, abs_tol=1e-9)
        return [] if ok else [f"{where}: {reference!r} != {other!r}"]
    if isinstance(reference, dict) and isinstance(other, dict):
        if set(reference) != set(other):
            return [f"{where}: keys {sorted(reference)} != {sorted(other)}"]
        return [d for k in reference for d in differences(reference[k], other[k], f"{where}.{k}")]
    if isinstance(reference, (list, tuple)) and isinstance(other, (list, tuple)):
        if len(reference) != len(other):
            return [f"{where}: {len(reference)} items != {len(other)}"]
        found: list[str] = []
        for i, (a, b) in enumerate(zip(reference, other)):
            found += differences(a, b, f"{where}[{i}]")
            if len(found) > 5:
                break
        return found
    return [] if reference == other else [f"{where}: {reference!r} != {other!r}"]


# === the child: one engine, one fresh process ==============================================================

def child(engine: str, directory: Path, key: str, repeats: int, paths: tuple[str, ...]) -> dict:
    out: dict = {"engine": engine, "loadavg_start": os.getloadavg()}
    if engine == "duckdb":
        import duckdb  # noqa: F401
    elif engine == "polars":
        import polars  # noqa: F401
    if engine == "pandas-object":
        import basewatch.loading.cache  # noqa: F401  (the app's loader and what it imports)
    gc.collect()
    out["rss_imports_mb"] = proc_status()["VmRSS"]
    start = time.perf_counter()
    form = load_form(engine, directory, key)
    out["load_s"] = time.perf_counter() - start
    gc.collect()
    out["memory"] = proc_status()
    out["nbytes_mb"] = frame_nbytes(form) / 1e6
    out["arrow_allocated_mb"] = pa.total_allocated_bytes() / 1e6  # held by Arrow's memory pool now
    pa.default_memory_pool().release_unused()  # what the pool keeps after a Parquet read, given back
    out["memory_released"] = proc_status()
    if engine == "duckdb":
        out["parquet_mb"] = (forms_dir(directory, key) / "events.parquet").stat().st_size / 1e6
    if engine == "pandas-object" and key != STREAM_KEY:
        start = time.perf_counter()
        app_cache_key(directory)
        out["key_s"] = time.perf_counter() - start
    funcs = engine_paths(engine, form)
    out["runs"] = {}
    for path in paths:
        for spec_name, spec in SPECS.items():
            before = settle()
            peak_known = reset_peak()
            try:
                result = funcs[path](spec)  # warm-up, and the answer checked
                times = []
                for _ in range(repeats):
                    start = time.perf_counter()
                    funcs[path](spec)
                    times.append(time.perf_counter() - start)
            except MemoryError:
                result = None
                out["runs"][f"{path}/{spec_name}"] = {"error": "MemoryError", "median_ms": math.nan,
                                                      "peak_extra_mb": proc_status()["VmHWM"] - before}
                gc.collect()
                continue
            times = times or [math.nan]
            out["runs"][f"{path}/{spec_name}"] = {
                "median_ms": statistics.median(times) * 1000, "min_ms": min(times) * 1000,
                # how far RSS rose above what it was before this path ran (transient copies, caches)
                "peak_extra_mb": proc_status()["VmHWM"] - before if peak_known else None,
                "answer": signature(path, result)}
            del result
    gc.collect()
    out["memory_after_runs"] = proc_status()
    out["loadavg_end"] = os.getloadavg()
    return out


def run_child(engine: str, directory: Path, key: str, repeats: int, paths: tuple[str, ...],
              cap_gb: float | None = None) -> dict:
    """Run one engine in a fresh interpreter; `cap_gb` caps its address space (a failed load is a finding)."""
    cmd = [sys.executable, "-m", "tools.engines", "--child", engine, str(directory), "--key", key,
           "--repeats", str(repeats), "--paths", ",".join(paths)]

    def limit():
        if cap_gb:
            import resource

            resource.setrlimit(resource.RLIMIT_AS, (int(cap_gb * 2**30), int(cap_gb * 2**30)))

    done = subprocess.run(cmd, capture_output=True, text=True, check=False, preexec_fn=limit,  # noqa: PLW1509
                          cwd=Path(__file__).resolve().parent.parent)
    if done.returncode != 0:
        return {"engine": engine, "error": (done.stderr or done.stdout).strip().splitlines()[-5:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare(directory: Path, repeats: int = 5, engines: tuple[str, ...] = ENGINES,
            paths: tuple[str, ...] = PATHS, stream: bool = False, cap_gb: float | None = None,
            cold_runs: int = 3) -> dict:
    """Every engine in its own process on the events of `directory`; fails loudly if answers differ.

    `stream`: the forms tools.synth_stream wrote (no app cache; the first engine that runs is the reference).
    """
    directory = Path(directory)
    out: dict = {"directory": str(directory), "cores": os.cpu_count(), "repeats": repeats,
                 "loadavg_start": os.getloadavg(), "engines": {}}
    if stream:
        key = STREAM_KEY
        info = json.loads((forms_dir(directory, key) / "forms.json").read_text())
        out["prepare"] = {**info, "events": pq.ParquetFile(forms_dir(directory, key) / "events.parquet").metadata.num_rows}
    else:
        out["prepare"] = prepare(directory)
        key = app_cache_key(directory)
    reference: dict = {}
    for engine in engines:
        result = run_child(engine, directory, key, repeats, paths, cap_gb)
        loads = [result.get("load_s")] + [run_child(engine, directory, key, 0, (), cap_gb).get("load_s")
                                           for _ in range(max(0, cold_runs - 1))]
        result["load_runs_s"] = [x for x in loads if x is not None]
        out["engines"][engine] = result
        print(f"{directory.name} {engine}: " + ("error " + " | ".join(result["error"]) if "error" in result else
              f"load {result['load_s']:.2f} s, RSS {result['memory']['VmRSS']:.0f} MB, "
              f"load avg {result['loadavg_end'][0]:.1f}"), file=sys.stderr, flush=True)
        if "error" in result:
            continue
        # Each run is checked against the first engine that answered it (an engine that ran out of memory
        # on some runs leaves those to the next one).
        for run, r in result["runs"].items():
            if "answer" not in r:
                continue
            if run not in reference:
                reference[run] = (engine, r["answer"])
                continue
            found = differences(reference[run][1], r["answer"], run)
            if found:
                raise SystemExit(f"{engine} disagrees with {reference[run][0]} on {directory}:\n"
                                 + "\n".join(found[:10]))
    out["loadavg_end"] = os.getloadavg()
    out["checked_against"] = ", ".join(sorted({f"{e} ({sum(1 for r in reference.values() if r[0] == e)} runs)"
                                               for e, _ in reference.values()}))
    return out


# === the audit: the app's per-run functions on object vs Arrow-backed pandas ==============================

CONVERSION_MIN = 10_000


@contextlib.contextmanager
def object_conversions(record: list):
    """Record where an Arrow-backed or categorical column of CONVERSION_MIN+ values becomes Python objects."""
    from pandas.arrays import ArrowExtensionArray

    targets = [(ArrowExtensionArray, "__array__"), (ArrowExtensionArray, "to_numpy"),
               (ArrowExtensionArray, "__iter__"), (ArrowExtensionArray, "tolist"),
               (pd.Categorical, "__array__"), (pd.Categorical, "__iter__"), (pd.Categorical, "tolist")]
    saved = [(cls, name, cls.__dict__.get(name)) for cls, name in targets]
    depth = [0]  # only the outermost conversion is recorded (to_numpy calls __array__, and so on)

    def wrap(cls, name, original):
        def wrapper(self, *args, **kwargs):
            depth[0] += 1
            try:
                result = original(self, *args, **kwargs)
            finally:
                depth[0] -= 1
            if depth[0] == 0 and len(self) >= CONVERSION_MIN:
                is_object = name in ("__iter__", "tolist") or np.dtype(getattr(result, "dtype", "f8")) == np.dtype(object)
                if is_object:
                    record.append((f"{cls.__name__}.{name}", len(self), _app_frame()))
            return result
        return wrapper

    for cls, name, original in saved:
        if original is not None:
            setattr(cls, name, wrap(cls, name, original))
    try:
        yield record
    finally:
        for cls, name, original in saved:
            if original is not None:
                setattr(cls, name, original)


def _app_frame() -> str:
    for frame in reversed(traceback.extract_stack()[:-2]):
        if "basewatch" in frame.filename.replace("\\", "/").split("/"):
            return f"{Path(frame.filename).name}:{frame.lineno} {frame.name}: {(frame.line or '').strip()[:90]}"
    for frame in reversed(traceback.extract_stack()[:-2]):
        if frame.filename.endswith("tools/engines.py"):
            return f"engines.py:{frame.lineno} {frame.name}: {(frame.line or '').strip()[:90]}"
    return "?"


def _same(a, b) -> bool:
    """Whether two app results hold the same values (dtypes aside)."""
    try:
        if isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame):
            if a.shape != b.shape or list(a.columns) != list(b.columns):
                return False
            return all(_same_values(a[c].tolist(), b[c].tolist()) for c in a.columns)
        if isinstance(a, pd.Series) and isinstance(b, pd.Series):
            return _same_values(a.tolist(), b.tolist())
        if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
            return a.shape == b.shape and bool((a == b).all())
        return _same_values(a, b)
    except Exception:  # noqa: BLE001 - a comparison that cannot be made counts as different
        return False


def _same_values(a, b) -> bool:
    def norm(v):
        if isinstance(v, dict):
            return {str(k): norm(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [norm(x) for x in v]
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
            return None
        if isinstance(v, (np.generic,)):
            return v.item()
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return norm(dataclasses.asdict(v))
        return v
    return norm(a) == norm(b)


def audit(directory: Path, repeats: int = 3) -> dict:
    directory = Path(directory)
    prepare(directory)
    key = app_cache_key(directory)
    dataset = app_read_cached(directory, key)
    columns = list(dataset.events.columns)
    forms = {"object": dataset.events, "arrow": load_form("pandas-arrow", directory, key)[columns],
             "arrow-strings": _one_chunk(_undictionary(pq.read_table(forms_dir(directory, key) / "events.parquet"))).to_pandas(
                 types_mapper=_string_pyarrow)[columns]}
    out: dict = {"directory": str(directory), "events": len(dataset.events), "loadavg_start": os.getloadavg(),
                 "functions": {}}
    filtered = {name: app_apply_filters(frame, SPECS["typical"]) for name, frame in forms.items()}
    object_answers: dict = {}
    for label, func in app_per_run_functions().items():
        entry: dict = {}
        results = {}
        for name, frame in forms.items():
            try:
                before = settle()
                if reset_peak():
                    results[name] = func(frame, filtered[name], dataset)
                    entry[f"{name}_peak_mb"] = proc_status()["VmHWM"] - before
                else:
                    results[name] = func(frame, filtered[name], dataset)
                times = []
                for _ in range(repeats):
                    start = time.perf_counter()
                    func(frame, filtered[name], dataset)
                    times.append(time.perf_counter() - start)
                entry[f"{name}_ms"] = statistics.median(times) * 1000
            except Exception as exc:  # noqa: BLE001 - the audit reports what breaks
                entry[f"{name}_error"] = f"{type(exc).__name__}: {str(exc)[:160]} @ {_raising_frame(exc)}"
        for name in forms:
            if name != "object" and "object" in results and name in results:
                entry[f"{name}_same"] = _same(results["object"], results[name])
        if "object" in results:
            object_answers[label] = results["object"]
        if label in PROPOSED and PROPOSED[label] in object_answers and "object" in results:
            entry["same_as_app"] = _same(object_answers[PROPOSED[label]], results["object"])
            if not entry["same_as_app"]:
                raise SystemExit(f"{label} does not give the answer of {PROPOSED[label]}")
        conversions = set()
        for name in forms:
            if name != "object" and name in results:
                record: list = []
                with object_conversions(record):
                    func(forms[name], filtered[name], dataset)
                conversions |= {f"{where} [{what}, {n:,} values]" for what, n, where in record}
        entry["object_conversions"] = sorted(conversions)
        out["functions"][label] = entry
        print(f"audit {label}: " + ", ".join(f"{k} {v:.0f}" if isinstance(v, float) else f"{k} {v}"
                                            for k, v in entry.items() if k != "object_conversions"),
              file=sys.stderr, flush=True)
    out["loadavg_end"] = os.getloadavg()
    return out


def _raising_frame(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    for frame in reversed(frames):
        if "basewatch" in frame.filename.replace("\\", "/").split("/"):
            return f"{Path(frame.filename).name}:{frame.lineno} {frame.name}"
    return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"


# === reports ==============================================================================================

def markdown(results: list[dict]) -> str:
    """Tables: memory and load per engine, then each path's median per filter."""
    lines = []
    for out in results:
        prep = out["prepare"]
        ref = out["engines"].get("pandas-object", {})
        lines += [f"### {prep['events']:,} events ({out['directory']})", "",
                  f"{out['cores']} cores; load average {out['loadavg_start'][0]:.1f} at the start, "
                  f"{out['loadavg_end'][0]:.1f} at the end; median of {out['repeats']} runs after one warm-up; "
                  f"answers checked against {out['checked_against']}. Cache key check (SHA-256 of the data "
                  f"files, every engine pays it): "
                  + (f"{ref['key_s']:.2f} s" if "key_s" in ref else "none (no app cache: forms from tools.synth_stream)")
                  + ". One-off per data version: "
                  f"Parquet {prep.get('events_parquet_mb', 0):.0f} MB written in {prep.get('parquet_write_s', 0):.1f} s, "
                  f"Arrow IPC {prep.get('events_arrow_mb', 0):.0f} MB in {prep.get('ipc_write_s', 0):.1f} s.", "",
                  "| engine | RSS after load, MB (anon + file) | same, Arrow pool released | RSS of the imports "
                  "| table size, MB | cold load, s (median; range) | load avg | "
                  + " | ".join(f"{p}, typical ms" for p in PATHS) + " | worst path peak over RSS, MB |",
                  "|---|---|---|---|---|---|---|" + "---|" * len(PATHS) + "---|"]
        for engine, e in out["engines"].items():
            if "error" in e:
                lines.append(f"| {engine} | failed: {' '.join(e['error'])[:200]} |" + " |" * (7 + len(PATHS)))
                continue
            mem, released = e["memory"], e.get("memory_released", e["memory"])
            size = f"{e['nbytes_mb']:.0f}" if engine != "duckdb" else f"0 (Parquet on disk {e['parquet_mb']:.0f})"
            cells = [_ms(e["runs"].get(f"{p}/typical")) for p in PATHS]
            peaks = [(r.get("peak_extra_mb") or 0, name) for name, r in e["runs"].items()]
            worst = max(peaks) if peaks else (0, "")
            loads = e.get("load_runs_s") or [e["load_s"]]
            lines.append(f"| {engine} | {mem['VmRSS']:.0f} ({mem.get('RssAnon', 0):.0f} + {mem.get('RssFile', 0):.0f}) "
                         f"| {released['VmRSS']:.0f} | {e['rss_imports_mb']:.0f} | {size} "
                         f"| {statistics.median(loads):.2f} ({min(loads):.2f}–{max(loads):.2f}) "
                         f"| {e['loadavg_start'][0]:.1f}–{e['loadavg_end'][0]:.1f} | " + " | ".join(cells)
                         + f" | {worst[0]:.0f} ({worst[1]}) |")
        lines += ["", "Every path and filter (ms, median; no filter / typical link / every dimension):", "",
                  "| engine | " + " | ".join(PATHS) + " |", "|---|" + "---|" * len(PATHS)]
        for engine, e in out["engines"].items():
            if "error" in e:
                continue
            cells = [" / ".join(_ms(e["runs"].get(f"{p}/{s}")) for s in SPECS) for p in PATHS]
            lines.append(f"| {engine} | " + " | ".join(cells) + " |")
        lines += ["", "Peak RSS above the RSS before the path ran (MB; no filter / typical link / every dimension):", "",
                  "| engine | " + " | ".join(PATHS) + " |", "|---|" + "---|" * len(PATHS)]
        for engine, e in out["engines"].items():
            if "error" in e:
                continue
            cells = [" / ".join(f"{e['runs'][f'{p}/{s}'].get('peak_extra_mb') or 0:.0f}" for s in SPECS)
                     if f"{p}/none" in e["runs"] else "" for p in PATHS]
            lines.append(f"| {engine} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def _ms(run: dict | None) -> str:
    if run is None:
        return ""
    return run["error"] if "error" in run else f"{run['median_ms']:.0f}"


def audit_markdown(out: dict) -> str:
    lines = [f"### The app's per-run pandas functions, object vs Arrow-backed dtypes: {out['events']:,} events", "",
             f"load average {out['loadavg_start'][0]:.1f} → {out['loadavg_end'][0]:.1f}", "",
             "Forms: *object* (the app's), *arrow* (`string[pyarrow]` + categoricals for the vocabulary columns), "
             "*arrow-strings* (`string[pyarrow]`, no categoricals). ms = median; +MB = how far RSS rose above what "
             "it was before the first call (its transient copies); answers that differ from object's are marked.", "",
             "| function | object ms | arrow ms (same) | arrow-strings ms (same) "
             "| where Arrow/categorical values became Python objects |",
             "|---|---|---|---|---|"]

    def cell(e, name):
        if f"{name}_error" in e:
            return "**fails**: " + e[f"{name}_error"]
        same = "" if e.get(f"{name}_same", True) else " (**differs**)"
        peak = f", +{e[f'{name}_peak_mb']:.0f} MB" if f"{name}_peak_mb" in e else ""
        return f"{e.get(f'{name}_ms', float('nan')):.0f}{same}{peak}"

    for label, e in out["functions"].items():
        conversions = "<br>".join(e["object_conversions"]) or "none"
        lines.append(f"| {label} | {cell(e, 'object')} | {cell(e, 'arrow')} | {cell(e, 'arrow-strings')} "
                     f"| {conversions} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Entry point for `python -m tools.engines DATA_DIR ...`."""
    parser = argparse.ArgumentParser(prog="python -m tools.engines", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directories", type=Path, nargs="+")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--engines", default=",".join(ENGINES))
    parser.add_argument("--paths", default=",".join(PATHS))
    parser.add_argument("--audit", action="store_true", help="the app's per-run functions, object vs Arrow")
    parser.add_argument("--out", type=Path, default=None, help="also write JSON here")
    parser.add_argument("--md", type=Path, default=None, help="also write the markdown here")
    parser.add_argument("--stream", action="store_true", help="read the forms tools.synth_stream --forms wrote")
    parser.add_argument("--memory-cap-gb", type=float, default=None,
                        help="cap each engine's address space (RLIMIT_AS), so an engine that does not fit fails alone")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh processes per engine timing the load")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--key", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    paths = tuple(p for p in args.paths.split(",") if p)
    if args.child:
        print(json.dumps(child(args.child, args.directories[0], args.key, args.repeats, paths), default=str))
        return 0
    if args.audit:
        results = [audit(d, args.repeats) for d in args.directories]
        text = "\n".join(audit_markdown(r) for r in results)
    else:
        engines = tuple(e for e in args.engines.split(",") if e)
        unknown = set(engines) - set(ENGINES)
        if unknown:
            parser.error(f"unknown engine(s): {', '.join(sorted(unknown))}; choose from {', '.join(ENGINES)}")
        results = [compare(d, args.repeats, engines, paths, args.stream, args.memory_cap_gb,
                           args.cold_runs) for d in args.directories]
        text = markdown(results)
    print(text)
    if args.md:
        args.md.parent.mkdir(parents=True, exist_ok=True)
        args.md.write_text(text, encoding="utf-8")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
