"""The pipeline: load -> validate -> to RDF -> shapes check -> QC -> export. Each stage is its own module.

The graph is built once as sorted N-Triples rows and loaded once into an Oxigraph store; the shapes check, the QC
queries and the summary all run on that store, and the Turtle is written from the same rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import BuildError
from kg.paths import BUILD, DATA, GRAPH, GRAPH_BASENAME, QUERIES
from kg.pipeline.check import check, paused_gc
from kg.pipeline.export import ntriples, turtle, turtle_from_ntriples, write_outputs
from kg.pipeline.manifest import verify_built
from kg.pipeline.qc import run_qc
from kg.pipeline.shapes import check_shapes
from kg.pipeline.to_rdf import Triples, build_triples
from kg.pipeline.validate import Checked

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib import Graph

__all__ = ["BuildResult", "build", "check", "ensure_built", "graph_from", "load_store", "verify_built"]


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: the records, the files written, and a summary (triples and records by type)."""

    records: list[Checked]
    files: list[Path]
    triples: int = 0
    summary: list[str] = field(default_factory=list)

    @cached_property
    def graph(self) -> Graph:
        """The built graph as an rdflib Graph, parsed from the N-Triples file on first use (slow when large)."""
        from rdflib import Graph

        return Graph().parse(next(p for p in self.files if p.name == f"{GRAPH_BASENAME}.nt"), format="nt")


def load_store(data: bytes) -> ox.Store:
    """An in-memory Oxigraph store holding the given N-Triples."""
    import pyoxigraph as ox

    store = ox.Store()
    if data:
        store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    return store


def summary_lines(store: ox.Store) -> list[str]:
    """Triples, then one line per record type (queries/counts-by-type.rq), computed on the store."""
    from kg.sparql.backends import term_value

    text = (QUERIES / "counts-by-type.rq").read_text(encoding="utf-8")
    lines = [f"{len(store)} triples"]
    for row in store.query(text):  # type: ignore[union-attr]
        lines.append(f"{term_value(row[1]):>7}  {term_value(row[0])}")
    return lines


def graph_from(paths: list[Path]) -> tuple[Triples, list[Checked], ox.Store]:
    """Validated records turned into triples that passed the SHACL shapes and the QC queries (and their store)."""
    checked = check(paths)
    triples = build_triples(checked)
    store = load_store(triples.ntriples())
    violations = check_shapes(store)
    if violations:
        listing = "\n".join(v.format() for v in violations[:50])
        raise BuildError(f"{len(violations)} SHACL violation(s):\n{listing}")
    failures = run_qc(store)
    if failures:
        listing = "\n".join(f.format() for f in failures)
        raise BuildError(f"{len(failures)} QC check(s) failed (queries/qc):\n{listing}")
    return triples, checked, store


def build(*, data: list[Path] | None = None, out: Path = BUILD, reason: bool = False) -> BuildResult:
    """Build the graph and write `cybernorms.ttl`, `cybernorms.nt` and `manifest.json` into `out`, as one new
    generation switched in atomically (`kg.pipeline.manifest`).

    With `reason`, HermiT must find the graph consistent, and the inferred facts are written apart, to
    `cybernorms-inferred.ttl` / `.nt`."""
    with paused_gc():
        triples, checked, store = graph_from(data or [DATA])
        summary = summary_lines(store)
        del store
    rendered: dict[str, bytes] = {}

    def nt() -> bytes:
        rendered["nt"] = ntriples(triples)
        return rendered["nt"]

    def ttl() -> bytes:
        return turtle_from_ntriples(rendered["nt"]) if "nt" in rendered else turtle(triples)

    outputs = {f"{GRAPH_BASENAME}.nt": nt, f"{GRAPH_BASENAME}.ttl": ttl}
    if reason:
        from kg.pipeline.reason import reason as run_reason

        result = run_reason(triples.graph())
        if not result.consistent:
            raise BuildError(f"{result.message}; records involved: {', '.join(result.culprits)}")
        inferred = result.inferred
        outputs[f"{GRAPH_BASENAME}-inferred.ttl"] = lambda: turtle(inferred)
        outputs[f"{GRAPH_BASENAME}-inferred.nt"] = lambda: ntriples(inferred)
    with paused_gc():
        files = write_outputs(out, outputs, replace_all=True)
    return BuildResult(checked, [out / f"{GRAPH_BASENAME}.ttl", out / f"{GRAPH_BASENAME}.nt", *files[2:]],
                       len(triples), summary)


def ensure_built(graph: Path = GRAPH) -> Path:
    """The built N-Triples file, checked against its manifest (`verify_built`), building the graph from `data/`
    into its folder first if it is missing. A damaged or stale graph raises `DamagedBuild`, never a traceback."""
    if not graph.exists():
        build(out=graph.parent)
    verify_built(graph)
    return graph
