"""Stages 1 and 2 on their own (load and validate): what `cnkg validate` runs, importable without the RDF stack
(rdflib, pyshacl, the store), so checking records costs what checking records needs."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import zip_longest
from pathlib import Path

from kg.errors import Problem, ValidationFailed, display_path
from kg.pipeline.load import RawRecord, find_files, read_file
from kg.pipeline.validate import Checked, Own, check_records, validate_checked


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector: a build makes millions of long-lived objects and no cycles, and
    the collector's repeated full passes over them cost more than the build itself at 100x (4x in loading)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def check(paths: list[Path], *, workers: int = 1, cache: Path | None = None) -> list[Checked]:
    """Load and validate; raise ValidationFailed with every problem found. With `workers` 2, a forked process
    loads and checks every other file (`kg.pipeline.forked`): the YAML parser's work is most of validation. With
    `cache` (a folder), each file's own checks are kept there and reused while the file and the code are unchanged
    (`kg.pipeline.checked_cache`); the checks between records always run."""
    with paused_gc():
        files, problems = find_files(paths)
        if workers > 1 and len(files) > 1:
            from kg.pipeline.forked import Forked

            with Forked(lambda _: _load_and_check(files[1::2])) as other:
                mine = _load_and_check(files[0::2])
                theirs: list[tuple[list[Problem], list[Own]]] = other.result()
            per_file = [part for pair in zip_longest(mine, theirs) for part in pair if part is not None]
        elif cache is not None:
            per_file = _load_and_check_cached(files, cache)
        else:
            per_file = _load_and_check(files)
        own: list[Own] = []
        for found, records in per_file:
            problems += found
            own += records
        del per_file
        checked, more = validate_checked(own)
        del own
        problems += more
        if problems:
            raise ValidationFailed(problems)
        return checked


def _load_and_check(files: list[Path]) -> list[tuple[list[Problem], list[Own]]]:
    """For each file: its problems, and its records after their own checks, without their data (`_lean`)."""
    out = []
    for file in files:
        raws, found = read_file(file)
        out.append((found, [(_lean(raw), record, problems) for raw, record, problems in check_records(raws)]))
    return out


def _load_and_check_cached(files: list[Path], folder: Path) -> list[tuple[list[Problem], list[Own]]]:
    """`_load_and_check`, reusing each unchanged file's result from the cache in `folder` (none: no cache)."""
    from kg.pipeline.checked_cache import CheckedCache

    cache = CheckedCache.open(folder)
    if cache is None:
        return _load_and_check(files)
    out = []
    for file in files:
        key = cache.key(file, display_path(file))
        hit = cache.get(key) if key is not None else None
        if hit is None:
            (hit,) = _load_and_check([file])
            if key is not None and cache.key(file, display_path(file)) == key:  # not changed while being checked
                cache.put(key, hit)
        out.append(hit)
    if cache.wrote:
        cache.sweep()
    return out


def _lean(raw: RawRecord) -> RawRecord:
    """The record without its YAML data and marks (the largest part of a loaded record; marks are read again from
    `source` if a problem needs them)."""
    return RawRecord(raw.path, raw.index, None, None, raw.source)
