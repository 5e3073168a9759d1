"""A real SPARQL 1.1 Protocol server over the built graph (the Oxigraph server from PyPI, read-only), and
`push` of the graph into any store that speaks the SPARQL 1.1 Graph Store Protocol."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from kg.errors import BuildError, EndpointError
from kg.paths import GRAPH

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class ServerSpec:
    """Where and how the server runs."""

    host: str = "127.0.0.1"
    port: int = 7878
    timeout_s: int = 30

    @property
    def base(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"


def oxigraph_binary() -> str:
    """Path of the `oxigraph` command (from the `oxigraph` package on PyPI)."""
    found = shutil.which("oxigraph")
    if not found:
        raise BuildError("the `oxigraph` server is not installed (hint: pip install oxigraph)")
    return found


def prepare_store(*, graph: Path = GRAPH, location: Path | None = None) -> Path:
    """An on-disk Oxigraph store holding exactly the built graph; reloaded only when the graph changed."""
    if not graph.exists():
        raise BuildError(f"{graph} does not exist (hint: run `cnkg build` first)")
    location = location or graph.parent / "oxigraph-store"
    digest = hashlib.sha256(graph.read_bytes()).hexdigest()
    stamp = location / ".graph-sha256"
    if stamp.exists() and stamp.read_text(encoding="utf-8") == digest:
        return location
    tmp = location.with_name(location.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    result = subprocess.run(
        [oxigraph_binary(), "load", "--location", str(tmp), "--file", str(graph), "--format", "nt"],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if result.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError(f"loading the graph into Oxigraph failed: {result.stderr.strip()[:500]}")
    (tmp / ".graph-sha256").write_text(digest, encoding="utf-8")
    shutil.rmtree(location, ignore_errors=True)
    tmp.rename(location)
    return location


def server_command(store: Path, spec: ServerSpec) -> list[str]:
    """The read-only server command line."""
    host = f"[{spec.host}]" if ":" in spec.host else spec.host
    return [
        oxigraph_binary(),
        "serve-read-only",
        "--location",
        str(store),
        "--bind",
        f"{host}:{spec.port}",
        "--timeout-s",
        str(spec.timeout_s),
    ]


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


def start(store: Path, spec: ServerSpec) -> subprocess.Popen[bytes]:
    """Start the read-only server in the background and wait until it answers."""
    process = subprocess.Popen(server_command(store, spec), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_ready(spec, process=process)
    except EndpointError:
        process.kill()
        process.wait()
        raise
    return process
