"""The docs cover what exists: every CLI command in the README, generated docs up to date, the README's two
commands first, and the coverage table equal to the graph's counts."""

from __future__ import annotations

import re

from rdflib import Graph

from kg.cli import app
from kg.pipeline.codebook_doc import render_codebook
from kg.pipeline.summary import coverage_markdown

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
IGNORED = {"build", "releases", "cybernorms_kg.egg-info"}  # generated, not tracked


def test_readme_starts_with_exactly_two_commands() -> None:
    blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    assert len(blocks[0].strip().splitlines()) == 1 and len(blocks[1].strip().splitlines()) == 1
    assert "cnkg build" in blocks[0] and "pytest" in blocks[1]
    assert README.index("```bash") < README.index("## ")


def test_ci_runs_the_readme_test_command() -> None:
    blocks = re.findall(r"```bash\n(.*?)```", README, flags=re.S)
    assert f'cmd="{blocks[1].strip()}"' in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_command_is_documented() -> None:
    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    missing = sorted(n for n in names if f"`cnkg {n}" not in README)
    assert missing == []


def test_codebook_markdown_is_current() -> None:
    assert (ROOT / "ontology" / "CODEBOOK.md").read_text(encoding="utf-8") == render_codebook(), "run `cnkg codebook`"


def test_readme_coverage_matches_the_graph(graph: Graph) -> None:
    assert coverage_markdown(graph) in README, "run `cnkg coverage --update README.md` after `cnkg build`"


def test_layout_table_matches_the_tree() -> None:
    section = README[README.index("## Layout") :]
    section = section[: section.index("\n## ", 1)]
    listed = {m.rstrip("/") for m in re.findall(r"^\| `([^`]+)` \|", section, flags=re.M)}
    folders = {p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".") and p.name not in IGNORED}
    packages = {f"kg/{p.parent.name}" for p in (ROOT / "kg").glob("*/__init__.py")}
    assert listed == folders | packages | {"kg"}
    for package in packages:
        row = next(line for line in section.splitlines() if line.startswith(f"| `{package}/`"))
        modules = {p.stem for p in (ROOT / package).glob("*.py") if p.stem != "__init__"}
        assert all(f"`{m}`" in row for m in modules), f"{package}: list every module"
