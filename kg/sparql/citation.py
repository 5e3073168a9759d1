"""The one citation of a result: dataset version, data hash, query, hash of the exact text run, parameters, link.

Used by `cnkg query`, every explorer download and every release CSV, so the same query with the same
parameters on the same data cites identically everywhere. The data hash is the SHA-256 of the canonical
(sorted) N-Triples of the built graph, so a citation pins the data, not only the version name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kg.iri import BASE


def sha256_text(text: str) -> str:
    """Hex SHA-256 of UTF-8 text.

    >>> sha256_text("SELECT * WHERE { ?s ?p ?o }")[:12]
    'dab3891081bc'
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=8)
def _file_hash(path: Path, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def data_hash(graph: Path) -> str:
    """SHA-256 of the built graph's canonical N-Triples file ("" when there is none, e.g. a remote endpoint)."""
    try:
        st = graph.stat()
    except OSError:
        return ""
    return _file_hash(graph, st.st_mtime_ns, st.st_size)


@dataclass(frozen=True)
class Citation:
    """What a reader needs to re-run a result and check it ran on the same data."""

    version: str
    query: str
    query_sha256: str
    data_sha256: str = ""
    params: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)
    permalink: str = ""

    def line(self) -> str:
        """One line for the head of an exported table.

        >>> line = Citation("0.2.0", "actors", "ab" * 32, "cd" * 32, (("actor", ("RU",)),)).line()
        >>> line.split("; ")[1]
        'query actors (sha256 abababababab) with actor=RU'
        >>> line.split("; ")[0].endswith("(data sha256 cdcdcdcdcdcd)")
        True
        """
        data = f" (data sha256 {self.data_sha256[:12]})" if self.data_sha256 else ""
        args = " with " + "; ".join(f"{k}={','.join(v)}" for k, v in self.params) if self.params else ""
        link = self.permalink or BASE
        return (
            f"Cyber Norms Knowledge Graph, version {self.version}{data}; query {self.query} "
            f"(sha256 {self.query_sha256[:12]}){args}; {link}"
        )

    def as_dict(self) -> dict[str, object]:
        """The citation as JSON-ready data."""
        return {
            "version": self.version,
            "data_sha256": self.data_sha256,
            "query": self.query,
            "query_sha256": self.query_sha256,
            "params": {k: list(v) for k, v in self.params},
            "permalink": self.permalink,
        }

    def bibtex(self) -> str:
        """A BibTeX @misc entry for the result."""
        key = f"cybernorms-{self.version}-{self.query}-{self.query_sha256[:8]}".replace("(", "").replace(")", "")
        note = f"Query {self.query}, query sha256 {self.query_sha256}, data sha256 {self.data_sha256 or 'n/a'}"
        if self.params:
            note += ", parameters " + "; ".join(f"{k}={','.join(v)}" for k, v in self.params)
        return (
            f"@misc{{{key.replace(' ', '-')},\n"
            f"  title = {{Cyber Norms Knowledge Graph}},\n"
            f"  version = {{{self.version}}},\n"
            f"  howpublished = {{\\url{{{self.permalink or BASE}}}}},\n"
            f"  note = {{{note}}}\n}}\n"
        )

    def csl_json(self) -> str:
        """A CSL-JSON item (dataset) for reference managers."""
        item = {
            "type": "dataset",
            "id": f"cybernorms-{self.version}-{self.query_sha256[:8]}",
            "title": "Cyber Norms Knowledge Graph",
            "version": self.version,
            "URL": self.permalink or BASE,
            "note": f"query {self.query} (sha256 {self.query_sha256}); data sha256 {self.data_sha256 or 'n/a'}",
        }
        return json.dumps([item], indent=2, ensure_ascii=False) + "\n"


def cite(
    *,
    version: str,
    query: str,
    text_run: str,
    params: Mapping[str, Sequence[str]] | None = None,
    data_sha256: str = "",
    permalink: str = "",
) -> Citation:
    """The citation of the text that ran (parameters already bound into it), with the parameters themselves."""
    ordered = tuple((k, tuple(v)) for k, v in sorted((params or {}).items()) if v)
    return Citation(version, query, sha256_text(text_run), data_sha256, ordered, permalink)
