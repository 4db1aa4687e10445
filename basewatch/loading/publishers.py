"""The publisher registry (publishers.csv): who stands behind each source host, and how much weight it carries.

One row per host: publisher, kind (wire, newspaper, ... wiki), country, state affiliation, what it
copies, and an Admiralty source-reliability grade. The loader checks the file and that every host
cited in the data has a row; derived columns then tell, per event, the kinds of its sources, how many
independent publishers stand behind it (copies of one original count once) and whether it rests only
on weak sources (state-affiliated outlets, aggregators, blogs and wikis).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd

from basewatch import config
from basewatch.loading.files import body_after_header, full_width, rows_with_lines
from basewatch.loading.problems import Problem

COLUMNS = ("host", "publisher", "kind", "country", "state_affiliated", "copies_of", "reliability", "note")
RELIABILITY = ("A", "B", "C", "D", "E", "F")
WEAK_KINDS = frozenset({"aggregator", "blog", "wiki"})
HOST_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
URL_HOST_RE = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/\s]*@)?([^/:?#\s]+)", re.IGNORECASE)


def host_of(url: str) -> str:
    """The registry key of a URL: its host name in lower case, without a leading 'www.'."""
    match = URL_HOST_RE.match(str(url).strip())
    host = match.group(1).lower().rstrip(".") if match else ""  # "example.com." is example.com, fully qualified
    return host[4:] if host.startswith("www.") else host


def _joined_urls(events: pd.DataFrame) -> pd.Series:
    return events["source_url"].astype(str) + " " + events["more_sources"].fillna("").astype(str)


def url_sets(events: pd.DataFrame, known: list[list[str]] | None = None) -> tuple[np.ndarray, list[list[str]]]:
    """Each event's code into the distinct lists of source URLs, and those lists (source_url first).

    Synthetic and real data repeat source sets a lot: the per-URL work is done once per distinct set,
    not once per event (splitting a million cells into lists cost about 5 s). `known`: the loader's list per
    `source_set` code (Dataset.source_sets), so no URL cell is read at all.
    """
    if "source_set" in events and known:
        # One row per set, scattered over the memory-mapped cache, still paged in most of both URL columns
        # (the page cache holds them in folios of up to 2 MB): about 100 MB at 1,000,000 events.
        return events["source_set"].to_numpy(dtype="int64"), known
    if "source_set" in events:
        # The loader's codes: only one row per distinct set is read again. Joining a million URL cells cost
        # about 270 MB of transient memory and paged both URL columns in from the memory-mapped cache.
        _sets, first, codes = np.unique(events["source_set"].to_numpy(), return_index=True, return_inverse=True)
        joined = _joined_urls(events.iloc[first])
    else:
        codes, joined = pd.factorize(_joined_urls(events))
    return codes, [str(text).split() for text in joined]


def load_publishers(path: Path, shown: str, problems: list, text: str) -> pd.DataFrame:
    """Validate publishers.csv (already read as `text`); record each problem with its line and column."""
    empty = pd.DataFrame(columns=list(COLUMNS))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        problems.append(Problem(shown, 1, None, f"cannot read the header row: {exc}"))
        return empty
    if header != list(COLUMNS):
        missing = [c for c in COLUMNS if c not in header]
        problems.append(Problem(shown, 1, missing[0] if missing else None,
                                "the header must be exactly " + ",".join(COLUMNS)))
        return empty
    rows, seen = [], {}
    records, lines = rows_with_lines(body_after_header(text), shown, problems)
    for line, record in full_width(records, lines, len(COLUMNS), shown, problems):
        row = dict(zip(COLUMNS, (cell.strip() for cell in record)))
        before = len(problems)

        def bad(column: str, message: str, line: int = line, row: dict = row) -> None:
            problems.append(Problem(shown, line, column, f"{row[column]!r}: {message}"))

        if not HOST_RE.match(row["host"]) or row["host"].startswith("www."):
            bad("host", "must be a host name in lower case without 'www.', e.g. reuters.com")
        elif row["host"] in seen:
            bad("host", f"duplicate host (first at line {seen[row['host']]})")
        if not row["publisher"]:
            problems.append(Problem(shown, line, "publisher", "must not be empty"))
        if row["kind"] not in config.SOURCE_KINDS:
            bad("kind", "must be one of " + ", ".join(config.SOURCE_KINDS))
        if row["country"] and not re.fullmatch(r"[A-Z]{2}", row["country"]):
            bad("country", "must be an ISO 3166-1 alpha-2 code in capitals, or empty")
        if row["state_affiliated"] not in ("true", "false"):
            bad("state_affiliated", "must be true or false")
        if row["reliability"] not in RELIABILITY:
            bad("reliability", "must be an Admiralty source grade A, B, C, D, E or F")
        if len(problems) == before:
            seen[row["host"]] = line
            rows.append(row)
    frame = pd.DataFrame(rows, columns=list(COLUMNS)) if rows else empty
    frame["state_affiliated"] = frame["state_affiliated"] == "true"
    return frame


def check_coverage(events: pd.DataFrame, event_lines: list[int], sites: pd.DataFrame, site_lines: dict,
                   publishers: pd.DataFrame, problems: list, events_shown: str, sites_shown: str,
                   status_rows: tuple | None = None) -> None:
    """Every host cited by an event, a site or a status change has a row in publishers.csv; name each row lacking one.

    `status_rows`: (file shown, source URLs, lines) of site_status.csv, when the folder has one.
    """
    known = set(publishers["host"])
    codes, combos = url_sets(events)
    missing_by_combo = [[h for h in dict.fromkeys(host_of(u) for u in combo) if h not in known]
                        for combo in combos]
    for index in np.flatnonzero([bool(missing_by_combo[c]) for c in codes]):
        hosts = missing_by_combo[codes[index]]
        column = "source_url" if host_of(events["source_url"].iat[index]) in hosts else "more_sources"
        problems.append(Problem(events_shown, event_lines[index], column,
                                f"no row in {config.PUBLISHERS_FILE} for host(s) " + ", ".join(hosts)))
    for site_id, urls_of_site in zip(sites["id"], sites["sources"]):
        hosts = [h for h in dict.fromkeys(host_of(u) for u in urls_of_site) if h not in known]
        if hosts:
            problems.append(Problem(sites_shown, site_lines.get(site_id), "sources",
                                    f"site {site_id!r}: no row in {config.PUBLISHERS_FILE} for host(s) "
                                    + ", ".join(hosts)))
    shown, urls_of_rows, lines = status_rows or ("", [], [])
    for url, line in zip(urls_of_rows, lines):
        if host_of(url) not in known:
            problems.append(Problem(shown, line, "source_url",
                                    f"no row in {config.PUBLISHERS_FILE} for host {host_of(url)}"))


def source_columns(events: pd.DataFrame, publishers: pd.DataFrame) -> pd.DataFrame:
    """Per event: `source_kinds` (space-separated, registry order), `independent_publishers` and `weak_only`.

    Copies of one original count once; a source is weak when its host is state-affiliated or an
    aggregator, blog or wiki. Without a registry every source counts as unclassified.
    """
    if publishers.empty:
        return pd.DataFrame({"source_kinds": "", "independent_publishers": 0, "weak_only": False},
                            index=events.index)
    by_host = publishers.set_index("host")
    original = (by_host["copies_of"].where(by_host["copies_of"] != "", by_host["publisher"])).to_dict()
    kind = by_host["kind"].to_dict()
    weak = (by_host["state_affiliated"] | by_host["kind"].isin(WEAK_KINDS)).to_dict()
    codes, combos = url_sets(events)
    per_combo = []
    for combo in combos:
        hosts = [host_of(u) for u in combo]
        kinds = {kind.get(h, "other") for h in hosts}
        per_combo.append((" ".join(k for k in config.SOURCE_KINDS if k in kinds), len({original.get(h, h) for h in hosts}),
                          all(weak.get(h, False) for h in hosts)))
    table = pd.DataFrame(per_combo, columns=["source_kinds", "independent_publishers", "weak_only"])
    out = table.iloc[codes].set_axis(events.index)
    out["independent_publishers"] = out["independent_publishers"].astype("int64")
    out["source_set"] = codes.astype("int32")  # which distinct source set: url_sets reads it back
    return out
