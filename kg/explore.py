"""The explorer's logic, kept out of the Streamlit pages (`app/`) so it can be tested without a browser.

Every query is a library `.rq` file run through `kg.sparql.query.run` with parameters bound by `kg.sparql.library.bind`;
this module holds no SPARQL. It turns result tables into what the pages show: faceted lists, the positions
matrix with its evidence, map rows, timeline dates, a laid-out network, chart choices and permalinks.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kg import __version__
from kg.errors import QueryError
from kg.paths import GRAPH
from kg.sparql.backends import DEFAULT_ROW_CAP, DEFAULT_TIMEOUT_S, Backend, Table, Value
from kg.sparql.formats import render, shorten
from kg.sparql.library import LibraryQuery, library, resolve
from kg.sparql.query import Citation, backend_for, citation, run
from kg.vocab import BASE

TABLE4_ACTORS: tuple[str, ...] = ("RU", "us-eu", "CN")
TABLE4_ISSUES: tuple[str, ...] = (
    "cyber-sovereignty",
    "multistakeholder-governance",
    "binding-instrument",
    "information-operations-use",
    "un-cybercrime-convention",
)
LICENCE = "Data (the curated records and the built graph): CC BY 4.0. Code: MIT."
CELL_RULES: dict[str, str] = {
    "published": "as coded from Haq (2025), Table 4, where there is such a position (else the latest)",
    "latest": "the latest coded position (ties: higher confidence)",
    "earliest": "the earliest coded position",
    "confident": "the most confident position (ties: the latest)",
}
VOTE_COLOURS: dict[str, str] = {"yes": "#1a9850", "no": "#d73027", "abstain": "#fdae61", "absent": "#bdbdbd"}
# diverging palette (ColorBrewer RdBu): 0 = lowest ordinal of a scale, 1 = highest
_STOPS = ("#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac")
_CONFIDENCE = {"low": 0, "medium": 1, "high": 2}
NETWORK_STRUCTURAL = ("party to", "framework")  # network-edges.rq relations that are not memberships

Row = dict[str, Value]
Params = dict[str, list[str]]


# ---------------------------------------------------------------------------------------------- backends, queries
# Run embedded queries in a worker process killed at the time limit, so a runaway query is stopped (the worker
# resets the parent's signal handlers and dies with its parent, see kg.sparql.backends._worker).
ISOLATE = True


def open_backend(endpoint: str = "", *, graph: Path = GRAPH, isolate: bool = ISOLATE) -> Backend:
    """A remote SPARQL endpoint when a URL is given, else the embedded store over the built graph. With
    `isolate`, queries run one at a time in a worker process that is killed at the time limit (the app shares
    one store between all sessions and threads; the store's own lock serialises them)."""
    from kg.pipeline.build import ensure_built

    endpoint = endpoint.strip()
    return backend_for(endpoint=endpoint, graph=graph if endpoint else ensure_built(graph), isolate=isolate)


def is_timeout(error: Exception) -> bool:
    """Whether a query error says the time limit was reached."""
    return str(error).startswith("query stopped")


def queries() -> dict[str, LibraryQuery]:
    """The query library, explorer queries and reproductions first, QC violation queries last."""
    found = library()
    return dict(sorted(found.items(), key=lambda kv: (kv[1].is_violation, kv[0])))


def query(name: str) -> LibraryQuery:
    """One library query by name; an unknown name is a QueryError with a hint."""
    return resolve(name)


def run_query(
    backend: Backend,
    name: str,
    params: Mapping[str, Sequence[str]] | None = None,
    *,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    row_cap: int = DEFAULT_ROW_CAP,
) -> Table:
    """Run a library query with parameters bound through its `#+ param:` header."""
    bound = {k: list(v) for k, v in (params or {}).items()}
    return run(query(name), backend, params=bound, timeout_s=timeout_s, row_cap=row_cap)


def run_text(
    backend: Backend, text: str, *, timeout_s: float = DEFAULT_TIMEOUT_S, row_cap: int = DEFAULT_ROW_CAP
) -> Table:
    """Run query text typed by a user: the backend refuses updates and SERVICE before running it."""
    if not text.strip():
        raise QueryError("the query is empty (hint: pick one from the library)")
    return backend.select(text, timeout_s=timeout_s, row_cap=row_cap)


def records(table: Table) -> list[Row]:
    """Rows as dicts, record IRIs shortened to their ids."""
    return [{c: shorten(v) for c, v in zip(table.columns, row, strict=True)} for row in table.rows]


def table_of(rows: Sequence[Mapping[str, Value]], columns: Sequence[str] | None = None) -> Table:
    """A Table from dict rows (columns: given, or the first row's keys)."""
    cols = list(columns) if columns is not None else (list(rows[0]) if rows else [])
    return Table(cols, [[r.get(c) for c in cols] for r in rows])


def cite(name: str | None, params: Mapping[str, Sequence[str]] | None = None, *, text: str | None = None) -> Citation:
    """The citation of a result: of a library query with its parameters, or (name None) of typed query text."""
    if name is None:
        return Citation(__version__, "(typed query)", hashlib.sha256((text or "").encode("utf-8")).hexdigest())
    return citation(query(name), version=__version__, params={k: list(v) for k, v in (params or {}).items()})


def export(
    table: Table,
    fmt: str,
    *,
    name: str | None,
    params: Mapping[str, Sequence[str]] | None = None,
    text: str | None = None,
) -> bytes:
    """The table as CSV or JSON (any `kg.sparql.formats.FORMATS`), with the dataset version and query in a header."""
    return render(table, fmt=fmt, cite=cite(name, params, text=text)).encode("utf-8")


def how_to_cite() -> str:
    """The citation of the dataset at this version."""
    return (
        f"Cyber Norms Knowledge Graph (version {__version__}) [dataset]. {BASE} . "
        "Cite the version you used; each exported table carries the query name and hash that produced it."
    )


def actor_names(rows: Iterable[Mapping[str, Value]]) -> dict[str, str]:
    """Display names of actors.rq rows: a state's name, an organisation's short name when it has one."""
    out: dict[str, str] = {}
    for r in rows:
        short = r.get("shortName")
        out[str(r["actor"])] = str(short if short and r.get("type") != "state" else r["name"])
    return out


def actor_choice(rows: Iterable[Mapping[str, Value]]) -> dict[str, str]:
    """Actor id -> picker label ('Russian Federation (RU)', 'SCO - Shanghai Cooperation Organisation')."""
    out: dict[str, str] = {}
    for r in rows:
        if r.get("type") == "state":
            out[str(r["actor"])] = f"{r['name']} ({r['actor']})"
        else:
            short = r.get("shortName")
            out[str(r["actor"])] = f"{short} - {r['name']}" if short and short != r["name"] else str(r["name"])
    return out


def split_list(value: Value, sep: str = ", ") -> list[str]:
    """A GROUP_CONCAT cell as a sorted list (empty cell: [])."""
    if value is None or value == "":
        return []
    return sorted(p for p in str(value).split(sep) if p)


# ---------------------------------------------------------------------------------------------- facets
def facet_values(rows: Iterable[Mapping[str, Value]], column: str, *, multi: bool = False) -> list[str]:
    """The distinct values of a column, sorted (for list columns, the distinct items)."""
    seen: set[str] = set()
    for row in rows:
        value = row.get(column)
        if multi:
            seen.update(split_list(value))
        elif value is not None and value != "":
            seen.add(str(value))
    return sorted(seen)


def filter_rows(
    rows: Iterable[Mapping[str, Value]],
    selected: Mapping[str, Iterable[str]],
    *,
    multi: Iterable[str] = (),
    year_range: tuple[int, int] | None = None,
    year_column: str = "year",
) -> list[Row]:
    """Rows matching every facet with a selection (a list column matches if any item is selected)."""
    multi_set = set(multi)
    wanted = {col: set(vals) for col, vals in selected.items() if vals}
    out: list[Row] = []
    for row in rows:
        ok = True
        for col, vals in wanted.items():
            value = row.get(col)
            items = set(split_list(value)) if col in multi_set else {"" if value is None else str(value)}
            if not items & vals:
                ok = False
                break
        if ok and year_range is not None:
            year = str(row.get(year_column) or "")
            ok = year.isdigit() and year_range[0] <= int(year) <= year_range[1]
        if ok:
            out.append(dict(row))
    return out


# ---------------------------------------------------------------------------------------------- dates
def partial_date(text: Value) -> date | None:
    """An ISO date of any precision written in the data ('2015', '2015-05', '2015-05-08') as a date
    (missing month or day: the first); None if absent or unreadable."""
    if text is None:
        return None
    parts = str(text).split("-")
    try:
        numbers = [int(p) for p in parts[:3]]
    except ValueError:
        return None
    while len(numbers) < 3:
        numbers.append(1)
    try:
        return date(numbers[0], numbers[1], numbers[2])
    except ValueError:
        return None


def sort_key_date(text: Value) -> str:
    """A sort key for partial dates: a year sorts before the dated days of that year."""
    return "" if text is None else str(text)


# ---------------------------------------------------------------------------------------------- positions
@dataclass(frozen=True)
class Cell:
    """One actor x issue cell of the positions matrix: the stance shown and every position behind it."""

    actor: str
    actor_label: str
    issue: str
    issue_label: str
    shown: Row
    positions: tuple[Row, ...]

    @property
    def label(self) -> str:
        return str(self.shown.get("stanceLabel") or "")

    @property
    def score(self) -> float:
        """The shown stance's place on its scale, 0 (lowest) to 1 (highest)."""
        return stance_score(self.shown.get("ordinal"), self.shown.get("scaleMax"))


def stance_score(ordinal: Value, scale_max: Value) -> float:
    """Ordinal on a 1..max scale mapped to 0..1 (so the 7-point stance and 3-point practice scales compare)."""
    try:
        o, m = float(str(ordinal)), float(str(scale_max))
    except ValueError:
        return 0.5
    return 0.5 if m <= 1 else min(1.0, max(0.0, (o - 1) / (m - 1)))


def colour(score: float) -> str:
    """A hex colour on the diverging palette for a 0..1 score."""
    score = min(1.0, max(0.0, score))
    pos = score * (len(_STOPS) - 1)
    i = min(int(pos), len(_STOPS) - 2)
    frac = pos - i
    a, b = _STOPS[i], _STOPS[i + 1]
    mixed = [round(int(a[k : k + 2], 16) * (1 - frac) + int(b[k : k + 2], 16) * frac) for k in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in mixed)


def text_colour(score: float) -> str:
    """Black or white text, whichever reads on the palette colour of the score."""
    return "#ffffff" if score < 0.17 or score > 0.83 else "#000000"


def _pick(positions: Sequence[Row], rule: str) -> Row:
    if rule not in CELL_RULES:
        raise QueryError(f"unknown cell rule {rule!r} (hint: one of {', '.join(CELL_RULES)})")

    def conf(r: Row) -> int:
        return _CONFIDENCE.get(str(r.get("confidence")), 0)

    def when(r: Row) -> str:
        return sort_key_date(r.get("date"))

    if rule == "published":
        published = [r for r in positions if r.get("forum") == "academic" and "Haq (2025)" in str(r.get("sources"))]
        return _pick(published or positions, "latest")
    if rule == "latest":
        return max(positions, key=lambda r: (when(r), conf(r), str(r.get("position"))))
    if rule == "earliest":
        return min(positions, key=lambda r: (when(r), -conf(r), str(r.get("position"))))
    return max(positions, key=lambda r: (conf(r), when(r), str(r.get("position"))))


def position_cells(rows: Iterable[Mapping[str, Value]], *, rule: str = "latest") -> dict[tuple[str, str], Cell]:
    """Rows of compare-positions.rq grouped by (actor, issue), with the position each cell shows by the rule."""
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        groups[(str(row["actorId"]), str(row["issueId"]))].append(dict(row))
    cells: dict[tuple[str, str], Cell] = {}
    for (actor, issue), items in groups.items():
        items.sort(key=lambda r: (sort_key_date(r.get("date")), str(r.get("position"))))
        shown = _pick(items, rule)
        cells[(actor, issue)] = Cell(
            actor, str(shown["actorLabel"]), issue, str(shown["issueLabel"]), shown, tuple(items)
        )
    return cells


@dataclass(frozen=True)
class Matrix:
    """Issues (rows) x actors (columns) of shown stance labels, with a 0..1 score per filled cell."""

    issues: list[tuple[str, str]]  # (id, label)
    actors: list[tuple[str, str]]  # (id, label)
    labels: list[list[str]]
    scores: list[list[float | None]]
    counts: list[list[int]] = field(default_factory=list)

    def table(self) -> Table:
        """The matrix as a Table (first column: the issue), for display and CSV."""
        out = Table(["Issue", *(label for _, label in self.actors)])
        for (_, issue_label), row in zip(self.issues, self.labels, strict=True):
            out.rows.append([issue_label, *row])
        return out


def positions_matrix(
    cells: Mapping[tuple[str, str], Cell],
    actors: Sequence[str],
    issues: Sequence[str],
    *,
    actor_labels: Mapping[str, str] | None = None,
) -> Matrix:
    """The comparative matrix for the chosen actors and issues, in the order chosen; actors or issues without
    any coded position are kept as empty columns or rows so a reader sees what is missing. `actor_labels`
    overrides the column headings (e.g. short names from `actor_names`)."""
    actor_label = {a: c.actor_label for (a, _), c in cells.items()} | dict(actor_labels or {})
    issue_label = {i: c.issue_label for (_, i), c in cells.items()}
    labels: list[list[str]] = []
    scores: list[list[float | None]] = []
    counts: list[list[int]] = []
    for issue in issues:
        row_l, row_s, row_c = [], [], []
        for actor in actors:
            cell = cells.get((actor, issue))
            row_l.append(cell.label if cell else "")
            row_s.append(cell.score if cell else None)
            row_c.append(len(cell.positions) if cell else 0)
        labels.append(row_l)
        scores.append(row_s)
        counts.append(row_c)
    return Matrix(
        [(i, issue_label.get(i, i)) for i in issues],
        [(a, actor_label.get(a, a)) for a in actors],
        labels,
        scores,
        counts,
    )


EVIDENCE_COLUMNS = ("date", "stanceLabel", "forum", "quote", "sources", "coder", "confidence", "position")


def evidence(cell: Cell) -> Table:
    """The positions behind a cell, oldest first: stance, forum, quote, sources, coder, confidence."""
    return table_of(list(cell.positions), EVIDENCE_COLUMNS)


def latest_by_state(rows: Iterable[Mapping[str, Value]], *, rule: str = "latest") -> list[Row]:
    """One row per state (rows with an ISO alpha-3 code) of compare-positions.rq, chosen by the cell rule."""
    cells = position_cells((r for r in rows if r.get("iso3")), rule=rule)
    out = []
    for cell in sorted(cells.values(), key=lambda c: c.actor):
        row = dict(cell.shown)
        row["positions"] = len(cell.positions)
        out.append(row)
    return out


def stance_order(rows: Iterable[Mapping[str, Value]]) -> list[str]:
    """Stance labels present in the rows, from the lowest ordinal to the highest."""
    seen: dict[str, float] = {}
    for r in rows:
        seen[str(r.get("stanceLabel"))] = stance_score(r.get("ordinal"), r.get("scaleMax"))
    return sorted(seen, key=lambda s: (seen[s], s))


def vote_crosstab(rows: Iterable[Mapping[str, Value]], first: str = "firstVote", second: str = "secondVote") -> Table:
    """How many states cast each pair of votes (first resolution x rival), unrecorded votes as 'not recorded'."""
    counts = Counter((str(r.get(first) or "not recorded"), str(r.get(second) or "not recorded")) for r in rows)
    out = Table([first, second, "states"])
    for (a, b), n in sorted(counts.items()):
        out.rows.append([a, b, n])
    return out


# ---------------------------------------------------------------------------------------------- network
@dataclass(frozen=True)
class Node:
    """A node of the explorer network, placed at (x, y)."""

    id: str
    label: str
    type: str
    x: float
    y: float
    degree: int


@dataclass(frozen=True)
class Network:
    """Nodes with positions and the links between them (by node id)."""

    nodes: list[Node]
    edges: list[tuple[str, str, str]]  # (source, target, relation)

    def node_table(self) -> Table:
        return Table(["id", "label", "type", "degree"], [[n.id, n.label, n.type, n.degree] for n in self.nodes])

    def edge_table(self) -> Table:
        return Table(["source", "target", "relation"], [list(e) for e in self.edges])


def network(
    rows: Iterable[Mapping[str, Value]],
    *,
    relations: Iterable[str] | None = None,
    member_of: Iterable[str] | None = None,
    focus: str | None = None,
    hops: int = 1,
    iterations: int = 120,
    seed: int = 7,
) -> Network:
    """The states-instruments-organisations network from network-edges.rq, laid out by a seeded
    force-directed layout (same input, same picture). `relations` keeps only those link kinds; `member_of`
    keeps membership links (member, observer, partner, ...) only to those organisations; `focus` keeps the
    nodes within `hops` links of one node."""
    keep = set(relations) if relations is not None else None
    orgs = set(member_of) if member_of is not None else None
    labels: dict[str, tuple[str, str]] = {}
    edges: list[tuple[str, str, str]] = []
    for r in rows:
        rel = str(r["relation"])
        if keep is not None and rel not in keep:
            continue
        s, t = str(r["source"]), str(r["target"])
        if orgs is not None and rel not in NETWORK_STRUCTURAL and t not in orgs:
            continue
        labels[s] = (str(r["sourceLabel"]), str(r["sourceType"]))
        labels[t] = (str(r["targetLabel"]), str(r["targetType"]))
        edges.append((s, t, rel))
    edges = sorted(set(edges))
    if focus:
        near = {focus}
        for _ in range(max(0, hops)):
            near |= {t for s, t, _ in edges if s in near} | {s for s, t, _ in edges if t in near}
        edges = [e for e in edges if e[0] in near and e[1] in near]
    ids = sorted({e[0] for e in edges} | {e[1] for e in edges})
    pos = _layout(ids, [(s, t) for s, t, _ in edges], iterations=iterations, seed=seed)
    degree = Counter([e[0] for e in edges] + [e[1] for e in edges])
    nodes = [Node(i, labels[i][0], labels[i][1], pos[i][0], pos[i][1], degree[i]) for i in ids]
    return Network(nodes, edges)


def _layout(
    ids: Sequence[str], links: Sequence[tuple[str, str]], *, iterations: int, seed: int
) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold with numpy (vectorised, a few hundred nodes in well under a second)."""
    import numpy as np

    n = len(ids)
    if n == 0:
        return {}
    rng = np.random.default_rng(seed)
    pos = rng.uniform(-1.0, 1.0, size=(n, 2))
    index = {node: k for k, node in enumerate(ids)}
    pairs = np.array([(index[a], index[b]) for a, b in links if a != b], dtype=np.int64).reshape(-1, 2)
    k = math.sqrt(4.0 / n)
    temperature = 0.2
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist2 = (delta**2).sum(axis=-1) + 1e-9
        disp = (delta * (k * k / dist2)[:, :, None]).sum(axis=1)
        if len(pairs):
            d = pos[pairs[:, 0]] - pos[pairs[:, 1]]
            pull = d * (np.sqrt((d**2).sum(axis=-1)) / k)[:, None]
            np.subtract.at(disp, pairs[:, 0], pull)
            np.add.at(disp, pairs[:, 1], pull)
        disp -= pos * 0.05  # a weak pull to the centre keeps unconnected parts on screen
        length = np.sqrt((disp**2).sum(axis=-1)) + 1e-9
        pos += disp / length[:, None] * np.minimum(length, temperature)[:, None]
        temperature = max(0.005, temperature * 0.96)
    return {node: (round(float(pos[i, 0]), 6), round(float(pos[i, 1]), 6)) for i, node in enumerate(ids)}


# ---------------------------------------------------------------------------------------------- SPARQL page
def numeric(value: Value) -> bool:
    """A number (booleans are not)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def chart_columns(table: Table) -> tuple[str, str | None] | None:
    """A simple chart for a result: (label column, numeric column), or (label column, None) to count rows
    per label; None when the result has no column to chart."""
    if not table.rows:
        return None
    cols = table.columns
    nums = [
        c
        for i, c in enumerate(cols)
        if all(numeric(r[i]) or r[i] is None for r in table.rows) and any(numeric(r[i]) for r in table.rows)
    ]
    labels = [c for c in cols if c not in nums]
    if labels and nums:
        return labels[0], nums[0]
    if labels:
        # the label column with the fewest distinct values but more than one, to count rows per value
        def distinct(c: str) -> int:
            i = cols.index(c)
            return len({str(r[i]) for r in table.rows})

        countable = [c for c in labels if 1 < distinct(c) <= 50]
        if countable:
            return min(countable, key=distinct), None
    return None


def permalink(
    *, page: str, name: str | None, text: str | None, params: Mapping[str, Sequence[str]] | None = None
) -> dict[str, str]:
    """Query parameters that reopen a page on a library query (with its parameters) or on typed text."""
    out = {"page": page}
    if name:
        out["q"] = name
        for key, values in sorted((params or {}).items()):
            if values:
                out[f"p.{key}"] = ",".join(values)
    elif text:
        out["text"] = text
    return out


def from_permalink(qp: Mapping[str, str]) -> tuple[str | None, str | None, Params]:
    """(query name, typed text, parameters) read back from permalink query parameters."""
    params: Params = {}
    for key, value in qp.items():
        if key.startswith("p."):
            params[key[2:]] = [v.strip() for v in value.split(",") if v.strip()]
    return qp.get("q") or None, qp.get("text") or None, params
