"""Build stages in forked processes: values and errors come back, a dead child is a clean error."""

from __future__ import annotations

import os

import pytest

from kg.errors import BuildError, Problem, ValidationFailed
from kg.pipeline.forked import Forked, Link


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
