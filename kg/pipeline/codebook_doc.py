"""Render the SKOS codebook (ontology/codebook.ttl) as Markdown: ontology/CODEBOOK.md is generated, not edited."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from kg.paths import CODEBOOK
from kg.vocab import CN, ID

SCHEME = ID + "scheme/"


def _text(graph: Graph, node: URIRef, prop: URIRef) -> str:
    value = graph.value(node, prop)
    return "" if value is None else str(value)


def render_codebook(path: Path = CODEBOOK) -> str:
    """Issues, scales (with ordinals) and coding rules as Markdown."""
    g = Graph().parse(path, format="turtle")
    issues = URIRef(SCHEME + "issues")
    lines = [
        "<!-- Generated from ontology/codebook.ttl by `cnkg codebook`; edit the Turtle, not this file. -->",
        "# Codebook",
        "",
        "## Coding rules",
        "",
        _text(g, issues, SKOS.scopeNote),
        "",
        "## Issues",
        "",
        "| id | issue | definition | coded on |",
        "| --- | --- | --- | --- |",
    ]
    for concept in sorted(g.objects(issues, SKOS.hasTopConcept), key=str):
        assert isinstance(concept, URIRef)
        scale = g.value(concept, CN.scale)
        scale_label = _text(g, URIRef(str(scale)), SKOS.prefLabel) if scale is not None else ""
        lines.append(
            f"| `{_text(g, concept, SKOS.notation)}` | {_text(g, concept, SKOS.prefLabel)} | "
            f"{_text(g, concept, SKOS.definition)} | {scale_label} |"
        )
    lines += ["", "### Scope of each issue", ""]
    for concept in sorted(g.objects(issues, SKOS.hasTopConcept), key=str):
        assert isinstance(concept, URIRef)
        lines.append(f"- `{_text(g, concept, SKOS.notation)}`:")
        for note in sorted(str(n) for n in g.objects(concept, SKOS.scopeNote)):
            lines.append(f"  - {note}")
        for note in sorted(str(n) for n in g.objects(concept, SKOS.example)):
            lines.append(f"  - Example: {note}")
        for note in sorted(str(n) for n in g.objects(concept, SKOS.changeNote)):
            lines.append(f"  - Change: {note}")
    for scheme_id in ("stance-scale", "practice-scale"):
        scheme = URIRef(SCHEME + scheme_id)
        lines += [
            "",
            f"## {_text(g, scheme, SKOS.prefLabel)}",
            "",
            _text(g, scheme, SKOS.definition),
            "",
            "| ordinal | id | label (as printed in tables) | definition |",
            "| --- | --- | --- | --- |",
        ]
        stances = sorted(g.objects(scheme, SKOS.hasTopConcept), key=lambda c: int(str(g.value(c, CN.ordinal) or 0)))
        for stance in stances:
            assert isinstance(stance, URIRef)
            lines.append(
                f"| {_text(g, stance, CN.ordinal)} | `{_text(g, stance, SKOS.notation)}` | "
                f"{_text(g, stance, CN.printedLabel)} | {_text(g, stance, SKOS.definition)} |"
            )
    lines += [
        "",
        "## Forums that are not records",
        "",
        "A position's `forum` is a process or organisation id, or one of these:",
        "",
    ]
    forums = URIRef(SCHEME + "forums")
    for concept in sorted(g.objects(forums, SKOS.hasTopConcept), key=str):
        assert isinstance(concept, URIRef)
        lines.append(
            f"- `{_text(g, concept, SKOS.notation)}`: {_text(g, concept, SKOS.prefLabel)}. "
            f"{_text(g, concept, SKOS.definition)}"
        )
    for scheme_id in ("evidence-basis", "quote-kinds", "source-tiers", "date-precisions"):
        scheme = URIRef(SCHEME + scheme_id)
        lines += ["", f"## {_text(g, scheme, SKOS.prefLabel)}", "", _text(g, scheme, SKOS.definition), ""]
        concepts = g.objects(scheme, SKOS.hasTopConcept)
        ordered = sorted(concepts, key=lambda c: (str(g.value(c, CN.ordinal) or ""), str(c)))
        for concept in ordered:
            assert isinstance(concept, URIRef)
            lines.append(
                f"- `{_text(g, concept, SKOS.notation)}`: {_text(g, concept, SKOS.prefLabel)}. "
                f"{_text(g, concept, SKOS.definition)}"
            )
    rules = URIRef(SCHEME + "derivation-rules")
    lines += ["", "## Derivation rules", "", _text(g, rules, SKOS.definition)]
    for rule in sorted(g.objects(rules, SKOS.hasTopConcept), key=str):
        assert isinstance(rule, URIRef)
        lines += ["", f"### `{_text(g, rule, SKOS.notation)}`: {_text(g, rule, SKOS.prefLabel)}", "",
                  _text(g, rule, SKOS.definition), ""]
        lines += [f"- {note}" for note in sorted(str(n) for n in g.objects(rule, SKOS.scopeNote))]
    return "\n".join(lines) + "\n"
