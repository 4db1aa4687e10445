"""The validated columnar cache: same Dataset as a real load, never trusted when anything does not match."""

from __future__ import annotations

import dataclasses
import json
import os
import shutil

import pandas as pd
import pytest

from basewatch import __main__ as cli
from basewatch.loading import cache
from basewatch.loading.dataset import DataError, Dataset, load_dataset
from tests.conftest import BUNDLED, MINI


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    """A private cache folder, and a counter of real (validating) loads."""
    where = tmp_path / "cache"
    monkeypatch.setenv("BASEWATCH_CACHE_DIR", str(where))
    calls = []
    real = cache.load_dataset

    def counting(directory, *args, **kwargs):
        calls.append(directory)
        return real(directory, *args, **kwargs)

    monkeypatch.setattr(cache, "load_dataset", counting)
    return where, calls


def assert_same_dataset(expected: Dataset, actual: Dataset) -> None:
    for item in dataclasses.fields(Dataset):
        want, got = getattr(expected, item.name), getattr(actual, item.name)
        if isinstance(want, pd.DataFrame):
            pd.testing.assert_frame_equal(want, got, check_exact=True)
            for column in want.columns:
                if want[column].dtype == object:  # lists stay lists, None stays None
                    assert [type(v) for v in want[column]] == [type(v) for v in got[column]], column
        else:
            assert want == got, item.name


def entry_of(where) -> object:
    entries = list(where.glob(f"{cache.ENTRY_PREFIX}*"))
    assert len(entries) == 1, entries
    return entries[0]


@pytest.mark.parametrize("folder", [BUNDLED, MINI], ids=["bundled", "mini"])
def test_a_cached_load_equals_a_validated_load(folder, cache_home):
    where, calls = cache_home
    first = cache.load_dataset_cached(folder)
    second = cache.load_dataset_cached(folder)
    assert len(calls) == 1, "the second load must come from the cache, not from parsing the files"
    assert_same_dataset(load_dataset(folder), second)
    assert_same_dataset(first, second)
    assert second.version == first.version


def test_a_changed_data_file_is_loaded_again(data_copy, cache_home):
    folder, events_path, _ = data_copy
    where, calls = cache_home
    before = cache.load_dataset_cached(folder)
    text = events_path.read_text(encoding="utf-8")
    first_summary = before.events.sort_values("id")["summary"].iloc[0]
    events_path.write_text(text.replace(first_summary, "An edited summary", 1), encoding="utf-8")
    after = cache.load_dataset_cached(folder)
    assert len(calls) == 2
    assert "An edited summary" in set(after.events["summary"])
    assert after.content_hash != before.content_hash


def test_a_new_optional_data_file_changes_the_key(data_copy):
    folder, _, _ = data_copy
    before = cache.cache_key(folder)
    (folder / "site_status.csv").write_text("anything\n", encoding="utf-8")
    assert cache.cache_key(folder) != before


def _damage_truncate(entry):
    path = entry / "events.arrow"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _damage_same_size_garbage(entry):
    path = entry / "events.arrow"
    path.write_bytes(b"\0" * path.stat().st_size)


def _damage_meta(field, value):
    def damage(entry):
        meta = json.loads((entry / cache.META_FILE).read_text())
        meta[field] = value
        (entry / cache.META_FILE).write_text(json.dumps(meta))
    return damage


def _damage_schema(entry):
    meta = json.loads((entry / cache.META_FILE).read_text())
    meta["values"].pop("data_date")  # a Dataset with other fields than this code's
    (entry / cache.META_FILE).write_text(json.dumps(meta))


def _damage_columns(entry):
    meta = json.loads((entry / cache.META_FILE).read_text())
    meta["frames"]["events"]["columns"][-1] = "renamed"
    (entry / cache.META_FILE).write_text(json.dumps(meta))


def _damage_unreadable_meta(entry):
    (entry / cache.META_FILE).write_bytes(b"\xff\xfe not json")


def _damage_missing_frame(entry):
    (entry / "sites.arrow").unlink()


DAMAGES = {
    "truncated": _damage_truncate,
    "garbage of the same size": _damage_same_size_garbage,
    "other magic": _damage_meta("magic", "someone-elses-cache"),
    "other format version": _damage_meta("format_version", cache.FORMAT_VERSION + 1),
    "other key": _damage_meta("key", "0" * 64),
    "other fields": _damage_schema,
    "other columns": _damage_columns,
    "unreadable meta": _damage_unreadable_meta,
    "missing frame file": _damage_missing_frame,
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=DAMAGES.keys())
def test_a_damaged_cache_is_rebuilt_not_trusted(damage, cache_home):
    where, calls = cache_home
    cache.load_dataset_cached(MINI)  # not kept: a served dataset maps its entry, which is never edited in place
    expected = load_dataset(MINI)
    damage(entry_of(where))
    rebuilt = cache.load_dataset_cached(MINI)
    assert len(calls) == 2, "a damaged cache must send the load back to the files"
    assert_same_dataset(expected, rebuilt)
    cache.load_dataset_cached(MINI)
    assert len(calls) == 2, "the rebuilt entry is good again"


def test_a_foreign_cache_entry_is_not_trusted(tmp_path, cache_home):
    """Another data set's entry put in this data set's place (files copied over) is detected."""
    where, calls = cache_home
    cache.load_dataset_cached(BUNDLED)
    foreign = entry_of(where)
    cache.load_dataset_cached(MINI)
    mine = next(p for p in where.glob(f"{cache.ENTRY_PREFIX}*") if p != foreign)
    # Their Arrow file with a size record made to fit: only the key inside the file can tell.
    shutil.copyfile(foreign / "events.arrow", mine / "events.arrow")
    meta = json.loads((mine / cache.META_FILE).read_text())
    meta["files"]["events.arrow"] = (mine / "events.arrow").stat().st_size
    (mine / cache.META_FILE).write_text(json.dumps(meta))
    again = cache.load_dataset_cached(MINI)
    assert len(calls) == 3
    assert_same_dataset(load_dataset(MINI), again)


def test_broken_data_is_reported_the_same_and_never_cached(data_copy, cache_home):
    folder, events_path, _ = data_copy
    where, _ = cache_home
    events_path.write_text(events_path.read_text(encoding="utf-8").replace(",confirmed,", ",certain,", 1),
                           encoding="utf-8")
    with pytest.raises(DataError) as direct:
        load_dataset(folder)
    with pytest.raises(DataError) as cached:
        cache.load_dataset_cached(folder)
    assert cached.value.report() == direct.value.report()
    assert not list(where.glob(f"{cache.ENTRY_PREFIX}*"))


def test_the_validator_report_is_the_same_with_or_without_a_cache(data_copy, cache_home, capsys):
    folder, events_path, _ = data_copy
    assert cli.validate(folder) == 0
    without = capsys.readouterr()
    cache.load_dataset_cached(folder)
    assert list(cache_home[0].glob(f"{cache.ENTRY_PREFIX}*"))
    assert cli.validate(folder) == 0
    assert capsys.readouterr() == without
    # and a broken file is still caught by the validator although a cache of the good file exists
    events_path.write_text(events_path.read_text(encoding="utf-8") + "junk,row\n", encoding="utf-8")
    assert cli.validate(folder) == 1
    broken = capsys.readouterr()
    shutil.rmtree(cache_home[0])
    assert cli.validate(folder) == 1
    assert capsys.readouterr() == broken


def test_a_read_only_data_folder_caches_in_a_private_temp_folder(data_copy, tmp_path, monkeypatch):
    folder, _, _ = data_copy
    monkeypatch.delenv("BASEWATCH_CACHE_DIR", raising=False)
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(cache.tempfile, "gettempdir", lambda: str(temp))
    real_writable = cache._writable
    # The data folder behaves as in a Docker image or on Community Cloud: nothing may be created there.
    monkeypatch.setattr(cache, "_writable", lambda path: folder not in (path, *path.parents) and real_writable(path))
    dataset = cache.load_dataset_cached(folder)
    assert not (folder / ".cache").exists()
    entries = list(temp.glob(f"basewatch-cache-*/{cache.ENTRY_PREFIX}*"))
    assert len(entries) == 1
    assert_same_dataset(load_dataset(folder), cache.load_dataset_cached(folder))
    assert dataset.source_dir == folder


def test_with_nowhere_to_write_the_cache_is_skipped(data_copy, monkeypatch):
    folder, _, _ = data_copy
    monkeypatch.delenv("BASEWATCH_CACHE_DIR", raising=False)
    monkeypatch.setattr(cache, "_writable", lambda path: False)
    assert cache.cache_dir(folder) is None
    assert_same_dataset(load_dataset(folder), cache.load_dataset_cached(folder))
    assert not (folder / ".cache").exists()


def test_without_a_configured_folder_the_cache_sits_beside_the_data(data_copy, monkeypatch):
    folder, _, _ = data_copy
    monkeypatch.delenv("BASEWATCH_CACHE_DIR", raising=False)
    cache.load_dataset_cached(folder)
    assert len(list((folder / ".cache").glob(f"{cache.ENTRY_PREFIX}*"))) == 1


def test_old_entries_and_abandoned_writes_are_cleaned_up(data_copy, cache_home):
    folder, events_path, _ = data_copy
    where, _ = cache_home
    where.mkdir(parents=True)
    abandoned = where / ".writing-killed"
    abandoned.mkdir()
    os.utime(abandoned, (0, 0))
    for i in range(cache.KEEP_ENTRIES + 2):  # one new data version after another
        events_path.write_text(events_path.read_text(encoding="utf-8").replace("Fixture:", f"Fixture {i}:", 1),
                               encoding="utf-8")
        cache.load_dataset_cached(folder)
    assert len(list(where.glob(f"{cache.ENTRY_PREFIX}*"))) == cache.KEEP_ENTRIES
    assert not abandoned.exists()
