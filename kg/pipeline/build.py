"""The pipeline: load -> validate -> to RDF -> shapes check -> QC -> export. Each stage is its own module.

The graph is written once as sorted N-Triples rows, straight into the new generation's file, and loaded from it
once into an Oxigraph store; the shapes check, the QC queries and the summary all run on that store, and the
Turtle is streamed from the same file. No stage holds a second whole copy of the graph.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import BuildError
from kg.paths import BUILD, DATA, GRAPH, GRAPH_BASENAME, QUERIES
from kg.pipeline.check import check, paused_gc
from kg.pipeline.export import ntriples, turtle, write_turtle
from kg.pipeline.manifest import generation, verify_built
from kg.pipeline.qc import run_qc
from kg.pipeline.shapes import check_shapes
from kg.pipeline.to_rdf import Triples, build_triples, write_triples
from kg.pipeline.validate import Checked

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib import Graph

__all__ = ["BuildResult", "build", "check", "ensure_built", "graph_from", "load_store", "verify_built"]


@dataclass(frozen=True)
class BuildResult:
    """What a build produced: how many records, the files written, and a summary (triples and records by type)."""

    records: int
    files: list[Path]
    triples: int = 0
    summary: list[str] = field(default_factory=list)

    @cached_property
    def graph(self) -> Graph:
        """The built graph as an rdflib Graph, parsed from the N-Triples file on first use (slow when large)."""
        from rdflib import Graph

        return Graph().parse(next(p for p in self.files if p.name == f"{GRAPH_BASENAME}.nt"), format="nt")


STORE_CHUNK = 1 << 25  # bytes of N-Triples per bulk load: the loader's buffers grow with its input (at 100x:
# whole file 1.9 GB peak, 32 MB chunks 1.65 GB for 10% more CPU)


def load_store(data: bytes = b"", *, path: Path | None = None) -> ox.Store:
    """An in-memory Oxigraph store holding the given N-Triples: bytes, or the file at `path`, read in chunks of
    whole lines so that the loader's working memory stays small beside the store (a gigabyte at 100x, unchunked).
    Rows with blank nodes go into one last chunk, so that a blank node stays one node across rows."""
    import pyoxigraph as ox

    store = ox.Store()
    if path is None:
        if data:
            store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
        return store
    held: list[bytes] = []  # rows naming a blank node, loaded together last: each bulk load relabels blank nodes
    with path.open("rb") as fh:
        while block := fh.read(STORE_CHUNK):
            block += fh.readline()  # up to the end of its line
            if b"_:" in block:
                lines = block.splitlines(keepends=True)
                held += [line for line in lines if b"_:" in line]
                block = b"".join(line for line in lines if b"_:" not in line)
            store.bulk_load(block, format=ox.RdfFormat.N_TRIPLES)
    if held:
        store.bulk_load(b"".join(held), format=ox.RdfFormat.N_TRIPLES)
    return store


def release_memory() -> None:
    """Hand memory freed by the process back to the system (glibc keeps it for reuse otherwise): called between
    the rows of the graph and its store, which together would double the build's peak. A no-op elsewhere."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def summary_lines(store: ox.Store, *, triples: int | None = None) -> list[str]:
    """Triples (`triples` if known: counting the store's takes a pass over it), then one line per record type
    (queries/counts-by-type.rq), computed on the store."""
    from kg.sparql.backends import term_value

    text = (QUERIES / "counts-by-type.rq").read_text(encoding="utf-8")
    lines = [f"{len(store) if triples is None else triples} triples"]
    for row in store.query(text):  # type: ignore[union-attr]
        lines.append(f"{term_value(row[1]):>7}  {term_value(row[0])}")
    return lines


def check_graph(store: ox.Store) -> None:
    """Raise BuildError listing the SHACL violations, or else the QC failures, of the graph in `store`."""
    violations = check_shapes(store)
    if violations:
        listing = "\n".join(v.format() for v in violations[:50])
        raise BuildError(f"{len(violations)} SHACL violation(s):\n{listing}")
    failures = run_qc(store)
    if failures:
        listing = "\n".join(f.format() for f in failures)
        raise BuildError(f"{len(failures)} QC check(s) failed (queries/qc):\n{listing}")


def graph_from(paths: list[Path]) -> tuple[Triples, list[Checked], ox.Store]:
    """Validated records turned into triples that passed the SHACL shapes and the QC queries (and their store),
    in memory."""
    checked = check(paths)
    triples = build_triples(checked)
    store = load_store(triples.ntriples())
    check_graph(store)
    return triples, checked, store


def build(*, data: list[Path] | None = None, out: Path = BUILD, reason: bool = False) -> BuildResult:
    """Build the graph and write `cybernorms.ttl`, `cybernorms.nt` and `manifest.json` into `out`, as one new
    generation switched in atomically (`kg.pipeline.manifest`).

    With `reason`, HermiT must find the graph consistent, and the inferred facts are written apart, to
    `cybernorms-inferred.ttl` / `.nt`."""
    nt, ttl = f"{GRAPH_BASENAME}.nt", f"{GRAPH_BASENAME}.ttl"
    checked = check(data or [DATA])
    records = len(checked)
    with paused_gc(), generation(out, replace_all=True) as gen:
        count = write_triples(checked, gen.file(nt), release=True)  # empties `checked`: records are let go
        release_memory()
        store = load_store(path=gen.folder / nt)
        check_graph(store)
        summary = summary_lines(store, triples=count)
        del store
        write_turtle(gen.folder / nt, gen.file(ttl))
        extra = []
        if reason:
            from kg.pipeline.reason import reason as run_reason

            result = run_reason(Triples((gen.folder / nt).read_bytes(), count).graph())
            if not result.consistent:
                raise BuildError(f"{result.message}; records involved: {', '.join(result.culprits)}")
            inferred = {f"{GRAPH_BASENAME}-inferred.ttl": turtle, f"{GRAPH_BASENAME}-inferred.nt": ntriples}
            for name, render in inferred.items():
                gen.add(name, render(result.inferred))
                extra.append(out / name)
    return BuildResult(records, [out / ttl, out / nt, *extra], count, summary)


def ensure_built(graph: Path = GRAPH) -> Path:
    """The built N-Triples file, checked against its manifest (`verify_built`), building the graph from `data/`
    into its folder first if it is missing. A damaged or stale graph raises `DamagedBuild`, never a traceback."""
    if not graph.exists():
        build(out=graph.parent)
    verify_built(graph)
    return graph
