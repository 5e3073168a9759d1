"""Version policy: any change to the data changes the dataset version (the data hash is pinned per version)."""

from __future__ import annotations

from pathlib import Path

from kg import __version__
from kg.sparql.citation import data_hash

# SHA-256 of the built N-Triples (canonical, sorted) for each released dataset version. When the data changes,
# bump the version (pyproject.toml, kg/__init__.py, ontology owl:versionInfo), say what changed in CHANGES.md,
# and record the new hash here.
DATA_HASHES = {
    "0.2.0": "f913d1f7357151342ca64de8f18dda6b465964a329cf46efed0624e286de9f68",
    "0.3.0": "024d51590653972d078f0a274a5788220dfd8808137d9986602f94e36554dc6c",
}


def test_data_cannot_change_under_a_version(graph_file: Path) -> None:
    assert __version__ in DATA_HASHES, f"version {__version__} has no pinned data hash"
    got = data_hash(graph_file)
    assert got == DATA_HASHES[__version__], (
        f"the data changed under version {__version__} (data sha256 {got}): bump the version, add a CHANGES.md "
        "entry and pin the new hash in tests/test_version.py"
    )


def test_changes_md_names_the_current_version() -> None:
    text = (Path(__file__).resolve().parent.parent / "CHANGES.md").read_text(encoding="utf-8")
    assert f"## {__version__} " in text
