"""Load client for `cnkg serve`: CLIENTS threads send library queries (round robin) until REQUESTS are done or
BUDGET seconds pass; prints JSON with latency percentiles. Loopback only; bounded in count and time."""

from __future__ import annotations

import json
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.sparql.library import library  # noqa: E402


def main() -> None:
    url, clients, requests, budget = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    if not url.startswith(("http://127.", "http://localhost", "http://[::1]")):
        raise SystemExit("load tests target loopback only")
    texts = [q.text for q in library().values() if not q.is_violation]
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    counter = iter(range(requests))
    deadline = time.monotonic() + budget

    def worker() -> None:
        nonlocal errors
        while time.monotonic() < deadline:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            data = urllib.parse.urlencode({"query": texts[i % len(texts)]}).encode()
            req = urllib.request.Request(url, data=data, headers={"Accept": "application/sparql-results+json"})
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(req, timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except Exception:
                ok = False
            elapsed = time.perf_counter() - start
            with lock:
                latencies.append(elapsed)
                errors += 0 if ok else 1

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - start
    qs = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [latencies[0]] * 99
    print(
        json.dumps(
            {
                "clients": clients,
                "requests": len(latencies),
                "errors": errors,
                "wall_s": wall,
                "rps": len(latencies) / wall,
                "p50_ms": qs[49] * 1000,
                "p90_ms": qs[89] * 1000,
                "p99_ms": qs[98] * 1000,
                "max_ms": max(latencies) * 1000,
            }
        )
    )


if __name__ == "__main__":
    main()
