"""Stage 4, shapes check: validate the built graph against ontology/shapes.ttl.

The shapes use a small part of SHACL Core (targetClass; property shapes on plain paths with min/maxCount, class,
datatype, in, pattern, minInclusive, hasValue; node-level or/xone of minCount shapes). Each constraint is compiled
to one SPARQL query run on the build's Oxigraph store, so the check is linear in the data. A shapes file that uses
anything else is checked with pyshacl instead (`engine="pyshacl"` forces it; the tests compare the two).
"""

from __future__ import annotations

from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from kg.errors import Finding
from kg.paths import SHAPES

if TYPE_CHECKING:
    import pyoxigraph as ox
    from rdflib import Graph

    from kg.pipeline.to_rdf import Triples

Term = Any  # a pyoxigraph term (NamedNode, BlankNode or Literal)
SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RECORD_ID = "https://w3id.org/cybernorms/ontology#recordId"
_NODE_KEYS = {
    f"{SH}targetClass",
    f"{SH}property",
    f"{SH}or",
    f"{SH}xone",
    f"{SH}message",
    f"{RDF}type",
    f"{RDFS}comment",
}
_PROPERTY_KEYS = {
    f"{SH}{k}"
    for k in (
        "path",
        "minCount",
        "maxCount",
        "class",
        "datatype",
        "in",
        "pattern",
        "minInclusive",
        "hasValue",
        "message",
    )
}


@dataclass(frozen=True, order=True)
class Violation(Finding):
    """One SHACL result: the record id (or node), the path and the message."""

    kind: ClassVar[str] = "shape violation"
    focus: str
    path: str
    detail: str
    hint: str = "see the shape in ontology/shapes.ttl"

    @property
    def location(self) -> str:
        return self.focus

    @property
    def message(self) -> str:  # type: ignore[override]
        return f"{self.path}: {self.detail}"


class Unsupported(Exception):
    """The shapes use a SHACL feature the SPARQL compiler does not handle (pyshacl is used instead)."""


@dataclass(frozen=True)
class Check:
    """One compiled constraint: a SELECT of ?focus (and ?rid), the path it is about and the message; and the
    same constraint as a boolean on one ?focus (`condition`), true where the SELECT would return it."""

    query: str
    path: str
    message: str
    condition: str


@dataclass(frozen=True)
class ShapeChecks:
    """The checks of one node shape, and `screen`: one query that returns a row iff any of them would. A clean
    shape then costs one pass over its targets instead of one per constraint (115 passes for 17 shapes)."""

    screen: str
    checks: tuple[Check, ...]


def _shapes_graph(path: Path) -> dict[str, dict[str, list[Term]]]:
    import pyoxigraph as ox

    subjects: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        subjects[str(quad.subject)][quad.predicate.value].append(quad.object)
    return subjects


def _items(graph: dict[str, dict[str, list[Term]]], head: Term) -> list[Term]:
    """The members of an RDF list."""
    out = []
    node = str(head)
    while node != f"<{RDF}nil>":
        out.append(graph[node][f"{RDF}first"][0])
        node = str(graph[node][f"{RDF}rest"][0])
    return out


def _keys(node: dict[str, list[Term]]) -> set[str]:
    return {k for k, v in node.items() if v}


def _one(values: list[Term]) -> Term:
    if len(values) != 1:
        raise Unsupported("a constraint given more than once")
    return values[0]


def _path(graph: dict[str, dict[str, list[Term]]], prop: dict[str, list[Term]]) -> str:
    import pyoxigraph as ox

    path = _one(prop[f"{SH}path"])
    if not isinstance(path, ox.NamedNode):
        raise Unsupported("complex property paths")
    return path.value


def _literal_message(values: list[Term]) -> str | None:
    return str(values[0].value) if values else None


def _compact(iri: str) -> str:
    from kg.vocab import PREFIXES

    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def _member_test(graph: dict[str, dict[str, list[Term]]], member: Term) -> str:
    """A SPARQL boolean saying that ?focus conforms to an or/xone member (a property shape with minCount 1)."""
    shape = graph[str(member)]
    if _keys(shape) - {f"{SH}path", f"{SH}minCount"} or _one(shape[f"{SH}minCount"]).value != "1":
        raise Unsupported("or/xone members other than minCount 1")
    return f"EXISTS {{ ?focus <{_path(graph, shape)}> ?any }}"


@lru_cache(maxsize=4)
def compile_shapes(path: Path = SHAPES, mtime_ns: int = 0) -> tuple[ShapeChecks, ...]:
    """Every constraint of the shapes file as a SPARQL check, by node shape; `Unsupported` if one cannot be
    compiled."""
    graph = _shapes_graph(path)
    out: list[ShapeChecks] = []
    shapes = [s for s, props in graph.items() if any(str(t) == f"<{SH}NodeShape>" for t in props.get(f"{RDF}type", []))]
    for shape_iri in sorted(shapes):
        shape = graph[shape_iri]
        checks: list[Check] = []
        if _keys(shape) - _NODE_KEYS:
            raise Unsupported(f"node shape keys {sorted(_keys(shape) - _NODE_KEYS)}")
        classes = " ".join(str(c) for c in shape[f"{SH}targetClass"])
        if not classes:
            raise Unsupported("node shapes without sh:targetClass")
        target = f"VALUES ?target {{ {classes} }} ?focus a/<{RDFS}subClassOf>* ?target ."
        head = "SELECT DISTINCT ?focus ?rid ?value WHERE {"
        tail = f"OPTIONAL {{ ?focus <{RECORD_ID}> ?rid }} }}"
        node_message = _literal_message(shape[f"{SH}message"])
        for key, combine in ((f"{SH}or", "||"), (f"{SH}xone", "+")):
            for head_node in shape[key]:
                tests = [_member_test(graph, m) for m in _items(graph, head_node)]
                if combine == "||":
                    cond = f"!({' || '.join(tests)})"
                    default = "Node does not conform to any shape of sh:or"
                else:
                    cond = "(" + " + ".join(f"IF({t}, 1, 0)" for t in tests) + ") != 1"
                    default = "Node does not conform to exactly one shape of sh:xone"
                checks.append(
                    Check(
                        f"{head} {target} BIND(?focus AS ?value) FILTER({cond}) {tail}",
                        "",
                        node_message or default,
                        cond,
                    )
                )
        for prop_node in shape[f"{SH}property"]:
            prop = graph[str(prop_node)]
            if _keys(prop) - _PROPERTY_KEYS:
                raise Unsupported(f"property shape keys {sorted(_keys(prop) - _PROPERTY_KEYS)}")
            p = _path(graph, prop)
            shown = _compact(p)
            message = _literal_message(prop[f"{SH}message"])

            def add(
                body: str,
                default: str,
                *,
                shown: str = shown,
                message: str | None = message,
                frame: tuple[str, str, str] = (head, target, tail),
                checks: list[Check] = checks,
            ) -> None:
                checks.append(
                    Check(f"{frame[0]} {frame[1]} {body} {frame[2]}", shown, message or default, f"EXISTS {{ {body} }}")
                )

            values = f"?focus <{p}> ?value ."
            for n in prop[f"{SH}minCount"]:
                checks.append(
                    Check(
                        f"SELECT ?focus (SAMPLE(?r) AS ?rid) (?focus AS ?value) WHERE {{ {target} "
                        f"OPTIONAL {{ ?focus <{p}> ?v }} OPTIONAL {{ ?focus <{RECORD_ID}> ?r }} }} "
                        f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) < {n.value})",
                        shown,
                        message or f"Less than {n.value} values on {shown}",
                        _min_count(p, int(n.value)),
                    )
                )
            for n in prop[f"{SH}maxCount"]:
                checks.append(
                    Check(
                        f"SELECT ?focus (SAMPLE(?r) AS ?rid) (?focus AS ?value) WHERE {{ {target} ?focus <{p}> ?v . "
                        f"OPTIONAL {{ ?focus <{RECORD_ID}> ?r }} }} "
                        f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) > {n.value})",
                        shown,
                        message or f"More than {n.value} values on {shown}",
                        _max_count(p, int(n.value)),
                    )
                )
            for c in prop[f"{SH}class"]:
                add(
                    f"{values} FILTER NOT EXISTS {{ ?value a/<{RDFS}subClassOf>* {c} }}",
                    f"Value does not have class {_compact(c.value)}",
                )
            for d in prop[f"{SH}datatype"]:
                add(
                    f"{values} FILTER(!isLiteral(?value) || datatype(?value) != {d})",
                    f"Value is not Literal with datatype {_compact(d.value)}",
                )
            for head_node in prop[f"{SH}in"]:
                allowed = " ".join(str(v) for v in _items(graph, head_node))
                add(
                    f"{values} FILTER NOT EXISTS {{ VALUES ?allowed {{ {allowed} }} "
                    "FILTER(sameTerm(?value, ?allowed)) }",
                    f"Value is not in ({allowed})",
                )
            for pattern in prop[f"{SH}pattern"]:
                add(
                    f"{values} FILTER(isBlank(?value) || !REGEX(STR(?value), {pattern}))",
                    f"Value does not match pattern {pattern}",
                )
            for low in prop[f"{SH}minInclusive"]:
                add(f"{values} FILTER(!COALESCE(?value >= {low}, false))", f"Value is not >= {low}")
            for v in prop[f"{SH}hasValue"]:
                add(f"BIND(?focus AS ?value) FILTER NOT EXISTS {{ ?focus <{p}> {v} }}", f"Missing expected value {v}")
        screen = " || ".join(f"({c.condition})" for c in checks)
        query = f"SELECT ?focus WHERE {{ {target} FILTER({screen or 'false'}) }} LIMIT 1"
        out.append(ShapeChecks(query, tuple(checks)))
    return tuple(out)


def _min_count(p: str, n: int) -> str:
    """True where ?focus has fewer than `n` distinct values of `p`."""
    values = [f"?v{i}" for i in range(n)]
    distinct = " && ".join(f"!sameTerm({a}, {b})" for i, a in enumerate(values) for b in values[i + 1 :])
    triples = " . ".join(f"?focus <{p}> {v}" for v in values)
    return f"NOT EXISTS {{ {triples} {f'FILTER({distinct})' if distinct else ''} }}"


def _max_count(p: str, n: int) -> str:
    """True where ?focus has more than `n` distinct values of `p`."""
    return _min_count(p, n + 1)[len("NOT ") :]


def _pyshacl(data: Graph, shapes: Path) -> list[Violation]:
    from pyshacl import validate as shacl_validate
    from rdflib import Graph, URIRef
    from rdflib.namespace import SH as RSH

    from kg.vocab import CN

    shapes_graph = Graph().parse(shapes, format="turtle")
    conforms, report, _ = shacl_validate(data, shacl_graph=shapes_graph, inference="none", advanced=True)
    if conforms:
        return []
    assert isinstance(report, Graph)
    out = []
    for result in report.subjects(RSH.resultSeverity, RSH.Violation):
        focus = report.value(result, RSH.focusNode)
        record_id = data.value(focus, CN.recordId) if isinstance(focus, URIRef) else None
        path = report.value(result, RSH.resultPath)
        message = report.value(result, RSH.resultMessage)
        out.append(Violation(str(record_id or focus), _compact(str(path or "")), str(message or "")))
    return sorted(out)


def _shape_violations(store: ox.Store, shape: ShapeChecks) -> set[Violation]:
    """The violations of one node shape's checks: none without running them if its screen finds nothing."""
    out: set[Violation] = set()
    if not any(True for _ in store.query(shape.screen)):  # type: ignore[union-attr]
        return out  # no constraint of this shape is violated: its checks would all return nothing
    for check in shape.checks:
        for row in store.query(check.query):  # type: ignore[union-attr]
            focus, rid = row["focus"], row["rid"]
            name = rid.value if rid is not None else getattr(focus, "value", str(focus))
            out.add(Violation(name, check.path, check.message))
    return out


def check_shapes(
    data: Graph | Triples | ox.Store, *, shapes: Path = SHAPES, engine: str = "auto", workers: int = 1
) -> list[Violation]:
    """All SHACL violations of `data`, named by record id where the focus node has one (sorted).

    `engine`: "sparql" (compiled checks on an Oxigraph store), "pyshacl", or "auto" (sparql unless the shapes
    use a feature it does not handle). `workers` > 1 runs that many shapes' queries at once, in threads (Oxigraph
    evaluates them without the GIL)."""
    from kg.pipeline.qc import as_store

    if engine != "pyshacl":
        try:
            checks = compile_shapes(shapes, shapes.stat().st_mtime_ns)
        except Unsupported:
            if engine == "sparql":
                raise
        else:
            store = as_store(data)
            if workers > 1:
                with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cnkg-shapes") as pool:
                    found = list(pool.map(lambda shape: _shape_violations(store, shape), checks))
            else:
                found = [_shape_violations(store, shape) for shape in checks]
            return sorted(set().union(*found))
    from rdflib import Graph

    if not isinstance(data, Graph):
        data = Graph().parse(data=_dump(as_store(data)), format="nt")
    return _pyshacl(data, shapes)


def _dump(store: ox.Store) -> bytes:
    import pyoxigraph as ox

    out = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    assert isinstance(out, bytes)
    return out
