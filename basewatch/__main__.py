"""Command line: `python -m basewatch validate` checks the data files against the contract."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from basewatch import config
from basewatch.loading.dataset import DataError, load_dataset
from basewatch.loading.names import coverage, missing_names


def validate(directory: Path, languages: bool = False) -> int:
    """Print one line per problem and return 1, or a one-line summary and return 0.

    `languages`: also report every site without its name (or the name's source) in Arabic, Russian or
    French, and return 1 when one is missing.
    """
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
          f"data version {dataset.version} ({directory}); site names "
          + ", ".join(f"{lang} {count}/{len(sites)}" for lang, count in coverage(sites).items()))
    if languages:
        gaps = missing_names(sites)
        for problem in gaps:
            print(problem)
        if gaps:
            print(f"{len(gaps)} site name(s) or name source(s) missing in {directory}", file=sys.stderr)
            return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point for `python -m basewatch`."""
    parser = argparse.ArgumentParser(prog="python -m basewatch", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("validate", help="check events.csv and bases.geojson (honours BASEWATCH_DATA_DIR)")
    check.add_argument("directory", nargs="?", type=Path, default=None,
                       help="folder with the two files (default: $BASEWATCH_DATA_DIR or ./data)")
    check.add_argument("--languages", action="store_true",
                       help="also fail on any site without its name (and the name's source) in ar, ru and fr")
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate(args.directory or config.data_dir(), languages=args.languages)
    return 2


if __name__ == "__main__":
    sys.exit(main())
