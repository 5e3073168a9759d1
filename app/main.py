"""The Cyber Norms Knowledge Graph explorer: `streamlit run app/main.py`.

A multipage Streamlit app (st.navigation) over the embedded store (build/cybernorms.nt, built on first use)
or, if set in the sidebar, a remote SPARQL endpoint. `?page=<url path>` opens a page (used by permalinks).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
for _path in (HERE, HERE.parent):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import streamlit as st  # noqa: E402
import ui  # noqa: E402

from kg import __version__  # noqa: E402

PAGES = [
    st.Page("views/overview.py", title="Overview", url_path="overview", default=True),
    st.Page("views/instruments.py", title="Instruments", url_path="instruments"),
    st.Page("views/actors.py", title="States and organisations", url_path="actors"),
    st.Page("views/votes.py", title="Votes", url_path="votes"),
    st.Page("views/compare.py", title="Compare", url_path="compare"),
    st.Page("views/timeline.py", title="Timeline", url_path="timeline"),
    st.Page("views/map.py", title="Map", url_path="map"),
    st.Page("views/network.py", title="Network", url_path="network"),
    st.Page("views/sparql.py", title="SPARQL", url_path="sparql"),
]

ui.name_the_session()  # queries of this session share one worker at a time: a runaway cannot block other sessions
st.set_page_config(page_title="Cyber Norms KG explorer", layout="wide")  # no page_icon: icons would load from a CDN
current = st.navigation(PAGES)

PAGE_FILES = {"actors": "views/actors.py", "instruments": "views/instruments.py", "votes": "views/votes.py",
              "timeline": "views/timeline.py", "compare": "views/compare.py"}

with st.sidebar:
    st.caption(f"Cyber Norms Knowledge Graph · dataset **{__version__}**")
    needle = st.text_input(
        "Search the graph",
        key="search-q",
        placeholder="a state, organisation, treaty, A/RES/..., OEWG, a quote",
        help="States (names, former and common names, ISO codes), organisations, instruments, resolutions by "
        "symbol, processes, events and quotes of coded positions; case and accents do not matter.",
    )
    if needle.strip():
        hits = ui.search_index().search(needle, limit=10)
        if not hits:
            st.caption("Nothing found.")
        for hit in hits:
            e = hit.entry
            shown = e.label if len(e.label) <= 70 else e.label[:67] + "..."
            by = f" (as {hit.matched})" if hit.matched != e.label and e.kind != "quote" else ""
            st.page_link(
                PAGE_FILES[e.page],
                label=f"{e.kind}: {shown}{by}",
                query_params=dict(e.params),
                help=e.note or None,
            )
    allowed = ui.allowed_endpoints()
    if allowed:  # off unless the operator allow-lists endpoints (CNKG_REMOTE_ENDPOINTS)
        st.selectbox(
            "SPARQL endpoint",
            ["", *allowed],
            format_func=lambda u: u or "embedded store (build/cybernorms.nt)",
            key=ui.ENDPOINT_KEY,
            help="Endpoints allowed by the operator of this explorer; queries stay read-only.",
        )

wanted = st.query_params.get("page")
by_path = {p.url_path: p for p in PAGES}
if wanted and wanted in by_path and wanted != current.url_path:
    st.switch_page(by_path[wanted], query_params=st.query_params.to_dict())

current.run()
