"""Shared Streamlit pieces of the explorer: the cached backend and query results, the page header with the
dataset version, tables with CSV download, and error display. Queries are library `.rq` files run through
`kg.explore`; nothing here writes SPARQL."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from kg import __version__
from kg.errors import KGError
from kg.explore import operator, results, search, viewstate
from kg.explore.viewstate import Field
from kg.paths import GRAPH
from kg.sparql.backends import DEFAULT_ROW_CAP, DEFAULT_TIMEOUT_S, Backend, Table, Value

ParamKey = tuple[tuple[str, tuple[str, ...]], ...]
ENDPOINT_KEY = "endpoint"
CITE_KEY = "cite-view"  # the "Copy link · Cite this view" expander's open state


def name_the_session() -> None:
    """Tell the query pool which browser session is asking (per-session fairness, `kg.sparql.pool.CLIENT`)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    from kg.sparql.pool import CLIENT

    ctx = get_script_run_ctx()
    CLIENT.set(ctx.session_id if ctx is not None else None)


def settings() -> dict[str, object]:
    """The operator's settings: environment variables, overridden by Streamlit secrets of the same names."""
    out: dict[str, object] = {k: v for k, v in os.environ.items() if k.startswith("CNKG_")}
    with contextlib.suppress(Exception):  # no secrets file: environment only
        out.update({k: v for k, v in st.secrets.to_dict().items() if k.startswith("CNKG_")})
    return out


def allowed_endpoints() -> tuple[str, ...]:
    """Remote endpoints the operator allows (none unless CNKG_REMOTE_ENDPOINTS lists them); a bad setting is
    shown and allows none."""
    try:
        return operator.allowed_endpoints(settings())
    except KGError as error:
        st.error(f"{error}; the remote endpoint is off")
        return ()


def max_timeout() -> float:
    """The longest query timeout the operator allows (CNKG_MAX_TIMEOUT_S); a bad setting is shown and the
    default limit applies."""
    try:
        return operator.max_timeout(settings())
    except KGError as error:
        st.error(f"{error}; using {operator.DEFAULT_MAX_TIMEOUT_S:g} s")
        return operator.DEFAULT_MAX_TIMEOUT_S


def endpoint() -> str:
    """The remote SPARQL endpoint chosen in the sidebar ('' for the embedded store); only allow-listed URLs."""
    url = str(st.session_state.get(ENDPOINT_KEY, "") or "").strip()
    return url if url and url in allowed_endpoints() else ""


def _graph_stamp() -> float:
    """Modification time of the built graph, so a rebuild while the app runs is picked up."""
    try:
        return GRAPH.stat().st_mtime
    except OSError:
        return 0.0


@st.cache_resource(show_spinner="Loading the knowledge graph ...", max_entries=4)
def _backend(url: str, stamp: float) -> Backend:
    return results.open_backend(url)


def backend() -> Backend:
    """The cached backend: the embedded store over build/cybernorms.nt, or the remote endpoint."""
    url = endpoint()
    return _backend(url, 0.0 if url else _graph_stamp())


def _key(params: Mapping[str, Sequence[str]] | None) -> ParamKey:
    return tuple(sorted((k, tuple(v)) for k, v in (params or {}).items()))


@st.cache_data(show_spinner=False, max_entries=256, ttl=900)  # bounded: a remote result can be large
def _run(url: str, stamp: float, name: str, params: ParamKey, timeout_s: float, row_cap: int) -> Table:
    return results.run_query(
        _backend(url, stamp), name, {k: list(v) for k, v in params}, timeout_s=timeout_s, row_cap=row_cap
    )


def run(
    name: str,
    params: Mapping[str, Sequence[str]] | None = None,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    row_cap: int = DEFAULT_ROW_CAP,
) -> Table:
    """A library query's result (cached per endpoint, query and parameters); errors are shown and stop the page."""
    url = endpoint()
    try:
        return _run(url, 0.0 if url else _graph_stamp(), name, _key(params), timeout_s, row_cap)
    except KGError as error:
        hint = " - clear the endpoint in the sidebar to use the embedded store" if url else ""
        st.error(f"{name}: {error}{hint}")
        st.stop()
        raise  # unreachable: st.stop() raises


def rows(name: str, params: Mapping[str, Sequence[str]] | None = None) -> list[dict[str, Value]]:
    """A library query's result as dict rows with record ids shortened."""
    return results.records(run(name, params))


def frame(table: Table) -> pd.DataFrame:
    """A DataFrame of a Table (record IRIs shortened to ids)."""
    return pd.DataFrame(results.records(table), columns=table.columns)


def preferred(options: Sequence[str], wanted: str, fallback: int = 0) -> int:
    """Index of `wanted` in `options` (a widget's default), else `fallback`."""
    return options.index(wanted) if wanted in options else min(fallback, max(len(options) - 1, 0))


def header(title: str, intro: str = "") -> Any:
    """Page title, the dataset version, and which backend answers; returns the slot for the page's link and
    citation (filled by `finish` once the page knows its state)."""
    st.title(title)
    where = f"remote endpoint {endpoint()}" if endpoint() else "embedded store (build/cybernorms.nt)"
    st.caption(f"Cyber Norms Knowledge Graph · dataset version **{__version__}** · queried from the {where}")
    slot = st.container()
    if intro:
        st.markdown(intro)
    return slot


PAGE_PATHS = ("overview", "instruments", "actors", "votes", "compare", "timeline", "map", "network", "sparql")


def restore(
    page: str,
    fields: Sequence[Field],
    *,
    options: Mapping[str, Sequence[object]] | None = None,
    defaults: Mapping[str, object] | None = None,
) -> None:
    """Widget state from the URL when it differs from what this page last wrote there (a link was opened), else
    kept; missing keys get `defaults`; values no longer among `options` are dropped."""
    mine = {f.param for f in fields}
    incoming = {k: v for k, v in st.query_params.to_dict().items() if k in mine}
    written: dict[str, str] = dict(st.session_state.get(f"_view-{page}") or {})
    if incoming and incoming != {k: v for k, v in written.items() if k in mine}:
        for key in [f.key for f in fields if f.param not in incoming and defaults and f.key in defaults]:
            st.session_state[key] = defaults[key]  # type: ignore[index]
        st.session_state.update(viewstate.decode(incoming, fields, options=options))
        st.session_state[f"_view-{page}"] = {**written, **incoming}
    for key, value in (defaults or {}).items():
        if key not in st.session_state:
            st.session_state[key] = value
    for key, allowed in (options or {}).items():
        current = st.session_state.get(key)
        if isinstance(current, list):
            st.session_state[key] = [v for v in current if v in allowed]
        elif current is not None and current not in allowed:
            del st.session_state[key]


def current(fields: Sequence[Field]) -> dict[str, str]:
    """The page's state as query parameters."""
    return viewstate.encode({f.key: st.session_state.get(f.key) for f in fields}, fields)


def permalink(page: str, params: Mapping[str, str]) -> str:
    """The absolute link of a view of `page`."""
    base = ""
    with contextlib.suppress(Exception):  # no browser context (AppTest): the default host
        base = str(st.context.url or "")
    return viewstate.link(base, "" if page == "overview" else page, params, pages=PAGE_PATHS)


def finish(
    slot: Any,
    page: str,
    fields: Sequence[Field],
    *,
    query: str | None,
    params: Mapping[str, Sequence[str]] | None = None,
    text: str | None = None,
    state: Mapping[str, str] | None = None,
) -> None:
    """Write the page's state (its fields, or `state` as given) into the URL, and fill the header's slot with
    "Copy link" and "Cite this view" (the one citation: dataset version, data hash, hash of the query run with
    its parameters, permalink)."""
    encoded = dict(state) if state is not None else current(fields)
    if st.query_params.to_dict() != encoded:
        st.query_params.from_dict(encoded)
    st.session_state[f"_view-{page}"] = encoded
    url = permalink(page, encoded)
    citation = results.cite(query, params, text=text, permalink=url) if (query or text) else None
    # lazy: its code blocks (and the syntax highlighter they load in the browser) are sent only once it is open
    with slot, st.expander("Copy link · Cite this view", expanded=False, key=CITE_KEY, on_change="rerun") as box:
        if not box.open:
            return
        st.caption("Link to exactly this view (copy with the icon at the right of the box):")
        st.code(url, language=None, wrap_lines=True)
        if citation is None:
            return
        st.caption("Cite this view (the query behind it, with its parameters and the data it ran on):")
        st.code(citation.line(), language=None, wrap_lines=True)
        bib, csl = st.tabs(["BibTeX", "CSL-JSON"])
        bib.code(citation.bibtex(), language="latex")
        csl.code(citation.csl_json(), language="json")


@st.cache_resource(show_spinner=False)
def _search_index(url: str, stamp: float) -> search.Index:
    rows = results.records(results.run_query(_backend(url, stamp), "explorer-search-index"))
    return search.build_index(rows, aliases=search.load_aliases())


def search_index() -> search.Index:
    """The search index over the graph (cached per backend and build)."""
    url = endpoint()
    return _search_index(url, 0.0 if url else _graph_stamp())


def table(
    data: Table,
    *,
    key: str,
    query: str | None,
    params: Mapping[str, Sequence[str]] | None = None,
    column_config: Mapping[str, Any] | None = None,
    hide: Sequence[str] = (),
    height: int | str = "auto",
    selection: str | None = None,
    caption: str | None = None,
    drop_empty: bool = True,
) -> Any:
    """A dataframe with a CSV download button (the CSV has every column, and carries the dataset version and
    the query's name and hash). Columns in `hide`, and (with `drop_empty`) columns with no value at all, are
    not shown. With `selection` ('single-row', 'single-cell'), returns the selection event."""
    df = frame(data)
    gone = [c for c in hide if c in df.columns]
    if drop_empty and len(df):
        gone += [c for c in df.columns if c not in gone and df[c].isna().all()]
    shown = df.drop(columns=gone)
    kwargs: dict[str, Any] = {"hide_index": True, "width": "stretch", "height": height, "placeholder": "-"}
    if column_config:
        kwargs["column_config"] = dict(column_config)
    event = None
    if selection:
        event = st.dataframe(shown, key=f"df-{key}", on_select="rerun", selection_mode=selection, **kwargs)  # type: ignore[call-overload]
    else:
        st.dataframe(shown, **kwargs)
    capped = " · truncated at the row cap" if data.truncated else ""
    count = f"{len(data.rows)} row{'s' if len(data.rows) != 1 else ''}{capped}"
    download(data, key=key, query=query, params=params, note=(caption + " · " if caption else "") + count)
    return event


def download(
    data: Table,
    *,
    key: str,
    query: str | None,
    params: Mapping[str, Sequence[str]] | None = None,
    note: str = "",
    text: str | None = None,
    view: Mapping[str, str] | None = None,
) -> None:
    """A 'Download CSV' button (with a short note beside it) for a table; `view` (e.g. the actors, issues and
    cell rule that made it) is recorded in a second header line. The CSV is made when the button is clicked, not
    on every run of the page."""
    if note:
        st.caption(note)
    st.download_button(
        "Download CSV",
        data=lambda: results.export(data, "csv", name=query, params=params, text=text, view=view),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"csv-{key}",
        on_click="ignore",
    )


def vega(spec: Mapping[str, Any], *, key: str) -> None:
    """A Vega-Lite chart (bundled with Streamlit, offline, lighter than plotly)."""
    st.vega_lite_chart(dict(spec), key=key, width="stretch")


def md(text: object) -> str:
    """Text safe to put inside Markdown (quotes from sources may hold *, _, $, [ ... )."""
    out = str(text)
    for ch in "\\`*_[]$<>#|~":
        out = out.replace(ch, "\\" + ch)
    return out


def link_column(label: str) -> Any:
    """A column shown as a link (URLs in source tables)."""
    return st.column_config.LinkColumn(label)
