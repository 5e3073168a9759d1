"""The codebook (ontology/codebook.ttl) read as plain Python: issue ids, stance ids per scale, forum ids."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.iri import ONTOLOGY, RECORDS
from kg.paths import CODEBOOK


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


SKOS_IN_SCHEME = "http://www.w3.org/2004/02/skos/core#inScheme"
CN_SCALE, CN_ORDINAL, CN_PRINTED = (ONTOLOGY + term for term in ("scale", "ordinal", "printedLabel"))


def _tail(iri: str, kind: str) -> str:
    return iri.removeprefix(f"{RECORDS}{kind}/")


@lru_cache(maxsize=4)
def load_codebook(path: Path = CODEBOOK) -> Codebook:
    """Parse the SKOS codebook once (with pyoxigraph: `cnkg validate` does not pay for rdflib)."""
    import pyoxigraph as ox

    issue_scale: dict[str, str] = {}
    scheme_of: dict[str, str] = {}
    ordinals: set[str] = set()
    labels: dict[str, str] = {}
    forums: set[str] = set()
    for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
        s, p, o = quad.subject.value, quad.predicate.value, quad.object.value
        if p == CN_SCALE:
            issue_scale[_tail(s, "issue")] = _tail(o, "scheme")
        elif p == CN_ORDINAL:
            ordinals.add(s)
        elif p == CN_PRINTED:
            labels[o] = _tail(s, "stance")
        elif p == SKOS_IN_SCHEME:
            scheme_of[s] = o
            if o == f"{RECORDS}scheme/forums":
                forums.add(_tail(s, "forum"))
    scale_stances: dict[str, set[str]] = {}
    for stance in ordinals:
        scale_stances.setdefault(_tail(scheme_of.get(stance, ""), "scheme"), set()).add(_tail(stance, "stance"))
    return Codebook(
        issue_scale=issue_scale,
        scale_stances={k: frozenset(v) for k, v in scale_stances.items()},
        forums=frozenset(forums),
        stance_labels={k: v for k, v in labels.items() if f"{RECORDS}stance/{v}" in ordinals},
    )
