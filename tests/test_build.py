"""The built graph: deterministic, parseable by an independent parser, SHACL-clean, and failures leave no trace."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.errors import BuildError, ValidationFailed
from kg.pipeline.build import BuildResult, build, ensure_built
from kg.pipeline.manifest import DamagedBuild, verify_built
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
    listing = sorted(p.name for p in out.iterdir())
    (data / "event.yaml").write_text("id: ev-x\ntype: event\ndate: 2023-02-30\n", encoding="utf-8")
    with pytest.raises(ValidationFailed):
        build(data=[data], out=out)
    assert {name: (out / name).read_bytes() for name in before} == before
    assert sorted(p.name for p in out.iterdir()) == listing


def test_unwritable_output_is_a_clean_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(BuildError, match="cannot write"):
        build(data=[EXAMPLES / "valid"], out=blocker / "sub")


def test_every_real_record_has_a_source(graph: Graph) -> None:
    q = (ROOT / "tests" / "sparql" / "record-without-source.rq").read_text(encoding="utf-8")
    assert list(graph.query(q)) == []


# ---------------------------------------------------------------- fast paths give what rdflib and pyshacl give


def test_ntriples_rows_are_rdflibs_sorted_canonical_ntriples(built: BuildResult) -> None:
    from rdflib.compare import to_canonical_graph

    nt = next(p for p in built.files if p.suffix == ".nt").read_bytes()
    lines = to_canonical_graph(Graph().parse(data=nt, format="nt")).serialize(format="nt", encoding="utf-8")
    assert nt == b"\n".join(sorted(line for line in lines.splitlines() if line.strip())) + b"\n"


def test_compiled_shapes_find_what_pyshacl_finds(tmp_path: Path) -> None:
    from rdflib import Literal as L

    g = build(data=[EXAMPLES / "valid"], out=tmp_path).graph
    g.add((ID["instrument/ru-cn-2015"], CN.party, ID["state/US"]))
    g.remove((ID["state/RU"], CN.iso3166Alpha3, None))
    g.add((ID["state/CN"], CN.iso3166Alpha3, L("chn")))
    g.add((ID["state/CN"], CN.status, L("maybe")))
    g.add((ID["state/CN"], CN.unMember, L("yes")))
    sparql = [(v.focus, v.path) for v in check_shapes(g, engine="sparql")]
    assert sparql == [(v.focus, v.path) for v in check_shapes(g, engine="pyshacl")]
    assert len(sparql) == 8


def test_each_shape_screen_returns_a_row_iff_one_of_its_checks_does(tmp_path: Path) -> None:
    from rdflib import Literal as L

    from kg.paths import SHAPES
    from kg.pipeline.build import load_store
    from kg.pipeline.export import ntriples
    from kg.pipeline.shapes import compile_shapes

    g = build(data=[EXAMPLES / "valid"], out=tmp_path).graph
    g.add((ID["instrument/ru-cn-2015"], CN.party, ID["state/US"]))
    g.remove((ID["state/RU"], CN.iso3166Alpha3, None))
    g.add((ID["state/CN"], CN.status, L("maybe")))
    g.add((ID["state/CN"], CN.recordId, L("CN2")))
    store = load_store(ntriples(g))
    verdicts = [
        (bool(list(store.query(shape.screen))), any(list(store.query(c.query)) for c in shape.checks))
        for shape in compile_shapes(SHAPES)
    ]
    assert all(screen == checks for screen, checks in verdicts)
    assert sum(screen for screen, _ in verdicts) == 3  # bilateral, state, identified


# ---------------------------------------------------------------- build integrity (#20)


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from kg.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


@pytest.fixture
def small_build(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    build(data=[EXAMPLES / "valid"], out=out)
    return out


def test_build_writes_a_manifest_of_every_file(small_build: Path) -> None:
    import hashlib
    import json

    from kg import __version__

    manifest = json.loads((small_build / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["dataset_version"] == __version__
    assert sorted(manifest["files"]) == ["cybernorms.nt", "cybernorms.ttl"]
    for name, entry in manifest["files"].items():
        data = (small_build / name).read_bytes()
        assert entry == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert manifest["data_sha256"] == manifest["files"]["cybernorms.nt"]["sha256"]
    assert verify_built(small_build / "cybernorms.nt").data_sha256 == manifest["data_sha256"]


@pytest.mark.parametrize("damage", ["truncated", "appended", "edited", "no-manifest", "missing-ttl"])
def test_damaged_build_is_refused_with_one_message(small_build: Path, damage: str) -> None:
    nt = small_build / "cybernorms.nt"
    data = nt.read_bytes()
    target = small_build / "current" / "cybernorms.nt"
    if damage == "truncated":
        target.write_bytes(data[: len(data) // 2])
    elif damage == "appended":
        target.write_bytes(data + b"<urn:a> <urn:b> <urn:c> .\n")
    elif damage == "edited":  # same size, one label changed
        target.write_bytes(data.replace(b'"Russian Federation"@en', b'"Russian Federatiox"@en', 1))
        assert target.stat().st_size == len(data)
    elif damage == "no-manifest":
        (small_build / "current" / "manifest.json").unlink()
    else:
        (small_build / "current" / "cybernorms.ttl").unlink()
    with pytest.raises(DamagedBuild, match=r"the built graph is damaged or stale: run `cnkg build`"):
        verify_built(nt)
    with pytest.raises(DamagedBuild):
        ensure_built(nt)
    result = _cli("query", "actors", "-f", "csv", "--graph", str(nt), cwd=small_build.parent)
    assert result.returncode == 1, result.stdout
    assert "the built graph is damaged or stale: run `cnkg build`" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


def test_a_build_from_another_version_is_stale(small_build: Path) -> None:
    import json

    path = small_build / "current" / "manifest.json"
    body = json.loads(path.read_text(encoding="utf-8"))
    body["dataset_version"] = "0.0.1"
    path.write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(DamagedBuild, match=r"dataset version 0\.0\.1"):
        verify_built(small_build / "cybernorms.nt")


def test_killed_between_renames_leaves_a_consistent_set(
    small_build: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kill a build that changes the data at each rename of the switch: the visible set stays the old one, whole;
    a build that completes shows the new one, whole."""
    from kg.pipeline import manifest as mf

    data = tmp_path / "data"
    shutil.copytree(EXAMPLES / "valid", data)
    event = data / "event.yaml"
    event.write_text(event.read_text(encoding="utf-8").replace("title: Russia", "title: Changed, Russia"), "utf-8")
    old = {p.name: p.read_bytes() for p in small_build.iterdir() if p.is_file()}
    real_rename, real_replace = os.rename, os.replace
    for step in range(2):  # the generation's rename, then the pointer's
        calls = {"n": 0}

        def dies(src: str, dst: str, *, step: int = step, real: object = real_rename, calls: dict = calls) -> None:
            calls["n"] += 1
            if calls["n"] > step:
                raise KeyboardInterrupt  # the process dies here
            real(src, dst)  # type: ignore[operator]

        monkeypatch.setattr(mf.os, "rename", dies)
        monkeypatch.setattr(mf.os, "replace", lambda s, d, dies=dies: dies(s, d, real=real_replace))
        with pytest.raises(KeyboardInterrupt):
            build(data=[data], out=small_build)
        monkeypatch.undo()
        assert calls["n"] == step + 1
        verify_built(small_build / "cybernorms.nt", check_all=True)
        assert {p.name: p.read_bytes() for p in small_build.iterdir() if p.is_file()} == old
    build(data=[data], out=small_build)
    verify_built(small_build / "cybernorms.nt", check_all=True)
    new = {p.name: p.read_bytes() for p in small_build.iterdir() if p.is_file()}
    assert sorted(new) == sorted(old) and all(new[n] != old[n] for n in old)


def test_stale_temporary_folders_are_swept(small_build: Path) -> None:
    dead = small_build / ".tmp-999999999-abc"  # no such process
    dead.mkdir()
    (dead / "cybernorms.nt").write_bytes(b"half")
    build(data=[EXAMPLES / "valid"], out=small_build)
    assert not dead.exists()
    gens = [p for p in small_build.iterdir() if p.name.startswith(".gen-")]
    assert 1 <= len(gens) <= 2 and not [p for p in small_build.iterdir() if p.name.startswith(".tmp-")]


def test_store_loaded_from_the_file_holds_every_triple(built: BuildResult) -> None:
    import kg.pipeline.build as pipeline_build

    nt = next(p for p in built.files if p.suffix == ".nt")
    from_file = pipeline_build.load_store(path=nt)  # parsed from the file, as a build does
    whole = pipeline_build.load_store(nt.read_bytes())
    assert len(from_file) == len(whole) == built.triples
    ask = "ASK { ?list <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> ?x ; ?p ?y . ?owner ?q ?list }"
    assert from_file.query(ask) and whole.query(ask)  # blank nodes still link the rows that name them
    canon = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(!isBlank(?s) && !isBlank(?o)) }"
    assert {tuple(map(str, r)) for r in from_file.query(canon)} == {tuple(map(str, r)) for r in whole.query(canon)}
    blank = "SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { { ?b ?p ?o } UNION { ?s ?p ?b } FILTER(isBlank(?b)) }"
    assert list(from_file.query(blank)) == list(whole.query(blank))
