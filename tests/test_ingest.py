"""The vote ingest tool: UN-style names to ISO codes, every unknown or repeated name reported with its line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kg.errors import KGError, ValidationFailed
from kg.pipeline.ingest import ingest_votes, name_index, normalise, parse_raw
from kg.pipeline.load import load_records
from kg.pipeline.validate import validate

from .conftest import ROOT

RAW = """# source: https://press.un.org/en/2018/ga12099.doc.htm
# stage: plenary
# date: 2018-12-05
In favour: Bolivia (Plurinational State of), China, Democratic People’s Republic of Korea, Iran (Islamic Republic of),
Russian Federation, Viet Nam, Côte d’Ivoire.

Against: United States, United Kingdom of Great Britain and Northern Ireland, Norway.

Abstain: Switzerland, Türkiye.
"""


@pytest.fixture(scope="module")
def names() -> dict[str, str]:
    return name_index()


def test_normalise_folds_apostrophes_accents_and_case() -> None:
    assert normalise("Côte d’Ivoire.") == normalise("cote d'ivoire")


def test_parse_un_press_release_list(tmp_path: Path, names: dict[str, str]) -> None:
    raw = tmp_path / "votes.txt"
    raw.write_text(RAW, encoding="utf-8")
    parsed = parse_raw(raw, names=names)
    assert parsed.lists["yes"] == ["BO", "CN", "KP", "IR", "RU", "VN", "CI"]
    assert parsed.lists["no"] == ["US", "GB", "NO"]
    assert parsed.lists["abstain"] == ["CH", "TR"]


def test_unknown_and_repeated_names_are_reported_with_lines(tmp_path: Path, names: dict[str, str]) -> None:
    raw = tmp_path / "votes.txt"
    raw.write_text("# source: https://x.org\n# stage: plenary\n# date: 2018\nIn favour: Atlantis, China\n"
                   "Against: China\n", encoding="utf-8")
    with pytest.raises(ValidationFailed) as info:
        parse_raw(raw, names=names)
    messages = [p.format() for p in info.value.problems]
    assert any(":4:1: error: unknown state name 'Atlantis'" in m for m in messages)
    assert any(":5:1: error: China (CN) listed twice (hint: also on line 4)" in m for m in messages)


def test_missing_header_is_reported(tmp_path: Path, names: dict[str, str]) -> None:
    raw = tmp_path / "votes.txt"
    raw.write_text("In favour: China\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="problem"):
        parse_raw(raw, names=names)


def test_ingest_writes_a_valid_record_and_refuses_to_overwrite(tmp_path: Path) -> None:
    raw = tmp_path / "votes.txt"
    raw.write_text(RAW, encoding="utf-8")
    target = ingest_votes(raw, resolution="a-res-53-70", out_dir=tmp_path / "votes")
    record = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert record["id"] == "vote-a-res-53-70-plenary" and record["no"] == ["GB", "NO", "US"]
    raws, problems = load_records([ROOT / "data", target])
    _, more = validate(raws)
    assert problems + more == []
    with pytest.raises(KGError, match="exists"):
        ingest_votes(raw, resolution="a-res-53-70", out_dir=tmp_path / "votes")


def test_every_vote_record_in_data_matches_its_raw_input(tmp_path: Path) -> None:
    for record_path in sorted((ROOT / "data" / "votes").glob("*.yaml")):
        record = yaml.safe_load(record_path.read_text(encoding="utf-8"))
        regenerated = ingest_votes(ROOT / record["raw"], resolution=record["resolution"], out_dir=tmp_path)
        assert yaml.safe_load(regenerated.read_text(encoding="utf-8")) == record, record_path.name
        regenerated.unlink()
