"""Votes on the ICT resolutions: a resolution-by-state grid, a state's votes over time, and the agreement of two
states (or a state and a bloc) over the roll calls the graph holds.

Where the graph holds no roll call for a stage the grid says "not recorded", never "no": tallies without a
state-by-state list do not say how a state voted. A partial roll call that lacks a state is "not recorded" too.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kg.sparql.backends import Table, Value

NOT_RECORDED = "not recorded"
WITHOUT_VOTE = "adopted without a vote"
CHOICES = ("yes", "no", "abstain", "absent")
Row = dict[str, Value]


def stage_key(row: Mapping[str, Value]) -> str:
    """The id of a resolution at a stage ('a-res-73-27@plenary')."""
    return f"{row.get('resolutionId')}@{row.get('stage') or ''}"


def cast(votes: Iterable[Mapping[str, Value]]) -> dict[tuple[str, str], str]:
    """(resolution@stage, state code) -> vote, from resolution-votes rows."""
    return {(stage_key(v), str(v["code"])): str(v["vote"]) for v in votes}


def cell(roll_call: Mapping[str, Value], state: str, by: Mapping[tuple[str, str], str]) -> str:
    """What the grid shows for a state at one resolution and stage."""
    got = by.get((stage_key(roll_call), state))
    if got:
        return got
    if roll_call.get("withoutVote") is True:
        return WITHOUT_VOTE
    return NOT_RECORDED


def grid(
    roll_calls: Sequence[Mapping[str, Value]], votes: Iterable[Mapping[str, Value]], states: Sequence[str]
) -> Table:
    """One row per resolution and stage (symbol, title, sponsors, stage, date, tally), one column per state."""
    by = cast(votes)
    columns = ["symbol", "title", "sponsors", "stage", "date", "tally", *states]
    rows: list[list[Value]] = []
    for rc in sorted(
        roll_calls, key=lambda r: (str(r.get("date") or r.get("adopted") or "9999"), str(r.get("symbol")))
    ):
        tally = (
            f"{rc.get('yes')}-{rc.get('no')}-{rc.get('abstain')}"
            if rc.get("yes") is not None
            else (WITHOUT_VOTE if rc.get("withoutVote") is True else NOT_RECORDED)
        )
        rows.append(
            [
                rc.get("symbol"),
                rc.get("title"),
                rc.get("sponsors"),
                rc.get("stage") or NOT_RECORDED,
                rc.get("date") or rc.get("adopted"),
                tally,
                *(cell(rc, s, by) for s in states),
            ]
        )
    return Table(columns, rows)


def state_votes(
    roll_calls: Sequence[Mapping[str, Value]], votes: Iterable[Mapping[str, Value]], state: str
) -> list[Row]:
    """A state's vote at every resolution and stage, in date order, 'not recorded' where no roll call has it."""
    by = cast(votes)
    out = [
        {
            "date": rc.get("date") or rc.get("adopted"),
            "symbol": rc.get("symbol"),
            "stage": rc.get("stage"),
            "sponsors": rc.get("sponsors"),
            "vote": cell(rc, state, by),
            "title": rc.get("title"),
        }
        for rc in roll_calls
        if rc.get("stage")
    ]
    return sorted(out, key=lambda r: (str(r.get("date") or "9999"), str(r.get("symbol"))))


@dataclass(frozen=True)
class Agreement:
    """How often two voters cast the same vote, and on how many roll calls that rests."""

    same: int
    compared: int
    rows: tuple[Row, ...]

    @property
    def share(self) -> float | None:
        """Share of the compared roll calls with the same vote (None when nothing could be compared)."""
        return self.same / self.compared if self.compared else None


def bloc_vote(by: Mapping[tuple[str, str], str], key: str, members: Sequence[str]) -> str | None:
    """The most common vote of a bloc's members on a roll call (None: no member recorded; ties: 'split')."""
    counts = Counter(by[(key, m)] for m in members if (key, m) in by and by[(key, m)] != "absent")
    if not counts:
        return None
    top = counts.most_common(2)
    return "split" if len(top) > 1 and top[0][1] == top[1][1] else top[0][0]


def agreement(
    roll_calls: Sequence[Mapping[str, Value]],
    votes: Iterable[Mapping[str, Value]],
    first: str,
    *,
    second: str | None = None,
    bloc: Sequence[str] = (),
) -> Agreement:
    """Agreement of `first` with `second` (a state) or with the majority of `bloc` over the recorded roll calls.

    Only roll calls where both votes are recorded and cast (yes, no or abstain; not absent) are compared."""
    by = cast(votes)
    same = compared = 0
    rows: list[Row] = []
    for rc in roll_calls:
        key = stage_key(rc)
        a = by.get((key, first))
        b = by.get((key, second)) if second else bloc_vote(by, key, [m for m in bloc if m != first])
        if a is None or b is None:
            continue
        counted = a != "absent" and b not in ("absent", "split")
        agree = counted and a == b
        compared += counted
        same += agree
        rows.append(
            {
                "symbol": rc.get("symbol"),
                "stage": rc.get("stage"),
                "date": rc.get("date"),
                "first": a,
                "second": b,
                "same": agree if counted else None,
            }
        )
    return Agreement(same, compared, tuple(rows))
