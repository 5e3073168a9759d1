"""Record types: the schema of every YAML record, as pydantic models (field names are the YAML keys).

This is the one registry of record types. Each model declares, as class variables, its RDF classes
(`rdf_classes`), the path segment of its IRIs (`iri_path`) and which fields refer to which record types
(`REFS`); its type name is the value of its `type` field. Validation, RDF building, diff and reasoning read
`MODELS`, so adding a record type touches this module (and a `GraphBuilder` method, plus its shape and
ontology class) only; tests/test_registry.py checks that these agree. The module is long because it is the
whole record schema, kept in one file so that it reads as one.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from kg.iri import ONTOLOGY
from kg.pipeline.dates import DATE, interval
from kg.pipeline.load import Loc

ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
STATE_ID_PATTERN = r"^[A-Z]{2}$"


def _check_date(value: Any) -> str:
    """ISO 8601 date with year, year-month or full precision; impossible dates (2023-02-30) are refused."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError("expected an ISO 8601 date such as 2015-05-08, 2015-05 or 2015")
    match = DATE.match(value)
    if not match:
        raise ValueError(f"{value!r} is not an ISO 8601 date (YYYY-MM-DD, YYYY-MM or YYYY)")
    year, month, day = match.groups()
    if int(year) < 1800 or int(year) > 2100:
        raise ValueError(f"year {year} is out of range 1800-2100")
    if month and not 1 <= int(month) <= 12:
        raise ValueError(f"{value!r} has no month {month}")
    if day:
        try:
            dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(f"{value!r} is not a calendar date") from None
    if dt.date(int(year), int(month or 1), int(day or 1)) > dt.date.today() + dt.timedelta(days=366):
        raise ValueError(f"{value!r} is more than a year in the future")
    return value


IsoDate = Annotated[str, BeforeValidator(_check_date)]
RecordId = Annotated[str, Field(pattern=ID_PATTERN)]
StateId = Annotated[str, Field(pattern=STATE_ID_PATTERN)]
AnyId = Annotated[str, Field(pattern=r"^([a-z0-9]+(-[a-z0-9]+)*|[A-Z]{2})$")]
Url = Annotated[str, Field(pattern=r"^https?://[^\s<>\"]+$")]  # http(s) only: no javascript:, no markup


def date_key(value: str) -> dt.date:
    """Sort key of a partial date for order checks: the first day it denotes.

    >>> date_key("2015"), date_key("2015-05-08")
    (datetime.date(2015, 1, 1), datetime.date(2015, 5, 8))
    """
    return interval(value).earliest


class Strict(BaseModel):
    """Unknown fields are errors; values are not coerced between types."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class SourceItem(Strict):
    """A citation: at least one of a UN symbol, a URL or a reference id."""

    un_symbol: str | None = None
    url: Url | None = None
    ref: RecordId | None = None
    title: str | None = None
    publisher: str | None = None
    date: IsoDate | None = None
    pages: str | None = None
    quote: str | None = None
    note: str | None = None
    accessed: IsoDate | None = None

    @model_validator(mode="after")
    def _one_locator(self) -> SourceItem:
        if not (self.un_symbol or self.url or self.ref):
            raise ValueError("a source needs un_symbol, url or ref")
        return self


class CoverageItem(Strict):
    """Whether one list of a record is complete, as of a date, by a source (absence is not a fact)."""

    list_: Literal["participations", "parties", "members"] = Field(alias="list")
    complete: bool
    as_of: IsoDate | None = None
    note: str | None = None
    sources: list[SourceItem] = Field(min_length=1)


Ref = tuple[str, frozenset[str]]  # (field path, allowed target types; empty: any)


def _walk(value: Any, parts: list[str], loc: Loc) -> Iterator[tuple[Loc, Any]]:
    """The values at a field path; `*` steps into every item of a list (by index) or a mapping (by key)."""
    if value is None or value == "":
        return
    if not parts:
        yield loc, value
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            yield from _walk(item, rest, (*loc, key))
    else:
        yield from _walk(getattr(value, head), rest, (*loc, head))


class Record(Strict):
    """Fields shared by every record type.

    >>> MODELS["state"].iri_path, MODELS["un_process"].iri_path
    ('state', 'process')
    """

    type_name: ClassVar[str] = ""
    rdf_classes: ClassVar[tuple[str, ...]] = ()  # ontology class IRIs (plain strings: no rdflib here)
    iri_path: ClassVar[str] = ""
    needs_source: ClassVar[bool] = True
    REFS: ClassVar[tuple[Ref, ...]] = (("sources.*.ref", frozenset({"reference"})),)
    id: RecordId
    type: str
    status: Literal["verified", "unverified"] = "verified"
    note: str | None = None
    sources: list[SourceItem] = Field(default_factory=list)

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        cls.type_name = get_args(cls.model_fields["type"].annotation)[0]

    def refs(self) -> list[tuple[Loc, str, frozenset[str]]]:
        """(location, target id, allowed target types) of every reference in the record, as `REFS` declares.

        >>> Event(id="e", type="event", date="2015", title="t", kind="other", involves=["RU"]).refs()
        [(('involves', 0), 'RU', frozenset())]
        """
        return [
            (loc, target, allowed)
            for path, allowed in self.REFS
            for loc, target in _walk(self, path.split("."), ())
        ]

    def checks(self) -> list[tuple[Loc, str, str]]:
        """(location, message, hint) of record-level rules beyond field types."""
        out: list[tuple[Loc, str, str]] = []
        if self.status == "unverified" and not self.note:
            out.append((("status",), "an unverified record needs a note", "say what could not be verified"))
        return out


ACTORS = frozenset({"state", "organisation"})


class Reference(Record):
    """A bibliographic reference (a source in its own right)."""

    rdf_classes = (ONTOLOGY + "Reference",)
    iri_path = "reference"
    needs_source: ClassVar[bool] = False
    type: Literal["reference"]
    author: str
    year: int
    title: str
    container: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    url: Url | None = None
    doi: str | None = None


class State(Record):
    """A state, identified by its ISO 3166-1 alpha-2 code."""

    rdf_classes = (ONTOLOGY + "State",)
    iri_path = "state"
    id: StateId
    type: Literal["state"]
    name: str
    iso3: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    iso_numeric: Annotated[str, Field(pattern=r"^[0-9]{3}$")]
    wikidata: Annotated[str, Field(pattern=r"^Q[0-9]+$")] | None = None
    un_member: bool
    un_member_since: IsoDate | None = None
    un_regional_group: Literal["AG", "APG", "EEG", "GRULAC", "WEOG"] | None = None
    official_name: str | None = None


class MemberItem(Strict):
    """A dated membership in an organisation or group."""

    member: AnyId
    role: Literal["member", "observer", "dialogue-partner", "partner"] = "member"
    from_: IsoDate | None = Field(default=None, alias="from")
    to: IsoDate | None = None
    note: str | None = None
    sources: list[SourceItem] = Field(default_factory=list)


class Organisation(Record):
    """An organisation, UN body or actor group."""

    rdf_classes = (ONTOLOGY + "Organisation", ONTOLOGY + "ActorGroup")
    iri_path = "organisation"
    REFS = (*Record.REFS, ("members.*.member", ACTORS))
    type: Literal["organisation"]
    kind: Literal["regional-organisation", "intergovernmental-organisation", "un-body", "actor-group"]
    name: str
    short_name: str | None = None
    founded: IsoDate | None = None
    dissolved: IsoDate | None = None
    url: Url | None = None
    members: list[MemberItem] = Field(default_factory=list)
    coverage: list[CoverageItem] = Field(default_factory=list)


    def checks(self) -> list[tuple[Loc, str, str]]:
        out = super().checks()
        for i, m in enumerate(self.members):
            if m.from_ and m.to and date_key(m.to) < date_key(m.from_):
                out.append((("members", i, "to"), "membership ends before it starts", "check `from` and `to`"))
        return out


class SignedItem(Strict):
    """Date and place of signature."""

    date: IsoDate
    place: str | None = None


class ParticipationItem(Strict):
    """One party's dated lifecycle in an instrument."""

    party: AnyId
    signed: IsoDate | None = None
    ratified: IsoDate | None = None
    acceded: IsoDate | None = None
    entry_into_force: IsoDate | None = None
    withdrawn: IsoDate | None = None
    note: str | None = None
    sources: list[SourceItem] = Field(default_factory=list)


INSTRUMENT_KINDS = Literal[
    "bilateral-agreement",
    "multilateral-agreement",
    "convention",
    "code-of-conduct",
    "joint-statement",
    "declaration",
    "political-commitment",
    "programme-of-action",
]


class Instrument(Record):
    """A treaty, agreement, code of conduct, declaration or political commitment."""

    rdf_classes = (ONTOLOGY + "Instrument",)
    iri_path = "instrument"
    REFS = (
        *Record.REFS,
        ("parties.*", ACTORS),
        ("organisation", frozenset({"organisation"})),
        ("adopted_by", frozenset({"resolution"})),
        ("participations.*.party", ACTORS),
    )
    type: Literal["instrument"]
    kind: INSTRUMENT_KINDS
    legally_binding: bool
    title: str
    short_title: str | None = None
    parties: list[AnyId] = Field(default_factory=list)
    organisation: RecordId | None = None
    adopted: IsoDate | None = None
    signed: SignedItem | None = None
    entry_into_force: IsoDate | None = None
    un_symbol: str | None = None
    text_url: Url | None = None
    adopted_by: RecordId | None = None
    participations: list[ParticipationItem] = Field(default_factory=list)
    coverage: list[CoverageItem] = Field(default_factory=list)


    def checks(self) -> list[tuple[Loc, str, str]]:
        out = super().checks()
        if self.kind == "bilateral-agreement" and len(self.parties) != 2:
            out.append(
                (
                    ("parties",),
                    f"a bilateral agreement has exactly 2 parties, not {len(self.parties)}",
                    "list the two states in `parties`",
                )
            )
        if len(set(self.parties)) != len(self.parties):
            out.append((("parties",), "a party is listed twice", "remove the repeat"))
        binding_kinds = {"bilateral-agreement", "multilateral-agreement", "convention"}
        if self.kind in binding_kinds and not self.legally_binding:
            out.append(
                (
                    ("legally_binding",),
                    f"a {self.kind} is legally binding",
                    "use political-commitment or joint-statement for non-binding texts",
                )
            )
        if self.signed and self.entry_into_force and date_key(self.entry_into_force) < date_key(self.signed.date):
            out.append((("entry_into_force",), "enters into force before it was signed", "check both dates"))
        seen: set[str] = set()
        for i, p in enumerate(self.participations):
            if p.party in seen:
                out.append((("participations", i, "party"), f"{p.party} has two participations", "merge them"))
            seen.add(p.party)
            steps = [("signed", p.signed), ("ratified", p.ratified), ("entry_into_force", p.entry_into_force)]
            dated = [(n, d) for n, d in steps if d]
            for (n1, d1), (n2, d2) in itertools.pairwise(dated):
                if date_key(d2) < date_key(d1):
                    out.append(
                        (
                            ("participations", i, n2),
                            f"{n2} ({d2}) is before {n1} ({d1})",
                            "lifecycle dates go signed <= ratified <= in force",
                        )
                    )
            if p.withdrawn and p.signed and date_key(p.withdrawn) < date_key(p.signed):
                out.append((("participations", i, "withdrawn"), "withdrawn before signed", "check the dates"))
        return out


class ChairItem(Strict):
    """The chair of a process."""

    name: str
    state: StateId | None = None


class UNProcess(Record):
    """A GGE, OEWG, ad hoc committee or permanent mechanism."""

    rdf_classes = (ONTOLOGY + "UNProcess",)
    iri_path = "process"
    REFS = (
        *Record.REFS,
        ("mandated_by.*", frozenset({"resolution"})),
        ("chair.state", frozenset({"state"})),
        ("members.*", frozenset({"state"})),
    )
    type: Literal["un_process"]
    kind: Literal["GGE", "OEWG", "AHC", "mechanism"]
    name: str
    short_name: str | None = None
    mandated_by: list[RecordId] = Field(default_factory=list)
    start: IsoDate | None = None
    end: IsoDate | None = None
    chair: ChairItem | None = None
    members: list[StateId] = Field(default_factory=list)
    outcome: Literal["consensus-report", "no-consensus", "final-report", "ongoing"] | None = None
    report: str | None = None


    def checks(self) -> list[tuple[Loc, str, str]]:
        out = super().checks()
        if self.start and self.end and date_key(self.end) < date_key(self.start):
            out.append((("end",), "ends before it starts", "check `start` and `end`"))
        if len(set(self.members)) != len(self.members):
            out.append((("members",), "a member is listed twice", "remove the repeat"))
        return out


Stage = Literal["plenary", "first-committee", "third-committee"]
UN_MEMBER_STATES = 193  # members of the General Assembly since 2011 (South Sudan); no recorded vote counts more


class TallyItem(Strict):
    """The outcome of one decision on a resolution."""

    stage: Stage
    date: IsoDate | None = None
    yes: int | None = Field(default=None, ge=0)
    no: int | None = Field(default=None, ge=0)
    abstain: int | None = Field(default=None, ge=0)
    without_vote: bool = False
    note: str | None = None
    source: SourceItem

    @model_validator(mode="after")
    def _counts(self) -> TallyItem:
        counts = (self.yes, self.no, self.abstain)
        if self.without_vote and any(c is not None for c in counts):
            raise ValueError("a tally adopted without a vote has no counts")
        if not self.without_vote and any(c is None for c in counts):
            raise ValueError("a recorded vote needs yes, no and abstain counts (or without_vote: true)")
        if sum(c or 0 for c in counts) > UN_MEMBER_STATES:
            raise ValueError(f"a tally cannot count more than the {UN_MEMBER_STATES} UN member states")
        return self


class Resolution(Record):
    """A UN General Assembly resolution."""

    rdf_classes = (ONTOLOGY + "Resolution",)
    iri_path = "resolution"
    REFS = (
        *Record.REFS,
        ("sponsors.*", frozenset({"state"})),
        ("establishes.*", frozenset({"un_process"})),
        ("tallies.*.source.ref", frozenset({"reference"})),
    )
    type: Literal["resolution"]
    symbol: Annotated[str, Field(pattern=r"^A/RES/[0-9]+/[0-9]+[A-Z]?$")]
    title: str
    session: int = Field(ge=1)
    committee: Literal["first", "third", "none"] | None = None
    adopted: IsoDate | None = None
    sponsors: list[StateId] = Field(default_factory=list)
    draft: str | None = None
    agenda_item: str | None = None
    tallies: list[TallyItem] = Field(default_factory=list)
    establishes: list[RecordId] = Field(default_factory=list)


    def checks(self) -> list[tuple[Loc, str, str]]:
        out = super().checks()
        expected = "a-res-" + self.symbol.removeprefix("A/RES/").replace("/", "-").lower()
        if self.id != expected:
            out.append((("id",), f"id {self.id!r} does not match symbol {self.symbol}", f"use id {expected}"))
        stages = [t.stage for t in self.tallies]
        if len(set(stages)) != len(stages):
            out.append((("tallies",), "two tallies at the same stage", "keep one tally per stage"))
        return out


class VoteRecord(Record):
    """How each state voted at one stage of one resolution."""

    rdf_classes = (ONTOLOGY + "VoteRecord",)
    iri_path = "vote-record"
    REFS = (
        *Record.REFS,
        ("resolution", frozenset({"resolution"})),
        *((f"{choice}.*", frozenset({"state"})) for choice in ("yes", "no", "abstain", "absent")),
    )
    type: Literal["vote_record"]
    resolution: RecordId
    stage: Stage
    date: IsoDate | None = None
    yes: list[StateId] = Field(default_factory=list)
    no: list[StateId] = Field(default_factory=list)
    abstain: list[StateId] = Field(default_factory=list)
    absent: list[StateId] = Field(default_factory=list)
    raw: str | None = None
    complete: bool = False


    def checks(self) -> list[tuple[Loc, str, str]]:
        out = super().checks()
        seen: dict[str, str] = {}
        for choice in ("yes", "no", "abstain", "absent"):
            for i, s in enumerate(getattr(self, choice)):
                if s in seen:
                    out.append(
                        (
                            (choice, i),
                            f"{s} is listed under both {seen[s]} and {choice}",
                            "a state casts one vote per record",
                        )
                    )
                seen[s] = choice
        return out


class Position(Record):
    """A coded, dated claim about an actor's stance on an issue, with evidence."""

    rdf_classes = (ONTOLOGY + "Position",)
    iri_path = "position"
    REFS = (
        *Record.REFS,
        ("actor", ACTORS),
        ("basis_ref", frozenset({"instrument", "event", "resolution"})),
        ("delivered_by", ACTORS),
    )
    type: Literal["position"]
    actor: AnyId
    issue: RecordId
    stance: RecordId
    date: IsoDate
    forum: RecordId
    session: str | None = None
    quote: str | None = None
    quote_kind: Literal["verbatim", "paraphrase"]
    basis: Literal["own-statement", "joint-text", "bloc-statement", "secondary"]
    basis_ref: RecordId | None = None
    basis_title: str | None = None
    delivered_by: AnyId | None = None
    coding_note: str | None = None
    coder: str
    confidence: Literal["high", "medium", "low"]

    def checks(self) -> list[tuple[Loc, str, str]]:
        out = super().checks()
        if self.basis != "joint-text" and (self.basis_ref or self.basis_title):
            out.append((("basis",), "basis_ref/basis_title belong to a joint-text position", "set basis: joint-text"))
        if self.basis != "bloc-statement" and self.delivered_by:
            out.append(
                (("delivered_by",), "delivered_by belongs to a bloc-statement position", "set basis: bloc-statement")
            )
        if self.basis == "secondary" and self.confidence == "high":
            out.append(
                (("confidence",), "a secondary characterisation is not high-confidence evidence", "use medium or low")
            )
        if self.forum == "academic" and self.basis != "secondary":
            out.append(
                (("basis",), "a scholarly characterisation (forum academic) is secondary", "set basis: secondary")
            )
        return out



class Event(Record):
    """A dated development for the timeline."""

    rdf_classes = (ONTOLOGY + "Event",)
    iri_path = "event"
    REFS = (*Record.REFS, ("involves.*", frozenset()))
    type: Literal["event"]
    date: IsoDate
    end_date: IsoDate | None = None
    title: str
    kind: Literal["signature", "adoption", "report", "session", "incident", "statement", "founding", "other"]
    involves: list[AnyId] = Field(default_factory=list)



class ExpectedDifference(Strict):
    """A cell where the graph is known to differ from the printed table: the graph value expected, and why."""

    row: str
    column: str
    expected: str | int
    reason: str


class ClaimItem(Strict):
    """One checkable claim of a printed cell, with the library query that finds the records it is about."""

    row: str
    text: str
    query: Annotated[str, Field(pattern=ID_PATTERN)] | None = None
    params: dict[str, str | list[str]] = Field(default_factory=dict)
    match: Literal["first", "any", "increase"] | None = None
    not_checkable: str | None = None
    expected: Literal["differs"] | None = None  # a known finding: the graph dates the claim elsewhere
    reason: str | None = None

    @model_validator(mode="after")
    def _explained(self) -> ClaimItem:
        if (self.expected is None) != (self.reason is None):
            raise ValueError("an expected verdict and its reason go together")
        return self

    @model_validator(mode="after")
    def _checkable(self) -> ClaimItem:
        if (self.query is None) == (self.not_checkable is None):
            raise ValueError("a claim has either a query (with match) or not_checkable (with the reason)")
        if self.query is not None and self.match is None:
            raise ValueError("a checked claim needs match: first, any or increase")
        return self


class SourceDomain(Record):
    """An internet domain of cited sources, with its tier and the reason (the table lives in data/, not code)."""

    rdf_classes = (ONTOLOGY + "SourceDomain",)
    iri_path = "source-domain"
    needs_source: ClassVar[bool] = False
    type: Literal["source_domain"]
    domain: Annotated[str, Field(pattern=r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")]
    tier: Literal["official-primary", "reputable-secondary", "mirror", "excluded"]
    reason: str | None = None

    def checks(self) -> list[tuple[Loc, str, str]]:
        out = super().checks()
        if self.tier in ("mirror", "excluded") and not self.reason:
            out.append((("reason",), f"a {self.tier} domain needs its reason", "say why the domain is weak"))
        return out


class PublishedTable(Record):
    """A table printed in a reference, recorded so that a query can reproduce it."""

    rdf_classes = (ONTOLOGY + "PublishedTable",)
    iri_path = "table"
    REFS = (*Record.REFS, ("row_keys.*", frozenset()), ("column_keys.*", frozenset()))
    type: Literal["published_table"]
    number: str
    caption: str
    query: Annotated[str, Field(pattern=ID_PATTERN)] | None = None
    not_checkable: str | None = None
    claims: list[ClaimItem] = Field(default_factory=list)
    columns: list[str] = Field(min_length=2)
    rows: list[list[str | int]] = Field(min_length=1)
    row_keys: dict[str, AnyId] = Field(default_factory=dict)
    column_keys: dict[str, AnyId] = Field(default_factory=dict)
    expected_differences: list[ExpectedDifference] = Field(default_factory=list)


    def checks(self) -> list[tuple[Loc, str, str]]:
        out = super().checks()
        if not any(s.ref for s in self.sources):
            out.append(
                (
                    ("sources",),
                    "a published table cites the reference it was printed in",
                    "add `- {ref: <reference id>, pages: ...}`",
                )
            )
        if (self.query is None) == (self.not_checkable is None):
            out.append(
                (("query",), "a table has a reproducing query or not_checkable", "name the query, or say why none")
            )
        labels = {str(row[0]) for row in self.rows}
        for i, claim in enumerate(self.claims):
            if claim.row not in labels:
                out.append((("claims", i, "row"), f"no printed row {claim.row!r}", "use a printed row label"))
        for i, diff in enumerate(self.expected_differences):
            if diff.row not in labels or diff.column not in self.columns[1:]:
                out.append(
                    (
                        ("expected_differences", i),
                        f"no cell at row {diff.row!r}, column {diff.column!r}",
                        "use a printed row label and column name",
                    )
                )
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                out.append(
                    (
                        ("rows", i),
                        f"row has {len(row)} cells, the table has {len(self.columns)} columns",
                        "one cell per column",
                    )
                )
        return out


MODELS: dict[str, type[Record]] = {
    model.type_name: model
    for model in (Reference, State, Organisation, Instrument, UNProcess, Resolution, VoteRecord, Position, Event,
                  PublishedTable, SourceDomain)
}
"""Every record type by its type name: the registry the pipeline reads."""
