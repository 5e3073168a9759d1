"""Reasoning with owlready2 + HermiT: deliberate inconsistencies are caught and named; inferences appear
and are kept apart from the asserted graph; QC violations stop the build and name the culprit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import RDF

from kg.errors import BuildError
from kg.pipeline.build import BuildResult, build
from kg.pipeline.reason import reason
from kg.pipeline.to_rdf import ID
from kg.vocab import CN

from .conftest import EXAMPLES


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    return build(data=[EXAMPLES / "valid"], out=tmp_path_factory.mktemp("ex")).graph


def test_real_graph_is_consistent_with_expected_inferences(built: BuildResult) -> None:
    result = reason(built.graph)
    assert result.consistent, result.culprits
    inferred = result.inferred
    # inverse: Russia is party to its agreement with China
    assert (ID["state/RU"], CN.partyTo, ID["instrument/ru-cn-2015"]) in inferred
    # property chain: a member of the SCO is covered by the SCO's 2009 agreement
    assert (ID["state/KZ"], CN.coveredByFramework, ID["instrument/sco-2009"]) in inferred
    # asserted and inferred stay apart
    assert not any(t in built.graph for t in inferred)


def test_bilateral_with_three_parties_is_inconsistent_and_named(examples: Graph) -> None:
    bad = Graph()
    bad += examples
    bad.add((ID["instrument/ru-cn-2015"], CN.party, ID["state/US"]))
    result = reason(bad)
    assert not result.consistent
    assert result.culprits == ["ru-cn-2015"]


def test_disjoint_classes_violation_is_named(examples: Graph) -> None:
    bad = Graph()
    bad += examples
    bad.add((ID["event/ev-2015-ru-cn"], RDF.type, CN.State))
    result = reason(bad)
    assert not result.consistent
    assert result.culprits == ["ev-2015-ru-cn"]


def test_instrument_as_party_is_inconsistent(examples: Graph) -> None:
    bad = Graph()
    bad += examples
    bad.add((ID["instrument/ru-cn-2015"], CN.party, ID["resolution/a-res-73-27"]))
    result = reason(bad)
    assert not result.consistent
    assert "ru-cn-2015" in result.culprits


def test_build_with_reason_writes_inferred_file_apart(tmp_path: Path) -> None:
    result = build(data=[EXAMPLES / "valid"], out=tmp_path, reason=True)
    names = sorted(p.name for p in result.files)
    assert names == ["cybernorms-inferred.nt", "cybernorms-inferred.ttl", "cybernorms.nt", "cybernorms.ttl"]
    inferred = Graph().parse(tmp_path / "cybernorms-inferred.nt")
    assert (ID["state/RU"], CN.memberOf, ID["organisation/sco"]) in result.graph
    assert (ID["organisation/sco"], CN.hasMember, ID["state/RU"]) in inferred


def test_qc_violation_stops_the_build_and_names_the_record(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(EXAMPLES / "valid", data)
    text = (data / "organisation.yaml").read_text(encoding="utf-8")
    (data / "organisation.yaml").write_text(
        text.replace("{member: RU, from: 2001-06-15}", "{member: RU, from: 1990-01-01}"), encoding="utf-8"
    )
    with pytest.raises(BuildError, match=r"membership-before-founding-violation.*org=sco, member=RU"):
        build(data=[data], out=tmp_path / "out")
    assert not (tmp_path / "out" / "cybernorms.nt").exists()
