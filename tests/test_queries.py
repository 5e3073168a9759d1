"""The query library: headers, ORDER BY, rows on the real data, reviewed goldens (compared as data),
QC violations empty, parameters bound safely, and results identical on the embedded store and rdflib."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import Graph

from kg.errors import QueryError
from kg.pipeline.build import BuildResult
from kg.sparql.backends import EmbeddedStore, RdflibBackend, Table, Value
from kg.sparql.formats import pivot, render
from kg.sparql.library import LibraryQuery, bind, library, load_query
from kg.sparql.query import run
from kg.vocab import ID

from .conftest import ROOT

QUERIES = library()
GOLDEN = ROOT / "tests" / "golden"


@pytest.fixture(scope="module")
def store(built: BuildResult) -> EmbeddedStore:
    return EmbeddedStore(next(p for p in built.files if p.suffix == ".nt"))


def normalise(rows: list[list[Value]]) -> list[list[Value]]:
    """Rows as data: GROUP_CONCAT cells (order undefined in SPARQL) compared as sorted parts."""
    out = []
    for row in rows:
        cells: list[Value] = []
        for v in row:
            if isinstance(v, str) and (" | " in v or ", " in v) and len(v) < 2000:
                sep = " | " if " | " in v else ", "
                v = sep.join(sorted(v.split(sep)))
            cells.append(v)
        out.append(cells)
    return out


def test_library_is_large_enough_and_documented() -> None:
    assert len([q for q in QUERIES.values() if not q.is_violation]) >= 20
    for q in QUERIES.values():
        assert q.summary and q.description and q.tags, q.name
        assert re.search(r"\bORDER BY\b", q.text), f"{q.name} has no ORDER BY"


def test_published_tables_have_reproducing_queries() -> None:
    reproduces = {q.reproduces for q in QUERIES.values() if q.reproduces}
    assert {"haq-2025-table-1", "haq-2025-table-3", "haq-2025-table-4"} <= reproduces


def test_header_is_required(tmp_path: Path) -> None:
    bare = tmp_path / "bare.rq"
    bare.write_text("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s\n", encoding="utf-8")
    with pytest.raises(QueryError, match="header lacks #\\+ summary"):
        load_query(bare)


def test_every_query_has_a_golden() -> None:
    missing = sorted(n for n in QUERIES if not (GOLDEN / f"{n}.json").exists())
    assert missing == [], "run tools/regen_goldens.py and review the new files"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_matches_golden(name: str, store: EmbeddedStore) -> None:
    query = QUERIES[name]
    table = run(query, store)
    golden = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    assert table.columns == golden["columns"]
    if query.is_violation:
        assert table.rows == [], f"QC {name} found: {table.rows[:5]}"
    else:
        assert table.rows, f"{name} returns no rows on the real data"
    assert normalise(table.rows) == normalise(golden["rows"])


# rdflib's engine needs minutes for the nested aggregates (and, in state-record, the unions) of these (the embedded
# store: under a second); their parity with independent engines is checked on Jena and Virtuoso (tests/test_stores.py).
RDFLIB_TOO_SLOW = frozenset({"table4-derived", "table4-evidence", "state-record"})


@pytest.mark.parametrize(
    "name", sorted(n for n in QUERIES if not QUERIES[n].is_violation and n not in RDFLIB_TOO_SLOW)
)
def test_embedded_and_rdflib_agree(name: str, store: EmbeddedStore, graph: Graph) -> None:
    query = QUERIES[name]
    a = run(query, store)
    b = run(query, RdflibBackend(graph))
    assert a.columns == b.columns
    assert sorted(map(str, normalise(a.rows))) == sorted(map(str, normalise(b.rows)))


def test_table4_is_derived_not_transcribed(store: EmbeddedStore) -> None:
    assert QUERIES["table4-derived"].reproduces == "haq-2025-table-4"
    assert QUERIES["table4-positions"].reproduces is None, "the transcription check is not a reproduction"
    table = run(QUERIES["table4-derived"], store)
    assert len(table.rows) == 15
    matrix = pivot(table, row="rowLabel", column="columnLabel", value="verdict")
    assert matrix.columns == ["rowLabel", "Russia", "US/EU", "China"]
    verdicts = {v for row in matrix.rows for v in row[1:]}
    assert verdicts <= {"agrees", "differs", "no-evidence"} and len(verdicts) > 1


def test_parameter_binding_changes_results(store: EmbeddedStore) -> None:
    q = QUERIES["bilateral-agreements"]
    ru = run(q, store)
    cn = run(q, store, params={"actor": ["CN"]})
    actor = ru.columns.index("actor")
    assert {r[actor] for r in ru.rows} == {str(ID["state/RU"])}
    assert {r[actor] for r in cn.rows} == {str(ID["state/CN"])}


def test_every_params_marker_gets_the_values(store: EmbeddedStore) -> None:
    """state-record repeats the marker in each UNION branch: each gets the state, so no branch runs for all states
    (a marker left unfilled would bring every state's rows into that branch)."""
    q = QUERIES["state-record"]
    text = bind(q, {"state": ["US"]})
    assert text.count("VALUES ?state") == q.text.count("# @params") > 1
    rows = run(q, store, params={"state": ["US"]}).rows
    every = run(q, store, params={"state": ["*"]}).rows
    assert rows and len(rows) < len(every)


def test_positions_vs_votes_counts_every_recorded_vote(store: EmbeddedStore) -> None:
    """Each position row counts the state's recorded votes: the same number, choice by choice, as the roll-call
    rows of resolution-votes for that state (a count that dropped or doubled votes would differ)."""
    counts = run(QUERIES["positions-vs-votes"], store)
    listed: dict[tuple[str, str], int] = {}
    votes = run(QUERIES["resolution-votes"], store)
    code, vote = votes.columns.index("code"), votes.columns.index("vote")
    for row in votes.rows:
        key = (str(row[code]), str(row[vote]))
        listed[key] = listed.get(key, 0) + 1
    col = {name: counts.columns.index(name) for name in ("code", "votes", "yes", "no", "abstain", "absent")}
    assert counts.rows
    for row in counts.rows:
        state = str(row[col["code"]])
        by_choice = {c: listed.get((state, c), 0) for c in ("yes", "no", "abstain", "absent")}
        assert [row[col[c]] for c in by_choice] == list(by_choice.values()), state
        assert row[col["votes"]] == sum(by_choice.values()), state


@pytest.mark.parametrize("evil", ['RU" } ; DROP ALL ; #', "RU> <x", "ru", "R\nU"])
def test_hostile_parameter_values_are_refused(evil: str) -> None:
    with pytest.raises(QueryError, match="not a valid state"):
        bind(QUERIES["bilateral-agreements"], {"actor": [evil]})


def test_unknown_parameter_is_refused() -> None:
    with pytest.raises(QueryError, match="unknown parameter 'nation'"):
        bind(QUERIES["bilateral-agreements"], {"nation": ["RU"]})


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <a:b> <a:c> <a:d> }",
        "DELETE WHERE { ?s ?p ?o }",
        "DROP ALL",
        "LOAD <http://x.org/a>",
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    ],
)
def test_updates_and_service_are_refused(text: str, store: EmbeddedStore) -> None:
    with pytest.raises(QueryError, match=r"not allowed|disabled"):
        store.select(text)


def test_keywords_inside_strings_are_not_updates(store: EmbeddedStore) -> None:
    table = store.select('SELECT ("DROP ALL; INSERT DATA" AS ?x) WHERE {} ORDER BY ?x')
    assert table.rows == [["DROP ALL; INSERT DATA"]]


def test_row_cap_is_reported(store: EmbeddedStore) -> None:
    table = store.select("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", row_cap=10)
    assert len(table.rows) == 10 and table.truncated
    assert "truncated at the row cap" in render(table, fmt="table")


def test_renderers_escape_and_carry_citation() -> None:
    table = Table(["a", "b"], [["x|y", "50% & $5"], [None, True]])
    assert "x\\|y" in render(table, fmt="md")
    assert r"50\% \& \$5" in render(table, fmt="latex")
    assert render(table, fmt="csv").splitlines() == ["a,b", "x|y,50% & $5", ",true"]
    assert json.loads(render(table, fmt="json"))["rows"][1] == [None, True]


def test_library_query_object_is_frozen() -> None:
    q: LibraryQuery = QUERIES["timeline"]
    with pytest.raises(AttributeError):
        q.name = "other"  # type: ignore[misc]


def test_generated_table4_queries_are_current() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_table4", ROOT / "tools" / "gen_table4.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    assert gen.main(["--check"]) == 0, "run python3 tools/gen_table4.py"


def test_joined_lists_and_booleans_do_not_depend_on_the_engine() -> None:
    from kg.sparql.backends import plain
    from kg.sparql.query import joined_columns, sort_lists

    cols = joined_columns(QUERIES["instruments"].text)
    assert cols == {"parties": ", "}
    a = sort_lists(Table(["parties"], [["RU, CN, BY"]]), cols)
    b = sort_lists(Table(["parties"], [["BY, RU, CN"]]), cols)
    assert a.rows == b.rows == [["BY, CN, RU"]]
    boolean = "http://www.w3.org/2001/XMLSchema#boolean"
    assert plain("1", boolean) is True and plain("true", boolean) is True
    assert plain("0", boolean) is False and plain("false", boolean) is False


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_library_query_passes_the_guard(name: str) -> None:
    """Library queries run trusted (no parse on the CLI's hot path), so each must pass the guard that outside text
    meets; the hostile corpus (tests/hostile) shows the guard refusing."""
    from kg.sparql.guard import check_query
    from kg.sparql.library import bind

    check_query(bind(QUERIES[name], {}))
