"""Findings of every check (input problems, shape violations, QC failures), reported one way as
`location: kind: message (hint: ...)`, and the exceptions the CLI reports without a traceback."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import ClassVar


class Finding:
    """What a check found: a location, a message and a hint; `format` is the one way findings are shown.

    >>> Problem("data/states.yaml", 3, 5, "missing required field 'name'", "add `name:`").format()
    "data/states.yaml:3:5: error: missing required field 'name' (hint: add `name:`)"
    """

    kind: ClassVar[str] = "error"
    message: str
    hint: str

    @property
    def location(self) -> str:
        raise NotImplementedError

    def format(self) -> str:
        """Render as `location: kind: message (hint: ...)`."""
        text = f"{self.location}: {self.kind}: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


@dataclass(frozen=True, order=True)
class Problem(Finding):
    """One problem in one input file, located by 1-based line and column (0 when unknown)."""

    path: str
    line: int
    col: int
    message: str
    hint: str = ""

    @property
    def location(self) -> str:
        return self.path if self.line == 0 else f"{self.path}:{self.line}:{self.col}"


class KGError(Exception):
    """Base class of the errors the CLI reports without a traceback."""

    exit_code = 1


class ValidationFailed(KGError):
    """The input has problems; all of them are listed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the input")

    def __reduce__(self) -> tuple[type[ValidationFailed], tuple[list[Problem]]]:
        """Pickled with its problems (a build's stages run in child processes and send errors back)."""
        return (type(self), (self.problems,))


class BuildError(KGError):
    """A build stage failed (e.g. the SHACL check, or the output could not be written)."""


class QueryError(KGError):
    """A query could not be parsed, was refused, or failed at the endpoint."""


class EndpointError(QueryError):
    """A remote SPARQL endpoint was unreachable, too slow, or answered with an error."""


def display_path(path: Path) -> str:
    """Path relative to the working directory when possible, for short clickable messages."""
    try:
        return str(_resolved(path).relative_to(_resolved_folder(os.getcwd())))
    except (ValueError, OSError):
        return str(path)


def _resolved(path: Path) -> Path:
    """`path.resolve()`, resolving each folder once: a file that is not a link is its resolved folder plus name."""
    if path.name in ("", ".", "..") or path.is_symlink():
        return path.resolve()
    return _resolved_folder(os.path.join(os.getcwd(), path.parent)) / path.name


@lru_cache(maxsize=256)
def _resolved_folder(folder: str) -> Path:
    """An absolute folder, resolved (cached: records come hundreds to a folder)."""
    return Path(folder).resolve()
