"""The built graph: deterministic, parseable by an independent parser, SHACL-clean, and failures leave no trace."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.errors import BuildError, ValidationFailed
from kg.pipeline.build import BuildResult, build
from kg.pipeline.shapes import check_shapes
from kg.pipeline.to_rdf import ID
from kg.vocab import CN

from .conftest import EXAMPLES, ROOT


def test_turtle_and_ntriples_are_the_same_graph(built: BuildResult) -> None:
    ttl, nt = (Graph().parse(p) for p in sorted(built.files))
    assert len(ttl) == len(built.graph) > 1000
    assert isomorphic(ttl, nt)
    assert isomorphic(ttl, built.graph)


def test_independent_parser_accepts_output(built: BuildResult) -> None:
    for path in built.files:
        fmt = pyoxigraph.RdfFormat.TURTLE if path.suffix == ".ttl" else pyoxigraph.RdfFormat.N_TRIPLES
        quads = list(pyoxigraph.parse(path=str(path), format=fmt))
        assert len(quads) == len(built.graph)


def test_build_is_byte_identical(tmp_path: Path, built: BuildResult) -> None:
    again = build(out=tmp_path)
    for first, second in zip(sorted(built.files), sorted(again.files), strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_examples_graph_has_expected_facts(tmp_path: Path) -> None:
    result = build(data=[EXAMPLES / "valid"], out=tmp_path)
    g = result.graph
    agreement = ID["instrument/ru-cn-2015"]
    assert set(g.objects(agreement, CN.party)) == {ID["state/RU"], ID["state/CN"]}
    assert g.value(agreement, CN.signedOn) == Literal(
        "2015-05-08", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")
    )
    vote = URIRef(f"{ID['vote-record/vote-a-res-73-27-plenary']}/NO")
    assert g.value(vote, CN.choice) == ID["vote-choice/absent"]
    assert g.value(ID["position/pos-ru-cyber-sovereignty-2025"], CN.stance) == ID["stance/strongly-supports"]
    assert not any(isinstance(node, type(None)) for node in g.all_nodes())


def test_shapes_catch_a_bilateral_with_three_parties(graph: Graph) -> None:
    broken = Graph()
    broken += graph
    broken.add((ID["instrument/ru-cn-2015"], CN.party, ID["state/US"]))
    violations = check_shapes(broken)
    assert [v.focus for v in violations] == ["ru-cn-2015"]
    assert "two parties" in violations[0].message


def test_failed_build_leaves_previous_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    data = tmp_path / "data"
    shutil.copytree(EXAMPLES / "valid", data)
    first = build(data=[data], out=out)
    before = {p.name: p.read_bytes() for p in first.files}
    (data / "event.yaml").write_text("id: ev-x\ntype: event\ndate: 2023-02-30\n", encoding="utf-8")
    with pytest.raises(ValidationFailed):
        build(data=[data], out=out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_unwritable_output_is_a_clean_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(BuildError, match="cannot write"):
        build(data=[EXAMPLES / "valid"], out=blocker / "sub")


def test_every_real_record_has_a_source(graph: Graph) -> None:
    q = (ROOT / "tests" / "sparql" / "record-without-source.rq").read_text(encoding="utf-8")
    assert list(graph.query(q)) == []
