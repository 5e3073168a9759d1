"""Releases: byte-reproducible, self-describing, never overwritten; `diff` reports exactly what changed."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import FOAF, RDF, Namespace

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


# --- linked-data metadata (#18): DCAT 3 / VoID, schema.org, Zenodo, CITATION.cff, w3id rules -------------------

DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SCHEMA = Namespace("http://schema.org/")
METADATA = ("void.ttl", "schema-org.jsonld", ".zenodo.json", "CITATION.cff", "README.md", "cybernorms.bib")
IANA = "https://www.iana.org/assignments/media-types/"


def test_metadata_names_no_loopback_and_no_endpoint_unless_given(bundle: Path) -> None:
    for name in METADATA:
        text = (bundle / name).read_text(encoding="utf-8")
        assert "127.0.0.1" not in text and "localhost" not in text, name
    void = Graph().parse(bundle / "void.ttl")
    assert not list(void.objects(None, VOID.sparqlEndpoint))
    assert not (bundle / "w3id").exists()  # the rules need an endpoint and an explorer


def test_a_loopback_endpoint_is_refused_before_anything_is_built(tmp_path: Path) -> None:
    with pytest.raises(KGError, match="loopback"):
        release(version="1.0.0", out=tmp_path, date="2026-01-01", endpoint="http://127.0.0.1:7878/query")
    with pytest.raises(KGError, match="not a public http"):
        release(version="1.0.0", out=tmp_path, date="2026-01-01", endpoint="ftp://example.org/q")
    assert list(tmp_path.iterdir()) == []


def test_dcat_describes_each_download_with_size_checksum_and_iana_type(bundle: Path) -> None:
    void = Graph().parse(bundle / "void.ttl")
    downloads = list(void.subjects(DCAT.downloadURL, None))
    assert len(downloads) == 3
    for dist in downloads:
        file = str(void.value(dist, DCAT.downloadURL)).rsplit("/", 1)[1]
        content = (bundle / file).read_bytes()
        size = void.value(dist, DCAT.byteSize)
        assert isinstance(size, Literal) and size.toPython() == len(content)
        checksum = void.value(dist, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(content).hexdigest()
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        media = void.value(dist, DCAT.mediaType)
        assert isinstance(media, URIRef) and str(media).startswith(IANA), media
    ds = next(void.subjects(DCAT.landingPage, None))
    assert str(void.value(ds, DCT.modified)) == "2026-01-01"
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    # the facts are the repository's: creators, keywords and landing page as CITATION.cff states them
    names = {str(void.value(agent, FOAF.name)) for agent in void.objects(ds, DCT.creator)}
    assert names == {a["name"] for a in cff["authors"]}
    assert {str(k) for k in void.objects(ds, DCAT.keyword)} == set(cff["keywords"])
    assert str(void.value(ds, DCAT.landingPage)) == cff["url"]
    assert void.value(ds, DCT.publisher) is not None


def test_the_dcat_shape_accepts_the_release_and_rejects_broken_metadata(bundle: Path) -> None:
    from kg.publish.release import check_metadata

    good = (bundle / "void.ttl").read_bytes()
    assert check_metadata(good) == []
    void = Graph().parse(data=good, format="turtle")
    for dist, media in list(void.subject_objects(DCAT.mediaType)):  # a literal, as in 0.2.0
        void.remove((dist, DCAT.mediaType, media))
        void.add((dist, DCAT.mediaType, Literal(str(media).removeprefix(IANA))))
    ds = next(void.subjects(DCAT.landingPage, None))
    void.remove((ds, DCT.publisher, None))
    void.add((ds, VOID.sparqlEndpoint, URIRef("http://127.0.0.1:7878/query")))
    problems = "\n".join(check_metadata(void.serialize(format="turtle").encode("utf-8")))
    assert "IANA media-type IRI" in problems
    assert "publisher" in problems
    assert "loopback" in problems


def test_the_endpoint_when_given_is_a_dcat_data_service(bundle: Path) -> None:
    from kg.publish.release import _void, check_metadata, facts

    files = {f: (bundle / f).read_bytes() for f in ("cybernorms.ttl", "cybernorms.nt", "cybernorms.jsonld")}
    graph = Graph().parse(data=files["cybernorms.nt"], format="nt")
    url = "https://sparql.example.org/query"
    text = _void("9.9.9", "2026-01-01", graph, bundle.name, files, about=facts(), endpoint=url)
    assert check_metadata(text) == []
    void = Graph().parse(data=text, format="turtle")
    assert list(void.objects(None, VOID.sparqlEndpoint)) == [URIRef(url)]
    service = next(void.subjects(RDF.type, DCAT.DataService))
    assert void.value(service, DCAT.endpointURL) == URIRef(url)


def _schema_loader(local: dict[str, object]):  # type: ignore[no-untyped-def]
    """A pyld document loader that knows only schema.org's context, from the local copy: no network."""

    def load(url: str, options: dict[str, object] | None = None) -> dict[str, object]:
        if url.rstrip("/") in ("https://schema.org", "http://schema.org"):
            return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url, "document": local}
        raise AssertionError(f"the metadata needs a context from {url}, which is not offline")

    return load


def _undefined_terms(doc: object, terms: set[str]) -> set[str]:
    """Keys and @type values of a JSON-LD document that the (local) context does not define."""
    found: set[str] = set()
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key == "@type":
                found |= {value} - terms if isinstance(value, str) else set()
            elif not key.startswith("@"):
                found |= {key} - terms
            found |= _undefined_terms(value, terms)
    elif isinstance(doc, list):
        for item in doc:
            found |= _undefined_terms(item, terms)
    return found


def _schema_rdf(doc: dict[str, object]) -> Graph:
    from pyld import jsonld as pyld  # type: ignore[import-untyped]

    context_file = ROOT / "kg" / "publish" / "templates" / "schema-org-context.jsonld"
    local = json.loads(context_file.read_text(encoding="utf-8"))
    nquads = pyld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": _schema_loader(local)})
    return Graph().parse(data=nquads, format="nt")


def test_schema_org_is_valid_json_ld_with_the_asked_properties_offline(bundle: Path) -> None:
    doc = json.loads((bundle / "schema-org.jsonld").read_text(encoding="utf-8"))
    context = json.loads((ROOT / "kg" / "publish" / "templates" / "schema-org-context.jsonld").read_text("utf-8"))
    assert _undefined_terms(doc, set(context["@context"])) == set()
    rdf = _schema_rdf(doc)
    ds = URIRef(doc["@id"])
    assert (ds, RDF.type, SCHEMA.Dataset) in rdf
    for prop in ("url", "identifier", "citation", "temporalCoverage", "spatialCoverage", "license", "creator"):
        assert rdf.value(ds, SCHEMA[prop]) is not None, prop
    assert rdf.value(ds, SCHEMA.url) == URIRef("https://w3id.org/cybernorms/")
    start, end = str(rdf.value(ds, SCHEMA.temporalCoverage)).split("/")
    assert start < end
    article = rdf.value(ds, SCHEMA.citation)
    assert "Russia's Digital Diplomacy" in str(rdf.value(article, SCHEMA.name))  # from CITATION.cff's references


def test_the_schema_org_check_catches_a_misspelt_term(bundle: Path) -> None:
    doc = json.loads((bundle / "schema-org.jsonld").read_text(encoding="utf-8"))
    context = json.loads((ROOT / "kg" / "publish" / "templates" / "schema-org-context.jsonld").read_text("utf-8"))
    doc["temporalCoverge"] = doc.pop("temporalCoverage")
    assert _undefined_terms(doc, set(context["@context"])) == {"temporalCoverge"}
    assert _schema_rdf(doc).value(URIRef(doc["@id"]), SCHEMA.temporalCoverage) is None  # dropped silently


def test_zenodo_metadata_has_the_documented_fields_and_the_repository_copy_is_current(bundle: Path) -> None:
    from kg import __version__
    from kg.publish.release import facts, zenodo

    released = json.loads((bundle / ".zenodo.json").read_text(encoding="utf-8"))
    assert released["upload_type"] == "dataset" and released["version"] == "9.9.9"
    for key in ("title", "creators", "description", "license", "keywords", "related_identifiers"):
        assert released[key], key
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert released["license"] == cff["license"].lower()
    assert [c["name"] for c in released["creators"]] == [a["name"] for a in cff["authors"]]
    relations = {r["relation"] for r in released["related_identifiers"]}
    assert relations <= {"isAlternateIdentifier", "isDocumentedBy", "requires", "isCitedBy", "cites", "references"}
    assert "doi" not in json.dumps(released).lower()  # no DOI is claimed before Zenodo mints one
    assert (ROOT / ".zenodo.json").read_bytes() == zenodo(__version__, about=facts())


@pytest.fixture(scope="module")
def cffconvert(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """cffconvert in a folder of its own (it pins jsonschema 3.2, which the project's environment must not get),
    installed from PyPI once per run; returns the command that runs it."""
    target = tmp_path_factory.mktemp("cffconvert")
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target), "cffconvert==2.0.0"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    if done.returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail(f"could not install cffconvert: {done.stderr[-500:]}")
        pytest.skip("cffconvert could not be installed (no package index?)")
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(target)!r}); "
            "from cffconvert.cli.cli import cli; sys.exit(cli())"]


@pytest.mark.parametrize("which", ["repository", "bundle"])
def test_citation_cff_is_valid_for_cffconvert(which: str, bundle: Path, cffconvert: list[str], tmp_path: Path) -> None:
    path = ROOT / "CITATION.cff" if which == "repository" else bundle / "CITATION.cff"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    ok = subprocess.run([*cffconvert, "--validate", "-i", str(path)], capture_output=True, text=True, env=env,
                        timeout=120, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    broken = tmp_path / "CITATION.cff"
    broken.write_text(path.read_text(encoding="utf-8").replace("cff-version: 1.2.0", "cff-version: 1.2.0\nauthor: x"))
    bad = subprocess.run([*cffconvert, "--validate", "-i", str(broken)], capture_output=True, text=True, env=env,
                         timeout=120, check=False)
    assert bad.returncode != 0 and "author" in (bad.stdout + bad.stderr)


# a small interpreter of the mod_rewrite subset the w3id rules use: RewriteCond on the Accept header, RewriteRule
_COND = re.compile(r"^RewriteCond\s+%\{HTTP_ACCEPT\}\s+(\S+)(?:\s+\[([^\]]+)\])?$")
_RULE = re.compile(r"^RewriteRule\s+(\S+)\s+(\S+)(?:\s+\[([^\]]+)\])?$")


def _substitute(target: str, groups: tuple[str | None, ...]) -> str:
    """The rule's target with $N back-references filled in and escaped percent signs unescaped."""
    return re.sub(r"\$(\d)", lambda g: groups[int(g.group(1)) - 1] or "", target).replace("\\%", "%")


def _redirect(rules: str, path: str, accept: str) -> tuple[int, str] | None:
    """(status, location) that `rules` give for a request of `path` (relative to /cybernorms/) with `accept`."""
    conds: list[tuple[str, str]] = []
    for line in rules.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or line.split()[0] in ("Options", "RewriteEngine"):
            continue
        if m := _COND.match(line):
            conds.append((m.group(1), m.group(2) or ""))
            continue
        m = _RULE.match(line)
        assert m, f"unknown line in the rules: {line}"
        pattern, target, flags = m.group(1), m.group(2), (m.group(3) or "").split(",")
        ok = all(re.search(rx, accept, re.I if "NC" in fl else 0) for rx, fl in conds)
        conds = []
        hit = re.search(pattern, path)
        if ok and hit:
            location = _substitute(target, hit.groups())
            status = next(int(f[2:]) for f in flags if f.startswith("R="))
            return status, location
    return None


EXPLORER, ENDPOINT = "https://explorer.example.org", "https://sparql.example.org/query"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _describe(iri: str) -> str:
    from urllib.parse import quote

    return f"{ENDPOINT}?query={quote(f'DESCRIBE <{iri}>', safe='')}"


REDIRECTS = [
    ("id/state/RU", BROWSER, f"{EXPLORER}/?page=actors&actor=RU"),
    ("id/organisation/sco", BROWSER, f"{EXPLORER}/?page=actors&actor=sco"),
    ("id/instrument/ru-cn-2015", "text/html", f"{EXPLORER}/?page=instruments&id=ru-cn-2015"),
    ("id/resolution/a-res-73-27", "*/*", f"{EXPLORER}/?page=sparql&q=record-referrers&p.id=a-res-73-27"),
    ("id/state/RU", "text/turtle", _describe("https://w3id.org/cybernorms/id/state/RU")),
    ("id/instrument/ru-cn-2015", "application/ld+json", _describe("https://w3id.org/cybernorms/id/instrument/ru-cn-2015")),
    ("id/vote-record/a-res-73-27-plenary", "application/n-triples;q=1, text/html;q=0.5",
     _describe("https://w3id.org/cybernorms/id/vote-record/a-res-73-27-plenary")),
]


def test_the_repository_w3id_rules_are_the_release_template() -> None:
    from kg.publish.release import htaccess

    assert (ROOT / "w3id" / ".htaccess").read_bytes() == htaccess(endpoint=ENDPOINT, explorer=EXPLORER)


@pytest.mark.parametrize(("path", "accept", "location"), REDIRECTS)
def test_w3id_rules_send_html_to_the_explorer_and_rdf_to_describe(path: str, accept: str, location: str) -> None:
    rules = (ROOT / "w3id" / ".htaccess").read_text(encoding="utf-8")
    assert _redirect(rules, path, accept) == (303, location)


def test_w3id_rules_leave_other_paths_alone_and_the_check_can_fail() -> None:
    rules = (ROOT / "w3id" / ".htaccess").read_text(encoding="utf-8")
    assert _redirect(rules, "id/state/../../etc", "text/turtle") is None
    assert _redirect(rules, "", BROWSER) == (302, f"{EXPLORER}/")
    # without the Accept condition, Turtle clients would be sent to the explorer's HTML: the test above notices
    broken = "\n".join(line for line in rules.splitlines() if not line.startswith("RewriteCond"))
    assert _redirect(broken, "id/state/RU", BROWSER) == (303, _describe("https://w3id.org/cybernorms/id/state/RU"))
