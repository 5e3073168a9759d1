"""Timeline: every dated development (signatures, adoptions, resolutions, process starts, events)."""

from __future__ import annotations

import charts
import streamlit as st
import ui

from kg.explore import facets, results
from kg.explore.viewstate import Field

FIELDS = [Field("tl-kinds", "kinds", "list"), Field("tl-years", "years", "pair"), Field("tl-search", "q")]

slot = ui.header(
    "Timeline",
    "Signature or adoption of instruments, adoption of General Assembly resolutions, the start of UN processes "
    "and other dated events, from queries/timeline.rq. Hover a point for the record.",
)

rows = ui.rows("timeline")
years = sorted({d.year for d in (facets.partial_date(r.get("date")) for r in rows) if d})
kinds_all = facets.facet_values(rows, "kind")
ui.restore("timeline", FIELDS, options={"tl-kinds": kinds_all}, defaults={"tl-kinds": [], "tl-search": ""})
wanted_years = st.session_state.get("tl-years")
if years and isinstance(wanted_years, tuple | list):
    try:
        lo, hi = (max(years[0], min(years[-1], int(y))) for y in wanted_years)
        st.session_state["tl-years"] = (min(lo, hi), max(lo, hi))
    except (TypeError, ValueError):
        del st.session_state["tl-years"]
if years and "tl-years" not in st.session_state:
    st.session_state["tl-years"] = (years[0], years[-1])
with st.container(border=True):
    c1, c2, c3 = st.columns([3, 3, 2])
    kinds = c1.multiselect("Kinds", kinds_all, key="tl-kinds")
    span = c2.slider("Years", years[0], years[-1], key="tl-years") if years else None
    needle = c3.text_input("Search labels and ids", key="tl-search").strip().lower()

for r in rows:
    d = facets.partial_date(r.get("date"))
    r["year"] = str(d.year) if d else ""
found = facets.filter_rows(rows, {"kind": kinds}, year_range=span)
if needle:
    found = [r for r in found if needle in str(r.get("label", "")).lower() or needle in str(r.get("id", "")).lower()]
st.markdown(f"**{len(found)}** of {len(rows)} dated developments")
if found:
    ui.vega(charts.timeline_spec(found), key="timeline-chart")
ui.table(
    results.table_of(found, ["date", "kind", "id", "label"]),
    key="timeline",
    query="timeline",
    column_config={"label": st.column_config.TextColumn("label", width="large")},
    caption="filtered in the explorer; the CSV holds the rows shown",
)

ui.finish(slot, "timeline", FIELDS, query="timeline")
