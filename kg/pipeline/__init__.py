"""The build pipeline, one stage per module: YAML records in, a checked graph and its files out.

load (YAML files -> located raw records) -> validate (raw records + the codebook -> typed `records`, or
problems with file:line:col) -> to_rdf (records -> sorted N-Triples) -> shapes (the build's Oxigraph store ->
SHACL violations) -> qc (the same store -> `queries/qc` violation rows) -> export (deterministic Turtle /
N-Triples files, written as one generation with a `manifest` and switched in atomically).
`build` runs the stages in that order; `reason` (HermiT) is an optional stage after QC. Beside the stages:
`codebook` (the SKOS codebook as Python), `ingest` (raw UN voting lists -> vote_record YAML), `summary`
(graph -> counts by type) and `codebook_doc` (codebook -> Markdown).
"""
