"""Where the project's files live; every stage takes paths as options, these are the defaults."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "cybernorms.ttl"
CODEBOOK = ROOT / "ontology" / "codebook.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
DATA = ROOT / "data"
QUERIES = ROOT / "queries"
BUILD = ROOT / "build"
GRAPH_BASENAME = "cybernorms"
GRAPH = BUILD / f"{GRAPH_BASENAME}.nt"
