"""SPARQL: the query library in an editor (read-only: updates and SERVICE are refused), with parameters,
timeout and row cap, results as a table and a simple chart, CSV/JSON downloads, and a permalink."""

from __future__ import annotations

import urllib.parse

import charts
import streamlit as st
import ui

from kg.errors import KGError
from kg.explore import results, schema, sparql_page
from kg.sparql.backends import DEFAULT_ROW_CAP, DEFAULT_TIMEOUT_S, Table
from kg.sparql.formats import shorten

slot = ui.header(
    "SPARQL",
    "Pick a query from the library (or type your own), set its parameters, and run it. The store is read-only: "
    "updates and federated `SERVICE` calls are refused before they reach it. A link with typed text fills the "
    "editor; it runs only when you press **Run query**.",
)

library = results.queries()
names = list(library)
qp_name, qp_text, qp_params = sparql_page.from_permalink(st.query_params.to_dict())
if "sq-name" not in st.session_state:
    st.session_state["sq-name"] = qp_name if qp_name in library else "counts-by-type"
    if qp_text:
        st.session_state[f"sq-text-{st.session_state['sq-name']}"] = qp_text
    # a library query named in a link runs; typed text from a link only fills the editor (never runs unasked)
    st.session_state["sq-autorun"] = bool(qp_name in library and not qp_text)

st.markdown(
    "<style>textarea {font-family: monospace !important; font-size: 0.85rem !important}</style>", unsafe_allow_html=True
)
name = st.selectbox("Library query", names, format_func=lambda n: f"{n} - {library[n].summary}", key="sq-name")
q = library[name]
st.caption(f"{q.description}  \nTags: {', '.join(q.tags)}" + (f" · reproduces {q.reproduces}" if q.reproduces else ""))

params: dict[str, list[str]] = {}
if q.params:
    cols = st.columns(len(q.params))
    for col, p in zip(cols, q.params, strict=True):
        initial = ",".join(qp_params.get(p.name, [])) if name == qp_name else ""
        value = col.text_input(
            f"{p.name} ({p.kind})",
            value=initial or ",".join(p.default) or "*",
            key=f"sq-p-{name}-{p.name}",
            help=f"{p.description}. Comma-separated; '*' leaves it unbound.",
        )
        params[p.name] = [v.strip() for v in value.split(",") if v.strip()]

text_key = f"sq-text-{name}"
if text_key not in st.session_state:
    st.session_state[text_key] = q.text


def insert_prefixes() -> None:
    """Put the prefix block of the ontology and codebook in front of the editor's text."""
    st.session_state[text_key] = schema.with_prefixes(str(st.session_state.get(text_key) or ""))


# lazy: the prefix block's code box loads the browser's syntax highlighter (~0.5 s of CPU), so only once open
with st.expander("Prefixes, schema and dates", key="sq-aids", on_change="rerun") as aids:
    if aids.open:
        st.button("Insert the prefixes of the ontology and codebook", on_click=insert_prefixes, key="sq-prefixes")
        st.code(schema.prefix_block(), language="sparql")
        st.markdown("**Dates.** " + schema.DATES_HELP)
        if st.toggle("Show the schema diagram (generated from ontology/cybernorms.ttl)", key="sq-schema"):
            st.caption(
                "Boxes: classes; solid arrows: object properties from their domain to their range; dashed arrows "
                "with an open head: subclass of. Datatype properties (labels, dates, counts) are not drawn."
            )
            st.graphviz_chart(schema.schema_dot(), width="stretch")
text = st.text_area("Query", height=360, key=text_key)
c1, c2, c3 = st.columns([1, 1, 2], vertical_alignment="bottom")
limit = ui.max_timeout()
timeout_s = c1.number_input(
    "Timeout (s)",
    min_value=0.1,
    max_value=limit,
    value=min(DEFAULT_TIMEOUT_S, limit),
    key="sq-timeout",
    help=f"At most {limit:g} s on this explorer (the operator's limit, CNKG_MAX_TIMEOUT_S).",
)
timeout_s = min(float(timeout_s), limit)
row_cap = c2.number_input("Row cap", min_value=1, max_value=DEFAULT_ROW_CAP, value=10_000, key="sq-cap")
clicked = c3.button("Run query", type="primary", key="sq-run")
edited = text.strip() != q.text.strip()
if edited:
    st.caption("Edited: the text runs as typed (parameters apply to library text only; write VALUES yourself).")

if clicked or st.session_state.pop("sq-autorun", False):
    run_name: str | None = None if edited else name
    run_params: dict[str, list[str]] = {} if edited else params
    started = {"name": run_name, "text": text, "params": run_params}
    try:
        if edited:
            answer = results.run_text(ui.backend(), text, timeout_s=float(timeout_s), row_cap=int(row_cap))
        else:
            answer = results.run_query(ui.backend(), name, params, timeout_s=float(timeout_s), row_cap=int(row_cap))
        st.session_state["sq-result"] = {**started, "table": answer, "error": None}
    except KGError as error:
        st.session_state["sq-result"] = {
            **started,
            "table": None,
            "error": str(error),
            "timeout": results.is_timeout(error),
        }

outcome = st.session_state.get("sq-result")
if outcome:
    st.divider()
    link = sparql_page.permalink(
        page="sparql",
        name=outcome["name"],
        text=outcome["text"] if not outcome["name"] else None,
        params=outcome["params"],
    )
    st.markdown(f"[Permalink to this query](?{urllib.parse.urlencode(link)})")
    if outcome["error"]:
        message = outcome["error"]
        if outcome.get("timeout"):
            st.error(f"Timeout hit: {message}")
        else:
            st.error(message)
    else:
        result: Table = outcome["table"]
        capped = result.truncated
        st.markdown(
            f"**{len(result.rows)}** row{'s' if len(result.rows) != 1 else ''} in {result.elapsed_s:.3f} s"
            + (f" · **row cap hit**: only the first {len(result.rows)} rows are shown" if capped else "")
        )
        if capped:
            st.warning(f"Row cap hit: the result was cut at {len(result.rows)} rows (raise the cap or add LIMIT).")
        st.dataframe(ui.frame(result), hide_index=True, width="stretch", height=min(600, 38 + 35 * len(result.rows)))
        d1, d2, _ = st.columns([1, 1, 3])
        for col, fmt, mime in ((d1, "csv", "text/csv"), (d2, "json", "application/json")):
            col.download_button(
                f"Download {fmt.upper()}",
                data=results.export(result, fmt, name=outcome["name"], params=outcome["params"], text=outcome["text"]),
                file_name=f"{outcome['name'] or 'query'}.{fmt}",
                mime=mime,
                key=f"sq-dl-{fmt}",
                on_click="ignore",
                width="stretch",
            )
        spec = sparql_page.chart_columns(result)
        if spec:
            label, numeric_column = spec
            li = result.columns.index(label)
            if numeric_column is None:
                counts: dict[str, float] = {}
                for r in result.rows:
                    key = str(shorten(r[li]))
                    counts[key] = counts.get(key, 0) + 1
                labels, values = list(counts), list(counts.values())
                title = "rows"
            else:
                vi = result.columns.index(numeric_column)
                shown = result.rows[:60]
                labels = [str(shorten(r[li])) for r in shown]
                values = [float(str(r[vi])) if sparql_page.numeric(r[vi]) else 0.0 for r in shown]
                title = numeric_column
            with st.expander(f"Chart: {title} by {label}", expanded=True):
                ui.vega(charts.bar_spec(labels, values, x_title=label, y_title=title), key="sq-chart")

link = sparql_page.permalink(
    page="sparql", name=None if edited else name, text=text if edited else None, params={} if edited else params
)
link.pop("page", None)
ui.finish(
    slot,
    "sparql",
    [],
    query=None if edited else name,
    params=None if edited else params,
    text=text if edited else None,
    state=link,
)
