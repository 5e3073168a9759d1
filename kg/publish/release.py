"""Citable, byte-reproducible release bundles: `cybernorms-kg-X.Y.Z/` with the graph in three syntaxes, the
ontology, one CSV per library query, README, CITATION.cff, BibTeX, DCAT/VoID and schema.org metadata, CHANGES,
and SHA-256 checksums. No clock time is used: the release date is the commit date (or --date)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path
from string import Template

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from kg.errors import BuildError, KGError
from kg.paths import CODEBOOK, ONTOLOGY, ROOT, SHAPES
from kg.pipeline.build import build
from kg.pipeline.export import canonical, ntriples, turtle
from kg.pipeline.summary import counts_by_type
from kg.publish.diff import changelog, diff, load_graph
from kg.sparql.backends import EmbeddedStore
from kg.sparql.formats import render
from kg.sparql.library import library
from kg.sparql.query import citation, run
from kg.vocab import BASE, CN, ID, PREFIXES

TITLE = "Cyber Norms Knowledge Graph"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")
CONTEXT = PREFIXES
TEMPLATES = Path(__file__).parent / "templates"
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")  # DCAT 3; rdflib's DCAT namespace lacks it


def commit_date(root: Path = ROOT) -> str | None:
    """The committer date (YYYY-MM-DD) of HEAD, or None outside git."""
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%cs"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = out.stdout.strip()
    return text if out.returncode == 0 and re.match(r"^\d{4}-\d{2}-\d{2}$", text) else None


def _compact(iri: str) -> str:
    for prefix, ns in CONTEXT.items():
        if iri.startswith(ns) and re.match(r"^[\w\-./]*$", iri[len(ns) :]):
            return f"{prefix}:{iri[len(ns) :]}"
    return iri


def jsonld(graph: Graph) -> bytes:
    """Flattened JSON-LD with a fixed context, subjects and values sorted (deterministic: blank nodes get
    canonical labels)."""
    canon = canonical(graph)
    nodes: dict[str, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in canon:
        subject = s.n3() if not isinstance(s, URIRef) else _compact(str(s))
        key = "@type" if p == RDF.type else _compact(str(p))
        if isinstance(o, URIRef):
            value: object = _compact(str(o)) if key == "@type" else {"@id": _compact(str(o))}
        elif isinstance(o, Literal):
            lit: dict[str, object] = {"@value": str(o)}
            if o.language:
                lit["@language"] = o.language
            elif o.datatype:
                lit["@type"] = _compact(str(o.datatype))
            value = lit
        else:
            value = {"@id": o.n3()}
        nodes[subject][key].append(value)
    graph_list = []
    for subject in sorted(nodes):
        node: dict[str, object] = {"@id": subject}
        for key in sorted(nodes[subject]):
            values = sorted(nodes[subject][key], key=lambda v: json.dumps(v, sort_keys=True))
            node[key] = values if len(values) > 1 else values[0]
        graph_list.append(node)
    doc = {"@context": CONTEXT, "@graph": graph_list}
    return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")


def _stats(graph: Graph) -> tuple[int, int, int]:
    """Triples, distinct subjects (entities) and distinct classes used."""
    subjects = {s for s in graph.subjects()}
    classes = {o for o in graph.objects(None, RDF.type)}
    return len(graph), len(subjects), len(classes)


def _void(version: str, date: str, graph: Graph, name: str, files: list[str]) -> bytes:
    """DCAT and VoID description of the release, built as RDF and written as deterministic Turtle."""
    triples, entities, classes = _stats(graph)
    ds = URIRef(f"{BASE}dataset/{version}")
    releases = f"{BASE}releases/{name}/"
    meta = Graph()
    for prefix, ns in (("dcat", DCAT), ("dcterms", DCTERMS), ("void", VOID), ("xsd", XSD)):
        meta.bind(prefix, ns)
    description = (
        "Instruments, UN resolutions, votes, processes, states and coded positions in international cyber "
        "diplomacy, each record with its source."
    )
    for p, o in (
        (RDF.type, DCAT.Dataset),
        (RDF.type, VOID.Dataset),
        (DCTERMS.title, Literal(f"{TITLE} {version}", lang="en")),
        (DCTERMS.description, Literal(description, lang="en")),
        (DCTERMS.license, URIRef(LICENSE)),
        (DCTERMS.issued, Literal(date, datatype=XSD.date)),
        (DCAT_VERSION, Literal(version)),
        (DCTERMS.isVersionOf, URIRef(f"{BASE}dataset")),
        (VOID.uriSpace, Literal(str(ID))),
        (VOID.vocabulary, URIRef(CN._NS)),
        (VOID.triples, Literal(triples)),
        (VOID.entities, Literal(entities)),
        (VOID.classes, Literal(classes)),
        (VOID.sparqlEndpoint, URIRef("http://127.0.0.1:7878/query")),
        *((VOID.dataDump, URIRef(releases + f)) for f in files),
    ):
        meta.add((ds, p, o))
    for key, media, file in (
        ("turtle", "text/turtle", "cybernorms.ttl"),
        ("ntriples", "application/n-triples", "cybernorms.nt"),
        ("jsonld", "application/ld+json", "cybernorms.jsonld"),
    ):
        dist = URIRef(f"{ds}/{key}")
        meta.add((ds, DCAT.distribution, dist))
        meta.add((dist, RDF.type, DCAT.Distribution))
        meta.add((dist, DCAT.mediaType, Literal(media)))
        meta.add((dist, DCAT.downloadURL, URIRef(releases + file)))
    return turtle(meta)


def _schema_org(version: str, date: str, graph: Graph, name: str) -> bytes:
    triples, entities, _ = _stats(graph)
    doc = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": f"{BASE}dataset/{version}",
        "name": f"{TITLE} {version}",
        "description": "An open, citable knowledge graph of international cyber diplomacy: instruments, UN "
        "resolutions and votes, UN processes, states, organisations and coded positions, every record "
        "with its source.",
        "version": version,
        "datePublished": date,
        "license": LICENSE,
        "isAccessibleForFree": True,
        "creator": {"@type": "Organization", "name": "Cyber Norms Knowledge Graph contributors"},
        "keywords": [
            "cyber diplomacy",
            "cyber norms",
            "international information security",
            "UN GGE",
            "OEWG",
            "knowledge graph",
            "RDF",
        ],
        "variableMeasured": [
            {"@type": "PropertyValue", "name": "triples", "value": triples},
            {"@type": "PropertyValue", "name": "entities", "value": entities},
        ],
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": fmt, "contentUrl": f"{BASE}releases/{name}/{file}"}
            for file, fmt in (
                ("cybernorms.ttl", "text/turtle"),
                ("cybernorms.nt", "application/n-triples"),
                ("cybernorms.jsonld", "application/ld+json"),
            )
        ],
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _template(name: str, **values: object) -> bytes:
    """A file of `templates/` with its `$names` filled in (string.Template: a missing value is an error)."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    return Template(text).substitute({"title": TITLE, "base": BASE, "license": LICENSE, **values}).encode("utf-8")


def _citation_cff(version: str, date: str) -> bytes:
    return _template("CITATION.cff", version=version, date=date)


def _bibtex(version: str, date: str) -> bytes:
    return _template("cybernorms.bib", version=version, date=date, year=date[:4], key=version.replace(".", "_"))


def _readme(version: str, date: str, counts: list[tuple[str, int]], tables: list[str]) -> bytes:
    rows = "\n".join(f"| {kind} | {count} |" for kind, count in counts)
    listed = "\n".join(f"- `tables/{t}.csv`" for t in tables)
    return _template("README.md", version=version, date=date, year=date[:4], rows=rows, tables=listed)


def release(*, version: str, out: Path, date: str | None = None, previous: Path | None = None) -> Path:
    """Build the bundle into `out/cybernorms-kg-<version>/`; never overwrites an existing version."""
    if not _VERSION.match(version):
        raise KGError(f"version {version!r} is not X.Y.Z (hint: e.g. --version 0.1.0)")
    date = date or commit_date()
    if not date or not re.match(r"^\d{4}-\d{2}-\d{2}$", date):
        raise KGError("no release date: not in a git checkout (hint: pass --date YYYY-MM-DD)")
    name = f"cybernorms-kg-{version}"
    target = out / name
    if target.exists():
        raise KGError(f"{target} exists: a release is never overwritten (hint: choose a new --version)")
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        result = build(out=tmp / "build")
        graph = result.graph
        files: dict[str, bytes] = {
            "cybernorms.ttl": turtle(graph),
            "cybernorms.nt": ntriples(graph),
            "cybernorms.jsonld": jsonld(graph),
            "ontology/cybernorms.ttl": ONTOLOGY.read_bytes(),
            "ontology/shapes.ttl": SHAPES.read_bytes(),
            "ontology/codebook.ttl": CODEBOOK.read_bytes(),
        }
        store = EmbeddedStore(tmp / "build" / "cybernorms.nt")
        tables = []
        for qname, query in sorted(library().items()):
            if query.is_violation:
                continue
            table = run(query, store)
            # the one citation, as `cnkg query` prints it: the text run, and the hash of this bundle's N-Triples
            cite = citation(query, version=version, graph=tmp / "build" / "cybernorms.nt")
            files[f"tables/{qname}.csv"] = render(table, fmt="csv", cite=cite).encode("utf-8")
            tables.append(qname)
        files["void.ttl"] = _void(version, date, graph, name, ["cybernorms.ttl", "cybernorms.nt", "cybernorms.jsonld"])
        files["schema-org.jsonld"] = _schema_org(version, date, graph, name)
        files["CITATION.cff"] = _citation_cff(version, date)
        files["cybernorms.bib"] = _bibtex(version, date)
        files["README.md"] = _readme(version, date, counts_by_type(graph), tables)
        if previous is not None:
            old = load_graph(previous)
            files["CHANGES.md"] = changelog(diff(old, graph), old=previous.name, new=name).encode("utf-8")
        else:
            files["CHANGES.md"] = f"## {name}\n\nFirst release.\n".encode()
        shutil.rmtree(tmp / "build")
        for rel, data in files.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        sums = "".join(f"{hashlib.sha256(files[rel]).hexdigest()}  {rel}\n" for rel in sorted(files))
        (tmp / "SHA256SUMS").write_text(sums, encoding="utf-8")
        tmp.rename(target)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError(
            f"cannot write the release to {out}: {exc.strerror} (hint: check space and permissions)"
        ) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
