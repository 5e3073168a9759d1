"""What changed between two graphs (e.g. two releases): records added, removed and changed, by type.

A record is everything whose subject IRI is the record's IRI or starts with it plus '/' (its sources, tallies,
votes, memberships, cells), so a changed quote or vote counts as a change of its record."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.errors import KGError
from kg.pipeline.records import MODELS
from kg.vocab import CN, owner

RECORD_CLASSES = {URIRef(cls): name for name, model in MODELS.items() for cls in model.rdf_classes}


@dataclass
class Diff:
    """Record ids added, removed and changed, by record type."""

    added: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    removed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    changed: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def load_graph(path: Path) -> Graph:
    """A graph from an N-Triples/Turtle file, or from a release folder (its cybernorms.nt)."""
    if path.is_dir():
        candidates = sorted(path.glob("*.nt"))
        if not candidates:
            raise KGError(f"{path} holds no .nt file (hint: give a release folder or a graph file)")
        path = candidates[0]
    if not path.exists():
        raise KGError(f"{path} does not exist")
    fmt = "nt" if path.suffix == ".nt" else "turtle"
    try:
        return Graph().parse(path, format=fmt)
    except Exception as exc:  # rdflib raises several parser error types
        raise KGError(f"{path} is not valid RDF: {exc}") from None


def records(graph: Graph) -> dict[str, tuple[str, str]]:
    """IRI -> (record type, record id) for every record in the graph."""
    out: dict[str, tuple[str, str]] = {}
    for cls, kind in RECORD_CLASSES.items():
        for subject in graph.subjects(RDF.type, cls):
            record_id = graph.value(subject, CN.recordId)
            if record_id is not None:
                out[str(subject)] = (kind, str(record_id))
    return out


def _content(graph: Graph, iris: set[str]) -> dict[str, set[tuple[str, str, str]]]:
    """Triples grouped by the record they belong to."""
    grouped: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for s, p, o in graph:
        if not isinstance(s, URIRef):
            continue
        text = str(s)
        record = owner(text, iris)
        if record is not None:
            grouped[record].add((text, str(p), o.n3()))
    return grouped


def diff(old: Graph, new: Graph) -> Diff:
    """Compare records of two graphs."""
    old_records, new_records = records(old), records(new)
    old_content = _content(old, set(old_records))
    new_content = _content(new, set(new_records))
    result = Diff()
    for iri, (kind, rid) in sorted(new_records.items(), key=lambda kv: kv[1]):
        if iri not in old_records:
            result.added[kind].append(rid)
        elif old_content[iri] != new_content[iri]:
            result.changed[kind].append(rid)
    for iri, (kind, rid) in sorted(old_records.items(), key=lambda kv: kv[1]):
        if iri not in new_records:
            result.removed[kind].append(rid)
    return result


def changelog(d: Diff, *, old: str, new: str) -> str:
    """The diff as a Markdown changelog section."""
    lines = [f"## Changes from {old} to {new}", ""]
    if d.empty:
        return "\n".join([*lines, "No record changed.", ""])
    for title, part in (("Added", d.added), ("Removed", d.removed), ("Changed", d.changed)):
        if not part:
            continue
        total = sum(len(v) for v in part.values())
        lines.append(f"### {title} ({total})")
        for kind in sorted(part):
            ids = part[kind]
            shown = ", ".join(ids[:30]) + (f", ... ({len(ids) - 30} more)" if len(ids) > 30 else "")
            lines.append(f"- {kind} ({len(ids)}): {shown}")
        lines.append("")
    return "\n".join(lines)
