"""Where an explorer page's time goes: `python3 bench/explorer_profile.py [--runs 2] [--out FILE]`.

Starts the explorer (and Streamlit's hello world, the floor) with hooks in the server process that log every
script run (start, end), every query that reaches the store (a cache miss) and every websocket message (type,
bytes), and opens each page of bench/explorer_pages.py in headless Chromium with a sampler injected before the
page's own scripts (every 5 ms: connection, script state, page text, charts drawn). Prints one row per page
and visit: the browser's milestones (ms from navigation), the server's script runs and their time, queries,
elements sent and websocket bytes. A measuring tool only; the app is not changed by it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import explorer_pages as pages

HOOKS = r'''
import json, os, sys, time, threading
LOG = open(os.environ["CNKG_PROFILE_LOG"], "a", buffering=1)
LOCK = threading.Lock()
def log(**kw):
    with LOCK:
        LOG.write(json.dumps({"t": time.time(), **kw}) + "\n")
from streamlit.runtime import app_session
_orig = app_session.AppSession._on_scriptrunner_event
def _on_event(self, sender, event, *a, **kw):
    if event.name in ("SCRIPT_STARTED", "SCRIPT_STOPPED_WITH_SUCCESS", "SCRIPT_STOPPED_FOR_RERUN",
                      "SCRIPT_STOPPED_WITH_COMPILE_ERROR"):
        log(ev=event.name, session=self.id)
    return _orig(self, sender, event, *a, **kw)
app_session.AppSession._on_scriptrunner_event = _on_event
from streamlit.web.server.starlette import starlette_websocket as ws
from streamlit.runtime.runtime_util import serialize_forward_msg
_write = ws.StarletteClientContext if False else None
for _cls in vars(ws).values():
    if isinstance(_cls, type) and "write_forward_msg" in vars(_cls):
        _w = _cls.write_forward_msg
        def _wfm(self, msg, _w=_w):
            kind = msg.WhichOneof("type")
            sub = ""
            if kind == "delta":
                sub = msg.delta.WhichOneof("type") or ""
                if sub == "new_element":
                    sub = msg.delta.new_element.WhichOneof("type") or ""
            log(ev="msg", kind=kind, sub=sub, bytes=msg.ByteSize())
            return _w(self, msg)
        _cls.write_forward_msg = _wfm
try:
    from kg.explore import results as _results
    _rq = _results.run_query
    def _run_query(backend, name, *a, **kw):
        t0 = time.perf_counter()
        try:
            return _rq(backend, name, *a, **kw)
        finally:
            log(ev="query", name=name, s=time.perf_counter() - t0)
    _results.run_query = _run_query
except ImportError:
    pass
if os.environ.get("CNKG_PROFILE_SAMPLES"):
    import collections, traceback
    COUNTS = collections.Counter()
    IDLE = ("select", "poll", "wait", "sleep", "_worker", "accept", "recv", "read", "get", "run_forever")
    def _sample():
        me = threading.get_ident()
        n = 0
        while True:
            names = {t.ident: t.name for t in threading.enumerate()}
            for ident, frame in sys._current_frames().items():
                if ident == me:
                    continue
                stack = traceback.extract_stack(frame)
                if stack and stack[-1].name in IDLE:
                    continue
                sig = " < ".join(f"{os.path.basename(f.filename)}:{f.name}" for f in reversed(stack[-8:]))
                COUNTS[(names.get(ident, "?")[:20], sig)] += 1
            time.sleep(0.002)
            n += 1
            if n % 500 == 0:
                with open(os.environ["CNKG_PROFILE_SAMPLES"], "w") as f:
                    json.dump([[k[0], k[1], v] for k, v in COUNTS.most_common(300)], f)
    threading.Thread(target=_sample, daemon=True, name="sampler").start()
sys.argv = ["streamlit", *sys.argv[1:]]
from streamlit.web import cli
cli.main()
'''

SAMPLER = r"""
window.__prof = {marks: {}, states: []};
(function () {
  const P = window.__prof;
  const mark = (k) => { if (!(k in P.marks)) P.marks[k] = Math.round(performance.now()); };
  let last = "";
  const tick = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (app) {
      mark("app");
      const s = app.getAttribute("data-test-script-state") + "/" + app.getAttribute("data-test-connection-state");
      if (s !== last) { P.states.push([Math.round(performance.now()), s]); last = s; }
      if (app.getAttribute("data-test-connection-state") === "CONNECTED") mark("connected");
      const body = document.body.innerText;
      if (window.__want && body.includes(window.__want)) mark("text");
      const hosts = [...document.querySelectorAll(HOSTS)].filter(h => h.offsetParent !== null);
      if (hosts.length) mark("chart_host");
      const drawn = hosts.filter(h => h.querySelector("canvas, svg")).length;
      if (hosts.length && drawn >= hosts.length) mark("charts_drawn");
      if (document.querySelector('[data-testid="stStatusWidget"]')) mark("status_widget");
    }
    setTimeout(tick, 5);
  };
  tick();
})();
"""


@contextlib.contextmanager
def hooked(script: str, log: Path) -> Iterator[str]:
    """`bench.explorer_pages.explorer`, with the hooks loaded in the server process."""
    old = sys.executable
    boot = Path(tempfile.mkdtemp(prefix="cnkg-prof-")) / "boot.py"
    boot.write_text(HOOKS, encoding="utf-8")
    os.environ["CNKG_PROFILE_LOG"] = str(log)
    real_popen = pages.subprocess.Popen

    def popen(cmd: list[str], **kw: Any) -> Any:
        assert cmd[1:3] == ["-m", "streamlit"]
        return real_popen([old, str(boot), *cmd[3:]], **kw)

    server = pages.explorer(script)
    pages.subprocess.Popen = popen  # type: ignore[misc]
    try:
        url = server.__enter__()
    finally:
        pages.subprocess.Popen = real_popen  # type: ignore[misc]
    try:
        yield url
    finally:
        server.__exit__(None, None, None)


def events(log: Path, since: float, until: float) -> list[dict[str, Any]]:
    """Server events logged between two wall-clock times."""
    out = []
    for line in log.read_text(encoding="utf-8").splitlines():
        e = json.loads(line)
        if since <= e["t"] <= until:
            out.append(e)
    return out


def summary(evs: list[dict[str, Any]]) -> dict[str, Any]:
    """Script runs (count, seconds), queries run, elements and websocket bytes of one visit."""
    runs, start, run_s = 0, None, []
    for e in evs:
        if e["ev"] == "SCRIPT_STARTED":
            start = e["t"]
            runs += 1
        elif e["ev"].startswith("SCRIPT_STOPPED") and start is not None:
            run_s.append(e["t"] - start)
            start = None
    msgs = [e for e in evs if e["ev"] == "msg"]
    elements = [e for e in msgs if e["kind"] == "delta" and e["sub"] not in ("add_block", "")]
    kinds: dict[str, int] = {}
    for e in elements:
        kinds[e["sub"]] = kinds.get(e["sub"], 0) + e["bytes"]
    return {
        "runs": runs,
        "run_ms": [round(1000 * s) for s in run_s],
        "queries": [(e["name"], round(1000 * e["s"])) for e in evs if e["ev"] == "query"],
        "elements": len(elements),
        "blocks": sum(1 for e in msgs if e["sub"] == "add_block"),
        "ws_kb": round(sum(e["bytes"] for e in msgs) / 1024, 1),
        "top_kb": sorted(((k, round(b / 1024, 1)) for k, b in kinds.items()), key=lambda kv: -kv[1])[:4],
    }


def visit(drv: Any, url: str, text: str, log: Path) -> dict[str, Any]:
    """One visit: the browser's milestones (ms from navigation start) and the server's events meanwhile."""
    since = time.time()
    start = time.perf_counter()
    drv.get(url)
    drv.execute_script("window.__want = arguments[0];", text)
    wall = float("nan")
    while time.perf_counter() - start < 60:
        if pages.ready(drv, text):  # the bench's own rule
            wall = time.perf_counter() - start
            break
        time.sleep(0.005)
    time.sleep(0.6)  # let a rerun the page may trigger after it looked done show up in the log
    prof = drv.execute_script(
        "const n = performance.getEntriesByType('navigation')[0];"
        "return [window.__prof, n ? [n.responseEnd, n.domContentLoadedEventEnd, n.loadEventEnd] : null,"
        " performance.timeOrigin];"
    )
    marks, nav, origin = prof[0], prof[1], prof[2] / 1000
    done = [t for t, s in marks["states"] if s.startswith("notRunning")]
    return {
        "wall_ms": round(1000 * wall),
        "load_ms": round(nav[2]) if nav else None,
        **{k: marks["marks"].get(k) for k in ("connected", "text", "chart_host", "charts_drawn", "status_widget")},
        "first_done": done[0] if done else None,
        "states": marks["states"],
        **summary(evs := events(log, since, time.time())),
        **server_marks(evs, origin),
    }


def server_marks(evs: list[dict[str, Any]], origin: float) -> dict[str, Any]:
    """The server's milestones of a visit in ms from the browser's navigation start (same machine, same clock):
    first script start and stop, and when the script_finished message was handed to the websocket."""

    def at(pred: Any) -> int | None:
        hit = next((e["t"] for e in evs if pred(e)), None)
        return round(1000 * (hit - origin)) if hit is not None else None

    return {
        "srv_start": at(lambda e: e["ev"] == "SCRIPT_STARTED"),
        "srv_stop": at(lambda e: e["ev"].startswith("SCRIPT_STOPPED")),
        "srv_finished_msg": at(lambda e: e["ev"] == "msg" and e["kind"] == "script_finished"),
    }


def profile(
    base: str, log: Path, *, runs: int, page_list: list[tuple[str, str]], label: str = ""
) -> list[dict[str, Any]]:
    """Every page, first and second visit, `runs` times, in a fresh browser per run."""
    out = []
    for path, text in page_list:
        for n in range(runs):
            drv = pages.browser()
            try:
                drv.execute_cdp_cmd(
                    "Page.addScriptToEvaluateOnNewDocument",
                    {"source": SAMPLER.replace("HOSTS", json.dumps(pages.CHART_HOSTS))},
                )
                for which in ("first", "second"):
                    row = visit(drv, f"{base}/{path}", text, log)
                    out.append({"page": label or f"/{path}", "visit": which, "run": n, **row})
                    drv.get("about:blank")
            finally:
                drv.quit()
    return out


def report(rows: list[dict[str, Any]]) -> str:
    """A Markdown table of medians over runs (ms from navigation start), with the server's numbers: script runs,
    script time, queries (of the first run: a cold cache), elements and websocket bytes."""
    cols = [("connected", "ws connected"), ("srv_start", "script starts"), ("srv_stop", "script ends"),
            ("srv_finished_msg", "finished sent"), ("first_done", "browser notRunning"), ("text", "text shown"),
            ("charts_drawn", "charts drawn"), ("wall_ms", "ready")]  # fmt: skip
    lines = [
        "| page | visit | " + " | ".join(t for _, t in cols) + " | runs | script ms | queries ms (cold) | elements "
        "| ws KB | biggest KB |",
        "| --- | --- | " + " | ".join("---:" for _ in cols) + " | ---: | ---: | --- | ---: | ---: | --- |",
    ]
    keys = list(dict.fromkeys((r["page"], r["visit"]) for r in rows))
    for page, which in keys:
        rs = [r for r in rows if r["page"] == page and r["visit"] == which]

        def med(k: str, rs: list[dict[str, Any]] = rs) -> str:
            vals = [r[k] for r in rs if isinstance(r.get(k), int | float) and r[k] == r[k]]
            return f"{statistics.median(vals):.0f}" if vals else "-"

        cold = rs[0]
        script = statistics.median(sum(r["run_ms"]) for r in rs)
        queries = f"{sum(ms for _, ms in cold['queries'])} ({len(cold['queries'])})"
        lines.append(
            f"| `{page}` | {which} | " + " | ".join(med(k) for k, _ in cols)
            + f" | {cold['runs']} | {script:.0f} | {queries} | {cold['elements']} | {cold['ws_kb']} "
            f"| {', '.join(f'{k} {v}' for k, v in cold['top_kb'])} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Profile the explorer's pages and the floor; print (and with --out write) the table and the raw rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--pages", default="", help="comma-separated url paths (default: all of explorer_pages)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    wanted = [p for p in args.pages.split(",") if p]
    page_list = [p for p in pages.PAGES if not wanted or p[0] in wanted]
    log = Path(tempfile.mktemp(prefix="cnkg-prof-", suffix=".jsonl"))
    log.touch()
    pages.browser().quit()
    with hooked("app/main.py", log) as base:
        rows = profile(base, log, runs=args.runs, page_list=page_list)
    hello = Path(tempfile.mkdtemp(prefix="cnkg-bench-hello-")) / "hello.py"
    hello.write_text(pages.HELLO, encoding="utf-8")
    with hooked(str(hello), log) as base:
        rows += profile(base, log, runs=args.runs, page_list=[("", "hello world")], label="hello world")
    text = report(rows)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
        args.out.with_suffix(".json").write_text(json.dumps(rows, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
