"""Run one stage of a build in a forked child process, talking to it by pickled messages over pipes.

Why: the child's memory goes back to the system whole when it exits, without freeing millions of objects one by
one (a loaded 100x store takes seconds to free), and the parent stays small, so one stage's peak is not stacked on
the previous stage's leftovers. The child inherits everything (records, monkeypatches in tests) by fork; where
fork is missing the stage runs in a thread of the calling process instead, with the same messages.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import signal
import struct
import sys
import threading
import traceback
from collections.abc import Callable
from typing import Any

from kg.errors import BuildError, KGError

_RESULT, _MESSAGE = b"R", b"M"


class Link:
    """One end of the conversation: `send` a value, `receive` the other end's next value."""

    def __init__(self, read: int, write: int) -> None:
        self._read = os.fdopen(read, "rb")
        self._write = os.fdopen(write, "wb")
        self._kept: list[object] = []

    def keep(self, value: object) -> None:
        """Hold `value` until the stage's process ends: a large object (a store) is then never freed piece by
        piece, only dropped with the process."""
        self._kept.append(value)

    def send(self, value: object, *, kind: bytes = _MESSAGE) -> None:
        data = kind + _pickled(value)
        self._write.write(struct.pack("<Q", len(data)) + data)
        self._write.flush()

    def receive_raw(self) -> tuple[bytes, Any] | None:
        """(kind, value) of the next message; None if the other end closed its side."""
        head = self._read.read(8)
        if len(head) < 8:
            return None
        data = self._read.read(struct.unpack("<Q", head)[0])
        return data[:1], pickle.loads(data[1:])

    def receive(self) -> Any:
        got = self.receive_raw()
        if got is None:
            raise BuildError("the other side of a build stage ended")
        return got[1]

    def close(self) -> None:
        for fh in (self._read, self._write):
            with contextlib.suppress(OSError):
                fh.close()


class Forked:
    """A stage `fn(link)` running in a child process. `receive` gets what it sends (or raises its error if it ended
    with one), `send` answers it, `result` waits for its return value; `close` kills it if it still runs."""

    def __init__(self, fn: Callable[[Link], object]) -> None:
        self._pid = 0
        self._done: tuple[bool, object] | None = None
        if not hasattr(os, "fork"):  # pragma: no cover - no fork (Windows): a thread and an in-process queue
            self._link: Any = _QueueLink()
            child: Any = self._link.other()
            threading.Thread(target=lambda: child.send(_outcome(fn, child), kind=_RESULT), daemon=True).start()
            return
        for stream in (sys.stdout, sys.stderr):  # else the child would write the parent's buffered text again
            with contextlib.suppress(Exception):
                stream.flush()
        down_r, down_w = os.pipe()  # parent -> child
        up_r, up_w = os.pipe()  # child -> parent
        pid = os.fork()
        if pid == 0:  # the child never returns into the caller's code
            code = 0
            try:
                os.close(down_w)
                os.close(up_r)
                link = Link(down_r, up_w)
                link.send(_outcome(fn, link), kind=_RESULT)
                for stream in (sys.stdout, sys.stderr):
                    with contextlib.suppress(Exception):
                        stream.flush()
            except BaseException:  # anything at all: the child must not outlive this block
                code = 1
            finally:
                os._exit(code)  # no clean-up of the child's objects: the kernel frees its memory at once
        os.close(down_r)
        os.close(up_w)
        self._pid = pid
        self._link = Link(up_r, down_w)

    def _next(self) -> tuple[bytes, Any]:
        try:
            got = self._link.receive_raw()
        except BaseException:
            self.close()
            raise
        if got is None:
            status = self._reap()
            raise BuildError(f"a build stage's process ended without a result ({status})")
        return got  # type: ignore[no-any-return]

    def receive(self) -> Any:
        """The stage's next message; if it finished instead, its error is raised (or BuildError)."""
        if self._done is not None:
            raise BuildError("a build stage finished without sending what was expected")
        kind, value = self._next()
        if kind == _RESULT:
            self._finish(value)
            ok, detail = value
            if not ok:
                raise detail
            raise BuildError("a build stage finished without sending what was expected")
        return value

    def send(self, value: object) -> None:
        self._link.send(value)

    def result(self) -> Any:
        """The stage's return value, once it ends; its error is raised here."""
        while self._done is None:
            kind, value = self._next()
            if kind == _RESULT:
                self._finish(value)
        ok, value = self._done
        if not ok:
            raise value  # type: ignore[misc]
        return value

    def _finish(self, outcome: tuple[bool, object]) -> None:
        self._done = outcome
        self._reap()
        self._link.close()

    def _reap(self) -> str:
        if not self._pid:
            return "no process"
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        if os.WIFSIGNALED(status):
            return f"killed by signal {os.WTERMSIG(status)}"
        return f"exit status {os.waitstatus_to_exitcode(status)}"

    def close(self) -> None:
        """Stop the child if it still runs (the caller failed or was interrupted) and release the pipes."""
        if self._pid:
            with contextlib.suppress(OSError):
                os.kill(self._pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                self._reap()
        self._link.close()

    def __enter__(self) -> Forked:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _outcome(fn: Callable[[Link], object], link: Link) -> tuple[bool, object]:
    try:
        return True, fn(link)
    except KGError as exc:
        return False, exc
    except BaseException as exc:  # sent to the parent, which raises it
        exc.add_note("".join(["in the build stage's process:\n", *traceback.format_exception(exc)]))
        return False, exc


def _pickled(value: object) -> bytes:
    """`value` pickled; an outcome whose exception cannot be is sent as a BuildError carrying its traceback."""
    try:
        return pickle.dumps(value)
    except Exception:
        exc = value[1] if isinstance(value, tuple) and len(value) == 2 else value
        text = "".join(traceback.format_exception(exc)) if isinstance(exc, BaseException) else repr(exc)
        return pickle.dumps((False, BuildError(f"a build stage failed in its process:\n{text}")))


class _QueueLink:  # pragma: no cover - only where os.fork is missing
    """`Link` over two in-process queues, for the thread fallback."""

    def __init__(self, inbox: queue.Queue[Any] | None = None, outbox: queue.Queue[Any] | None = None) -> None:
        self._in: queue.Queue[Any] = inbox or queue.Queue()
        self._out: queue.Queue[Any] = outbox or queue.Queue()

    def other(self) -> _QueueLink:
        return _QueueLink(self._out, self._in)

    def send(self, value: object, *, kind: bytes = _MESSAGE) -> None:
        self._out.put((kind, value))

    def receive_raw(self) -> tuple[bytes, Any] | None:
        return self._in.get()  # type: ignore[no-any-return]

    def receive(self) -> Any:
        return self._in.get()[1]

    def keep(self, value: object) -> None:
        pass

    def close(self) -> None:
        pass
