"""SPARQL 1.1 Protocol answers as bytes: content negotiation and result serialisation, with a cut result marked
in-band (a `link` in the results head, a comment in a graph), never passed off as complete.

`answer` runs inside a query worker (`kg.sparql.pool`), so serialising a large result costs the worker, not the
server's request threads."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from kg.errors import QueryError
from kg.sparql.backends import TRUNCATED

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RESULT_TYPES = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
_MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
          "csv": "text/csv", "tsv": "text/tab-separated-values"}


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: status, media type, body, and whether a cap cut the result."""

    status: int
    media_type: str
    body: bytes
    truncated: bool = False


def negotiate(accept: str, choices: dict[str, Any], default: str) -> str:
    """The first media type in `accept` (by q, then order) that `choices` offers, else `default`.

    >>> negotiate("text/csv;q=0.5, application/sparql-results+json", RESULT_TYPES, "application/sparql-results+json")
    'application/sparql-results+json'
    """
    ranked: list[tuple[float, int, str]] = []
    for i, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranked.append((-q, i, media.lower()))
    for neg_q, _, media in sorted(ranked):
        if neg_q < 0 and media in choices:
            return media
        if neg_q < 0 and media in ("*/*", "application/*", "text/*"):
            return default
    return default


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            out["datatype"] = term.datatype.value
        return out
    return {"type": "literal", "value": str(term)}


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(getattr(term, "value", term))


def select_body(variables: list[str], rows: list[list[Any]], fmt: str, *, truncated: bool) -> bytes:
    """A SELECT result in one of the four result formats; a cut result carries the `TRUNCATED` link."""
    if fmt == "json":
        head: dict[str, Any] = {"vars": variables}
        if truncated:
            head["link"] = [TRUNCATED]
        return _json_select(head, variables, rows).encode()
    if fmt == "xml":
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out += [f"<link href={quoteattr(TRUNCATED)}/>"] if truncated else []
        out.append("</head>\n<results>")
        for row in rows:
            cells = "".join(
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(variables, row, strict=True)
                if t is not None
            )
            out.append(f"<result>{cells}</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode()
    buffer = io.StringIO()
    if fmt == "csv":
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_value(t) for t in row] for row in rows)
    else:
        buffer.write("\t".join(f"?{v}" for v in variables) + "\n")
        texts = _Cells(lambda term: "" if term is None else str(term))
        for row in rows:
            buffer.write("\t".join([texts[t] for t in row]) + "\n")
    return buffer.getvalue().encode()


class _Cells(dict[Any, str]):
    """Each distinct term's text made once: labels, codes and notations repeat down a column, and writing a term
    costs several times a dictionary lookup (JSON of position-change at 100x, 65k rows x 8: 6.0 -> 5.0 s)."""

    def __init__(self, make: Callable[[Any], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, term: Any) -> str:
        text = self[term] = self.make(term)
        return text


def _json_select(head: dict[str, Any], variables: list[str], rows: list[list[Any]]) -> str:
    """The SPARQL JSON results document, written binding by binding from each distinct term's JSON once."""
    keys = [json.dumps(v, ensure_ascii=False) + ":" for v in variables]
    cells = _Cells(lambda term: json.dumps(_json_term(term), ensure_ascii=False))
    out = []
    for row in rows:
        out.append("{" + ",".join([key + cells[t] for key, t in zip(keys, row, strict=True) if t is not None]) + "}")
    return '{"head":' + json.dumps(head, ensure_ascii=False) + ',"results":{"bindings":[' + ",".join(out) + "]}}"


def ask_body(value: bool, fmt: str) -> bytes:
    """An ASK result."""
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        text = "true" if value else "false"
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{text}</boolean></sparql>\n").encode()
    return (("true" if value else "false") + "\n").encode()


def answer(store: ox.Store, text: str, accept: str, row_cap: int) -> Answer:
    """Run a checked query on `store` and serialise it as the client asked (worker side)."""
    try:
        result = store.query(text)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {exc}") from None
    if isinstance(result, ox.QueryBoolean):
        media = negotiate(accept, RESULT_TYPES, "application/sparql-results+json")
        fmt = RESULT_TYPES[media]
        return Answer(200, _MEDIA[fmt], ask_body(bool(result), fmt))
    if isinstance(result, ox.QuerySolutions):
        media = negotiate(accept, RESULT_TYPES, "application/sparql-results+json")
        fmt = RESULT_TYPES[media]
        variables = [v.value for v in result.variables]
        rows: list[list[Any]] = []
        truncated = False
        for solution in result:
            if len(rows) >= row_cap:
                truncated = True
                break
            rows.append(list(solution))  # its values in the order of `variables`
        if truncated and fmt in ("csv", "tsv"):
            return Answer(
                413,
                "text/plain; charset=utf-8",
                f"the result has more than {row_cap:,} rows, and CSV/TSV cannot mark a cut result "
                "(hint: add LIMIT, or ask for application/sparql-results+json, which marks it)\n".encode(),
                truncated=True,
            )
        return Answer(200, _MEDIA[fmt], select_body(variables, rows, fmt, truncated=truncated), truncated)
    media = negotiate(accept, GRAPH_TYPES, "text/turtle")
    triples: list[Any] = []
    truncated = False
    for triple in result:
        if len(triples) >= row_cap:
            truncated = True
            break
        triples.append(triple)
    if truncated and media == "application/rdf+xml":
        return Answer(
            413,
            "text/plain; charset=utf-8",
            f"the graph has more than {row_cap:,} triples (hint: add LIMIT, or ask for text/turtle, which marks a "
            "cut result)\n".encode(),
            truncated=True,
        )
    body = ox.serialize(triples, format=GRAPH_TYPES[media]) or b""
    if truncated:
        body = f"# result cut at {row_cap:,} triples ({TRUNCATED}); add LIMIT\n".encode() + body
    return Answer(200, media, body, truncated)
