"""Load the built graph into an external triple store over the SPARQL 1.1 Graph Store Protocol.

The N-Triples are sent in batches (the first replaces the graph with PUT, the rest add with POST) so a store's
upload limit is not hit by a large graph; basic or digest credentials answer the store's challenge (urllib's
password manager and digest handler); every refusal is reported with the store's own HTTP status and message,
also when it answers early and closes the connection before the upload is complete.
"""

from __future__ import annotations

import base64
import http.client
import select
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from kg.errors import BuildError, EndpointError
from kg.paths import GRAPH

DEFAULT_BATCH_LINES = 10_000
_CHUNK = 64 * 1024
_EXCERPT = 300


@dataclass(frozen=True)
class PushReport:
    """What a push did: the last HTTP status, the requests sent and the triples loaded."""

    status: int
    requests: int
    triples: int


@dataclass(frozen=True)
class _Answer:
    status: int
    reason: str
    headers: Message
    excerpt: str


class _Credentials:
    """Answers a store's Basic or Digest challenge; after the first challenge it authenticates every request."""

    def __init__(self, url: str, user: str, password: str) -> None:
        parts = urllib.parse.urlsplit(url)
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, f"{parts.scheme}://{parts.netloc}/", user, password)
        self.digest = urllib.request.HTTPDigestAuthHandler(manager)
        self.basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self.scheme = ""
        self.challenge: dict[str, str] = {}

    def learn(self, challenges: list[str]) -> bool:
        """Take the strongest challenge offered (digest before basic); False if none can be answered."""
        for value in challenges:
            scheme, _, rest = value.strip().partition(" ")
            if scheme.lower() == "digest":
                items = urllib.request.parse_http_list(rest)
                self.scheme, self.challenge = "digest", urllib.request.parse_keqv_list(items)
                return True
        if any(v.strip().lower().startswith("basic") for v in challenges):
            self.scheme = "basic"
            return True
        return False

    def header(self, method: str, url: str, body: bytes) -> str | None:
        """The Authorization header for this request, once a challenge has been seen."""
        if self.scheme == "basic":
            return self.basic
        if self.scheme == "digest":
            request = urllib.request.Request(url, data=body, method=method)
            try:
                value = self.digest.get_authorization(request, self.challenge)
            except (ValueError, urllib.error.URLError) as exc:
                raise EndpointError(f"cannot answer the store's digest challenge: {exc}") from None
            return f"Digest {value}" if value else None
        return None


def _answered(sock: socket.socket | None) -> bool:
    """True when the server has already sent something (an early answer, or closed) while we upload."""
    if sock is None:
        return False
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)


def _send(method: str, url: str, body: bytes, headers: dict[str, str], timeout_s: float) -> _Answer:
    """One HTTP request whose body is streamed in chunks; an answer sent before the body is complete is read."""
    parts = urllib.parse.urlsplit(url)
    selector = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    factory = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = factory(parts.hostname or "", parts.port, timeout=timeout_s)
    sent = 0
    try:
        try:
            conn.putrequest(method, selector, skip_accept_encoding=True)
            for key, value in {**headers, "Content-Length": str(len(body))}.items():
                conn.putheader(key, value)
            conn.endheaders()
        except (OSError, http.client.HTTPException) as exc:
            raise EndpointError(f"{url} unreachable: {exc} (hint: is the store running?)") from None
        try:
            while sent < len(body) and not _answered(conn.sock):
                conn.send(body[sent : sent + _CHUNK])
                sent += min(_CHUNK, len(body) - sent)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the store stopped reading: its answer, if any, is read below
        except TimeoutError:
            raise EndpointError(f"{url} stopped reading the upload for {timeout_s:g} s (hint: raise --timeout)") \
                from None
        try:
            response = conn.getresponse()
            excerpt = response.read(_EXCERPT).decode("utf-8", "replace")
        except TimeoutError:
            raise EndpointError(f"{url} did not answer within {timeout_s:g} s (hint: raise --timeout)") from None
        except (OSError, http.client.HTTPException) as exc:
            raise EndpointError(
                f"{url} closed the connection after {sent} of {len(body)} bytes without an HTTP answer ({exc}) "
                "(hint: the store may limit the upload size; try a smaller --batch-lines)"
            ) from None
        return _Answer(response.status, response.reason, response.msg, " ".join(excerpt.split()))
    finally:
        conn.close()


def _hint(status: int, *, has_credentials: bool) -> str:
    if status == 401:
        return (
            "the store refused these credentials"
            if has_credentials
            else "give --user and --password, or CNKG_PUSH_USER and CNKG_PUSH_PASSWORD"
        )
    if status == 403:
        return "the user may not write here (Virtuoso: use /sparql-graph-crud-auth, or grant SPARQL_UPDATE)"
    if status == 404:
        return "check that --endpoint is the store's Graph Store Protocol URL"
    if status == 413:
        return "the store limits the upload size; try a smaller --batch-lines"
    return "see the store's log"


def batches(lines: list[bytes], size: int) -> Iterator[list[bytes]]:
    """N-Triples lines in batches of `size`; every line with a blank node goes in the first batch, because a
    blank node label means the same node only within one request.

    >>> [len(b) for b in batches([b"<a> <b> <c> .", b"_:x <b> <c> .", b"<d> <b> _:x ."], 1)]
    [2, 1]
    """
    blank = [line for line in lines if b"_:" in line]
    rest = [line for line in lines if b"_:" not in line]
    first = max(size - len(blank), 0)
    yield blank + rest[:first]
    for start in range(first, len(rest), size):
        yield rest[start : start + size]


def push(
    *,
    endpoint: str,
    graph_iri: str | None = None,
    graph: Path = GRAPH,
    timeout_s: float = 120.0,
    user: str | None = None,
    password: str | None = None,
    batch_lines: int = DEFAULT_BATCH_LINES,
) -> PushReport:
    """Replace a graph in a Graph Store Protocol endpoint with the built graph (N-Triples), in batches.

    `endpoint` is the store's GSP URL (Oxigraph: http://host:port/store; Fuseki: http://host:3030/ds/data;
    GraphDB: http://host:7200/repositories/REPO/rdf-graphs/service; Virtuoso: http://host:8890/sparql-graph-crud-auth
    with credentials). Without `graph_iri` the default graph is replaced."""
    if not graph.exists():
        raise BuildError(f"{graph} does not exist (hint: run `cnkg build` first)")
    if not endpoint.startswith(("http://", "https://")) or not urllib.parse.urlsplit(endpoint).hostname:
        raise EndpointError(f"endpoint {endpoint!r} is not an http(s) URL")
    if batch_lines < 1:
        raise EndpointError(f"--batch-lines must be at least 1, not {batch_lines}")
    if (user is None) != (password is None):
        raise EndpointError("give both --user and --password (or CNKG_PUSH_USER and CNKG_PUSH_PASSWORD), or neither")
    query = urllib.parse.urlencode({"graph": graph_iri}) if graph_iri else "default"
    url = f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
    credentials = _Credentials(url, user, password) if user is not None and password is not None else None
    lines = [line for line in graph.read_bytes().splitlines() if line.strip() and not line.startswith(b"#")]
    requests = 0
    status = 0
    for index, batch in enumerate(batches(lines, batch_lines)):
        method = "PUT" if index == 0 else "POST"
        body = b"\n".join(batch) + b"\n" if batch else b""
        for attempt in range(2):
            headers = {"Content-Type": "application/n-triples"}
            auth = credentials.header(method, url, body) if credentials else None
            if auth:
                headers["Authorization"] = auth
            answer = _send(method, url, body, headers, timeout_s)
            requests += 1
            challenges = answer.headers.get_all("WWW-Authenticate") or []
            if answer.status == 401 and credentials and attempt == 0 and credentials.learn(challenges):
                continue
            break
        status = answer.status
        if not 200 <= status < 300:
            message = f": {answer.excerpt}" if answer.excerpt else ""
            raise EndpointError(
                f"{endpoint} refused the graph (batch {index + 1}, {len(batch)} triples): HTTP {status} "
                f"{answer.reason}{message} (hint: {_hint(status, has_credentials=credentials is not None)})"
            )
    return PushReport(status=status, requests=requests, triples=len(lines))
