"""Regenerate tests/golden/<query>.json from the current data. Review the diff before committing:
goldens are produced by the code and checked by a person."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.pipeline.build import build  # noqa: E402
from kg.sparql.backends import EmbeddedStore  # noqa: E402
from kg.sparql.library import library  # noqa: E402
from kg.sparql.query import run  # noqa: E402


def main() -> None:
    out = ROOT / "tests" / "golden"
    out.mkdir(parents=True, exist_ok=True)
    result = build(out=ROOT / "build")
    store = EmbeddedStore(next(p for p in result.files if p.suffix == ".nt"))
    for name, query in sorted(library().items()):
        table = run(query, store)
        payload = {"query": name, "columns": table.columns, "rows": table.rows}
        (out / f"{name}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"{name}: {len(table.rows)} rows")


if __name__ == "__main__":
    main()
