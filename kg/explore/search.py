"""One search box over the graph: states, organisations, instruments, resolutions, processes, events and quotes.

Matching ignores case, diacritics and punctuation, and knows alternative names from data: the ISO 3166 codes
and names of pycountry, and the curated table data/aliases/aliases.tsv (each alias with its reason). Exact
names rank first, then prefixes, then words, then substrings, so "Iran" finds Iran before anything else.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.errors import KGError
from kg.paths import DATA
from kg.sparql.backends import Value

ALIASES = DATA / "aliases" / "aliases.tsv"
# kind -> (explorer page, query parameter that opens the record there)
PAGES: dict[str, tuple[str, str]] = {
    "state": ("actors", "actor"),
    "organisation": ("actors", "actor"),
    "instrument": ("instruments", "id"),
    "resolution": ("votes", "resolution"),
    "process": ("timeline", "q"),
    "event": ("timeline", "q"),
    "quote": ("compare", "actors"),
}
KIND_RANK = {"state": 0, "organisation": 1, "resolution": 2, "instrument": 3, "process": 4, "event": 5, "quote": 6}


def normalise(text: str) -> str:
    """Lower case, no diacritics, punctuation as spaces: the form names are compared in.

    >>> normalise("Côte d'Ivoire"), normalise("TÜRKİYE"), normalise("Korea, DPR")
    ('cote d ivoire', 'turkiye', 'korea dpr')
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


@dataclass(frozen=True)
class Alias:
    """A curated alternative name of a record, with the reason it is one."""

    id: str
    alias: str
    reason: str


def load_aliases(path: Path = ALIASES) -> list[Alias]:
    """The curated alias table: a bad line is an error naming file:line."""
    out: list[Alias] = []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KGError(f"{path}: cannot read the alias table: {exc.strerror} (hint: restore data/aliases/)") from None
    header_seen = False
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if not header_seen:
            if cells != ["id", "alias", "reason"]:
                raise KGError(f"{path}:{n}: the first row must be the header 'id<TAB>alias<TAB>reason'")
            header_seen = True
            continue
        if len(cells) != 3 or not all(c.strip() for c in cells):
            raise KGError(
                f"{path}:{n}: expected 3 tab-separated cells (id, alias, reason), got {len(cells)} "
                "(hint: every alias needs its source or reason)"
            )
        out.append(Alias(cells[0].strip(), cells[1].strip(), cells[2].strip()))
    return out


@lru_cache(maxsize=1)
def country_names() -> dict[str, tuple[str, ...]]:
    """ISO 3166 alpha-2 -> the codes and names pycountry knows (alpha-3, name, official and common name)."""
    import pycountry

    out: dict[str, tuple[str, ...]] = {}
    for c in pycountry.countries:
        names = [c.alpha_2, c.alpha_3, c.name]
        names += [getattr(c, a) for a in ("official_name", "common_name") if getattr(c, a, None)]
        out[c.alpha_2] = tuple(dict.fromkeys(names))
    return out


@dataclass(frozen=True)
class Entry:
    """A searchable record: its id, kind and label, the other names it is found by, and where it opens."""

    id: str
    kind: str
    label: str
    names: tuple[str, ...] = ()
    params: tuple[tuple[str, str], ...] = ()
    note: str = ""

    @property
    def page(self) -> str:
        """The explorer page that shows this record."""
        return PAGES[self.kind][0]


@dataclass(frozen=True)
class Hit:
    """A search result: the entry, the name it matched by, and the rank (higher first)."""

    entry: Entry
    matched: str
    score: int


@dataclass
class Index:
    """Entries with their names normalised once."""

    entries: list[Entry]
    _names: list[tuple[Entry, str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for e in self.entries:
            for name in dict.fromkeys((e.label, *e.names)):
                if name:
                    self._names.append((e, name, normalise(name)))

    def search(self, query: str, *, limit: int = 20, kinds: Iterable[str] | None = None) -> list[Hit]:
        """Entries matching `query`, best first (exact name, then prefix, word prefix, all words, substring)."""
        q = normalise(query)
        if not q:
            return []
        wanted = set(kinds) if kinds is not None else None
        words = q.split()
        best: dict[tuple[str, str], Hit] = {}
        for entry, name, norm in self._names:
            if wanted is not None and entry.kind not in wanted:
                continue
            score = _score(q, words, norm, short=len(name) <= 3 and name.isupper())
            if not score:
                continue
            if entry.kind == "quote":  # a quote's words match many queries: below every named record
                score = min(score, 45)
            key = (entry.kind, entry.id)
            if key not in best or score > best[key].score:
                best[key] = Hit(entry, name, score)
        ranked = sorted(
            best.values(), key=lambda h: (-h.score, KIND_RANK.get(h.entry.kind, 9), len(h.entry.label), h.entry.id)
        )
        return ranked[:limit]


def _score(q: str, words: Sequence[str], norm: str, *, short: bool) -> int:
    """How well a normalised query matches a normalised name (0: not at all); codes match only exactly."""
    if norm == q:
        return 100
    if short:
        return 0
    if norm.startswith(q):
        return 80
    tokens = norm.split()
    if all(any(t.startswith(w) for t in tokens) for w in words):
        return 60 if tokens and tokens[0].startswith(words[0]) else 50
    if len(q) >= 3 and q in norm:
        return 30
    return 0


def _open_params(kind: str, row: Mapping[str, Value]) -> tuple[tuple[str, str], ...]:
    page_param = PAGES[kind][1]
    if kind == "quote":
        actor, issue = str(row.get("actor")), str(row.get("issue"))
        return (("actors", actor), ("issues", issue), ("cell", f"{actor},{issue}"))
    return ((page_param, str(row.get("id"))),)


def build_index(rows: Iterable[Mapping[str, Value]], *, aliases: Iterable[Alias] = (), countries: bool = True) -> Index:
    """The search index from explorer-search-index.rq rows, pycountry names (for states) and curated aliases."""
    alts: dict[tuple[str, str], list[str]] = {}
    labels: dict[tuple[str, str], Mapping[str, Value]] = {}
    for r in rows:
        key = (str(r["kind"]), str(r["id"]))
        labels.setdefault(key, r)
        if r.get("alt"):
            alts.setdefault(key, []).append(str(r["alt"]))
    extra: dict[str, list[str]] = {}
    for a in aliases:
        extra.setdefault(a.id, []).append(a.alias)
    iso = country_names() if countries else {}
    entries: list[Entry] = []
    for (kind, rid), r in labels.items():
        names = list(alts.get((kind, rid), []))
        if kind == "state":
            names = [rid, *iso.get(rid, ()), *names]
        elif kind != "quote":
            names.append(rid.replace("-", " "))
        names += extra.get(rid, [])
        label = str(r["label"])
        note = f"{r.get('actor')} on {r.get('issue')}, {r.get('date')}" if kind == "quote" else str(r.get("date") or "")
        entries.append(Entry(rid, kind, label, tuple(dict.fromkeys(names)), _open_params(kind, r), note))
    return Index(entries)
