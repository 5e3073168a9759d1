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
    st.Page("views/compare.py", title="Compare", url_path="compare"),
    st.Page("views/timeline.py", title="Timeline", url_path="timeline"),
    st.Page("views/map.py", title="Map", url_path="map"),
    st.Page("views/network.py", title="Network", url_path="network"),
    st.Page("views/sparql.py", title="SPARQL", url_path="sparql"),
]

st.set_page_config(page_title="Cyber Norms KG explorer", layout="wide")  # no page_icon: icons would load from a CDN
current = st.navigation(PAGES)

with st.sidebar:
    st.caption(f"Cyber Norms Knowledge Graph · dataset **{__version__}**")
    st.text_input(
        "Remote SPARQL endpoint (optional)",
        key=ui.ENDPOINT_KEY,
        placeholder="http://127.0.0.1:7878/query",
        help="Leave empty to query the embedded store over build/cybernorms.nt. "
        "Any SPARQL 1.1 endpoint serving this graph works; queries stay read-only.",
    )

wanted = st.query_params.get("page")
by_path = {p.url_path: p for p in PAGES}
if wanted and wanted in by_path and wanted != current.url_path:
    st.switch_page(by_path[wanted], query_params=st.query_params.to_dict())

current.run()
