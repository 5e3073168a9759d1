"""Shared Streamlit pieces of the explorer: the cached backend and query results, the page header with the
dataset version, tables with CSV download, and error display. Queries are library `.rq` files run through
`kg.explore`; nothing here writes SPARQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from kg import __version__
from kg.errors import KGError
from kg.explore import results
from kg.paths import GRAPH
from kg.sparql.backends import DEFAULT_ROW_CAP, DEFAULT_TIMEOUT_S, Backend, Table, Value

ParamKey = tuple[tuple[str, tuple[str, ...]], ...]
ENDPOINT_KEY = "endpoint"


def endpoint() -> str:
    """The remote SPARQL endpoint URL set in the sidebar ('' for the embedded store)."""
    return str(st.session_state.get(ENDPOINT_KEY, "") or "").strip()


def _graph_stamp() -> float:
    """Modification time of the built graph, so a rebuild while the app runs is picked up."""
    try:
        return GRAPH.stat().st_mtime
    except OSError:
        return 0.0


@st.cache_resource(show_spinner="Loading the knowledge graph ...")
def _backend(url: str, stamp: float) -> Backend:
    return results.open_backend(url)


def backend() -> Backend:
    """The cached backend: the embedded store over build/cybernorms.nt, or the remote endpoint."""
    url = endpoint()
    return _backend(url, 0.0 if url else _graph_stamp())


def _key(params: Mapping[str, Sequence[str]] | None) -> ParamKey:
    return tuple(sorted((k, tuple(v)) for k, v in (params or {}).items()))


@st.cache_data(show_spinner=False, max_entries=1024, ttl=3600)
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


def header(title: str, intro: str = "") -> None:
    """Page title, the dataset version, and which backend answers."""
    st.title(title)
    where = f"remote endpoint {endpoint()}" if endpoint() else "embedded store (build/cybernorms.nt)"
    st.caption(f"Cyber Norms Knowledge Graph · dataset version **{__version__}** · queried from the {where}")
    if intro:
        st.markdown(intro)


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
) -> None:
    """A 'Download CSV' button (with a short note beside it) for a table."""
    if note:
        st.caption(note)
    st.download_button(
        "Download CSV",
        data=results.export(data, "csv", name=query, params=params, text=text),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"csv-{key}",
        on_click="ignore",
    )


def plotly(fig: Any, *, key: str) -> None:
    """A plotly figure, offline: the map geometry comes from app/static (no CDN)."""
    st.plotly_chart(
        fig,
        key=key,
        width="stretch",
        config={"displaylogo": False, "topojsonURL": "app/static/", "responsive": True},
    )


def md(text: object) -> str:
    """Text safe to put inside Markdown (quotes from sources may hold *, _, $, [ ... )."""
    out = str(text)
    for ch in "\\`*_[]$<>#|~":
        out = out.replace(ch, "\\" + ch)
    return out


def link_column(label: str) -> Any:
    """A column shown as a link (URLs in source tables)."""
    return st.column_config.LinkColumn(label)
