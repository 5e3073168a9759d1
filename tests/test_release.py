"""Releases: byte-reproducible, self-describing, never overwritten; `diff` reports exactly what changed."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import Namespace

from kg.errors import KGError
from kg.pipeline.build import build
from kg.publish.diff import changelog, diff
from kg.publish.release import release

from .conftest import EXAMPLES, ROOT

VOID = Namespace("http://rdfs.org/ns/void#")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return release(version="9.9.9", out=tmp_path_factory.mktemp("rel"), date="2026-01-01")


def test_two_releases_of_the_same_commit_are_byte_identical(bundle: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    code = "from kg.cli import main; main()"
    subprocess.run(
        [sys.executable, "-c", code, "release", "--version", "9.9.9", "--out", str(tmp_path), "--date", "2026-01-01"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    other = tmp_path / bundle.name
    first = sorted(p.relative_to(bundle) for p in bundle.rglob("*") if p.is_file())
    second = sorted(p.relative_to(other) for p in other.rglob("*") if p.is_file())
    assert first == second
    for rel in first:
        assert (bundle / rel).read_bytes() == (other / rel).read_bytes(), rel


def test_bundle_has_every_artefact(bundle: Path) -> None:
    for name in (
        "cybernorms.ttl",
        "cybernorms.nt",
        "cybernorms.jsonld",
        "ontology/cybernorms.ttl",
        "ontology/shapes.ttl",
        "ontology/codebook.ttl",
        "README.md",
        "CITATION.cff",
        "cybernorms.bib",
        "void.ttl",
        "schema-org.jsonld",
        "CHANGES.md",
        "SHA256SUMS",
        "tables/table4-positions.csv",
    ):
        assert (bundle / name).is_file(), name


def test_checksums_cover_every_file_and_match(bundle: Path) -> None:
    listed = {}
    for line in (bundle / "SHA256SUMS").read_text(encoding="utf-8").splitlines():
        digest, rel = line.split("  ", 1)
        listed[rel] = digest
    files = {str(p.relative_to(bundle)) for p in bundle.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert set(listed) == files
    for rel, digest in listed.items():
        assert hashlib.sha256((bundle / rel).read_bytes()).hexdigest() == digest


def test_metadata_parses_and_counts_match_the_graph(bundle: Path) -> None:
    graph = Graph().parse(bundle / "cybernorms.nt")
    assert isomorphic(graph, Graph().parse(bundle / "cybernorms.jsonld", format="json-ld"))
    assert isomorphic(graph, Graph().parse(bundle / "cybernorms.ttl"))
    void = Graph().parse(bundle / "void.ttl")
    assert next(void.objects(None, VOID.triples)) == Literal(len(graph))
    assert next(void.objects(None, VOID.entities)) == Literal(len(set(graph.subjects())))
    schema = json.loads((bundle / "schema-org.jsonld").read_text(encoding="utf-8"))
    assert schema["@type"] == "Dataset" and schema["version"] == "9.9.9"
    assert {"name": "triples", "value": len(graph), "@type": "PropertyValue"} in schema["variableMeasured"]
    cff = yaml.safe_load((bundle / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["type"] == "dataset" and cff["version"] == "9.9.9" and cff["date-released"] == "2026-01-01"
    assert "version      = {9.9.9}" in (bundle / "cybernorms.bib").read_text(encoding="utf-8")


def test_query_csv_names_the_version(bundle: Path) -> None:
    first = (bundle / "tables" / "timeline.csv").read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# Cyber Norms Knowledge Graph, version 9.9.9 (data sha256 ")
    assert "; query timeline (sha256 " in first


def test_release_never_overwrites(bundle: Path) -> None:
    before = (bundle / "SHA256SUMS").read_bytes()
    with pytest.raises(KGError, match="never overwritten"):
        release(version="9.9.9", out=bundle.parent, date="2026-01-01")
    assert (bundle / "SHA256SUMS").read_bytes() == before


def test_bad_version_is_refused(tmp_path: Path) -> None:
    with pytest.raises(KGError, match=r"is not X\.Y\.Z"):
        release(version="v1", out=tmp_path, date="2026-01-01")
    assert list(tmp_path.iterdir()) == []


def test_diff_reports_exactly_the_known_changes(tmp_path: Path) -> None:
    old_data, new_data = tmp_path / "old", tmp_path / "new"
    shutil.copytree(EXAMPLES / "valid", old_data)
    shutil.copytree(EXAMPLES / "valid", new_data)
    (new_data / "event.yaml").unlink()  # removed: ev-2015-ru-cn
    position = yaml.safe_load((new_data / "position.yaml").read_text(encoding="utf-8"))
    position[0]["confidence"] = "medium"  # changed: pos-ru-cyber-sovereignty-2025
    (new_data / "position.yaml").write_text(yaml.safe_dump(position), encoding="utf-8")
    (new_data / "added.yaml").write_text(  # added: ev-2016
        "id: ev-2016\ntype: event\ndate: 2016\ntitle: Added\nkind: other\nsources: [{url: https://example.org}]\n",
        encoding="utf-8",
    )
    old = build(data=[old_data], out=tmp_path / "b1").graph
    new = build(data=[new_data], out=tmp_path / "b2").graph
    d = diff(old, new)
    assert dict(d.added) == {"event": ["ev-2016"]}
    assert dict(d.removed) == {"event": ["ev-2015-ru-cn"]}
    assert dict(d.changed) == {"position": ["pos-ru-cyber-sovereignty-2025"]}
    text = changelog(d, old="a", new="b")
    assert "### Added (1)" in text and "- event (1): ev-2016" in text
    assert not diff(old, old).added and diff(old, old).empty


def _cited(line: str) -> tuple[str, str]:
    """(query sha256 prefix, data sha256 prefix) from a citation line."""
    import re

    query = re.search(r"query \S+ \(sha256 ([0-9a-f]{12})\)", line)
    data = re.search(r"data sha256 ([0-9a-f]{12})", line)
    assert query and data, line
    return query.group(1), data.group(1)


def test_one_citation_for_a_query_in_cli_explorer_and_release(bundle: Path, graph_file: Path) -> None:
    from kg.explore import results
    from kg.sparql.library import resolve
    from kg.sparql.query import backend_for, run

    released = (bundle / "tables" / "actors.csv").read_text(encoding="utf-8").splitlines()[0]
    cli = subprocess.run(
        [sys.executable, "-c", "from kg.cli import main; main()", "query", "actors", "-f", "csv",
         "--graph", str(graph_file)],
        cwd=ROOT, check=True, capture_output=True, text=True, timeout=300,
    ).stdout.splitlines()[0]
    table = run(resolve("actors"), backend_for(graph=graph_file, isolate=False))
    explorer = results.export(table, "csv", name="actors").decode("utf-8").splitlines()[0]
    assert _cited(released) == _cited(cli) == _cited(explorer)
    # a different parameter binding is a different query text, so a different hash
    other = results.export(table, "csv", name="state-voting-record", params={"state": ["US"]}).decode("utf-8")
    assert _cited(other.splitlines()[0])[0] != _cited(cli)[0]
