"""Map: a coded stance on an issue, or a recorded vote on a resolution, by state (Vega-Lite geoshapes, offline)."""

from __future__ import annotations

import charts
import streamlit as st
import ui

from kg.explore import facets, results, stances
from kg.explore.viewstate import Field

FIELDS = [
    Field("map-mode", "mode"),
    Field("map-issue", "issue"),
    Field("map-rule", "rule"),
    Field("map-resolution", "resolution"),
    Field("map-stage", "stage"),
]
MODES = {"stance": "stance on an issue", "vote": "vote on a resolution"}

slot = ui.header(
    "Map",
    "States coloured by their coded stance on an issue or by their vote on a resolution. Grey land: nothing "
    "recorded. The map geometry is served by this app (no map tiles, no CDN).",
)
if not st.get_option("server.enableStaticServing"):
    st.warning(
        "Static file serving is off, so the map geometry (app/static/world_110m.json) cannot load. Start the app "
        "with `--server.enableStaticServing true` (or from the repository root, which has .streamlit/config.toml)."
    )

ui.restore("map", FIELDS[:1], options={"map-mode": list(MODES)}, defaults={"map-mode": "stance"})
mode = st.radio("Colour states by", list(MODES), format_func=MODES.__getitem__, horizontal=True, key="map-mode")

if mode == "stance":
    everything = ui.rows("compare-positions", {"actor": ["*"], "issue": ["*"]})
    issue_label = {str(r["issueId"]): str(r["issueLabel"]) for r in everything if r.get("iso3")}
    issue_ids = sorted(issue_label, key=lambda i: issue_label[i])
    c1, c2 = st.columns(2)
    ui.restore(
        "map",
        FIELDS[1:3],
        options={"map-issue": issue_ids, "map-rule": list(stances.CELL_RULES)},
        defaults={"map-issue": issue_ids[ui.preferred(issue_ids, "information-sovereignty")], "map-rule": "latest"},
    )
    issue = c1.selectbox(
        "Issue",
        issue_ids,
        format_func=lambda i: issue_label[i],
        key="map-issue",
    )
    rule = c2.radio(
        "A state with several positions shows",
        list(stances.CELL_RULES),
        format_func=lambda r: stances.CELL_RULES[r],
        key="map-rule",
    )
    params = {"actor": ["*"], "issue": [issue]}
    states = stances.latest_by_state(ui.rows("compare-positions", params), rule=rule)
    order = stances.stance_order(states)
    colours = {
        str(r["stanceLabel"]): stances.colour(stances.stance_score(r.get("ordinal"), r.get("scaleMax"))) for r in states
    }
    st.markdown(f"**{len(states)}** states with a coded position on *{issue_label[issue]}*")
    if states:
        ui.vega(
            charts.choropleth_spec(
                states,
                category="stanceLabel",
                order=order,
                colours=colours,
                hover=["actorLabel", "stanceLabel", "date", "forum", "position"],
                legend_title="stance",
            ),
            key=f"map-stance-{issue}-{rule}",
        )
    ui.table(
        results.table_of(
            states,
            ["actorId", "actorLabel", "iso3", "stanceLabel", "ordinal", "date", "forum", "positions", "position"],
        ),
        key=f"map-stance-{issue}",
        query="compare-positions",
        params=params,
        caption="one row per state (chosen by the rule)",
    )
else:
    votes = ui.rows("resolution-votes")
    symbols = {str(r["resolutionId"]): str(r["symbol"]) for r in votes}
    res_ids = sorted(symbols, key=lambda i: symbols[i])
    if not res_ids:
        st.info("The graph holds no recorded roll call yet.")
        st.stop()
    c1, c2 = st.columns(2)
    ui.restore(
        "map",
        FIELDS[3:4],
        options={"map-resolution": res_ids},
        defaults={"map-resolution": res_ids[ui.preferred(res_ids, "a-res-73-27")]},
    )
    resolution = c1.selectbox(
        "Resolution",
        res_ids,
        format_func=lambda i: symbols[i],
        key="map-resolution",
    )
    params = {"resolution": [resolution]}
    rows = ui.rows("resolution-votes", params)
    stages = facets.facet_values(rows, "stage")
    ui.restore("map", FIELDS[4:], options={"map-stage": stages}, defaults={"map-stage": stages[0]} if stages else {})
    stage = c2.selectbox("Stage", stages, key="map-stage")
    shown = [r for r in rows if r.get("stage") == stage and r.get("iso3")]
    st.markdown(
        f"**{len(shown)}** recorded votes on {symbols[resolution]} ({stage}); states not coloured: not recorded "
        "(roll calls may be partial)"
    )
    ui.vega(
        charts.choropleth_spec(
            shown,
            category="vote",
            order=["yes", "no", "abstain", "absent"],
            colours=stances.VOTE_COLOURS,
            hover=["name", "vote", "date"],
            legend_title="vote",
        ),
        key=f"map-vote-{resolution}-{stage}",
    )
    ui.table(
        results.table_of(shown, ["code", "iso3", "name", "stage", "vote", "date"]),
        key=f"map-vote-{resolution}-{stage}",
        query="resolution-votes",
        params=params,
    )

ui.finish(
    slot,
    "map",
    [FIELDS[0], *FIELDS[3:]] if mode == "vote" else FIELDS[:3],
    query="compare-positions" if mode == "stance" else "resolution-votes",
    params=params,
)
