"""The pipeline: load -> validate -> to RDF -> shapes check -> QC -> export. Each stage is its own module.

The graph is written once as sorted N-Triples rows, straight into the new generation's file, and loaded from it
once into an Oxigraph store; the shapes check, the QC queries and the summary all run on that store, and the
Turtle is streamed from the same file. No stage holds a second whole copy of the graph. The records live in one
forked process and the store in another (`kg.pipeline.forked`), so each hands its memory back whole when it ends,
and the two cores share the work: validation in two processes, the Turtle and the files' hashes written while the
store is loaded and checked, the shapes and QC queries in threads.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from kg.errors import BuildError
from kg.paths import BUILD, DATA, GRAPH, GRAPH_BASENAME, QUERIES
from kg.pipeline.check import check, paused_gc
from kg.pipeline.export import ntriples, turtle, write_turtle
from kg.pipeline.forked import Forked, Link
from kg.pipeline.manifest import Generation, generation, verify_built
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


def load_store(data: bytes = b"", *, path: Path | None = None) -> ox.Store:
    """An in-memory Oxigraph store holding the given N-Triples: bytes, or the file at `path` (a build's own
    output), parsed in one pass by `Store.load`: a blank node stays one node across the file, it peaks lower than
    a bulk load, and it runs without the GIL. The file is parsed leniently (IRIs not re-validated, 30% less CPU):
    `kg.pipeline.to_rdf` builds every IRI from validated ids and fixed terms, and
    tests/test_build.py::test_independent_parser_accepts_output parses its output strictly."""
    import pyoxigraph as ox

    store = ox.Store()
    if path is not None:
        store.load(path=str(path), format=ox.RdfFormat.N_TRIPLES, lenient=True)
    elif data:
        store.bulk_load(data, format=ox.RdfFormat.N_TRIPLES)
    return store


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
    """Raise BuildError listing the SHACL violations, or else the QC failures, of the graph in `store`. The QC
    queries run in a thread beside the shapes check (queries run in Oxigraph, without the GIL)."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="cnkg-qc") as pool:
        qc = pool.submit(run_qc, store)
        violations = check_shapes(store, workers=2)
        failures = qc.result()
    if violations:
        listing = "\n".join(v.format() for v in violations[:50])
        raise BuildError(f"{len(violations)} SHACL violation(s):\n{listing}")
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


def _export(gen: Generation, nt: str, ttl: Path) -> None:
    """Hash the N-Triples, stream the Turtle from them into `ttl` and hash it: the part of a build that needs no
    store, done while another process loads and checks the store."""
    gen.seal(nt)
    write_turtle(gen.folder / nt, ttl)
    gen.seal(ttl.name)


def _write_graph(paths: list[Path], link: Link) -> int:
    """Stages 1-3, in a child process: validate (in two processes; ValidationFailed as `check`), send the number
    of records, then write the N-Triples to the path sent back; the number of triples."""
    checked = check(paths, workers=2)
    link.send(len(checked))
    target: Path = link.receive()
    return write_triples(checked, target, release=True)  # empties `checked`: records are let go


def _check_graph(nt: Path, count: int, link: Link) -> list[str]:
    """Stage 4, in a child process: load the N-Triples into a store, check it (`check_graph`); the summary."""
    store = load_store(path=nt)
    link.keep(store)  # freeing a 100x store takes seconds: it goes with the process
    check_graph(store)
    return summary_lines(store, triples=count)


def build(*, data: list[Path] | None = None, out: Path = BUILD, reason: bool = False) -> BuildResult:
    """Build the graph and write `cybernorms.ttl`, `cybernorms.nt` and `manifest.json` into `out`, as one new
    generation switched in atomically (`kg.pipeline.manifest`).

    The records live and die in one child process, the store in another (`kg.pipeline.forked`): each hands its
    memory back whole, and the Turtle is written here while the store is checked.
    With `reason`, HermiT must find the graph consistent, and the inferred facts are written apart, to
    `cybernorms-inferred.ttl` / `.nt`."""
    nt, ttl = f"{GRAPH_BASENAME}.nt", f"{GRAPH_BASENAME}.ttl"
    paths = data or [DATA]
    with paused_gc(), Forked(lambda link: _write_graph(paths, link)) as front:
        records: int = front.receive()  # validated: problems are raised here, before `out` is touched
        with generation(out, replace_all=True) as gen:
            front.send(gen.file(nt))
            count: int = front.result()
            with Forked(lambda link: _check_graph(gen.folder / nt, count, link)) as checked:
                _export(gen, nt, gen.file(ttl))
                summary: list[str] = checked.result()
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
