"""Cyber Norms Knowledge Graph: curated YAML records -> validated records -> RDF -> SPARQL."""

__version__ = "0.2.0"
