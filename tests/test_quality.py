"""Ruff and mypy are part of the test suite, so CI fails on lint or type errors."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT


@pytest.mark.parametrize(
    "command",
    [
        [sys.executable, "-m", "ruff", "check", "kg", "tests", "tools", "app", "bench"],
        [sys.executable, "-m", "mypy", "kg"],
    ],
    ids=["ruff", "mypy"],
)
def test_static_checks_are_clean(command: list[str]) -> None:
    assert shutil.which(command[0])
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
