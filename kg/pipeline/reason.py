"""OWL reasoning with owlready2 and HermiT: consistency of the graph under the ontology's axioms, the records
that cause an inconsistency, and the inferred facts, kept apart from the asserted graph (a separate file).

HermiT sees the TBox and the object-level data (types and links between resources); literal values are left out
(HermiT does not support xsd:gYear/xsd:date, and no axiom depends on them). Dates are checked by QC queries."""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import owlready2 as o2
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

from kg.errors import BuildError
from kg.pipeline.records import ACTORS, MODELS
from kg.vocab import BASE, CN, ID, owner

INFERRED_ONTOLOGY = BASE + "graph/inferred"
UNSUPPORTED = (
    "http://www.w3.org/2001/XMLSchema#gYear",
    "http://www.w3.org/2001/XMLSchema#gYearMonth",
    "http://www.w3.org/2001/XMLSchema#date",
)
INVERSES = ((CN.party, CN.partyTo), (CN.framework, CN.frameworkOf), (CN.memberOf, CN.hasMember))
DISTINCT_CLASSES = tuple(URIRef(cls) for name, m in MODELS.items() if name in ACTORS for cls in m.rdf_classes)
OTHER_RECORD_CLASSES = (
    *(URIRef(cls) for name, m in MODELS.items() if name not in ACTORS for cls in m.rdf_classes),
    CN.Source,
    CN.Vote,
)


@dataclass
class ReasonResult:
    """Outcome of reasoning: consistency, culprit record ids, inferred triples, time taken."""

    consistent: bool
    inferred: Graph = field(default_factory=Graph)
    culprits: list[str] = field(default_factory=list)
    seconds: float = 0.0
    message: str = ""


def reasoning_input(graph: Graph) -> Graph:
    """What HermiT sees: resource-valued triples (without owl:sameAs links to Wikidata), minus unsupported
    datatypes, plus NamedIndividual types."""
    out = Graph()
    for s, p, o in graph:
        if p == OWL.sameAs:  # links to Wikidata: no axiom uses them, and equality reasoning is costly
            continue
        if str(o) in UNSUPPORTED or (
            isinstance(o, Literal) and (str(s).startswith(ID) or (o.datatype and str(o.datatype) in UNSUPPORTED))
        ):
            continue
        out.add((s, p, o))
        if p == RDF.type and isinstance(s, URIRef) and str(s).startswith(ID):
            out.add((s, RDF.type, OWL.NamedIndividual))
    return out


def _run_hermit(graph: Graph) -> tuple[bool, Graph, str]:
    """Load into a fresh owlready2 world, state that distinct actors are different, run HermiT."""
    world = o2.World()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.nt"
        path.write_bytes(graph.serialize(format="nt", encoding="utf-8"))
        onto = world.get_ontology(path.as_uri()).load(format="ntriples")
    distinct = [world[str(s)] for cls in DISTINCT_CLASSES for s in graph.subjects(RDF.type, cls)]
    distinct = [d for d in distinct if d is not None]
    inferred_onto = world.get_ontology(INFERRED_ONTOLOGY)
    if len(distinct) > 1:
        with onto:
            o2.AllDifferent(distinct)
    try:
        with inferred_onto:
            o2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
    except o2.OwlReadyInconsistentOntologyError:
        return False, Graph(), "the graph is inconsistent with the ontology"
    except o2.OwlReadyJavaError as exc:
        raise BuildError(
            f"HermiT failed: {str(exc).splitlines()[1] if len(str(exc).splitlines()) > 1 else exc} "
            "(hint: is Java installed? `java -version`)"
        ) from None
    inferred = Graph()
    for s, p, o in inferred_onto.get_triples():
        if s < 0 or p < 0 or not isinstance(o, int) or o < 0:
            continue
        triple = (URIRef(world._unabbreviate(s)), URIRef(world._unabbreviate(p)), URIRef(world._unabbreviate(o)))
        if any("owlapi" in str(t) for t in triple) or not str(triple[0]).startswith(ID):
            continue
        if triple not in graph:
            inferred.add(triple)
    # inverse values: owlready2 answers them from its model; materialise those not asserted
    for prop, inverse in INVERSES:
        for s, o in graph.subject_objects(prop):
            if (o, inverse, s) not in graph:
                inferred.add((o, inverse, s))
    return True, inferred, ""


def _record_groups(graph: Graph) -> dict[str, Graph]:
    """Triples grouped by owning record (a record IRI and its sub-resources); context triples under ''."""
    owners = {str(s): str(graph.value(s, CN.recordId)) for s in graph.subjects(CN.recordId, None)}
    other = {str(s) for cls in OTHER_RECORD_CLASSES for s in graph.subjects(RDF.type, cls)}
    context_types = {str(s) for cls in DISTINCT_CLASSES for s in graph.subjects(RDF.type, cls)} - other
    record_iris = set(owners) - context_types
    groups: dict[str, Graph] = {"": Graph()}
    for triple in graph:
        subject = str(triple[0])
        group = ""
        if subject.startswith(ID) and subject not in context_types:
            record = owner(subject, record_iris)
            if record is not None:
                group = owners[record]
        groups.setdefault(group, Graph()).add(triple)
    return groups


def find_culprits(graph: Graph, *, check: Callable[[Graph], bool] | None = None) -> list[str]:
    """A small set of records whose triples (with the context: ontology, codebook, states, organisations)
    make the graph inconsistent, by bisection and then removal."""
    consistent = check or (lambda g: _run_hermit(reasoning_input(g))[0])
    groups = _record_groups(graph)
    context = groups.pop("")

    def inconsistent(ids: list[str]) -> bool:
        union = Graph()
        union += context
        for rid in ids:
            union += groups[rid]
        return not consistent(union)

    if not inconsistent([]):
        candidates = sorted(groups)
        while len(candidates) > 1:
            half = len(candidates) // 2
            if inconsistent(candidates[:half]):
                candidates = candidates[:half]
            elif inconsistent(candidates[half:]):
                candidates = candidates[half:]
            else:
                keep = list(candidates)
                for rid in list(keep):
                    trial = [x for x in keep if x != rid]
                    if inconsistent(trial):
                        keep = trial
                return keep
        return candidates
    return ["(context: ontology, codebook, states or organisations)"]


def reason(graph: Graph, *, explain: bool = True) -> ReasonResult:
    """Run HermiT over the graph; on inconsistency, name the culprit records."""
    logging.getLogger("owlready2").setLevel(logging.ERROR)
    start = time.perf_counter()
    data = reasoning_input(graph)
    consistent, inferred, message = _run_hermit(data)
    result = ReasonResult(consistent, inferred, [], 0.0, message)
    if not consistent and explain:
        result.culprits = find_culprits(graph)
    result.seconds = time.perf_counter() - start
    return result
