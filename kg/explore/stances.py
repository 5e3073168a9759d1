"""The positions matrix and votes: position and vote rows in, matrix cells with their evidence, stance scores and
colours, and vote cross-tabulations out."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kg.errors import QueryError
from kg.explore.results import Row, table_of
from kg.pipeline.dates import chronological_key
from kg.sparql.backends import Table, Value

TABLE4_ACTORS: tuple[str, ...] = ("RU", "us-eu", "CN")
TABLE4_ISSUES: tuple[str, ...] = (
    "information-sovereignty",
    "multistakeholder-governance",
    "binding-instrument",
    "information-operations-use",
    "un-cybercrime-convention",
)
BASIS_SHORT: dict[str, str] = {
    "own-statement": "own",
    "joint-text": "joint",
    "bloc-statement": "bloc",
    "secondary": "sec.",
}
"""Short names of the evidence bases, for matrix cells."""
CELL_RULES: dict[str, str] = {
    "strongest": "the latest position of the strongest evidence basis (own statement > joint text > bloc > secondary)",
    "latest": "the latest statement (secondary characterisations only where no statement exists)",
    "earliest": "the earliest statement (secondary characterisations only where no statement exists)",
    "confident": "the most confident position (ties: the latest)",
}
BASES: dict[str, str] = {
    "own-statement": "own statement",
    "joint-text": "joint text it signed",
    "bloc-statement": "bloc statement on its behalf",
    "secondary": "secondary characterisation",
}
VOTE_COLOURS: dict[str, str] = {"yes": "#1a9850", "no": "#d73027", "abstain": "#fdae61", "absent": "#bdbdbd"}
# diverging palette (ColorBrewer RdBu): 0 = lowest ordinal of a scale, 1 = highest
_STOPS = ("#b2182b", "#ef8a62", "#fddbc7", "#f7f7f7", "#d1e5f0", "#67a9cf", "#2166ac")
_CONFIDENCE = {"low": 0, "medium": 1, "high": 2}


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

    def when(r: Row) -> tuple[object, ...]:
        return chronological_key(str(r.get("date")))

    def rank(r: Row) -> int:
        return int(str(r.get("basisRank") or 4))

    # a secondary characterisation's (publication) date never competes with a statement's date
    statements = [r for r in positions if rank(r) < 4] or list(positions)
    if rule == "strongest":
        best = min(rank(r) for r in positions)
        return _pick([r for r in positions if rank(r) == best], "latest")
    if rule == "latest":
        return max(statements, key=lambda r: (when(r), conf(r), str(r.get("position"))))
    if rule == "earliest":
        return min(statements, key=lambda r: (when(r), -conf(r), str(r.get("position"))))
    return max(positions, key=lambda r: (conf(r), when(r), str(r.get("position"))))


def position_cells(rows: Iterable[Mapping[str, Value]], *, rule: str = "strongest") -> dict[tuple[str, str], Cell]:
    """Rows of compare-positions.rq grouped by (actor, issue), with the position each cell shows by the rule."""
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        groups[(str(row["actorId"]), str(row["issueId"]))].append(dict(row))
    cells: dict[tuple[str, str], Cell] = {}
    for (actor, issue), items in groups.items():
        items.sort(key=lambda r: (chronological_key(str(r.get("date"))), str(r.get("position"))))
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
    bases: list[list[str]] = field(default_factory=list)

    def table(self, *, basis: bool = False) -> Table:
        """The matrix as a Table (first column: the issue), for display and CSV; with `basis`, each filled cell
        also names the evidence basis of the position it shows and how many positions lie behind it."""
        out = Table(["Issue", *(label for _, label in self.actors)])
        for r, ((_, issue_label), row) in enumerate(zip(self.issues, self.labels, strict=True)):
            if basis and self.bases:
                row = [
                    f"{label} ({BASIS_SHORT.get(self.bases[r][c], self.bases[r][c])}, {self.counts[r][c]})"
                    if label
                    else ""
                    for c, label in enumerate(row)
                ]
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
    bases: list[list[str]] = []
    for issue in issues:
        row_l, row_s, row_c, row_b = [], [], [], []
        for actor in actors:
            cell = cells.get((actor, issue))
            row_l.append(cell.label if cell else "")
            row_s.append(cell.score if cell else None)
            row_c.append(len(cell.positions) if cell else 0)
            row_b.append(str(cell.shown.get("basisId") or "") if cell else "")
        labels.append(row_l)
        scores.append(row_s)
        counts.append(row_c)
        bases.append(row_b)
    return Matrix(
        [(i, issue_label.get(i, i)) for i in issues],
        [(a, actor_label.get(a, a)) for a in actors],
        labels,
        scores,
        counts,
        bases,
    )


EVIDENCE_COLUMNS = (
    "date",
    "stanceLabel",
    "basisId",
    "forum",
    "quote",
    "quoteKind",
    "sources",
    "coder",
    "confidence",
    "position",
)


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
