"""Load the built graph into an external triple store over the SPARQL 1.1 Graph Store Protocol (HTTP PUT)."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from kg.errors import BuildError, EndpointError
from kg.paths import GRAPH


def push(
    *,
    endpoint: str,
    graph_iri: str | None = None,
    graph: Path = GRAPH,
    timeout_s: float = 120.0,
) -> int:
    """PUT the built graph (N-Triples) into a Graph Store Protocol endpoint; returns the HTTP status.

    `endpoint` is the store's GSP URL (Oxigraph: http://host:port/store; Fuseki: http://host:3030/ds/data;
    GraphDB: http://host:7200/repositories/REPO/rdf-graphs/service; Virtuoso: http://host:8890/sparql-graph-crud).
    Without `graph_iri` the default graph is replaced."""
    if not graph.exists():
        raise BuildError(f"{graph} does not exist (hint: run `cnkg build` first)")
    if not endpoint.startswith(("http://", "https://")):
        raise EndpointError(f"endpoint {endpoint!r} is not an http(s) URL")
    query = urllib.parse.urlencode({"graph": graph_iri}) if graph_iri else "default"
    url = f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
    request = urllib.request.Request(
        url, data=graph.read_bytes(), method="PUT", headers={"Content-Type": "application/n-triples"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")[:300]
        raise EndpointError(f"{endpoint} refused the graph: HTTP {exc.code} {body}") from None
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        reason = getattr(exc, "reason", exc)
        raise EndpointError(f"{endpoint} unreachable: {reason} (hint: is the store running?)") from None
