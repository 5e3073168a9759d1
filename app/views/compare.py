"""Compare: the positions matrix of chosen actors on chosen issues (default: the actors and issues of Table 4
of Haq 2025), cells coloured by the stance's ordinal, each cell's evidence on selection; and how states voted
on two rival resolutions."""

from __future__ import annotations

import pandas as pd
import streamlit as st
import ui

from kg.explore import facets, results, stances

ui.header(
    "Compare",
    "Positions of actors on the issues of the codebook. Each cell shows one coded position chosen by the rule "
    "below; select a cell to see every position behind it with its quote, sources and coder.",
)

everything = ui.rows("compare-positions", {"actor": ["*"], "issue": ["*"]})
names = results.actor_names(ui.rows("actors"))
choice = results.actor_choice(ui.rows("actors"))
issue_label = {str(r["issueId"]): str(r["issueLabel"]) for r in everything}
actor_ids = sorted({str(r["actorId"]) for r in everything}, key=lambda a: choice.get(a, a))

with st.container(border=True):
    c1, c2, c3 = st.columns([3, 3, 2])
    actors = c1.multiselect(
        "Actors",
        actor_ids,
        default=list(stances.TABLE4_ACTORS),
        format_func=lambda a: names.get(a, a),
        key="cmp-actors",
    )
    issues = c2.multiselect(
        "Issues",
        sorted(issue_label, key=lambda i: issue_label[i]),
        default=list(stances.TABLE4_ISSUES),
        format_func=lambda i: issue_label.get(i, i),
        key="cmp-issues",
    )
    rule = c3.radio(
        "Each cell shows", list(stances.CELL_RULES), format_func=lambda r: stances.CELL_RULES[r], key="cmp-rule"
    )
    bases = c3.multiselect(
        "Evidence basis (empty: all)", list(stances.BASES), format_func=lambda b: stances.BASES[b], key="cmp-basis"
    )
if not actors or not issues:
    st.info("Choose at least one actor and one issue.")
    st.stop()

params = {"actor": actors, "issue": issues, **({"basis": bases} if bases else {})}
result = ui.run("compare-positions", params)
cells = stances.position_cells(results.records(result), rule=rule)
matrix = stances.positions_matrix(cells, actors, issues, actor_labels=names)
df = ui.frame(matrix.table())


def paint(frame: pd.DataFrame) -> pd.DataFrame:
    """Cell styles: background by the stance's place on its scale, readable text colour."""
    styles = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for r, row in enumerate(matrix.scores):
        for c, score in enumerate(row):
            if score is not None:
                styles.iat[r, c + 1] = f"background-color: {stances.colour(score)}; color: {stances.text_colour(score)}"
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
    matrix.table(),
    key="positions-matrix",
    query="compare-positions",
    params=params,
    note=f"{len(result.rows)} coded positions behind {filled} cells",
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
for key, options in (("ev-actor", actors), ("ev-issue", issues)):
    if st.session_state.get(key) not in options:
        st.session_state[key] = options[0]
e1, e2 = st.columns(2)
ev_actor = e1.selectbox("Actor", actors, format_func=lambda a: choice.get(a, a), key="ev-actor")
ev_issue = e2.selectbox("Issue", issues, format_func=lambda i: issue_label.get(i, i), key="ev-issue")
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

st.divider()
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

st.divider()
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
    st.stop()
v1, v2 = st.columns(2)
first = v1.selectbox(
    "First resolution",
    res_ids,
    index=ui.preferred(res_ids, "a-res-73-266"),
    format_func=lambda i: symbols[i],
    key="rival-first",
)
second = v2.selectbox(
    "Rival resolution",
    res_ids,
    index=ui.preferred(res_ids, "a-res-73-27", 1),
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
