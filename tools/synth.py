"""Synthetic datasets for benchmarks: real rows resampled, re-identified and jittered, still valid.

`make_dataset(100_000, out)` writes out/events.csv and copies bases.geojson (and the optional data files
when the source has them); the result passes `python -m basewatch validate out`. The rows are resampled
from the bundled data/ (never from the test fixtures). Everything is vectorised, so 100,000 rows take
about a second and 1,000,000 rows (about 450 MB of CSV) well under a minute.

    python -m tools.synth 10000 /tmp/bw-10k [--seed 0] [--source data]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from basewatch import config

SITE_SPREAD_DEG = 0.3   # σ of the scatter around a site for events moved off it
POINT_SPREAD_DEG = 0.1  # σ of the jitter of events that already have coordinates
DATE_SPREAD_DAYS = 180  # σ of the date jitter (then clipped to the data's own range)


def default_source() -> Path:
    """The bundled data folder: its rows are the templates every synthetic event is resampled from."""
    return config.BUNDLED_DATA_DIR


def _site_coords(geojson_path: Path) -> dict[str, tuple[float, float]]:
    doc = json.loads(geojson_path.read_text(encoding="utf-8-sig"))
    coords = {}
    for feature in doc.get("features", []):
        try:
            lon, lat = feature["geometry"]["coordinates"][:2]
            coords[feature["properties"]["id"]] = (float(lat), float(lon))
        except (KeyError, TypeError, ValueError):
            continue
    return coords


def _fmt_coord(values: np.ndarray) -> list[str]:
    return [f"{v:.4f}" for v in values]


def make_dataset(n_events: int, out_dir: Path | str, seed: int = 0, source_dir: Path | str | None = None,
                 today: dt.date | None = None) -> Path:
    """Write `n_events` synthetic events (and a copy of the sites) to `out_dir`; return `out_dir`.

    Rows are resampled from the source events. Each gets a new id `syn-0000001`...; rows with lat/lon
    are jittered; of the rows tied to a site, about half stay on it and the other half lose the site
    and get its coordinate plus gaussian scatter (σ≈0.3°). Dates are jittered within the source's own
    date range (never after today) and snapped to their precision (month → day 1, year → 1 January).
    """
    source = Path(source_dir) if source_dir else default_source()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    today = today or dt.date.today()

    src = pd.read_csv(source / config.EVENTS_FILE, dtype=str, keep_default_na=False, na_filter=False,
                      encoding="utf-8-sig")
    src = src[src["id"].str.strip() != ""]
    if src.empty:
        raise ValueError(f"no events to resample in {source}")
    pick = rng.integers(0, len(src), size=n_events)
    rows = src.iloc[pick].reset_index(drop=True)
    n = len(rows)

    rows["id"] = [f"syn-{i:07d}" for i in range(1, n + 1)]

    # --- coordinates -------------------------------------------------------------------------
    sites = _site_coords(source / config.SITES_FILE)
    has_point = (rows["lat"].str.strip() != "") & (rows["lon"].str.strip() != "")
    lat = pd.to_numeric(rows["lat"].where(has_point), errors="coerce").to_numpy(dtype="float64")
    lon = pd.to_numeric(rows["lon"].where(has_point), errors="coerce").to_numpy(dtype="float64")
    lat = np.where(has_point, lat + rng.normal(0, POINT_SPREAD_DEG, n), np.nan)
    lon = np.where(has_point, lon + rng.normal(0, POINT_SPREAD_DEG, n), np.nan)

    site_lat = rows["site_id"].map({k: v[0] for k, v in sites.items()}).to_numpy(dtype="float64")
    site_lon = rows["site_id"].map({k: v[1] for k, v in sites.items()}).to_numpy(dtype="float64")
    on_site = ~has_point.to_numpy() & ~np.isnan(site_lat)
    move = on_site & (rng.random(n) < 0.5)
    lat = np.where(move, site_lat + rng.normal(0, SITE_SPREAD_DEG, n), lat)
    lon = np.where(move, site_lon + rng.normal(0, SITE_SPREAD_DEG, n), lon)
    lat = np.clip(lat, -90.0, 90.0)
    lon = np.clip(lon, -180.0, 180.0)
    located = ~np.isnan(lat)
    lat_txt = np.full(n, "", dtype=object)
    lon_txt = np.full(n, "", dtype=object)
    lat_txt[located] = _fmt_coord(lat[located])
    lon_txt[located] = _fmt_coord(lon[located])
    rows["lat"], rows["lon"] = lat_txt, lon_txt
    rows.loc[move, "site_id"] = ""

    # --- dates -------------------------------------------------------------------------------
    dates = pd.to_datetime(rows["date"], format="%Y-%m-%d").to_numpy(dtype="datetime64[D]")
    lo = dates.min()
    hi = min(dates.max(), np.datetime64(today, "D"))
    jitter = np.rint(rng.normal(0, DATE_SPREAD_DAYS, n)).astype("int64").astype("timedelta64[D]")
    dates = np.clip(dates + jitter, lo, hi)
    precision = rows["date_precision"].to_numpy()
    months = dates.astype("datetime64[M]").astype("datetime64[D]")
    years = dates.astype("datetime64[Y]").astype("datetime64[D]")
    dates = np.where(precision == "month", months, np.where(precision == "year", years, dates))
    rows["date"] = np.datetime_as_string(dates, unit="D")

    # --- write -------------------------------------------------------------------------------
    columns = list(config.EVENT_COLUMNS)
    with open(out / config.EVENTS_FILE, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        # Column lists, not itertuples: iterating Arrow-backed string columns cell by cell is slow.
        writer.writerows(zip(*(rows[c].astype(object).tolist() for c in columns)))
    # The sites and the optional files (publishers, site status) as they are: events only name sites.
    for name in config.DATA_FILES:
        if name != config.EVENTS_FILE and (source / name).exists():
            shutil.copyfile(source / name, out / name)
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point for `python -m tools.synth N OUT_DIR`."""
    parser = argparse.ArgumentParser(prog="python -m tools.synth", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n_events", type=int)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", type=Path, default=None, help="folder to resample (default: bundled data)")
    args = parser.parse_args(argv)
    out = make_dataset(args.n_events, args.out_dir, seed=args.seed, source_dir=args.source)
    print(f"wrote {args.n_events:,} events to {out / config.EVENTS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
