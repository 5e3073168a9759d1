"""Charts of the explorer as Vega-Lite specs (Streamlit's bundled vega-embed). Everything renders offline: the
library is bundled with Streamlit and the world geometry of the map is served from app/static (see
app/static/README.md), never from a CDN."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import date

from kg.explore import facets, networks
from kg.sparql.backends import Value

TYPE_COLOURS = {"state": "#4c78a8", "instrument": "#f58518", "organisation": "#54a24b"}
KIND_ORDER = ("signature", "adoption", "resolution", "process start", "event")


def short_label(text: str, width: int = 28) -> str:
    """A node label short enough to print on a chart."""
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# Vega-Lite specs, drawn by Streamlit's bundled vega-embed (much lighter in the browser than plotly, whose bundle
# alone took about 1.8 s to load in a fresh browser).
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


WORLD_GEOMETRY = "app/static/world_110m.json"  # served by the app (app/static/README.md): no CDN, no tiles
LAND_GREY = "#d0d0d0"


def choropleth_spec(
    rows: Sequence[Mapping[str, Value]],
    *,
    category: str,
    order: Sequence[str],
    colours: Mapping[str, str],
    hover: Sequence[str],
    legend_title: str = "",
) -> VegaSpec:
    """A world map as Vega-Lite geoshapes: every country grey (nothing recorded), the states in `rows` (joined on
    their ISO-3 code with the topojson ids) coloured by `category`, in `order`, hovering shows `hover`. Drawn as
    SVG, one path per country; Antarctica is left out."""
    fields = list(dict.fromkeys([category, *hover]))
    data = [{"iso3": r.get("iso3"), **{f: r.get(f) for f in fields}} for r in rows if r.get("iso3")]
    present = [c for c in order if any(str(d[category]) == c for d in data)]
    world = {"url": WORLD_GEOMETRY, "format": {"type": "topojson", "feature": "countries"}}
    no_antarctica = {"filter": "datum.id !== 'ATA'"}
    layers: list[VegaSpec] = [
        {
            "data": world,
            "transform": [no_antarctica],
            "mark": {"type": "geoshape", "fill": LAND_GREY, "stroke": "#ffffff", "strokeWidth": 0.5},
        }
    ]
    if present:
        layers.append(
            {
                "data": world,
                "transform": [
                    no_antarctica,
                    {"lookup": "id", "from": {"data": {"values": data}, "key": "iso3", "fields": fields}},
                    {"filter": f"isValid(datum[{json.dumps(category)}])"},
                ],
                "mark": {"type": "geoshape", "stroke": "#606060", "strokeWidth": 0.4},
                "encoding": {
                    "color": {
                        "field": category,
                        "type": "nominal",
                        "scale": {"domain": present, "range": [colours.get(c, "#999999") for c in present]},
                        "legend": {"orient": "bottom", "direction": "horizontal", "title": legend_title or category},
                    },
                    "tooltip": [{"field": f, "type": "nominal"} for f in hover],
                },
            }
        )
    return {
        "usermeta": {"embedOptions": {"renderer": "svg"}},  # a path per country: crisp, and checkable in a test
        "height": 520,
        "projection": {"type": "naturalEarth1"},
        "layer": layers,
    }


NODE_SHAPES = {"state": "circle", "instrument": "diamond", "organisation": "square"}


def network_spec(
    net: networks.Network, *, label_degree: int = 5, names: Mapping[str, str] | None = None, aspect: float = 1.43
) -> VegaSpec:
    """Nodes coloured and shaped by type (sized by degree) over their links; organisations, instruments with more
    than two parties and states with at least `label_degree` links are labelled (all states in a small network).
    Drag to pan, scroll to zoom; the axes keep the layout's proportions for a chart `aspect` times wider than high."""
    where = {n.id: n for n in net.nodes}
    parties = Counter(t for s, t, rel in net.edges if rel == "party to") + Counter(
        s for s, t, rel in net.edges if rel == "party to" and where[s].type == "instrument"
    )  # bilateral pacts stay unlabelled (hover names them): their two parties already say what they are

    def labelled(n: networks.Node) -> bool:
        return (
            n.type == "organisation"
            or (n.type == "instrument" and parties.get(n.id, 0) > 2)
            or (n.type == "state" and (n.degree >= label_degree or len(net.nodes) <= 60))
        )

    nodes = [
        {
            "id": n.id,
            "label": n.label,
            "type": n.type,
            "links": n.degree,
            "x": n.x,
            "y": n.y,
            "size": min(30, 6 + 1.5 * n.degree) ** 2,  # an area, so the diameter grows as plotly's marker did
            "text": short_label((names or {}).get(n.id, n.label)) if labelled(n) else "",
        }
        for n in net.nodes
    ]
    edges = [{"x": where[s].x, "y": where[s].y, "x2": where[t].x, "y2": where[t].y} for s, t, _ in net.edges]
    xs, ys = [n.x for n in net.nodes] or [0.0], [n.y for n in net.nodes] or [0.0]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    hx, hy = max((max(xs) - min(xs)) / 2, 1e-9) * 1.08, max((max(ys) - min(ys)) / 2, 1e-9) * 1.08
    hx, hy = max(hx, hy * aspect), max(hy, hx / aspect)
    x = {"field": "x", "type": "quantitative", "axis": None, "scale": {"domain": [cx - hx, cx + hx]}}
    y = {"field": "y", "type": "quantitative", "axis": None, "scale": {"domain": [cy - hy, cy + hy]}}
    kinds = list(TYPE_COLOURS)
    return {
        "usermeta": {"embedOptions": {"renderer": "svg"}},
        "height": 680,
        "layer": [
            {
                "data": {"values": edges},
                "mark": {"type": "rule", "color": "#b0b0b0", "strokeWidth": 0.6},
                "encoding": {"x": x, "y": y, "x2": {"field": "x2"}, "y2": {"field": "y2"}},
            },
            {
                "data": {"values": nodes},
                "params": [{"name": "pan", "select": "interval", "bind": "scales"}],
                "mark": {"type": "point", "filled": True, "opacity": 1, "stroke": "white", "strokeWidth": 1},
                "encoding": {
                    "x": x,
                    "y": y,
                    "color": {
                        "field": "type",
                        "type": "nominal",
                        "title": None,
                        "scale": {"domain": kinds, "range": [TYPE_COLOURS[k] for k in kinds]},
                        "legend": {"orient": "top", "direction": "horizontal"},
                    },
                    "shape": {
                        "field": "type",
                        "type": "nominal",
                        "scale": {"domain": kinds, "range": [NODE_SHAPES[k] for k in kinds]},
                    },
                    "size": {"field": "size", "type": "quantitative", "scale": None},
                    "tooltip": [{"field": "label"}, {"field": "id"}, {"field": "type"}, {"field": "links"}],
                },
            },
            {
                "data": {"values": [n for n in nodes if n["text"]]},
                "mark": {"type": "text", "dy": -12, "fontSize": 9},
                "encoding": {"x": x, "y": y, "text": {"field": "text"}},
            },
        ],
    }
