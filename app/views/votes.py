"""Votes: a resolution-by-state grid of the ICT resolutions, a state's votes over time, and the agreement of two
states (or a state and a bloc) over the recorded roll calls. "not recorded" where the graph holds no roll call."""

from __future__ import annotations

import streamlit as st
import ui

from kg.explore import results, votes
from kg.explore.viewstate import Field

FIELDS = [
    Field("v-states", "states", "list"),
    Field("v-resolution", "resolution"),
    Field("v-first", "first"),
    Field("v-second", "second"),
    Field("v-bloc", "bloc"),
]
DEFAULT_STATES = ["RU", "CN", "US", "GB", "FR", "DE", "IR", "IN", "BR", "ZA"]

slot = ui.header(
    "Votes",
    "How states voted on the ICT resolutions of the General Assembly. Each row is a resolution at a stage "
    "(First Committee or plenary) with its title, sponsors and tally; **not recorded** means the graph holds no "
    "state-by-state roll call for that stage (or the roll call is partial and lacks the state), never a 'no'.",
)

roll_calls = ui.rows("votes-roll-calls")
all_votes = ui.rows("resolution-votes")
actors = ui.rows("actors")
choice = results.actor_choice(actors)
state_ids = sorted((str(r["actor"]) for r in actors if r.get("type") == "state"), key=lambda a: choice[a])
blocs = sorted({str(r["actor"]) for r in actors if r.get("type") != "state"}, key=lambda a: choice[a])
res_ids = [str(r["resolutionId"]) for r in roll_calls]
ui.restore(
    "votes",
    FIELDS,
    options={
        "v-states": state_ids,
        "v-resolution": ["", *res_ids],
        "v-first": state_ids,
        "v-second": state_ids,
        "v-bloc": ["", *blocs],
    },
    defaults={
        "v-states": [s for s in DEFAULT_STATES if s in state_ids],
        "v-resolution": "",
        "v-first": "RU",
        "v-second": "US",
        "v-bloc": "",
    },
)

st.markdown("#### Resolutions by state")
states = st.multiselect("States (columns)", state_ids, format_func=lambda a: choice[a], key="v-states")
st.caption("Columns: " + (", ".join(choice[s] for s in states) if states else "none chosen"))
symbol_of = {str(r["resolutionId"]): str(r["symbol"]) for r in roll_calls}
resolution = st.selectbox(
    "Only one resolution (optional)",
    ["", *dict.fromkeys(res_ids)],
    format_func=lambda i: symbol_of.get(i, "- all resolutions -") if i else "- all resolutions -",
    key="v-resolution",
)
shown = [r for r in roll_calls if not resolution or r["resolutionId"] == resolution]
grid = votes.grid(shown, all_votes, states)
recorded = sum(1 for r in shown if r.get("rollCall"))
ui.table(
    grid,
    key="votes-grid",
    query="votes-roll-calls",
    column_config={"title": st.column_config.TextColumn("title", width="medium")},
    caption=f"{len(shown)} resolution stages, {recorded} with a recorded roll call",
    drop_empty=False,
)

st.markdown("#### A state's votes over time")
first = st.selectbox("State", state_ids, format_func=lambda a: choice[a], key="v-first")
timeline = votes.state_votes(roll_calls, all_votes, first)
chart = [r for r in timeline if r.get("date")]
order = [*votes.CHOICES, votes.WITHOUT_VOTE, votes.NOT_RECORDED]
cast_votes = [r for r in timeline if r["vote"] in votes.CHOICES]
if chart:
    st.vega_lite_chart(
        {
            "data": {"values": chart},
            "mark": {"type": "point", "filled": True, "size": 120},
            "encoding": {
                "x": {"field": "date", "type": "temporal", "title": "date"},
                "y": {"field": "vote", "type": "nominal", "sort": order, "title": None, "axis": {"labelLimit": 220}},
                "color": {
                    "field": "vote",
                    "type": "nominal",
                    "sort": order,
                    "legend": None,
                    "scale": {
                        "domain": order,
                        "range": ["#1a9850", "#d73027", "#fdae61", "#969696", "#4c78a8", "#d9d9d9"],
                    },
                },
                "tooltip": [
                    {"field": "date"},
                    {"field": "symbol"},
                    {"field": "stage"},
                    {"field": "vote"},
                    {"field": "sponsors"},
                ],
            },
            "height": 160,
        },
        width="stretch",
        key=f"votes-chart-{first}",
    )
ui.table(
    results.table_of(timeline, ["date", "symbol", "stage", "sponsors", "vote", "title"]),
    key=f"votes-{first}",
    query="votes-roll-calls",
    caption=f"{len(cast_votes)} recorded votes of {choice[first]}; the other stages: adopted without a vote or "
    "not recorded",
)

st.markdown("#### Agreement")
c1, c2 = st.columns(2)
bloc = c2.selectbox(
    "... with a bloc (majority of its members; optional)",
    ["", *blocs],
    format_func=lambda b: choice.get(b, b) if b else "- a state -",
    key="v-bloc",
)
second = c1.selectbox(
    "... with the state", state_ids, format_func=lambda a: choice[a], key="v-second", disabled=bool(bloc)
)
members: list[str] = []
if bloc:
    members = [str(r["member"]) for r in ui.rows("organisation-memberships", {"organisation": [bloc]})]
agree = votes.agreement(roll_calls, all_votes, first, second=None if bloc else second, bloc=members)
other = f"the majority of {choice.get(bloc, bloc)} ({len(members)} members)" if bloc else choice[second]
if agree.share is None:
    st.markdown(f"No roll call in the graph records both {choice[first]} and {other}: agreement not recorded.")
else:
    st.markdown(
        f"**{choice[first]}** and **{other}** cast the same vote on **{agree.same} of {agree.compared}** recorded "
        f"roll calls (**{agree.share:.0%}**). It rests on {agree.compared} votes only: roll calls not in the graph "
        "are not counted, nor absences."
    )
ui.table(
    results.table_of(list(agree.rows), ["symbol", "stage", "date", "first", "second", "same"]),
    key=f"agreement-{first}-{bloc or second}",
    query="resolution-votes",
    caption="first = " + choice[first] + "; second = " + other,
)

ui.finish(slot, "votes", FIELDS, query="votes-roll-calls")
