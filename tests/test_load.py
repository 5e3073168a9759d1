"""The strict YAML reader: plain data, line numbers, and refusal of what records must not contain."""

from __future__ import annotations

from pathlib import Path

from kg.pipeline.load import read_file


def _read(tmp_path: Path, text: str | bytes) -> tuple[list, list]:
    path = tmp_path / "r.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return read_file(path)


def test_norway_stays_a_string_and_dates_stay_strings(tmp_path: Path) -> None:
    records, problems = _read(tmp_path, "id: x\nparties: [NO, RU]\nyes: [NO]\ndate: 2015-05-08\nflag: on\n")
    assert problems == []
    data = records[0].data
    assert data["parties"] == ["NO", "RU"]
    assert data["yes"] == ["NO"]
    assert data["date"] == "2015-05-08"
    assert data["flag"] == "on"


def test_quoted_numbers_are_strings_plain_numbers_are_ints(tmp_path: Path) -> None:
    records, _ = _read(tmp_path, 'a: "643"\nb: 643\nc: true\n')
    assert records[0].data == {"a": "643", "b": 643, "c": True}


def test_marks_point_at_nested_values(tmp_path: Path) -> None:
    records, _ = _read(tmp_path, "- id: a\n  sources:\n    - url: u\n- id: b\n  signed: {date: 2001}\n")
    assert records[0].where(("sources", 0, "url")) == (3, 7)
    assert records[1].where(("signed", "date")) == (5, 12)
    assert records[1].where(("missing", "deeper")) == (4, 3)


def test_invalid_utf8_is_reported_with_line(tmp_path: Path) -> None:
    _, problems = _read(tmp_path, b"id: a\ntitle: caf\xe9\n")
    assert [(p.line, p.message) for p in problems] == [(2, "file is not valid UTF-8")]


def test_billion_laughs_is_refused_without_expansion(tmp_path: Path) -> None:
    text = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\n'
    _, problems = _read(tmp_path, text)
    assert problems and "aliases" in problems[0].message


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    _, problems = _read(tmp_path, "a: " + "[" * 100 + "]" * 100 + "\n")
    assert problems and "nest" in problems[0].message


def test_several_documents_are_refused(tmp_path: Path) -> None:
    _, problems = _read(tmp_path, "id: a\n---\nid: b\n")
    assert problems[0].line == 3 and "more than one YAML document" in problems[0].message


def test_loader_reads_only_regular_files_inside_the_tree(tmp_path: Path) -> None:
    import os

    from kg.pipeline.load import load_records

    data = tmp_path / "data"
    data.mkdir()
    (data / "ok.yaml").write_text("id: ev-ok\ntype: event\n", encoding="utf-8")
    outside = tmp_path / "outside.yaml"
    outside.write_text("id: ev-out\ntype: event\n", encoding="utf-8")
    (data / "link.yaml").symlink_to(outside)
    (data / "zero.yaml").symlink_to("/dev/zero")
    os.mkfifo(data / "pipe.yaml")
    records, problems = load_records([data])
    assert [r.data["id"] for r in records] == ["ev-ok"]
    messages = sorted((Path(p.path).name, p.message) for p in problems)
    assert messages == [
        ("link.yaml", "symbolic link in the data folder"),
        ("pipe.yaml", "not a regular file"),
        ("zero.yaml", "symbolic link in the data folder"),
    ]


def test_control_characters_and_lone_surrogates_are_refused(tmp_path: Path) -> None:
    from kg.pipeline.load import read_file

    bad = tmp_path / "bad.yaml"
    bad.write_text("id: ev-x\ntype: event\ntitle: a\x07bell\n", encoding="utf-8")
    _, problems = read_file(bad)
    assert [(p.line, p.col, p.message) for p in problems] == [(3, 9, "control character U+0007 in the file")]
    surrogate = tmp_path / "surrogate.yaml"
    surrogate.write_bytes(b"id: ev-y\ntitle: \xed\xa0\x80\n")  # a lone surrogate is not valid UTF-8
    _, problems = read_file(surrogate)
    assert problems and problems[0].message == "file is not valid UTF-8"


def test_deleting_a_list_of_a_complete_roll_call_fails_validation_at_its_line(tmp_path: Path) -> None:
    import shutil

    import yaml

    from kg.paths import DATA
    from kg.pipeline.load import load_records
    from kg.pipeline.validate import validate

    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    target = data / "votes" / "vote-a-res-73-27-plenary.yaml"
    record = read_file(target)[0][0].data
    assert record["complete"] is True and len(record["no"]) == 46
    del record["no"]
    target.write_text(yaml.safe_dump(record, sort_keys=False), encoding="utf-8")
    raws, problems = load_records([data])
    _, problems = validate(raws)
    found = [p for p in problems if "roll call" in p.message]
    assert len(found) == 1 and found[0].path.endswith("vote-a-res-73-27-plenary.yaml")
    line = target.read_text(encoding="utf-8").splitlines()[found[0].line - 1]
    assert line.startswith("complete:"), "reported at the line that claims completeness"
    assert "lists 0 'no' votes" in found[0].message and "counts 46" in found[0].message
