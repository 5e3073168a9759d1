"""The pipeline: load -> validate -> to RDF -> shapes check -> export. Each stage is its own module."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from kg.errors import BuildError, ValidationFailed
from kg.paths import BUILD, DATA, GRAPH, GRAPH_BASENAME
from kg.pipeline.export import ntriples, turtle, write_outputs
from kg.pipeline.load import load_records
from kg.pipeline.qc import run_qc
from kg.pipeline.shapes import check_shapes
from kg.pipeline.to_rdf import build_graph
from kg.pipeline.validate import Checked, validate


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
    failures = run_qc(graph)
    if failures:
        listing = "\n".join(f.format() for f in failures)
        raise BuildError(f"{len(failures)} QC check(s) failed (queries/qc):\n{listing}")
    return graph, checked


def build(*, data: list[Path] | None = None, out: Path = BUILD, reason: bool = False) -> BuildResult:
    """Build the graph and write `cybernorms.ttl` and `cybernorms.nt` into `out` (atomically).

    With `reason`, HermiT must find the graph consistent, and the inferred facts are written apart, to
    `cybernorms-inferred.ttl` / `.nt`."""
    graph, checked = graph_from(data or [DATA])
    outputs = {f"{GRAPH_BASENAME}.ttl": lambda: turtle(graph), f"{GRAPH_BASENAME}.nt": lambda: ntriples(graph)}
    if reason:
        from kg.pipeline.reason import reason as run_reason

        result = run_reason(graph)
        if not result.consistent:
            raise BuildError(f"{result.message}; records involved: {', '.join(result.culprits)}")
        inferred = result.inferred
        outputs[f"{GRAPH_BASENAME}-inferred.ttl"] = lambda: turtle(inferred)
        outputs[f"{GRAPH_BASENAME}-inferred.nt"] = lambda: ntriples(inferred)
    files = write_outputs(out, outputs)
    return BuildResult(graph, checked, files)


def ensure_built(graph: Path = GRAPH) -> Path:
    """The built N-Triples file, building the graph from `data/` into its folder first if it is missing."""
    if not graph.exists():
        build(out=graph.parent)
    return graph
