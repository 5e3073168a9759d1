"""Where the project's files live; every stage takes paths as options, these are the defaults."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "cybernorms.ttl"
CODEBOOK = ROOT / "ontology" / "codebook.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
DATA = ROOT / "data"
QUERIES = ROOT / "queries"
BUILD = Path(os.environ.get("CNKG_BUILD") or ROOT / "build")  # the environment variable CNKG_BUILD moves it
GRAPH_BASENAME = "cybernorms"
GRAPH = BUILD / f"{GRAPH_BASENAME}.nt"
