"""A state's record on one time axis, and the places where its coded stance and its votes disagree (CQ11).

The disagreement rule is stated, not hidden: on the camp issues (information sovereignty, a binding instrument),
the state's latest coded position on or before the vote is compared with the latest position of the
resolution's sponsor; a state on the sponsor's side that votes no, or on the other side that votes yes, is
flagged. Neither position nor vote is judged wrong: the flag only says the two records point different ways.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kg.explore import facets
from kg.explore.stances import stance_score
from kg.sparql.backends import Value

Row = dict[str, Value]
CAMP_ISSUES: tuple[str, ...] = ("information-sovereignty", "binding-instrument")
KIND_ORDER = ("instrument", "membership", "process", "vote", "position")


@dataclass(frozen=True)
class Flag:
    """One vote that points the other way from a coded stance."""

    resolution: str
    stage: str
    symbol: str
    vote: str
    issue: str
    stance: str
    sponsor: str
    sponsor_stance: str
    reason: str


def _side(row: Mapping[str, Value]) -> int:
    """+1 supports, -1 opposes, 0 in the middle of its scale."""
    score = stance_score(row.get("ordinal"), row.get("scaleMax"))
    return 1 if score > 0.5 else -1 if score < 0.5 else 0


def _latest(rows: Sequence[Mapping[str, Value]], actor: str, issue: str, on: str) -> Mapping[str, Value] | None:
    """The actor's latest position on the issue dated on or before `on` (any date when `on` is empty)."""
    mine = [r for r in rows if r.get("actorId") == actor and r.get("issueId") == issue]
    if on:
        mine = [r for r in mine if facets.partial_date(r.get("date")) and str(r.get("date")) <= on] or []
    return max(mine, key=lambda r: str(r.get("date")), default=None)


def disagreements(
    state: str,
    votes: Iterable[Mapping[str, Value]],
    positions: Sequence[Mapping[str, Value]],
    *,
    issues: Sequence[str] = CAMP_ISSUES,
) -> list[Flag]:
    """The state's votes (state-record rows of kind 'vote') that point away from its coded stance on a camp
    issue, compared with the sponsor's stance (compare-positions rows of the state and the sponsors)."""
    out: list[Flag] = []
    for v in votes:
        choice = str(v.get("what"))
        if choice not in ("yes", "no"):
            continue
        on = str(v.get("date") or "")
        for sponsor in facets.split_list(v.get("sponsors"), ", "):
            if sponsor == state:
                continue
            for issue in issues:
                mine, theirs = _latest(positions, state, issue, on), _latest(positions, sponsor, issue, on)
                if mine is None or theirs is None or 0 in (_side(mine), _side(theirs)):
                    continue
                same = _side(mine) == _side(theirs)
                if (same and choice == "no") or (not same and choice == "yes"):
                    reason = (
                        f"voted {choice} on a resolution tabled by {sponsor}, whose stance on {issue} it "
                        f"{'shares' if same else 'opposes'} ({mine.get('stanceLabel')} vs {theirs.get('stanceLabel')})"
                    )
                    out.append(
                        Flag(
                            str(v.get("record")),
                            str(v.get("detail") or ""),
                            str(v.get("label", "")).split(" ")[0],
                            choice,
                            issue,
                            str(mine.get("stanceLabel")),
                            sponsor,
                            str(theirs.get("stanceLabel")),
                            reason,
                        )
                    )
    return out


def timeline_rows(rows: Iterable[Mapping[str, Value]], flags: Iterable[Flag] = ()) -> list[Row]:
    """The record's rows in date order (undated last), with a 'flag' column on votes that disagree."""
    flagged: dict[tuple[str, str], list[str]] = {}
    for f in flags:
        flagged.setdefault((f.resolution, f.stage), []).append(f.reason)
    out: list[Row] = []
    for r in rows:
        row = dict(r)
        key = (str(r.get("record")), str(r.get("detail") or ""))
        if r.get("kind") == "vote" and key in flagged:
            row["flag"] = "; ".join(flagged[key])
        else:
            row["flag"] = None
        out.append(row)
    return sorted(out, key=lambda r: (r.get("date") in (None, ""), str(r.get("date") or ""), str(r.get("kind"))))
