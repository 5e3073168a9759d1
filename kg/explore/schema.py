"""The SPARQL page's aids: the prefix block of the ontology and the codebook, and a schema diagram generated
from the ontology (classes, and object properties from domain to range), as Graphviz DOT drawn offline."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rdflib import OWL, RDF, RDFS, Graph, URIRef

from kg.paths import CODEBOOK, ONTOLOGY
from kg.vocab import CN, PREFIXES

_PREFIX_LINE = re.compile(r"^@prefix\s+([\w-]*):\s*<([^>]+)>\s*\.\s*$")
DATES_HELP = (
    "Dates in the graph are as precise as the sources: a day, a month or a year. Each dated field keeps the "
    "literal as written (`cn:date`, `cn:signedOn`, ... as `xsd:date`, `xsd:gYearMonth` or `xsd:gYear`) and a "
    "`cn:DateInterval` (via `cn:hasDate`) with `cn:earliestDay` and `cn:latestDay` (both `xsd:date`) and its "
    "`cn:datePrecision`. Compare and sort on the interval, never on the literal: e.g. "
    '`?x cn:earliestDay ?from . FILTER (?from >= "2015-01-01"^^xsd:date)`; a year-only date like 2015 spans '
    "2015-01-01 .. 2015-12-31, so 'before 2016' is `cn:latestDay < \"2016-01-01\"^^xsd:date`. `STR(?d)` gives "
    "the literal as written (e.g. to show it)."
)


def codebook_prefixes(path: Path = CODEBOOK) -> dict[str, str]:
    """The `@prefix` lines of the codebook (issue:, stance:, basis:, ...)."""
    out: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = _PREFIX_LINE.match(line.strip())
        if m:
            out[m.group(1)] = m.group(2)
    return out


def prefix_block(*, codebook: Path = CODEBOOK) -> str:
    """PREFIX lines for the ontology (kg.vocab.PREFIXES) and the codebook's namespaces, one per prefix.

    >>> "PREFIX issue: <https://w3id.org/cybernorms/id/issue/>" in prefix_block()
    True
    """
    merged = dict(PREFIXES)
    for name, iri in codebook_prefixes(codebook).items():
        merged.setdefault(name, iri)
    return "\n".join(f"PREFIX {name}: <{iri}>" for name, iri in merged.items()) + "\n"


def with_prefixes(text: str, *, codebook: Path = CODEBOOK) -> str:
    """The query with the prefix block in front, leaving out prefixes it already declares."""
    declared = set(re.findall(r"(?im)^\s*PREFIX\s+([\w-]*):", text))
    block = [line for line in prefix_block(codebook=codebook).splitlines() if line.split()[1][:-1] not in declared]
    return ("\n".join(block) + "\n" if block else "") + text


def _local(iri: URIRef) -> str:
    text = str(iri)
    if text.startswith(str(CN._NS)):
        return "cn:" + text[len(str(CN._NS)) :]
    for name, ns in PREFIXES.items():
        if text.startswith(ns):
            return f"{name}:{text[len(ns) :]}"
    return text


@lru_cache(maxsize=2)
def schema_dot(path: Path = ONTOLOGY) -> str:
    """Graphviz DOT of the ontology: a box per class of the cn: namespace, an arrow per object property with a
    declared domain and range, dashed arrows with an open head for subclass links."""
    g = Graph().parse(path, format="turtle")
    ns = str(CN._NS)
    classes = sorted(str(c) for c in g.subjects(RDF.type, OWL.Class) if str(c).startswith(ns))
    lines = [
        "digraph schema {",
        '  graph [rankdir=LR, fontsize=10, bgcolor="transparent", overlap=false];',
        '  node [shape=box, style="rounded,filled", fillcolor="#eef3fa", fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=8, color="#7f7f7f"];',
    ]
    lines += [f'  "{_local(URIRef(c))}";' for c in classes]
    edges: set[tuple[str, str, str, str]] = set()
    for prop in g.subjects(RDF.type, OWL.ObjectProperty):
        for dom in g.objects(prop, RDFS.domain):
            for rng in g.objects(prop, RDFS.range):
                if isinstance(dom, URIRef) and isinstance(rng, URIRef):
                    edges.add((_local(dom), _local(rng), _local(URIRef(str(prop))), "solid"))
    for sub, sup in g.subject_objects(RDFS.subClassOf):
        if isinstance(sub, URIRef) and isinstance(sup, URIRef) and str(sub).startswith(ns):
            edges.add((_local(sub), _local(sup), "subClassOf", "dashed"))
    for a, b, label, style in sorted(edges):
        if style == "dashed":  # subclass: an open arrowhead, no label (the caption explains it)
            lines.append(f'  "{a}" -> "{b}" [tooltip="subClassOf", arrowhead=empty, style=dashed];')
        else:
            lines.append(f'  "{a}" -> "{b}" [label="{label}", style={style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"
