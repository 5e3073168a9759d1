"""The CLI as a user meets it: exit codes, file:line messages, and never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .conftest import EXAMPLES, ROOT


def _cnkg(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from kg.cli import main; main()", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_validate_real_data_passes() -> None:
    result = _cnkg("validate")
    assert result.returncode == 0, result.stderr
    assert "records OK" in result.stdout


def test_validate_bad_input_lists_problems_without_traceback() -> None:
    bad = EXAMPLES / "invalid"
    result = _cnkg("validate", str(bad))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert len(lines) >= len(list(bad.glob("*.yaml"))) - 1
    assert all(line.startswith("tests/examples/invalid/") for line in lines)


def test_build_failure_exit_code_and_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "id: ev-a\ntype: event\ndate: 2023-02-30\ntitle: t\nkind: other\nsources: [{url: https://x.org}]\n",
        encoding="utf-8",
    )
    result = _cnkg("build", "--data", str(bad), "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "bad.yaml:3:1: error: date: '2023-02-30' is not a calendar date" in result.stderr
    assert not (tmp_path / "out" / "cybernorms.ttl").exists()


def test_missing_path_is_reported() -> None:
    result = _cnkg("validate", "no/such/dir")
    assert result.returncode == 1
    assert "no/such/dir: error: no such file or folder" in result.stderr


# What each command may not import: a query or a check of records pays only for what it runs (issue #19; the
# times are in bench/results.md, never asserted here). pydantic is the record models' (validate needs it); a query
# needs none of these. typer 0.26+ imports pydantic on every call, which is why pyproject.toml caps it.
HEAVY = {"rdflib", "pyshacl", "owlready2", "streamlit", "plotly", "pydantic"}
LEAN = {("query", "actors", "-f", "csv"): HEAVY, ("validate",): HEAVY - {"pydantic"}}

_IMPORTS_AT_EXIT = """
import atexit, sys
heavy = set(sys.argv[1].split(","))
def report():
    print("IMPORTED", ",".join(sorted({m.split(".")[0] for m in sys.modules} & heavy)), file=sys.stderr)
atexit.register(report)
sys.argv = ["cnkg", *sys.argv[2:]]
from kg.cli import main
main()
"""


def imported(args: tuple[str, ...], heavy: set[str]) -> set[str]:
    """Which of `heavy` a `cnkg` command imported (printed at exit by the child)."""
    done = subprocess.run(
        [sys.executable, "-c", _IMPORTS_AT_EXIT, ",".join(sorted(heavy)), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stderr.splitlines() if x.startswith("IMPORTED"))
    return set(filter(None, line.removeprefix("IMPORTED").strip().split(",")))


def test_query_and_validate_import_only_what_they_need(graph_file: Path) -> None:
    for args, heavy in LEAN.items():
        assert imported(args, heavy) == set(), args


def test_the_import_check_sees_an_import() -> None:
    """The check above can fail: it sees the import that `cnkg validate` does need (the record models)."""
    assert "pydantic" in imported(("validate",), {"pydantic"})
