"""Benchmarks, one command: `python3 bench/run.py` (options: `--scales 1,10,100`, `--skip-100`, `--repeats 3`,
`--query-cap 60`, `--no-cli`, `--no-explorer`, `--reasoning`, `--load`).

For each scale (1 = the real data; N = `bench/scale.py`'s N copies of it, as YAML records):
1. Build: `kg.pipeline.build.build` in a child process (wall; CPU of it and the processes it forks; peak memory
   summed over those processes, sampled from /proc), against the baseline of the same run: raw pyoxigraph bulk
   load of the built N-Triples (another child).
2. Queries: every library query on the embedded store in memory, bound exactly as `cnkg query` binds it
   (`kg.sparql.query.run`: the library's own `bind` with default parameters, rows converted to Python values);
   each in a forked child killed at the cap; the slowest is reported. Then the three slowest and `actors` through
   `cnkg query` itself, which runs them on the prepared on-disk copy of the graph.
3. CLI: `cnkg query actors -f csv` and `cnkg validate` (subprocesses, CPU of the child) against their floors:
   import pyoxigraph, load the graph, run the query, print CSV; and parse every record file with libyaml.
4. Explorer: every page's first and second visit in headless Chromium, against Streamlit's own floors in the
   same run: hello world, and hello world with one dataframe, one Vega-Lite chart, or both, the elements the pages
   are made of (`bench/explorer_pages.py`, which also runs on its own).
Machine load (load average, cores) is noted at start and end, and how fast a file is written at the start.
Results: bench/results.md and bench/results.json. Timings vary by machine and load: read the ratios, which are
measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import explorer_pages  # noqa: E402

CHILD_BUILD = """
import json, os, resource, sys, threading, time
from pathlib import Path
t0 = time.perf_counter()
peak = [0]  # the largest sum of resident memory over this process and its children (the build forks)

def tree_rss_kb(root):
    kids = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as fh:
                    ppid = int(fh.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            kids.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += kids.get(pid, [])
        try:
            with open(f"/proc/{pid}/status", "rb") as fh:
                total += next(int(line.split()[1]) for line in fh if line.startswith(b"VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total

def sample():
    while True:
        peak[0] = max(peak[0], tree_rss_kb(os.getpid()))
        time.sleep(0.1)

threading.Thread(target=sample, daemon=True).start()
from kg.pipeline.build import build
result = build(data=[Path(sys.argv[1])], out=Path(sys.argv[2]))
wall = time.perf_counter() - t0
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall_s": wall, "cpu_s": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
                  "maxrss_mb": max(me.ru_maxrss, kids.ru_maxrss) / 1024, "tree_peak_mb": peak[0] / 1024,
                  "triples": result.triples, "records": result.records}))
"""

CHILD_RAW_LOAD = """
import json, resource, sys, time
t0 = time.perf_counter()
import pyoxigraph as ox
store = ox.Store()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)
ru = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"wall_s": time.perf_counter() - t0, "cpu_s": ru.ru_utime + ru.ru_stime,
                  "maxrss_mb": ru.ru_maxrss / 1024, "triples": len(store)}))
"""

FLOOR_QUERY = """
import csv, sys
import pyoxigraph as ox
store = ox.Store()
store.bulk_load(path=sys.argv[1], format=ox.RdfFormat.N_TRIPLES)
result = store.query(open(sys.argv[2], encoding="utf-8").read())
columns = [v.value for v in result.variables]
out = csv.writer(sys.stdout)
out.writerow(columns)
for row in result:
    out.writerow(["" if row[c] is None else row[c].value for c in columns])
"""

FLOOR_VALIDATE = """
import sys
from pathlib import Path
import yaml
n = 0
for path in sorted(Path(sys.argv[1]).rglob("*.yaml")):
    if "raw" in path.parts:
        continue
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    n += len(data) if isinstance(data, list) else 1
print(n, "records")
"""


def machine(*, probe_writes: bool = False) -> dict[str, Any]:
    """Cores and load average now; with `probe_writes`, how fast 256 MB are written to a file (through the page
    cache, as a build writes its 1.4 GB at 100x: on some virtual machines this is mostly kernel time)."""
    out: dict[str, Any] = {"cores": os.cpu_count(), "loadavg": [round(x, 2) for x in os.getloadavg()]}
    if probe_writes:
        block = b"\0" * (8 << 20)
        with tempfile.NamedTemporaryFile(prefix="cnkg-bench-write-") as fh:
            start = time.perf_counter()
            for _ in range(32):
                fh.write(block)
            fh.flush()
            out["write_mb_s"] = round(256 / (time.perf_counter() - start))
    return out


def child(code: str, *args: str, timeout: float = 3600) -> dict[str, Any]:
    """Run `code` in a fresh interpreter (the worktree first on the path); its last stdout line is JSON."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"child failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def timed_command(
    argv: list[str], *, repeats: int, env: dict[str, str] | None = None, before_each: Any = None
) -> dict[str, float]:
    """Median wall and CPU seconds (user + system of the child) of a command; `before_each(i)` runs untimed."""
    walls, cpus = [], []
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    for i in range(repeats):
        if before_each is not None:
            before_each(i)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(argv, capture_output=True, env=env, check=True, timeout=600)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {"wall_s": statistics.median(walls), "cpu_s": statistics.median(cpus)}


def _query_child(conn: Any, store: Any, name: str, repeats: int) -> None:
    from kg.sparql.library import library
    from kg.sparql.query import run

    runs, rows = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        table = run(library()[name], store, timeout_s=1e9, row_cap=10**9)
        runs.append(time.perf_counter() - start)
        rows = len(table.rows)
    conn.send((statistics.median(runs), rows))


def bench_queries(store: Any, *, repeats: int, cap: float) -> dict[str, dict[str, float | int | None]]:
    """Per library query on `store` (an `EmbeddedStore`): median seconds (None when cut off at `cap`) and rows,
    bound as the CLI binds them."""
    from kg.sparql.library import library

    ctx = mp.get_context("fork")
    out: dict[str, dict[str, float | int | None]] = {}
    for name, q in sorted(library().items()):
        if q.is_violation:
            continue
        parent, kid = ctx.Pipe()
        proc = ctx.Process(target=_query_child, args=(kid, store, name, repeats))
        proc.start()
        got = parent.recv() if parent.poll(cap * repeats) else None
        proc.kill()
        proc.join()
        out[name] = {"s": got[0] if got else None, "rows": got[1] if got else None}
        shown = f"{got[0]:.3f} s, {got[1]} rows" if got else f"cut off at {cap:g} s"
        print(f"    {name}: {shown}", flush=True)
    return out


# the final ORDER BY: after the last brace, up to a LIMIT or OFFSET or the end
_ORDER_BY = re.compile(r"\bORDER\s+BY\b[^{}]*?(?=\b(?:LIMIT|OFFSET)\b[^{}]*\Z|\Z)", re.I)


def unordered(text: str) -> str:
    """The query without its final ORDER BY (a LIMIT or OFFSET after it stays): the same plan, nothing sorted.

    >>> unordered("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s")
    'SELECT ?s WHERE { ?s ?p ?o } '
    >>> unordered("SELECT ?s WHERE { ?s ?p ?o }\\nORDER BY DESC(?s) LIMIT 5")
    'SELECT ?s WHERE { ?s ?p ?o }\\nLIMIT 5'
    """
    return _ORDER_BY.sub("", text)


def _breakdown_child(conn: Any, store: Any, name: str, repeats: int) -> None:
    from kg.sparql.library import bind, library
    from kg.sparql.query import run

    query = library()[name]
    text = bind(query, {})
    times: dict[str, list[float]] = {"unordered_s": [], "ordered_s": [], "run_s": []}
    for _ in range(repeats):  # the three interleaved, so a slow spell of the machine touches all three alike
        start = time.perf_counter()
        m = sum(1 for _ in store.store.query(unordered(text)))
        times["unordered_s"].append(time.perf_counter() - start)
        start = time.perf_counter()
        n = sum(1 for _ in store.store.query(text))
        times["ordered_s"].append(time.perf_counter() - start)
        start = time.perf_counter()
        run(query, store, timeout_s=1e9, row_cap=10**9)
        times["run_s"].append(time.perf_counter() - start)
    conn.send(({k: statistics.median(v) for k, v in times.items()}, m, n))


def bench_breakdown(store: Any, names: list[str], *, repeats: int, cap: float) -> dict[str, dict[str, float]]:
    """Where the time of the given queries goes, the three timed in one process: the query without its ORDER BY
    (`unordered`), its solutions iterated without converting a term; the whole query so (adds the engine's sort);
    the full run as `bench_queries` times it (the sort done in Python where `kg.sparql.ordering` can, the rows
    converted to Python values). A query whose unordered
    solutions take most of its time needs another plan; one whose ordering or conversion does is bound by the size
    of its answer."""
    ctx = mp.get_context("fork")
    out: dict[str, dict[str, float]] = {}
    for name in names:
        parent, kid = ctx.Pipe()
        proc = ctx.Process(target=_breakdown_child, args=(kid, store, name, repeats))
        proc.start()
        got = parent.recv() if parent.poll(cap * repeats * 3) else None
        proc.kill()
        proc.join()
        if got is None:
            continue
        times, m, n = got
        if m != n:  # the rewrite changed the answer: no breakdown rather than a wrong one
            print(f"    {name}: {m} solutions unordered, {n} ordered: no breakdown", flush=True)
            continue
        out[name] = {**times, "solutions": n}
    return out


def bench_scale(factor: int, tmp: Path, *, repeats: int, cap: float) -> dict[str, Any]:
    """Build, raw load and queries at one scale."""
    data = ROOT / "data"
    if factor > 1:
        from bench.scale import scaled

        data = tmp / f"data-{factor}x"
        scaled(factor, data)
    out = tmp / f"build-{factor}x"
    print(f"  build at {factor}x...", flush=True)
    built = child(CHILD_BUILD, str(data), str(out))
    raw = child(CHILD_RAW_LOAD, str(out / "cybernorms.nt"))
    print(f"  build {built['wall_s']:.1f} s, raw load {raw['wall_s']:.2f} s; queries...", flush=True)
    from kg.sparql.backends import EmbeddedStore

    store = EmbeddedStore(out / "cybernorms.nt")  # loaded once, for the timings and the breakdown
    queries = bench_queries(store, repeats=repeats, cap=cap)
    slowest = sorted(queries, key=lambda n: -(queries[n]["s"] or float("inf")))[:3]
    print(f"  the CLI's own path for {', '.join(slowest)} and actors...", flush=True)
    cli = bench_cli_path(out / "cybernorms.nt", [*slowest, "actors"], cap=cap)
    over = [n for n, q in queries.items() if q["s"] is not None and q["s"] > 2.0]
    breakdown = bench_breakdown(store, sorted(over), repeats=repeats, cap=cap) if over else {}
    del store
    result = {
        "build": built,
        "raw_load": raw,
        "queries": queries,
        "cli_path": cli,
        "breakdown": breakdown,
        "nt": str(out / "cybernorms.nt"),
        "data": str(data),
    }
    return result


def bench_cli_path(nt: Path, names: list[str], *, cap: float) -> dict[str, dict[str, Any]]:
    """`cnkg query NAME -f csv` as a user runs it (wall, one run each after one untimed run that makes the
    prepared on-disk copy of the graph, `kg.sparql.prepared`): the queries run on that copy, not in memory."""
    cli = [sys.executable, "-c", "from kg.cli import main; main()"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        argv = [*cli, "query", name, "-f", "csv", "--graph", str(nt), "--timeout", f"{cap:g}", "--limit", "10000000"]
        runs = []
        for _ in range(2):
            start = time.perf_counter()
            done = subprocess.run(argv, capture_output=True, env=env, check=False, timeout=cap * 4 + 600)
            runs.append(time.perf_counter() - start)
        out[name] = {"wall_s": runs[-1], "ok": done.returncode == 0, "first_s": runs[0]}
        print(f"    cnkg query {name}: {runs[-1]:.2f} s{'' if done.returncode == 0 else ' (stopped)'}", flush=True)
    return out


def bench_cli(nt: Path, data: Path, *, repeats: int) -> dict[str, Any]:
    """`cnkg query` and `cnkg validate` against their floors, CPU of the child process. `validate` three ways, on
    a copy of the data with its own build folder (so its cache of each file's checks starts empty): unchanged files
    (every file's own checks from the cache, after one untimed run), one file edited before each run (a curator's
    edit-validate loop), and `--no-cache`."""
    cli = [sys.executable, "-c", "from kg.cli import main; main()"]
    out: dict[str, Any] = {
        "query": timed_command([*cli, "query", "actors", "-f", "csv", "--graph", str(nt)], repeats=repeats),
        "query_floor": timed_command(
            [sys.executable, "-c", FLOOR_QUERY, str(nt), str(ROOT / "queries" / "actors.rq")], repeats=repeats
        ),
    }
    with tempfile.TemporaryDirectory(prefix="cnkg-bench-validate-") as tmp:
        copy, env = Path(tmp) / "data", {"CNKG_BUILD": str(Path(tmp) / "build")}
        shutil.copytree(data, copy)
        edited = max(copy.rglob("*.yaml"), key=lambda p: p.stat().st_size)  # the largest file: the worst edit
        text = edited.read_text(encoding="utf-8")
        validate = [*cli, "validate", str(copy)]
        subprocess.run(validate, capture_output=True, env={**os.environ, **env}, check=True, timeout=600)
        out["validate"] = timed_command(validate, repeats=repeats, env=env)
        out["validate_edited"] = timed_command(
            validate,
            repeats=repeats,
            env=env,
            before_each=lambda i: edited.write_text(f"{text}# edit {i}\n", encoding="utf-8"),
        )
        out["validate_edited"]["file_kb"] = edited.stat().st_size / 1024
        out["validate_cold"] = timed_command([*validate, "--no-cache"], repeats=repeats, env=env)
        out["validate_floor"] = timed_command([sys.executable, "-c", FLOOR_VALIDATE, str(copy)], repeats=repeats)
    return out


def bench_reasoning(nt: Path) -> dict[str, float]:
    """HermiT (owlready2) over the built graph, including the JVM start."""
    from rdflib import Graph

    from kg.pipeline.reason import reason

    graph = Graph().parse(nt, format="nt")
    start = time.perf_counter()
    result = reason(graph, explain=False)
    return {"s": time.perf_counter() - start, "triples": float(len(graph)), "consistent": float(result.consistent)}


def bench_load(nt: Path, *, clients: int, requests: int, budget_s: float) -> dict[str, float]:
    """Start the read-only server; a second process (bench/load_client.py) fires library queries concurrently."""
    import socket

    from kg.publish.serve import ServerSpec, prepare_store, start

    with tempfile.TemporaryDirectory() as tmp:
        store = prepare_store(graph=nt, location=Path(tmp) / "store")
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        spec = ServerSpec(port=port, timeout_s=30)
        server = start(store, spec)
        try:
            proc = subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "bench" / "load_client.py"),
                    spec.query_url,
                    str(clients),
                    str(requests),
                    str(budget_s),
                ],
                capture_output=True,
                text=True,
                timeout=budget_s + 120,
                check=True,
            )
            return json.loads(proc.stdout)  # type: ignore[no-any-return]
        finally:
            server.terminate()
            server.wait(timeout=10)


def bench_explorer(*, runs: int) -> dict[str, Any]:
    """Page times of the explorer (bench/explorer_pages.py), or why they could not be taken."""
    try:
        return {"runs": runs, "rows": explorer_pages.main(["--runs", str(runs)])}
    except (SystemExit, Exception) as error:  # no Chromium, or a page that never became ready: say so in the results
        return {"runs": runs, "rows": [], "error": f"{type(error).__name__}: {error}"[:300]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1,10,100", help="comma-separated factors (1 = the real data)")
    parser.add_argument("--skip-100", action="store_true", help="leave out 100x (about 40k records)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--query-cap", type=float, default=60.0, help="seconds per query run before it is cut off")
    parser.add_argument("--no-cli", action="store_true")
    parser.add_argument("--no-explorer", action="store_true", help="leave out the explorer's page times (Chromium)")
    parser.add_argument("--reasoning", action="store_true", help="also time HermiT on the real graph")
    parser.add_argument("--load", action="store_true", help="also load-test `cnkg serve` (8 clients, 400 queries)")
    args = parser.parse_args()
    scales = [int(x) for x in args.scales.split(",") if not (args.skip_100 and int(x) >= 100)]
    start = machine(probe_writes=True)
    results: dict[str, Any] = {"python": sys.version.split()[0], "machine_start": start, "scales": {}}
    with tempfile.TemporaryDirectory(prefix="cnkg-bench-") as tmp:
        for factor in scales:
            print(f"{factor}x", flush=True)
            results["scales"][str(factor)] = bench_scale(factor, Path(tmp), repeats=args.repeats, cap=args.query_cap)
            if factor == 1 and not args.no_cli:
                print("  CLI...", flush=True)
                nt = Path(results["scales"]["1"]["nt"])
                results["cli"] = bench_cli(nt, ROOT / "data", repeats=max(5, args.repeats))
                if args.reasoning:
                    results["reasoning"] = bench_reasoning(nt)
                if args.load:
                    results["load"] = bench_load(nt, clients=8, requests=400, budget_s=120)
        if not args.no_explorer:
            print("explorer...", flush=True)
            results["explorer"] = bench_explorer(runs=args.repeats)
        shutil.rmtree(tmp, ignore_errors=True)
    results["machine_end"] = machine()
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    (ROOT / "bench" / "results.md").write_text(report(results), encoding="utf-8")
    print(report(results))


def report(results: dict[str, Any]) -> str:
    """The results as Markdown."""
    start, end = results["machine_start"], results["machine_end"]
    lines = [
        "# Benchmark results",
        "",
        "Produced by `python3 bench/run.py` (see its docstring); medians of repeated runs; ratios are against "
        "baselines measured in the same run.",
        f"Machine: {start['cores']} cores, load average {start['loadavg']} at start and {end['loadavg']} at end "
        "(the machine is shared: absolute times vary, ratios less). Python " + results["python"] + "."
        + (f" Writing a file ran at {start['write_mb_s']} MB/s." if "write_mb_s" in start else ""),
        "",
        "## Build against raw pyoxigraph load",
        "",
        "| scale | records | triples | build s | CPU s | peak MB | triples/s | raw load s | build / raw load |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    scales = results["scales"]
    for factor, r in scales.items():
        b, raw = r["build"], r["raw_load"]
        lines.append(
            f"| {factor}x | {b['records']} | {b['triples']} | {b['wall_s']:.1f} | {b['cpu_s']:.1f} | "
            f"{b['tree_peak_mb']:.0f} ({b['maxrss_mb']:.0f}) | {b['triples'] / b['wall_s']:,.0f} | "
            f"{raw['wall_s']:.2f} | "
            f"{b['wall_s'] / raw['wall_s']:.1f} |"
        )
    lines += [
        "",
        "Build: `kg.pipeline.build.build` as `cnkg build` runs it, from its start in a fresh process; CPU of the "
        "build and the processes it forks; peak MB = the largest sum of resident memory over the build's "
        "processes (sampled every 0.1 s; pages shared after a fork count in each), largest single process in "
        "brackets. Its stages overlap on two cores "
        "(`kg.pipeline.build`).",
    ]
    lines += ["", "## Queries (embedded store, parameters bound as `cnkg query` binds them)", ""]
    names = sorted({n for r in scales.values() for n in r["queries"]})
    lines += ["| query | " + " | ".join(f"{f}x s (rows)" for f in scales) + " |", "| --- |" + " ---: |" * len(scales)]
    for name in names:
        cells = []
        for r in scales.values():
            q = r["queries"].get(name, {})
            cells.append("cut off" if q.get("s") is None else f"{q['s']:.3f} ({q['rows']})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    for factor, r in scales.items():
        timed = [(q["s"] if q["s"] is not None else float("inf"), n) for n, q in r["queries"].items()]
        worst = max(timed)
        took = "cut off at the cap" if worst[0] == float("inf") else f"{worst[0]:.3f} s"
        over = [n for s, n in timed if s > 2.0]  # cut off counts as over
        lines.append(f"- slowest at {factor}x: `{worst[1]}` {took}; over 2 s: {len(over)} of {len(timed)}")
    broken = [(f, n, b) for f, r in scales.items() for n, b in r.get("breakdown", {}).items()]
    if broken:
        lines += [
            "",
            "Where the time of each query over 2 s goes (`bench_breakdown`, the three timed in one process, "
            "interleaved): the query without its ORDER BY, its solutions iterated without converting a term (the "
            "engine's plan and handing out solutions); the whole query so (adds the engine's own sort); the full "
            "run as `cnkg query` runs it (a final ORDER BY of plain variables sorted in Python instead, "
            "`kg.sparql.ordering`; each row converted to Python values).",
            "",
            "| scale | query | solutions | unordered s | ordered s | full run s |",
            "| --- | --- | ---: | ---: | ---: | ---: |",
        ]
        for factor, name, b in broken:
            lines.append(
                f"| {factor}x | `{name}` | {b['solutions']:.0f} | {b['unordered_s']:.2f} | {b['ordered_s']:.2f} | "
                f"{b['run_s']:.2f} |"
            )
    if any("cli_path" in r for r in scales.values()):
        lines += [
            "",
            "The same queries through `cnkg query NAME -f csv` (wall s, whole command, second run): the CLI opens "
            "the prepared on-disk copy of the graph instead of loading it into memory, so its joins read RocksDB, "
            "not memory.",
            "",
            "| scale | query | in memory s | `cnkg query` s |",
            "| --- | --- | ---: | ---: |",
        ]
        for factor, r in scales.items():
            for name, c in r.get("cli_path", {}).items():
                mem = r["queries"].get(name, {}).get("s")
                shown = f"{c['wall_s']:.2f}" + ("" if c["ok"] else " (stopped at the cap)")
                lines.append(f"| {factor}x | `{name}` | {'cut off' if mem is None else f'{mem:.2f}'} | {shown} |")
    if "cli" in results:
        c = results["cli"]
        lines += [
            "",
            "## CLI against its floor (CPU seconds of the child process, real data)",
            "",
            "| command | CPU s | wall s | floor CPU s | ratio (CPU) |",
            "| --- | ---: | ---: | ---: | ---: |",
            f"| `cnkg query actors -f csv` | {c['query']['cpu_s']:.2f} | {c['query']['wall_s']:.2f} | "
            f"{c['query_floor']['cpu_s']:.2f} | {c['query']['cpu_s'] / c['query_floor']['cpu_s']:.2f} |",
            *(
                f"| `cnkg validate`{label} | {c[key]['cpu_s']:.2f} | {c[key]['wall_s']:.2f} | "
                f"{c['validate_floor']['cpu_s']:.2f} | {c[key]['cpu_s'] / c['validate_floor']['cpu_s']:.2f} |"
                for key, label in (
                    ("validate", ", files unchanged (their own checks cached)"),
                    ("validate_edited", f", one file edited ({c.get('validate_edited', {}).get('file_kb', 0):.0f} KB)"),
                    ("validate_cold", " --no-cache"),
                )
                if key in c
            ),
            "",
            "Floors: import pyoxigraph, load the graph, run the query, print CSV; parse every record file with "
            "libyaml (no checks). `cnkg validate` keeps each file's own checks in the build folder, keyed by the "
            "file's bytes and the code; the checks between records run every time.",
        ]
    if "reasoning" in results:
        r = results["reasoning"]
        lines += ["", f"HermiT on the real graph ({r['triples']:.0f} triples): {r['s']:.1f} s."]
    if "load" in results:
        ld = results["load"]
        lines += [
            "",
            f"Load test of `cnkg serve`: {ld['clients']:.0f} clients, {ld['requests']:.0f} requests "
            f"({ld['errors']:.0f} errors), {ld['rps']:.0f} requests/s, p50 {ld['p50_ms']:.1f} ms, "
            f"p99 {ld['p99_ms']:.1f} ms.",
        ]
    ex = results.get("explorer")
    if ex and ex.get("rows"):
        lines += ["", "## Explorer pages", "", explorer_pages.table(ex["rows"], runs=ex["runs"]).rstrip()]
    else:
        lines += ["", "Explorer page times: not run" + (f" ({ex['error']})" if ex else " (`--no-explorer`).")]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
