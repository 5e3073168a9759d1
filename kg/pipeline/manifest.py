"""Build integrity: every build is a new generation folder with a manifest, switched in by one rename.

Layout of a build folder (`kg.paths.BUILD`):

    .gen-<pid>-<random>/    cybernorms.nt, cybernorms.ttl, ..., manifest.json (names, sizes, SHA-256, version)
    current -> .gen-...     the pointer: replaced atomically (a symlink swapped with os.replace)
    cybernorms.nt -> current/cybernorms.nt      stable names, so `kg.paths.GRAPH` users find the files
    manifest.json -> current/manifest.json

A build killed at any point leaves `current` on a complete generation; its temporary folders (`.tmp-<pid>-*`)
and superseded generations are swept by the next build. `verify_built` checks a graph against its manifest.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import BuildError
from kg.paths import GRAPH, GRAPH_BASENAME

MANIFEST = "manifest.json"
CURRENT = "current"
GEN_PREFIX = ".gen-"
TMP_PREFIX = ".tmp-"
FORMAT = 1
_GRACE_S = 120.0  # a generation or temporary folder this young may belong to a build still running
STALE_MESSAGE = "the built graph is damaged or stale: run `cnkg build`"


class DamagedBuild(BuildError):
    """The built graph does not match its manifest (or has none): it must be rebuilt, not served."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"{STALE_MESSAGE} ({reason})")


@dataclass(frozen=True)
class FileEntry:
    """One file of a generation: its size in bytes and SHA-256."""

    bytes: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """What a build wrote: the dataset version, the data hash (SHA-256 of the N-Triples) and every file."""

    version: str
    data_sha256: str
    files: dict[str, FileEntry]

    def to_json(self) -> bytes:
        body = {
            "format": FORMAT,
            "dataset_version": self.version,
            "data_sha256": self.data_sha256,
            "files": {n: {"bytes": e.bytes, "sha256": e.sha256} for n, e in sorted(self.files.items())},
        }
        return (json.dumps(body, indent=1, sort_keys=True) + "\n").encode("utf-8")

    @staticmethod
    def read(path: Path) -> Manifest:
        """The manifest at `path`; DamagedBuild if it is missing or unreadable."""
        try:
            body = json.loads(path.read_bytes())
            files = {str(n): FileEntry(int(e["bytes"]), str(e["sha256"])) for n, e in body["files"].items()}
            return Manifest(str(body["dataset_version"]), str(body["data_sha256"]), files)
        except FileNotFoundError:
            raise DamagedBuild(f"no {MANIFEST} beside the graph") from None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise DamagedBuild(f"{MANIFEST} is unreadable: {type(exc).__name__}") from None


def _sha256_file(path: Path) -> str:
    from kg.sparql.citation import data_hash  # cached by size and mtime: `cnkg query` hashes once per call

    return data_hash(path)


def verify_built(graph: Path = GRAPH, *, check_all: bool = False) -> Manifest:
    """Check that `graph` (a built N-Triples file) is intact and current, before anything loads or serves it.

    The `manifest.json` beside `graph` must exist, be written by this dataset version, and list `graph` with its
    exact size and SHA-256; the other files it lists must exist with their sizes (with `check_all`, their hashes
    too). Raises `DamagedBuild` (a `KGError`: the CLI prints it without a traceback) whose message is
    "the built graph is damaged or stale: run `cnkg build` (<reason>)"; returns the manifest. A missing `graph`
    raises `BuildError` ("does not exist"). The hash is cached per process by size and mtime, so calling this
    before every query costs one read of the file per process."""
    from kg import __version__

    if not graph.exists():
        raise BuildError(f"{graph} does not exist (hint: run `cnkg build` first)")
    manifest = Manifest.read(graph.parent / MANIFEST)
    if manifest.version != __version__:
        raise DamagedBuild(f"built by dataset version {manifest.version}, this is {__version__}")
    entry = manifest.files.get(graph.name)
    if entry is None:
        raise DamagedBuild(f"{graph.name} is not listed in {MANIFEST}")
    for name, listed in sorted(manifest.files.items()):
        path = graph.parent / name
        try:
            size = path.stat().st_size
        except OSError:
            raise DamagedBuild(f"{name} is missing") from None
        if size != listed.bytes:
            raise DamagedBuild(f"{name} has {size} bytes, the manifest says {listed.bytes}")
        if (name == graph.name or check_all) and _sha256_file(path) != listed.sha256:
            raise DamagedBuild(f"{name} does not match its SHA-256 in {MANIFEST}")
    return manifest


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def sweep(out_dir: Path) -> list[Path]:
    """Remove what killed builds left behind: `.tmp-<pid>-*` entries of processes that are gone (or older than
    the grace period), and generations other than the current and the one before it. Returns what was removed."""
    try:
        entries = list(out_dir.iterdir())
    except OSError:
        return []
    now = time.time()
    current = _current(out_dir)
    removed = []
    gens = []
    for entry in entries:
        name = entry.name
        try:
            age = now - entry.lstat().st_mtime
        except OSError:
            continue
        if name.startswith(TMP_PREFIX):
            pid_text = name[len(TMP_PREFIX) :].split("-", 1)[0]
            pid = int(pid_text) if pid_text.isdigit() else None
            alive = pid is not None and pid != os.getpid() and _pid_alive(pid)
            if not alive and (pid is not None or age > _GRACE_S):
                _remove(entry)
                removed.append(entry)
        elif name.startswith(GEN_PREFIX) and entry.is_dir() and name != current:
            gens.append((entry.lstat().st_mtime, entry))
    gens.sort(reverse=True)
    for mtime, entry in gens[1:]:  # keep the newest non-current generation (readers may still hold it)
        if now - mtime > _GRACE_S:
            _remove(entry)
            removed.append(entry)
    return removed


def _current(out_dir: Path) -> str | None:
    """Name of the generation `current` points to, if any."""
    try:
        return os.readlink(out_dir / CURRENT)
    except OSError:
        return None


def _symlink_replace(target: str, link: Path) -> None:
    """Make `link` a symlink to `target` in one rename (never a moment without `link`)."""
    tmp = link.with_name(f"{TMP_PREFIX}{os.getpid()}-link-{link.name}")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, link)


class Generation:
    """A generation being written: files are added (as bytes, or written in place at `file(name)`), then
    `generation` hashes them, writes the manifest and switches to it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.names: list[str] = []
        self.digests: dict[str, str] = {}  # name -> SHA-256 of a file already complete (`seal`)

    def file(self, name: str) -> Path:
        """Where to write `name` in place (for outputs too large to hold in memory)."""
        self.names.append(name)
        return self.folder / name

    def add(self, name: str, data: bytes) -> None:
        self.file(name).write_bytes(data)

    def seal(self, name: str) -> None:
        """Hash the finished file `name` now (e.g. in a thread, beside other work) rather than at the switch;
        it must not change afterwards."""
        self.digests[name] = _sha256_of(self.folder / name)


@contextlib.contextmanager
def generation(out_dir: Path, *, replace_all: bool = False) -> Iterator[Generation]:
    """A new generation in `out_dir`: if the block completes, its manifest is written and `current` points at
    it (the one atomic step). Nothing visible changes if the block, rendering or writing fails, or the process
    is killed before the switch. Without `replace_all`, files of the current generation that are not re-rendered
    are carried over (hard links)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        sweep(out_dir)
        tmp = Path(tempfile.mkdtemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", dir=out_dir))
    except OSError as exc:
        raise BuildError(f"cannot write to {out_dir}: {exc.strerror} (hint: choose another --out)") from None
    gen = out_dir / (GEN_PREFIX + tmp.name[len(TMP_PREFIX) :])
    committed = False
    try:
        written = Generation(tmp)
        yield written
        entries = {
            name: FileEntry((tmp / name).stat().st_size, written.digests.get(name) or _sha256_of(tmp / name))
            for name in written.names
        }
        old = _current(out_dir)
        if not replace_all and old is not None:
            old_dir = out_dir / old
            with contextlib.suppress(DamagedBuild):
                previous = Manifest.read(old_dir / MANIFEST)
                for name, entry in previous.files.items():
                    if name not in entries and (old_dir / name).is_file():
                        os.link(old_dir / name, tmp / name)
                        entries[name] = entry
        from kg import __version__

        data_sha = entries[f"{GRAPH_BASENAME}.nt"].sha256 if f"{GRAPH_BASENAME}.nt" in entries else ""
        (tmp / MANIFEST).write_bytes(Manifest(__version__, data_sha, entries).to_json())
        os.rename(tmp, gen)
        _symlink_replace(gen.name, out_dir / CURRENT)  # the switch: readers see the old set or the new one
        committed = True
        for name in [*entries, MANIFEST]:
            link = out_dir / name
            if not (link.is_symlink() and os.readlink(link) == f"{CURRENT}/{name}"):
                _symlink_replace(f"{CURRENT}/{name}", link)
        for path in out_dir.iterdir():  # stable links whose file the new generation no longer has
            if path.is_symlink() and os.readlink(path).startswith(f"{CURRENT}/") and not path.exists():
                path.unlink()
    except OSError as exc:
        raise BuildError(f"cannot write to {out_dir}: {exc.strerror} (hint: check space and permissions)") from None
    finally:
        if not committed:
            _remove(tmp)
            _remove(gen)
    sweep(out_dir)


def _sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in blocks (a 100x graph is a gigabyte)."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def write_generation(out_dir: Path, files: dict[str, Callable[[], bytes]], *, replace_all: bool = False) -> list[Path]:
    """Render `files` into a new generation with a manifest, then switch to it (`generation`)."""
    with generation(out_dir, replace_all=replace_all) as gen:
        for name, render in files.items():
            gen.add(name, render())
    return [out_dir / name for name in files]
