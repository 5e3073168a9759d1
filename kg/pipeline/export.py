"""Stage 5, export: deterministic serialisations written atomically (temp files, then moved into place)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from rdflib import Graph
from rdflib.compare import to_canonical_graph

from kg.errors import BuildError


def canonical(graph: Graph) -> Graph:
    """Same triples with blank nodes relabelled canonically, so output does not depend on parse order."""
    out = Graph()
    out += to_canonical_graph(graph)
    for prefix, ns in graph.namespaces():
        out.bind(prefix, ns, override=True)
    return out


def ntriples(graph: Graph) -> bytes:
    """Sorted N-Triples: byte-identical for isomorphic graphs."""
    lines = canonical(graph).serialize(format="nt", encoding="utf-8").splitlines()
    return b"\n".join(sorted(line for line in lines if line.strip())) + b"\n"


def turtle(graph: Graph) -> bytes:
    """Turtle with rdflib's sorted subject order, after canonical blank-node labels."""
    data = canonical(graph).serialize(format="turtle", encoding="utf-8")
    assert isinstance(data, bytes)
    return data


def write_outputs(out_dir: Path, files: dict[str, Callable[[], bytes]]) -> list[Path]:
    """Render every file first into a temp folder beside `out_dir`, then move each into place.

    If rendering or writing fails, nothing in `out_dir` is touched."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=out_dir))
    except OSError as exc:
        raise BuildError(f"cannot write to {out_dir}: {exc.strerror} (hint: choose another --out)") from None
    written: list[Path] = []
    try:
        staged = []
        for name, render in files.items():
            path = tmp / name
            path.write_bytes(render())
            staged.append((path, out_dir / name))
        for src, dst in staged:
            os.replace(src, dst)
            written.append(dst)
    except OSError as exc:
        raise BuildError(f"cannot write to {out_dir}: {exc.strerror} (hint: check space and permissions)") from None
    finally:
        for leftover in tmp.glob("*"):
            leftover.unlink()
        tmp.rmdir()
    return written
