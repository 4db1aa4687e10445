"""Synthetic events at any size, written in chunks so that no more than one chunk is ever held in memory.

    python -m tools.synth_stream 10000000 /tmp/bw-10m [--chunk 250000] [--seed 0] [--forms]

`tools.synth` builds the whole table in pandas before writing it (2.6 GB RSS at 1,000,000 events, so
about 25 GB at 10,000,000: more than this machine has). This writes the same kind of rows (resampled from
the bundled data, re-identified, coordinates and dates jittered the same way, see tools/synth.py) chunk by
chunk, each chunk with its own random stream, into one events.csv plus a copy of the other data files.

With `--forms`, every chunk is also validated by the app's own loader (its rules, its derived columns:
slugs, period ends, map positions, source weights) in a scratch folder, and appended to the engines'
Parquet file; the Arrow IPC file and the DuckDB view are then made from the Parquet file, also without
holding the table (`tools.engines` reads them with `--key stream`). Checks that span chunks (duplicate ids)
hold by construction: ids are numbered across chunks. Rows are date-ordered within a chunk only.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from tools import engines


def _contract() -> dict:
    """File names and columns from the app (through the engines' adapter), and tools.synth's helpers."""
    from tools import synth

    return {**engines.app_contract(), "source": synth.default_source(), "synth": synth}


def chunk_rows(src: pd.DataFrame, sites: dict, rng: np.random.Generator, first_id: int, n: int, width: int,
               today: np.datetime64, synth) -> pd.DataFrame:
    """`n` synthetic rows numbered from `first_id`, transformed as tools.synth.make_dataset does."""
    rows = src.iloc[rng.integers(0, len(src), size=n)].reset_index(drop=True)
    rows["id"] = [f"syn-{i:0{width}d}" for i in range(first_id, first_id + n)]
    has_point = (rows["lat"].str.strip() != "") & (rows["lon"].str.strip() != "")
    lat = pd.to_numeric(rows["lat"].where(has_point), errors="coerce").to_numpy(dtype="float64")
    lon = pd.to_numeric(rows["lon"].where(has_point), errors="coerce").to_numpy(dtype="float64")
    lat = np.where(has_point, lat + rng.normal(0, synth.POINT_SPREAD_DEG, n), np.nan)
    lon = np.where(has_point, lon + rng.normal(0, synth.POINT_SPREAD_DEG, n), np.nan)
    site_lat = rows["site_id"].map({k: v[0] for k, v in sites.items()}).to_numpy(dtype="float64")
    site_lon = rows["site_id"].map({k: v[1] for k, v in sites.items()}).to_numpy(dtype="float64")
    move = ~has_point.to_numpy() & ~np.isnan(site_lat) & (rng.random(n) < 0.5)
    lat = np.clip(np.where(move, site_lat + rng.normal(0, synth.SITE_SPREAD_DEG, n), lat), -90.0, 90.0)
    lon = np.clip(np.where(move, site_lon + rng.normal(0, synth.SITE_SPREAD_DEG, n), lon), -180.0, 180.0)
    located = ~np.isnan(lat)
    lat_txt = np.full(n, "", dtype=object)
    lon_txt = np.full(n, "", dtype=object)
    lat_txt[located] = synth._fmt_coord(lat[located])
    lon_txt[located] = synth._fmt_coord(lon[located])
    rows["lat"], rows["lon"] = lat_txt, lon_txt
    rows.loc[move, "site_id"] = ""
    dates = pd.to_datetime(rows["date"], format="%Y-%m-%d").to_numpy(dtype="datetime64[D]")
    all_dates = pd.to_datetime(src["date"], format="%Y-%m-%d").to_numpy(dtype="datetime64[D]")
    lo, hi = all_dates.min(), min(all_dates.max(), today)  # the source's range, as synth clips to it
    jitter = np.rint(rng.normal(0, synth.DATE_SPREAD_DAYS, n)).astype("int64").astype("timedelta64[D]")
    dates = np.clip(dates + jitter, lo, hi)
    precision = rows["date_precision"].to_numpy()
    months = dates.astype("datetime64[M]").astype("datetime64[D]")
    years = dates.astype("datetime64[Y]").astype("datetime64[D]")
    rows["date"] = np.datetime_as_string(np.where(precision == "month", months,
                                                  np.where(precision == "year", years, dates)), unit="D")
    return rows


def make_stream(n_events: int, out_dir: Path, chunk: int = 250_000, seed: int = 0, forms: bool = False) -> dict:
    """Write `n_events` events to out_dir/events.csv chunk by chunk; with `forms`, the engines' files too."""
    contract = _contract()
    synth, source, columns = contract["synth"], contract["source"], contract["columns"]
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    src = pd.read_csv(source / contract["events_file"], dtype=str, keep_default_na=False, na_filter=False,
                      encoding="utf-8-sig")
    src = src[src["id"].str.strip() != ""].reset_index(drop=True)
    sites = synth._site_coords(source / contract["sites_file"])
    today = np.datetime64(pd.Timestamp.today().date(), "D")
    width = max(7, len(str(n_events)))
    for name in contract["data_files"]:
        if name != contract["events_file"] and (source / name).exists():
            shutil.copyfile(source / name, out / name)
    report: dict = {"events": n_events, "chunk": chunk, "chunks": []}
    forms_out = engines.forms_dir(out, engines.STREAM_KEY)
    writer = None
    scratch = Path(tempfile.mkdtemp(prefix="bw-stream-"))
    for name in contract["data_files"]:
        if name != contract["events_file"] and (out / name).exists():
            shutil.copyfile(out / name, scratch / name)
    started = time.perf_counter()
    try:
        with open(out / contract["events_file"], "w", encoding="utf-8", newline="") as handle:
            csv_writer = csv.writer(handle, lineterminator="\n")
            csv_writer.writerow(columns)
            for index, first in enumerate(range(1, n_events + 1, chunk)):
                step = time.perf_counter()
                n = min(chunk, n_events - first + 1)
                rows = chunk_rows(src, sites, np.random.default_rng([seed, index]), first, n, width, today, synth)
                body = list(zip(*(rows[c].astype(object).tolist() for c in columns)))
                csv_writer.writerows(body)
                entry = {"rows": n, "generate_s": time.perf_counter() - step}
                if forms:
                    step = time.perf_counter()
                    with open(scratch / contract["events_file"], "w", encoding="utf-8", newline="") as part:
                        part_writer = csv.writer(part, lineterminator="\n")
                        part_writer.writerow(columns)
                        part_writer.writerows(body)
                    table = engines.arrow_events(engines.app_load_dataset_uncached(scratch).events)
                    if writer is None:
                        forms_out.mkdir(parents=True, exist_ok=True)
                        schema = table.schema
                        writer = pq.ParquetWriter(forms_out / "events.parquet", schema, compression="zstd",
                                                  use_dictionary=list(engines.VOCABULARY))
                    writer.write_table(table.cast(schema), row_group_size=engines.ROW_GROUP)
                    entry["validate_s"] = time.perf_counter() - step
                del rows, body
                report["chunks"].append(entry)
                print(f"chunk {index + 1}: {first + n - 1:,} of {n_events:,} events, "
                      f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    finally:
        if writer is not None:
            writer.close()
        shutil.rmtree(scratch, ignore_errors=True)
    report["csv_s"] = time.perf_counter() - started
    report["csv_mb"] = (out / contract["events_file"]).stat().st_size / 1e6
    if forms:
        step = time.perf_counter()
        engines.write_ipc_from_parquet(forms_out)
        report["ipc_mb"] = (forms_out / "events.arrow").stat().st_size / 1e6
        report["ipc_s"] = time.perf_counter() - step
        engines.write_duckdb_view(forms_out)
        report["parquet_mb"] = (forms_out / "events.parquet").stat().st_size / 1e6
        (forms_out / "forms.json").write_text(json.dumps({"events_parquet_mb": report["parquet_mb"],
                                                           "events_arrow_mb": report["ipc_mb"],
                                                           "ipc_write_s": report["ipc_s"]}))
    return report


def main(argv: list[str] | None = None) -> int:
    """Entry point for `python -m tools.synth_stream N OUT_DIR`."""
    parser = argparse.ArgumentParser(prog="python -m tools.synth_stream", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n_events", type=int)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--chunk", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--forms", action="store_true", help="also validate each chunk and write the engines' files")
    args = parser.parse_args(argv)
    report = make_stream(args.n_events, args.out_dir, args.chunk, args.seed, args.forms)
    print(json.dumps({k: v for k, v in report.items() if k != "chunks"}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
