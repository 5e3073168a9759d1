"""Explorer page times in a real browser: `python3 bench/explorer_pages.py [--url URL] [--runs 3] [--out FILE]`.

Starts the explorer (`streamlit run app/main.py` on a free loopback port) unless --url is given, then opens
each page in headless Chromium (Debian's chromium and chromedriver, as tests/test_browser.py) twice per run:
a first visit (new browser, empty cache) and a second visit (same browser, the page's link opened again).
A page is ready when Streamlit has stopped running the script (the app root's script state), the page's own
text is shown, no element is still a loading placeholder and every chart on it is drawn. The floors are measured
by the same rule: Streamlit's hello world, and the same with one dataframe, one Vega-Lite chart, or both (the
elements the pages are made of; the table counts each page's). All run with the file watcher off, as the
explorer is deployed. Prints a Markdown table
(medians over the runs) and, with --out, writes it; `main()` returns the rows, so bench/run.py can call it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
PAGES = [  # url path (with a view), text that shows the page rendered with its data
    ("", "Records by type"),
    ("instruments", "Parties and their dates"),
    ("actors?actor=RU", "EEG"),
    ("votes", "Resolutions by state"),
    ("compare", "the cell shows"),
    ("timeline", "dated developments"),
    ("map", "states with a coded position on"),
    ("network", "organisations) and"),
    ("sparql?q=counts-by-type", "rows in"),
]
HELLO = 'import streamlit as st\nst.title("Hello")\nst.write("hello world")\n'  # the floor: Streamlit itself
_FRAME = 'st.dataframe(pd.DataFrame({"a": range(20), "b": [f"row {i}" for i in range(20)]}), hide_index=True)\n'
_CHART = (
    'st.vega_lite_chart({"data": {"values": [{"x": i, "y": i * i} for i in range(20)]}, "mark": "bar", "encoding": '
    '{"x": {"field": "x", "type": "ordinal"}, "y": {"field": "y", "type": "quantitative"}}}, width="stretch")\n'
)
# Streamlit's own floors for the elements the pages are made of (20 rows, 20 bars): what a page with them cannot go
# under on this machine, whatever the explorer does
FLOORS = [
    ("Streamlit hello world (floor)", HELLO),
    ("floor + one dataframe", "import pandas as pd\n" + HELLO + _FRAME),
    ("floor + one Vega-Lite chart", HELLO + _CHART),
    ("floor + one dataframe and one chart", "import pandas as pd\n" + HELLO + _FRAME + _CHART),
]
FRAMES = '[data-testid="stDataFrame"]'
CHART_HOSTS = '[data-testid="stPlotlyChart"], [data-testid="stVegaLiteChart"], [data-testid="stArrowVegaLiteChart"]'


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def explorer(script: str = "app/main.py") -> Iterator[str]:
    """The explorer (or another Streamlit script) started as a user would; ended (with anything it forked)."""
    port = free_port()
    log = open(tempfile.mktemp(prefix="cnkg-bench-streamlit-", suffix=".log"), "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
         "--server.address", "127.0.0.1", "--server.port", str(port), "--server.enableStaticServing", "true",
         "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.read().decode().strip() == "ok":
                    break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the explorer did not start (log: {log.name})")
            time.sleep(0.3)
        yield url
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def browser() -> Any:
    """Headless Chromium through Debian's chromedriver, with a fresh profile (so a first visit is cold)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--window-size=1440,1000",
        "--disable-background-networking",
        f"--user-data-dir={tempfile.mkdtemp(prefix='cnkg-bench-')}",
    ):
        options.add_argument(flag)
    drv = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    drv.set_page_load_timeout(90)
    return drv


def ready(drv: Any, text: str) -> bool:
    """Whether the page is ready: Streamlit says the script run is over (the app root's script state, not the
    status widget, which only shows after 0.5 s of running and fades out for 0.2 s), its text is shown, no
    element is still a placeholder while its component loads, and every chart host has drawn."""
    script = (
        "const app = document.querySelector('[data-testid=\"stApp\"]');"
        "const idle = !!app && app.getAttribute('data-test-script-state') === 'notRunning'"
        " && app.getAttribute('data-test-connection-state') === 'CONNECTED';"
        "const body = document.body.innerText;"
        "const loading = document.querySelectorAll('[data-testid=\"stSkeleton\"]').length;"
        f"const hosts = [...document.querySelectorAll('{CHART_HOSTS}')].filter(h => h.offsetParent !== null);"
        f"const drawn = hosts.filter(h => h.querySelector('canvas, svg, .js-plotly-plot')).length;"
        "return [idle, body.includes(arguments[0]), loading, hosts.length, drawn];"
    )
    idle, shown, loading, hosts, drawn = drv.execute_script(script, text)
    return bool(idle and shown and not loading and drawn >= hosts)  # charts in hidden tabs are not waited for


def elements(drv: Any) -> tuple[int, int]:
    """The dataframes and charts shown on the page (those in hidden tabs or closed expanders not counted)."""
    script = (
        f"const shown = s => [...document.querySelectorAll(s)].filter(h => h.offsetParent !== null).length;"
        f"return [shown('{FRAMES}'), shown('{CHART_HOSTS}')];"
    )
    frames, charts = drv.execute_script(script)
    return int(frames), int(charts)


def visit(drv: Any, url: str, text: str, *, within_s: float = 60.0) -> float:
    """Seconds from navigation to the page being ready (polled every 10 ms, besides the poll's own round trip)."""
    start = time.perf_counter()
    drv.get(url)
    while time.perf_counter() - start < within_s:
        if ready(drv, text):
            return time.perf_counter() - start
        time.sleep(0.01)
    return float("nan")


def measure(base: str, *, runs: int, pages: list[tuple[str, str]] = PAGES) -> list[dict[str, Any]]:
    """First and second visit of every page, `runs` times (a new browser per run and page)."""
    out = []
    for path, text in pages:
        first: list[float] = []
        second: list[float] = []
        shown = (0, 0)
        for _ in range(runs):
            drv = browser()
            try:
                first.append(visit(drv, f"{base}/{path}", text))
                drv.get("about:blank")
                second.append(visit(drv, f"{base}/{path}", text))
                shown = elements(drv)
            finally:
                drv.quit()
        out.append(
            {
                "page": f"`/{path}`",
                "first_s": statistics.median(first),
                "second_s": statistics.median(second),
                "first_all": first,
                "second_all": second,
                "dataframes": shown[0],
                "charts": shown[1],
            }
        )
    return out


def table(rows: list[dict[str, Any]], *, runs: int) -> str:
    """The results as a Markdown table, with the machine's load."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    lines = [
        f"Explorer pages in headless Chromium, median of {runs} run(s); load average {load} "
        f"on {os.cpu_count()} cores. Ready = script finished, page text shown, no placeholder left, every chart "
        "drawn. The floors are Streamlit pages holding only the elements named (20 rows, 20 bars), started with the "
        "same flags: a page with those elements cannot be faster here, whatever it does.",
        "",
        "| page | dataframes | charts | first visit (s) | second visit (s) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        shown = f"{r.get('dataframes', '')} | {r.get('charts', '')}"
        lines.append(f"| {r['page']} | {shown} | {r['first_s']:.2f} | {r['second_s']:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    """Measure the explorer's pages; print (and with --out write) the table; return the rows."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="", help="an explorer already running (default: start one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="write the Markdown table here")
    args = parser.parse_args(argv)
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        raise SystemExit("chromium and chromedriver are needed (hint: bash tools/install-browser.sh)")
    with contextlib.ExitStack() as stack:
        base = args.url.rstrip("/") or stack.enter_context(explorer())
        browser().quit()  # warm the driver binary once, so the first page is not charged for it
        rows = measure(base, runs=args.runs)
        folder = Path(tempfile.mkdtemp(prefix="cnkg-bench-floors-"))
        for i, (label, code) in enumerate(FLOORS):
            script = folder / f"floor{i}.py"
            script.write_text(code, encoding="utf-8")
            with explorer(str(script)) as url:
                floor = measure(url, runs=args.runs, pages=[("", "hello world")])
            rows.append({**floor[0], "page": label})
    text = table(rows, runs=args.runs)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return rows


if __name__ == "__main__":
    main()
