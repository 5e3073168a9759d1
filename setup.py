"""Build hook: the wheel carries the repository's ontology/, data/, queries/ and app/ as `kg/_resources/`.

The folders (and CITATION.cff, the source of the release metadata) stay at the top of the repository; `kg.paths`
reads them from the package when installed from a wheel, and from the checkout otherwise (editable installs are
not copied)."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
RESOURCES = ("ontology", "data", "queries", "app", ".streamlit", "CITATION.cff")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store")


class BuildPyWithResources(build_py):
    """build_py, then copy the resource folders into the built package (not for editable installs)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "kg" / "_resources"
        shutil.rmtree(target, ignore_errors=True)
        for name in RESOURCES:
            if (HERE / name).is_dir():
                shutil.copytree(HERE / name, target / name, ignore=SKIP)
            elif (HERE / name).is_file():
                shutil.copy2(HERE / name, target / name)


setup(cmdclass={"build_py": BuildPyWithResources})
