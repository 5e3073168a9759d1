"""Overview: what the graph holds (counts by record type), the dataset version, how to cite, the licence."""

from __future__ import annotations

import charts
import streamlit as st
import ui

from kg import __version__
from kg.explore import results

slot = ui.header(
    "Cyber Norms Knowledge Graph",
    "An open, citable knowledge graph of international cyber diplomacy: bilateral and multilateral "
    "instruments, the UN record (resolutions, tallies, GGEs, OEWGs), states and organisations with dated "
    "memberships, and dated, evidence-backed positions of actors on the issues of the codebook.",
)

counts = ui.run("counts-by-type")
by_type = {str(r[0]): int(str(r[1])) for r in counts.rows}
cols = st.columns(5)
for col, (label, kind) in zip(
    cols,
    [
        ("States", "state"),
        ("Instruments", "instrument"),
        ("Resolutions", "resolution"),
        ("Coded positions", "position"),
        ("Sources", "source"),
    ],
    strict=True,
):
    col.metric(label, by_type.get(kind, 0))

left, right = st.columns([1, 1])
with left:
    st.subheader("Records by type")
    ui.table(counts, key="counts-by-type", query="counts-by-type")
with right:
    st.subheader(" ")
    ui.vega(
        charts.bar_spec(
            [str(r[0]) for r in counts.rows],
            [float(str(r[1])) for r in counts.rows],
            x_title="record type",
            y_title="records",
        ),
        key="counts-chart",
    )

st.subheader("Dataset version and how to cite")
st.markdown(f"You are exploring dataset version **{__version__}**.")
st.markdown("> " + ui.md(results.how_to_cite()))
# the copy box is lazy: a code box loads the browser's syntax highlighter (~0.5 s of CPU) on the first page
with st.expander("Copy the citation", key="how-to-cite", on_change="rerun") as copy:
    if copy.open:
        st.code(results.how_to_cite(), language="text", wrap_lines=True)
st.markdown(
    "Every table here has a **Download CSV** button; the first line of each CSV names the dataset version, "
    "the library query and the hash of the exact query text, so a table can be traced and re-run with "
    "`cnkg query NAME`."
)

st.subheader("Licence")
st.markdown(
    "- **Data** (the curated records under `data/` and the built graph): "
    "[CC BY 4.0](https://creativecommons.org/licenses/by/4.0/).\n"
    "- **Code** (the `kg` package, the queries and this explorer): MIT."
)

st.subheader("Pages")
st.markdown(
    "- **Instruments**: faceted list of agreements, codes, declarations and conventions, with a detail view.\n"
    "- **States and organisations**: a state's whole record on one time axis (treaty actions, memberships, seats, "
    "votes, coded positions, with stance/vote disagreements flagged), then memberships, agreements, GGE seats, "
    "votes, coded positions.\n"
    "- **Votes**: resolutions by state, a state's votes over time, agreement between two states or a state and a "
    "bloc.\n"
    "- **Compare**: positions matrix of chosen actors on chosen issues (default: Table 4 of Haq 2025), with "
    "each cell's evidence; votes on rival resolutions.\n"
    "- **Timeline**, **Map**, **Network**: the record in time, space and structure.\n"
    "- **SPARQL**: the query library, editable and read-only, with permalinks and downloads.\n\n"
    "The search box in the sidebar finds states (also by ISO code, former and common names), organisations, "
    "instruments, resolutions by symbol, processes, events and quotes. Every view is a link: the address bar "
    "(and **Copy link · Cite this view** under each title) holds the whole state of the page."
)

ui.finish(slot, "overview", [], query="counts-by-type")
