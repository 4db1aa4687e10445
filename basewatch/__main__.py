"""Command line: `python -m basewatch validate` checks the data files against the contract;
`python -m basewatch export --out DIR --base-url URL` writes a static copy of the canonical views."""

from __future__ import annotations

import argparse
import os
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


def export_site(args) -> int:
    """The static snapshot (basewatch/snapshot): archive/<data version>/, latest/ and the list of versions."""
    from basewatch.snapshot.export import export_site as write
    from basewatch.web.context import PUBLIC_URL_ENV

    if not args.base_url:
        print("--format site needs --base-url: the address the folder will be served at", file=sys.stderr)
        return 2
    app_url = args.app_url or os.environ.get(PUBLIC_URL_ENV, "").strip() or args.base_url
    try:
        report = write(args.out, args.base_url, app_url, data_dir=config.data_dir(), workers=args.workers)
    except DataError as exc:
        for line in exc.report():
            print(line)
        print(f"{len(exc.problems)} problem(s): nothing exported", file=sys.stderr)
        return 1
    if report.written:
        pages = ", ".join(f"{n} {kind}" for kind, n in report.pages.items())
        print(f"data version {report.version}: wrote {sum(report.pages.values())} pages ({pages}) in "
              f"{report.seconds:.1f} s to {report.folder}; latest/ is its copy")
    else:
        print(f"data version {report.version} is already archived in {report.folder} (left as it was); "
              "latest/ and the list of versions rewritten")
    return 0


# `export --format NAME`: what writes each format (another format is one entry here).
EXPORT_FORMATS = {"site": export_site}


def main(argv: list[str] | None = None) -> int:
    """Entry point for `python -m basewatch`."""
    parser = argparse.ArgumentParser(prog="python -m basewatch", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("validate", help="check events.csv and bases.geojson (honours BASEWATCH_DATA_DIR)")
    check.add_argument("directory", nargs="?", type=Path, default=None,
                       help="folder with the two files (default: $BASEWATCH_DATA_DIR or ./data)")
    export = sub.add_parser("export", help="write the data in another form (honours BASEWATCH_DATA_DIR)")
    export.add_argument("--format", choices=sorted(EXPORT_FORMATS), default="site",
                        help="site: a static copy of the canonical views (default)")
    export.add_argument("--out", type=Path, required=True, help="the folder to write (created if missing)")
    export.add_argument("--base-url", default=None,
                        help="the address DIR will be served at, e.g. https://archive.basewatch.example/")
    export.add_argument("--app-url", default=None,
                        help="the interactive app's address for 'Open the interactive view' "
                             "(default: $BASEWATCH_PUBLIC_URL, else --base-url)")
    export.add_argument("--workers", type=int, default=None, help="processes drawing the pages (default: one per core)")
    args = parser.parse_args(argv)
    if args.command == "validate":
        return validate(args.directory or config.data_dir())
    if args.command == "export":
        return EXPORT_FORMATS[args.format](args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
