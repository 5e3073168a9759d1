"""Every PREFIX a library query declares is used in that query (an unused one is noise a reader must skip)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kg.paths import QUERIES

_DECL = re.compile(r"^\s*PREFIX\s+([\w-]*):\s*<[^>]*>\s*$", re.IGNORECASE | re.MULTILINE)
_NOISE = re.compile(  # comments, strings and IRIs, where a `p:` is not a prefixed name
    r"#[^\n]*|\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'|<[^<>\s]*>"
)


def unused_prefixes(text: str) -> list[str]:
    """Declared prefixes that no prefixed name in the query body uses.

    >>> unused_prefixes("PREFIX cn: <x#>\\nPREFIX org: <y#>\\nSELECT * WHERE { ?s a cn:State }")
    ['org']
    """
    declared = _DECL.findall(text)
    body = _NOISE.sub(" ", _DECL.sub(" ", text))
    return [p for p in declared if not re.search(rf"(?<![\w?$:-]){re.escape(p)}:", body)]


@pytest.mark.parametrize("path", sorted(QUERIES.rglob("*.rq")), ids=lambda p: p.stem)
def test_every_declared_prefix_is_used(path: Path) -> None:
    unused = unused_prefixes(path.read_text(encoding="utf-8"))
    assert not unused, f"{path.name} declares unused PREFIX {', '.join(unused)}: delete those lines"


def test_unused_prefix_detection() -> None:
    text = 'PREFIX cn: <x#>\nPREFIX skos: <y#>\nSELECT ?s WHERE { ?s cn:label "skos:x" } # skos:no'
    assert unused_prefixes(text) == ["skos"]
