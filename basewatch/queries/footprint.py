"""Site status over time: the footprint on a date, what changed in a period, movements between sites.

Pure questions asked of the loaded status history (see basewatch.loading.site_status for the file's
rules). Before a site's first row the site is not part of the footprint ("no Russian presence yet").
"""

from __future__ import annotations

import pandas as pd

from basewatch.i18n import _, pgettext
from basewatch.loading.site_status import empty_site_status
from basewatch.text import date_label, long_date

NO_PRESENCE_LABEL = "no Russian presence yet"


def _site_table(sites: pd.DataFrame) -> pd.DataFrame:
    table = sites.reindex(columns=["id", "name", "country", "status"])  # absent columns become blank
    return table.rename(columns={"id": "site_id"})


RUN_FIELDS = ("date", "date_precision", "claim_status", "source_name", "source_url", "note")


def _with_runs(site_status: pd.DataFrame) -> pd.DataFrame:
    """Add, to each row, the fields of the row that began its run of the same status (run_*)."""
    frame = site_status.copy()
    changed = frame["status"].ne(frame.groupby("site_id")["status"].shift())
    frame["run"] = changed.groupby(frame["site_id"]).cumsum()
    grouped = frame.groupby(["site_id", "run"], sort=False)
    for column in RUN_FIELDS:
        frame[f"run_{column}"] = grouped[column].transform("first")
    return frame


def status_as_of(site_status: pd.DataFrame, sites: pd.DataFrame, day=None) -> pd.DataFrame:
    """Each site's Russian status on `day` (None: the latest), since when, and the source of that change.

    Columns: site_id, name, country, status (None before the site's first row), label, present,
    since, since_precision, since_label, claim_status, source_name, source_url, note (all from the row
    that began the current status), latest_date, latest_source_name, latest_source_url, latest_note
    (the newest row up to `day`, which may restate the status or disagree about it), has_history.
    """
    out = _site_table(sites).rename(columns={"status": "geo_status"})
    history = site_status if site_status is not None else empty_site_status()
    history = _with_runs(history) if len(history) else history
    if day is not None and len(history):
        history = history[history["date"] <= pd.Timestamp(day)]
    latest = history.groupby("site_id", sort=False).tail(1).set_index("site_id")
    out["has_history"] = out["site_id"].isin(set(site_status["site_id"])) if site_status is not None else False
    if len(latest):
        found = out["site_id"].map(latest["status"])
    else:
        found = pd.Series(None, index=out.index, dtype=object)
    # Without a history the bases.geojson status is all there is; with one, no row yet = no presence yet.
    out["status"] = [s if h else g for s, h, g in zip(found, out["has_history"], out["geo_status"])]
    out["status"] = out["status"].astype(object).where(out["status"].notna(), None)
    out["present"] = out["status"].notna()
    out["label"] = out["status"].fillna(NO_PRESENCE_LABEL)
    pairs = [(f"run_{c}", c) for c in RUN_FIELDS] + [("date", "latest_date"), ("source_name", "latest_source_name"),
                                                     ("source_url", "latest_source_url"), ("note", "latest_note")]
    for source_column, column in pairs:
        if len(latest):
            values = out["site_id"].map(latest[source_column])
            out[column] = values.astype(object).where(values.notna(), None)
        else:
            out[column] = None
    out = out.rename(columns={"date": "since", "date_precision": "since_precision"})
    out["since_label"] = [date_label(d, p) if d is not None and not pd.isna(d) else None
                          for d, p in zip(out["since"], out["since_precision"])]
    return out.drop(columns=["geo_status"]).reset_index(drop=True)


def sites_as_of(site_status: pd.DataFrame, sites: pd.DataFrame, day=None) -> pd.DataFrame:
    """`sites` with `status` as of `day`, ready for the map, site profiles, counts and range rings.

    `status` becomes the status on `day`, or "no Russian presence yet" before a site's first row (not in
    the vocabulary, so counts skip it and the map greys it). For a `day` before the latest row,
    `status_note` becomes that row's note and source, because the bases.geojson note describes the
    present. The original status is kept in `geo_status`; `status_since`, `status_source_name`,
    `status_source_url` and `present` are added.
    """
    table = status_as_of(site_status, sites, day).set_index("site_id")
    out = sites.copy()
    out["geo_status"] = out["status"]
    out["status"] = out["id"].map(table["label"])
    out["present"] = out["id"].map(table["present"]).astype(bool)
    out["status_since"] = out["id"].map(table["since_label"])
    out["status_source_name"] = out["id"].map(table["source_name"])
    out["status_source_url"] = out["id"].map(table["source_url"])
    latest_dates = site_status.groupby("site_id")["date"].max() if site_status is not None and len(
        site_status) else pd.Series(dtype="datetime64[ns]")
    if day is not None:
        earlier = out["id"].map(latest_dates).gt(pd.Timestamp(day)) & out["id"].map(table["has_history"]).astype(bool)
        for i in out.index[earlier]:
            row = table.loc[out.at[i, "id"]]
            status_slug = str(row["label"])  # a vocabulary value: its name comes from the catalogs
            out.at[i, "status_note"] = (
                _("As of {date}: no Russian presence is recorded yet.").format(date=long_date(day))
                if not row["present"] else
                _("As of {date}: {status} since {since} ({source}).").format(
                    date=long_date(day), status=pgettext("site_status", status_slug),
                    since=date_label(row["since"], row["since_precision"]), source=row["source_name"])
                + f" {row['latest_note']}")
    return out


def status_changes(site_status: pd.DataFrame, sites: pd.DataFrame, start, end) -> pd.DataFrame:
    """Sites whose status just before `start` differs from their status at `end`: old → new, with the source.

    A change dated on `start` itself counts as a change within the period.
    """
    before = status_as_of(site_status, sites, pd.Timestamp(start) - pd.Timedelta(days=1))
    after = status_as_of(site_status, sites, end)
    merged = after.merge(before[["site_id", "status", "label"]], on="site_id", suffixes=("", "_old"))
    changed = merged[merged["label"] != merged["label_old"]].copy()
    changed = changed.rename(columns={"status_old": "old_status", "label_old": "old_label",
                                      "status": "new_status", "label": "new_label"})
    return changed[["site_id", "name", "country", "old_status", "old_label", "new_status", "new_label",
                    "since", "since_precision", "since_label", "claim_status", "source_name", "source_url",
                    "note"]].sort_values(["country", "name"]).reset_index(drop=True)


MOVEMENT_COLUMNS = ("site_id", "destination_site_id", "date", "id")  # all `movements` reads


def movement_columns(events: pd.DataFrame) -> list[str]:
    """The columns `movements` reads that `events` has (destinations are an optional column)."""
    return [column for column in MOVEMENT_COLUMNS if column in events.columns]


def movements(events: pd.DataFrame, sites: pd.DataFrame | None = None) -> pd.DataFrame:
    """Origin → destination pairs from the destination_site_id column, with counts and event ids.

    A blank destination is not a movement. Columns: origin, destination, origin_name, destination_name,
    count, event_ids (list, in date order), first, last.
    """
    columns = ["origin", "destination", "origin_name", "destination_name", "count", "event_ids", "first", "last"]
    if "destination_site_id" not in events.columns or not len(events):
        return pd.DataFrame(columns=columns)
    moves = events[events["destination_site_id"].notna() & (events["destination_site_id"] != "")
                   & events["site_id"].notna()]
    if not len(moves):
        return pd.DataFrame(columns=columns)
    moves = moves.sort_values(["date", "id"], kind="stable")
    grouped = moves.groupby(["site_id", "destination_site_id"], sort=False)
    out = grouped.agg(count=("id", "size"), event_ids=("id", list), first=("date", "min"), last=("date", "max"))
    out = out.reset_index().rename(columns={"site_id": "origin", "destination_site_id": "destination"})
    names = dict(zip(sites["id"], sites["name"])) if sites is not None and len(sites) else {}
    out["origin_name"] = out["origin"].map(lambda s: names.get(s, s))
    out["destination_name"] = out["destination"].map(lambda s: names.get(s, s))
    return out.sort_values(["count", "origin", "destination"], ascending=[False, True, True])[columns].reset_index(
        drop=True)

