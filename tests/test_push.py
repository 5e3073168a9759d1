"""`cnkg push` against a tiny local Graph Store: batches, basic and digest credentials, and the store's own status
and message when it refuses (also when it answers early, before the upload is complete, and closes)."""

from __future__ import annotations

import hashlib
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from kg.errors import EndpointError
from kg.publish.push import batches, push

from .helpers import _Quiet

REALM, NONCE, USER, PASSWORD = "SPARQL", "d81f1c492a92d13ac8488a78645eabb8", "dba", "s3cret"


@dataclass
class Received:
    """What the fake store saw: (method, path, triples) per accepted request, and the Authorization headers."""

    requests: list[tuple[str, str, list[bytes]]] = field(default_factory=list)
    auth: list[str] = field(default_factory=list)


def _digest_ok(header: str, method: str) -> bool:
    """Checks an RFC 7616 (qop=auth, MD5) digest answer the way a store does."""
    fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(header.removeprefix("Digest ")))

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    ha1, ha2 = md5(f"{USER}:{REALM}:{PASSWORD}"), md5(f"{method}:{fields.get('uri', '')}")
    want = md5(f"{ha1}:{NONCE}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
    return fields.get("username") == USER and fields.get("response") == want


class Store(_Quiet):
    """A Graph Store endpoint; `mode` picks what it does: accept, basic, digest, or refuse early with a status."""

    mode = "accept"
    received: Received

    def _early(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        """Answer without reading the upload and close, as stores do for a refused request."""
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def _handle(self) -> None:
        auth = self.headers.get("Authorization", "")
        self.received.auth.append(auth)
        if self.mode == "close":
            self.close_connection = True
            return
        if self.mode in ("413", "500"):
            self._early(int(self.mode), f"refused by the fake store ({self.mode})".encode())
            return
        if self.mode == "basic" and auth != "Basic ZGJhOnMzY3JldA==":  # dba:s3cret
            self._early(401, b"who are you?", {"WWW-Authenticate": f'Basic realm="{REALM}"'})
            return
        if self.mode == "digest" and not (auth.startswith("Digest ") and _digest_ok(auth, self.command)):
            challenge = f'Digest realm="{REALM}", nonce="{NONCE}", qop="auth", algorithm="MD5", opaque="x"'
            self._early(401, b"digest please", {"WWW-Authenticate": challenge})
            return
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.received.requests.append((self.command, self.path, body.splitlines()))
        self.send_response(201 if self.command == "PUT" else 204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_PUT = do_POST = _handle


@pytest.fixture
def store() -> Iterator[tuple[str, type[Store]]]:
    """A fresh fake store on loopback; the test sets its `mode`."""
    handler = type("FakeStore", (Store,), {"received": Received()})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/data", handler
    finally:
        server.shutdown()
        server.server_close()


def _graph(folder: Path, lines: int) -> Path:
    """N-Triples of `lines` triples (about 100 bytes each), two of them about one blank node."""
    out = folder / "g.nt"
    body = [f"<https://example.org/s{i}> <https://example.org/p> \"value {i:08d} {'x' * 40}\" ." for i in range(lines)]
    body[lines // 2] = "_:b0 <https://example.org/p> <https://example.org/o> ."
    body[-1] = "<https://example.org/s> <https://example.org/q> _:b0 ."
    out.write_text("\n".join(body) + "\n", encoding="utf-8")
    return out


def test_batches_put_then_post_with_blank_nodes_together(store: tuple[str, type[Store]], tmp_path: Path) -> None:
    url, handler = store
    report = push(endpoint=url, graph_iri="https://example.org/g", graph=_graph(tmp_path, 2500), batch_lines=1000)
    methods = [method for method, _, _ in handler.received.requests]
    assert methods == ["PUT", "POST", "POST"]
    assert report.triples == 2500 and report.requests == 3
    assert all(path.endswith("?graph=https%3A%2F%2Fexample.org%2Fg") for _, path, _ in handler.received.requests)
    first = handler.received.requests[0][2]
    assert sum(b"_:b0" in line for line in first) == 2
    assert sum(len(lines) for _, _, lines in handler.received.requests) == 2500


def test_batches_keep_every_line_once() -> None:
    lines = [f"<s{i}> <p> {'_:b' if i % 7 == 0 else '<o>'} .".encode() for i in range(50)]
    parts = list(batches(lines, 8))
    assert sorted(line for part in parts for line in part) == sorted(lines)
    assert all(b"_:" not in line for part in parts[1:] for line in part)


@pytest.mark.parametrize("mode", ["basic", "digest"])
def test_credentials_answer_the_challenge(mode: str, store: tuple[str, type[Store]], tmp_path: Path) -> None:
    url, handler = store
    handler.mode = mode
    report = push(endpoint=url, graph=_graph(tmp_path, 3000), batch_lines=1000, user=USER, password=PASSWORD)
    assert report.triples == 3000
    assert len(handler.received.requests) == 3
    # one challenge, then every batch is authenticated up front (no upload sent twice)
    assert report.requests == 4
    assert handler.received.auth[0] == ""
    assert all(a.lower().startswith(mode) for a in handler.received.auth[1:])


@pytest.mark.parametrize("mode", ["basic", "digest"])
def test_missing_or_wrong_credentials_show_the_stores_401(
    mode: str, store: tuple[str, type[Store]], tmp_path: Path
) -> None:
    url, handler = store
    handler.mode = mode
    graph = _graph(tmp_path, 40_000)  # 4 MB in one request: the store answers before reading it
    with pytest.raises(EndpointError, match=r"HTTP 401 Unauthorized: (who are you\?|digest please) .*--user"):
        push(endpoint=url, graph=graph, batch_lines=100_000)
    with pytest.raises(EndpointError, match=r"HTTP 401 .*refused these credentials"):
        push(endpoint=url, graph=graph, batch_lines=100_000, user=USER, password="wrong")
    assert handler.received.requests == []


@pytest.mark.parametrize(("mode", "hint"), [("413", "smaller --batch-lines"), ("500", "store's log")])
def test_early_refusal_of_a_large_upload_shows_status_and_body(
    mode: str, hint: str, store: tuple[str, type[Store]], tmp_path: Path
) -> None:
    url, handler = store
    handler.mode = mode
    with pytest.raises(EndpointError, match=rf"HTTP {mode} .*: refused by the fake store \({mode}\) \(hint: .*{hint}"):
        push(endpoint=url, graph=_graph(tmp_path, 40_000), batch_lines=100_000, timeout_s=10)


def test_close_without_answer_is_not_called_unreachable(store: tuple[str, type[Store]], tmp_path: Path) -> None:
    url, handler = store
    handler.mode = "close"
    with pytest.raises(EndpointError, match=r"closed the connection after \d+ of \d+ bytes without an HTTP answer"):
        push(endpoint=url, graph=_graph(tmp_path, 40_000), batch_lines=100_000, timeout_s=10)


def test_credentials_come_in_pairs(tmp_path: Path) -> None:
    with pytest.raises(EndpointError, match="both --user and --password"):
        push(endpoint="http://127.0.0.1:9/data", graph=_graph(tmp_path, 10), user=USER)
