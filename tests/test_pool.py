"""The query worker pool: workers outlive the thread that first used them, are reaped when killed, and are
replaced after a timeout."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.errors import QueryError
from kg.sparql.pool import WorkerPool


def _pid(state: object) -> int:
    return os.getpid()


def _sleep(state: object, seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_worker_survives_the_thread_that_first_used_it() -> None:
    """Streamlit runs each script run in its own thread; a worker forked there used to be killed (PR_SET_PDEATHSIG)
    when that thread ended, and re-forked on every run. Now the same worker answers after the thread is gone."""
    pool = WorkerPool(ox.Store(), size=1)
    seen: list[int] = []
    thread = threading.Thread(target=lambda: seen.append(pool.call(_pid, timeout_s=10)))
    thread.start()
    thread.join()
    time.sleep(0.5)
    try:
        assert seen and _state(seen[0]) not in ("gone", "Z"), "the worker died with the thread that used it"
        assert pool.call(_pid, timeout_s=10) == seen[0]
    finally:
        pool.close()
    time.sleep(0.2)
    assert _state(seen[0]) == "gone", "a stopped worker was left as a zombie"


def test_timed_out_worker_is_reaped_and_replaced() -> None:
    pool = WorkerPool(ox.Store(), size=1)
    try:
        first = pool.call(_pid, timeout_s=10)
        with pytest.raises(QueryError, match=r"stopped after 0\.5 s"):
            pool.call(_sleep, 30, timeout_s=0.5)
        assert _state(first) == "gone", "the killed worker is still there (or a zombie)"
        assert pool.call(_pid, timeout_s=10) != first
    finally:
        pool.close()


def test_a_timeout_cannot_exceed_the_operators_maximum(monkeypatch: pytest.MonkeyPatch) -> None:
    import kg.sparql.pool as pool_module

    monkeypatch.setattr(pool_module, "MAX_TIMEOUT_S", 0.5)
    pool = WorkerPool(ox.Store(), size=1)
    try:
        start = time.perf_counter()
        with pytest.raises(QueryError, match=r"stopped after 0\.5 s"):
            pool.call(_sleep, 30, timeout_s=300)
        assert time.perf_counter() - start < 5
    finally:
        pool.close()


def test_a_worker_holds_no_connection_of_its_parent() -> None:
    """A worker forked while the explorer's server had a browser connection open must not keep it: when the
    server closes it, the browser has to see the close (else it reuses the connection and its next request, e.g.
    the map's geometry, is never answered)."""
    server_end, browser_end = socket.socketpair()
    pool = WorkerPool(ox.Store(), size=1)
    try:
        pool.call(_pid, timeout_s=10)  # the worker is forked while the connection is open
        server_end.close()
        browser_end.settimeout(10)
        assert browser_end.recv(1) == b"", "the close did not reach the peer"
        assert pool.call(_pid, timeout_s=10), "the worker still answers on its own pipe"
    finally:
        pool.close()
        browser_end.close()
