"""`cnkg serve`: a read-only SPARQL 1.1 Protocol server over the built graph, and helpers to start and wait for it.

It is a small HTTP layer over the embedded engine (pyoxigraph), not Oxigraph's own server, because that server
evaluates SERVICE (a client can make it fetch any URL), does not stop a runaway query at its timeout, has no CORS
switch and aborts on a deeply nested query. Here every request passes `kg.sparql.guard` (size, depth, SERVICE,
updates, FROM) and runs in a worker of `kg.sparql.pool`, killed at the timeout and capped in memory; a result cut
by the row cap says so in-band (`kg.publish.protocol`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kg.errors import BuildError, EndpointError, QueryError
from kg.publish.protocol import Answer, answer
from kg.sparql.backends import DEFAULT_ROW_CAP, EmbeddedStore
from kg.sparql.guard import MAX_QUERY_CHARS, check_query

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
QUERY_PATHS = {"/query", "/sparql", "/"}


@dataclass(frozen=True)
class ServerSpec:
    """Where and how the server runs."""

    host: str = "127.0.0.1"
    port: int = 7878
    timeout_s: int = 30
    workers: int = 2
    cors: bool = False
    row_cap: int = DEFAULT_ROW_CAP

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"


def oxigraph_binary() -> str:
    """Path of the `oxigraph` command (from the `oxigraph` package on PyPI): a writable store for `push` tests."""
    found = shutil.which("oxigraph")
    if not found:
        raise BuildError("the `oxigraph` server is not installed (hint: pip install oxigraph)")
    return found


class _Handler(BaseHTTPRequestHandler):
    """One request: parse, guard, run in a worker, answer; every refusal is a status with a plain-text reason."""

    server: _Server
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds a client may take to send its request (no slow-loris hold on a thread)

    def log_message(self, format: str, *args: object) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(self, status: int, media_type: str, body: bytes, *, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if self.server.spec.cors:
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Expose-Headers", "CNKG-Truncated")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _refuse(self, status: int, message: str) -> None:
        self._send(status, "text/plain; charset=utf-8", (message + "\n").encode())

    def do_OPTIONS(self) -> None:
        if not self.server.spec.cors:
            self._refuse(405, "CORS is off on this server (hint: start it with `cnkg serve --cors`)")
            return
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Access-Control-Max-Age", "600")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        if url.path not in QUERY_PATHS:
            self._refuse(404 if url.path != "/update" else 403, self._where(url.path))
            return
        if len(url.query) > MAX_QUERY_CHARS * 3:
            self._refuse(414, f"the request is too long (limit {MAX_QUERY_CHARS:,} characters of query)")
            return
        self._run(urllib.parse.parse_qs(url.query, keep_blank_values=True))

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_QUERY_CHARS * 4:
            self._refuse(413, f"the request body must have a Content-Length of at most {MAX_QUERY_CHARS * 4:,} bytes")
            self.close_connection = True
            return
        body = self.rfile.read(length)
        if url.path not in QUERY_PATHS:
            self._refuse(404 if url.path != "/update" else 403, self._where(url.path))
            return
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            self._refuse(400, "the request body is not UTF-8")
            return
        if media == "application/sparql-query":
            params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
            params["query"] = [text]
        elif media in ("application/x-www-form-urlencoded", ""):
            params = urllib.parse.parse_qs(text, keep_blank_values=True)
        else:
            self._refuse(415, f"unsupported Content-Type {media!r} (hint: application/sparql-query or a form)")
            return
        if "update" in params:
            self._refuse(403, "updates are not allowed: this endpoint is read-only")
            return
        self._run(params)

    def _where(self, path: str) -> str:
        if path == "/update":
            return "updates are not allowed: this endpoint is read-only"
        return f"no such resource {path!r} (hint: the endpoint is /query)"

    def _run(self, params: dict[str, list[str]]) -> None:
        queries = params.get("query", [])
        if len(queries) != 1:
            self._refuse(400, "give exactly one `query` parameter (SPARQL 1.1 Protocol)")
            return
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            self._refuse(400, "default-graph-uri and named-graph-uri are not allowed: the graph is the default graph")
            return
        text = queries[0]
        try:
            check_query(text)
        except QueryError as exc:
            self._refuse(400, str(exc))
            return
        accept = self.headers.get("Accept") or ""
        try:
            result = self.server.store.pool_call(text, accept, timeout_s=self.server.spec.timeout_s,
                                                 client=self.client_address[0])
        except QueryError as exc:
            stopped = "stopped" in str(exc) or "busy" in str(exc) or "still running" in str(exc)
            self._refuse(503 if stopped else 400, str(exc))
            return
        extra = {"CNKG-Truncated": f"row cap {self.server.spec.row_cap}"} if result.truncated else {}
        self._send(result.status, result.media_type, result.body, extra=extra)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def __init__(self, spec: ServerSpec, store: ServedStore, *, verbose: bool = False) -> None:
        self.spec, self.store, self.verbose = spec, store, verbose
        host = spec.host.strip("[]")
        if ":" in host:
            import socket

            self.address_family = socket.AF_INET6
        super().__init__((host, spec.port), _Handler)


class ServedStore:
    """The built graph in an isolated embedded store, answering protocol requests through its workers."""

    def __init__(self, graph: Path, *, spec: ServerSpec) -> None:
        self.embedded = EmbeddedStore(graph, isolate=True, workers=spec.workers)
        self.spec = spec

    def pool_call(self, text: str, accept: str, *, timeout_s: float, client: str) -> Answer:
        """Run checked text in a worker and return its serialised answer."""
        pool = self.embedded.pool
        assert pool is not None
        result = pool.call(answer, text, accept, self.spec.row_cap, timeout_s=timeout_s, client=client)
        assert isinstance(result, Answer)
        return result


def serve_forever(graph: Path, spec: ServerSpec, *, verbose: bool = True) -> None:
    """Serve until interrupted (Ctrl-C), then stop the workers."""
    store = ServedStore(graph, spec=spec)
    server = _Server(spec, store, verbose=verbose)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        store.embedded.close()


def wait_ready(spec: ServerSpec, *, within_s: float = 30.0, process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll the endpoint with ASK {} until it answers; fail clearly if the server died or never answered."""
    deadline = time.monotonic() + within_s
    url = spec.query_url + "?" + urllib.parse.urlencode({"query": "ASK {}"})
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise EndpointError(
                f"the server exited with code {process.returncode} (hint: is port {spec.port} already in use?)"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.1)
    raise EndpointError(f"the server at {spec.base} did not answer within {within_s:g} s")


def server_command(graph: Path, spec: ServerSpec) -> list[str]:
    """The command line that runs `cnkg serve` on `graph` with `spec` (used to start it as a real process)."""
    command = [sys.executable, "-m", "kg.cli", "serve", "--graph", str(graph), "--host", spec.host,
               "--port", str(spec.port), "--timeout", str(spec.timeout_s), "--workers", str(spec.workers),
               "--row-cap", str(spec.row_cap)]
    return command + (["--cors"] if spec.cors else [])


def start(graph: Path, spec: ServerSpec) -> subprocess.Popen[bytes]:
    """Start the read-only server in the background and wait until it answers."""
    process = subprocess.Popen(server_command(graph, spec), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_ready(spec, process=process)
    except EndpointError:
        process.kill()
        process.wait()
        raise
    return process
