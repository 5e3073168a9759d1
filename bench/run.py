"""Benchmarks, one command: `python3 bench/run.py [--scales 1,100] [--cap 60] [--skip-load]`.

1. Queries: every library query on the embedded store (pyoxigraph) and on a plain rdflib in-memory graph (the
   baseline, measured in the same run), at the real data size and on synthetic graphs N times larger (the data
   triples copied N times under suffixed IRIs). Reported as medians and as the ratio rdflib / embedded.
2. Reasoning: HermiT over the real graph and a 10x synthetic graph.
3. Load: concurrent library queries against `cnkg serve` (Oxigraph on loopback) from a second process,
   bounded in count and time; latency percentiles.
Results go to bench/results.md and bench/results.json. Timings vary by machine: read the ratios.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rdflib import Graph, URIRef  # noqa: E402

from kg.pipeline.build import build  # noqa: E402
from kg.pipeline.export import ntriples  # noqa: E402
from kg.sparql.backends import EmbeddedStore, RdflibBackend  # noqa: E402
from kg.sparql.library import library  # noqa: E402
from kg.vocab import ID  # noqa: E402

SHARED = ("issue/", "stance/", "forum/", "regional-group/", "vote-choice/", "stage/", "scheme/")


def synthetic(graph: Graph, factor: int) -> Graph:
    """The data triples copied `factor` times; copies k>0 get IRIs suffixed `-xk` (codebook terms shared)."""
    out = Graph()
    out += graph
    data = [t for t in graph if str(t[0]).startswith(ID)]

    def rename(node: object, k: int) -> object:
        text = str(node)
        if isinstance(node, URIRef) and text.startswith(ID) and not text[len(ID) :].startswith(SHARED):
            return URIRef(f"{text}-x{k}")
        return node

    for k in range(1, factor):
        for s, p, o in data:
            out.add((rename(s, k), p, rename(o, k)))  # type: ignore[arg-type]
    return out


def time_query(backend: object, text: str, repeats: int) -> float:
    """Median seconds of `repeats` runs."""
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        backend.select(text, timeout_s=10_000)  # type: ignore[attr-defined]
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def _child(conn: object, backend: RdflibBackend, text: str, repeats: int) -> None:
    conn.send(time_query(backend, text, repeats))  # type: ignore[attr-defined]


def bench_queries(nt: Path, *, repeats: int, cap: float) -> dict[str, dict[str, float | None]]:
    """Per query: embedded and rdflib median seconds (None when rdflib exceeded the cap).

    The rdflib graph is parsed once; each query runs in a forked child (copy-on-write, no reload) that is
    killed at the cap, so one slow query does not stall the run."""
    queries = {n: q for n, q in library().items() if not q.is_violation}
    store = EmbeddedStore(nt)
    out: dict[str, dict[str, float | None]] = {}
    for name, q in sorted(queries.items()):
        out[name] = {"embedded": time_query(store, q.text, repeats), "rdflib": None}
    del store
    backend = RdflibBackend(Graph().parse(str(nt), format="nt"))
    ctx = mp.get_context("fork")
    for name, q in sorted(queries.items()):
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_child, args=(child, backend, q.text, repeats))
        proc.start()
        if parent.poll(cap * repeats):
            out[name]["rdflib"] = parent.recv()
        proc.kill()
        proc.join()
        print(f"  {name}: embedded {out[name]['embedded']:.4f} s, rdflib {out[name]['rdflib']}", flush=True)
    return out


def bench_reasoning(graph: Graph) -> dict[str, float]:
    from kg.pipeline.reason import reason

    out = {}
    for factor in (1, 10):
        g = graph if factor == 1 else synthetic(graph, factor)
        start = time.perf_counter()
        result = reason(g, explain=False)
        out[f"{factor}x"] = time.perf_counter() - start
        out[f"{factor}x_triples"] = float(len(g))
        out[f"{factor}x_consistent"] = float(result.consistent)
    return out


def bench_load(nt: Path, *, clients: int, requests: int, budget_s: float) -> dict[str, float]:
    """Start the read-only server; a second process fires library queries concurrently; percentiles."""
    from kg.publish.serve import ServerSpec, prepare_store, start

    with tempfile.TemporaryDirectory() as tmp:
        store = prepare_store(graph=nt, location=Path(tmp) / "store")
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", default="1,100", help="comma-separated synthetic factors (1 = real data)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cap", type=float, default=60.0, help="seconds per rdflib query before it is cut off")
    parser.add_argument("--skip-queries", action="store_true")
    parser.add_argument("--skip-reasoning", action="store_true")
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    previous = ROOT / "bench" / "results.json"
    # sections not re-run this time are kept from the previous run (same file), so parts can be refreshed alone
    results: dict[str, object] = json.loads(previous.read_text(encoding="utf-8")) if previous.exists() else {}
    results["python"] = sys.version.split()[0]
    with tempfile.TemporaryDirectory() as tmp:
        built = build(out=Path(tmp) / "real")
        graph = built.graph
        real_nt = Path(tmp) / "real" / "cybernorms.nt"
        for factor in [] if args.skip_queries else (int(x) for x in args.scales.split(",")):
            if factor == 1:
                nt = real_nt
                size = len(graph)
            else:
                g = synthetic(graph, factor)
                size = len(g)
                nt = Path(tmp) / f"x{factor}.nt"
                nt.write_bytes(ntriples(g))
                del g
            print(f"queries at {factor}x ({size} triples)...", flush=True)
            results[f"queries_{factor}x"] = {
                "triples": size,
                "repeats": args.repeats,
                "cap_s": args.cap * args.repeats,
                "per_query": bench_queries(nt, repeats=args.repeats, cap=args.cap),
            }
        if not args.skip_reasoning:
            print("reasoning...", flush=True)
            results["reasoning"] = bench_reasoning(graph)
        if not args.skip_load:
            print("load test...", flush=True)
            results["load"] = bench_load(real_nt, clients=8, requests=400, budget_s=120)
    (ROOT / "bench" / "results.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    (ROOT / "bench" / "results.md").write_text(report(results, cap=args.cap), encoding="utf-8")
    print(report(results, cap=args.cap))


def report(results: dict[str, object], *, cap: float) -> str:
    lines = [
        "# Benchmark results",
        "",
        "Produced by `python3 bench/run.py`; medians of repeated runs. Ratio = "
        "rdflib time / embedded (pyoxigraph) time, both measured in the same run.",
        "",
    ]
    for key, value in results.items():
        if not key.startswith("queries_"):
            continue
        assert isinstance(value, dict)
        per = value["per_query"]
        cap = float(value.get("cap_s", cap))
        lines += [
            f"## Queries at {key.removeprefix('queries_')} ({value['triples']} triples)",
            "",
            "| query | embedded ms | rdflib ms | ratio |",
            "| --- | ---: | ---: | ---: |",
        ]
        ratios = []
        for name, t in per.items():
            emb, rdf = t["embedded"], t["rdflib"]
            if rdf is None:
                reps = int(value.get("repeats", 1))
                per_run = cap / reps
                lines.append(
                    f"| {name} | {emb * 1000:.1f} | cut off ({reps} runs > {cap:.0f} s) | ~> {per_run / emb:.0f} |"
                )
                ratios.append(per_run / emb)
            else:
                lines.append(f"| {name} | {emb * 1000:.1f} | {rdf * 1000:.1f} | {rdf / emb:.1f} |")
                ratios.append(rdf / emb)
        geo = statistics.geometric_mean(ratios) if ratios else 0.0
        lines += [
            "",
            f"Geometric mean ratio: {geo:.1f} (rdflib is this many times slower; cut-off queries count "
            "at the cut-off, so the true ratio is higher).",
            "",
        ]
    if "reasoning" in results:
        r = results["reasoning"]
        assert isinstance(r, dict)
        lines += [
            "## Reasoning (HermiT via owlready2, including JVM start)",
            "",
            f"- real data ({r['1x_triples']:.0f} triples): {r['1x']:.1f} s",
            f"- 10x synthetic ({r['10x_triples']:.0f} triples): {r['10x']:.1f} s (ratio {r['10x'] / r['1x']:.1f})",
            "",
        ]
    if "load" in results:
        ld = results["load"]
        assert isinstance(ld, dict)
        lines += [
            "## Load test of `cnkg serve` (loopback, second process)",
            "",
            f"- {ld['clients']:.0f} concurrent clients, {ld['requests']:.0f} requests "
            f"({ld['errors']:.0f} errors) in {ld['wall_s']:.1f} s: {ld['rps']:.0f} requests/s",
            f"- latency ms: p50 {ld['p50_ms']:.1f}, p90 {ld['p90_ms']:.1f}, p99 {ld['p99_ms']:.1f}, "
            f"max {ld['max_ms']:.1f}",
            "",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
