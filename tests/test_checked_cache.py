"""The per-file cache of `cnkg validate`: a warm run reports exactly what a cold one does, an edited file or a
changed checker is checked again, and the checks between records run every time."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

import kg.pipeline.check as check_module
from kg.errors import ValidationFailed
from kg.pipeline import checked_cache
from kg.pipeline.check import check
from kg.pipeline.checked_cache import CheckedCache

from .conftest import EXAMPLES

VALID = EXAMPLES / "valid"


def _outcome(paths: list[Path], cache: Path | None) -> tuple[int, list[str]]:
    """(records, formatted problems) of one validation."""
    try:
        return len(check(paths, cache=cache)), []
    except ValidationFailed as failed:
        return 0, [p.format() for p in failed.problems]


def _no_checking(monkeypatch: pytest.MonkeyPatch) -> None:
    """From now on, checking a record fails the test: everything must come from the cache."""

    def refuse(raws: object) -> object:
        raise AssertionError("a record was checked again")

    monkeypatch.setattr(check_module, "check_records", refuse)


def test_a_warm_run_reports_what_a_cold_run_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    for paths in ([EXAMPLES / "invalid"], [VALID]):
        cold = _outcome(paths, None)
        first = _outcome(paths, cache)
        with monkeypatch.context() as patched:
            _no_checking(patched)
            warm = _outcome(paths, cache)
        assert cold == first == warm
        assert cold[0] or cold[1]


def test_the_check_above_can_fail_without_a_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    _no_checking(monkeypatch)
    with pytest.raises(AssertionError, match="checked again"):
        check([VALID], cache=None)


def _copy(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    shutil.copytree(VALID, data)
    return data


def test_an_edited_file_is_checked_again(tmp_path: Path) -> None:
    data, cache = _copy(tmp_path), tmp_path / "cache"
    records = _outcome([data], cache)[0]
    assert records > 1
    states = data / "states.yaml"
    states.write_text(states.read_text(encoding="utf-8").replace("type: state", "type: stat"), encoding="utf-8")
    records, problems = _outcome([data], cache)
    assert records == 0 and any("unknown record type 'stat'" in p for p in problems)


def test_checks_between_records_run_on_cached_files(tmp_path: Path) -> None:
    data, cache = _copy(tmp_path), tmp_path / "cache"
    shutil.copy(data / "states.yaml", data / "states-again.yaml")
    for _ in range(2):  # cold, then every file from the cache
        _, problems = _outcome([data], cache)
        assert any("duplicate id" in p for p in problems)


def test_a_broken_entry_is_a_miss(tmp_path: Path) -> None:
    data, cache = _copy(tmp_path), tmp_path / "cache"
    cold = _outcome([data], cache)
    for entry in cache.iterdir():
        entry.write_bytes(b"not a pickle")
    assert _outcome([data], cache) == cold
    assert all(entry.read_bytes() != b"not a pickle" for entry in cache.iterdir())


def test_a_folder_others_can_write_is_not_read(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    assert CheckedCache.open(folder) is None
    folder.chmod(0o700)
    assert CheckedCache.open(folder) is not None


def test_the_sweep_removes_only_unused_entries(tmp_path: Path) -> None:
    data, cache = _copy(tmp_path), tmp_path / "cache"
    _outcome([data], cache)
    old, *kept = sorted(cache.iterdir())
    month_ago = time.time() - (checked_cache.UNUSED_DAYS + 1) * 86400
    os.utime(old, (month_ago, month_ago))
    CheckedCache(cache).sweep()
    assert sorted(cache.iterdir()) == kept


def test_a_file_changed_while_checked_is_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data, cache = _copy(tmp_path), tmp_path / "cache"
    states = data / "states.yaml"
    read_file = check_module.read_file

    def edit_after_reading(path: Path) -> object:
        got = read_file(path)
        if path == states:
            states.write_text(states.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
        return got

    monkeypatch.setattr(check_module, "read_file", edit_after_reading)
    _outcome([data], cache)
    assert len(list(cache.iterdir())) == len(list(data.glob("*.yaml"))) - 1


@pytest.mark.parametrize(
    ("part", "changed"),
    [
        ("code_digest", "another checker"),  # a changed checker
        ("today", "2999-01-01"),  # another day: a record's own checks depend on the date (a year ahead is refused)
    ],
)
def test_a_changed_part_of_the_key_misses_every_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part: str, changed: str
) -> None:
    data, cache = _copy(tmp_path), tmp_path / "cache"
    _outcome([data], cache)
    before = set(os.listdir(cache))
    monkeypatch.setattr(checked_cache, part, lambda: changed)
    _outcome([data], cache)
    assert len(set(os.listdir(cache)) - before) == len(list(data.glob("*.yaml")))
