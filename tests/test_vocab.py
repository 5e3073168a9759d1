"""The closed namespace mirrors the ontology; the codebook is complete."""

from __future__ import annotations

import subprocess
import sys

import pytest
from rdflib import Graph
from rdflib.namespace import RDFS, SKOS

from kg.paths import CODEBOOK, ONTOLOGY
from kg.pipeline.codebook import load_codebook
from kg.vocab import CN

from .conftest import ROOT


def test_vocab_lists_exactly_the_ontology_terms() -> None:
    g = Graph().parse(ONTOLOGY)
    ns = str(CN._NS)
    in_ontology = {str(s)[len(ns) :] for s in g.subjects() if str(s).startswith(ns)}
    assert set(CN.__annotations__) == in_ontology


def test_misspelt_term_fails() -> None:
    with pytest.raises(AttributeError):
        _ = CN.partyy


def test_every_term_has_label_and_definition() -> None:
    g = Graph().parse(ONTOLOGY)
    for name in CN.__annotations__:
        term = CN[name]
        assert g.value(term, SKOS.definition) is not None, name
        assert g.value(term, RDFS.label) is not None, name


def test_codebook_issues_have_definitions_and_scales() -> None:
    cb = load_codebook()
    g = Graph().parse(CODEBOOK)
    assert len(cb.issues) >= 8
    for issue in cb.issues:
        concept = next(s for s in g.subjects(SKOS.notation, None) if str(s).endswith(f"/issue/{issue}"))
        assert g.value(concept, SKOS.definition) is not None
        assert cb.issue_scale[issue] in cb.scale_stances


def test_stance_scale_is_ordinal_and_complete() -> None:
    cb = load_codebook()
    assert cb.scale_stances["stance-scale"] == {
        "strongly-opposes",
        "opposes",
        "cautious",
        "mixed",
        "supports",
        "strongly-supports",
        "leads",
    }
    assert {"Strongly Supports", "Opposes", "Mixed", "Leads", "Cautious", "Extensive", "Limited"} <= set(
        cb.stance_labels
    )


def test_vocab_is_generated_from_the_ontology() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "gen_vocab.py"), "--check"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
