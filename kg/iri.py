"""The project's base IRIs as plain strings: importable without rdflib, so a query from the CLI does not pay for it.

`kg.vocab` builds its rdflib namespaces on these."""

from __future__ import annotations

BASE = "https://w3id.org/cybernorms/"
"""Every IRI of the project is under this base."""
RECORDS = BASE + "id/"
"""Records and codebook concepts: `id/<path>/<id>`."""
ONTOLOGY = BASE + "ontology#"
"""Terms of the ontology (classes and properties): `ontology#<Term>`; `kg.vocab.CN` is the closed namespace."""
