"""Where the project's files live; every stage takes paths as options, these are the defaults.

Read-only resources (ontology/, data/, queries/, app/) come from the installed package (`kg/_resources/`, put
there when the wheel is built) or, in a checkout or editable install, from the repository itself. Output goes to
the build folder: `$CNKG_BUILD` if set, else `build/` in a checkout, else the user's data folder
(`$XDG_DATA_HOME/cybernorms/build`, `~/.local/share/cybernorms/build` by default; `~/Library/Application
Support/cybernorms/build` on macOS; `%LOCALAPPDATA%\\cybernorms\\build` on Windows), never the package's folder.
"""

from __future__ import annotations

import os
import sys
from importlib.resources import files
from pathlib import Path

__all__ = [
    "BUILD",
    "CHECKOUT",
    "CODEBOOK",
    "DATA",
    "GRAPH",
    "GRAPH_BASENAME",
    "INSTALLED",
    "ONTOLOGY",
    "QUERIES",
    "ROOT",
    "SHAPES",
    "user_data_dir",
]

_CHECKOUT = Path(__file__).resolve().parent.parent


def _resource_root() -> tuple[Path, bool]:
    """The folder holding ontology/, data/, queries/ and app/, and whether it is the installed package's copy."""
    packaged = files("kg").joinpath("_resources")
    if isinstance(packaged, Path) and (packaged / "ontology").is_dir():
        return packaged.resolve(), True
    return _CHECKOUT, False


def user_data_dir(env: dict[str, str] | None = None, platform: str = sys.platform) -> Path:
    """The platform's per-user data folder for the project (no third-party dependency).

    >>> user_data_dir({"XDG_DATA_HOME": "/x", "HOME": "/h"}, "linux").as_posix()
    '/x/cybernorms'
    >>> user_data_dir({"HOME": "/h"}, "linux").as_posix()
    '/h/.local/share/cybernorms'
    >>> user_data_dir({"HOME": "/h"}, "darwin").as_posix()
    '/h/Library/Application Support/cybernorms'
    """
    env = dict(os.environ) if env is None else env
    home = Path(env.get("HOME") or Path.home())
    if platform.startswith("win"):
        return Path(env.get("LOCALAPPDATA") or home / "AppData" / "Local") / "cybernorms"
    if platform == "darwin":
        return home / "Library" / "Application Support" / "cybernorms"
    return Path(env.get("XDG_DATA_HOME") or home / ".local" / "share") / "cybernorms"


ROOT, INSTALLED = _resource_root()  # INSTALLED: resources come from the wheel, not a checkout
CHECKOUT = not INSTALLED
ONTOLOGY = ROOT / "ontology" / "cybernorms.ttl"
CODEBOOK = ROOT / "ontology" / "codebook.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
DATA = ROOT / "data"
QUERIES = ROOT / "queries"
# the environment variable CNKG_BUILD moves the build folder; a relative value is taken from the current folder
BUILD = Path(os.environ.get("CNKG_BUILD") or (ROOT / "build" if CHECKOUT else user_data_dir() / "build")).absolute()
GRAPH_BASENAME = "cybernorms"
GRAPH = BUILD / f"{GRAPH_BASENAME}.nt"
