"""Hostile input and failures: every bad input fails with a clean `path:line` message (never a traceback, a hang
or a partial output); SPARQL is read-only, time-limited and capped; endpoints that are down, slow or broken give
clear errors; interrupted or failing writes leave nothing half-written."""

from __future__ import annotations

import errno
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import BuildError, EndpointError, QueryError, ValidationFailed
from kg.pipeline.build import build, check
from kg.sparql.backends import EmbeddedStore, RemoteEndpoint

from .conftest import EXAMPLES, ROOT
from .helpers import BrokenHandler, http_server

MESSAGE = re.compile(r"^\S+?(:\d+:\d+)?: error: .+")


def _validate_text(tmp_path: Path, data: bytes) -> list[str]:
    path = tmp_path / "fuzz.yaml"
    path.write_bytes(data)
    try:
        check([path])
    except ValidationFailed as failed:
        return [p.format() for p in failed.problems]
    return []


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=20),
    st.sampled_from(
        ["RU", "NO", "2023-02-30", "2015-05-08", "2015", "state", "instrument", "event", "a-res-73-27", "yes", "on"]
    ),
)
keys = st.sampled_from(
    [
        "id",
        "type",
        "name",
        "date",
        "title",
        "kind",
        "sources",
        "url",
        "parties",
        "iso3",
        "un_member",
        "legally_binding",
        "signed",
        "members",
        "x",
    ]
)
documents = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=6)),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=documents)
def test_any_yaml_document_builds_or_fails_cleanly(doc: object, tmp_path: Path) -> None:
    messages = _validate_text(tmp_path, yaml.safe_dump(doc).encode("utf-8"))
    assert all(MESSAGE.match(m) for m in messages), messages


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=300) | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_arbitrary_bytes_fail_cleanly(data: bytes, tmp_path: Path) -> None:
    messages = _validate_text(tmp_path, data)
    assert all(MESSAGE.match(m) for m in messages), messages


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(min_value=0, max_value=2000), junk=st.sampled_from(["", ":", "- ", "{", "!!str ", "&a ", "\t"]))
def test_corrupted_real_records_fail_cleanly(cut: int, junk: str, tmp_path: Path) -> None:
    text = (ROOT / "data" / "treaties" / "multilateral" / "sco-2009.yaml").read_bytes()
    cut = min(cut, len(text))
    messages = _validate_text(tmp_path, text[:cut] + junk.encode() + text[cut:])
    assert all(MESSAGE.match(m) for m in messages), messages


HOSTILE = {
    "huge": ("a: " + "x" * 6_000_000 + "\n", "larger than"),
    "deep": ("a: " + "[" * 60 + "]" * 60 + "\n", "nesting deeper than"),
    "deep-map": ("".join("  " * i + f"k{i}:\n" for i in range(60)) + "  " * 60 + "v\n", "nesting deeper than"),
    "python-object": ("!!python/object/new:os.system [ls]\n", "is not allowed"),
    "alias-bomb": ("a: &a [x, x]\nb: &b [*a, *a]\n", "aliases"),
    "impossible-date": (
        "id: ev-x\ntype: event\ndate: 2023-02-30\ntitle: t\nkind: other\nsources: [{url: https://example.org}]\n",
        "not a calendar date",
    ),
    "duplicate-key": ("id: ev-x\nid: ev-y\n", "duplicate key"),
    "non-string-key": ("? [a, b]\n: c\n", "mapping keys must be plain strings"),
    "control-chars": ("id: \x00\n", "control character U+0000 in the file"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_corpus(name: str, tmp_path: Path) -> None:
    text, expected = HOSTILE[name]
    start = time.perf_counter()
    messages = _validate_text(tmp_path, text.encode("utf-8"))
    assert time.perf_counter() - start < 20
    assert any(expected in m for m in messages), messages
    assert all(MESSAGE.match(m) for m in messages)


def test_cli_on_hostile_input_has_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("!!python/object/apply:os.system ['touch pwned']\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from kg.cli import main; main()",
            "build",
            "--data",
            str(bad),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "is not allowed" in result.stderr
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "out").exists()


# ---------------------------------------------------------------- SPARQL safety on the embedded store


@pytest.fixture(scope="module")
def isolated(built: object) -> Iterator[EmbeddedStore]:
    store = EmbeddedStore(next(p for p in built.files if p.suffix == ".nt"), isolate=True)  # type: ignore[attr-defined]
    yield store
    store.close()


def test_runaway_query_is_stopped_on_the_embedded_store(isolated: EmbeddedStore) -> None:
    start = time.perf_counter()
    with pytest.raises(QueryError, match=r"stopped after 1 s"):
        isolated.select("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout_s=1)
    assert time.perf_counter() - start < 10
    # the store still answers afterwards
    assert isolated.select("SELECT (1 AS ?x) WHERE {}").rows == [[1]]


def test_syntax_error_is_a_clean_error(isolated: EmbeddedStore) -> None:
    with pytest.raises(QueryError, match="syntax"):
        isolated.select("SELECT ?x WHERE { ?x }")


# ---------------------------------------------------------------- endpoints that are down, slow or broken


@pytest.fixture
def fake_endpoint(request: pytest.FixtureRequest) -> Iterator[str]:
    with http_server(BrokenHandler, mode=request.param) as base:
        yield f"{base}/sparql"


@pytest.mark.parametrize("fake_endpoint", ["garbage"], indirect=True)
def test_endpoint_returning_garbage(fake_endpoint: str) -> None:
    with pytest.raises(EndpointError, match="not SPARQL JSON"):
        RemoteEndpoint(fake_endpoint).select("SELECT * WHERE { ?s ?p ?o }", timeout_s=5)


@pytest.mark.parametrize("fake_endpoint", ["slow"], indirect=True)
def test_slow_endpoint_times_out(fake_endpoint: str) -> None:
    start = time.perf_counter()
    with pytest.raises(EndpointError, match="too slow"):
        RemoteEndpoint(fake_endpoint).select("SELECT * WHERE { ?s ?p ?o }", timeout_s=1)
    assert time.perf_counter() - start < 5


# ---------------------------------------------------------------- interrupted and failing writes


def test_interrupted_build_leaves_nothing_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    first = build(data=[EXAMPLES / "valid"], out=out)
    before = {p.name: p.read_bytes() for p in first.files}
    listing = sorted(p.name for p in out.iterdir())

    def boom(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    # mid-build: the N-Triples of the new generation are written, the Turtle is not
    monkeypatch.setattr("kg.pipeline.build.write_turtle", boom)
    with pytest.raises(KeyboardInterrupt):
        build(data=[EXAMPLES / "valid"], out=out)
    assert {name: (out / name).read_bytes() for name in before} == before
    assert sorted(p.name for p in out.iterdir()) == listing  # no temporary folder left behind


def test_full_disk_is_a_clean_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    real = Path.open

    class FullDisk:
        """A file of the new generation on a disk that fills up at the first write."""

        def __init__(self, file: Any) -> None:
            self.file = file

        def write(self, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        def __enter__(self) -> FullDisk:
            return self

        def __exit__(self, *exc: object) -> None:
            self.file.close()

    def full(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        opened = real(self, mode, *args, **kwargs)
        return FullDisk(opened) if ".tmp-" in str(self) and self.suffix == ".nt" and "w" in mode else opened

    monkeypatch.setattr(Path, "open", full)
    with pytest.raises(BuildError, match="No space left on device"):
        build(data=[EXAMPLES / "valid"], out=out)
    assert sorted(p.name for p in out.iterdir()) == []


def test_interrupted_release_leaves_no_version_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kg.publish import release as rel

    def boom(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(rel, "_void", boom)
    with pytest.raises(KeyboardInterrupt):
        rel.release(version="1.2.3", out=tmp_path, date="2026-01-01")
    assert list(tmp_path.iterdir()) == []


def test_importing_the_package_writes_nothing(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import kg.cli, kg.pipeline.build, kg.pipeline.export, kg.publish.release"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout == "" and done.stderr == "", done.stderr
    assert list(tmp_path.iterdir()) == []


def test_oxigraph_server_is_installed() -> None:
    assert shutil.which("oxigraph"), "pip install oxigraph (a dependency) provides the `oxigraph` server"
