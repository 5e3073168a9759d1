"""Stage 1, load: read YAML record files into plain data plus the line/column of every value.

A strict reader: duplicate keys, explicit tags, anchors/aliases, non-string keys, very deep nesting and huge files
are problems, not surprises. Scalars keep YAML 1.2-like meaning (only true/false are booleans, so the country code
NO stays a string; dates stay strings so that validation can check them).
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kg.errors import Problem, display_path

MAX_FILE_BYTES = 5_000_000
MAX_DEPTH = 40
STANDARD_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$")

Loc = tuple[str | int, ...]


@dataclass
class RawRecord:
    """One record as read from a file: its data, where it starts, and the position of each nested value."""

    path: str
    index: int
    data: Any
    marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def where(self, loc: Loc) -> tuple[int, int]:
        """Line and column of the deepest known prefix of `loc` (the record's start if none)."""
        for cut in range(len(loc), -1, -1):
            mark = self.marks.get(tuple(loc[:cut]))
            if mark is not None:
                return mark
        return (0, 0)

    def problem(self, loc: Loc, message: str, hint: str = "") -> Problem:
        """A problem located at `loc` inside this record."""
        line, col = self.where(loc)
        return Problem(self.path, line, col, message, hint)


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses aliases at compose time (anchors/aliases can build billion-laughs documents)."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, "anchors and aliases (*name) are not allowed in records", event.start_mark
            )
        return super().compose_node(parent, index)


class _Converter:
    """Turns a composed node tree into Python data, collecting problems and marks."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def _problem(self, node: Node, message: str, hint: str = "") -> None:
        self.problems.append(Problem(self.path, node.start_mark.line + 1, node.start_mark.column + 1, message, hint))

    def convert(self, node: Node, loc: Loc, marks: dict[Loc, tuple[int, int]], depth: int = 0) -> Any:
        marks[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if depth > MAX_DEPTH:
            self._problem(node, f"nesting deeper than {MAX_DEPTH} levels", "records are shallow; check indentation")
            return None
        if node.tag not in STANDARD_TAGS:
            self._problem(node, f"YAML tag {node.tag!r} is not allowed", "remove the tag; records hold plain data")
            return None
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag not in STANDARD_TAGS:
                    self._problem(key_node, "mapping keys must be plain strings", "write `key: value`")
                    continue
                key = str(key_node.value)
                if key in result:
                    first = marks.get((*loc, key), (0, 0))
                    self._problem(
                        key_node,
                        f"duplicate key {key!r}",
                        f"first given at line {first[0]}; keep one",
                    )
                    continue
                marks[(*loc, key)] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                value_marks: dict[Loc, tuple[int, int]] = {}
                result[key] = self.convert(value_node, (*loc, key), value_marks, depth + 1)
                value_marks.pop((*loc, key), None)
                marks.update(value_marks)
            return result
        if isinstance(node, SequenceNode):
            return [self.convert(item, (*loc, i), marks, depth + 1) for i, item in enumerate(node.value)]
        assert isinstance(node, ScalarNode)
        return _scalar(node)


def _scalar(node: ScalarNode) -> Any:
    """Plain scalars: null, true/false, ints, floats; everything else (dates too) stays a string."""
    text = str(node.value)
    if node.style is not None:  # quoted or block scalar: always a string
        return text
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def read_file(path: Path) -> tuple[list[RawRecord], list[Problem]]:
    """Read one YAML file holding one record or a list of records."""
    shown = display_path(path)
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            hint = "records are plain files: no links, devices or pipes"
            return [], [Problem(shown, 0, 0, "not a regular file", hint)]
        with path.open("rb") as fh:  # bounded read: a file that grows, or lies about its size, is cut off
            raw = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return [], [Problem(shown, 0, 0, f"cannot read file: {exc.strerror}", "check the path and permissions")]
    if len(raw) > MAX_FILE_BYTES:
        return [], [Problem(shown, 0, 0, f"file is larger than {MAX_FILE_BYTES} bytes", "split it into smaller files")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return [], [Problem(shown, line, 0, "file is not valid UTF-8", "save the file as UTF-8")]
    bad = _CONTROL.search(text)
    if bad:
        line = text[: bad.start()].count("\n") + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        return [], [
            Problem(shown, line, col, f"control character U+{ord(bad.group()):04X} in the file",
                    "remove it: only tabs, newlines and printable text belong in records")
        ]
    try:
        nodes = list(yaml.compose_all(text, Loader=_NoAliasLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = f"malformed YAML: {exc.problem or exc.context}"
        return [], [Problem(shown, line, col, message, "check indentation, colons and quotes around this point")]
    except yaml.YAMLError as exc:
        return [], [Problem(shown, 0, 0, f"malformed YAML: {exc}", "check the file's syntax")]
    except RecursionError:
        return [], [Problem(shown, 0, 0, "document nested too deeply", "records are shallow; check the structure")]
    if len(nodes) != 1:
        if not nodes:
            return [], [Problem(shown, 1, 1, "file holds no record", "write a mapping with `id:` and `type:`")]
        extra = nodes[1]
        return [], [
            Problem(
                shown,
                extra.start_mark.line + 1,
                1,
                "file holds more than one YAML document",
                "use a YAML list of records instead of `---` separators",
            )
        ]
    converter = _Converter(shown)
    root = nodes[0]
    marks: dict[Loc, tuple[int, int]] = {}
    data = converter.convert(root, (), marks)
    if converter.problems:
        return [], converter.problems
    items: list[tuple[Any, dict[Loc, tuple[int, int]]]] = []
    if isinstance(data, list):
        for i, item in enumerate(data):
            sub = {k[1:]: v for k, v in marks.items() if k[:1] == (i,)}
            items.append((item, sub))
    else:
        items.append((data, marks))
    records = [RawRecord(shown, i, item, sub) for i, (item, sub) in enumerate(items)]
    return records, []


def find_files(paths: list[Path]) -> tuple[list[Path], list[Problem]]:
    """All `*.yaml` files under the given files or folders, sorted; `raw/` folders are skipped. Inside a folder
    only regular files are read: a symbolic link (which git can carry in a contribution) is reported, not followed."""
    found: set[Path] = set()
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            for file in path.rglob("*.yaml"):
                if "raw" in file.relative_to(path).parts[:-1]:
                    continue
                if file.is_symlink() or any(p.is_symlink() for p in file.relative_to(path).parents if str(p) != "."):
                    problems.append(
                        Problem(display_path(file), 0, 0, "symbolic link in the data folder",
                                "replace the link by the file itself; links are not followed")
                    )
                    continue
                found.add(file)
        elif path.is_file():
            found.add(path)
        else:
            problems.append(Problem(display_path(path), 0, 0, "no such file or folder", "check the path"))
    return sorted(found), problems


def load_records(paths: list[Path]) -> tuple[list[RawRecord], list[Problem]]:
    """Read every record under `paths`; problems from all files are returned together."""
    files, problems = find_files(paths)
    records: list[RawRecord] = []
    for file in files:
        got, found = read_file(file)
        records.extend(got)
        problems.extend(found)
    return records, problems
