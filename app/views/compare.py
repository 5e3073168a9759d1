"""Compare: the positions matrix of chosen actors on chosen issues (default: the actors and issues of Table 4
of Haq 2025), cells coloured by the stance's ordinal, each cell's evidence on selection; Table 4 printed beside derived;
and how states voted on two rival resolutions. One section per tab (in the URL): only the open one is computed."""

from __future__ import annotations

import pandas as pd
import streamlit as st
import ui

from kg.explore import facets, results, stances
from kg.explore.viewstate import Field

FIELDS = [
    Field("cmp-actors", "actors", "list"),
    Field("cmp-issues", "issues", "list"),
    Field("cmp-rule", "rule"),
    Field("cmp-basis", "basis", "list"),
    Field("cmp-cell", "cell", "pair"),
    Field("t4-cell", "t4", "pair"),
    Field("rival-first", "first"),
    Field("rival-second", "second"),
    Field("cmp-tab", "tab"),
]
SECTIONS = ["Positions matrix", "Table 4 (Haq 2025)", "Rival resolutions"]

slot = ui.header(
    "Compare",
    "Positions of actors on the issues of the codebook. Each cell shows one coded position chosen by the rule "
    "below, with its evidence basis and the number of positions behind it; select a cell to see every position "
    "behind it with its quote, sources and coder.",
)

everything = ui.rows("compare-positions", {"actor": ["*"], "issue": ["*"]})
names = results.actor_names(ui.rows("actors"))
choice = results.actor_choice(ui.rows("actors"))
issue_label = {str(r["issueId"]): str(r["issueLabel"]) for r in everything}
actor_ids = sorted({str(r["actorId"]) for r in everything}, key=lambda a: choice.get(a, a))
issue_ids = sorted(issue_label, key=lambda i: issue_label[i])
ui.restore(
    "compare",
    FIELDS[:4],
    options={
        "cmp-actors": actor_ids,
        "cmp-issues": issue_ids,
        "cmp-rule": list(stances.CELL_RULES),
        "cmp-basis": list(stances.BASES),
    },
    defaults={
        "cmp-actors": list(stances.TABLE4_ACTORS),
        "cmp-issues": list(stances.TABLE4_ISSUES),
        "cmp-rule": "strongest",
        "cmp-basis": [],
    },
)
ui.restore("compare", FIELDS[8:], options={"cmp-tab": SECTIONS}, defaults={"cmp-tab": SECTIONS[0]})


def add_by_name() -> None:
    """Add the actor a typed name finds (exact names, codes and alternative names first; no type-ahead)."""
    typed = str(st.session_state.get("cmp-add") or "")
    for part in [p for p in typed.split(";") if p.strip()]:
        hits = ui.search_index().search(part, limit=1, kinds=("state", "organisation"))
        found = hits[0].entry.id if hits else None
        if found in actor_ids and found not in st.session_state["cmp-actors"]:
            st.session_state["cmp-actors"] = [*st.session_state["cmp-actors"], found]
        st.session_state["cmp-added"] = (
            f"added {choice.get(found, found)}" if found in actor_ids else f"no coded actor found for {part!r}"
        )
    st.session_state["cmp-add"] = ""


with st.container(border=True):
    actors = st.multiselect("Actors", actor_ids, format_func=lambda a: choice.get(a, a), key="cmp-actors")
    a1, a2 = st.columns([3, 2])
    a1.text_input(
        "Add an actor by name, code or alternative name (Enter adds exactly what it finds; ';' for several)",
        key="cmp-add",
        on_change=add_by_name,
        placeholder="e.g. Iran; Britain; SCO",
    )
    if st.session_state.get("cmp-added"):
        a2.caption(str(st.session_state.pop("cmp-added")))
    issues = st.multiselect("Issues", issue_ids, format_func=lambda i: issue_label.get(i, i), key="cmp-issues")
    c1, c2 = st.columns([3, 2])
    rule = c1.radio(
        "Each cell shows",
        list(stances.CELL_RULES),
        format_func=lambda r: stances.CELL_RULES[r],
        key="cmp-rule",
        horizontal=True,
    )
    bases = c2.multiselect(
        "Evidence basis (empty: all)", list(stances.BASES), format_func=lambda b: stances.BASES[b], key="cmp-basis"
    )
st.caption(
    f"**{len(actors)} actors:** "
    + (", ".join(choice.get(a, a) for a in actors) or "none")
    + f"  \n**{len(issues)} issues:** "
    + (", ".join(issue_label.get(i, i) for i in issues) or "none")
)
if not actors or not issues:
    st.info("Choose at least one actor and one issue.")
    ui.finish(slot, "compare", FIELDS[:4], query="compare-positions")
    st.stop()

params = {"actor": actors, "issue": issues, **({"basis": bases} if bases else {})}


def positions_section() -> None:
    """The positions matrix of the chosen actors and issues, and the evidence of a cell."""
    result = ui.run("compare-positions", params)
    cells = stances.position_cells(results.records(result), rule=rule)
    matrix = stances.positions_matrix(cells, actors, issues, actor_labels=names)
    df = ui.frame(matrix.table(basis=True))

    def paint(frame: pd.DataFrame) -> pd.DataFrame:
        """Cell styles: background by the stance's place on its scale, readable text colour."""
        styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
        for r, row in enumerate(matrix.scores):
            for c, score in enumerate(row):
                if score is not None:
                    styles.iat[r, c + 1] = (
                        f"background-color: {stances.colour(score)}; color: {stances.text_colour(score)}"
                    )
        return styles

    st.markdown("#### Positions matrix")
    event = st.dataframe(
        df.style.apply(paint, axis=None),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-cell",
        key="cmp-matrix",
    )
    legend = " ".join(
        f"<span style='background:{stances.colour(s)};color:{stances.text_colour(s)};padding:2px 6px;"
        f"border-radius:3px;font-size:0.8em'>{label}</span>"
        for s, label in [
            (0.0, "lowest"),
            (1 / 6, ""),
            (2 / 6, ""),
            (0.5, "middle"),
            (4 / 6, ""),
            (5 / 6, ""),
            (1.0, "highest"),
        ]
    )
    st.markdown(
        f"Colour = the stance's ordinal on its scale: {legend}<br><small>Stance scale: Strongly Opposes (1) ... "
        "Leads (7); practice scale (information operations): Limited (1), Moderate (2), Extensive (3). "
        "Empty cell: no coded position.</small>",
        unsafe_allow_html=True,
    )
    filled = sum(1 for r in matrix.scores for s in r if s is not None)
    ui.download(
        matrix.table(basis=True),
        key="positions-matrix",
        query="compare-positions",
        params=params,
        note=f"{len(result.rows)} coded positions behind {filled} cells · each cell: the stance (the basis of the "
        "position shown: own = own statement, joint = joint text, bloc = bloc statement, sec. = secondary; the number "
        "of positions behind the cell)",
        view={"actors": ",".join(actors), "issues": ",".join(issues), "rule": rule, "basis": ",".join(bases) or "all"},
    )

    st.markdown("#### Evidence for a cell")
    selected = event.selection.cells if event is not None else []
    if selected:
        row_pos, column = selected[0]
        col_pos = list(df.columns).index(column) - 1 if column in df.columns else -1
        if 0 <= row_pos < len(issues) and 0 <= col_pos < len(actors):
            pick = (actors[col_pos], issues[row_pos])
            if st.session_state.get("_cmp_cell") != pick:
                st.session_state["_cmp_cell"] = pick
                st.session_state["ev-actor"], st.session_state["ev-issue"] = pick
    wanted_cell = st.query_params.get("cell")
    if wanted_cell and wanted_cell != st.session_state.get("_cmp_cell_url"):
        st.session_state["_cmp_cell_url"] = wanted_cell
        ev_a, _, ev_i = wanted_cell.partition(",")
        if ev_a in actors and ev_i in issues:
            st.session_state["ev-actor"], st.session_state["ev-issue"] = ev_a, ev_i
    for key, options in (("ev-actor", actors), ("ev-issue", issues)):
        if st.session_state.get(key) not in options:
            st.session_state[key] = options[0]
    e1, e2 = st.columns(2)
    ev_actor = e1.selectbox("Actor", actors, format_func=lambda a: choice.get(a, a), key="ev-actor")
    ev_issue = e2.selectbox("Issue", issues, format_func=lambda i: issue_label.get(i, i), key="ev-issue")
    st.session_state["cmp-cell"] = (ev_actor, ev_issue)
    st.session_state["_cmp_cell_url"] = f"{ev_actor},{ev_issue}"
    cell = cells.get((ev_actor, ev_issue))
    if cell is None:
        st.caption("No coded position for this actor and issue.")
    else:
        st.markdown(
            f"**{names.get(ev_actor, ev_actor)}** on **{cell.issue_label}**: the cell shows **{cell.label}** "
            f"({cell.shown.get('date')}, {cell.shown.get('forum')}), {stances.CELL_RULES[rule]}; "
            f"{len(cell.positions)} coded position(s), oldest first:"
        )
        for pos in cell.positions:
            score = stances.stance_score(pos.get("ordinal"), pos.get("scaleMax"))
            with st.container(border=True):
                st.markdown(
                    f"<span style='background:{stances.colour(score)};color:{stances.text_colour(score)};"
                    f"padding:2px 8px;border-radius:3px'>{pos.get('stanceLabel')}</span> &nbsp; "
                    f"**{pos.get('date')}** · basis **{pos.get('basisId')}** ({pos.get('quoteKind')} quote) · "
                    f"forum `{pos.get('forum')}` · coded by {pos.get('coder')} "
                    f"(confidence {pos.get('confidence')}) · `{pos.get('position')}`",
                    unsafe_allow_html=True,
                )
                if pos.get("quote"):
                    st.markdown(f"> {ui.md(pos['quote'])}")
                else:
                    st.caption("No quote recorded (the source characterises the actor without a citable passage).")
                sources = facets.split_list(pos.get("sources"), " | ")
                st.markdown(
                    "Sources: "
                    + "; ".join(f"<{s}>" if s.startswith(("http://", "https://")) else ui.md(s) for s in sources)
                )
        ui.download(
            stances.evidence(cell),
            key=f"evidence-{ev_actor}-{ev_issue}",
            query="compare-positions",
            params={"actor": [ev_actor], "issue": [ev_issue]},
            note="the positions behind this cell",
        )


def table4_section() -> None:
    """Table 4 of Haq (2025): the printed cells beside the cells derived from independent positions."""
    st.markdown("#### Table 4 of Haq (2025): printed beside derived")
    st.caption(
        "The printed cells are the article's claims. Each derived cell comes from independent positions only "
        "(own statements, joint texts, bloc statements; never the article or other secondary characterisations), "
        "by the codebook rule table4-derived: the strongest basis available, the lower median of the stances, "
        "US/EU = the United States, the EU and EU member states on the position's date."
    )
    derived = ui.run("table4-derived")
    ui.table(
        results.table_of(
            results.records(derived),
            ["rowLabel", "columnLabel", "published", "derived", "verdict", "n", "basis", "spread"],
        ),
        key="table4-derived",
        query="table4-derived",
        params={},
        drop_empty=False,
    )
    t4_evidence = results.records(ui.run("table4-evidence"))
    t4_cells = sorted({(str(r["rowLabel"]), str(r["columnLabel"])) for r in results.records(derived)})
    ui.restore(
        "compare", FIELDS[5:6], options={"t4-cell": t4_cells}, defaults={"t4-cell": t4_cells[0]} if t4_cells else {}
    )
    t4_pick = st.selectbox(
        "Open the evidence of a derived cell", t4_cells, format_func=lambda c: f"{c[0]} / {c[1]}", key="t4-cell"
    )
    behind = [r for r in t4_evidence if (str(r["rowLabel"]), str(r["columnLabel"])) == t4_pick]
    if behind:
        ui.table(
            results.table_of(behind, ["positionId", "actorId", "date", "stance", "basis", "counts", "quote"]),
            key=f"t4-evidence-{t4_pick[0]}-{t4_pick[1]}",
            query="table4-evidence",
            params={},
            caption="positions behind the cell; counts = of the strongest basis, so used in the median",
        )
    else:
        st.caption("No independent evidence in the graph for this cell.")


def rival_section() -> None:
    """How the states that opposed or abstained on one resolution voted on its rival."""
    st.markdown("#### Votes on rival resolutions")
    st.caption(
        "States that voted against or abstained on the first resolution, with their vote on its rival "
        "(default: the US-sponsored A/RES/73/266 and the Russian-sponsored A/RES/73/27, December 2018). "
        "Only resolutions with a recorded roll call can be chosen; roll calls may be partial."
    )
    votes = ui.rows("resolution-votes")
    symbols = {str(r["resolutionId"]): str(r["symbol"]) for r in votes}
    res_ids = sorted(symbols, key=lambda i: symbols[i])
    if len(res_ids) < 2:
        st.caption("The graph holds fewer than two roll calls.")
        return
    ui.restore(
        "compare",
        FIELDS[6:8],
        options={"rival-first": res_ids, "rival-second": res_ids},
        defaults={
            "rival-first": res_ids[ui.preferred(res_ids, "a-res-73-266")],
            "rival-second": res_ids[ui.preferred(res_ids, "a-res-73-27", 1)],
        },
    )
    v1, v2 = st.columns(2)
    first = v1.selectbox(
        "First resolution",
        res_ids,
        format_func=lambda i: symbols[i],
        key="rival-first",
    )
    second = v2.selectbox(
        "Rival resolution",
        res_ids,
        format_func=lambda i: symbols[i],
        key="rival-second",
    )
    rival_params = {"first": [first], "second": [second]}
    rival = ui.run("rival-resolutions-votes", rival_params)
    a, b = st.columns([3, 2])
    with a:
        ui.table(
            rival, key=f"rival-{first}-{second}", query="rival-resolutions-votes", params=rival_params, drop_empty=False
        )
    with b:
        ui.table(
            stances.vote_crosstab(results.records(rival)),
            key=f"rival-crosstab-{first}-{second}",
            query="rival-resolutions-votes",
            params=rival_params,
            caption="states per pair of votes",
        )


tabs = st.tabs(SECTIONS, key="cmp-tab", on_change="rerun")
for tab, section in zip(tabs, (positions_section, table4_section, rival_section), strict=True):
    with tab:
        if tab.open:  # lazy: only the open section is computed and sent
            section()

ui.finish(slot, "compare", FIELDS, query="compare-positions", params=params)
