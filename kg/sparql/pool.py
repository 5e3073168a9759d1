"""Query worker processes: each query runs in a forked worker that is killed at its time limit and cannot grow past
a memory cap, a few workers serve concurrent callers, and one caller cannot hold more than one at a time.

Workers are forked from one long-lived thread: `PR_SET_PDEATHSIG` fires when the *thread* that forked a child
exits, and Streamlit runs every script run in a thread of its own, so forking there killed the worker after each
run. Killed workers are joined (no zombies) and replaced on the next call. A worker drops every socket it inherits
but its own pipe: forked from a web server, it would otherwise hold the server's client connections open after the
server closed them (no FIN is sent), so a browser reusing such a connection waits forever for an answer."""

from __future__ import annotations

import contextlib
import ctypes
import faulthandler
import multiprocessing as mp
import os
import queue
import resource
import signal
import stat
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from kg.errors import QueryError

MEMORY_MB = int(os.environ.get("CNKG_QUERY_MEMORY_MB") or 2048)
WORKERS = int(os.environ.get("CNKG_QUERY_WORKERS") or 2)
HARD_MAX_TIMEOUT_S = 300.0
"""No query runs longer, whatever the operator sets."""
MAX_TIMEOUT_S = min(HARD_MAX_TIMEOUT_S, float(os.environ.get("CNKG_MAX_TIMEOUT_S") or HARD_MAX_TIMEOUT_S))
"""The operator's limit on every query of this process (`CNKG_MAX_TIMEOUT_S`; the explorer offers 30 s by default)."""
CLIENT: ContextVar[str | None] = ContextVar("cnkg_query_client", default=None)
"""Who is asking, when a caller cannot pass `client` (e.g. the explorer sets its session id once per script run)."""
_SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cnkg-worker-spawner")
Job = Callable[..., Any]


def _vm_size_bytes() -> int:
    """This process's virtual memory size (Linux), 0 when unknown."""
    with contextlib.suppress(OSError, ValueError):
        for line in open("/proc/self/status", encoding="ascii"):  # noqa: SIM115 - tiny file, read once
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _drop_inherited_sockets(keep: int) -> None:
    """Replace every socket this (forked) process inherited, except fd `keep`, by /dev/null: the parent's closes
    then reach its peers. dup2, not close, so no Python object of the parent's can later close a reused number."""
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            with contextlib.suppress(OSError):  # the listing's own fd is gone by now
                if fd not in (keep, devnull) and stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.dup2(devnull, fd, inheritable=False)
    except OSError:  # no /proc (not Linux): nothing to drop this way
        pass
    finally:
        os.close(devnull)


def _serve(
    state: Any, conn: Connection, parent_end: Connection, memory_mb: int, opener: Callable[[], Any] | None
) -> None:
    """Worker loop: run `(job, args)` pairs on `state` (or on what `opener` opens in this process) and send back
    ("ok", value) or ("error", message)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    parent_end.close()
    _drop_inherited_sockets(keep=conn.fileno())
    faulthandler.disable()  # an abort at the memory cap is expected: the parent reports it, not a dump here
    with contextlib.suppress(OSError):  # the engine's own abort messages (e.g. at the memory cap) are not ours to show
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    with contextlib.suppress(Exception):  # Linux only: PR_SET_PDEATHSIG = 1, so no worker outlives its parent
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    if memory_mb > 0 and (size := _vm_size_bytes()):
        cap = size + memory_mb * 1024 * 1024
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    if opener is not None:
        state = opener()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        fn, args = job
        try:
            conn.send(("ok", fn(state, *args)))
        except QueryError as exc:
            conn.send(("error", str(exc)))
        except MemoryError:
            conn.send(("error", f"query stopped: it needed more than the memory limit ({memory_mb} MB) "
                                "(hint: add LIMIT or narrow the pattern)"))
        except Exception as exc:  # any engine error becomes a message, not a dead worker
            conn.send(("error", f"query failed: {str(exc)[:500]}"))


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection

    def stop(self) -> None:
        """Kill and reap the process."""
        with contextlib.suppress(Exception):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


class WorkerPool:
    """Up to `size` forked workers over a shared read-only `state` (e.g. a loaded pyoxigraph store), or over what
    `opener` opens in each worker (a handle that must not cross a fork, e.g. an on-disk store)."""

    def __init__(
        self, state: Any, *, size: int = WORKERS, memory_mb: int = MEMORY_MB, opener: Callable[[], Any] | None = None
    ) -> None:
        self.state = state
        self.opener = opener
        self.size = max(1, size)
        self.memory_mb = memory_mb
        self._idle: queue.Queue[_Worker | None] = queue.Queue()
        for _ in range(self.size):
            self._idle.put(None)  # a free slot; its worker is forked on first use
        self._clients: set[str] = set()
        self._cond = threading.Condition()

    def _fork(self) -> _Worker:
        ctx = mp.get_context("fork")
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(self.state, child, parent, self.memory_mb, self.opener),
                              daemon=True)
        process.start()
        child.close()
        return _Worker(process, parent)

    def _spawn(self) -> _Worker:
        return _SPAWNER.submit(self._fork).result(timeout=60)

    def _enter(self, client: str | None, deadline: float) -> None:
        """Wait until `client` has no other query running (one worker per caller at a time)."""
        if client is None:
            return
        with self._cond:
            while client in self._clients:
                left = deadline - time.monotonic()
                if left <= 0 or not self._cond.wait(timeout=left):
                    raise QueryError("your previous query is still running (hint: wait for it or lower its timeout)")
            self._clients.add(client)

    def _leave(self, client: str | None) -> None:
        if client is None:
            return
        with self._cond:
            self._clients.discard(client)
            self._cond.notify_all()

    def call(self, fn: Job, *args: Any, timeout_s: float, client: str | None = None) -> Any:
        """Run `fn(state, *args)` in a worker; kill the worker when `timeout_s` passes (then say so)."""
        timeout_s = min(timeout_s, MAX_TIMEOUT_S)
        client = client if client is not None else CLIENT.get()
        deadline = time.monotonic() + timeout_s
        self._enter(client, deadline)
        try:
            try:
                slot = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise QueryError(
                    f"every query worker stayed busy for {timeout_s:g} s (hint: try again shortly)"
                ) from None
            worker = slot if slot is not None and slot.process.is_alive() else None
            try:
                worker = worker or self._spawn()
                status, payload = self._exchange(worker, fn, args, deadline, timeout_s)
            except BaseException:
                if worker is not None:
                    worker.stop()
                self._idle.put(None)
                raise
            self._idle.put(worker)
        finally:
            self._leave(client)
        if status == "error":
            raise QueryError(str(payload))
        return payload

    def _exchange(
        self, worker: _Worker, fn: Job, args: tuple[Any, ...], deadline: float, timeout_s: float
    ) -> tuple[str, Any]:
        """Send one job and wait for its answer; a timeout or a dead worker raises (the caller kills it)."""
        worker.conn.send((fn, args))
        if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
            raise QueryError(f"query stopped after {timeout_s:g} s (hint: add LIMIT or narrow the pattern)")
        try:
            status, payload = worker.conn.recv()
        except (EOFError, OSError):
            worker.process.join(timeout=5)
            code = worker.process.exitcode
            raise QueryError(
                f"query stopped: the engine ended (exit {code}), most likely at the memory limit of "
                f"{self.memory_mb} MB (hint: add LIMIT or narrow the pattern)"
            ) from None
        return status, payload

    def close(self) -> None:
        """Stop every worker."""
        while True:
            try:
                slot = self._idle.get_nowait()
            except queue.Empty:
                return
            if slot is not None:
                slot.stop()
