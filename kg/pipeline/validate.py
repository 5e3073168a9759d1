"""Stage 2, validate: types, required fields, dates, unique ids, resolving references, sources, codebook terms.

Every problem in every file is collected and reported at once, each with file:line:col and a hint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from kg.errors import Problem
from kg.pipeline.codebook import Codebook, load_codebook
from kg.pipeline.load import Loc, RawRecord
from kg.pipeline.records import MODELS, Position, Record, Resolution, VoteRecord


@dataclass(frozen=True)
class Checked:
    """A record that passed its own checks, with where it came from."""

    raw: RawRecord
    record: Record


def _label(loc: list[Any]) -> str:
    """A readable field path: `sources[0].url`, `signed.date`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _describe(error: dict[str, Any], model: type[Record]) -> tuple[str, str]:
    """A readable message and hint for one pydantic error."""
    kind = error["type"]
    loc = [p for p in error["loc"] if not str(p).startswith("function-")]
    field = _label(loc)
    if kind == "missing":
        return f"missing required field {field!r}", f"add `{loc[-1]!s}:` to the record"
    if kind == "extra_forbidden":
        allowed = ", ".join(sorted(model.model_fields)) if len(loc) == 1 else "see data/README.md"
        return f"unknown field {field!r}", f"allowed fields: {allowed}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{field}: {error['input']!r} is not allowed", f"expected one of {expected}"
    if kind == "string_pattern_mismatch":
        pattern = error.get("ctx", {}).get("pattern", "")
        hint = {
            r"^[A-Z]{2}$": "states are ISO 3166-1 alpha-2 codes in upper case, e.g. RU",
        }.get(pattern, "ids are lower-case kebab case (e.g. ru-cn-2015); states are upper-case alpha-2 codes")
        if "http" in pattern:
            hint = "write a full http(s) URL"
        return f"{field}: {error['input']!r} has the wrong form", hint
    if kind in ("string_type", "int_type", "bool_type", "list_type", "dict_type", "model_type"):
        expected = kind.split("_")[0].replace("model", "mapping").replace("dict", "mapping")
        got = type(error["input"]).__name__.replace("dict", "mapping").replace("NoneType", "nothing")
        hint = "quote it to make it a string" if expected == "string" else f"write a {expected}"
        return f"{field}: expected a {expected}, got {got} {error['input']!r}"[:200], hint
    message = str(error["msg"]).removeprefix("Value error, ")
    return (f"{field}: {message}" if field else message), "see data/README.md for the record format"


_SURROGATE = re.compile("[\ud800-\udfff]")


def _lone_surrogates(value: Any, loc: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], str]]:
    """Where a string holds a lone surrogate (a YAML escape such as "\\ud800"), which no RDF output can encode."""
    if isinstance(value, str):
        bad = None if value.isascii() else _SURROGATE.search(value)  # a regex scan: C speed, not a loop per char
        return [(loc, f"U+{ord(bad.group()):04X}")] if bad is not None else []
    if isinstance(value, dict):
        return [hit for k, v in value.items() for hit in _lone_surrogates(v, (*loc, k))]
    if isinstance(value, list):
        return [hit for i, v in enumerate(value) for hit in _lone_surrogates(v, (*loc, i))]
    return []


def check_record(raw: RawRecord) -> tuple[Record | None, list[Problem]]:
    """Type-check one record against its model and its own rules."""
    data = raw.data
    if not isinstance(data, dict):
        return None, [raw.problem((), "a record must be a mapping", "write `id:`, `type:` and fields as key: value")]
    if not raw.unescaped and (hits := _lone_surrogates(data)):
        return None, [
            raw.problem(
                loc,
                f"{_label(list(loc))}: lone surrogate {code} in a string (an escape such as \\ud800)",
                "remove the escape or write the character itself",
            )
            for loc, code in hits
        ]
    kind = data.get("type")
    if not isinstance(kind, str) or kind not in MODELS:
        hint = "one of: " + ", ".join(sorted(MODELS))
        if kind is None:
            return None, [raw.problem((), "record has no `type`", hint)]
        return None, [raw.problem(("type",), f"unknown record type {str(kind)[:40]!r}", hint)]
    model = MODELS[str(kind)]
    try:
        record = model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc: Loc = tuple(p for p in error["loc"] if not str(p).startswith("function-"))
            message, hint = _describe(dict(error), model)
            problems.append(raw.problem(loc, message, hint))
        return None, problems
    problems = [raw.problem(loc, message, hint) for loc, message, hint in record.checks()]
    if model.needs_source and not record.sources:
        problems.append(
            raw.problem(
                ("id",),
                f"record {record.id!r} has no source",
                "add `sources:` with a un_symbol, url or ref a scholar can follow",
            )
        )
    return record, problems


def _position_problems(item: Checked, codebook: Codebook, types: dict[str, str]) -> list[Problem]:
    """Positions must use codebook issues, a stance of the issue's scale, and a known forum."""
    rec = item.record
    assert isinstance(rec, Position)
    out = []
    if rec.issue not in codebook.issues:
        out.append(
            item.raw.problem(
                ("issue",), f"unknown issue {rec.issue!r}", "one of: " + ", ".join(sorted(codebook.issues))
            )
        )
    else:
        scale = codebook.issue_scale[rec.issue]
        allowed = codebook.scale_stances.get(scale, frozenset())
        if rec.stance not in allowed:
            out.append(
                item.raw.problem(
                    ("stance",),
                    f"stance {rec.stance!r} is not on the {scale} of {rec.issue}",
                    "one of: " + ", ".join(sorted(allowed)),
                )
            )
    if rec.forum not in codebook.forums and types.get(rec.forum) not in ("un_process", "organisation"):
        out.append(
            item.raw.problem(
                ("forum",),
                f"unknown forum {rec.forum!r}",
                "a process or organisation id, or one of: " + ", ".join(sorted(codebook.forums)),
            )
        )
    return out


def id_types(checked: list[Checked], codebook: Codebook) -> dict[str, str]:
    """Every record and codebook id -> its type name (`state`, ..., `issue`, `stance`, `forum`).

    Records win over concepts, though validation reports an id used by both."""
    types = {c.record.id: c.record.type for c in checked}
    for concept_type, ids in (("issue", codebook.issues), ("stance", codebook.stances), ("forum", codebook.forums)):
        types.update({concept_id: concept_type for concept_id in ids if concept_id not in types})
    return types


Own = tuple[RawRecord, "Record | None", list[Problem]]  # a record after its own checks (`check_record`)


def check_records(raws: list[RawRecord]) -> list[Own]:
    """Each record's own checks (`check_record`), record by record: the part of validation that can be split
    between processes."""
    return [(raw, *check_record(raw)) for raw in raws]


def validate(raws: list[RawRecord], *, codebook: Codebook | None = None) -> tuple[list[Checked], list[Problem]]:
    """Check every record and the links between them; returns the good records and all problems."""
    return validate_checked(check_records(raws), codebook=codebook)


def validate_checked(own: list[Own], *, codebook: Codebook | None = None) -> tuple[list[Checked], list[Problem]]:
    """`validate` after each record's own checks: unique ids, references, codebook terms, roll calls."""
    codebook = codebook or load_codebook()
    problems: list[Problem] = []
    checked: list[Checked] = []
    first_seen: dict[str, RawRecord] = {}
    for raw, record, found in own:
        problems.extend(found)
        if record is None:
            continue
        if record.id in first_seen:
            other = first_seen[record.id]
            line, _ = other.where(("id",))
            problems.append(
                raw.problem(
                    ("id",),
                    f"duplicate id {record.id!r}",
                    f"first defined at {other.path}:{line}; ids are unique across all files",
                )
            )
            continue
        first_seen[record.id] = raw
        checked.append(Checked(raw, record))
    concepts = codebook.issues | codebook.stances | codebook.forums
    for item in checked:
        if item.record.id in concepts:
            problems.append(
                item.raw.problem(
                    ("id",),
                    f"id {item.record.id!r} is also a codebook concept id",
                    "choose another id: record and codebook ids share one namespace",
                )
            )
    types = id_types(checked, codebook)
    for item in checked:
        for loc, target, allowed in item.record.refs():
            found_type = types.get(target)
            if found_type is None:
                problems.append(
                    item.raw.problem(
                        loc,
                        f"unknown reference {target!r}",
                        "no record has this id; check the spelling or add the record",
                    )
                )
            elif allowed and found_type not in allowed:
                problems.append(
                    item.raw.problem(
                        loc,
                        f"{target!r} is a {found_type}, expected " + " or ".join(sorted(allowed)),
                        "point at a record of that type",
                    )
                )
        if isinstance(item.record, Position):
            problems.extend(_position_problems(item, codebook, types))
    problems.extend(_roll_call_problems(checked))
    return checked, problems


def _roll_call_problems(checked: list[Checked]) -> list[Problem]:
    """A complete roll call must list as many states per choice as the tally at its stage: reported at the line of
    the list (or of `complete:`), before any build."""
    tallies = {(c.record.id, t.stage): t for c in checked if isinstance(c.record, Resolution) for t in c.record.tallies}
    out: list[Problem] = []
    for c in checked:
        if not isinstance(c.record, VoteRecord) or not c.record.complete:
            continue
        tally = tallies.get((c.record.resolution, c.record.stage))
        if tally is None or tally.without_vote:
            continue
        for choice in ("yes", "no", "abstain"):
            listed, counted = len(getattr(c.record, choice)), getattr(tally, choice)
            if counted is not None and listed != counted:
                loc = (choice,) if listed else ("complete",)
                out.append(
                    c.raw.problem(
                        loc,
                        f"complete roll call lists {listed} '{choice}' votes; the {c.record.stage} tally of "
                        f"{c.record.resolution} counts {counted}",
                        "restore the missing states, fix the tally, or set complete: false",
                    )
                )
    return out
