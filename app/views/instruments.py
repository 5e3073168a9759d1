"""Instruments: a faceted list (kind, year, party, organisation, status) and a detail view per instrument with
its parties and their dates, its sources, and what in the graph refers to it."""

from __future__ import annotations

import streamlit as st
import ui

from kg.explore import facets, results
from kg.explore.viewstate import Field

FIELDS = [
    Field("f-kind", "kind", "list"),
    Field("f-status", "status", "list"),
    Field("f-org", "org", "list"),
    Field("f-binding", "binding", "list"),
    Field("f-party", "party", "list"),
    Field("f-year", "years", "pair"),
    Field("instrument-detail", "id"),
]

slot = ui.header(
    "Instruments",
    "Agreements, codes of conduct, declarations, joint statements, political commitments and conventions. "
    "Filter the list, then pick a row (or an instrument below) for its detail.",
)

rows = ui.rows("instruments")
actors = results.actor_choice(ui.rows("actors"))
years = sorted(int(str(r["year"])) for r in rows if str(r.get("year") or "").isdigit())
ids = [str(r["instrument"]) for r in rows]
ui.restore(
    "instruments",
    FIELDS,
    options={
        "f-kind": facets.facet_values(rows, "kind"),
        "f-status": facets.facet_values(rows, "status"),
        "f-org": facets.facet_values(rows, "organisation"),
        "f-binding": ["true", "false"],
        "f-party": facets.facet_values(rows, "parties", multi=True),
        "instrument-detail": ids,
    },
    defaults={"instrument-detail": ids[0]} if ids else {},
)
if years:
    try:
        lo, hi = (max(years[0], min(years[-1], int(y))) for y in st.session_state.get("f-year") or ())
        st.session_state["f-year"] = (min(lo, hi), max(lo, hi))
    except (TypeError, ValueError):
        st.session_state["f-year"] = (years[0], years[-1])

with st.container(border=True):
    c1, c2, c3 = st.columns([2, 2, 3])
    kinds = c1.multiselect("Kind", facets.facet_values(rows, "kind"), key="f-kind")
    statuses = c1.multiselect("Status", facets.facet_values(rows, "status"), key="f-status")
    orgs = c2.multiselect("Organisation (framework)", facets.facet_values(rows, "organisation"), key="f-org")
    binding = c2.multiselect("Legally binding", ["true", "false"], key="f-binding")
    parties = c3.multiselect(
        "Party",
        facets.facet_values(rows, "parties", multi=True),
        format_func=lambda a: actors.get(a, a),
        key="f-party",
    )
    span = c3.slider("Year signed or adopted", years[0], years[-1], key="f-year") if years else None

bool_rows = [{**r, "binding": "true" if r.get("binding") else "false"} for r in rows]
found = facets.filter_rows(
    bool_rows,
    {"kind": kinds, "status": statuses, "organisation": orgs, "binding": binding, "parties": parties},
    multi=("parties",),
    year_range=None if span == (years[0], years[-1]) else span,  # undated instruments stay until a range is set
)
st.markdown(f"**{len(found)}** of {len(rows)} instruments")
columns = ["instrument", "title", "kind", "binding", "date", "place", "organisation", "parties", "status"]
event = ui.table(
    results.table_of(found, columns),
    key="instruments",
    query="instruments",
    selection="single-row",
    column_config={"title": st.column_config.TextColumn("title", width="large")},
    caption="filtered in the explorer; the CSV holds the rows shown",
)

labels = {str(r["instrument"]): f"{r['instrument']} - {str(r['title'])[:90]}" for r in rows}
picked = event.selection.rows if event is not None else []
if picked:
    chosen = str(found[picked[0]]["instrument"])
    if st.session_state.get("_instrument_row") != chosen:
        st.session_state["_instrument_row"] = chosen
        st.session_state["instrument-detail"] = chosen

st.divider()
iid = st.selectbox("Instrument", ids, format_func=lambda i: labels.get(i, i), key="instrument-detail")
if iid:
    detail = ui.rows("instrument-detail", {"id": [iid]})
    if not detail:
        st.warning(f"No instrument {iid!r} in the graph.")
        ui.finish(slot, "instruments", FIELDS, query="instruments")
        st.stop()
    d = detail[0]
    st.subheader(str(d["label"]))
    if d.get("title") and d["title"] != d["label"]:
        st.caption(str(d["title"]))
    facts = {
        "id": d["instrument"],
        "kind": d["kind"],
        "legally binding": "yes" if d.get("binding") else "no",
        "signed": " at ".join(str(x) for x in (d.get("signed"), d.get("place")) if x),
        "adopted": d.get("adopted"),
        "entry into force": d.get("entryIntoForce"),
        "UN symbol": d.get("unSymbol"),
        "framework": f"{d['organisationName']} ({d['organisation']})" if d.get("organisation") else None,
        "adopted by": d.get("adoptedBy"),
        "status": d.get("status"),
    }
    shown = [(k, v) for k, v in facts.items() if v not in (None, "")]
    cols = st.columns(4)
    for n, (k, v) in enumerate(shown):
        cols[n % 4].markdown(f"**{k}**  \n{v}")
    if d.get("textUrl"):
        st.markdown(f"[Text of the instrument]({d['textUrl']})")
    if d.get("note"):
        st.info(str(d["note"]))

    params = {"id": [iid]}
    st.markdown("#### Parties and their dates")
    ui.table(ui.run("instrument-parties", params), key=f"parties-{iid}", query="instrument-parties", params=params)
    st.markdown("#### Sources")
    ui.table(
        ui.run("record-sources", params),
        key=f"sources-{iid}",
        query="record-sources",
        params=params,
        column_config={"url": ui.link_column("url")},
    )
    st.markdown("#### What refers to it")
    referrers = ui.run("record-referrers", params)
    if referrers.rows:
        ui.table(referrers, key=f"referrers-{iid}", query="record-referrers", params=params)
    else:
        st.caption("Nothing in the graph refers to this instrument yet.")

ui.finish(
    slot,
    "instruments",
    FIELDS,
    query="instrument-detail" if iid else "instruments",
    params={"id": [iid]} if iid else None,
)
