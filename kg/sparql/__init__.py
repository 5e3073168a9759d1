"""SPARQL over the built graph: the query library in, tables of plain values and their renderings out.

library (`queries/**/*.rq` with `#+` headers -> `LibraryQuery`, parameters bound as RDF terms) ->
backends (query text -> `Table`, on the embedded pyoxigraph store, an rdflib graph or a remote endpoint) ->
query (library query + backend -> `Table`, and its `Citation`) -> formats (`Table` -> table, CSV, TSV,
JSON, Markdown or LaTeX text; pivots of long results).
"""
