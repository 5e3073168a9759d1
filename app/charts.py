"""Plotly figures of the explorer. Everything renders offline: plotly.js is bundled with Streamlit and the
world geometry of the map is served from app/static (see app/static/README.md), never from a CDN."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date

import plotly.graph_objects as go

from kg.explore import facets, networks
from kg.sparql.backends import Value

TYPE_COLOURS = {"state": "#4c78a8", "instrument": "#f58518", "organisation": "#54a24b"}
KIND_ORDER = ("signature", "adoption", "resolution", "process start", "event")








def choropleth(
    rows: Sequence[Mapping[str, Value]],
    *,
    category: str,
    order: Sequence[str],
    colours: Mapping[str, str],
    hover: Sequence[str],
    legend_title: str = "",
) -> go.Figure:
    """A world map (ISO-3 codes, plotly's own geometry served locally) with one colour per category."""
    fig = go.Figure()
    for cat in order:
        mine = [r for r in rows if str(r.get(category)) == cat]
        if not mine:
            continue
        colour = colours.get(cat, "#999999")
        fig.add_trace(
            go.Choropleth(
                locations=[r.get("iso3") for r in mine],
                locationmode="ISO-3",
                z=[1] * len(mine),
                colorscale=[[0, colour], [1, colour]],
                showscale=False,
                name=cat,
                showlegend=True,
                marker={"line": {"color": "#606060", "width": 0.4}},
                customdata=[[r.get(h) for h in hover] for r in mine],
                hovertemplate="<br>".join(f"{h}: %{{customdata[{i}]}}" for i, h in enumerate(hover))
                + f"<extra>{cat}</extra>",
            )
        )
    fig.update_geos(
        projection_type="natural earth",
        showcountries=True,
        countrycolor="#ffffff",
        showland=True,
        landcolor="#d0d0d0",
        showocean=False,
        showframe=False,
        showcoastlines=False,
        lataxis_range=[-58, 85],
    )
    fig.update_layout(
        height=520,
        margin={"l": 0, "r": 0, "t": 10, "b": 0},
        legend={"orientation": "h", "y": -0.02, "title": {"text": legend_title or category}},
    )
    return fig


def short_label(text: str, width: int = 28) -> str:
    """A node label short enough to print on a chart."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def network(net: networks.Network, *, label_degree: int = 5, names: Mapping[str, str] | None = None) -> go.Figure:
    """Nodes coloured by type (sized by degree) and their links, drawn with plotly only; organisations,
    instruments and states with at least `label_degree` links are labelled."""
    where = {n.id: n for n in net.nodes}
    parties = Counter(t for s, t, rel in net.edges if rel == "party to") + Counter(
        s for s, t, rel in net.edges if rel == "party to" and where[s].type == "instrument"
    )  # bilateral pacts stay unlabelled (hover names them): their two parties already say what they are
    xs: list[float | None] = []
    ys: list[float | None] = []
    for s, t, _ in net.edges:
        xs += [where[s].x, where[t].x, None]
        ys += [where[s].y, where[t].y, None]
    fig = go.Figure(
        go.Scatter(
            x=xs, y=ys, mode="lines", line={"width": 0.6, "color": "#b0b0b0"}, hoverinfo="skip", showlegend=False
        )
    )
    for kind, colour in TYPE_COLOURS.items():
        mine = [n for n in net.nodes if n.type == kind]
        if not mine:
            continue
        fig.add_trace(
            go.Scatter(
                x=[n.x for n in mine],
                y=[n.y for n in mine],
                mode="markers+text",
                name=kind,
                text=[
                    short_label((names or {}).get(n.id, n.label))
                    if (kind == "organisation")
                    or (kind == "instrument" and parties.get(n.id, 0) > 2)
                    or (kind == "state" and (n.degree >= label_degree or len(net.nodes) <= 60))
                    else ""
                    for n in mine
                ],
                textposition="top center",
                textfont={"size": 9},
                marker={
                    "size": [min(30, 6 + 1.5 * n.degree) for n in mine],
                    "color": colour,
                    "line": {"width": 1, "color": "white"},
                    "symbol": {"state": "circle", "instrument": "diamond", "organisation": "square"}[kind],
                },
                customdata=[[n.label, n.id, n.degree] for n in mine],
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]} links<extra>"
                + kind
                + "</extra>",
            )
        )
    fig.update_layout(
        height=680,
        margin={"l": 0, "r": 0, "t": 10, "b": 0},
        xaxis={"visible": False},
        yaxis={"visible": False, "scaleanchor": "x"},
        legend={"orientation": "h", "y": 1.02},
        plot_bgcolor="white",
    )
    return fig


# Vega-Lite specs (drawn by Streamlit's bundled vega-embed: much lighter in the browser than plotly, which is
# kept for the map and the network only).
VegaSpec = dict[str, object]


def bar_spec(labels: Sequence[str], values: Sequence[float], *, x_title: str, y_title: str) -> VegaSpec:
    """A horizontal bar chart, largest first at the top."""
    data = [{"label": lab, "value": val} for lab, val in zip(labels, values, strict=True)]
    return {
        "data": {"values": data},
        "mark": {"type": "bar", "color": "#4c78a8"},
        "encoding": {
            "y": {"field": "label", "type": "nominal", "sort": "-x", "title": x_title},
            "x": {"field": "value", "type": "quantitative", "title": y_title},
            "tooltip": [{"field": "label", "title": x_title}, {"field": "value", "title": y_title}],
        },
        "height": max(160, 22 * len(data)),
    }


def timeline_spec(rows: Sequence[Mapping[str, Value]]) -> VegaSpec:
    """Dated developments as points on a time axis, one lane per kind; the tooltip shows the record."""
    kinds = [k for k in KIND_ORDER if any(r.get("kind") == k for r in rows)]
    kinds += sorted({str(r.get("kind")) for r in rows} - set(kinds))
    data = [
        {
            "when": d.isoformat(),
            "date": r.get("date"),
            "kind": r.get("kind"),
            "id": r.get("id"),
            "label": r.get("label"),
        }
        for r in rows
        if (d := facets.partial_date(r.get("date")))
    ]
    return {
        "data": {"values": data},
        "mark": {"type": "circle", "size": 110, "opacity": 0.85, "stroke": "white", "strokeWidth": 1},
        "encoding": {
            "x": {"field": "when", "type": "temporal", "title": "date (a year or month without a day: its first day)"},
            "y": {"field": "kind", "type": "nominal", "sort": kinds, "title": None},
            "color": {"field": "kind", "type": "nominal", "sort": kinds, "legend": None},
            "tooltip": [{"field": "date"}, {"field": "id"}, {"field": "label"}],
        },
        "height": 60 + 50 * max(1, len(kinds)),
    }


def memberships_spec(rows: Sequence[Mapping[str, Value]], *, label: str, today: date | None = None) -> VegaSpec:
    """Memberships over time as bars from 'from' to 'until' (open memberships run to today, darker)."""
    end_default = today or date.today()
    data = []
    for r in rows:
        start = facets.partial_date(r.get("from"))
        if start is None:
            continue
        end = facets.partial_date(r.get("until")) or end_default
        name = f"{r.get(label)} ({r.get('role')})" if r.get("role") not in (None, "member") else str(r.get(label))
        data.append(
            {"name": name, "start": start.isoformat(), "end": end.isoformat(), "from": r.get("from"),
             "until": r.get("until") or "today", "open": r.get("until") is None}
        )  # fmt: skip
    return {
        "data": {"values": data},
        "mark": {"type": "bar", "height": 12, "cornerRadius": 2},
        "encoding": {
            "y": {"field": "name", "type": "nominal", "sort": None, "title": None},
            "x": {"field": "start", "type": "temporal", "title": None},
            "x2": {"field": "end"},
            "color": {
                "field": "open",
                "type": "nominal",
                "legend": None,
                "scale": {"domain": [True, False], "range": ["#4c78a8", "#9ecae9"]},
            },
            "tooltip": [{"field": "name"}, {"field": "from"}, {"field": "until"}],
        },
        "height": max(60, 24 * len(data)),
    }
