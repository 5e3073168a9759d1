"""States and organisations: a profile per actor with memberships over time, agreements, GGE seats, votes,
and coded positions with their quotes and sources."""

from __future__ import annotations

import charts
import streamlit as st
import ui

from kg.explore import record, results
from kg.explore import votes as vote_logic
from kg.explore.viewstate import Field

FIELDS = [
    Field("actor-pick", "actor"),
    Field("act-tab", "tab"),
    Field("rec-kinds", "kinds", "list"),
    Field("rec-item", "item"),
]
TABS = ["Record", "Memberships", "Agreements", "GGE seats", "Votes", "Positions", "Sources"]

slot = ui.header("States and organisations")

actor_rows = ui.rows("actors")
choice = results.actor_choice(actor_rows)
by_id = {str(r["actor"]): r for r in actor_rows}
ids = sorted(choice, key=lambda a: (by_id[a]["type"] != "state", choice[a]))
ui.restore(
    "actors",
    FIELDS,
    options={"actor-pick": ids, "act-tab": TABS, "rec-kinds": list(record.KIND_ORDER)},
    defaults={"actor-pick": "RU" if "RU" in ids else ids[0], "act-tab": TABS[0], "rec-kinds": list(record.KIND_ORDER)},
)
actor = st.selectbox("State or organisation", ids, format_func=lambda a: choice[a], key="actor-pick")
info = by_id[actor]
is_state = info["type"] == "state"
params = {"actor": [actor]}

st.subheader(str(info["name"]))
facts = (
    {
        "ISO 3166": f"{actor} / {info.get('iso3') or '-'}",
        "UN regional group": info.get("group") or "-",
        "UN member": "yes" if info.get("unMember") else "no",
    }
    if is_state
    else {
        "kind": info.get("kind") or "-",
        "short name": info.get("shortName") or "-",
        "founded": info.get("founded") or "-",
    }
)
memberships = ui.run("actor-memberships", params)
instruments = ui.run("actor-instruments", params)
positions = ui.run("compare-positions", {"actor": [actor], "issue": ["*"]})
cols = st.columns(len(facts) + 3)
for col, (k, v) in zip(cols, facts.items(), strict=False):
    col.metric(k, str(v))
cols[-3].metric("memberships", len(memberships.rows))
cols[-2].metric("instruments", len(instruments.rows))
cols[-1].metric("coded positions", len(positions.rows))

RECORD_COLOURS = ["#4c78a8", "#54a24b", "#b279a2", "#f58518", "#e45756"]


def state_record() -> None:
    """The state's whole record on one time axis, with its stance/vote disagreements flagged (CQ11)."""
    items = ui.rows("state-record", {"state": [actor]})
    sponsors = {s for r in items if r.get("kind") == "vote" for s in str(r.get("sponsors") or "").split(", ") if s}
    coded = ui.rows("compare-positions", {"actor": sorted({actor, *sponsors}), "issue": ["*"]})
    flags = record.disagreements(actor, [r for r in items if r.get("kind") == "vote"], coded)
    kinds = st.pills("Show", list(record.KIND_ORDER), selection_mode="multi", key="rec-kinds")
    rows = [r for r in record.timeline_rows(items, flags) if r.get("kind") in (kinds or record.KIND_ORDER)]
    dated = [dict(r, flagged="stance and vote differ" if r.get("flag") else "") for r in rows if r.get("date")]
    if dated:
        st.vega_lite_chart(
            {
                "data": {"values": dated},
                "mark": {"type": "point", "filled": True, "size": 90},
                "encoding": {
                    "x": {"field": "date", "type": "temporal", "title": None},
                    "y": {"field": "kind", "type": "nominal", "sort": list(record.KIND_ORDER), "title": None},
                    "color": {
                        "field": "kind",
                        "type": "nominal",
                        "legend": None,
                        "scale": {"domain": list(record.KIND_ORDER), "range": RECORD_COLOURS},
                    },
                    "shape": {"field": "flagged", "type": "nominal", "legend": None},
                    "tooltip": [
                        {"field": "date"},
                        {"field": "what"},
                        {"field": "label"},
                        {"field": "detail"},
                        {"field": "flag"},
                    ],
                },
                "height": 200,
            },
            width="stretch",
        )
    undated = len(rows) - len(dated)
    if flags:
        st.warning(
            f"**{len(flags)}** vote(s) point away from a coded stance (rule: the state's and the sponsor's latest "
            f"positions on {', '.join(record.CAMP_ISSUES)} before the vote): "
            + "; ".join(f"{f.symbol} {f.vote} ({f.issue}: {f.stance} vs {f.sponsor} {f.sponsor_stance})" for f in flags)
        )
    else:
        st.caption(f"No stance/vote disagreement on {', '.join(record.CAMP_ISSUES)} in the recorded votes.")
    ui.table(
        results.table_of(
            rows, ["date", "kind", "what", "label", "detail", "sponsors", "basis", "quote", "flag", "record"]
        ),
        key=f"record-{actor}",
        query="state-record",
        params={"state": [actor]},
        column_config={"label": st.column_config.TextColumn("label", width="large")},
        caption=f"{len(rows)} items ({undated} undated, listed last); votes: only the roll calls the graph holds",
    )
    records_here = list(dict.fromkeys(str(r["record"]) for r in rows))
    if records_here:
        if st.session_state.get("rec-item") not in records_here:
            st.session_state["rec-item"] = records_here[0]
        label_of = {str(r["record"]): f"{r['record']} - {str(r.get('label') or '')[:90]}" for r in rows}
        item = st.selectbox(
            "Sources of an item", records_here, format_func=lambda i: label_of.get(i, i), key="rec-item"
        )
        ui.table(
            ui.run("record-sources", {"id": [item]}),
            key=f"item-sources-{item}",
            query="record-sources",
            params={"id": [item]},
            column_config={"url": ui.link_column("url")},
        )


tabs = st.tabs(TABS, key="act-tab", on_change="rerun")

with tabs[0]:
    if tabs[0].open:  # lazy: only the open tab runs
        if is_state:
            state_record()
        else:
            st.caption("The one-page record is kept for states; see the other tabs for an organisation.")

with tabs[1]:
    if tabs[1].open:  # lazy: only the open tab runs
        member_rows = results.records(memberships)
        if member_rows:
            st.markdown("**Member of** (bars run from joining to leaving, or to today)")
            ui.vega(charts.memberships_spec(member_rows, label="shortName"), key=f"member-of-{actor}")
            ui.table(memberships, key=f"memberships-{actor}", query="actor-memberships", params=params)
        else:
            st.caption("No recorded membership of an organisation.")
        if not is_state:
            org_params = {"organisation": [actor]}
            members = ui.run("organisation-memberships", org_params)
            st.markdown(f"**Members of {info.get('shortName') or info['name']}**")
            if members.rows:
                ui.vega(charts.memberships_spec(results.records(members), label="memberName"), key=f"members-{actor}")
                ui.table(members, key=f"members-{actor}", query="organisation-memberships", params=org_params)
            else:
                st.caption("No recorded members.")

with tabs[2]:
    if tabs[2].open:  # lazy: only the open tab runs
        if instruments.rows:
            ui.table(instruments, key=f"instruments-{actor}", query="actor-instruments", params=params)
        else:
            st.caption("Not a party to any instrument in the graph.")

with tabs[3]:
    if tabs[3].open:  # lazy: only the open tab runs
        if is_state:
            seats = ui.run("actor-processes", {"state": [actor]})
            if seats.rows:
                ui.table(seats, key=f"seats-{actor}", query="actor-processes", params={"state": [actor]})
            else:
                st.caption("No recorded seat or chair in a GGE or other process of limited membership.")
        else:
            st.caption("Seats in UN processes are held by states.")

with tabs[4]:
    if tabs[4].open:  # lazy: only the open tab runs
        if is_state:
            mine = vote_logic.state_votes(ui.rows("votes-roll-calls"), ui.rows("resolution-votes"), actor)
            ui.table(
                results.table_of(mine, ["date", "symbol", "stage", "vote", "sponsors", "title"]),
                key=f"votes-{actor}",
                query="votes-roll-calls",
                caption="every ICT resolution stage; 'not recorded' where the graph holds no roll call with this state",
            )
            st.page_link(
                "views/votes.py", label="Votes over time and agreement with other states", query_params={"first": actor}
            )
        else:
            st.caption("Votes are cast by states.")

with tabs[5]:
    if tabs[5].open:  # lazy: only the open tab runs
        if positions.rows:
            st.caption("Coded positions, each with the quote and sources it rests on, and who coded it.")
            ui.table(
                positions,
                key=f"positions-{actor}",
                query="compare-positions",
                params={"actor": [actor], "issue": ["*"]},
                hide=["actorId", "actorLabel", "iso3", "issueId", "stance", "scaleMax"],
                column_config={"quote": st.column_config.TextColumn("quote", width="large")},
            )
        else:
            st.caption("No coded position.")

with tabs[6]:
    if tabs[6].open:  # lazy: only the open tab runs
        ui.table(
            ui.run("record-sources", {"id": [actor]}),
            key=f"sources-{actor}",
            query="record-sources",
            params={"id": [actor]},
            column_config={"url": ui.link_column("url")},
        )

ui.finish(
    slot,
    "actors",
    FIELDS,
    query="state-record" if is_state else "actor-memberships",
    params={"state": [actor]} if is_state else params,
)
