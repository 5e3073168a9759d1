"""Problems found in input, reported as `path:line:col: message (hint: ...)`, and the exceptions that carry them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in one input file, located by 1-based line and column (0 when unknown)."""

    path: str
    line: int
    col: int
    message: str
    hint: str = ""

    def format(self) -> str:
        """Render as `path:line:col: error: message (hint: ...)`."""
        where = self.path if self.line == 0 else f"{self.path}:{self.line}:{self.col}"
        text = f"{where}: error: {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


class KGError(Exception):
    """Base class of the errors the CLI reports without a traceback."""

    exit_code = 1


class ValidationFailed(KGError):
    """The input has problems; all of them are listed."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__(f"{len(self.problems)} problem(s) in the input")


class BuildError(KGError):
    """A build stage failed (e.g. the SHACL check, or the output could not be written)."""


class QueryError(KGError):
    """A query could not be parsed, was refused, or failed at the endpoint."""


class EndpointError(QueryError):
    """A remote SPARQL endpoint was unreachable, too slow, or answered with an error."""


def display_path(path: Path) -> str:
    """Path relative to the working directory when possible, for short clickable messages."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
