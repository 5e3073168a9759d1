"""The query library: `.rq` files with a `#+` header (summary, description, tags, reproduces, params).

Parameters are declared in the header (`#+ param: actor state RU "the actor"`) and bound by a SPARQL VALUES block
built from validated RDF terms at the `# @params` marker line, never by pasting user text into the query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from kg.errors import QueryError
from kg.iri import RECORDS as ID
from kg.paths import QUERIES

REQUIRED = ("summary", "description", "tags")
# parameter kind -> (pattern a value must match, IRI path or None for a literal)
PARAM_KINDS: dict[str, tuple[str, str | None]] = {
    "state": (r"^[A-Z]{2}$", "state"),
    "actor": (r"^([A-Z]{2}|[a-z0-9]+(-[a-z0-9]+)*)$", None),
    "record": (r"^([A-Z]{2}|[a-z0-9]+(-[a-z0-9]+)*)$", None),
    "issue": (r"^[a-z0-9]+(-[a-z0-9]+)*$", "issue"),
    "basis": (r"^(own-statement|joint-text|bloc-statement|secondary)$", "evidence-basis"),
    "resolution": (r"^a-res-[0-9]+-[0-9]+[a-z]?$", "resolution"),
    "organisation": (r"^[a-z0-9]+(-[a-z0-9]+)*$", "organisation"),
    "process": (r"^[a-z0-9]+(-[a-z0-9]+)*$", "process"),
    "stage": (r"^(plenary|first-committee|third-committee)$", "stage"),
    "year": (r"^[0-9]{4}$", None),
    "string": (r"^[^\x00-\x1f]{0,200}$", None),
}
PARAMS_MARKER = "# @params: parameter VALUES are inserted here"
_HEADER = re.compile(r"^#\+\s*(\w+)\s*:\s?(.*)$")
_CONT = re.compile(r"^#\+\s{2,}(.*)$")


@dataclass(frozen=True)
class Param:
    """A declared query parameter: variable name, kind, default values (empty: unbound)."""

    name: str
    kind: str
    default: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class LibraryQuery:
    """One library query and its header."""

    name: str
    path: Path
    text: str
    summary: str
    description: str
    tags: tuple[str, ...]
    reproduces: str | None = None
    params: tuple[Param, ...] = field(default_factory=tuple)
    pivot: tuple[str, str, str] | None = None

    @property
    def is_violation(self) -> bool:
        return self.name.endswith("-violation")


def parse_header(path: Path) -> dict[str, list[str]]:
    """`#+ key: value` lines (a line `#+   more` continues the previous value)."""
    header: dict[str, list[str]] = {}
    last: str | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        cont = _CONT.match(line)
        if cont and last:
            header[last][-1] += " " + cont.group(1).strip()
            continue
        match = _HEADER.match(line)
        if match:
            last = match.group(1)
            header.setdefault(last, []).append(match.group(2).strip())
        elif line.strip() and not line.startswith("#"):
            break
    return header


def _param(spec: str, path: Path) -> Param:
    match = re.match(r'^(\w+)\s+(\w+)\s+(\S+)\s*(?:"(.*)")?$', spec)
    if not match or match.group(2) not in PARAM_KINDS:
        raise QueryError(
            f"{path}: bad '#+ param: {spec}' (hint: '#+ param: NAME KIND DEFAULT \"description\"', "
            f"KIND one of {', '.join(PARAM_KINDS)}; DEFAULT '*' for unbound, values joined by ',')"
        )
    default = () if match.group(3) == "*" else tuple(match.group(3).split(","))
    return Param(match.group(1), match.group(2), default, match.group(4) or "")


def load_query(path: Path, *, require_header: bool = True) -> LibraryQuery:
    """Read one library query; a missing header field is an error (with `require_header`; a user's own `.rq`
    file run by path needs no header: its name and a plain summary stand in)."""
    header = parse_header(path)
    if not require_header:
        for key, value in (
            ("summary", f"query file {path.name}"),
            ("description", f"SPARQL from {path}"),
            ("tags", "file"),
        ):
            header.setdefault(key, [value])
    missing = [key for key in REQUIRED if not header.get(key)]
    if missing:
        raise QueryError(
            f"{path}: header lacks {', '.join('#+ ' + m for m in missing)} "
            "(hint: every library query starts with #+ summary/description/tags lines)"
        )
    text = path.read_text(encoding="utf-8")
    if header.get("param") and PARAMS_MARKER not in text:
        raise QueryError(
            f"{path}: a query with parameters needs the line '{PARAMS_MARKER}' inside WHERE "
            "(hint: put it right after the top-level `WHERE {`)"
        )
    pivot = None
    if header.get("pivot"):
        parts = tuple(p.strip() for p in header["pivot"][0].split(","))
        if len(parts) != 3:
            raise QueryError(f"{path}: '#+ pivot:' needs ROW,COLUMN,VALUE")
        pivot = (parts[0], parts[1], parts[2])
    return LibraryQuery(
        name=path.stem,
        path=path,
        text=text,
        summary=header["summary"][0],
        description=header["description"][0],
        tags=tuple(t.strip() for t in header["tags"][0].split(",") if t.strip()),
        reproduces=header["reproduces"][0] if header.get("reproduces") else None,
        params=tuple(_param(p, path) for p in header.get("param", [])),
        pivot=pivot,
    )


def library(folder: Path = QUERIES) -> dict[str, LibraryQuery]:
    """All library queries by name (QC `*-violation` queries live in `qc/`); a file is parsed again only when it
    changed (the explorer resolves a query for every table it cites)."""
    return {q.name: q for q in (_library_file(p, *_stamp(p)) for p in sorted(folder.rglob("*.rq")))}


def _stamp(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_mtime_ns, st.st_size


@lru_cache(maxsize=1024)
def _library_file(path: Path, mtime_ns: int, size: int) -> LibraryQuery:
    return load_query(path)


def resolve(name_or_file: str, *, folder: Path = QUERIES) -> LibraryQuery:
    """A library query by name, or a `.rq` file by path."""
    path = Path(name_or_file)
    if path.suffix == ".rq" and path.exists():
        return load_query(path, require_header=is_library_file(path, folder))
    queries = library(folder)
    if name_or_file in queries:
        return queries[name_or_file]
    close = [n for n in queries if name_or_file in n or n in name_or_file]
    hint = f"did you mean {', '.join(close[:3])}?" if close else "run `cnkg queries` for the list"
    raise QueryError(f"no library query or file named {name_or_file!r} (hint: {hint})")


def is_library_file(path: Path, folder: Path = QUERIES) -> bool:
    """Whether `path` lies in the library folder: library files keep their header, and their text is trusted (the
    tests check every one against the guard)."""
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def term(kind: str, value: str) -> ox.NamedNode | ox.Literal:
    """A validated RDF term for a parameter value (its `str` is its SPARQL syntax); anything else is refused.

    >>> str(term("state", "RU")), str(term("year", "2015"))
    ('<https://w3id.org/cybernorms/id/state/RU>', '"2015"^^<http://www.w3.org/2001/XMLSchema#integer>')
    >>> term("state", "RU; DROP")
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: parameter value 'RU; DROP' is not a valid state (hint: expected ^[A-Z]{2}$)
    """
    pattern, path = PARAM_KINDS[kind]
    if not re.match(pattern, value):
        raise QueryError(f"parameter value {value!r} is not a valid {kind} (hint: expected {pattern})")
    if kind == "actor":
        return ox.NamedNode(f"{ID}{'state' if re.match(r'^[A-Z]{2}$', value) else 'organisation'}/{value}")
    if path is not None:
        return ox.NamedNode(f"{ID}{path}/{value}")
    if kind == "year":
        return ox.Literal(str(int(value)), datatype=_XSD_INTEGER)
    return ox.Literal(value)


def bind(query: LibraryQuery, values: dict[str, list[str]]) -> str:
    """The query text with a VALUES block per bound parameter (user values or defaults) at each params marker
    (a query may repeat the marker, e.g. once per UNION branch, so that each branch is narrowed first).

    Only validated RDF terms in their N-Triples syntax are inserted; user text never reaches the query."""
    known = {p.name: p for p in query.params}
    unknown = sorted(set(values) - set(known))
    if unknown:
        hint = ", ".join(known) if known else "this query takes no parameters"
        raise QueryError(f"unknown parameter {unknown[0]!r} for {query.name} (hint: {hint})")
    clauses: list[str] = []
    for param in query.params:
        chosen = values.get(param.name) or list(param.default)
        if not chosen or chosen == ["*"]:
            continue
        terms = " ".join(str(term(param.kind, v)) for v in chosen)
        clauses.append(f"VALUES ?{param.name} {{ {terms} }}")
    if not clauses:
        return query.text
    return query.text.replace(PARAMS_MARKER, "\n  ".join(clauses))
