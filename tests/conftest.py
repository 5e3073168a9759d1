"""Shared fixtures: paths, a built copy of the real graph (built once per session)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from kg.pipeline.build import BuildResult, build

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "tests" / "examples"


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The real data built into a temporary folder."""
    return build(out=tmp_path_factory.mktemp("build"))


@pytest.fixture(scope="session")
def graph(built: BuildResult) -> Graph:
    return built.graph
