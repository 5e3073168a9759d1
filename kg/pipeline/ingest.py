"""Ingest tools for the repetitive part of curation: a UN voting list (copied into data/raw/) -> a vote_record.

The raw file keeps the press release's wording: `# source:` (one or more), `# stage:`, `# date:`, optional
`# note:` header lines, then labelled
lists `In favour: A, B, C.`, `Against: ...`, `Abstain: ...`, `Absent: ...`. Names are matched to ISO codes through
the state records and data/raw/state-name-aliases.tsv; an unknown name is an error with its line, never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kg.errors import KGError, Problem, ValidationFailed, display_path
from kg.paths import DATA
from kg.pipeline.dates import DATE
from kg.pipeline.load import load_records

LABELS = {
    "in favour": "yes",
    "in favor": "yes",
    "against": "no",
    "abstain": "abstain",
    "abstaining": "abstain",
    "abstentions": "abstain",
    "absent": "absent",
}
_LABEL = re.compile(r"^\s*(In favou?r|Against|Abstain(?:ing)?|Abstentions|Absent)\s*:\s*", re.IGNORECASE | re.M)


def normalise(name: str) -> str:
    """Case-, accent- and apostrophe-insensitive key for a state name."""
    text = name.replace("\u2019", "'").replace("\u2018", "'").strip().rstrip(".").strip()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"\s+", " ", text).lower()


def name_index(*, data: Path = DATA) -> dict[str, str]:
    """Normalised state name -> ISO code, from state records and the alias table."""
    index: dict[str, str] = {}
    raws, _ = load_records([data / "states"])
    for raw in raws:
        if isinstance(raw.data, dict) and raw.data.get("type") == "state":
            for key in ("name", "official_name"):
                if raw.data.get(key):
                    index[normalise(str(raw.data[key]))] = str(raw.data["id"])
    aliases = data / "raw" / "state-name-aliases.tsv"
    for line in aliases.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, code = line.rsplit("\t", 1)
            index[normalise(name)] = code.strip()
    return index


@dataclass
class ParsedVotes:
    """A voting list read from a raw file."""

    header: dict[str, str]
    lists: dict[str, list[str]] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)


def parse_raw(path: Path, *, names: dict[str, str]) -> ParsedVotes:
    """Read a raw voting list; every unknown or repeated name is reported with its line."""
    shown = display_path(path)
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    sources: list[str] = []
    body_lines: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("#"):
            key, _, value = line[1:].partition(":")
            if value and key.strip() == "source":
                sources.append(value.strip())
                header.setdefault("source", value.strip())
            elif value and key.strip() in ("stage", "date", "note"):
                header.setdefault(key.strip(), value.strip())
        else:
            body_lines.append((number, line))
    problems: list[Problem] = []
    for key in ("source", "stage", "date"):
        if key not in header:
            problems.append(Problem(shown, 1, 1, f"missing header line '# {key}: ...'", "see kg/pipeline/ingest.py"))
    parsed = ParsedVotes(header, sources=sources)
    current: str | None = None
    seen: dict[str, int] = {}
    for number, line in body_lines:
        position = 0
        for match in _LABEL.finditer(line):
            if current is not None:
                _take(line[position : match.start()], number, current, parsed, names, seen, shown, problems)
            current = LABELS[match.group(1).lower()]
            parsed.lists.setdefault(current, [])
            position = match.end()
        if current is not None:
            _take(line[position:], number, current, parsed, names, seen, shown, problems)
        elif line.strip():
            problems.append(
                Problem(
                    shown, number, 1, "text before any 'In favour:'/'Against:' label", "start each list with its label"
                )
            )
    if not parsed.lists:
        problems.append(Problem(shown, 0, 0, "no voting list found", "expected 'In favour:', 'Against:', ..."))
    if problems:
        raise ValidationFailed(problems)
    return parsed


def _take(
    chunk: str,
    number: int,
    choice: str,
    parsed: ParsedVotes,
    names: dict[str, str],
    seen: dict[str, int],
    shown: str,
    problems: list[Problem],
) -> None:
    for name in chunk.split(","):
        key = normalise(name)
        if not key:
            continue
        code = names.get(key)
        if code is None:
            problems.append(
                Problem(
                    shown,
                    number,
                    1,
                    f"unknown state name {name.strip()!r}",
                    "add the UN form of the name to data/raw/state-name-aliases.tsv",
                )
            )
        elif code in seen:
            problems.append(
                Problem(shown, number, 1, f"{name.strip()} ({code}) listed twice", f"also on line {seen[code]}")
            )
        else:
            seen[code] = number
            parsed.lists[choice].append(code)


def vote_record(parsed: ParsedVotes, *, resolution: str, raw: Path) -> dict[str, object]:
    """The vote_record mapping for a parsed list (state codes sorted within each choice)."""
    stage = parsed.header["stage"]
    record: dict[str, object] = {
        "id": f"vote-{resolution}-{stage}",
        "type": "vote_record",
        "resolution": resolution,
        "stage": stage,
    }
    date = parsed.header["date"]
    notes = [parsed.header["note"]] if "note" in parsed.header else []
    if DATE.match(date):
        record["date"] = date
    else:
        notes.append("Date of the vote not given in the source.")
    for choice in ("yes", "no", "abstain", "absent"):
        if choice in parsed.lists:
            record[choice] = sorted(parsed.lists[choice])
    missing = [c for c in ("yes", "no", "abstain") if c not in parsed.lists]
    if missing:
        notes.append("Partial: the source does not list the states voting " + ", ".join(missing) + ".")
    record["complete"] = not missing  # the source lists every choice: the coverage statement of the roll call
    if notes:
        record["note"] = " ".join(notes)
    record["raw"] = display_path(raw)
    record["sources"] = [{"url": url} for url in parsed.sources]
    return record


def ingest_votes(raw: Path, *, resolution: str, out_dir: Path, data: Path = DATA, force: bool = False) -> Path:
    """Write data/votes/<id>.yaml from a raw voting list; refuses to overwrite unless `force`."""
    parsed = parse_raw(raw, names=name_index(data=data))
    record = vote_record(parsed, resolution=resolution, raw=raw)
    target = out_dir / f"{record['id']}.yaml"
    if target.exists() and not force:
        raise KGError(f"{display_path(target)} exists (hint: pass --force to replace it)")
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".yaml.tmp")
    text = f"# Generated by `cnkg ingest-votes` from {display_path(raw)}; edit the raw file and re-run.\n"
    tmp.write_text(text + yaml.safe_dump(record, sort_keys=False, allow_unicode=True, width=120), encoding="utf-8")
    tmp.replace(target)
    return target
