"""The one gate for query text from outside (CLI files, the explorer's editor, `cnkg serve` requests).

Size and nesting are capped before any parser sees the text (a deep expression overflows parsers' stacks);
then the text is parsed with rdflib's SPARQL grammar and the parse tree, not the text, is inspected: updates,
LOAD, SERVICE and FROM / FROM NAMED are refused. Text the grammar cannot parse is refused too (fail closed), so
a trick that hides a keyword from one parser cannot reach the engine."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from kg.errors import QueryError

MAX_QUERY_CHARS = int(os.environ.get("CNKG_MAX_QUERY_CHARS") or 100_000)
MAX_DEPTH = int(os.environ.get("CNKG_MAX_QUERY_DEPTH") or 24)
_OPEN, _CLOSE = "({[", ")}]"
_REFUSED = {
    "ServiceGraphPattern": "SERVICE (federated queries to other hosts) is disabled (hint: query the graph itself)",
    "DatasetClause": "FROM and FROM NAMED are not allowed (hint: the graph is the default graph; drop FROM)",
}


def nesting_depth(text: str) -> int:
    """The deepest nesting of ( { [ outside strings, IRIs and comments, found by one linear scan.

    >>> nesting_depth('SELECT * WHERE { FILTER((1)) } # ((((')
    3
    """
    depth = deepest = i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
            continue
        elif c == "<" and (end := _iri_end(text, i)) > 0:
            i = end
        elif c == "\\":  # an escaped character in a prefixed name (PN_LOCAL_ESC) is not punctuation
            i += 1
        elif c in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif c in _CLOSE:
            depth = max(0, depth - 1)
        i += 1
    return deepest


def _iri_end(text: str, start: int) -> int:
    """Index just past an IRIREF starting at `start`, or -1 when `<` is a less-than sign."""
    for j in range(start + 1, min(len(text), start + 4096)):
        ch = text[j]
        if ch == ">":
            return j
        if ch in ' \t\r\n<"{}|^`':
            return -1
    return -1


def _names(node: Any) -> Iterator[str]:
    """Names of every rule in an rdflib parse tree (CompValue nodes), depth first, without recursion."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item.name
            stack.extend(item.values())
        elif isinstance(item, (list, tuple, ParseResults)):
            stack.extend(item)


def check_query(text: str, *, allow_service: bool = False) -> None:
    """Refuse what must not run: oversize or over-deep text, updates, LOAD, SERVICE, FROM, unparseable text.

    >>> check_query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")
    >>> check_query("SELECT * WHERE { SERVICE <http://127.0.0.1/x> { ?s ?p ?o } }")
    Traceback (most recent call last):
    kg.errors.QueryError: SERVICE (federated queries to other hosts) is disabled (hint: query the graph itself)
    """
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is {len(text):,} characters; the limit is {MAX_QUERY_CHARS:,} (hint: shorten it)")
    if "\x00" in text:
        raise QueryError("the query contains a NUL character (hint: remove control characters)")
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise QueryError(
            f"the query nests brackets {depth} deep; the limit is {MAX_DEPTH} (hint: flatten the expression)"
        )
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        tree = parseQuery(text)
    except ParseBaseException as exc:
        try:
            parseUpdate(text)
        except (ParseBaseException, RecursionError):
            raise QueryError(f"SPARQL syntax error: {_first_line(exc)} (the query was not run)") from None
        raise QueryError(
            "updates are not allowed: this endpoint is read-only, LOAD included (hint: use SELECT, ASK or CONSTRUCT)"
        ) from None
    except RecursionError:
        raise QueryError("the query nests too deeply to be checked (hint: flatten the expression)") from None
    names = set(_names(tree))
    for rule, message in _REFUSED.items():
        if rule in names and not (rule == "ServiceGraphPattern" and allow_service):
            raise QueryError(message)


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
