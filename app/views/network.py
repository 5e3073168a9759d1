"""Network: states, instruments and organisations, linked by party-to, framework and membership."""

from __future__ import annotations

import charts
import streamlit as st
import ui

from kg.explore import facets, networks, results
from kg.explore.viewstate import Field
from kg.sparql.backends import Table

FIELDS = [
    Field("net-rel", "links", "list"),
    Field("net-orgs", "orgs", "list"),
    Field("net-focus", "focus"),
    Field("net-hops", "hops", "int"),
]


@st.cache_data(show_spinner="Laying out the network ...", max_entries=64)
def layout(
    edges: Table, relations: tuple[str, ...], member_of: tuple[str, ...], focus: str | None, hops: int
) -> networks.Network:
    """The laid-out network (cached: the layout is the slow part)."""
    return networks.network(results.records(edges), relations=relations, member_of=member_of, focus=focus, hops=hops)


slot = ui.header(
    "Network",
    "States (circles), instruments (diamonds) and organisations (squares). A state is linked to the "
    "instruments it is party to and the organisations it belongs to; an instrument to the organisation in "
    "whose framework it was concluded. By default the neighbourhood of one state: its instruments, its partners "
    "in bilateral ones (one hop: a bilateral pact is not a hop of its own) and its organisations. "
    "Choose '- whole network -' for everything. Bilateral pacts (small diamonds) are unlabelled: hover for "
    "their names. Drag to pan, scroll to zoom.",
)

edges = ui.run("network-edges")
rows = results.records(edges)
relations_all = facets.facet_values(rows, "relation")
choice = results.actor_choice(ui.rows("actors"))
names = results.actor_names(ui.rows("actors"))
node_ids = sorted({str(r["source"]) for r in rows} | {str(r["target"]) for r in rows})
organisations = facets.facet_values([r for r in rows if r["relation"] not in networks.NETWORK_STRUCTURAL], "target")
frameworks = facets.facet_values([r for r in rows if r["relation"] == "framework"], "target")
ui.restore(
    "network",
    FIELDS,
    options={"net-rel": relations_all, "net-orgs": organisations, "net-focus": ["", *node_ids], "net-hops": [1, 2, 3]},
    defaults={
        "net-rel": relations_all,
        "net-orgs": frameworks,
        "net-focus": "RU" if "RU" in node_ids else "",
        "net-hops": 1,
    },
)
with st.container(border=True):
    c1, c2 = st.columns(2)
    relations = c1.multiselect("Links", relations_all, key="net-rel")
    member_of = c2.multiselect(
        "Memberships of",
        organisations,
        format_func=lambda o: names.get(o, o),
        key="net-orgs",
        help="Default: the organisations in whose framework an instrument was concluded. "
        "Add the large ones (AU, OAS, OSCE, ...) to see all memberships.",
    )
    c3, c4 = st.columns([3, 1])
    focus = c3.selectbox(
        "Focus on (optional)",
        ["", *node_ids],
        format_func=lambda n: choice.get(n, n) if n else "- whole network -",
        key="net-focus",
    )
    hops = c4.number_input("Hops", min_value=1, max_value=3, key="net-hops", disabled=not focus)

net = layout(edges, tuple(sorted(relations)), tuple(sorted(member_of)), focus or None, int(hops))
counts = {k: sum(1 for n in net.nodes if n.type == k) for k in ("state", "instrument", "organisation")}
scope = f"Neighbourhood of {choice.get(focus, focus)}, {int(hops)} hop(s): " if focus else "Whole network: "
st.markdown(
    scope + f"**{len(net.nodes)}** nodes ({counts['state']} states, {counts['instrument']} instruments, "
    f"{counts['organisation']} organisations) and **{len(net.edges)}** links"
)
if net.nodes:
    ui.vega(charts.network_spec(net, names=names), key="network-chart")
a, b = st.columns(2)
with a:
    ui.table(net.node_table(), key="network-nodes", query="network-edges", caption="nodes", height=300)
with b:
    ui.table(net.edge_table(), key="network-edges", query="network-edges", caption="links", height=300)

ui.finish(slot, "network", FIELDS, query="network-edges")
