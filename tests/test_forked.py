"""Build stages in forked processes: values and errors come back, a dead child is a clean error; a file is read
whole while another stage writes it."""

from __future__ import annotations

import io
import os
import threading
import time
from pathlib import Path

import pytest

from kg.errors import BuildError, Problem, ValidationFailed
from kg.pipeline.forked import Forked, Growing, Link


def test_messages_and_result_cross_the_fork() -> None:
    parent = os.getpid()

    def stage(link: Link) -> str:
        link.send(os.getpid())
        return f"{link.receive()}!"

    with Forked(stage) as child:
        assert child.receive() != parent  # it runs in another process
        child.send("done")
        assert child.result() == "done!"


def test_validation_problems_come_back_whole() -> None:
    problems = [Problem("a.yaml", 3, 1, "bad", "fix it"), Problem("b.yaml", 1, 1, "worse")]

    def stage(link: Link) -> None:
        raise ValidationFailed(problems)

    with Forked(stage) as child, pytest.raises(ValidationFailed) as caught:
        child.receive()
    assert caught.value.problems == sorted(problems)


def test_other_errors_come_back_with_the_childs_traceback() -> None:
    def stage(link: Link) -> None:
        raise OSError(28, "No space left on device")

    with Forked(stage) as child, pytest.raises(OSError, match="No space left") as caught:
        child.result()
    assert "in the build stage's process" in "".join(caught.value.__notes__)


def test_a_child_that_dies_is_a_build_error() -> None:
    def stage(link: Link) -> None:
        os._exit(3)

    with Forked(stage) as child, pytest.raises(BuildError, match="exit status 3"):
        child.result()


def test_closing_stops_a_child_still_running() -> None:
    def stage(link: Link) -> None:
        link.receive()  # waits for a message that never comes

    child = Forked(stage)
    pid = child._pid
    child.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # already reaped


def _links() -> tuple[Link, Link]:
    """Two ends of a conversation in this process (what `Forked` sets up across a fork)."""
    a_r, a_w = os.pipe()
    b_r, b_w = os.pipe()
    return Link(a_r, b_w), Link(b_r, a_w)


def test_a_growing_file_is_read_whole_while_it_is_written(tmp_path: Path) -> None:
    path = tmp_path / "graph.nt"
    path.touch()
    reader_end, parent = _links()
    chunks = [f"<urn:s{i}> <urn:p> <urn:o{i}> .\n".encode() * 500 for i in range(20)]

    def write() -> None:  # the writing stage: chunks with pauses, each longer than the reader's poll
        with path.open("wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
                fh.flush()
                time.sleep(0.02)
        parent.send(path.stat().st_size)  # the parent: the file is whole

    writer = threading.Thread(target=write)
    writer.start()
    with io.BufferedReader(Growing(path, reader_end, poll_s=0.001), 4096) as stream:
        got = stream.read()
    writer.join()
    assert got == b"".join(chunks)  # not cut at the first pause, nothing read twice


def test_a_growing_file_fails_when_the_parent_goes_first(tmp_path: Path) -> None:
    path = tmp_path / "graph.nt"
    path.write_bytes(b"<urn:s> <urn:p> <urn:o> .\n")
    reader_end, parent = _links()
    parent.close()  # no final size will come
    with io.BufferedReader(Growing(path, reader_end)) as stream, pytest.raises(BuildError, match="ended while"):
        stream.read()
