"""The explorer's new logic without Streamlit: view state in the URL, the search box (alternative names,
diacritics, exact-match first), a state's record and its stance/vote disagreements (CQ11), the vote grid and
agreement, the SPARQL page's prefixes and schema diagram, the operator's settings, header-less query files."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import KGError, QueryError
from kg.explore import operator, record, results, schema, search, viewstate, votes
from kg.explore.viewstate import Field
from kg.sparql.backends import EmbeddedStore, Value
from kg.sparql.library import resolve

FIELDS = [Field("a", "actors", "list"), Field("r", "rule"), Field("n", "hops", "int"), Field("c", "cell", "pair")]


@pytest.fixture(scope="module")
def store(graph_file: Path) -> EmbeddedStore:
    return EmbeddedStore(graph_file)


@pytest.fixture(scope="module")
def index(store: EmbeddedStore) -> search.Index:
    rows = results.records(results.run_query(store, "explorer-search-index"))
    return search.build_index(rows, aliases=search.load_aliases())


# ------------------------------------------------------------------------------------------------ view state
def test_view_state_round_trips_through_query_parameters() -> None:
    values = {"a": ["RU", "IR"], "r": "latest", "n": 2, "c": ("IR", "information-sovereignty")}
    encoded = viewstate.encode(values, FIELDS)
    assert encoded == {"actors": "RU,IR", "rule": "latest", "hops": "2", "cell": "IR,information-sovereignty"}
    assert viewstate.decode(encoded, FIELDS) == values


def test_view_state_drops_what_is_not_an_option() -> None:
    got = viewstate.decode(
        {"actors": "RU,XX", "rule": "bogus", "hops": "x", "cell": "a,b,c"},
        FIELDS,
        options={"a": ["RU"], "r": ["latest"]},
    )
    assert got == {"a": ["RU"]}


def test_permalink_keeps_the_app_root_and_names_the_page() -> None:
    pages = ["compare", "votes"]
    assert viewstate.link("https://kg.example/app/compare", "votes", {"first": "RU"}, pages=pages) == (
        "https://kg.example/app/votes?first=RU"
    )
    assert viewstate.link("", "votes", {}, pages=pages) == "http://localhost:8501/votes"


# ------------------------------------------------------------------------------------------------ search
@pytest.mark.parametrize(
    ("query", "kind", "rid"),
    [
        ("Turkey", "state", "TR"),
        ("turkiye", "state", "TR"),
        ("TÜRKİYE", "state", "TR"),
        ("Britain", "state", "GB"),
        ("UK", "state", "GB"),
        ("gbr", "state", "GB"),
        ("Russia", "state", "RU"),
        ("Iran", "state", "IR"),
        ("Syria", "state", "SY"),
        ("Korea, DPR", "state", "KP"),
        ("Ivory Coast", "state", "CI"),
        ("cote d'ivoire", "state", "CI"),
        ("Czech Republic", "state", "CZ"),
        ("Swaziland", "state", "SZ"),
        ("Macedonia", "state", "MK"),
        ("Burma", "state", "MM"),
        ("SCO", "organisation", "sco"),
        ("a/res/73/27", "resolution", "a-res-73-27"),
        ("A/RES/73/266", "resolution", "a-res-73-266"),
        ("budapest", "instrument", "budapest-convention"),
        ("oewg 2019", "process", "oewg-2019-2021"),
    ],
)
def test_search_finds_by_alternative_names_case_and_diacritics(
    index: search.Index, query: str, kind: str, rid: str
) -> None:
    top = index.search(query, limit=1)
    assert top and (top[0].entry.kind, top[0].entry.id) == (kind, rid), [(h.entry.id, h.matched) for h in top]


def test_search_puts_the_exact_name_first(index: search.Index) -> None:
    hits = index.search("Iran", limit=5)
    assert hits[0].entry.id == "IR" and "RU" not in [h.entry.id for h in hits[:1]]
    assert {h.entry.id for h in index.search("Turk", limit=2)} == {"TR", "TM"}, "Türkiye is found by its start"


def test_search_finds_quotes_and_opens_their_cell(index: search.Index) -> None:
    hits = index.search("digital sovereignty", kinds=("quote",))
    assert hits
    params = dict(hits[0].entry.params)
    assert hits[0].entry.page == "compare" and params["cell"] == f"{params['actors']},{params['issues']}"


def test_search_results_open_the_right_page(index: search.Index) -> None:
    pages = {
        h.entry.kind: (h.entry.page, dict(h.entry.params))
        for q in ("Russia", "sco-2009", "73/27", "oewg")
        for h in index.search(q, limit=3)
    }
    assert pages["state"] == ("actors", {"actor": "RU"})
    assert pages["resolution"][0] == "votes" and pages["process"][0] == "timeline"


def test_codes_match_only_exactly(index: search.Index) -> None:
    assert all(h.matched != "RUS" for h in index.search("ru", limit=20))


def test_alias_table_needs_a_reason_per_alias(tmp_path: Path) -> None:
    bad = tmp_path / "aliases.tsv"
    bad.write_text("# comment\nid\talias\treason\nTR\tTurkey\tformer name\nGB\tBritain\n", encoding="utf-8")
    with pytest.raises(KGError, match=r"aliases.tsv:4: expected 3 tab-separated cells"):
        search.load_aliases(bad)
    bad.write_text("id\tname\nTR\tTurkey\n", encoding="utf-8")
    with pytest.raises(KGError, match=r"aliases.tsv:1: the first row must be the header"):
        search.load_aliases(bad)


def test_every_curated_alias_names_a_state_in_the_graph(index: search.Index) -> None:
    ids = {e.id for e in index.entries}
    aliases = search.load_aliases()
    assert len(aliases) >= 20
    assert not [a for a in aliases if a.id not in ids]


# ------------------------------------------------------------------------------------------------ record and votes
def test_state_record_holds_every_kind_of_item(store: EmbeddedStore) -> None:
    rows = results.records(results.run_query(store, "state-record", {"state": ["RU"]}))
    kinds = {r["kind"] for r in rows}
    assert {"instrument", "membership", "process", "vote", "position"} <= kinds
    vote = next(r for r in rows if r["kind"] == "vote" and str(r["label"]).startswith("A/RES/73/266"))
    assert vote["what"] == "no" and vote["sponsors"] == "US" and "Advancing" in str(vote["label"])
    assert all(r["record"] for r in rows), "every item names the record whose sources back it"


def _pos(actor: str, issue: str, ordinal: int, date: str) -> dict[str, Value]:
    return {
        "actorId": actor,
        "issueId": issue,
        "ordinal": ordinal,
        "scaleMax": 7,
        "date": date,
        "stanceLabel": f"o{ordinal}",
    }


def test_disagreement_flags_a_vote_against_the_sponsor_a_state_agrees_with() -> None:
    vote_no: dict[str, Value] = {
        "kind": "vote",
        "what": "no",
        "record": "a-res-1",
        "label": "A/RES/1 x",
        "sponsors": "RU",
        "date": "2018-12-05",
        "detail": "plenary",
    }
    vote_yes = {**vote_no, "what": "yes", "record": "a-res-2", "label": "A/RES/2 x"}
    agree = [_pos("XX", "information-sovereignty", 6, "2018"), _pos("RU", "information-sovereignty", 7, "2015")]
    flags = record.disagreements("XX", [vote_no, vote_yes], agree)
    assert [(f.resolution, f.vote) for f in flags] == [("a-res-1", "no")]
    oppose = [_pos("XX", "information-sovereignty", 2, "2018"), _pos("RU", "information-sovereignty", 7, "2015")]
    assert [(f.resolution, f.vote) for f in record.disagreements("XX", [vote_no, vote_yes], oppose)] == [
        ("a-res-2", "yes")
    ]
    later = [_pos("XX", "information-sovereignty", 6, "2020"), _pos("RU", "information-sovereignty", 7, "2015")]
    assert record.disagreements("XX", [vote_no], later) == [], "only positions dated before the vote count"
    committee = {**vote_no, "detail": "first-committee", "what": "yes"}
    rows = record.timeline_rows([vote_no, committee, {"kind": "position", "date": None, "record": "p"}], flags)
    assert rows[-1]["date"] is None, "undated items last"
    assert [r["flag"] is not None for r in rows[:2]] == [True, False], "the flag sits on the stage that voted"


ROLL_CALLS: list[dict[str, Value]] = [
    {
        "resolutionId": "r1",
        "symbol": "A/RES/1",
        "stage": "plenary",
        "date": "2018-12-05",
        "yes": 2,
        "no": 1,
        "abstain": 0,
        "withoutVote": False,
        "rollCall": True,
    },
    {
        "resolutionId": "r2",
        "symbol": "A/RES/2",
        "stage": "plenary",
        "date": "2019-12-05",
        "withoutVote": True,
        "rollCall": False,
    },
    {
        "resolutionId": "r3",
        "symbol": "A/RES/3",
        "stage": "plenary",
        "date": "2020-12-05",
        "yes": 100,
        "no": 50,
        "abstain": 9,
        "withoutVote": False,
        "rollCall": False,
    },
]
VOTES: list[dict[str, Value]] = [
    {"resolutionId": "r1", "stage": "plenary", "code": "AA", "vote": "yes"},
    {"resolutionId": "r1", "stage": "plenary", "code": "BB", "vote": "yes"},
    {"resolutionId": "r1", "stage": "plenary", "code": "CC", "vote": "no"},
]


def test_vote_grid_never_says_no_where_nothing_is_recorded() -> None:
    grid = votes.grid(ROLL_CALLS, VOTES, ["AA", "DD"])
    cells = {(r[0], c): r[grid.columns.index(c)] for r in grid.rows for c in ("AA", "DD")}
    assert cells[("A/RES/1", "AA")] == "yes"
    assert cells[("A/RES/1", "DD")] == votes.NOT_RECORDED, "missing from a roll call: not recorded"
    assert cells[("A/RES/2", "AA")] == votes.WITHOUT_VOTE
    assert cells[("A/RES/3", "AA")] == votes.NOT_RECORDED, "a tally without a roll call: not recorded"


def test_agreement_counts_only_votes_both_cast() -> None:
    two = votes.agreement(ROLL_CALLS, VOTES, "AA", second="BB")
    assert (two.same, two.compared, two.share) == (1, 1, 1.0)
    assert votes.agreement(ROLL_CALLS, VOTES, "AA", second="DD").share is None
    bloc = votes.agreement(ROLL_CALLS, VOTES, "CC", bloc=["AA", "BB", "CC"])
    assert (bloc.same, bloc.compared) == (0, 1)


def test_real_roll_calls_give_ru_us_agreement(store: EmbeddedStore) -> None:
    calls = results.records(results.run_query(store, "votes-roll-calls"))
    cast = results.records(results.run_query(store, "resolution-votes"))
    got = votes.agreement(calls, cast, "RU", second="US")
    assert got.compared >= 3 and got.share is not None and got.share < 0.5


# ------------------------------------------------------------------------------------------------ SPARQL aids
def test_prefix_block_has_ontology_and_codebook_and_is_not_repeated() -> None:
    block = schema.prefix_block()
    for name in ("cn", "skos", "issue", "stance", "basis", "stage", "vc"):
        assert f"PREFIX {name}: <" in block
    text = "PREFIX cn: <https://w3id.org/cybernorms/ontology#>\nSELECT * WHERE { ?s a cn:State }"
    assert schema.with_prefixes(text).count("PREFIX cn:") == 1


def test_schema_diagram_is_generated_from_the_ontology(tmp_path: Path) -> None:
    dot = schema.schema_dot()
    assert '"cn:Position" -> "cn:Issue" [label="cn:issue"' in dot
    assert '"cn:BilateralAgreement" -> "cn:Instrument" [tooltip="subClassOf", arrowhead=empty' in dot
    tiny = tmp_path / "o.ttl"
    tiny.write_text(
        "@prefix cn: <https://w3id.org/cybernorms/ontology#> . @prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "cn:A a owl:Class . cn:B a owl:Class . cn:p a owl:ObjectProperty ; rdfs:domain cn:A ; rdfs:range cn:B .\n",
        encoding="utf-8",
    )
    assert '"cn:A" -> "cn:B" [label="cn:p", style=solid];' in schema.schema_dot(tiny)


def test_operator_settings() -> None:
    assert operator.allowed_endpoints({}) == ()
    with pytest.raises(KGError, match="CNKG_REMOTE_ENDPOINTS"):
        operator.allowed_endpoints({"CNKG_REMOTE_ENDPOINTS": "file:///etc/passwd"})
    assert operator.max_timeout({"CNKG_MAX_TIMEOUT_S": "12.5"}) == 12.5
    with pytest.raises(KGError, match="outside"):
        operator.max_timeout({"CNKG_MAX_TIMEOUT_S": "9999"})


def test_a_query_file_outside_the_library_needs_no_header(tmp_path: Path) -> None:
    mine = tmp_path / "my.rq"
    mine.write_text("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1\n", encoding="utf-8")
    assert resolve(str(mine)).summary == "query file my.rq"
    library = tmp_path / "lib"
    library.mkdir()
    inside = library / "bare.rq"
    inside.write_text("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1\n", encoding="utf-8")
    with pytest.raises(QueryError, match="header lacks"):
        resolve(str(inside), folder=library)


def test_matrix_csv_records_the_view(store: EmbeddedStore) -> None:
    table = results.table_of([{"Issue": "x", "RU": "Leads"}])
    text = results.export(table, "csv", name="compare-positions", view={"actors": "RU", "rule": "latest"}).decode()
    lines = text.splitlines()
    assert lines[0].startswith("# Cyber Norms") and lines[1] == "# view: actors=RU; rule=latest"


def test_cli_runs_a_query_file_without_header(built: object, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from .conftest import ROOT

    mine = tmp_path / "my.rq"
    mine.write_text(
        "PREFIX cn: <https://w3id.org/cybernorms/ontology#>\nSELECT (COUNT(*) AS ?n) WHERE { ?s a cn:State }\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-c", "from kg.cli import main; main()", "query", str(mine), "--format", "csv"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "query my (sha256" in done.stdout and "\n195" in done.stdout.replace("\r", "")
