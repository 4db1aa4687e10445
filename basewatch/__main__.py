"""Command line: `validate` checks the data files against the contract; `package` writes the Frictionless data
package of a data folder; `export` writes a static copy of the canonical views (`--format site`, the default) or
a view's events in ACLED's columns (`--format acled`)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from basewatch import config
from basewatch.loading.dataset import DataError, Dataset, load_dataset
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


def _load(directory: Path) -> Dataset | None:
    """The validated data of a folder, or None after printing why it does not validate."""
    try:
        return load_dataset(directory)
    except DataError as exc:
        for line in exc.report():
            print(line, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s): run `python -m basewatch validate` first", file=sys.stderr)
        return None


def package(directory: Path, check: bool = False) -> int:
    """Write datapackage.json and sites.csv into the data folder (`check`: only report whether they are current)."""
    from basewatch.views import datapackage

    dataset = _load(directory)
    if dataset is None:
        return 1
    stale = []
    for name, content in datapackage.package_files(dataset).items():
        path = directory / name
        current = path.read_bytes() if path.exists() else None
        if current != content:
            stale.append(name)
            if not check:
                path.write_bytes(content)
    if check and stale:
        print(f"out of date: {', '.join(stale)}; run `python -m basewatch package`", file=sys.stderr)
        return 1
    print(f"{'wrote' if stale and not check else 'up to date:'} {', '.join(stale or datapackage.package_files(dataset))}"
          f" (data version {dataset.version})")
    return 0


def export_acled(dataset: Dataset, query: str) -> bytes:
    """The events of a view (URL query, e.g. `actor=russia`) as an ACLED-shaped CSV."""
    from basewatch.views import acled

    return acled.acled_csv(_view_events(dataset, query), dataset.sites)


def _view_events(dataset: Dataset, query: str):
    """The events a view's query selects, as the pages select them; junk in the query is an error."""
    from urllib.parse import parse_qs

    from basewatch.state.catalog import build_catalog
    from basewatch.state.filters import apply_filters
    from basewatch.state.urlstate import parse_query_params

    state, notices = parse_query_params(parse_qs(query.lstrip("?")), build_catalog(dataset.events, dataset.sites))
    if notices:
        raise ValueError("; ".join(notices))
    return apply_filters(dataset.events, state.filters)


def export_view_acled(args) -> int:
    """`export --format acled`: the events of a view (`--query`) in ACLED's columns, to `--out` or standard output."""
    dataset = _load(args.directory or config.data_dir())
    if dataset is None:
        return 1
    out = args.out
    try:
        content = export_acled(dataset, args.query)
    except ValueError as exc:
        print(f"cannot export this view: {exc}", file=sys.stderr)
        return 2
    if out is None:
        sys.stdout.buffer.write(content)
    else:
        out.write_bytes(content)
    return 0


def export_site(args) -> int:
    """The static snapshot (basewatch/snapshot): archive/<data version>/, latest/ and the list of versions."""
    from basewatch.snapshot.export import export_site as write
    from basewatch.web.context import PUBLIC_URL_ENV

    if not args.base_url or not args.out:
        print("--format site needs --out DIR and --base-url: the folder and the address it will be served at",
              file=sys.stderr)
        return 2
    app_url = args.app_url or os.environ.get(PUBLIC_URL_ENV, "").strip() or args.base_url
    try:
        report = write(args.out, args.base_url, app_url, data_dir=args.directory or config.data_dir(),
                       workers=args.workers)
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
EXPORT_FORMATS = {"site": export_site, "acled": export_view_acled}


def main(argv: list[str] | None = None) -> int:
    """Entry point for `python -m basewatch`."""
    parser = argparse.ArgumentParser(prog="python -m basewatch", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("validate", help="check events.csv and bases.geojson (honours BASEWATCH_DATA_DIR)")
    check.add_argument("directory", nargs="?", type=Path, default=None,
                       help="folder with the two files (default: $BASEWATCH_DATA_DIR or ./data)")
    check.add_argument("--languages", action="store_true",
                       help="also fail on any site without its name (and the name's source) in ar, ru and fr")
    pack = sub.add_parser("package", help="write datapackage.json and sites.csv into the data folder")
    pack.add_argument("directory", nargs="?", type=Path, default=None,
                      help="the data folder (default: $BASEWATCH_DATA_DIR or ./data)")
    pack.add_argument("--check", action="store_true", help="write nothing; exit 1 when the files are out of date")
    export = sub.add_parser("export", help="write the data in another form (honours BASEWATCH_DATA_DIR)")
    export.add_argument("--format", choices=list(EXPORT_FORMATS), default="site",
                        help="site: a static copy of the canonical views (default); acled: a view's events in "
                             "ACLED's columns")
    export.add_argument("--out", type=Path, default=None,
                        help="site: the folder to write (created if missing); acled: the file (default: standard output)")
    export.add_argument("--base-url", default=None,
                        help="site: the address DIR will be served at, e.g. https://archive.basewatch.example/")
    export.add_argument("--app-url", default=None,
                        help="site: the interactive app's address for 'Open the interactive view' "
                             "(default: $BASEWATCH_PUBLIC_URL, else --base-url)")
    export.add_argument("--workers", type=int, default=None,
                        help="site: processes drawing the pages (default: one per core)")
    export.add_argument("--query", default="", help="acled: the view, as a link's query, e.g. 'actor=russia'")
    export.add_argument("directory", nargs="?", type=Path, default=None,
                        help="the data folder (default: $BASEWATCH_DATA_DIR or ./data)")
    args = parser.parse_args(argv)
    directory = args.directory or config.data_dir()
    if args.command == "validate":
        return validate(directory, languages=args.languages)
    if args.command == "package":
        return package(directory, args.check)
    if args.command == "export":
        return EXPORT_FORMATS[args.format](args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
