"""Command line: `python -m basewatch validate` checks the data files against the contract."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from basewatch import config
from basewatch.loading.dataset import DataError, load_dataset


def validate(directory: Path) -> int:
    """Print one line per problem and return 1, or a one-line summary and return 0."""
    try:
        dataset = load_dataset(directory)
    except DataError as exc:
        for line in exc.report():
            print(line)
        print(f"{len(exc.problems)} problem(s) found in {directory}", file=sys.stderr)
        return 1
    events, sites = dataset.events, dataset.sites
    with_personnel = int(events["personnel_low"].notna().sum())
    first = events["date"].min().date().isoformat()
    extras = ""
    if len(dataset.site_status):
        extras += f", {len(dataset.site_status)} site status rows"
    movements = int(events["destination_site_id"].notna().sum()) if "destination_site_id" in events else 0
    if movements:
        extras += f", {movements} movements between sites"
    print(f"OK: {len(events)} events ({first} to {dataset.data_date}), {len(sites)} sites, "
          f"{with_personnel} personnel estimates, {events['actor'].nunique()} actors{extras}; "
          f"data version {dataset.version} ({directory})")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point for `python -m basewatch`."""
    parser = argparse.ArgumentParser(prog="python -m basewatch", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("validate", help="check events.csv and bases.geojson (honours BASEWATCH_DATA_DIR)")
    check.add_argument("directory", nargs="?", type=Path, default=None,
                       help="folder with the two files (default: $BASEWATCH_DATA_DIR or ./data)")
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate(args.directory or config.data_dir())
    return 2


if __name__ == "__main__":
    sys.exit(main())
