"""Cyber Norms Knowledge Graph: curated YAML records -> validated records -> RDF -> SPARQL.

The Python API is two functions; both build the graph first if the build folder (`kg.paths.BUILD`) has none.

>>> import kg
>>> rows = kg.query("counts-by-type")
>>> sorted(rows[0])
['count', 'type']
>>> next(r["count"] for r in rows if r["type"] == "state")
195
>>> [r["vote"] for r in kg.query("state-voting-record", state="RU") if r["symbol"] == "A/RES/73/266"]
['no']
>>> frame = kg.query("counts-by-type", as_frame=True)
>>> list(frame.columns), int(frame.set_index("type").loc["state", "count"])
(['type', 'count'], 195)
>>> len(kg.graph()) > 10_000
True
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

if TYPE_CHECKING:
    from rdflib import Graph

    from kg.sparql.backends import Value

__version__ = "0.3.0"
__all__ = ["__version__", "graph", "query"]

Param = str | int | Sequence[str | int]


def _params(values: dict[str, Param]) -> dict[str, list[str]]:
    """Keyword parameters as the library binds them: each a list of strings ("RU" and ["RU", "CN"] both work)."""
    return {k: [str(v)] if isinstance(v, str | int) else [str(x) for x in v] for k, v in values.items()}


def graph(*, data: Sequence[Path] | None = None, graph_file: Path | None = None) -> Graph:
    """The graph as an rdflib Graph: the built file (built first if missing), or, with `data`, built in memory from
    those record files or folders (validated and checked with SHACL; nothing is written)."""
    from rdflib import Graph

    if data:
        from kg.pipeline.build import graph_from

        return graph_from(list(data))[0].graph()
    from kg.paths import GRAPH
    from kg.pipeline.build import ensure_built

    return Graph().parse(ensure_built(graph_file or GRAPH), format="nt")


@overload
def query(
    name: str,
    *,
    as_frame: Literal[False] = ...,
    data: Sequence[Path] | None = ...,
    graph_file: Path | None = ...,
    endpoint: str | None = ...,
    timeout: float = ...,
    **params: Param,
) -> list[dict[str, Value]]: ...


@overload
def query(
    name: str,
    *,
    as_frame: Literal[True],
    data: Sequence[Path] | None = ...,
    graph_file: Path | None = ...,
    endpoint: str | None = ...,
    timeout: float = ...,
    **params: Param,
) -> Any: ...


def query(
    name: str,
    *,
    as_frame: bool = False,
    data: Sequence[Path] | None = None,
    graph_file: Path | None = None,
    endpoint: str | None = None,
    timeout: float = 30.0,
    **params: Param,
) -> list[dict[str, Value]] | Any:
    """Rows of a library query (see `cnkg queries`) or a .rq file, one dict per row; `as_frame=True` gives a pandas
    DataFrame (pandas is optional). Other keywords are the query's parameters: `kg.query("compare-positions",
    actor=["RU", "CN"])`. It runs on the built graph, on a graph built in memory from `data`, or on `endpoint`."""
    from kg.sparql.backends import Backend, EmbeddedStore
    from kg.sparql.library import resolve
    from kg.sparql.query import backend_for, run

    backend: Backend
    if endpoint:
        backend = backend_for(endpoint=endpoint)
    elif data:
        backend = EmbeddedStore(graph(data=data))
    else:
        from kg.paths import GRAPH
        from kg.pipeline.build import ensure_built

        backend = EmbeddedStore(ensure_built(graph_file or GRAPH))
    table = run(resolve(name), backend, params=_params(params), timeout_s=timeout)
    rows = [dict(zip(table.columns, row, strict=True)) for row in table.rows]
    if not as_frame:
        return rows
    try:
        import pandas as pd  # type: ignore[import-untyped]
    except ImportError:
        from kg.errors import KGError

        raise KGError("as_frame=True needs pandas (hint: python3 -m pip install pandas)") from None
    return pd.DataFrame(rows, columns=table.columns)
