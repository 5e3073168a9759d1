"""Stage 4, shapes check: validate the built graph against ontology/shapes.ttl with pyshacl."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from kg.errors import Finding
from kg.paths import SHAPES
from kg.vocab import CN


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


def check_shapes(data: Graph, *, shapes: Path = SHAPES) -> list[Violation]:
    """All SHACL violations of `data`, named by record id where the focus node has one."""
    shapes_graph = Graph().parse(shapes, format="turtle")
    conforms, report, _ = shacl_validate(data, shacl_graph=shapes_graph, inference="none", advanced=True)
    if conforms:
        return []
    assert isinstance(report, Graph)
    out = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        record_id = data.value(focus, CN.recordId) if isinstance(focus, URIRef) else None
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        out.append(Violation(str(record_id or focus), str(path or ""), str(message or "")))
    return sorted(out)
