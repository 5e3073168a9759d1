"""End to end in a real browser: the explorer started with `streamlit run` on 127.0.0.1 (a free port), driven by
headless Chromium through Selenium and Debian's chromedriver. It clicks through every page, runs queries on the
SPARQL page (one that answers, one that the read-only store refuses), checks that the map geometry loads and
that the browser asks nothing of any host but the app, and saves screenshots to build/screenshots/*.png.

Chromium is installed with tools/install-browser.sh when missing; the test is skipped only if that fails."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.pipeline.build import BuildResult

from .conftest import ROOT
from .helpers import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SHOTS = ROOT / "build" / "screenshots"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1440,1000",
]
PAGES = [  # url path, text that shows the page rendered with its data
    ("overview", "Records by type"),
    ("instruments", "Parties and their dates"),
    ("actors", "Russian Federation"),
    ("votes", "Resolutions by state"),
    ("compare", "the cell shows Strongly Supports"),
    ("timeline", "dated developments"),
    ("map", "states with a coded position on"),
    ("network", "organisations) and"),
    ("sparql", "Library query"),
]


def browser_missing() -> str | None:
    """Why no browser can be had, or None when chromium and chromedriver are (now) installed."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return None
    try:
        done = subprocess.run(
            ["bash", str(ROOT / "tools" / "install-browser.sh")],
            capture_output=True,
            text=True,
            timeout=1200,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"chromium could not be installed: {exc}"
    if done.returncode != 0 or not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
        return "chromium could not be installed (tools/install-browser.sh): " + " | ".join(tail)
    return None


@pytest.fixture(scope="module")
def app_url(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app, started as a user would, on a free loopback port."""
    reason = browser_missing()
    if reason:
        print(reason)
        pytest.skip(reason)
    port = free_port()
    log = tmp_path_factory.mktemp("streamlit") / "streamlit.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "app/main.py",
                "--server.headless", "true",
                "--server.address", "127.0.0.1",
                "--server.port", str(port),
                "--server.enableStaticServing", "true",
                "--server.fileWatcherType", "none",
                "--browser.gatherUsageStats", "false",
            ],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown can end it and anything it forked
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the app did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # the group of the server started above, nothing else


@pytest.fixture
def driver(app_url: str) -> Iterator[Any]:
    """Headless Chromium through Debian's chromedriver (no driver download: Selenium Manager stays offline); a fresh
    browser for each test, so a renderer left busy by one page cannot time out the next test."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="cnkg-chromium-")
    for flag in [*FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    drv = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    drv.set_page_load_timeout(60)
    yield drv
    drv.quit()
    shutil.rmtree(profile, ignore_errors=True)


def settle(drv: Any, *, quiet_s: float = 1.0, within_s: float = 60) -> None:
    """Wait until Streamlit has finished running the script and the page stopped changing."""
    from selenium.webdriver.common.by import By

    deadline = time.monotonic() + within_s
    time.sleep(0.3)
    last = ""
    stable_since = time.monotonic()
    while time.monotonic() < deadline:
        running = drv.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]')
        body = drv.find_element(By.TAG_NAME, "body").text
        if body != last or running:
            last, stable_since = body, time.monotonic()
        elif time.monotonic() - stable_since >= quiet_s:
            return
        time.sleep(0.2)


def wait_for_text(drv: Any, text: str, *, within_s: float = 60) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(drv, within_s).until(lambda d: text in d.find_element(By.TAG_NAME, "body").text)


def shoot(drv: Any, name: str) -> Path:
    """A screenshot of the whole page (the window is made as tall as the content, then restored)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = drv.execute_script(
        "const e = document.querySelector('[data-testid=\"stMainBlockContainer\"]');"
        "return e ? e.scrollHeight : document.body.scrollHeight;"
    )
    drv.set_window_size(1440, min(6000, int(height) + 200))
    time.sleep(1.0)
    path = SHOTS / f"{name}.png"
    drv.save_screenshot(str(path))
    drv.set_window_size(1440, 1000)
    return path


def go(drv: Any, page: str) -> None:
    """Click the page's link in the sidebar navigation."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    link = WebDriverWait(drv, 60).until(
        lambda d: d.find_element(By.CSS_SELECTOR, f'a[data-testid="stSidebarNavLink"][href$="/{page}"]')
    )
    link.click()
    settle(drv)


MAP_DRAWN = """
const svg = document.querySelector('[data-testid="stVegaLiteChart"] svg');
if (!svg) return null;
const fill = p => (p.getAttribute('fill') || '').toLowerCase();
const legend = new Set([...svg.querySelectorAll('.role-legend-symbol path')].map(fill));
const shapes = [...svg.querySelectorAll('.mark-shape path')].map(fill);
const coloured = shapes.filter(f => legend.has(f));
return {coloured: coloured.length, legend: [...legend], land: shapes.filter(f => !legend.has(f))};
"""
LOCAL = ("data:", "blob:", "chrome://", "chrome-extension://", "about:")


def map_drawn(drv: Any) -> dict[str, Any] | None:
    """The map as drawn (Vega-Lite SVG, a path per country): how many countries have a legend colour, the
    legend's colours, and the fills of the others (land with nothing recorded); None until both are drawn."""
    drawn = drv.execute_script(MAP_DRAWN)
    return drawn if drawn and drawn["coloured"] and drawn["land"] else None


def assert_map_drawn(drv: Any) -> None:
    """More than 10 countries coloured by the data (a colour of the legend), the rest one grey."""
    from selenium.webdriver.support.ui import WebDriverWait

    drawn = WebDriverWait(drv, 60).until(map_drawn)
    assert drawn["coloured"] > 10, drawn["coloured"]
    assert len(drawn["land"]) > 100 and len(set(drawn["land"])) == 1, set(drawn["land"])
    assert len(drawn["legend"]) >= 2, drawn["legend"]


NETWORK_DRAWN = """
const svg = document.querySelector('[data-testid="stVegaLiteChart"] svg');
return svg ? [svg.querySelectorAll('.mark-symbol.role-mark path').length,
              svg.querySelectorAll('.mark-rule.role-mark line').length] : [0, 0];
"""


def assert_network_drawn(drv: Any) -> None:
    """As many node symbols and link lines drawn (Vega-Lite SVG) as the page says the network has."""
    import re

    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    said = re.search(r"(\d+) nodes \(.*?\) and (\d+) links", drv.find_element(By.TAG_NAME, "body").text)
    assert said, "the page states the network's size"
    nodes, links = int(said.group(1)), int(said.group(2))
    assert nodes > 10 and links > 10, said.group(0)
    WebDriverWait(drv, 30).until(lambda d: d.execute_script(NETWORK_DRAWN) == [nodes, links])


def requested(drv: Any) -> dict[str, int | None]:
    """Every URL the browser asked for since the last call, with its HTTP status (None: no response)."""
    status: dict[str, int | None] = {}
    for entry in drv.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        params = message["params"]
        if message["method"] == "Network.requestWillBeSent":
            status.setdefault(params["request"]["url"], None)
        elif message["method"] == "Network.responseReceived":
            status[params["response"]["url"]] = int(params["response"]["status"])
    return status


def test_click_through_every_page(driver: Any, app_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(app_url)
    settle(driver)
    for n, (page, expected) in enumerate(PAGES, start=1):
        try:
            if page != "overview":
                go(driver, page)
            wait_for_text(driver, expected)
            wait_for_text(driver, "dataset version 0.3.0")
            assert not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]'), f"exception on {page}"
            if page == "map":
                assert_map_drawn(driver)
            if page == "network":
                assert_network_drawn(driver)
            if page in ("overview", "timeline", "votes"):  # Vega-Lite charts
                WebDriverWait(driver, 30).until(
                    lambda d: d.find_elements(
                        By.CSS_SELECTOR,
                        '[data-testid="stVegaLiteChart"] canvas, '
                        '[data-testid="stVegaLiteChart"] svg, .vega-embed canvas, .vega-embed svg',
                    )
                )
        except Exception:
            shoot(driver, f"FAILED-{page}")
            raise
        assert shoot(driver, f"{n:02d}-{page}").stat().st_size > 10_000
    requests = requested(driver)
    assert requests.get(f"{app_url}/app/static/world_110m.json") == 200, "the map geometry is served by the app"
    outside = sorted(u for u in requests if not u.startswith((app_url, *LOCAL)))
    assert outside == [], outside[:10]  # offline: no CDN, tiles, fonts or telemetry
    severe = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not [m for m in severe if "world_110m" in m or "ERR_NAME_NOT_RESOLVED" in m], severe


def test_selecting_a_matrix_cell_shows_its_evidence(driver: Any, app_url: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    driver.get(f"{app_url}/compare")
    settle(driver)
    wait_for_text(driver, "Russian Federation on Information sovereignty")
    frame = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stDataFrame"]')[0]
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", frame)
    settle(driver)
    grid = frame.find_element(By.TAG_NAME, "canvas")
    box = grid.rect
    # the cell in the second row (Multistakeholder governance), third column (US/EU); offsets from the centre
    x = int(box["width"] * 0.62 - box["width"] / 2)
    y = int(35 + 35 * 1.5 - box["height"] / 2)
    ActionChains(driver).move_to_element_with_offset(grid, x, y).click().perform()
    settle(driver)
    try:
        wait_for_text(driver, "US/EU on Multistakeholder governance: the cell shows Strongly Supports")
    except Exception:
        shoot(driver, "FAILED-compare-cell")
        raise
    shoot(driver, "04b-compare-cell-evidence")


def test_sparql_page_runs_and_refuses(driver: Any, app_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.get(f"{app_url}/sparql")
    settle(driver)

    def run_button() -> Any:
        return driver.find_element(By.XPATH, "//button[.//p[text()='Run query']]")

    run_button().click()
    settle(driver)
    wait_for_text(driver, "rows in")
    assert "q=counts-by-type" in driver.current_url, "permalink in the address bar"
    shoot(driver, "09-sparql-result")

    editor = driver.find_element(By.CSS_SELECTOR, '[data-testid="stTextArea"] textarea')
    editor.send_keys(Keys.CONTROL, "a")
    editor.send_keys(Keys.DELETE)
    editor.send_keys("DELETE WHERE { ?s ?p ?o }")
    editor.send_keys(Keys.CONTROL, Keys.ENTER)
    settle(driver)
    run_button().click()
    settle(driver)
    wait_for_text(driver, "updates are not allowed")
    shoot(driver, "10-sparql-refused")

    driver.get(f"{app_url}/?page=sparql&q=timeline")
    settle(driver)
    wait_for_text(driver, "rows in")
    assert "/sparql" in driver.current_url
    shoot(driver, "11-sparql-permalink")


VIEWS = [  # a view set by its link, and text that shows exactly that view
    ("actors?actor=IR", "IR / IRN"),
    ("actors?actor=IR&tab=Votes", "every ICT resolution stage"),  # a tab is part of the view
    ("instruments?id=budapest-convention", "Convention on Cybercrime"),
    ("votes?first=CN&second=IN", "China (CN) and India (IN) cast the same vote"),
    ("compare?actors=IR%2CCN&issues=information-sovereignty&rule=latest", "2 actors: Iran"),
    ("map?mode=vote&resolution=a-res-73-266", "recorded votes on A/RES/73/266"),
    ("network?focus=CN", "Neighbourhood of China (CN)"),
    ("timeline?q=oewg-2019-2021", "1 of"),
    ("sparql?q=state-record&p.state=IR", "rows in"),
    ("", "Records by type"),  # the overview is the app's root
]


def copied_link(drv: Any) -> str:
    """The link the page offers under "Copy link · Cite this view" (opened first)."""
    from selenium.webdriver.common.by import By

    summary = drv.find_element(By.XPATH, "//summary[.//*[contains(text(), 'Copy link')]]")
    drv.execute_script("arguments[0].scrollIntoView({block: 'center'});", summary)
    if summary.find_element(By.XPATH, "..").get_attribute("open") is None:
        summary.click()
        settle(drv)
    codes = [c.get_attribute("textContent") or "" for c in drv.find_elements(By.CSS_SELECTOR, "code")]
    return next(c.strip() for c in codes if c.strip().startswith("http"))


@pytest.mark.parametrize(("view", "expected"), VIEWS)
def test_every_view_is_a_link(driver: Any, app_url: str, view: str, expected: str) -> None:
    """Open a view by its link, copy the link the page offers, open that in a fresh tab: the same view."""
    from selenium.webdriver.common.by import By

    page = view.split("?")[0]
    driver.get(f"{app_url}/{view}")
    settle(driver)
    try:
        wait_for_text(driver, expected)
        if page == "map":
            assert_map_drawn(driver)
        if page == "network":
            assert_network_drawn(driver)
        link = copied_link(driver)
        assert link.startswith(f"{app_url}/{page}"), link
        for pair in view.partition("?")[2].split("&"):
            if pair:
                assert pair in link, (pair, link)
                assert pair in driver.current_url, "the address bar holds the view too"
        assert "@misc{" in (driver.find_element(By.TAG_NAME, "body").get_attribute("textContent") or "")
        driver.switch_to.new_window("tab")
        driver.get(link)
        settle(driver)
        wait_for_text(driver, expected)
        assert not driver.find_elements(By.CSS_SELECTOR, '[data-testid="stException"]')
    except Exception:
        shoot(driver, f"FAILED-link-{page}")
        raise
    shoot(driver, f"20-link-{page}")
    driver.close()
    driver.switch_to.window(driver.window_handles[0])


def test_search_box_opens_the_state(driver: Any, app_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{app_url}/timeline")
    settle(driver)
    box = driver.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"] input[aria-label="Search the graph"]')
    box.send_keys("turkey", Keys.ENTER)
    settle(driver)
    shoot(driver, "21-search-results")
    first = WebDriverWait(driver, 30).until(
        lambda d: d.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"] a[data-testid="stPageLink-NavLink"]')
    )
    assert "Türkiye" in first.text
    first.click()
    settle(driver)
    wait_for_text(driver, "TR / TUR")
    assert "/actors" in driver.current_url and "actor=TR" in driver.current_url
    shoot(driver, "22-search-opened-state")


def test_a_click_changes_the_link(driver: Any, app_url: str) -> None:
    """Choosing a tab writes it into the address bar, so a reload shows the same tab."""
    from selenium.webdriver.common.by import By

    driver.get(f"{app_url}/actors?actor=CN")
    settle(driver)
    driver.find_element(By.XPATH, "//*[@role='tab'][contains(., 'Positions')]").click()
    settle(driver)
    assert "tab=Positions" in driver.current_url and "actor=CN" in driver.current_url
    driver.refresh()
    settle(driver)
    wait_for_text(driver, "Coded positions, each with the quote and sources")


def test_compare_add_by_name_has_no_type_ahead_trap(driver: Any, app_url: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{app_url}/compare")
    settle(driver)
    box = driver.find_element(By.CSS_SELECTOR, 'input[aria-label^="Add an actor by name"]')
    box.send_keys("Iran", Keys.ENTER)
    settle(driver)
    wait_for_text(driver, "4 actors:")
    WebDriverWait(driver, 30).until(lambda d: "actors=RU%2Cus-eu%2CCN%2CIR" in d.current_url)
    assert "Russian Federation (RU), US/EU" in driver.find_element(By.TAG_NAME, "body").text
    assert driver.find_element(By.TAG_NAME, "body").text.count("Russian Federation (RU)") >= 1
    shoot(driver, "23-compare-added-iran")


def test_a_csv_download_is_made_on_click(driver: Any, app_url: str, tmp_path: Path) -> None:
    """The CSV of a table is made when its button is clicked (not on every run): it downloads, and its first line
    names the dataset version and the query."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    driver.get(app_url)
    settle(driver)
    wait_for_text(driver, "Records by type")
    driver.find_element(By.XPATH, "//button[.//p[text()='Download CSV']]").click()
    done = WebDriverWait(driver, 30).until(lambda d: [p for p in tmp_path.glob("*.csv") if p.stat().st_size])
    head, _, body = done[0].read_text(encoding="utf-8").partition("\n")
    assert done[0].name == "counts-by-type.csv"
    assert "version 0.3.0" in head and "query counts-by-type" in head, head
    assert body.startswith("type,") and "state," in body, body[:200]
