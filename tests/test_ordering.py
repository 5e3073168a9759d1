"""The embedded store's ORDER BY applied in Python (`kg.sparql.ordering`): the same rows in the same order as
pyoxigraph's own sort, for every library query on the real data and for fixtures made to tell the two apart; and
what it does not model is left to the engine."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg.sparql import backends
from kg.sparql.backends import Table, _evaluate, _plain_rows, _solutions
from kg.sparql.library import bind, library
from kg.sparql.ordering import OrderKey, in_order, projected, sort_key, split_order_by

QUERIES = library()
EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def real(graph_file: Path) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(graph_file), format=ox.RdfFormat.N_TRIPLES)
    return store


def engine_sorted(store: ox.Store, text: str) -> Table:
    """The query as written, sorted by pyoxigraph: the reference."""
    result = _solutions(store, text)
    return Table([v.value for v in result.variables], list(_plain_rows(result)))


def here(store: ox.Store, text: str, *, row_cap: int = 10**9) -> Table | None:
    """The query sorted in Python, or None where it falls back to the engine."""
    split = split_order_by(text)
    if split is None:
        return None
    return backends._sorted_here(store, split[0], split[1], row_cap=row_cap, deadline=math.inf)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_library_query_sorted_here_as_the_engine_sorts(name: str, real: ox.Store) -> None:
    text = bind(QUERIES[name], {})
    reference = engine_sorted(real, text)
    table = _evaluate(real, text, 10**9, math.inf)
    assert table.columns == reference.columns
    assert table.rows == reference.rows  # the same order, ties included


def test_most_library_queries_are_sorted_here(real: ox.Store) -> None:
    """The comparison above is not passed by falling back: all but a few are sorted in Python."""
    sorted_here = [n for n in QUERIES if here(real, bind(QUERIES[n], {})) is not None]
    assert len(sorted_here) >= len(QUERIES) - 3, sorted(set(QUERIES) - set(sorted_here))


def fixture_store() -> ox.Store:
    """Rows an ordering by text, by the wrong direction or by the wrong rank of terms would misplace."""
    store = ox.Store()
    rows = [
        ("a", ox.Literal("10", datatype=ox.NamedNode(XSD + "integer")), ox.Literal("b")),
        ("b", ox.Literal("9", datatype=ox.NamedNode(XSD + "integer")), ox.NamedNode(EX + "z")),
        ("c", ox.Literal("9.5", datatype=ox.NamedNode(XSD + "decimal")), ox.Literal("Éclair")),
        ("d", ox.Literal("-1", datatype=ox.NamedNode(XSD + "integer")), ox.Literal("Zed")),
        ("e", ox.Literal("10", datatype=ox.NamedNode(XSD + "integer")), ox.Literal("a", language="en")),
    ]
    for name, number, label in rows:
        s = ox.NamedNode(EX + name)
        store.add(ox.Quad(s, ox.NamedNode(EX + "n"), number))
        store.add(ox.Quad(s, ox.NamedNode(EX + "label"), label))
    three = ox.Literal("3", datatype=ox.NamedNode(XSD + "integer"))
    store.add(ox.Quad(ox.NamedNode(EX + "f"), ox.NamedNode(EX + "n"), three))  # no label: unbound sorts first
    return store


@pytest.mark.parametrize(
    "order",
    ["?n ?s", "DESC(?n) ?s", "?n DESC(?s)", "DESC(?label) ?s", "?s"],
)
def test_fixture_orders_match_the_engine(order: str) -> None:
    store = fixture_store()
    plain = 'FILTER (!isLiteral(?label) || lang(?label) = "")'  # tagged and plain strings mixed: the engine's
    label = f"OPTIONAL {{ ?s <{EX}label> ?label {plain} }}"
    text = f"SELECT ?s ?n ?label WHERE {{ ?s <{EX}n> ?n {label} }} ORDER BY {order}"
    table = here(store, text)
    assert table is not None, "this fixture is one the module models"
    assert table.rows == engine_sorted(store, text).rows


def test_numbers_sort_by_value_not_as_text() -> None:
    keys = [[sort_key(ox.Literal(v, datatype=ox.NamedNode(XSD + "integer")))] for v in ("10", "9", "-1")]
    assert None not in (k[0] for k in keys)
    assert in_order(["10", "9", "-1"], keys, (False,)) == ["-1", "9", "10"]  # type: ignore[arg-type]


def test_descending_keeps_ties_in_engine_order() -> None:
    keys = [[(3, 1, "x")], [(3, 1, "y")], [(3, 1, "x")]]
    assert in_order(["first", "second", "third"], keys, (True,)) == ["second", "first", "third"]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 2", "LIMIT after the clause"),
        ("SELECT ?s WHERE { ?s ?p ?o } ORDER BY STR(?s)", "an expression as key"),
        ("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?o", "a key not projected"),
        ("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s", "SELECT *"),
        ("SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s } }", "a subquery's clause"),
        ("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s # last", "a comment after it"),
    ],
)
def test_clauses_not_modelled_are_left_to_the_engine(text: str, why: str) -> None:
    assert split_order_by(text) is None, why


@pytest.mark.parametrize(
    ("objects", "why"),
    [
        ([ox.BlankNode("b1"), ox.BlankNode("b0")], "blank nodes"),
        ([ox.Literal("x"), ox.Literal("2", datatype=ox.NamedNode(XSD + "integer"))], "strings and numbers mixed"),
        ([ox.Literal("2020-01-01Z", datatype=ox.NamedNode(XSD + "date"))], "a date with a time zone"),
        ([ox.Literal("x", language="en"), ox.Literal("y")], "tagged and plain strings mixed"),
    ],
)
def test_terms_not_modelled_are_left_to_the_engine(objects: list[Any], why: str) -> None:
    store = ox.Store()
    for i, o in enumerate(objects):
        store.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(EX + "p"), o))
    text = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }} ORDER BY ?o ?s"
    assert here(store, text) is None, why
    assert _evaluate(store, text, 10**9, math.inf).rows == engine_sorted(store, text).rows


def test_a_capped_result_is_cut_from_the_ordered_rows() -> None:
    """Past the row cap the engine sorts: the cap keeps the first rows in order, not the first rows produced."""
    store = fixture_store()
    text = f"SELECT ?s ?n WHERE {{ ?s <{EX}n> ?n }} ORDER BY DESC(?n) ?s"
    assert here(store, text, row_cap=2) is None
    table = _evaluate(store, text, 2, math.inf)
    assert table.truncated and table.rows == engine_sorted(store, text).rows[:2]


def test_projection_is_read_from_the_outer_select() -> None:
    text = "# SELECT ?nothing WHERE\nSELECT DISTINCT ?a (MIN(?x) AS ?m) ?where WHERE { { SELECT ?x { ?x ?p ?o } } }"
    assert projected(text) == {"a", "m", "where"}
    assert split_order_by(text + " ORDER BY ?where DESC(?m)") == (
        text + " ",
        (OrderKey("where"), OrderKey("m", descending=True)),
    )
