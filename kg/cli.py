"""`cnkg`, the command line: thin commands over the `kg` stages. Errors are printed, never raised as tracebacks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kg.errors import BuildError, KGError, ValidationFailed
from kg.paths import BUILD, DATA

app = typer.Typer(
    help="Cyber Norms Knowledge Graph: build, validate and query the graph of international cyber diplomacy.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(error: KGError) -> None:
    """Print an error the way a scholar can act on it, and exit non-zero."""
    if isinstance(error, ValidationFailed):
        for problem in error.problems:
            typer.echo(problem.format(), err=True)
        typer.echo(f"{len(error.problems)} problem(s); nothing was built.", err=True)
    else:
        typer.echo(f"error: {error}", err=True)
    raise typer.Exit(error.exit_code)


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: data/).")] = None,
) -> None:
    """Check records: types, dates, unique ids, references, sources. Lists every problem; exit 1 if any."""
    from kg.build import check

    try:
        checked = check(paths or [DATA])
    except KGError as error:
        _fail(error)
        return
    typer.echo(f"{len(checked)} records OK.")


@app.command()
def build(
    out: Annotated[Path, typer.Option(help="Output folder.")] = BUILD,
    data: Annotated[list[Path] | None, typer.Option(help="Data files or folders (default: data/).")] = None,
) -> None:
    """Build the graph (Turtle and N-Triples), checked with SHACL. A failed build leaves old output untouched."""
    from kg.build import build as run_build
    from kg.summary import summary_lines

    try:
        result = run_build(data=data, out=out)
    except KGError as error:
        _fail(error)
        return
    for path in result.files:
        typer.echo(f"wrote {path}")
    for line in summary_lines(result.graph):
        typer.echo(line)


@app.command()
def summary(
    graph: Annotated[Path, typer.Option(help="Built graph (N-Triples).")] = BUILD / "cybernorms.nt",
) -> None:
    """Print what the built graph holds: records by type."""
    from rdflib import Graph

    from kg.summary import summary_lines

    if not graph.exists():
        _fail(BuildError(f"{graph} does not exist (hint: run `cnkg build` first)"))
    for line in summary_lines(Graph().parse(graph, format="nt")):
        typer.echo(line)


@app.command("ingest-votes")
def ingest_votes(
    raw: Annotated[Path, typer.Argument(help="Raw voting list under data/raw/votes/.")],
    resolution: Annotated[str, typer.Option(help="Resolution id, e.g. a-res-73-27.")],
    out: Annotated[Path, typer.Option(help="Folder for the vote record.")] = DATA / "votes",
    force: Annotated[bool, typer.Option(help="Replace an existing vote record.")] = False,
) -> None:
    """Turn a voting list copied from a UN press release into a vote_record YAML file."""
    from kg.ingest import ingest_votes as run

    try:
        target = run(raw, resolution=resolution, out_dir=out, force=force)
    except KGError as error:
        _fail(error)
        return
    typer.echo(f"wrote {target}")


def main() -> None:
    """Console entry point: run the app; turn unexpected errors into one line, not a traceback."""
    try:
        app()
    except KGError as error:  # pragma: no cover - commands handle their own
        typer.echo(f"error: {error}", err=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        typer.echo("interrupted; nothing was written", err=True)
        sys.exit(130)
    except Exception as error:  # last resort: one line, not a traceback
        typer.echo(f"internal error: {type(error).__name__}: {error} (hint: please report this as a bug)", err=True)
        sys.exit(2)
