"""The pipeline: load -> validate -> to RDF -> shapes check -> export. Each stage is its own module."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from kg.errors import BuildError, ValidationFailed
from kg.export import ntriples, turtle, write_outputs
from kg.load import load_records
from kg.paths import BUILD, DATA, GRAPH_BASENAME
from kg.shapes import check_shapes
from kg.to_rdf import build_graph
from kg.validate import Checked, validate


@dataclass(frozen=True)
class BuildResult:
    """What a build produced."""

    graph: Graph
    records: list[Checked]
    files: list[Path]


def check(paths: list[Path]) -> list[Checked]:
    """Load and validate; raise ValidationFailed with every problem found."""
    raws, problems = load_records(paths)
    checked, more = validate(raws)
    problems += more
    if problems:
        raise ValidationFailed(problems)
    return checked


def graph_from(paths: list[Path]) -> tuple[Graph, list[Checked]]:
    """Validated records turned into a graph that passed the SHACL shapes."""
    checked = check(paths)
    graph = build_graph(checked)
    violations = check_shapes(graph)
    if violations:
        listing = "\n".join(v.format() for v in violations[:50])
        raise BuildError(f"{len(violations)} SHACL violation(s):\n{listing}")
    return graph, checked


def build(*, data: list[Path] | None = None, out: Path = BUILD) -> BuildResult:
    """Build the graph and write `cybernorms.ttl` and `cybernorms.nt` into `out` (atomically)."""
    graph, checked = graph_from(data or [DATA])
    files = write_outputs(
        out,
        {f"{GRAPH_BASENAME}.ttl": lambda: turtle(graph), f"{GRAPH_BASENAME}.nt": lambda: ntriples(graph)},
    )
    return BuildResult(graph, checked, files)
