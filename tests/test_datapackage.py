"""The data package: generated from the contract, committed up to date, valid for Frictionless offline, and in
agreement with our validator about where each fault is."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys

import pytest

from basewatch import config
from basewatch.loading.dataset import DataError, load_dataset
from basewatch.loading.schema import HTTP_URL, HTTP_URLS, ISO_DATE, PARTIAL_DATE, SLUG_PATTERN
from basewatch.views import datapackage
from tests.conftest import BUNDLED, MINI, ROOT, TODAY, csv_rows, write_csv_rows
from tools import offline


def frictionless_cli(descriptor, cwd=ROOT) -> subprocess.CompletedProcess:
    """`frictionless validate` as CI runs it: its own process, with the network cut off."""
    return subprocess.run([sys.executable, "-m", "tools.offline", "frictionless", "validate", str(descriptor)],
                          cwd=cwd, capture_output=True, text=True, timeout=240, env={"PYTHONPATH": str(ROOT),
                                                                                     "PATH": "/usr/bin:/bin",
                                                                                     "COLUMNS": "200"})


def test_the_committed_package_is_what_the_generator_writes_now():
    dataset = load_dataset(BUNDLED)
    for name, content in datapackage.package_files(dataset).items():
        committed = (BUNDLED / name).read_bytes() if (BUNDLED / name).exists() else b""
        assert committed == content, f"data/{name} is out of date: run `python -m basewatch package`"


def test_frictionless_validates_the_committed_package_with_the_network_off():
    result = frictionless_cli("data/datapackage.json")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "INVALID" not in result.stdout
    for resource in json.loads((BUNDLED / datapackage.DESCRIPTOR_FILE).read_text(encoding="utf-8"))["resources"]:
        assert re.search(rf"{resource['name']}\s.*\sVALID", result.stdout), resource["name"]


def test_the_offline_check_would_catch_a_descriptor_that_needs_the_network(tmp_path):
    folder = tmp_path / "pkg"
    shutil.copytree(BUNDLED, folder)
    descriptor = json.loads((folder / datapackage.DESCRIPTOR_FILE).read_text(encoding="utf-8"))
    descriptor["resources"][0]["schema"] = "https://example.org/events.schema.json"  # a remote Table Schema
    (folder / datapackage.DESCRIPTOR_FILE).write_text(json.dumps(descriptor), encoding="utf-8")
    result = frictionless_cli(folder / datapackage.DESCRIPTOR_FILE)
    assert result.returncode != 0
    assert "network access is disabled" in result.stdout + result.stderr


def test_the_descriptor_is_v1_with_inline_schemas_licence_version_and_sources():
    dataset = load_dataset(BUNDLED)
    descriptor = datapackage.descriptor(dataset)
    text = json.dumps(descriptor)
    assert "$schema" not in text and "profile" not in text  # no remote profile to resolve
    assert descriptor["version"] == dataset.version
    assert descriptor["licenses"] == [{"name": "CC-BY-4.0", "path": config.DATA_LICENSE_URL,
                                       "title": config.DATA_LICENSE_TITLE}]
    assert descriptor["sources"] and all(s["title"] for s in descriptor["sources"])
    resources = {r["name"]: r for r in descriptor["resources"]}
    assert {"events", "sites", "site_status", "publishers", "bases"} <= set(resources)
    for resource in resources.values():
        assert not resource["path"].startswith(("/", "http")) and ".." not in resource["path"]
        if resource["format"] == "csv":
            assert isinstance(resource["schema"], dict) and resource["schema"]["fields"]
    events = resources["events"]["schema"]
    assert events["primaryKey"] == ["id"]
    assert {(k["fields"], k["reference"]["resource"]) for k in events["foreignKeys"]} == {
        ("site_id", "sites"), ("destination_site_id", "sites")}
    assert [f["name"] for f in events["fields"]] == csv_rows(BUNDLED / config.EVENTS_FILE)[0]


def test_every_vocabulary_is_an_enum_constraint():
    descriptor = datapackage.descriptor(load_dataset(BUNDLED))
    enums = {(r["name"], f["name"]): f["constraints"]["enum"] for r in descriptor["resources"] if "schema" in r
             for f in r["schema"]["fields"] if "enum" in f.get("constraints", {})}
    assert enums[("events", "actor")] == list(config.ACTORS)
    assert enums[("events", "event_type")] == list(config.EVENT_TYPES)
    assert enums[("events", "claim_status")] == list(config.CLAIM_STATUSES)
    assert enums[("events", "date_precision")] == list(config.DATE_PRECISIONS)
    assert enums[("sites", "kind")] == list(config.SITE_KINDS)
    assert enums[("sites", "status")] == list(config.SITE_STATUSES)
    assert enums[("site_status", "status")] == list(config.SITE_STATUSES)
    assert enums[("publishers", "kind")] == list(config.SOURCE_KINDS)


@pytest.mark.parametrize(("pattern", "good", "bad"), [
    (SLUG_PATTERN, ["ev-0042", "hmeimim", "al-jufra"], ["Ev-1", "a--b", "-a", "a b", ""]),
    (ISO_DATE, ["2024-12-08"], ["2024-13-01", "24-12-08", "2024-12-8"]),
    (PARTIAL_DATE, ["2024", "2024-12", "2024-12-08"], ["2024-1", "12-2024"]),
    (HTTP_URL, ["https://example.org/x", "HTTP://A.B/c?d=1"], ["ftp://x.org", "javascript:alert(1)", "https://"]),
    (HTTP_URLS, ["https://a.org/x https://b.org"], ["https://a.org  https://b.org", "https://a.org ftp://b"]),
])
def test_table_schema_patterns_accept_what_the_validator_accepts(pattern, good, bad):
    table = re.compile(datapackage.table_pattern(pattern))
    for value in good + bad:
        assert bool(table.fullmatch(value)) == bool(re.match(pattern, value)), value


def test_sites_csv_has_one_row_per_feature_with_its_point():
    dataset = load_dataset(BUNDLED)
    rows = list(csv.DictReader((BUNDLED / datapackage.SITES_CSV).open(encoding="utf-8", newline="")))
    features = {f["id"]: f for f in dataset.sites_geojson["features"]}
    assert [r["id"] for r in rows] == list(features)
    for row in rows:
        lon, lat = features[row["id"]]["geometry"]["coordinates"]
        assert (float(row["lon"]), float(row["lat"])) == (lon, lat)
        assert row["sources"].split(" ") == features[row["id"]]["properties"]["sources"]


# ---- ten (and more) seeded faults: both validators name the same row -------------------------------------------

def _set(file: str, row_id: str, column: str, value: str):
    """A fault: in `file`, the row whose first cell is `row_id` gets `value` in `column`."""
    def apply(folder):
        rows = csv_rows(folder / file)
        index = rows[0].index(column)
        for row in rows[1:]:
            if row[0] == row_id:
                row[index] = value
        write_csv_rows(folder / file, rows)
    return apply


def _duplicate(file: str, row_id: str):
    def apply(folder):
        rows = csv_rows(folder / file)
        write_csv_rows(folder / file, rows + [next(r for r in rows if r[0] == row_id)])
    return apply


def _both(*faults):
    def apply(folder):
        for fault in faults:
            fault(folder)
    return apply


FAULTS = {
    "actor not in the vocabulary": _set("events.csv", "ev-0003", "actor", "Martians"),
    "event type not in the vocabulary": _set("events.csv", "ev-0004", "event_type", "invasion"),
    "claim status not in the vocabulary": _set("events.csv", "ev-0005", "claim_status", "probable"),
    "date precision not in the vocabulary": _set("events.csv", "ev-0006", "date_precision", "week"),
    "impossible date": _set("events.csv", "ev-0007", "date", "2025-02-30"),
    "date in another format": _set("events.csv", "ev-0002", "date", "30/09/2015"),
    "duplicate id": _duplicate("events.csv", "ev-0004"),
    "dangling site id": _set("events.csv", "ev-0009", "site_id", "atlantis"),
    "latitude out of range": _both(_set("events.csv", "ev-0006", "lat", "95.5"), _set("events.csv", "ev-0006", "lon",
                                                                                      "4.35")),
    "longitude out of range": _both(_set("events.csv", "ev-0009", "lat", "55.75"), _set("events.csv", "ev-0009",
                                                                                        "lon", "237.6")),
    "source URL not http(s)": _set("events.csv", "ev-0008", "source_url", "javascript:alert(1)"),
    "personnel not a whole number": _set("events.csv", "ev-0010", "personnel_low", "500k"),
    "empty summary": _set("events.csv", "ev-0002", "summary", ""),
    "country code in lower case": _set("events.csv", "ev-0003", "country", "sy"),
    "site status not in the vocabulary": _set("site_status.csv", "tartus", "status", "abandoned"),
    "site status row for an unknown site": _set("site_status.csv", "hmeimim", "site_id", "atlantis"),
    "publisher grade not A-F": _set("publishers.csv", "example.org", "reliability", "Z"),
}


@pytest.fixture(scope="module")
def packaged_mini(tmp_path_factory):
    """The mini fixture with its data package, as `python -m basewatch package` writes it."""
    folder = tmp_path_factory.mktemp("mini") / "data"
    shutil.copytree(MINI, folder)
    for name, content in datapackage.package_files(load_dataset(folder, today=TODAY)).items():
        (folder / name).write_bytes(content)
    return folder


def frictionless_rows(descriptor) -> set[tuple[str, int]]:
    """(file, row number) of every row error Frictionless reports, validating offline in this process."""
    import frictionless

    saved = {name: getattr(offline.socket, name) for name in ("create_connection", "getaddrinfo")}
    connect = offline.socket.socket.connect
    offline.cut_network()
    try:
        report = frictionless.validate(str(descriptor)).to_dict()
    finally:
        for name, value in saved.items():
            setattr(offline.socket, name, value)
        offline.socket.socket.connect = connect
    paths = {r["name"]: r["path"] for r in json.loads(descriptor.read_text(encoding="utf-8"))["resources"]}
    return {(paths[task["name"]], error["rowNumber"]) for task in report["tasks"] for error in task["errors"]
            if "rowNumber" in error}


def test_the_packaged_fixture_is_valid_for_both(packaged_mini):
    assert load_dataset(packaged_mini, today=TODAY).events["id"].is_unique
    assert frictionless_rows(packaged_mini / datapackage.DESCRIPTOR_FILE) == set()


@pytest.mark.parametrize("fault", list(FAULTS), ids=list(FAULTS))
def test_a_seeded_fault_is_reported_on_the_same_row_by_both(fault, packaged_mini, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(packaged_mini, folder)
    FAULTS[fault](folder)
    with pytest.raises(DataError) as info:
        load_dataset(folder, today=TODAY)
    ours = {(p.file, p.line) for p in info.value.problems}
    theirs = frictionless_rows(folder / datapackage.DESCRIPTOR_FILE)
    assert ours, "our validator located nothing"
    assert ours & theirs, f"ours {sorted(ours)} vs Frictionless {sorted(theirs)}"
    assert ours <= theirs, f"a row only our validator saw: ours {sorted(ours)} vs Frictionless {sorted(theirs)}"
