"""`cnkg`, the command line: thin commands over the `kg` stages. Errors are printed, never raised as tracebacks."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from kg.errors import BuildError, KGError, QueryError, ValidationFailed
from kg.paths import BUILD, CHECKOUT, DATA, GRAPH

app = typer.Typer(
    help="Cyber Norms Knowledge Graph: build, validate and query the graph of international cyber diplomacy.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _report(error: KGError) -> int:
    """Print an error the way a scholar can act on it; returns the exit code."""
    if isinstance(error, ValidationFailed):
        for problem in error.problems:
            typer.echo(problem.format(), err=True)
        typer.echo(f"{len(error.problems)} problem(s); nothing was built.", err=True)
    else:
        typer.echo(f"error: {error}", err=True)
    return error.exit_code


DataOption = Annotated[
    list[Path] | None,
    typer.Option("--data", help="Your own record files or folders: the graph is built from them and used instead."),
]


@contextmanager
def _graph_of(data: list[Path] | None, graph: Path) -> Iterator[Path]:
    """The graph file to read: `graph`, or one built from `data` into a temporary folder removed afterwards."""
    if not data:
        yield graph
        return
    from kg.pipeline.build import build as run_build

    with tempfile.TemporaryDirectory(prefix="cnkg-data-") as tmp:
        yield next(p for p in run_build(data=data, out=Path(tmp)).files if p.suffix == ".nt")


def _serving(data: list[Path] | None, out: Path) -> Path:
    """The graph a long-running command serves: built from `data` into `out`, or the default one (built if missing)."""
    from kg.pipeline.build import build as run_build
    from kg.pipeline.build import ensure_built

    if not data:
        return ensure_built()
    graph = next(p for p in run_build(data=data, out=out).files if p.suffix == ".nt")
    typer.echo(f"built {graph} from {', '.join(map(str, data))}")
    return graph


def _verified_digest(graph: Path) -> str:
    """The SHA-256 of the built graph, checked against its manifest (the key of its prepared store)."""
    from kg.pipeline.manifest import verify_built

    return verify_built(graph).data_sha256


def _built(graph: Path) -> Path:
    """The built graph file checked against its manifest, or an error that says how to make it."""
    from kg.pipeline.manifest import verify_built

    verify_built(graph)
    return graph


@app.command()
def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders (default: data/).")] = None,
    data: DataOption = None,
    cache: Annotated[
        bool, typer.Option(help="Reuse each unchanged file's own checks from the build folder's cache/checked.")
    ] = True,
) -> None:
    """Check records: types, dates, unique ids, references, sources. Lists every problem; exit 1 if any."""
    from kg.pipeline.check import check

    checked = check([*(paths or []), *(data or [])] or [DATA], cache=BUILD / "cache" / "checked" if cache else None)
    typer.echo(f"{len(checked)} records OK.")


@app.command()
def build(
    out: Annotated[Path, typer.Option(help="Output folder.")] = BUILD,
    data: Annotated[list[Path] | None, typer.Option(help="Data files or folders (default: data/).")] = None,
    reason: Annotated[bool, typer.Option(help="Also run HermiT and write the inferred facts apart.")] = False,
) -> None:
    """Build the graph (Turtle and N-Triples), checked with SHACL and the QC queries. A failed build leaves old
    output untouched."""
    from kg.pipeline.build import build as run_build

    result = run_build(data=data, out=out, reason=reason)
    for path in result.files:
        typer.echo(f"wrote {path}")
    for line in result.summary:
        typer.echo(line)


@app.command()
def summary(
    graph: Annotated[Path, typer.Option(help="Built graph (N-Triples).")] = GRAPH,
    data: DataOption = None,
) -> None:
    """Print what the built graph holds: records by type."""
    from rdflib import Graph

    from kg.pipeline.summary import summary_lines

    with _graph_of(data, graph) as source:
        for line in summary_lines(Graph().parse(_built(source), format="nt")):
            typer.echo(line)


@app.command()
def queries() -> None:
    """List the library queries with their summaries and parameters."""
    from kg.sparql.library import library

    found = library()
    for name, q in sorted(found.items(), key=lambda kv: (kv[1].is_violation, kv[0])):
        params = " ".join(f"[{p.name}={','.join(p.default) or '*'}]" for p in q.params)
        typer.echo(f"{name:38} {q.summary}" + (f"  {params}" if params else ""))


@app.command()
def query(
    name: Annotated[str, typer.Argument(help="Library query name (see `cnkg queries`) or a .rq file.")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="name=value[,value...]")] = None,
    endpoint: Annotated[str | None, typer.Option(help="Remote SPARQL 1.1 endpoint URL (default: embedded).")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv, tsv, json, md or latex.")] = "table",
    pivot_on: Annotated[
        str | None, typer.Option("--pivot", help="ROW,COLUMN,VALUE (or 'auto' from the header).")
    ] = None,
    timeout: Annotated[float, typer.Option(help="Seconds before the query is stopped.")] = 30.0,
    limit: Annotated[int, typer.Option(help="Row cap; a capped result says so.")] = 100_000,
    graph: Annotated[Path, typer.Option(help="Built graph for the embedded store.")] = GRAPH,
    data: DataOption = None,
) -> None:
    """Run a library query (or a .rq file) and print the result, with a citation line."""
    from kg import __version__
    from kg.sparql.formats import pivot, render
    from kg.sparql.library import resolve
    from kg.sparql.query import backend_for, citation, parse_params, run

    q = resolve(name)
    params = parse_params(param or [])
    with _graph_of(None if endpoint else data, graph) as source:
        digest = None if endpoint or data else _verified_digest(source)
        backend = backend_for(endpoint=endpoint, graph=source, digest=digest)
        table = run(q, backend, params=params, timeout_s=timeout, row_cap=limit)
        cite = citation(q, version=__version__, params=params, graph=None if endpoint else source)
    if pivot_on:
        spec = q.pivot if pivot_on == "auto" else tuple(p.strip() for p in pivot_on.split(","))
        if not spec or len(spec) != 3:
            raise QueryError("--pivot needs ROW,COLUMN,VALUE (or 'auto' for queries that declare #+ pivot)")
        table = pivot(table, row=spec[0], column=spec[1], value=spec[2])
    typer.echo(render(table, fmt=fmt, cite=cite), nl=False)


@app.command()
def reproduce(
    endpoint: Annotated[str | None, typer.Option(help="Remote SPARQL 1.1 endpoint URL (default: embedded).")] = None,
    graph: Annotated[Path, typer.Option(help="Built graph for the embedded store.")] = GRAPH,
    data: DataOption = None,
) -> None:
    """Reproduce the published tables recorded in the data; exit 1 on a difference that is not explained."""
    from kg.publish.reproduce import format_reports
    from kg.publish.reproduce import reproduce as run_reproduce
    from kg.sparql.query import backend_for

    with _graph_of(None if endpoint else data, graph) as source:
        reports = run_reproduce(backend_for(endpoint=endpoint, graph=source))
    typer.echo(format_reports(reports))
    regressions = sum(len(r.regressions) for r in reports)
    if regressions:
        typer.echo(f"{regressions} difference(s) that no explanation in the data accounts for.", err=True)
        raise typer.Exit(1)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind; loopback by default.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 7878,
    timeout: Annotated[int, typer.Option(help="Seconds before a query's worker is killed.")] = 30,
    workers: Annotated[int, typer.Option(help="Query worker processes (queries run at once).")] = 2,
    cors: Annotated[bool, typer.Option(help="Allow browser clients from any origin (e.g. YASGUI).")] = False,
    row_cap: Annotated[int, typer.Option(help="Most rows or triples in one answer; a cut answer says so.")] = 100_000,
    graph: Annotated[Path | None, typer.Option(help="Built graph to serve (default: build if needed).")] = None,
    data: DataOption = None,
    out: Annotated[Path, typer.Option(help="Folder for the graph built from --data.")] = BUILD / "own-data",
) -> None:
    """Start a read-only SPARQL 1.1 Protocol server over the graph, building it first if needed."""
    from kg.publish.serve import LOOPBACK, ServerSpec, serve_forever

    source = _built(graph) if graph is not None else _serving(data, out)
    spec = ServerSpec(host=host, port=port, timeout_s=timeout, workers=workers, cors=cors, row_cap=row_cap)
    if host not in LOOPBACK:
        typer.echo(f"warning: binding to {host}: the endpoint is reachable from other machines", err=True)
    typer.echo(f"SPARQL endpoint (read-only): {spec.query_url}")
    typer.echo(
        f"try: curl -s {spec.query_url} -H 'Accept: text/csv' --data-urlencode "
        "'query=SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }'"
    )
    typer.echo("or:  cnkg query counts-by-type --endpoint " + spec.query_url)
    typer.echo("Ctrl-C stops the server.", nl=True)
    sys.stdout.flush()
    serve_forever(source, spec)


@app.command()
def push(
    endpoint: Annotated[str, typer.Option(help="Graph Store Protocol URL of the target store.")],
    graph_iri: Annotated[
        str | None, typer.Option("--graph", help="Named graph IRI (default graph if omitted).")
    ] = None,
    graph: Annotated[Path, typer.Option("--file", help="Built graph to push.")] = GRAPH,
    user: Annotated[str | None, typer.Option(envvar="CNKG_PUSH_USER", help="User for basic or digest auth.")] = None,
    password: Annotated[
        str | None, typer.Option(envvar="CNKG_PUSH_PASSWORD", help="Password (prefer the environment variable).")
    ] = None,
    batch_lines: Annotated[int, typer.Option(help="Triples per request (the first replaces the graph).")] = 10_000,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the store, per request.")] = 120.0,
    data: DataOption = None,
) -> None:
    """Load the built graph into an external store (SPARQL 1.1 Graph Store Protocol, in batches)."""
    from kg.publish.push import push as run_push

    with _graph_of(data, graph) as source:
        report = run_push(
            endpoint=endpoint, graph_iri=graph_iri, graph=source, user=user, password=password,
            batch_lines=batch_lines, timeout_s=timeout,
        )
    typer.echo(
        f"pushed {report.triples} triples of {source} to {endpoint} ({graph_iri or 'default graph'}) "
        f"in {report.requests} requests: HTTP {report.status}"
    )


@app.command()
def release(
    version: Annotated[str, typer.Option(help="Dataset version X.Y.Z.")],
    out: Annotated[Path, typer.Option(help="Folder that receives cybernorms-kg-X.Y.Z/.")] = Path("releases"),
    date: Annotated[str | None, typer.Option(help="Release date YYYY-MM-DD (default: the commit date).")] = None,
    previous: Annotated[Path | None, typer.Option(help="Previous release folder, for CHANGES.md.")] = None,
    endpoint: Annotated[
        str | None, typer.Option(help="Public SPARQL endpoint URL named in the metadata (omitted if not given).")
    ] = None,
    explorer: Annotated[
        str | None, typer.Option(help="Public explorer URL; with --endpoint, the bundle gets w3id redirect rules.")
    ] = None,
    data: DataOption = None,
) -> None:
    """Write a citable, byte-reproducible release bundle; an existing version is never overwritten."""
    from kg.publish.release import release as run_release

    target = run_release(
        version=version, out=out, date=date, previous=previous, endpoint=endpoint, explorer=explorer, data=data
    )
    typer.echo(f"wrote {target}")


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="Older release folder or graph file.")],
    new: Annotated[Path, typer.Argument(help="Newer release folder or graph file.")],
) -> None:
    """What changed between two releases: records added, removed and changed, by type."""
    from kg.publish.diff import changelog, load_graph
    from kg.publish.diff import diff as run_diff

    result = run_diff(load_graph(old), load_graph(new))
    typer.echo(changelog(result, old=old.name, new=new.name))


@app.command()
def coverage(
    update: Annotated[Path | None, typer.Option(help="Rewrite the coverage block of this file (README.md).")] = None,
    graph: Annotated[Path, typer.Option(help="Built graph (N-Triples).")] = GRAPH,
    data: DataOption = None,
) -> None:
    """Print the coverage table (records by type) from the built graph, or update it in the README."""
    from rdflib import Graph

    from kg.pipeline.summary import coverage_markdown, replace_coverage

    with _graph_of(data, graph) as source:
        block = coverage_markdown(Graph().parse(_built(source), format="nt"))
    if update is None:
        typer.echo(block)
        return
    try:
        update.write_text(replace_coverage(update.read_text(encoding="utf-8"), block), encoding="utf-8")
    except (OSError, ValueError) as exc:
        raise BuildError(f"cannot update {update}: {exc}") from None
    typer.echo(f"updated {update}")


@app.command()
def codebook(
    out: Annotated[Path, typer.Option(help="Where to write the Markdown codebook.")] = Path("ontology/CODEBOOK.md"),
) -> None:
    """Render the SKOS codebook as Markdown (ontology/CODEBOOK.md)."""
    from kg.pipeline.codebook_doc import render_codebook

    out.write_text(render_codebook(), encoding="utf-8")
    typer.echo(f"wrote {out}")


@app.command("reason")
def reason_command(
    graph: Annotated[Path, typer.Option(help="Built graph (N-Triples).")] = GRAPH,
    out: Annotated[Path, typer.Option(help="Folder for cybernorms-inferred.ttl/.nt.")] = BUILD,
    data: DataOption = None,
) -> None:
    """Run HermiT (owlready2) over the graph: report inconsistencies with the records that cause them, and
    write the inferred facts apart from the asserted graph."""
    from rdflib import Graph

    from kg.pipeline.export import ntriples, turtle, write_outputs
    from kg.pipeline.reason import reason

    with _graph_of(data, graph) as source:
        result = reason(Graph().parse(_built(source), format="nt"))
    if not result.consistent:
        raise BuildError(f"{result.message}; records involved: {', '.join(result.culprits)}")
    files = write_outputs(
        out,
        {
            "cybernorms-inferred.ttl": lambda: turtle(result.inferred),
            "cybernorms-inferred.nt": lambda: ntriples(result.inferred),
        },
    )
    typer.echo(f"consistent; {len(result.inferred)} inferred triples in {result.seconds:.1f} s")
    for path in files:
        typer.echo(f"wrote {path}")


@app.command("app")
def app_command(
    host: Annotated[str, typer.Option(help="Interface to bind; loopback by default.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8501,
    data: DataOption = None,
    out: Annotated[Path, typer.Option(help="Folder for the graph built from --data.")] = BUILD / "own-data",
) -> None:
    """Open the Streamlit explorer on the embedded store (building the graph first if needed)."""
    import importlib.util

    from kg.paths import ROOT

    if importlib.util.find_spec("streamlit") is None:
        raise BuildError("streamlit is not installed (hint: python3 -m pip install streamlit)")
    graph = _serving(data, out)
    os.environ["CNKG_BUILD"] = str(graph.parent)  # the explorer reads the graph of this build folder
    # this interpreter's streamlit: works in a venv that is not activated (its bin/ not on PATH)
    command = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "main.py"), "--server.headless", "true",
               "--server.address", host, "--server.port", str(port), "--browser.gatherUsageStats", "false",
               "--server.enableStaticServing", "true", "--server.fileWatcherType", "none"]
    typer.echo(f"Explorer: http://{host}:{port}/  (Ctrl-C stops it)")
    sys.stdout.flush()
    os.chdir(ROOT)
    os.execv(command[0], command)


@app.command("ingest-votes")
def ingest_votes(
    raw: Annotated[Path, typer.Argument(help="Raw voting list under data/raw/votes/.")],
    resolution: Annotated[str, typer.Option(help="Resolution id, e.g. a-res-73-27.")],
    out: Annotated[
        Path | None, typer.Option(help="Folder for the vote record (default: data/votes/ of the checkout).")
    ] = None,
    force: Annotated[bool, typer.Option(help="Replace an existing vote record.")] = False,
) -> None:
    """Turn a voting list copied from a UN press release into a vote_record YAML file."""
    from kg.pipeline.ingest import ingest_votes as run

    if out is None and not CHECKOUT:
        raise KGError("installed from a wheel, data/ is read-only (hint: pass --out FOLDER for the vote record)")
    target = run(raw, resolution=resolution, out_dir=out or DATA / "votes", force=force)
    typer.echo(f"wrote {target}")


def main() -> None:
    """Console entry point: run the app; turn unexpected errors into one line, not a traceback."""
    try:
        app()
    except KGError as error:  # the one place where the errors of every command are reported
        sys.exit(_report(error))
    except KeyboardInterrupt:
        typer.echo("interrupted; nothing was written", err=True)
        sys.exit(130)
    except Exception as error:  # last resort: one line, not a traceback
        typer.echo(f"internal error: {type(error).__name__}: {error} (hint: please report this as a bug)", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
