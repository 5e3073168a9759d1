"""The Streamlit explorer, page by page, with streamlit.testing (no browser): every page renders without an
exception and shows the content a reader comes for; widgets drive the pages; the SPARQL page is read-only and
reports timeouts and row caps; permalinks reopen a query; a remote endpoint set in the sidebar is used."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from streamlit.testing.v1 import AppTest

from kg import __version__
from kg.explore import results, stances

from .conftest import ROOT
from .helpers import SparqlHandler, http_server

MAIN = str(ROOT / "app" / "main.py")


pytestmark = pytest.mark.usefixtures("built")  # the app reads the graph built for this run


@pytest.fixture(scope="module")
def backend() -> Any:
    """The embedded store the app itself uses (the graph built for this run)."""
    return results.open_backend()


def app(to: str | None = None, **query_params: str) -> AppTest:
    """The app, run once (on the given page)."""
    at = AppTest.from_file(MAIN, default_timeout=120)
    if to:  # opened as a link opens it: the page's path and its query parameters together
        at.switch_page(f"views/{to}.py")
    for key, value in query_params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    """Everything a reader sees as text: markdown, captions, headings, alerts, metrics."""
    parts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success"):
        parts += [str(getattr(e, "value", "")) for e in at.get(kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)


def frames(at: AppTest) -> list[Any]:
    return [d.value for d in at.dataframe]


def cells(at: AppTest) -> set[str]:
    """Every cell value of every table on the page, as text."""
    out: set[str] = set()
    for df in frames(at):
        for col in df.columns:
            out.update(str(v) for v in df[col].tolist())
    return out


def check_page(at: AppTest) -> None:
    """What every page must have: the dataset version stated, and a CSV download for its tables."""
    assert f"dataset version **{__version__}**" in texts(at)
    if at.dataframe:
        assert len(at.get("download_button")) >= 1


# ------------------------------------------------------------------------------------------------ pages
def test_overview_counts_version_citation_licence(backend: Any) -> None:
    at = app()
    check_page(at)
    counts = {str(r[0]): int(str(r[1])) for r in results.run_query(backend, "counts-by-type").rows}
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Instruments"] == str(counts["instrument"])
    assert metrics["States"] == str(counts["state"])
    shown = texts(at)
    assert "CC BY 4.0" in shown and "MIT" in shown
    assert f"version {__version__}" in texts(at), "how-to-cite text is shown"
    at.session_state["how-to-cite"] = True  # its copy box, made when opened
    at.run()
    assert any(f"version {__version__}" in c.value for c in at.code), "how-to-cite text can be copied"
    assert {"state", "instrument", "position"} <= cells(at)
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"), "records-by-type chart"


def test_instruments_list_facets_and_detail() -> None:
    at = app("instruments")
    check_page(at)
    assert "ru-cn-2015" in cells(at)
    total = len(at.dataframe[0].value)

    at.multiselect(key="f-kind").set_value(["bilateral-agreement"]).run()
    listed = at.dataframe[0].value
    assert 0 < len(listed) < total and set(listed["kind"]) == {"bilateral-agreement"}
    at.multiselect(key="f-party").set_value(["CN"]).run()
    listed = at.dataframe[0].value
    assert "ru-cn-2015" in set(listed["instrument"]) and "ru-br-2010" not in set(listed["instrument"])
    assert f"**{len(listed)}** of {total} instruments" in texts(at)

    at.selectbox(key="instrument-detail").set_value("ru-cn-2015").run()
    shown = texts(at)
    assert "Agreement between the Government of the Russian Federation" in shown
    assert "2015-05-08 at Moscow" in shown
    assert "Parties and their dates" in shown and "What refers to it" in shown
    assert {"CN", "RU", "ev-2015-05-ru-cn-information-security-agreement"} <= cells(at)
    assert at.query_params["id"] == "ru-cn-2015"


def test_instrument_permalink_opens_the_detail() -> None:
    at = app("instruments", id="sco-2009")
    assert at.selectbox(key="instrument-detail").value == "sco-2009"
    assert "Shanghai Cooperation Organisation (sco)" in texts(at)


def test_state_profile() -> None:
    at = app("actors")
    check_page(at)
    shown = texts(at)
    assert "Russian Federation" in shown and "EEG" in shown
    assert "A/RES/74/28" in str(at.dataframe[0].value["label"].tolist()), "the record tab opens first"
    expected = {
        "Memberships": {"sco", "csto", "brics"},
        "Agreements": {"ru-cn-2015"},
        "Votes": {"A/RES/74/28"},
        "Positions": {"pos-ru-cyber-sovereignty-haq-2025"},
    }
    for tab, values in expected.items():
        opened = app("actors", actor="RU", tab=tab)
        assert values <= cells(opened), tab
        assert "Coded positions, each with" not in texts(opened) or tab == "Positions", "only the open tab runs"

    brazil = app("actors", actor="BR", tab="GGE seats")
    assert "gge-2019-2021" in cells(brazil), "Brazil chaired the 2019-2021 GGE"


def test_organisation_profile() -> None:
    at = app("actors", actor="sco", tab="Memberships")
    assert not at.exception
    shown = texts(at)
    assert "Shanghai Cooperation Organisation" in shown and "Members of SCO" in shown
    assert {"CN", "RU", "IN"} <= cells(at)
    assert "sco-2009" in cells(app("actors", actor="sco", tab="Agreements"))


def test_compare_table4_matrix_and_evidence() -> None:
    table4 = app("compare", tab="Table 4 (Haq 2025)")
    check_page(table4)
    derived = next(d.value for d in table4.dataframe if "verdict" in d.value.columns)
    assert list(derived.columns)[:5] == ["rowLabel", "columnLabel", "published", "derived", "verdict"]
    assert len(derived) == 15, "printed and derived Table 4, cell by cell"
    assert set(derived["verdict"]) <= {"agrees", "differs", "no-evidence"} and "differs" in set(derived["verdict"])
    at = app("compare")
    check_page(at)
    assert not [d for d in at.dataframe if "verdict" in d.value.columns], "a closed section is not computed"
    matrix = next(d.value for d in at.dataframe if "Issue" in d.value.columns)
    assert list(matrix.columns) == ["Issue", "Russian Federation", "US/EU", "China"]
    assert len(matrix) == len(stances.TABLE4_ISSUES)
    assert matrix.iloc[0, 0].startswith("Information sovereignty") and matrix.iloc[0, 1], "Russia's cell is filled"

    at.selectbox(key="ev-actor").set_value("us-eu").run()
    at.selectbox(key="ev-issue").set_value("multistakeholder-governance").run()
    shown = texts(at)
    assert "the cell shows **Strongly Supports**" in shown
    assert "cnkg-team" in shown and "Sami ul Haq (2025)" in shown, "coder and source of the evidence"

    at.radio(key="cmp-rule").set_value("earliest").run()
    assert not at.exception
    at.multiselect(key="cmp-actors").set_value(["RU", "CN", "US"]).run()
    matrix = next(d.value for d in at.dataframe if "Issue" in d.value.columns)
    assert list(matrix.columns) == ["Issue", "Russian Federation", "China", "United States"]


def test_compare_rival_resolution_votes() -> None:
    at = app("compare", tab="Rival resolutions")
    assert at.session_state["cmp-tab"] == "Rival resolutions", "the open section is part of the view"
    rival = at.dataframe[-2].value
    assert list(rival.columns) == ["code", "name", "firstVote", "secondVote"]
    assert ("CN", "no") in set(zip(rival["code"], rival["firstVote"], strict=True))
    # default pair: against the US-sponsored 73/266, for the Russian-sponsored 73/27 (plenary roll calls)
    assert ("CN", "no", "yes") in set(zip(rival["code"], rival["firstVote"], rival["secondVote"], strict=True))
    crosstab = at.dataframe[-1].value
    assert int(crosstab["states"].sum()) == len(rival)


def test_timeline(backend: Any) -> None:
    at = app("timeline")
    check_page(at)
    n = len(results.run_query(backend, "timeline").rows)
    assert f"**{n}** of {n} dated developments" in texts(at)
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    at.multiselect(key="tl-kinds").set_value(["resolution"]).run()
    assert set(at.dataframe[0].value["kind"]) == {"resolution"}
    at.text_input(key="tl-search").input("Budapest").run()
    assert not at.exception


def test_map_stance_and_vote() -> None:
    at = app("map")
    check_page(at)
    issue = "Information sovereignty"
    assert f"states with a coded position on *{issue}*" in texts(at)
    assert {"RUS", "CHN"} <= cells(at)
    stance = map_layers(at)
    assert {"RUS", "CHN"} <= {d["iso3"] for d in stance["data"]}
    assert {d["stanceLabel"] for d in stance["data"]} == set(stance["legend"]), "every stance shown has its colour"
    at.radio(key="map-mode").set_value("vote").run()
    assert not at.exception
    assert "recorded votes on A/RES/73/27" in texts(at)
    vote = map_layers(at)
    assert {d["vote"] for d in vote["data"]} <= {"yes", "no", "abstain", "absent"} and "yes" in vote["legend"]


def map_layers(at: AppTest) -> dict[str, Any]:
    """The map's Vega-Lite spec: the world geometry (served by the app) under the states joined to it."""
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert len(charts) == 1
    spec = json.loads(charts[0].proto.spec)
    land, states = spec["layer"]
    assert land["data"]["url"] == states["data"]["url"] == "app/static/world_110m.json"
    assert (ROOT / land["data"]["url"]).is_file()
    lookup = next(t for t in states["transform"] if "lookup" in t)
    colour = states["encoding"]["color"]
    assert len(colour["scale"]["domain"]) == len(colour["scale"]["range"])
    assert [f["field"] for f in states["encoding"]["tooltip"]], "hovering a state names it"
    return {"data": lookup["from"]["data"]["values"], "legend": colour["scale"]["domain"]}


def test_network() -> None:
    at = app("network")
    check_page(at)
    focused = at.dataframe[0].value
    drawn = network_layers(at)
    assert drawn["nodes"] == set(focused["id"]), "every node of the table is drawn"
    assert drawn["links"] == len(at.dataframe[1].value) and drawn["labelled"], "links drawn, big nodes labelled"
    assert at.selectbox(key="net-focus").value == "RU", "a readable default: one state's neighbourhood"
    assert "CN" in set(focused["id"]), "a partner in a bilateral pact is one hop away"
    assert "Russian Federation" in set(at.dataframe[1].value["source"]), "links name their ends"
    at.selectbox(key="net-focus").set_value("").run()
    assert not at.exception
    assert len(at.dataframe[0].value) > len(focused)


def network_layers(at: AppTest) -> dict[str, Any]:
    """What the network's Vega-Lite spec draws: node ids, the number of links, the labelled nodes."""
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert len(charts) == 1
    links, nodes, labels = json.loads(charts[0].proto.spec)["layer"]
    return {
        "nodes": {n["id"] for n in nodes["data"]["values"]},
        "links": len(links["data"]["values"]),
        "labelled": [n["text"] for n in labels["data"]["values"]],
    }


# ------------------------------------------------------------------------------------------------ SPARQL
def test_sparql_runs_the_library_query_and_sets_a_permalink(backend: Any) -> None:
    at = app("sparql")
    check_page(at)
    assert "Records in the graph, by type" in (at.text_area(key="sq-text-counts-by-type").value or "")
    at.button(key="sq-run").click().run()
    n = len(results.run_query(backend, "counts-by-type").rows)
    assert f"**{n}** rows" in texts(at)
    assert len(at.get("download_button")) == 2, "CSV and JSON"
    assert at.query_params["q"] == "counts-by-type" and "text" not in at.query_params
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"), "a simple chart of type x count"


def test_sparql_parameters_are_bound_through_the_header() -> None:
    at = app("sparql")
    at.selectbox(key="sq-name").set_value("bilateral-agreements").run()
    at.text_input(key="sq-p-bilateral-agreements-actor").input("CN").run()
    at.button(key="sq-run").click().run()
    actors = set(at.dataframe[0].value["actor"])
    assert actors == {"CN"}, "record IRIs are shown as their ids"
    assert at.query_params["p.actor"] == "CN"


def test_sparql_permalink_reopens_and_runs() -> None:
    at = app(None, page="sparql", q="timeline")
    assert at.selectbox(key="sq-name").value == "timeline"
    assert "rows in" in texts(at) and at.dataframe


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("DELETE WHERE { ?s ?p ?o }", "updates are not allowed"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "updates are not allowed"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT ?x WHERE { ?x", "syntax error"),
    ],
)
def test_sparql_is_read_only(text: str, message: str) -> None:
    at = app("sparql")
    at.text_area(key="sq-text-counts-by-type").input(text).run()
    at.button(key="sq-run").click().run()
    assert not at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]


def test_sparql_reports_row_cap_and_timeout() -> None:
    at = app("sparql")
    at.text_area(key="sq-text-counts-by-type").input("SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s").run()
    at.number_input(key="sq-cap").set_value(7).run()
    at.button(key="sq-run").click().run()
    assert any("Row cap hit" in w.value for w in at.warning)
    assert len(at.dataframe[0].value) == 7

    # a cross join of the graph with itself (over 300 million rows) is stopped at the time limit
    runaway = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
    at.text_area(key="sq-text-counts-by-type").input(runaway).run()
    at.number_input(key="sq-cap").set_value(100_000).run()
    at.number_input(key="sq-timeout").set_value(0.1).run()
    at.button(key="sq-run").click().run()
    assert any("Timeout hit" in e.value for e in at.error), [e.value for e in at.error]
    # and the app still answers afterwards (with a timeout a re-forked worker on a loaded machine can meet)
    at.number_input(key="sq-timeout").set_value(30.0).run()
    at.text_area(key="sq-text-counts-by-type").input("SELECT ?s WHERE { ?s a ?c } ORDER BY ?s LIMIT 3").run()
    at.button(key="sq-run").click().run()
    assert "**3** rows" in texts(at)


# ------------------------------------------------------------------------------------------------ endpoint
@pytest.fixture(scope="module")
def endpoint(graph_file: Path) -> Iterator[str]:
    store = ox.Store()
    store.bulk_load(path=str(graph_file), format=ox.RdfFormat.N_TRIPLES)
    with http_server(SparqlHandler, store=store) as base:
        yield f"{base}/query"


def test_remote_endpoint_is_off_unless_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CNKG_REMOTE_ENDPOINTS", raising=False)
    at = app()
    assert "endpoint" not in {w.key for w in [*at.selectbox, *at.text_input]}, "no endpoint field"
    at.session_state["endpoint"] = "http://127.0.0.1:9/query"  # a value not on the allow-list is ignored
    at.run()
    assert "queried from the embedded store" in texts(at)


def test_remote_endpoint_setting_is_used(endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    embedded = app("compare")
    monkeypatch.setenv("CNKG_REMOTE_ENDPOINTS", endpoint)
    at = app()
    at.selectbox(key="endpoint").set_value(endpoint).run()
    assert not at.exception
    assert f"remote endpoint {endpoint}" in texts(at)
    at.switch_page("views/compare.py").run()
    assert not at.exception
    assert at.dataframe[0].value.equals(embedded.dataframe[0].value)


def test_bad_endpoint_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNKG_REMOTE_ENDPOINTS", "not a url")
    at = app()
    assert not at.exception
    assert any("is not an http(s) URL" in e.value and "CNKG_REMOTE_ENDPOINTS" in e.value for e in at.error)
    monkeypatch.setenv("CNKG_REMOTE_ENDPOINTS", "http://127.0.0.1:9/query")
    at.session_state["endpoint"] = "http://127.0.0.1:9/query"
    at.run()
    assert not at.exception
    assert any("unreachable" in e.value and "clear the endpoint" in e.value for e in at.error)


def test_pages_live_outside_a_pages_directory() -> None:
    """Streamlit serves an `app/pages/` folder as its own navigation until the main script has run once, so
    a first visit straight to /map would miss the sidebar settings; the pages live in app/views/."""
    assert not (ROOT / "app" / "pages").exists()
    assert (ROOT / "app" / "views" / "compare.py").exists()


def test_compare_filters_by_evidence_basis() -> None:
    at = app("compare")
    at.multiselect(key="cmp-basis").set_value(["own-statement"]).run()
    assert not at.exception
    shown = texts(at)
    assert "basis **own-statement**" in shown and "basis **secondary**" not in shown


# ------------------------------------------------------------------------------------------------ views as links
@pytest.mark.parametrize(
    ("page", "params", "key", "value"),
    [
        ("actors", {"actor": "IR"}, "actor-pick", "IR"),
        ("instruments", {"id": "budapest-convention", "kind": "convention"}, "f-kind", ["convention"]),
        ("votes", {"states": "RU,IR", "first": "CN", "second": "IN"}, "v-states", ["RU", "IR"]),
        ("compare", {"actors": "IR,CN", "issues": "information-sovereignty", "rule": "latest"}, "cmp-actors",
         ["IR", "CN"]),
        ("map", {"mode": "vote", "resolution": "a-res-73-266"}, "map-resolution", "a-res-73-266"),
        ("network", {"focus": "CN", "hops": "2"}, "net-focus", "CN"),
        ("timeline", {"q": "oewg", "years": "2015,2020"}, "tl-years", (2015, 2020)),
    ],
)
def test_a_link_restores_the_view_and_the_view_writes_its_link(
    page: str, params: dict[str, str], key: str, value: object
) -> None:
    at = app(page, **params)
    assert at.session_state[key] == value
    for name, text in params.items():
        assert at.query_params[name] == text, f"{name} is written back into the URL"
    assert not any(c.value.startswith("@misc{") for c in at.code), "the citation is made when it is opened"
    at.session_state["cite-view"] = True  # open "Copy link · Cite this view" (lazy: it reruns the page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for name, text in params.items():
        assert at.query_params[name] == text, "opening it keeps the view"
    codes = [c.value for c in at.code]
    link = next(c for c in codes if c.startswith("http"))
    assert f"/{page}?" in link and all(f"{k}=" in link for k in params)
    assert link.startswith("http://localhost:8501/"), "no browser in AppTest: the default host"
    assert any(c.startswith("@misc{") for c in codes), "BibTeX"
    assert any('"type": "dataset"' in c for c in codes), "CSL-JSON"
    assert any("data sha256" in c for c in codes), "the citation pins the data"


def test_a_malformed_link_falls_back_to_the_defaults() -> None:
    at = app("compare", actors="XX,RU", rule="nonsense", issues="")
    assert at.session_state["cmp-actors"] == ["RU"], "unknown actors are dropped"
    assert at.session_state["cmp-rule"] == "strongest"


def test_compare_adds_exactly_the_actor_typed() -> None:
    at = app("compare")
    at.text_input(key="cmp-add").input("Iran").run()
    assert not at.exception
    chosen = at.multiselect(key="cmp-actors").value
    assert "IR" in chosen and chosen.count("RU") == 1 and len(chosen) == 4, chosen
    at.text_input(key="cmp-add").input("Britain; turkey").run()
    assert {"GB", "TR"} <= set(at.multiselect(key="cmp-actors").value)
    assert "Iran (IR)" in texts(at), "the whole selection is listed in words"


def test_compare_cells_show_their_basis() -> None:
    at = app("compare")
    matrix = at.dataframe[0].value
    assert any(" (own, " in str(v) for v in matrix.to_numpy().ravel())


def test_state_record_flags_stance_vote_disagreements() -> None:
    at = app("actors", actor="RU")
    record = at.dataframe[0].value
    assert {"instrument", "membership", "vote", "position"} <= set(record["kind"])
    votes = record[record["kind"] == "vote"]
    assert votes["label"].str.contains("A/RES/73/27 Developments").any(), "votes carry the resolution's title"
    assert set(votes["sponsors"].dropna()) >= {"RU", "US"}


def test_votes_page_grid_says_not_recorded_and_counts_agreement() -> None:
    at = app("votes", states="RU,US", first="RU", second="US")
    grid = at.dataframe[0].value
    assert {"symbol", "title", "sponsors", "stage", "tally", "RU", "US"} <= set(grid.columns)
    assert "not recorded" in set(grid["RU"]), "no roll call is never a 'no'"
    plenary = grid[(grid["symbol"] == "A/RES/73/27") & (grid["stage"] == "plenary")]
    assert list(plenary["RU"]) == ["yes"] and list(plenary["US"]) == ["no"]
    assert "recorded roll calls" in texts(at) and "rests on" in texts(at)
    at.selectbox(key="v-bloc").set_value("sco").run()
    assert not at.exception and "the majority of SCO" in texts(at)


def test_search_box_opens_the_right_page() -> None:
    at = app()
    at.text_input(key="search-q").input("Turkey").run()
    assert not at.exception
    links = at.get("page_link")
    first = links[0].proto
    assert "Türkiye" in first.label and first.page.endswith("actors")
    assert "actor=TR" in first.query_string


def test_sparql_link_with_text_fills_the_editor_but_does_not_run() -> None:
    at = app("sparql", text="SELECT * WHERE { ?s ?p ?o } LIMIT 3")
    assert at.text_area(key="sq-text-counts-by-type").value == "SELECT * WHERE { ?s ?p ?o } LIMIT 3"
    assert "rows in" not in texts(at), "typed text from a link never runs unasked"


def test_sparql_timeout_cannot_pass_the_operator_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CNKG_MAX_TIMEOUT_S", "5")
    at = app("sparql")
    box = at.number_input(key="sq-timeout")
    assert box.max == 5 and box.value <= 5


def test_sparql_prefixes_are_inserted_and_the_schema_is_drawn() -> None:
    at = app("sparql")
    assert "sq-prefixes" not in {b.key for b in at.button}, "the aids are made when opened"
    at.session_state["sq-aids"] = True  # open "Prefixes, schema and dates" (lazy: made when opened)
    at.run()
    at.button(key="sq-prefixes").click().run()
    text = at.text_area(key="sq-text-counts-by-type").value or ""
    assert "PREFIX issue: <https://w3id.org/cybernorms/id/issue/>" in text
    assert text.count("PREFIX cn:") == 1, "prefixes the query declares are not repeated"
    at.toggle(key="sq-schema").set_value(True).run()
    assert not at.exception
    assert "cn:Position" in at.get("graphviz_chart")[0].proto.spec
