"""The project installs like a library: a built wheel carries the data, ontology, queries and explorer, and in a
fresh virtual environment outside the checkout `cnkg build`, `cnkg query`, `cnkg app` and the Python API work,
writing to the user's data folder (or --out), never into the installed package.

The wheel is built from a copy of the working tree (setuptools from PyPI through pip's build isolation, unless
setuptools>=68 and wheel are installed); the venv sees this interpreter's packages (--system-site-packages), so only
the wheel itself is installed. Durations are printed (`pytest -s`), not asserted: speed is measured in bench/."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

from .conftest import EXAMPLES, ROOT

REQUIRED = (  # entries a usable wheel must hold
    "kg/_resources/ontology/cybernorms.ttl",
    "kg/_resources/ontology/shapes.ttl",
    "kg/_resources/ontology/codebook.ttl",
    "kg/_resources/data/states/",
    "kg/_resources/queries/actors.rq",
    "kg/_resources/queries/qc/",
    "kg/_resources/app/main.py",
    "kg/_resources/app/views/overview.py",
    "kg/_resources/app/static/world_110m.json",
    "kg/_resources/CITATION.cff",
    "kg/publish/templates/dcat-shape.ttl",
    "kg/publish/templates/schema-org-context.jsonld",
)
SKIP_COPY = shutil.ignore_patterns(
    ".git", "build", "dist", "releases", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", ".venv", "tests",
    "bench",
)


def missing_entries(wheel: Path) -> list[str]:
    """Required entries (files, or folders given with a trailing slash) that the wheel lacks."""
    names = zipfile.ZipFile(wheel).namelist()
    return [r for r in REQUIRED if not any(n == r or (r.endswith("/") and n.startswith(r)) for n in names)]


def test_the_resource_check_notices_a_wheel_without_resources(tmp_path: Path) -> None:
    bare = tmp_path / "bare-0-py3-none-any.whl"
    with zipfile.ZipFile(bare, "w") as z:  # what the 0.2.0 wheel held: kg/ alone
        z.writestr("kg/__init__.py", "")
        z.writestr("kg/publish/templates/dcat-shape.ttl", "")
    assert "kg/_resources/data/states/" in missing_entries(bare)
    assert "kg/publish/templates/dcat-shape.ttl" not in missing_entries(bare)


def _can_build_offline() -> bool:
    try:
        major = int(version("setuptools").split(".")[0])
    except PackageNotFoundError:
        return False
    return major >= 68 and importlib.util.find_spec("wheel") is not None


@dataclass
class Installed:
    """A fresh venv with the wheel installed, a user home and a working folder, all outside the checkout."""

    python: Path
    cnkg: Path
    home: Path
    cwd: Path
    env: dict[str, str]
    wheel: Path

    def run(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        started = time.monotonic()
        done = subprocess.run(
            args, cwd=self.cwd, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        print(f"{time.monotonic() - started:6.1f} s  {' '.join(Path(a).name if '/' in a else a for a in args[:3])}")
        assert done.returncode == 0, f"{args} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        return done


def _snapshot(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    base = tmp_path_factory.mktemp("wheel")
    assert not base.resolve().is_relative_to(ROOT), "the venv must live outside the checkout"
    started = time.monotonic()
    src, dist = base / "src", base / "dist"
    shutil.copytree(ROOT, src, ignore=SKIP_COPY)
    isolation = ["--no-build-isolation"] if _can_build_offline() else []
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", *isolation, "-w", str(dist), str(src)],
        check=True, capture_output=True, timeout=600,
    )
    wheel = next(dist.glob("cybernorms_kg-*.whl"))
    print(f"\n{time.monotonic() - started:6.1f} s  wheel built ({wheel.stat().st_size} bytes)")
    venv = base / "venv"
    home, cwd = base / "home", base / "cwd"
    home.mkdir()
    cwd.mkdir()
    # nothing of the checkout or of this test run may leak in: no PYTHONPATH, no build folder, a fresh home
    env = {k: v for k, v in os.environ.items() if k not in ("CNKG_BUILD", "PYTHONPATH", "XDG_DATA_HOME")}
    env.update(HOME=str(home), PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}", PYTHONNOUSERSITE="1")
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    # --force-reinstall: an editable install of the same version outside the venv must not count as installed
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(wheel)],
                   check=True, capture_output=True, timeout=300, env=env, cwd=cwd)
    print(f"{time.monotonic() - started:6.1f} s  installed in a fresh venv")
    yield Installed(python=python, cnkg=venv / "bin" / "cnkg", home=home, cwd=cwd, env=env, wheel=wheel)


def test_the_wheel_carries_data_ontology_queries_and_explorer(installed: Installed) -> None:
    assert missing_entries(installed.wheel) == []


def test_installed_package_reads_its_own_resources_and_writes_to_the_user_folder(installed: Installed) -> None:
    out = installed.run(
        str(installed.python), "-c",
        "import kg, kg.paths as p; print(kg.__file__); print(p.ROOT); print(p.BUILD); print(p.INSTALLED)",
    ).stdout.splitlines()
    package = Path(out[0]).parent
    assert not package.is_relative_to(ROOT), f"kg was imported from the checkout: {package}"
    assert Path(out[1]) == package / "_resources" and out[3] == "True"
    assert Path(out[2]) == installed.home / ".local" / "share" / "cybernorms" / "build"
    assert not Path(out[2]).is_relative_to(package)


def test_cnkg_build_query_and_the_python_api_work_from_the_wheel(installed: Installed) -> None:
    package = installed.python.parent.parent / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    package = package / "site-packages" / "kg"
    before = _snapshot(package)
    installed.run(str(installed.cnkg), "build")
    graph = installed.home / ".local" / "share" / "cybernorms" / "build" / "cybernorms.nt"
    assert graph.stat().st_size > 1_000_000
    csv = installed.run(str(installed.cnkg), "query", "actors", "-f", "csv").stdout
    assert "\nRU," in csv or any(line.startswith("RU,") for line in csv.splitlines()), csv[:500]
    rows = installed.run(
        str(installed.python), "-c", "import kg; print(len(kg.query('actors')), len(kg.graph()))"
    ).stdout.split()
    assert int(rows[0]) > 190 and int(rows[1]) > 10_000
    assert _snapshot(package) == before, "running the installed package wrote into its own folder"
    assert list(installed.cwd.iterdir()) == []  # nothing written into the working folder either


def test_own_records_and_out_folder_from_the_wheel(installed: Installed, tmp_path: Path) -> None:
    own = tmp_path / "my-records"
    shutil.copytree(EXAMPLES / "valid", own)
    csv = installed.run(str(installed.cnkg), "query", "counts-by-type", "-f", "csv", "--data", str(own)).stdout
    states = next(int(line.split(",")[1]) for line in csv.splitlines() if line.startswith("state,"))
    assert 0 < states < 50  # the examples, not the 195 states of the bundled data
    out = tmp_path / "out"
    installed.run(str(installed.cnkg), "build", "--data", str(own), "--out", str(out))
    assert (out / "cybernorms.nt").is_file()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_cnkg_app_serves_the_explorer_from_the_wheel(installed: Installed) -> None:
    port = _free_port()
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(installed.cnkg), "app", "--port", str(port)], cwd=installed.cwd, env=installed.env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        health = ""
        while time.monotonic() - started < 180 and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    health = r.read().decode()
                    break
            except OSError:
                time.sleep(0.5)
        print(f"{time.monotonic() - started:6.1f} s  cnkg app answered /_stcore/health: {health!r}")
        assert health == "ok", proc.stdout.read() if proc.poll() is not None and proc.stdout else "no answer"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/app/static/world_110m.json", timeout=10) as r:
            assert r.status == 200  # the map geometry is served from the installed package
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
