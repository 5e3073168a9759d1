"""Stage 5, export: deterministic serialisations, written as one new generation that replaces the old at once.

N-Triples are the sorted rows of `kg.pipeline.to_rdf` (no graph canonicalisation: only the ontology's few blank
nodes are labelled, once); Turtle is Oxigraph's serialisation of those rows in the same order. The write itself
(versioned folder, pointer, manifest) is `kg.pipeline.manifest`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kg.vocab import PREFIXES

if TYPE_CHECKING:
    from rdflib import Graph

    from kg.pipeline.to_rdf import Triples


def canonical(graph: Graph) -> Graph:
    """Same triples with blank nodes relabelled canonically (rdflib), so output does not depend on parse order."""
    from rdflib import Graph
    from rdflib.compare import to_canonical_graph

    out = Graph()
    out += to_canonical_graph(graph)
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=True)
    return out


def graph_rows(graph: Graph) -> list[str]:
    """Sorted N-Triples rows of an rdflib graph, blank nodes labelled canonically from the triples that mention
    them (the same labels rdflib's canonical form of the whole graph gives, at a fraction of the cost)."""
    from rdflib import BNode
    from rdflib import Graph as RGraph
    from rdflib.compare import to_canonical_graph
    from rdflib.plugins.serializers.nt import _nt_row

    rows, with_bnodes = set(), RGraph()
    for triple in graph:
        if isinstance(triple[0], BNode) or isinstance(triple[2], BNode):
            with_bnodes.add(triple)
        else:
            rows.add(_nt_row(triple).rstrip("\n"))
    if len(with_bnodes):
        rows.update(_nt_row(t).rstrip("\n") for t in to_canonical_graph(with_bnodes))
    return sorted(rows)


def ntriples(graph: Graph | Triples) -> bytes:
    """Sorted N-Triples: byte-identical for isomorphic graphs."""
    from kg.pipeline.to_rdf import Triples

    if isinstance(graph, Triples):
        return graph.ntriples()
    return Triples.from_rows(graph_rows(graph)).ntriples()


def _turtle_prefixes() -> dict[str, str]:
    return {k: v for k, v in PREFIXES.items() if k != "id"}  # record IRIs hold `/`: written in full, unescaped


def turtle_from_ntriples(data: bytes) -> bytes:
    """Turtle of sorted N-Triples (Oxigraph's writer, subjects in the rows' order, the project's prefixes)."""
    import pyoxigraph as ox

    quads = ox.parse(data, format=ox.RdfFormat.N_TRIPLES)  # default-graph quads: written as triples
    out = ox.serialize(quads, format=ox.RdfFormat.TURTLE, prefixes=_turtle_prefixes())
    assert isinstance(out, bytes)
    return out


def write_turtle(source: Path, target: Path) -> None:
    """`turtle_from_ntriples` from the N-Triples file `source` into `target`, streamed: neither held whole."""
    import pyoxigraph as ox

    quads = ox.parse(path=str(source), format=ox.RdfFormat.N_TRIPLES)
    ox.serialize(quads, output=str(target), format=ox.RdfFormat.TURTLE, prefixes=_turtle_prefixes())


def turtle(graph: Graph | Triples) -> bytes:
    """Turtle with subjects in sorted order, after canonical blank-node labels."""
    return turtle_from_ntriples(ntriples(graph))


def write_outputs(out_dir: Path, files: dict[str, Callable[[], bytes]], *, replace_all: bool = False) -> list[Path]:
    """Render every file into a new generation beside the current one, then switch to it in one rename.

    If rendering or writing fails, nothing in `out_dir` changes. Without `replace_all` the files of the current
    generation that are not re-rendered are carried over (e.g. `cnkg reason` adds the inferred files)."""
    from kg.pipeline.manifest import write_generation

    return write_generation(out_dir, files, replace_all=replace_all)
