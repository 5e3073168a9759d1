"""The prepared on-disk store of `cnkg query`: same answers as the in-memory store, keyed by the graph's hash,
made once, and skipped (not failed) where it cannot be written."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from kg.sparql.backends import EmbeddedStore
from kg.sparql.library import library
from kg.sparql.prepared import STAMP, location, prepare
from kg.sparql.query import backend_for, run


@pytest.fixture
def graph_copy(graph_file: Path, tmp_path: Path) -> tuple[Path, str]:
    copy = tmp_path / "g" / "cybernorms.nt"
    copy.parent.mkdir()
    shutil.copy(graph_file, copy)
    return copy, hashlib.sha256(copy.read_bytes()).hexdigest()


def test_prepared_store_answers_like_the_loaded_one(graph_copy: tuple[Path, str]) -> None:
    graph, digest = graph_copy
    prepared = backend_for(graph=graph, digest=digest)
    loaded = EmbeddedStore(graph)
    assert isinstance(prepared, EmbeddedStore) and prepared.pool is not None and prepared.pool.opener is not None
    try:
        for name in ("actors", "counts-by-type", "state-voting-record", "table4-derived"):
            query = library()[name]
            assert run(query, prepared).rows == run(query, loaded).rows, name
    finally:
        prepared.close()


def test_made_once_and_keyed_by_the_hash(graph_copy: tuple[Path, str]) -> None:
    graph, digest = graph_copy
    first = prepare(graph, digest)
    assert first == location(graph, digest) and (first / STAMP).read_text() == digest
    stamp = (first / STAMP).stat().st_mtime_ns
    assert prepare(graph, digest) == first and (first / STAMP).stat().st_mtime_ns == stamp, "made twice"
    other = prepare(graph, "0" * 64)
    assert other is not None and other != first, "a different graph must never open this copy"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_unwritable_folder_falls_back_to_loading(graph_copy: tuple[Path, str]) -> None:
    graph, digest = graph_copy
    graph.parent.chmod(0o555)
    try:
        assert prepare(graph, digest) is None
        backend = backend_for(graph=graph, digest=digest)
        assert isinstance(backend, EmbeddedStore) and backend.pool is not None and backend.pool.opener is None
        backend.close()
    finally:
        graph.parent.chmod(0o755)


def test_a_store_that_cannot_be_written_falls_back_to_loading(
    graph_copy: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever stops the copy (full disk, read-only folder: OSError from the engine) costs speed, not the query."""
    import kg.sparql.prepared as prepared_module

    graph, digest = graph_copy

    class Refusing:
        def __init__(self, path: str) -> None:
            raise OSError("No space left on device")

    monkeypatch.setattr(prepared_module.ox, "Store", Refusing)
    assert prepare(graph, digest) is None
    assert not list(graph.parent.glob("oxigraph-*")), "a half-made copy was left behind"
    monkeypatch.undo()
    backend = backend_for(graph=graph, digest=digest)
    try:
        assert isinstance(backend, EmbeddedStore) and backend.pool is not None
        assert run(library()["counts-by-type"], backend).rows
    finally:
        backend.close()
