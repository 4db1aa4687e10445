"""Filtering + aggregation engines compared on the same events: pandas (the app's), pyarrow.compute, DuckDB, Polars.

    python -m tools.engines DATA_DIR [--repeats 5]

The events come from the app's own loader (through the validated cache). Each engine gets the columns the
map and charts need in its native form (the conversion is timed apart: it happens once per data version),
then answers, median of `repeats` runs:

* filter: the typical link `actor=russia&from=2020-01-01` (period overlap on date_end);
* filter, every dimension: actors, types, statuses, countries, from and to at once;
* grid: located filtered events counted per 1° cell and actor (the map's aggregate at zoom ~5);
* timeline: filtered events counted per month and actor (the timeline's aggregate).

DuckDB and Polars are optional: an engine whose package is missing is reported as such. All engines
must return the same counts; the run fails loudly if they differ.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

COLUMNS = ("actor_slug", "type_slug", "status_slug", "country_slug", "date", "date_end", "map_lat", "map_lon")
TYPICAL = {"actors": ["russia"], "date_from": dt.date(2020, 1, 1)}
EVERYTHING = {"actors": ["russia", "wagner-group", "africa-corps"],
              "types": ["deployment", "withdrawal", "redeployment", "observation"],
              "statuses": ["confirmed", "reported"], "countries": ["sy", "ly"],
              "date_from": dt.date(2015, 9, 30), "date_to": dt.date(2025, 12, 31)}
CELL_DEG = 1.0


def _median_time(fn, repeats: int):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


# --- pandas: the app's own code --------------------------------------------------------------

def pandas_engine(events: pd.DataFrame):
    from basewatch.state.filters import Filters, filter_mask

    def to_filters(spec):
        return Filters(**{k: frozenset(v) if isinstance(v, list) else v for k, v in spec.items()})

    def count(spec):
        return int(filter_mask(events, to_filters(spec)).sum())

    def grid(spec):
        rows = events[filter_mask(events, to_filters(spec))]
        rows = rows[rows["map_lat"].notna()]
        cells = pd.DataFrame({"x": np.floor(rows["map_lon"].to_numpy() / CELL_DEG).astype("int32"),
                              "y": np.floor(rows["map_lat"].to_numpy() / CELL_DEG).astype("int32"),
                              "actor": rows["actor_slug"].to_numpy()})
        return cells.groupby(["x", "y", "actor"], sort=False).size()

    def timeline(spec):
        rows = events[filter_mask(events, to_filters(spec))]
        month = rows["date"].dt.to_period("M")
        return rows.groupby([month, rows["actor_slug"]], sort=False).size()

    return count, grid, timeline


# --- pyarrow.compute -------------------------------------------------------------------------

def arrow_engine(table: pa.Table):
    def mask(spec):
        m = None
        for key, column in (("actors", "actor_slug"), ("types", "type_slug"), ("statuses", "status_slug"),
                            ("countries", "country_slug")):
            if spec.get(key):
                part = pc.is_in(table[column], value_set=pa.array(spec[key]))
                m = part if m is None else pc.and_(m, part)
        if spec.get("date_from"):
            part = pc.greater_equal(table["date_end"], pa.scalar(pd.Timestamp(spec["date_from"]), table["date_end"].type))
            m = part if m is None else pc.and_(m, part)
        if spec.get("date_to"):
            part = pc.less_equal(table["date"], pa.scalar(pd.Timestamp(spec["date_to"]), table["date"].type))
            m = part if m is None else pc.and_(m, part)
        if m is None:
            return pa.array(np.ones(table.num_rows, dtype=bool))
        return pc.fill_null(m, False)

    def count(spec):
        return int(pc.sum(pc.cast(mask(spec), pa.int64())).as_py() or 0)

    def grid(spec):
        rows = table.filter(pc.and_(mask(spec), pc.is_valid(table["map_lat"])))
        x = pc.cast(pc.floor(pc.divide(rows["map_lon"], CELL_DEG)), pa.int32())
        y = pc.cast(pc.floor(pc.divide(rows["map_lat"], CELL_DEG)), pa.int32())
        cells = pa.table({"x": x, "y": y, "actor": rows["actor_slug"]})
        return cells.group_by(["x", "y", "actor"]).aggregate([([], "count_all")])

    def timeline(spec):
        rows = table.filter(mask(spec))
        month = pc.floor_temporal(rows["date"], unit="month")
        return pa.table({"m": month, "actor": rows["actor_slug"]}).group_by(["m", "actor"]).aggregate(
            [([], "count_all")])

    return count, grid, timeline


# --- DuckDB ------------------------------------------------------------------------------------

def _where(spec, quote) -> str:
    parts = []
    for key, column in (("actors", "actor_slug"), ("types", "type_slug"), ("statuses", "status_slug"),
                        ("countries", "country_slug")):
        if spec.get(key):
            parts.append(f"{column} IN ({', '.join(quote(v) for v in spec[key])})")
    if spec.get("date_from"):
        parts.append(f"date_end >= TIMESTAMP '{spec['date_from']}'")
    if spec.get("date_to"):
        parts.append(f"date <= TIMESTAMP '{spec['date_to']}'")
    return " AND ".join(parts) or "TRUE"


def duckdb_engine(table: pa.Table):
    import duckdb

    con = duckdb.connect()
    con.execute("PRAGMA threads=2")
    con.register("events", table)

    def quote(v):
        return "'" + str(v).replace("'", "''") + "'"

    def count(spec):
        return int(con.sql(f"SELECT count(*) FROM events WHERE {_where(spec, quote)}").fetchall()[0][0])  # noqa: S608 - fixed vocabularies

    def grid(spec):
        return con.sql(
            f"SELECT floor(map_lon / {CELL_DEG})::INT x, floor(map_lat / {CELL_DEG})::INT y, actor_slug, count(*) n "  # noqa: S608
            f"FROM events WHERE {_where(spec, quote)} AND map_lat IS NOT NULL GROUP BY ALL").to_arrow_table()

    def timeline(spec):
        return con.sql(
            f"SELECT date_trunc('month', date) m, actor_slug, count(*) n FROM events "  # noqa: S608
            f"WHERE {_where(spec, quote)} GROUP BY ALL").to_arrow_table()

    return count, grid, timeline


# --- Polars ------------------------------------------------------------------------------------

def polars_engine(table: pa.Table):
    import polars as pl

    frame = pl.from_arrow(table)

    def expr(spec):
        e = pl.lit(True)
        for key, column in (("actors", "actor_slug"), ("types", "type_slug"), ("statuses", "status_slug"),
                            ("countries", "country_slug")):
            if spec.get(key):
                e = e & pl.col(column).is_in(spec[key])
        if spec.get("date_from"):
            e = e & (pl.col("date_end") >= pl.lit(dt.datetime.combine(spec["date_from"], dt.time())))
        if spec.get("date_to"):
            e = e & (pl.col("date") <= pl.lit(dt.datetime.combine(spec["date_to"], dt.time())))
        return e

    def count(spec):
        return int(frame.select(expr(spec).sum()).item())

    def grid(spec):
        return (frame.filter(expr(spec) & pl.col("map_lat").is_not_null())
                .group_by((pl.col("map_lon") / CELL_DEG).floor().cast(pl.Int32).alias("x"),
                          (pl.col("map_lat") / CELL_DEG).floor().cast(pl.Int32).alias("y"), "actor_slug")
                .len())

    def timeline(spec):
        return frame.filter(expr(spec)).group_by(pl.col("date").dt.truncate("1mo"), "actor_slug").len()

    return count, grid, timeline


def _total(result) -> int:
    """Sum of the counts an aggregate holds, whatever the engine's result type."""
    if isinstance(result, pd.Series):
        return int(result.sum())
    if isinstance(result, pa.Table):
        return int(pc.sum(result.column(result.num_columns - 1)).as_py() or 0)
    return int(result.to_arrow().column(result.width - 1).to_numpy().sum())


def _groups(result) -> int:
    return len(result) if not isinstance(result, pa.Table) else result.num_rows


def compare(directory: Path, repeats: int = 5) -> dict:
    """Run every available engine on the events of `directory`; returns timings and checks equality."""
    from basewatch.loading.cache import load_dataset_cached

    start = time.perf_counter()
    dataset = load_dataset_cached(directory)
    events = dataset.events[list(COLUMNS)]
    out: dict = {"events": len(events), "load_s": time.perf_counter() - start, "cores": os.cpu_count(),
                 "engines": {}}
    start = time.perf_counter()
    table = pa.Table.from_pandas(events, preserve_index=False)
    to_arrow = time.perf_counter() - start
    makers = {"pandas (app)": (lambda: pandas_engine(events), 0.0),
              "pyarrow.compute": (lambda: arrow_engine(table), to_arrow),
              "DuckDB": (lambda: duckdb_engine(table), to_arrow),
              "Polars": (lambda: polars_engine(table), to_arrow)}
    reference = None
    for name, (make, convert_s) in makers.items():
        try:
            start = time.perf_counter()
            count, grid, timeline = make()
            setup = convert_s + time.perf_counter() - start
        except ImportError as exc:
            out["engines"][name] = {"missing": str(exc)}
            continue
        entry = {"setup_s": setup}
        results = {}
        for label, func, spec in (("filter_typical", count, TYPICAL), ("filter_all", count, EVERYTHING),
                                  ("grid_typical", grid, TYPICAL), ("timeline_typical", timeline, TYPICAL),
                                  ("grid_all_events", grid, {}), ("timeline_all_events", timeline, {})):
            fn = functools.partial(func, spec)
            fn()  # warm-up (first-call compilation, caches)
            seconds, result = _median_time(fn, repeats)
            entry[label + "_s"] = seconds
            results[label] = result if isinstance(result, int) else (_total(result), _groups(result))
        entry["results"] = results
        if reference is None:
            reference = results
        elif results != reference:
            raise SystemExit(f"{name} disagrees with pandas: {results} vs {reference}")
        out["engines"][name] = entry
    return out


def markdown(out: dict) -> str:
    """The comparison as a markdown table (milliseconds)."""
    lines = [f"{out['events']:,} events, {out['cores']} cores; milliseconds, median of the runs after one warm-up",
             "", "| engine | filter: typical link | filter: every dimension | map grid (1°, actor) | "
             "timeline (month, actor) | grid, no filter | timeline, no filter | one-off setup |",
             "|---|---|---|---|---|---|---|---|"]
    for name, e in out["engines"].items():
        if "missing" in e:
            lines.append(f"| {name} | not installed | | | | | | |")
            continue
        cells = [f"{e[k] * 1000:.0f}" for k in ("filter_typical_s", "filter_all_s", "grid_typical_s",
                                                "timeline_typical_s", "grid_all_events_s", "timeline_all_events_s",
                                                "setup_s")]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point for `python -m tools.engines DATA_DIR`."""
    parser = argparse.ArgumentParser(prog="python -m tools.engines", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=None, help="also write JSON here")
    args = parser.parse_args(argv)
    out = compare(args.directory, args.repeats)
    print(markdown(out))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(out, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
