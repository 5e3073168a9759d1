"""The codebook (ontology/codebook.ttl) read as plain Python: issue ids, stance ids per scale, forum ids."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from kg.paths import CODEBOOK
from kg.vocab import CN, ID


@dataclass(frozen=True)
class Codebook:
    """Ids of the controlled concepts that records may name."""

    issue_scale: dict[str, str]  # issue id -> scale id
    scale_stances: dict[str, frozenset[str]]  # scale id -> stance ids
    forums: frozenset[str]
    stance_labels: dict[str, str]  # printed label (e.g. "Strongly Supports") -> stance id

    @property
    def issues(self) -> frozenset[str]:
        return frozenset(self.issue_scale)

    @property
    def stances(self) -> frozenset[str]:
        return frozenset(s for stances in self.scale_stances.values() for s in stances)


def _tail(iri: URIRef, kind: str) -> str:
    return str(iri).removeprefix(f"{ID}{kind}/")


@lru_cache(maxsize=4)
def load_codebook(path: Path = CODEBOOK) -> Codebook:
    """Parse the SKOS codebook once."""
    graph = Graph().parse(path, format="turtle")
    issue_scale: dict[str, str] = {}
    for issue, scale in graph.subject_objects(CN.scale):
        issue_scale[_tail(URIRef(str(issue)), "issue")] = _tail(URIRef(str(scale)), "scheme")
    scale_stances: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    for stance in graph.subjects(CN.ordinal, None):
        scheme = graph.value(stance, SKOS.inScheme)
        sid = _tail(URIRef(str(stance)), "stance")
        scale_stances.setdefault(_tail(URIRef(str(scheme)), "scheme"), set()).add(sid)
        printed = graph.value(stance, CN.printedLabel)
        if printed is not None:
            labels[str(printed)] = sid
    forums = frozenset(
        _tail(URIRef(str(c)), "forum") for c in graph.subjects(SKOS.inScheme, URIRef(f"{ID}scheme/forums"))
    )
    return Codebook(
        issue_scale=issue_scale,
        scale_stances={k: frozenset(v) for k, v in scale_stances.items()},
        forums=forums,
        stance_labels=labels,
    )
