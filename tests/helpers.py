"""Shared test helpers: a free loopback port, and HTTP servers that answer like a SPARQL endpoint (a real one over
a pyoxigraph store, or one that is slow or answers garbage)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pyoxigraph as ox


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (at the time of asking)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class SparqlHandler(_Quiet):
    """A minimal SPARQL 1.1 protocol endpoint (POST form, POST query or GET) over `store`, JSON results."""

    store: ox.Store

    def _answer(self, query: str) -> None:
        try:
            result = self.store.query(query)
            assert isinstance(result, ox.QuerySolutions)
            body = result.serialize(format=ox.QueryResultsFormat.JSON) or b""
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
        except Exception as exc:
            body = str(exc).encode()
            self.send_response(400)
            self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length).decode()
        if self.headers.get("Content-Type", "").startswith("application/sparql-query"):
            self._answer(raw)
        else:
            self._answer(urllib.parse.parse_qs(raw).get("query", [""])[0])

    def do_GET(self) -> None:
        self._answer(urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query).get("query", [""])[0])


class BrokenHandler(_Quiet):
    """An endpoint that answers every POST badly: `mode` "garbage" (HTML, not JSON) or "slow" (after 5 s)."""

    mode = "garbage"

    def do_POST(self) -> None:
        if self.mode == "slow":
            time.sleep(5)
        body = b"<html>not sparql</html>" if self.mode == "garbage" else b"{}"
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def http_server(handler: type[BaseHTTPRequestHandler], **attributes: Any) -> Iterator[str]:
    """Serve `handler` (with `attributes` set on a subclass) on a free loopback port; yields the base URL."""
    bound = type(handler.__name__, (handler,), attributes)
    server = ThreadingHTTPServer(("127.0.0.1", 0), bound)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
