"""Stage 1, load: read YAML record files into plain data plus the line/column of every value.

A strict reader: duplicate keys, explicit tags, anchors/aliases, non-string keys, very deep nesting and huge files
are problems, not surprises. Scalars keep YAML 1.2-like meaning (only true/false are booleans, so the country code
NO stays a string; dates stay strings so that validation can check them).
"""

from __future__ import annotations

import re
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

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
    """One record as read from a file: its data, where it starts, and the position of each nested value.

    `marks` None means they were not kept (`read_file`): they are read again from `source` when a problem needs
    them, since they take most of a loaded record's memory and a valid record never needs them."""

    path: str
    index: int
    data: Any
    marks: dict[Loc, tuple[int, int]] | None = field(default_factory=dict)
    source: Path | None = None
    unescaped: bool = False  # its file has no \u or \U escape: no string in it can hold a lone surrogate

    def where(self, loc: Loc) -> tuple[int, int]:
        """Line and column of the deepest known prefix of `loc` (the record's start if none)."""
        marks = self.marks if self.marks is not None else _marks_of(self.source, self.index)
        for cut in range(len(loc), -1, -1):
            mark = marks.get(tuple(loc[:cut]))
            if mark is not None:
                return mark
        return (0, 0)

    def problem(self, loc: Loc, message: str, hint: str = "") -> Problem:
        """A problem located at `loc` inside this record."""
        line, col = self.where(loc)
        return Problem(self.path, line, col, message, hint)


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser when PyYAML was built with it
_OK_TAGS = {None, "!"}  # no tag, or the non-specific tag of quoted scalars: resolved by `_scalar`
_ALLOWED_TAGS = frozenset(_OK_TAGS | STANDARD_TAGS)
_SCALAR, _SEQ_START, _SEQ_END, _MAP_END = (
    yaml.ScalarEvent,
    yaml.SequenceStartEvent,
    yaml.SequenceEndEvent,
    yaml.MappingEndEvent,
)


class _Converter:
    """Builds Python data and marks straight from the parser's events (no node tree, no tag resolver, no
    recursion), collecting problems: linear in the size of the file, whatever its nesting."""

    def __init__(self, path: str, *, keep_marks: bool = True) -> None:
        self.path = path
        self.keep_marks = keep_marks  # without: no marks recorded (a file with problems is converted again, with)
        self.problems: list[Problem] = []

    def _problem(self, event: Any, message: str, hint: str = "") -> None:
        mark: Any = event.start_mark
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, message, hint))

    def _skip(self, events: list[Any], i: int) -> int:
        """Index after the node starting at `events[i]` (a scalar, or a collection and all it holds)."""
        depth = 0
        while True:
            event = events[i]
            i += 1
            if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                depth += 1
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                depth -= 1
            if depth == 0:
                return i

    def document(self, events: list[Any], i: int) -> tuple[Any, dict[Loc, tuple[int, int]], list[Any]]:
        """The node at `events[i]` as data, its marks, and (when it is a sequence) each item's marks apart."""
        marks: dict[Loc, tuple[int, int]] = {}
        item_marks: list[dict[Loc, tuple[int, int]]] = []
        root = events[i]
        value, _ = self._node(
            events, i, (), marks, 0, item_marks if isinstance(root, yaml.SequenceStartEvent) else None
        )
        return value, marks, item_marks

    def _node(
        self,
        events: list[Any],
        i: int,
        loc: Loc,
        marks: dict[Loc, tuple[int, int]],
        depth: int,
        split: list[dict[Loc, tuple[int, int]]] | None = None,
    ) -> tuple[Any, int]:
        """(value, index after it) for the node at `events[i]`; iterative inside, one call per node."""
        event = events[i]
        keep = self.keep_marks
        if keep:
            mark: Any = event.start_mark
            marks[loc] = (mark.line + 1, mark.column + 1)
        if depth > MAX_DEPTH:
            self._problem(event, f"nesting deeper than {MAX_DEPTH} levels", "records are shallow; check indentation")
            return None, self._skip(events, i)
        if event.tag not in _ALLOWED_TAGS:
            self._problem(event, f"YAML tag {event.tag!r} is not allowed", "remove the tag; records hold plain data")
            return None, self._skip(events, i)
        kind = type(event)
        if kind is _SCALAR:
            return _scalar(event.value, event.style), i + 1
        i += 1
        if kind is _SEQ_START:
            items = []
            n = 0
            while type(events[i]) is not _SEQ_END:
                target = marks
                if split is not None:  # a file's list of records: each record keeps its own marks
                    target = {}
                    split.append(target)
                    value, i = self._node(events, i, (), target, depth + 1)
                else:
                    value, i = self._node(events, i, (*loc, n) if keep else loc, target, depth + 1)
                items.append(value)
                n += 1
            return items, i + 1
        result: dict[str, Any] = {}
        while type(events[i]) is not _MAP_END:
            key_event = events[i]
            if type(key_event) is not _SCALAR or key_event.tag not in _ALLOWED_TAGS:
                self._problem(key_event, "mapping keys must be plain strings", "write `key: value`")
                i = self._skip(events, self._skip(events, i))
                continue
            key = str(key_event.value)
            if key in result:
                first = marks.get((*loc, key), (0, 0))
                self._problem(key_event, f"duplicate key {key!r}", f"first given at line {first[0]}; keep one")
                i = self._skip(events, i + 1)
                continue
            if not keep:
                result[key], i = self._node(events, i + 1, loc, marks, depth + 1)
                continue
            start: Any = key_event.start_mark
            key_mark = (start.line + 1, start.column + 1)
            result[key], i = self._node(events, i + 1, (*loc, key), marks, depth + 1)
            marks[(*loc, key)] = key_mark  # a key's own path points at the key
        return result, i + 1


def _scalar(value: str, style: str | None) -> Any:
    """Plain scalars: null, true/false, ints, floats; everything else (dates too) stays a string."""
    text = str(value)
    if style:  # quoted or block scalar: always a string (plain is "" from libyaml, None from PyYAML)
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


def read_file(path: Path, *, keep_marks: bool = False) -> tuple[list[RawRecord], list[Problem]]:
    """Read one YAML file holding one record or a list of records. Without `keep_marks` the records' marks are
    read again from the file if a problem needs them (`RawRecord.where`)."""
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
            Problem(
                shown,
                line,
                col,
                f"control character U+{ord(bad.group()):04X} in the file",
                "remove it: only tabs, newlines and printable text belong in records",
            )
        ]
    try:
        events = list(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        message = f"malformed YAML: {exc.problem or exc.context}"
        return [], [Problem(shown, line, col, message, "check indentation, colons and quotes around this point")]
    except yaml.YAMLError as exc:
        return [], [Problem(shown, 0, 0, f"malformed YAML: {exc}", "check the file's syntax")]
    kinds = list(map(type, events))
    alias: Any = events[kinds.index(yaml.AliasEvent)] if yaml.AliasEvent in kinds else None
    if alias is not None:  # refused before anything is built: aliases can make billion-laughs documents
        where: Any = alias.start_mark
        return [], [
            Problem(
                shown,
                where.line + 1,
                where.column + 1,
                "malformed YAML: anchors and aliases (*name) are not allowed in records",
                "write the value out in full",
            )
        ]
    starts = (
        [i for i, k in enumerate(kinds) if k is yaml.DocumentStartEvent]
        if kinds.count(yaml.DocumentStartEvent) != 1
        else [kinds.index(yaml.DocumentStartEvent)]
    )
    if len(starts) != 1:
        if not starts:
            return [], [Problem(shown, 1, 1, "file holds no record", "write a mapping with `id:` and `type:`")]
        extra: Any = events[starts[1] + 1]
        return [], [
            Problem(
                shown,
                extra.start_mark.line + 1,
                1,
                "file holds more than one YAML document",
                "use a YAML list of records instead of `---` separators",
            )
        ]
    converter = _Converter(shown, keep_marks=keep_marks)
    data, marks, item_marks = converter.document(events, starts[0] + 1)
    if converter.problems and not keep_marks:  # the problems' messages may cite marks: convert again, with them
        converter = _Converter(shown)
        data, marks, item_marks = converter.document(events, starts[0] + 1)
    del events
    if converter.problems:
        return [], converter.problems
    if not keep_marks:
        items = data if isinstance(data, list) else [data]
        unescaped = "\\u" not in text and "\\U" not in text  # a surrogate can only come from such an escape
        return [RawRecord(shown, i, item, None, path, unescaped) for i, item in enumerate(items)], []
    pairs: list[tuple[Any, dict[Loc, tuple[int, int]]]] = (
        list(zip(data, item_marks, strict=True)) if isinstance(data, list) else [(data, marks)]
    )
    return [RawRecord(shown, i, item, sub, path) for i, (item, sub) in enumerate(pairs)], []


@lru_cache(maxsize=8)
def _file_marks(path: Path, mtime_ns: int) -> list[dict[Loc, tuple[int, int]]]:
    records, _ = read_file(path, keep_marks=True)
    return [r.marks or {} for r in records]


def _marks_of(path: Path | None, index: int) -> dict[Loc, tuple[int, int]]:
    """The marks of record `index` of the file at `path`, read again (none if the file is gone or changed)."""
    try:
        marks = _file_marks(path, path.stat().st_mtime_ns) if path is not None else []
    except OSError:
        return {}
    return marks[index] if index < len(marks) else {}


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
                        Problem(
                            display_path(file),
                            0,
                            0,
                            "symbolic link in the data folder",
                            "replace the link by the file itself; links are not followed",
                        )
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
