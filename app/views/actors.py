"""States and organisations: a profile per actor with memberships over time, agreements, GGE seats, votes,
and coded positions with their quotes and sources."""

from __future__ import annotations

import charts
import streamlit as st
import ui

from kg.explore import results

ui.header("States and organisations")

actor_rows = ui.rows("actors")
choice = results.actor_choice(actor_rows)
by_id = {str(r["actor"]): r for r in actor_rows}
ids = sorted(choice, key=lambda a: (by_id[a]["type"] != "state", choice[a]))
if "actor-pick" not in st.session_state:
    wanted = st.query_params.get("actor", "RU")
    st.session_state["actor-pick"] = wanted if wanted in choice else ids[0]
actor = st.selectbox("State or organisation", ids, format_func=lambda a: choice[a], key="actor-pick")
st.query_params["actor"] = actor
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

tabs = st.tabs(["Memberships", "Agreements", "GGE seats", "Votes", "Positions", "Sources"])

with tabs[0]:
    member_rows = results.records(memberships)
    if member_rows:
        st.markdown("**Member of** (bars run from joining to leaving, or to today)")
        ui.plotly(charts.memberships(member_rows, label="shortName"), key=f"member-of-{actor}")
        ui.table(memberships, key=f"memberships-{actor}", query="actor-memberships", params=params)
    else:
        st.caption("No recorded membership of an organisation.")
    if not is_state:
        org_params = {"organisation": [actor]}
        members = ui.run("organisation-memberships", org_params)
        st.markdown(f"**Members of {info.get('shortName') or info['name']}**")
        if members.rows:
            ui.plotly(charts.memberships(results.records(members), label="memberName"), key=f"members-{actor}")
            ui.table(members, key=f"members-{actor}", query="organisation-memberships", params=org_params)
        else:
            st.caption("No recorded members.")

with tabs[1]:
    if instruments.rows:
        ui.table(instruments, key=f"instruments-{actor}", query="actor-instruments", params=params)
    else:
        st.caption("Not a party to any instrument in the graph.")

with tabs[2]:
    if is_state:
        seats = ui.run("actor-processes", {"state": [actor]})
        if seats.rows:
            ui.table(seats, key=f"seats-{actor}", query="actor-processes", params={"state": [actor]})
        else:
            st.caption("No recorded seat or chair in a GGE or other process of limited membership.")
    else:
        st.caption("Seats in UN processes are held by states.")

with tabs[3]:
    if is_state:
        votes = ui.run("state-voting-record", {"state": [actor]})
        if votes.rows:
            ui.table(
                votes, key=f"votes-{actor}", query="state-voting-record", params={"state": [actor]}, hide=["state"]
            )
        else:
            st.caption("No recorded roll-call vote (vote records may be partial).")
    else:
        st.caption("Votes are cast by states.")

with tabs[4]:
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

with tabs[5]:
    ui.table(
        ui.run("record-sources", {"id": [actor]}),
        key=f"sources-{actor}",
        query="record-sources",
        params={"id": [actor]},
        column_config={"url": ui.link_column("url")},
    )
