"""A synthetic data folder N times the real one: `python3 bench/scale.py 10 /tmp/data-10x`.

Copy k > 0 of every record gets a new id (`<id>-xk`; a resolution gets the symbol A/RES/<session + 1000k>/<n>, so
its id still matches its symbol), and every string equal to a copied id is renamed with it, so each copy is a
self-consistent graph of its own. States and source domains are shared (their ids are codes and domains). The
files are written as YAML lists, one file per record type and copy, as a curator adding a large corpus would.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.paths import DATA  # noqa: E402
from kg.pipeline.load import load_records  # noqa: E402

SHARED_TYPES = {"state", "source_domain"}
_SYMBOL = re.compile(r"^A/RES/(\d+)/(\d+[A-Z]?)$")


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """Strings always quoted, so the strict loader reads them back as strings (e.g. `NO`, `028`)."""


_Dumper.add_representer(str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v, style='"'))


def _rename(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, list):
        return [_rename(v, ids) for v in value]
    if isinstance(value, dict):
        return {_rename(k, ids) if k in ids else k: _rename(v, ids) for k, v in value.items()}
    return value


def scaled(factor: int, out: Path, *, data: Path = DATA) -> int:
    """Write `factor` copies of the records under `data` into `out`; returns the number of records written."""
    raws, problems = load_records([data])
    if problems:
        raise SystemExit("\n".join(p.format() for p in problems))
    records = [r.data for r in raws]
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    for k in range(factor):
        ids: dict[str, str] = {}
        symbols: dict[str, str] = {}
        for rec in records:
            if rec["type"] in SHARED_TYPES or k == 0:
                continue
            if rec["type"] == "resolution" and (m := _SYMBOL.match(rec["symbol"])):
                symbol = f"A/RES/{int(m.group(1)) + 1000 * k}/{m.group(2)}"
                symbols[rec["symbol"]] = symbol
                ids[rec["id"]] = "a-res-" + symbol.removeprefix("A/RES/").replace("/", "-").lower()
            else:
                ids[rec["id"]] = f"{rec['id']}-x{k}"
        by_type: dict[str, list[Any]] = {}
        for rec in records:
            if k > 0 and rec["type"] in SHARED_TYPES:
                continue
            copy = _rename(rec, ids)
            if rec["type"] == "resolution" and k > 0:
                copy["symbol"] = symbols.get(rec["symbol"], rec["symbol"])
                copy["session"] = int(rec["session"]) + 1000 * k
            by_type.setdefault(rec["type"], []).append(copy)
        for kind, items in by_type.items():
            (out / f"{kind}-{k:04d}.yaml").write_text(
                yaml.dump(items, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000), encoding="utf-8"
            )
            written += len(items)
    return written


if __name__ == "__main__":
    n = scaled(int(sys.argv[1]), Path(sys.argv[2]))
    print(f"wrote {n} records to {sys.argv[2]}")
