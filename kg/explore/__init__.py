"""The explorer's logic, kept out of the Streamlit pages (`app/`) so it can be tested without a browser.

Every query is a library `.rq` file run through `kg.sparql.query.run` with parameters bound by
`kg.sparql.library.bind`; this package holds no SPARQL. Result tables flow in; what the pages show flows out:
`results` (backend, queries, rows, citations, exports), `facets` (faceted lists, partial dates), `stances`
(the positions matrix with its evidence, vote cross-tabs), `networks` (a laid-out network) and `sparql_page`
(chart choices and permalinks).
"""
