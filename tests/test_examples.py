"""Data-driven format tests: every valid example validates; every invalid example fails with its expected message.

An invalid example states what it must produce in its first line, `# expect: <line>:<col>: error: <message>`,
and is validated together with the valid examples (so references to them resolve)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.pipeline.load import load_records
from kg.pipeline.records import MODELS
from kg.pipeline.validate import validate

from .conftest import EXAMPLES

VALID = EXAMPLES / "valid"
INVALID = sorted((EXAMPLES / "invalid").glob("*.yaml"))


def _expectation(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: ...'"
    return first.removeprefix("# expect: ")


def test_valid_examples_validate() -> None:
    raws, problems = load_records([VALID])
    checked, more = validate(raws)
    assert problems + more == []
    assert {c.record.type for c in checked} == set(MODELS), "every record type has a valid example"


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_example_fails_with_expected_message(path: Path) -> None:
    expected = _expectation(path)
    raws, problems = load_records([VALID])
    more_raws, more_problems = load_records([path])
    raws, problems = raws + more_raws, problems + more_problems
    _, more = validate(raws)
    messages = [p.format() for p in problems + more]
    assert messages, f"{path.name} was accepted"
    assert all(m.startswith(f"tests/examples/invalid/{path.name}") for m in messages), messages
    assert any(expected in m for m in messages), f"expected {expected!r} in {messages}"


def test_invalid_examples_cover_each_record_type_family() -> None:
    prefixes = {p.stem.split("-")[0] for p in INVALID}
    assert {"State", "Instrument", "Position", "Resolution", "VoteRecord", "Yaml", "Record", "Source"} <= prefixes


def test_all_problems_reported_at_once(tmp_path: Path) -> None:
    bad = tmp_path / "two.yaml"
    bad.write_text(
        "- {id: ev-a, type: event, date: 2020-02-30, title: A, kind: other, sources: [{url: https://x.org}]}\n"
        "- {id: ev-b, type: event, date: 2020, title: B, kind: other}\n",
        encoding="utf-8",
    )
    raws, problems = load_records([bad])
    _, more = validate(raws)
    messages = [p.format() for p in problems + more]
    assert len(messages) == 2
    assert ":1:" in messages[0] and "not a calendar date" in messages[0]
    assert ":2:" in messages[1] and "has no source" in messages[1]
