"""Citable, byte-reproducible release bundles: `cybernorms-kg-X.Y.Z/` with the graph in three syntaxes, the
ontology, one CSV per library query, README, CITATION.cff, BibTeX, DCAT 3/VoID and schema.org metadata, Zenodo
deposit metadata, CHANGES, and SHA-256 checksums. No clock time is used: the release date is the commit date (or
--date). Names, licence, keywords and references come from the repository's CITATION.cff; no host is assumed:
the SPARQL endpoint (and the w3id redirect rules that need it) appear only when given."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

import yaml
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, VOID, XSD

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
SPDX = Namespace("http://spdx.org/rdf/terms#")
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
DUMPS = (  # (key, IANA media type, file) of the graph's distributions
    ("turtle", "text/turtle", "cybernorms.ttl"),
    ("ntriples", "application/n-triples", "cybernorms.nt"),
    ("jsonld", "application/ld+json", "cybernorms.jsonld"),
)
DESCRIPTION = (
    "Instruments, UN resolutions, votes, processes, states and coded positions in international cyber "
    "diplomacy, each record with its source."
)
SPDX_LICENSES = {"CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/"}


@dataclass(frozen=True)
class Facts:
    """What the repository states about the dataset (CITATION.cff): who made it, under which licence, where."""

    creators: tuple[str, ...]
    license_id: str
    license_url: str
    landing_page: str
    keywords: tuple[str, ...]
    references: tuple[dict[str, Any], ...]


def _person(author: dict[str, Any]) -> str:
    """A CFF author's name: an entity's `name`, or a person's given and family names."""
    return str(author.get("name") or f"{author.get('given-names', '')} {author.get('family-names', '')}".strip())


def facts(citation_file: Path = ROOT / "CITATION.cff") -> Facts:
    """The dataset's facts read from CITATION.cff, so the metadata says only what the repository says."""
    try:
        cff = yaml.safe_load(citation_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BuildError(f"{citation_file}: cannot read the citation metadata: {exc}") from None
    license_id = str(cff.get("license", ""))
    if license_id not in SPDX_LICENSES:
        raise BuildError(f"{citation_file}: license {license_id!r} is not known to the release (hint: CC-BY-4.0)")
    authors = tuple(_person(a) for a in cff["authors"])
    return Facts(
        creators=authors,
        license_id=license_id,
        license_url=SPDX_LICENSES[license_id],
        landing_page=str(cff.get("url") or BASE),
        keywords=tuple(str(k) for k in cff.get("keywords", [])),
        references=tuple(cff.get("references", [])),
    )


def _reference_text(ref: dict[str, Any]) -> str:
    """One reference of CITATION.cff as a line of text: authors (year). title. journal volume(issue), pages."""
    authors = ", ".join(_person(a) for a in ref.get("authors", []))
    where = " ".join(str(x) for x in (ref.get("journal"), ref.get("volume")) if x)
    if ref.get("issue"):
        where += f"({ref['issue']})"
    pages = f", {ref['start']}-{ref['end']}" if ref.get("start") and ref.get("end") else ""
    return f"{authors} ({ref.get('year', 'n.d.')}). {ref.get('title', '')}. {where}{pages}."


def coverage_period(graph: Graph) -> tuple[str, str] | None:
    """The first and last day the records' dates can fall on (cn:earliestDay, cn:latestDay), if any."""
    firsts = sorted(str(o) for o in graph.objects(None, CN.earliestDay))
    lasts = sorted(str(o) for o in graph.objects(None, CN.latestDay))
    return (firsts[0], lasts[-1]) if firsts and lasts else None


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


def _agent(meta: Graph, name: str) -> BNode:
    node = BNode()
    meta.add((node, RDF.type, FOAF.Agent))
    meta.add((node, FOAF.name, Literal(name)))
    return node


def _void(
    version: str,
    date: str,
    graph: Graph,
    name: str,
    files: dict[str, bytes],
    *,
    about: Facts,
    endpoint: str | None = None,
) -> bytes:
    """DCAT 3 and VoID description of the release, built as RDF and written as deterministic Turtle."""
    triples, entities, classes = _stats(graph)
    ds = URIRef(f"{BASE}dataset/{version}")
    releases = f"{BASE}releases/{name}/"
    meta = Graph()
    for prefix, ns in (
        ("dcat", DCAT), ("dcterms", DCTERMS), ("void", VOID), ("xsd", XSD), ("foaf", FOAF), ("spdx", SPDX)
    ):
        meta.bind(prefix, ns)
    for p, o in (
        (RDF.type, DCAT.Dataset),
        (RDF.type, VOID.Dataset),
        (DCTERMS.title, Literal(f"{TITLE} {version}", lang="en")),
        (DCTERMS.description, Literal(DESCRIPTION, lang="en")),
        (DCTERMS.license, URIRef(about.license_url)),
        (DCTERMS.issued, Literal(date, datatype=XSD.date)),
        (DCTERMS.modified, Literal(date, datatype=XSD.date)),
        (DCTERMS.identifier, Literal(str(ds))),
        (DCAT_VERSION, Literal(version)),
        (DCTERMS.isVersionOf, URIRef(f"{BASE}dataset")),
        (DCAT.landingPage, URIRef(about.landing_page)),
        *((DCAT.keyword, Literal(k, lang="en")) for k in about.keywords),
        (VOID.uriSpace, Literal(str(ID))),
        (VOID.vocabulary, URIRef(CN._NS)),
        (VOID.triples, Literal(triples)),
        (VOID.entities, Literal(entities)),
        (VOID.classes, Literal(classes)),
        *((VOID.dataDump, URIRef(releases + f)) for _, _, f in DUMPS),
    ):
        meta.add((ds, p, o))
    for creator in about.creators:
        meta.add((ds, DCTERMS.creator, _agent(meta, creator)))
    meta.add((ds, DCTERMS.publisher, _agent(meta, about.creators[0])))
    period = coverage_period(graph)
    if period:
        node = BNode()
        meta.add((ds, DCTERMS.temporal, node))
        meta.add((node, RDF.type, DCTERMS.PeriodOfTime))
        meta.add((node, DCAT.startDate, Literal(period[0], datatype=XSD.date)))
        meta.add((node, DCAT.endDate, Literal(period[1], datatype=XSD.date)))
    if endpoint:
        service = URIRef(f"{ds}/sparql")
        meta.add((ds, VOID.sparqlEndpoint, URIRef(endpoint)))
        meta.add((ds, DCAT.distribution, URIRef(f"{ds}/sparql-distribution")))
        for s_, p, o in (
            (service, RDF.type, DCAT.DataService),
            (service, DCAT.endpointURL, URIRef(endpoint)),
            (service, DCAT.servesDataset, ds),
            (service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")),
            (URIRef(f"{ds}/sparql-distribution"), RDF.type, DCAT.Distribution),
            (URIRef(f"{ds}/sparql-distribution"), DCAT.accessService, service),
            (URIRef(f"{ds}/sparql-distribution"), DCAT.accessURL, URIRef(endpoint)),
        ):
            meta.add((s_, p, o))
    for key, media, file in DUMPS:
        dist = URIRef(f"{ds}/{key}")
        checksum = BNode()
        rows: tuple[tuple[URIRef | BNode, URIRef, URIRef | BNode | Literal], ...] = (
            (ds, DCAT.distribution, dist),
            (dist, RDF.type, DCAT.Distribution),
            (dist, DCTERMS.title, Literal(f"{TITLE} {version} ({file})", lang="en")),
            (dist, DCAT.mediaType, URIRef(MEDIA_TYPES + media)),
            (dist, DCAT.downloadURL, URIRef(releases + file)),
            (dist, DCAT.accessURL, URIRef(releases)),
            (dist, DCAT.byteSize, Literal(len(files[file]), datatype=XSD.nonNegativeInteger)),
            (dist, DCTERMS.license, URIRef(about.license_url)),
            (dist, DCTERMS.modified, Literal(date, datatype=XSD.date)),
            (dist, SPDX.checksum, checksum),
            (checksum, RDF.type, SPDX.Checksum),
            (checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
            (checksum, SPDX.checksumValue, Literal(hashlib.sha256(files[file]).hexdigest(), datatype=XSD.hexBinary)),
        )
        for triple in rows:
            meta.add(triple)
    return turtle(meta)


def check_metadata(void: bytes) -> list[str]:
    """Messages of the SHACL shape for the DCAT metadata (`templates/dcat-shape.ttl`); empty if it conforms."""
    from pyshacl import validate

    data = Graph().parse(data=void, format="turtle")
    shapes = Graph().parse(TEMPLATES / "dcat-shape.ttl", format="turtle")
    conforms, report, _ = validate(data, shacl_graph=shapes, inference="none")
    if conforms:
        return []
    sh = Namespace("http://www.w3.org/ns/shacl#")
    return sorted(
        f"{report.value(r, sh.focusNode)} {report.value(r, sh.resultPath)}: {report.value(r, sh.resultMessage)}"
        for r in report.subjects(RDF.type, sh.ValidationResult)
    )


def _schema_org(version: str, date: str, graph: Graph, name: str, *, about: Facts) -> bytes:
    """schema.org Dataset description (JSON-LD), for search engines and data catalogues."""
    triples, entities, _ = _stats(graph)
    period = coverage_period(graph)
    doc: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": f"{BASE}dataset/{version}",
        "name": f"{TITLE} {version}",
        "description": "An open, citable knowledge graph of international cyber diplomacy: instruments, UN "
        "resolutions and votes, UN processes, states, organisations and coded positions, every record "
        "with its source.",
        "url": about.landing_page,
        "identifier": f"{BASE}dataset/{version}",
        "version": version,
        "datePublished": date,
        "dateModified": date,
        "license": about.license_url,
        "isAccessibleForFree": True,
        "creator": [{"@type": "Organization", "name": n} for n in about.creators],
        "publisher": {"@type": "Organization", "name": about.creators[0]},
        "keywords": list(about.keywords),
        "citation": [_schema_reference(ref) for ref in about.references],
        "spatialCoverage": {"@type": "Place", "name": "World"},
        "variableMeasured": [
            {"@type": "PropertyValue", "name": "triples", "value": triples},
            {"@type": "PropertyValue", "name": "entities", "value": entities},
        ],
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": fmt, "contentUrl": f"{BASE}releases/{name}/{file}"}
            for _, fmt, file in DUMPS
        ],
    }
    if period:
        doc["temporalCoverage"] = f"{period[0]}/{period[1]}"
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _schema_reference(ref: dict[str, Any]) -> dict[str, Any]:
    """A reference of CITATION.cff as a schema.org ScholarlyArticle."""
    out: dict[str, Any] = {
        "@type": "ScholarlyArticle",
        "name": ref.get("title", ""),
        "author": [{"@type": "Person", "name": _person(a)} for a in ref.get("authors", [])],
    }
    if ref.get("year"):
        out["datePublished"] = str(ref["year"])
    if ref.get("journal"):
        out["isPartOf"] = {"@type": "Periodical", "name": ref["journal"]}
    if ref.get("start") and ref.get("end"):
        out["pagination"] = f"{ref['start']}-{ref['end']}"
    return out


def zenodo(version: str | None, *, about: Facts) -> bytes:
    """Zenodo deposit metadata (`.zenodo.json`), so a release archived from the repository gets a DOI."""
    doc: dict[str, Any] = {
        "title": TITLE,
        "upload_type": "dataset",
        "description": DESCRIPTION,
        "creators": [{"name": n} for n in about.creators],
        "access_right": "open",
        "license": about.license_id.lower(),
        "keywords": list(about.keywords),
        "references": [_reference_text(r) for r in about.references],
        "related_identifiers": [
            {"identifier": about.landing_page, "relation": "isDocumentedBy", "scheme": "url"},
            {"identifier": f"{BASE}ontology", "relation": "requires", "scheme": "url"},
        ],
    }
    if version:
        doc["version"] = version
        doc["related_identifiers"].insert(
            0, {"identifier": f"{BASE}dataset/{version}", "relation": "isAlternateIdentifier", "scheme": "url"}
        )
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def htaccess(*, endpoint: str, explorer: str) -> bytes:
    """The w3id.org redirect rules for `/cybernorms/`: HTML to the explorer page, RDF to a DESCRIBE on `endpoint`."""
    for url in (endpoint, explorer):
        if re.search(r"[\s$%\\\[\]?#]", url):
            raise KGError(f"{url!r} has characters a rewrite rule would misread (hint: a plain https:// URL)")
    return _template("htaccess", endpoint=endpoint, explorer=explorer.rstrip("/"))


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


def release(
    *,
    version: str,
    out: Path,
    date: str | None = None,
    previous: Path | None = None,
    endpoint: str | None = None,
    explorer: str | None = None,
    data: list[Path] | None = None,
) -> Path:
    """Build the bundle into `out/cybernorms-kg-<version>/`; never overwrites an existing version. `endpoint`
    (a public SPARQL endpoint) is named in the metadata only when given; with `explorer` too, the bundle carries
    the w3id redirect rules."""
    if not _VERSION.match(version):
        raise KGError(f"version {version!r} is not X.Y.Z (hint: e.g. --version 0.1.0)")
    date = date or commit_date()
    if not date or not re.match(r"^\d{4}-\d{2}-\d{2}$", date):
        raise KGError("no release date: not in a git checkout (hint: pass --date YYYY-MM-DD)")
    for option, url in (("--endpoint", endpoint), ("--explorer", explorer)):
        if url is not None and re.match(r"^https?://(localhost|127\.|\[::1\]|0\.0\.0\.0)", url):
            raise KGError(f"{option} {url} is a loopback address, unreachable for readers (hint: a public URL)")
        if url is not None and not re.match(r"^https?://[^\s/?#]+\.[^\s/?#]+(/\S*)?$", url):
            raise KGError(f"{option} {url!r} is not a public http(s) URL (hint: e.g. https://example.org/sparql)")
    about = facts()
    name = f"cybernorms-kg-{version}"
    target = out / name
    if target.exists():
        raise KGError(f"{target} exists: a release is never overwritten (hint: choose a new --version)")
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / f".{name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        result = build(data=data, out=tmp / "build")
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
        files["void.ttl"] = _void(version, date, graph, name, files, about=about, endpoint=endpoint)
        problems = check_metadata(files["void.ttl"])
        if problems:
            raise BuildError("the DCAT metadata fails its shape (templates/dcat-shape.ttl):\n" + "\n".join(problems))
        files["schema-org.jsonld"] = _schema_org(version, date, graph, name, about=about)
        files[".zenodo.json"] = zenodo(version, about=about)
        if endpoint and explorer:
            files["w3id/.htaccess"] = htaccess(endpoint=endpoint, explorer=explorer)
        files["CITATION.cff"] = _citation_cff(version, date)
        files["cybernorms.bib"] = _bibtex(version, date)
        files["README.md"] = _readme(version, date, counts_by_type(graph), tables)
        if previous is not None:
            old = load_graph(previous)
            files["CHANGES.md"] = changelog(diff(old, graph), old=previous.name, new=name).encode("utf-8")
        else:
            files["CHANGES.md"] = f"## {name}\n\nFirst release.\n".encode()
        shutil.rmtree(tmp / "build")
        for rel, content in files.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
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
