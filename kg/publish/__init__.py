"""Publishing the built graph: the graph in, release bundles, endpoints and reports out.

release (graph + library -> a versioned, byte-reproducible bundle with metadata and checksums), diff
(two graphs -> records added, removed and changed; the changelog), serve (graph -> an Oxigraph SPARQL
server), push (graph -> an external store over the Graph Store Protocol), reproduce (published tables in
the data + a backend -> cell-by-cell reports).
"""
