"""The network page: membership and treaty edges in, a laid-out network of nodes and links out."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kg.sparql.backends import Table, Value

NETWORK_STRUCTURAL = ("party to", "framework")  # network-edges.rq relations that are not memberships


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
        """Links with the names of both ends."""
        name = {n.id: n.label for n in self.nodes}
        return Table(
            ["source", "relation", "target", "sourceId", "targetId"],
            [[name.get(s, s), rel, name.get(t, t), s, t] for s, t, rel in self.edges],
        )


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
        kind = {n: k for n, (_, k) in labels.items()}
        near = {focus}
        for _ in range(max(0, hops)):
            near |= {t for s, t, _ in edges if s in near} | {s for s, t, _ in edges if t in near}
            # a bilateral instrument is not a hop of its own: the other party of the focus's pacts is a partner
            # (a multilateral one would bring in all its parties: they stay one hop further)
            parties = Counter(t for s, t, rel in edges if rel == "party to") + Counter(
                s for s, t, rel in edges if rel == "party to"
            )
            pacts = {n for n in near if kind.get(n) == "instrument" and parties[n] <= 2}
            near |= {s for s, t, rel in edges if t in pacts and rel == "party to"}
            near |= {t for s, t, rel in edges if s in pacts and rel == "party to"}
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
