"""Evidence, not transcription: each reproduction check, QC query and coverage rule is shown to fail on an input.

Fixtures start from the real validated records, change one thing, rebuild the graph in memory and look at what
the derivation, the reproduction report or the QC query now says."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from rdflib import Graph

from kg.paths import DATA
from kg.pipeline.check import check
from kg.pipeline.records import Record
from kg.pipeline.to_rdf import build_graph
from kg.pipeline.validate import Checked
from kg.publish.reproduce import TableReport, reproduce
from kg.sparql.backends import EmbeddedStore
from kg.sparql.library import bind, library

Edit = Callable[[list[Checked]], list[Checked]]


@pytest.fixture(scope="module")
def records() -> list[Checked]:
    return check([DATA])


def edited(records: list[Checked], rid: str, **changes: Any) -> list[Checked]:
    """The records with one record's fields changed (validation already passed; this is a graph fixture)."""
    out = []
    for item in records:
        if item.record.id == rid:
            rec: Record = item.record.model_copy(update=changes)
            item = replace(item, record=rec)
        out.append(item)
    return out


def without(records: list[Checked], keep: Callable[[Record], bool]) -> list[Checked]:
    return [c for c in records if keep(c.record)]


def store_of(records: list[Checked]) -> EmbeddedStore:
    return EmbeddedStore(build_graph(records))


def rows(store: EmbeddedStore, name: str, **params: list[str]) -> list[dict[str, Any]]:
    table = store.select(bind(library()[name], params))
    return [dict(zip(table.columns, r, strict=True)) for r in table.rows]


def derived(store: EmbeddedStore) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["rowLabel"], r["columnLabel"]): r for r in rows(store, "table4-derived")}


def report(store: EmbeddedStore, number: str) -> TableReport:
    return next(r for r in reproduce(store) if r.number == number)


def cites_article(rec: Record) -> bool:
    return rec.type == "position" and any(s.ref == "haq-2025" for s in rec.sources)


# ---------------------------------------------------------------- Table 4 derived from evidence
def test_table4_derived_never_reads_the_article(records: list[Checked]) -> None:
    real = derived(store_of(records))
    assert any(cites_article(c.record) for c in records), "the fixture needs positions transcribed from the article"
    stripped = derived(store_of(without(records, lambda r: not cites_article(r))))
    assert {k: (v["derived"], v["n"], v["basis"]) for k, v in stripped.items()} == {
        k: (v["derived"], v["n"], v["basis"]) for k, v in real.items()
    }


def test_removing_a_cells_primary_positions_changes_the_derived_cell(records: list[Checked]) -> None:
    """A derived cell rests on its counted positions: without them (the thinnest cell here) it is derived from other
    evidence or from none (value, basis or count changes), never left as it was."""
    store = store_of(records)
    cells = derived(store)
    evidence = rows(store, "table4-evidence")
    thinnest = min(sorted(cells), key=lambda k: cells[k]["n"])
    counted = {e["positionId"] for e in evidence if (e["rowLabel"], e["columnLabel"]) == thinnest and e["counts"]}
    assert len(counted) == cells[thinnest]["n"] >= 1
    after = derived(store_of(without(records, lambda r: r.id not in counted))).get(thinnest, {})
    keys = ("derived", "basis", "n")
    assert tuple(after.get(k) for k in keys) != tuple(cells[thinnest][k] for k in keys), f"{thinnest} did not change"


def test_secondary_positions_never_count(records: list[Checked]) -> None:
    store = store_of(records)
    ids = {e["positionId"] for e in rows(store, "table4-evidence")}
    secondary = {c.record.id for c in records if getattr(c.record, "basis", "") == "secondary"}
    assert ids and not ids & secondary


# ---------------------------------------------------------------- honest reproduction
def test_reproduce_reports_counts_not_success(records: list[Checked]) -> None:
    reports = reproduce(store_of(records))
    t4 = next(r for r in reports if r.number == "4")
    assert t4.count("agrees") + t4.count("explained") + t4.count("unexplained") + t4.count("no-evidence") == 15
    assert t4.count("agrees") < 15, "Table 4 is derived from evidence, not matched against itself"
    assert any(r.not_checkable for r in reports), "Table 2 is recorded and said to be uncheckable"


def test_changed_graph_value_makes_an_expected_difference_unexpected(records: list[Checked]) -> None:
    before = report(store_of(records), "3")
    assert not before.regressions
    # one fewer Russian bilateral agreement signed before 2011 shifts every explained cumulative count
    early = next(
        c.record.id
        for c in records
        if c.record.type == "instrument"
        and getattr(c.record, "kind", "") == "bilateral-agreement"
        and "RU" in getattr(c.record, "parties", [])
        and getattr(c.record, "signed", None) is not None
        and c.record.signed.date[:4] <= "2010"  # type: ignore[attr-defined]
    )
    after = report(store_of(without(records, lambda r: r.id != early)), "3")
    assert after.regressions, "an explanation keyed to a graph value must not accept a different value"


def test_table1_claim_dated_outside_its_period_differs(records: list[Checked]) -> None:
    claim = "Cyberattacks on Georgia raise concerns"
    ok = next(c for c in report(store_of(records), "1").cells if c.column == claim)
    assert ok.status == "agrees"
    moved = edited(records, "ev-2008-georgia-war-cyberattacks", date="2016-06-16")
    bad = next(c for c in report(store_of(moved), "1").cells if c.column == claim)
    assert bad.status == "unexplained" and "2016-06-16" in bad.evidence


# ---------------------------------------------------------------- QC queries each fail on a fixture
def qc_rows(store: EmbeddedStore, name: str) -> list[dict[str, Any]]:
    return rows(store, name)


@pytest.mark.parametrize(
    ("query", "edit", "culprit"),
    [
        (
            "vote-count-mismatch-violation",
            lambda rs: edited(rs, "vote-a-res-73-27-plenary", yes=["RU"]),
            "vote-a-res-73-27-plenary",
        ),
        (
            "rollcall-without-tally-violation",
            lambda rs: edited(rs, "a-res-73-266", tallies=[]),
            "a-res-73-266",
        ),
        (
            "note-contradicts-rollcall-violation",
            lambda rs: edited(rs, "a-res-73-266", note="No voting list was found in any stored source."),
            "a-res-73-266",
        ),
        (
            "decision-date-disagreement-violation",
            lambda rs: edited(rs, "a-res-74-28", adopted="2019-12"),
            "a-res-74-28",
        ),
        (
            "multilateral-parties-violation",
            lambda rs: edited(rs, "cis-2013", parties=["RU"], participations=[]),
            "cis-2013",
        ),
    ],
)
def test_consistency_qc_fails_on_its_fixture(records: list[Checked], query: str, edit: Edit, culprit: str) -> None:
    assert qc_rows(store_of(records), query) == []
    found = qc_rows(store_of(edit(records)), query)
    assert found and {r["id"] for r in found} == {culprit}


def test_source_qc_fails_on_excluded_and_unknown_domains(records: list[Checked]) -> None:
    pos = next(c.record for c in records if c.record.type == "position" and c.record.status == "verified")
    weak = pos.sources[0].model_copy(update={"url": "https://news-pravda.com/x", "un_symbol": None, "ref": None})
    unknown = pos.sources[0].model_copy(update={"url": "https://unlisted.example/x", "un_symbol": None, "ref": None})
    store = store_of(edited(records, pos.id, sources=[weak, unknown]))
    problems = {(r["id"], r["problem"]) for r in qc_rows(store, "excluded-source-violation")}
    assert problems == {(pos.id, "excluded domain"), (pos.id, "domain not in the domain table")}
    assert [r["id"] for r in qc_rows(store, "position-source-tier-violation")] == [pos.id]


# ---------------------------------------------------------------- coverage: absence is not a fact
def overlap(store: EmbeddedStore) -> dict[str, str]:
    return {r["code"]: r["group"] for r in rows(store, "cybercrime-budapest-overlap")}


def test_overlap_never_says_only_when_the_other_list_is_partial(records: list[Checked]) -> None:
    bc = next(c.record for c in records if c.record.id == "budapest-convention")
    assert not any(item.complete for item in bc.coverage)  # type: ignore[attr-defined]
    groups = overlap(store_of(records))
    assert "UN convention only" not in groups.values()
    assert "UN convention; Budapest not recorded" in groups.values()
    complete = bc.coverage[0].model_copy(update={"complete": True})  # type: ignore[attr-defined]
    asserted = overlap(store_of(edited(records, "budapest-convention", coverage=[complete])))
    assert "UN convention only" in asserted.values()


# ---------------------------------------------------------------- dates with precision
DATE_QUERY = """PREFIX cn: <https://w3id.org/cybernorms/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?id WHERE { ?p a cn:Position ; cn:recordId ?id ; cn:earliestDay ?e ; cn:latestDay ?l .
  FILTER (?l >= "2020-01-01"^^xsd:date && ?e <= "2020-12-31"^^xsd:date) }"""


def test_one_date_filter_finds_every_precision(records: list[Checked]) -> None:
    pos = [c.record for c in records if c.record.type == "position"][:4]
    dates = {pos[0].id: "2020", pos[1].id: "2020-06", pos[2].id: "2020-06-15", pos[3].id: "2019-12"}
    fixture = records
    for rid, d in dates.items():
        fixture = edited(fixture, rid, date=d)
    graph: Graph = build_graph(fixture)
    found = {str(r[0]) for r in graph.query(DATE_QUERY)}
    assert {pos[0].id, pos[1].id, pos[2].id} <= found
    assert pos[3].id not in found
