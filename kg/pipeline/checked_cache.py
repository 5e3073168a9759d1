"""Each file's own checks (load, then `check_record` for each record) kept between `cnkg validate` calls.

An entry is keyed by the file's bytes, its path, the day, and a digest of the code that checks it (every module of
the package, pydantic's and PyYAML's versions), so a curator who edits one file re-checks that file only, and a changed
checker never meets an old result. The checks between records (unique ids, references, codebook terms, roll calls)
always run again over every record. Entries are pickles, read only from a folder owned by this user and writable by
no one else; anything that stops the cache (a read-only or foreign folder, a broken entry) means checking afresh.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import pickle
import stat
import sys
import time
from functools import lru_cache
from pathlib import Path

from kg.errors import Problem
from kg.pipeline.load import MAX_FILE_BYTES
from kg.pipeline.validate import Own

PerFile = tuple[list[Problem], list[Own]]  # one file's problems, and its records after their own checks
FORMAT = b"checked-cache 1"
UNUSED_DAYS = 30  # entries not read for this long are removed when new ones are written


@lru_cache(maxsize=1)
def code_digest() -> str:
    """SHA-256 over the package's Python sources and the versions of the libraries that parse and check records."""
    import pydantic
    import yaml

    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(FORMAT)
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0" + source.read_bytes() + b"\0")
    digest.update(f"{pydantic.VERSION} {yaml.__version__} {sys.version}".encode())
    return digest.hexdigest()


def today() -> str:
    """Part of every key: a record's own checks depend on the date (a date more than a year ahead is refused,
    `kg.pipeline.records`), so an entry is good for the day it was made."""
    return dt.date.today().isoformat()


def _trusted(folder: Path) -> bool:
    """A folder this user owns and no one else can write to (a pickle from elsewhere could run code)."""
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_mode & 0o022:
        return False
    geteuid = getattr(os, "geteuid", None)
    return geteuid is None or info.st_uid == geteuid()


class CheckedCache:
    """Per-file results of the records' own checks, in one folder (`open` it; None means no cache here)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.wrote = False

    @classmethod
    def open(cls, folder: Path) -> CheckedCache | None:
        """The cache in `folder` (made if missing), or None when it cannot be made or is not safe to read."""
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            return cls(folder) if _trusted(folder) else None
        except OSError:
            return None

    def key(self, file: Path, shown: str) -> str | None:
        """The entry name for `file` as it is now (shown as `shown` in problems), or None if it cannot be read."""
        try:
            info = file.lstat()
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
                return None  # reported by `read_file`, which is cheap for such files
            content = file.read_bytes()
        except OSError:
            return None
        digest = hashlib.sha256(code_digest().encode())
        digest.update(f"\0{shown}\0{file}\0{today()}\0".encode())
        digest.update(content)
        return digest.hexdigest()

    def get(self, key: str) -> PerFile | None:
        """The entry `key`, or None if there is none or it cannot be read whole."""
        entry = self.folder / key
        try:
            with entry.open("rb") as fh:
                value = pickle.load(fh)  # only from a folder this user alone can write (`_trusted`)
            os.utime(entry)  # still in use: kept by the sweep
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
            return None
        return value if isinstance(value, tuple) and len(value) == 2 else None

    def put(self, key: str, value: PerFile) -> None:
        """Store an entry whole (a temporary file renamed into place), or not at all."""
        entry = self.folder / key
        tmp = entry.with_name(f"{key}.tmp-{os.getpid()}")
        try:
            with tmp.open("wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(entry)
            self.wrote = True
        except (OSError, pickle.PicklingError, TypeError, AttributeError):
            with contextlib.suppress(OSError):
                tmp.unlink()

    def sweep(self, *, now: float | None = None) -> None:
        """Remove entries (and temporary files left by killed processes) unused for `UNUSED_DAYS`."""
        cutoff = (time.time() if now is None else now) - UNUSED_DAYS * 86400
        with contextlib.suppress(OSError):
            for entry in self.folder.iterdir():
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < cutoff:
                        entry.unlink()
