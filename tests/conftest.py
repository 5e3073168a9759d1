"""Shared fixtures: paths, and the real graph built once per run into a temporary folder.

The folder is set as CNKG_BUILD before any `kg` module is imported, so every default path of the package (and
every `cnkg` subprocess) points at it: no test reads the repository's `build/`, which may be stale."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from rdflib import Graph

    from kg.pipeline.build import BuildResult

BUILD = Path(tempfile.mkdtemp(prefix="cnkg-test-build-"))
os.environ["CNKG_BUILD"] = str(BUILD)
ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "tests" / "examples"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(BUILD, ignore_errors=True)


@pytest.fixture(scope="session")
def built() -> Iterator[BuildResult]:
    """The real data built once into the run's build folder (`kg.paths.BUILD`)."""
    from kg.paths import BUILD as build_dir
    from kg.pipeline.build import build

    assert build_dir == BUILD, "kg was imported before tests/conftest.py set CNKG_BUILD"
    yield build(out=build_dir)


@pytest.fixture(scope="session")
def graph(built: BuildResult) -> Graph:
    return built.graph


@pytest.fixture(scope="session")
def graph_file(built: BuildResult) -> Path:
    """The built N-Triples file."""
    return next(p for p in built.files if p.suffix == ".nt")
