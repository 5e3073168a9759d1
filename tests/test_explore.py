"""kg.explore, the explorer's logic without Streamlit: facets, partial dates, the positions matrix and its
cell rules, colours, the network layout, chart choice, permalinks, exports, and the backends it opens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg import __version__
from kg.errors import QueryError
from kg.explore import facets, networks, results, sparql_page, stances
from kg.sparql.backends import EmbeddedStore, Table


@pytest.fixture(scope="module")
def store(graph_file: Path) -> EmbeddedStore:
    return EmbeddedStore(graph_file)


def pos(actor: str, issue: str, stance: str, ordinal: int, date: str, confidence: str = "medium", **kw: str) -> dict:
    row = {
        "actorId": actor,
        "actorLabel": actor.upper(),
        "iso3": kw.get("iso3"),
        "issueId": issue,
        "issueLabel": issue.title(),
        "stanceLabel": stance,
        "ordinal": ordinal,
        "scaleMax": int(kw.get("scale_max", "7")),
        "date": date,
        "forum": "unga",
        "position": f"pos-{actor}-{issue}-{date}",
        "quote": None,
        "coder": "c",
        "confidence": confidence,
        "sources": "https://a.example | https://b.example",
    }
    return row


def test_facets_and_filters() -> None:
    rows = [
        {"id": "a", "kind": "x", "parties": "CN, RU", "year": "2015"},
        {"id": "b", "kind": "y", "parties": "RU, US", "year": "2019"},
        {"id": "c", "kind": "x", "parties": "", "year": "2021"},
    ]
    assert facets.facet_values(rows, "kind") == ["x", "y"]
    assert facets.facet_values(rows, "parties", multi=True) == ["CN", "RU", "US"]
    assert [r["id"] for r in facets.filter_rows(rows, {"kind": ["x"]})] == ["a", "c"]
    assert [r["id"] for r in facets.filter_rows(rows, {"parties": ["US", "CN"]}, multi=["parties"])] == ["a", "b"]
    assert [r["id"] for r in facets.filter_rows(rows, {"kind": []}, year_range=(2016, 2021))] == ["b", "c"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2015", (2015, 1, 1)), ("2015-05", (2015, 5, 1)), ("2015-05-08", (2015, 5, 8)), (None, None), ("x", None)],
)
def test_partial_dates(text: str | None, expected: tuple[int, int, int] | None) -> None:
    got = facets.partial_date(text)
    assert (None if got is None else (got.year, got.month, got.day)) == expected


def test_cell_rules_and_matrix() -> None:
    rows = [
        pos("RU", "sov", "Leads", 7, "2015-01-09", "high"),
        pos("RU", "sov", "Supports", 5, "2024-07-04", "medium"),
        pos("RU", "sov", "Strongly Supports", 6, "2024-07-04", "low"),
        pos("CN", "ops", "Extensive", 3, "2025", scale_max="3"),
    ]
    latest = stances.position_cells(rows, rule="latest")
    assert latest[("RU", "sov")].label == "Supports", "same day: the more confident one"
    assert stances.position_cells(rows, rule="earliest")[("RU", "sov")].label == "Leads"
    assert stances.position_cells(rows, rule="confident")[("RU", "sov")].label == "Leads"
    assert len(latest[("RU", "sov")].positions) == 3
    assert latest[("CN", "ops")].score == 1.0 and latest[("RU", "sov")].score == pytest.approx(4 / 6)

    matrix = stances.positions_matrix(latest, ["RU", "CN", "XX"], ["sov", "ops"], actor_labels={"RU": "Russia"})
    table = matrix.table()
    assert table.columns == ["Issue", "Russia", "CN", "XX"]
    assert table.rows == [["Sov", "Supports", "", ""], ["Ops", "", "Extensive", ""]]
    assert matrix.scores[0][2] is None and matrix.counts[0][0] == 3
    evidence = stances.evidence(latest[("RU", "sov")])
    assert evidence.columns[:2] == ["date", "stanceLabel"] and len(evidence.rows) == 3

    with pytest.raises(QueryError, match="unknown cell rule"):
        stances.position_cells(rows, rule="loudest")


def test_states_for_the_map_and_stance_order() -> None:
    rows = [
        pos("RU", "sov", "Leads", 7, "2015", iso3="RUS"),
        pos("RU", "sov", "Supports", 5, "2024", iso3="RUS"),
        pos("us-eu", "sov", "Opposes", 2, "2025"),
    ]
    states = stances.latest_by_state(rows)
    assert [(s["actorId"], s["stanceLabel"], s["positions"]) for s in states] == [("RU", "Supports", 2)]
    assert stances.stance_order(rows) == ["Opposes", "Supports", "Leads"]


def test_colours() -> None:
    assert stances.colour(0.0) == "#b2182b" and stances.colour(1.0) == "#2166ac" and stances.colour(0.5) == "#f7f7f7"
    assert stances.stance_score(2, 3) == 0.5 and stances.stance_score(None, 7) == 0.5
    assert stances.text_colour(0.0) == "#ffffff" and stances.text_colour(0.5) == "#000000"


def test_network_is_deterministic_and_filters() -> None:
    rows = [
        {"source": "RU", "sourceLabel": "Russia", "sourceType": "state", "relation": "party to",
         "target": "ru-cn", "targetLabel": "RU-CN", "targetType": "instrument"},
        {"source": "CN", "sourceLabel": "China", "sourceType": "state", "relation": "party to",
         "target": "ru-cn", "targetLabel": "RU-CN", "targetType": "instrument"},
        {"source": "RU", "sourceLabel": "Russia", "sourceType": "state", "relation": "member",
         "target": "sco", "targetLabel": "SCO", "targetType": "organisation"},
        {"source": "FR", "sourceLabel": "France", "sourceType": "state", "relation": "member",
         "target": "nato", "targetLabel": "NATO", "targetType": "organisation"},
    ]  # fmt: skip
    a, b = networks.network(rows), networks.network(rows)
    assert a == b and len(a.nodes) == 6 and len(a.edges) == 4
    assert {n.id: n.degree for n in a.nodes}["RU"] == 2
    assert {n.id for n in networks.network(rows, member_of=["sco"]).nodes} == {"RU", "CN", "ru-cn", "sco"}
    assert {n.id for n in networks.network(rows, relations=["party to"]).nodes} == {"RU", "CN", "ru-cn"}
    # the partner in a bilateral pact is one hop away (the pact is not a hop of its own)
    assert {n.id for n in networks.network(rows, focus="CN", hops=1).nodes} == {"CN", "ru-cn", "RU"}
    assert {n.id for n in networks.network(rows, focus="CN", hops=2).nodes} == {"CN", "ru-cn", "RU", "sco"}
    multi = [
        {"source": s, "sourceLabel": s, "sourceType": "state", "relation": "party to", "target": "conv",
         "targetLabel": "Convention", "targetType": "instrument"}
        for s in ("AA", "BB", "CC")
    ]  # fmt: skip
    assert {n.id for n in networks.network(multi, focus="AA", hops=1).nodes} == {"AA", "conv"}, "multilateral: 2 hops"
    assert networks.network([]).nodes == []


def test_chart_columns() -> None:
    assert sparql_page.chart_columns(Table(["type", "count"], [["a", 1], ["b", 2]])) == ("type", "count")
    assert sparql_page.chart_columns(Table(["kind", "id"], [["x", "1"], ["x", "2"], ["y", "3"]])) == ("kind", None)
    assert sparql_page.chart_columns(Table(["flag"], [[True], [False]])) == ("flag", None)
    assert sparql_page.chart_columns(Table(["a"], [])) is None


def test_permalinks_round_trip() -> None:
    link = sparql_page.permalink(page="sparql", name="bilateral-agreements", text=None, params={"actor": ["CN", "RU"]})
    assert link == {"page": "sparql", "q": "bilateral-agreements", "p.actor": "CN,RU"}
    assert sparql_page.from_permalink(link) == ("bilateral-agreements", None, {"actor": ["CN", "RU"]})
    typed = sparql_page.permalink(page="sparql", name=None, text="SELECT * WHERE {}")
    assert sparql_page.from_permalink(typed) == (None, "SELECT * WHERE {}", {})


def test_exports_carry_the_citation(store: EmbeddedStore) -> None:
    table = results.run_query(store, "bilateral-agreements", {"actor": ["CN"]})
    csv = results.export(table, "csv", name="bilateral-agreements", params={"actor": ["CN"]}).decode()
    assert csv.startswith(f"# Cyber Norms Knowledge Graph, version {__version__} (data sha256 ")
    assert "; query bilateral-agreements (sha256 " in csv.splitlines()[0] and "with actor=CN" in csv.splitlines()[0]
    payload = json.loads(results.export(table, "json", name=None, text="SELECT 1").decode())
    assert payload["citation"]["query"] == "(typed query)" and len(payload["citation"]["query_sha256"]) == 64


def test_queries_and_typed_text(store: EmbeddedStore) -> None:
    names = list(results.queries())
    assert names.index("compare-positions") < names.index("vote-count-mismatch-violation"), "QC queries last"
    with pytest.raises(QueryError, match="no library query"):
        results.run_query(store, "no-such-query")
    with pytest.raises(QueryError, match="empty"):
        results.run_text(store, "   ")
    with pytest.raises(QueryError, match="not allowed"):
        results.run_text(store, "CLEAR ALL")


def test_table4_defaults_cover_every_cell(store: EmbeddedStore) -> None:
    """Every cell of the default Compare matrix has positions, and the transcribed article cells are among them."""
    rows = results.records(results.run_query(store, "compare-positions"))
    cells = stances.position_cells(rows)
    assert set(cells) == {(a, i) for a in stances.TABLE4_ACTORS for i in stances.TABLE4_ISSUES}
    for (actor, issue), cell in cells.items():
        ids = {p["position"] for p in cell.positions}
        assert any(i.endswith("-haq-2025") for i in ids), (actor, issue)


def test_isolated_backend_stops_a_runaway_query(store: EmbeddedStore) -> None:
    backend = results.open_backend(isolate=True)
    assert isinstance(backend, EmbeddedStore) and backend.isolate
    try:
        with pytest.raises(QueryError) as caught:
            backend.select("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", timeout_s=0.5)
        assert results.is_timeout(caught.value)
        assert backend.select("SELECT ?s WHERE { ?s a ?c } LIMIT 2").rows, "answers again after the kill"
    finally:
        backend.close()


def test_default_compare_rule_prefers_the_strongest_basis(graph_file: Path) -> None:
    """The default rule shows the latest position of the strongest basis, so the article's own cells (secondary)
    show only where no statement exists; the publication year of a characterisation never beats a statement."""
    from kg.sparql.backends import EmbeddedStore

    assert next(iter(stances.CELL_RULES)) == "strongest"
    backend = EmbeddedStore(graph_file)
    rows = results.records(results.run_query(backend, "compare-positions"))
    cells = stances.position_cells(rows)
    ru = cells[("RU", "binding-instrument")]
    assert ru.shown["basisId"] == "own-statement" and not str(ru.shown["position"]).endswith("-haq-2025")
    us_eu = cells[("us-eu", "un-cybercrime-convention")]  # only the article speaks for the group itself
    assert us_eu.shown["basisId"] == "secondary"
    latest = stances.position_cells(rows, rule="latest")[("RU", "binding-instrument")]
    assert latest.shown["basisId"] != "secondary", "a 2025 article does not beat a dated statement"
