"""Stage 3, to RDF: validated records -> sorted N-Triples rows in the Cyber Norms ontology (rdflib-free, linear).

No blank nodes in the data: every node (sources, tallies, votes, memberships, cells) gets an IRI derived from its
record id, so serialisations are stable and diffs between releases are meaningful. The only blank nodes are the
ontology's and codebook's (OWL lists and restrictions): they get rdflib's canonical labels once, from the few
triples that mention them, so no canonicalisation of the whole graph is ever needed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from operator import eq
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import namespace as rns
from rdflib.plugins.serializers.nt import _quoteLiteral
from rdflib.term import Literal, URIRef

from kg import vocab
from kg.paths import CODEBOOK, ONTOLOGY
from kg.pipeline.codebook import Codebook, load_codebook
from kg.pipeline.dates import interval
from kg.pipeline.records import (
    MODELS,
    CoverageItem,
    Event,
    Instrument,
    Organisation,
    Position,
    PublishedTable,
    Record,
    Reference,
    Resolution,
    SourceDomain,
    SourceItem,
    State,
    UNProcess,
    VoteRecord,
)
from kg.pipeline.tiers import domain_of, listed, tier_of
from kg.pipeline.validate import Checked, id_types
from kg.vocab import ID

if TYPE_CHECKING:
    from rdflib import Graph


class Iri(str):
    """An IRI as a plain string (rdflib's URIRef validates on every construction, too slow per triple)."""

    __slots__ = ()


class Terms:
    """An rdflib namespace whose terms are `Iri`s, each looked up (and checked, for closed namespaces) once:
    rdflib's attribute lookup costs more than writing the triple."""

    def __init__(self, ns: Any) -> None:
        self._ns = ns

    def __getattr__(self, name: str) -> Iri:
        term = Iri(getattr(self._ns, name))
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> Iri:
        return Iri(self._ns[name])


CN, ORG, SCHEMA, WD = Terms(vocab.CN), Terms(vocab.ORG), Terms(vocab.SCHEMA), Terms(vocab.WD)
DCTERMS, OWL, PROV, RDF = Terms(rns.DCTERMS), Terms(rns.OWL), Terms(rns.PROV), Terms(rns.RDF)
RDFS, SKOS, XSD = Terms(rns.RDFS), Terms(rns.SKOS), Terms(rns.XSD)
_DCTERMS = str(rns.DCTERMS)

CONCEPT_PATH = {"issue": "issue", "stance": "stance", "forum": "forum"}
INSTRUMENT_CLASS = {
    "bilateral-agreement": CN.BilateralAgreement,
    "multilateral-agreement": CN.MultilateralAgreement,
    "convention": CN.Convention,
    "code-of-conduct": CN.CodeOfConduct,
    "joint-statement": CN.JointStatement,
    "declaration": CN.Declaration,
    "political-commitment": CN.PoliticalCommitment,
    "programme-of-action": CN.ProgrammeOfAction,
}
PROCESS_CLASS = {"GGE": CN.GGE, "OEWG": CN.OEWG, "AHC": CN.AdHocCommittee, "mechanism": CN.PermanentMechanism}


def _key(p: str) -> str:
    """A path segment naming a dated property: its local name, prefixed with `dcterms-` for Dublin Core terms
    (dcterms:date and cn:date would otherwise collide)."""
    local = str(p).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
    return f"dcterms-{local}" if str(p).startswith(_DCTERMS) else local


class Lit(str):
    """A literal already encoded as N-Triples (`"lexical"`, `"lexical"@lang` or `"lexical"^^<datatype>`)."""

    __slots__ = ()


def _quote(text: str) -> str:
    """rdflib's N-Triples string escaping (backslash, newline, quote, carriage return), so output is unchanged."""
    return '"' + text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"').replace("\r", "\\r") + '"'


def typed(lexical: str, datatype: str) -> Lit:
    """A typed literal."""
    return Lit(f"{_quote(lexical)}^^<{datatype}>")


def lang(text: str, tag: str = "en") -> Lit:
    """A language-tagged literal."""
    return Lit(f"{_quote(text)}@{tag}")


_TRUE, _FALSE = typed("true", XSD.boolean), typed("false", XSD.boolean)
_INTEGER = str(XSD.integer)


def encode(o: object) -> str:
    """One object term in N-Triples, exactly as rdflib writes it for the same Python value."""
    kind = type(o)
    if kind is str:
        return _quote(o)  # type: ignore[arg-type]
    if kind is Lit:
        return o  # type: ignore[return-value]
    if kind is Iri or kind is URIRef:
        return f"<{o}>"
    if kind is bool:
        return _TRUE if o else _FALSE
    if kind is int:
        return f'"{o}"^^<{_INTEGER}>'
    if isinstance(o, Literal):
        return _quoteLiteral(o)
    if isinstance(o, URIRef):
        return f"<{o}>"
    if isinstance(o, str):  # any other string type is text, never an IRI
        return _quote(str(o))
    return _quoteLiteral(Literal(o))


def date_literal(value: str) -> Lit:
    """xsd:date, xsd:gYearMonth or xsd:gYear, by the precision written in the record."""
    datatype = {4: XSD.gYear, 7: XSD.gYearMonth}.get(len(value), XSD.date)
    return typed(value, datatype)


class GraphBuilder:
    """Adds records to a graph; `iri` resolves any record or codebook id."""

    def __init__(self, types: dict[str, str], codebook: Codebook, domains: Iterable[SourceDomain] = ()) -> None:
        self.rows: list[str] = []  # N-Triples rows without the final newline, duplicates removed once sorted
        self._add = self.rows.append
        self.types = types
        self.codebook = codebook
        self.domain_ids = {d.domain: d.id for d in domains}  # the domain table: listed domain -> its record
        self.tiers = {d.domain: d.tier for d in domains}
        self._iris: dict[str, Iri] = {}
        self._dates: dict[str, tuple[Lit, Iri, Lit, Lit]] = {}  # written date -> its literal and interval terms
        self._keys: dict[str, str] = {}  # dated property -> its path segment (`_key`)
        self._urls: dict[str, Iri | None] = {}  # source URL -> its listed domain's record, if any
        self._tiers: dict[tuple[str | None, bool, bool], Iri | None] = {}  # (url, symbol?, ref?) -> tier term

    def iri(self, record_id: str) -> Iri:
        found = self._iris.get(record_id)
        if found is None:
            kind = self.types[record_id]
            path = MODELS[kind].iri_path if kind in MODELS else CONCEPT_PATH[kind]
            found = self._iris[record_id] = Iri(f"{ID}{path}/{record_id}")
        return found

    def add(self, s: str, p: str, o: object) -> None:
        kind = type(o)
        if kind is Iri:  # the common cases first, without a call
            self._add(f"<{s}> <{p}> <{o}> .")
        elif kind is Lit:
            self._add(f"<{s}> <{p}> {o} .")
        elif o is not None:
            self._add(f"<{s}> <{p}> {encode(o)} .")

    def add_date(self, s: str, p: str, value: str | None, *, principal: bool = False) -> None:
        """The written date, plus the interval it denotes (on the subject too when it is the principal date)."""
        if value is None:
            return
        terms = self._dates.get(value)
        if terms is None:  # each distinct date is worked out once (a large graph repeats few thousand dates)
            iv = interval(value)
            terms = self._dates[value] = (
                date_literal(value),
                Iri(f"{ID}date-precision/{iv.precision}"),
                typed(iv.earliest.isoformat(), XSD.date),
                typed(iv.latest.isoformat(), XSD.date),
            )
        literal, precision, earliest, latest = terms
        key = self._keys.get(p)
        if key is None:
            key = self._keys[p] = _key(p)
        add = self._add
        add(f"<{s}> <{p}> {literal} .")
        node = Iri(f"{s}/date/{key}")
        add(f"<{s}> <{CN.hasDate}> <{node}> .")
        add(f"<{node}> <{RDF.type}> <{CN.DateInterval}> .")
        self.add(node, CN.dateProperty, p)
        add(f"<{node}> <{CN.datePrecision}> <{precision}> .")
        for subject in (node, s) if principal else (node,):
            add(f"<{subject}> <{CN.earliestDay}> {earliest} .")
            add(f"<{subject}> <{CN.latestDay}> {latest} .")

    def coverage(self, subject: str, items: Iterable[CoverageItem]) -> None:
        """Coverage statements: whether each list of the record is complete, as of when, by which source."""
        for item in items:
            self.coverage_node(
                subject, item.list_, complete=item.complete, as_of=item.as_of, note=item.note, sources=item.sources
            )

    def coverage_node(
        self,
        subject: str,
        name: str,
        *,
        complete: bool,
        as_of: str | None = None,
        note: str | None = None,
        sources: Iterable[SourceItem] = (),
    ) -> None:
        node = Iri(f"{subject}/coverage/{name}")
        self.add(subject, CN.hasCoverage, node)
        self.add(node, RDF.type, CN.CoverageStatement)
        self.add(node, CN.coversList, name)
        self.add(node, CN.complete, complete)
        self.add_date(node, CN.asOf, as_of)
        self.add(node, CN.note, note)
        self.sources(node, sources)

    def sources(self, subject: str, items: Iterable[SourceItem], *, prefix: str = "source") -> None:
        add = self.add
        for n, item in enumerate(items, start=1):
            node = Iri(f"{subject}/{prefix}/{n}")
            add(subject, CN.hasSource, node)
            add(node, RDF.type, CN.Source)
            if item.un_symbol is not None:
                add(node, CN.unSymbol, item.un_symbol)
            if item.url:
                add(node, SCHEMA.url, typed(item.url, XSD.anyURI))
                domain = self._urls.get(item.url, False)
                if domain is False:
                    hit = listed(domain_of(item.url), self.tiers)
                    domain = self._urls[item.url] = None if hit is None else self.iri(self.domain_ids[hit])
                if domain is not None:
                    add(node, CN.fromDomain, domain)
            tier_key = (item.url, bool(item.un_symbol), bool(item.ref))
            tier = self._tiers.get(tier_key, False)
            if tier is False:  # the tier depends on the URL and on whether a symbol and a reference are cited
                found = tier_of(url=item.url, un_symbol=item.un_symbol, ref=item.ref, table=self.tiers)
                tier = self._tiers[tier_key] = None if found is None else Iri(f"{ID}source-tier/{found}")
            if tier is not None:
                add(node, CN.sourceTier, tier)
            if item.ref:
                add(node, CN.citesReference, self.iri(item.ref))
            if item.title is not None:  # the optional fields, tested here: most sources leave most out
                add(node, DCTERMS.title, item.title)
            if item.publisher is not None:
                add(node, DCTERMS.publisher, item.publisher)
            if item.date is not None:
                self.add_date(node, DCTERMS.date, item.date)
            if item.pages is not None:
                add(node, CN.pages, item.pages)
            if item.quote is not None:
                add(node, CN.quote, item.quote)
            if item.note is not None:
                add(node, CN.note, item.note)
            if item.accessed is not None:
                self.add_date(node, CN.accessedOn, item.accessed)

    def common(self, rec: Record, cls: str, label: str) -> Iri:
        s = self.iri(rec.id)
        self.add(s, RDF.type, cls)
        self.add(s, CN.recordId, rec.id)
        self.add(s, RDFS.label, lang(label))
        self.add(s, CN.status, rec.status)
        if rec.note is not None:
            self.add(s, CN.note, rec.note)
        self.sources(s, rec.sources)
        return s

    # ------------------------------------------------------------------ one method per record type
    def reference(self, rec: Reference) -> None:
        s = self.common(rec, CN.Reference, f"{rec.author} ({rec.year}), {rec.title}")
        self.add(s, CN.author, rec.author)
        self.add(s, CN.year, typed(str(rec.year), XSD.gYear))
        self.add(s, DCTERMS.title, rec.title)
        self.add(s, CN.container, rec.container)
        self.add(s, CN.volume, rec.volume)
        self.add(s, CN.issueNumber, rec.issue)
        self.add(s, CN.pages, rec.pages)
        if rec.url:
            self.add(s, SCHEMA.url, typed(rec.url, XSD.anyURI))
        self.add(s, SCHEMA.identifier, rec.doi)

    def state(self, rec: State) -> None:
        s = self.common(rec, CN.State, rec.name)
        self.add(s, RDF.type, CN.Actor)
        self.add(s, SKOS.prefLabel, lang(rec.name))
        self.add(s, SCHEMA.name, rec.official_name)
        self.add(s, CN.iso3166Alpha2, rec.id)
        self.add(s, CN.iso3166Alpha3, rec.iso3)
        self.add(s, CN.iso3166Numeric, rec.iso_numeric)
        self.add(s, CN.unMember, rec.un_member)
        self.add_date(s, CN.memberFrom, rec.un_member_since)
        if rec.un_regional_group:
            self.add(s, CN.regionalGroup, Iri(f"{ID}regional-group/{rec.un_regional_group}"))
        if rec.wikidata:
            self.add(s, OWL.sameAs, WD[rec.wikidata])

    def organisation(self, rec: Organisation) -> None:
        cls = CN.ActorGroup if rec.kind == "actor-group" else CN.Organisation
        s = self.common(rec, cls, rec.name)
        self.add(s, RDF.type, CN.Actor)
        self.add(s, CN.kind, rec.kind)
        self.add(s, SKOS.prefLabel, lang(rec.name))
        self.add(s, CN.shortName, rec.short_name)
        self.add_date(s, CN.founded, rec.founded, principal=True)
        self.add_date(s, DCTERMS.valid, rec.dissolved)
        self.coverage(s, rec.coverage)
        for m in rec.members:
            node = Iri(f"{s}/membership/{m.member}-{m.role}")
            self.add(s, CN.hasMembership, node)
            self.add(node, RDF.type, CN.Membership)
            self.add(node, ORG.organization, s)
            self.add(node, ORG.member, self.iri(m.member))
            if m.role == "member":
                self.add(self.iri(m.member), CN.memberOf, s)
            self.add(node, CN.role, m.role)
            self.add_date(node, CN.memberFrom, m.from_, principal=True)
            self.add_date(node, CN.memberUntil, m.to)
            self.add(node, CN.note, m.note)
            self.sources(node, m.sources)

    def instrument(self, rec: Instrument) -> None:
        s = self.common(rec, CN.Instrument, rec.short_title or rec.title)
        self.add(s, RDF.type, INSTRUMENT_CLASS[rec.kind])
        self.add(s, CN.kind, rec.kind)
        self.add(s, DCTERMS.title, rec.title)
        self.add(s, CN.legallyBinding, rec.legally_binding)
        for p in rec.parties:
            self.add(s, CN.party, self.iri(p))
        if rec.organisation:
            self.add(s, CN.framework, self.iri(rec.organisation))
        if rec.adopted_by:
            self.add(s, PROV.wasGeneratedBy, self.iri(rec.adopted_by))
        self.add_date(s, CN.adoptedOn, rec.adopted, principal=rec.signed is None)
        if rec.signed:
            self.add_date(s, CN.signedOn, rec.signed.date, principal=True)
            self.add(s, CN.signedAt, rec.signed.place)
        self.coverage(s, rec.coverage)
        self.add_date(s, CN.entryIntoForce, rec.entry_into_force)
        self.add(s, CN.unSymbol, rec.un_symbol)
        if rec.text_url:
            self.add(s, CN.textUrl, typed(rec.text_url, XSD.anyURI))
        for part in rec.participations:
            node = Iri(f"{s}/participation/{part.party}")
            self.add(s, CN.hasParticipation, node)
            self.add(node, RDF.type, CN.Participation)
            self.add(node, CN.participant, self.iri(part.party))
            # the participation's principal date is its first lifecycle step
            steps = [(CN.signedOn, part.signed), (CN.ratifiedOn, part.ratified), (CN.accededOn, part.acceded)]
            first = next((p for p, d in steps if d), None)
            for prop, value in steps:
                self.add_date(node, prop, value, principal=prop == first)
            self.add_date(node, CN.entryIntoForce, part.entry_into_force)
            self.add_date(node, CN.withdrewOn, part.withdrawn)
            self.add(node, CN.note, part.note)
            self.sources(node, part.sources)
            if part.signed or part.ratified or part.acceded:
                self.add(s, CN.party, self.iri(part.party))

    def un_process(self, rec: UNProcess) -> None:
        s = self.common(rec, CN.UNProcess, rec.short_name or rec.name)
        self.add(s, RDF.type, PROCESS_CLASS[rec.kind])
        self.add(s, CN.kind, rec.kind)
        self.add(s, DCTERMS.title, rec.name)
        for r in rec.mandated_by:
            self.add(s, CN.mandatedBy, self.iri(r))
        self.add_date(s, CN.startDate, rec.start, principal=True)
        self.add_date(s, CN.endDate, rec.end)
        if rec.chair:
            self.add(s, CN.chairName, rec.chair.name)
            if rec.chair.state:
                self.add(s, CN.chairState, self.iri(rec.chair.state))
        for m in rec.members:
            self.add(s, CN.memberState, self.iri(m))
        self.add(s, CN.outcome, rec.outcome)
        self.add(s, CN.reportSymbol, rec.report)

    def resolution(self, rec: Resolution) -> None:
        s = self.common(rec, CN.Resolution, f"{rec.symbol} {rec.title}")
        self.add(s, CN.unSymbol, rec.symbol)
        self.add(s, DCTERMS.title, rec.title)
        self.add(s, CN.sessionNumber, rec.session)
        self.add(s, CN.committee, rec.committee)
        self.add_date(s, CN.adoptedOn, rec.adopted, principal=True)
        self.add(s, CN.draftSymbol, rec.draft)
        for sp in rec.sponsors:
            self.add(s, CN.sponsor, self.iri(sp))
        for p in rec.establishes:
            self.add(s, CN.establishes, self.iri(p))
        for t in rec.tallies:
            node = Iri(f"{s}/tally/{t.stage}")  # one tally per stage (checked)
            self.add(s, CN.hasTally, node)
            self.add(node, RDF.type, CN.Tally)
            self.add(node, CN.stage, Iri(f"{ID}stage/{t.stage}"))
            self.add_date(node, CN.date, t.date, principal=True)
            self.add(node, CN.withoutVote, t.without_vote)
            if not t.without_vote:
                self.add(node, CN.yesCount, t.yes)
                self.add(node, CN.noCount, t.no)
                self.add(node, CN.abstainCount, t.abstain)
            self.add(node, CN.note, t.note)
            self.sources(node, [t.source])

    def vote_record(self, rec: VoteRecord) -> None:
        s = self.common(rec, CN.VoteRecord, f"Votes on {rec.resolution} ({rec.stage})")
        self.add(s, CN.onResolution, self.iri(rec.resolution))
        self.add(s, CN.stage, Iri(f"{ID}stage/{rec.stage}"))
        self.add_date(s, CN.date, rec.date, principal=True)
        self.coverage_node(s, "votes", complete=rec.complete)
        for choice in ("yes", "no", "abstain", "absent"):
            for state in getattr(rec, choice):
                node = Iri(f"{s}/{state}")
                self.add(s, CN.hasVote, node)
                self.add(node, RDF.type, CN.Vote)
                self.add(node, CN.voter, self.iri(state))
                self.add(node, CN.choice, Iri(f"{ID}vote-choice/{choice}"))

    def position(self, rec: Position) -> None:
        s = self.common(rec, CN.Position, f"{rec.actor} on {rec.issue}: {rec.stance} ({rec.date})")
        add = self.add  # most records are positions: the optional fields are tested before the call
        add(s, CN.actor, self.iri(rec.actor))
        add(s, CN.issue, Iri(f"{ID}issue/{rec.issue}"))
        add(s, CN.stance, Iri(f"{ID}stance/{rec.stance}"))
        self.add_date(s, CN.date, rec.date, principal=True)
        add(s, CN.forum, self.iri(rec.forum))
        if rec.session is not None:
            add(s, CN.sessionLabel, rec.session)
        if rec.quote is not None:
            add(s, CN.quote, rec.quote)
        add(s, CN.quoteKind, Iri(f"{ID}quote-kind/{rec.quote_kind}"))
        add(s, CN.basis, Iri(f"{ID}evidence-basis/{rec.basis}"))
        if rec.basis_ref:
            add(s, CN.basedOnText, self.iri(rec.basis_ref))
        if rec.basis_title is not None:
            add(s, CN.basedOnTitle, rec.basis_title)
        if rec.delivered_by:
            add(s, CN.deliveredBy, self.iri(rec.delivered_by))
        if rec.coding_note is not None:
            add(s, CN.codingNote, rec.coding_note)
        add(s, CN.coder, rec.coder)
        add(s, CN.confidence, rec.confidence)

    def event(self, rec: Event) -> None:
        s = self.common(rec, CN.Event, rec.title)
        self.add(s, DCTERMS.title, rec.title)
        self.add(s, CN.kind, rec.kind)
        self.add_date(s, CN.date, rec.date, principal=True)
        self.add_date(s, CN.endDate, rec.end_date)
        for target in rec.involves:
            self.add(s, CN.involves, self.iri(target))

    def published_table(self, rec: PublishedTable) -> None:
        s = self.common(rec, CN.PublishedTable, f"Table {rec.number}: {rec.caption}")
        self.add(s, DCTERMS.title, rec.caption)
        self.add(s, CN.tableNumber, rec.number)
        self.add(s, CN.reproducedBy, rec.query)
        for src in rec.sources:
            if src.ref:
                self.add(s, CN.publishedIn, self.iri(src.ref))
        self.add(s, CN.notCheckable, rec.not_checkable)
        for i, claim in enumerate(rec.claims):
            node = Iri(f"{s}/claim/{i}")
            self.add(s, CN.hasClaim, node)
            self.add(node, RDF.type, CN.PublishedClaim)
            self.add(node, CN.rowIndex, i)
            self.add(node, CN.rowLabel, claim.row)
            self.add(node, CN.claimText, claim.text)
            self.add(node, CN.checkedBy, claim.query)
            self.add(node, CN.claimMatch, claim.match)
            self.add(node, CN.notCheckable, claim.not_checkable)
            self.add(node, CN.expectedValue, claim.expected)
            self.add(node, CN.expectedDifference, claim.reason)
            for name, given in sorted(claim.params.items()):
                for v in [given] if isinstance(given, str) else given:
                    self.add(node, CN.claimParameter, f"{name}={v}")
        stance_of = self.codebook.stance_labels
        expected = {(d.row, d.column): d.reason for d in rec.expected_differences}
        expected_value = {(d.row, d.column): d.expected for d in rec.expected_differences}
        for r, row in enumerate(rec.rows):
            row_label = str(row[0])
            for c, value in enumerate(row):
                node = Iri(f"{s}/cell/{r}-{c}")
                self.add(s, CN.hasCell, node)
                self.add(node, RDF.type, CN.TableCell)
                self.add(node, CN.rowIndex, r)
                self.add(node, CN.columnIndex, c)
                self.add(node, CN.rowLabel, row_label)
                self.add(node, CN.columnLabel, rec.columns[c])
                self.add(node, CN.cellValue, value if isinstance(value, int) else str(value))
                if row_label in rec.row_keys:
                    self.add(node, CN.rowKey, self.iri(rec.row_keys[row_label]))
                if rec.columns[c] in rec.column_keys:
                    self.add(node, CN.columnKey, self.iri(rec.column_keys[rec.columns[c]]))
                self.add(node, CN.expectedDifference, expected.get((row_label, rec.columns[c])))
                ev = expected_value.get((row_label, rec.columns[c]))
                self.add(node, CN.expectedValue, None if ev is None else str(ev))
                if c > 0 and isinstance(value, str) and value in stance_of:
                    self.add(node, CN.cellStance, Iri(f"{ID}stance/{stance_of[value]}"))

    def source_domain(self, rec: SourceDomain) -> None:
        s = self.common(rec, CN.SourceDomain, rec.domain)
        self.add(s, CN.domainName, rec.domain)
        self.add(s, CN.sourceTier, Iri(f"{ID}source-tier/{rec.tier}"))
        self.add(s, CN.tierReason, rec.reason)


@dataclass(frozen=True)
class Triples:
    """A graph as sorted N-Triples (the bytes of the file) and its number of triples."""

    data: bytes
    count: int

    @staticmethod
    def from_rows(rows: list[str]) -> Triples:
        """From sorted rows without their newline, duplicates dropped (the list is emptied: `write_rows`)."""
        out = bytearray()
        count = write_rows(rows, out.extend)
        return Triples(bytes(out), count)

    def __len__(self) -> int:
        return self.count

    def ntriples(self) -> bytes:
        """Sorted N-Triples, one row a line: byte-identical for the same records."""
        return self.data

    def graph(self) -> Graph:
        """The same triples as an rdflib Graph (for callers that need rdflib; slow for large graphs)."""
        from rdflib import Graph

        return Graph().parse(data=self.data, format="nt")


def write_rows(rows: list[str], write: Callable[[bytes], object]) -> int:
    """Write sorted rows (without their newline) as N-Triples, duplicates dropped; the number written. The list
    is emptied as it is encoded, in chunks, so the rows and their bytes are never both held whole."""
    count, last, step = 0, None, 65536
    for start in range(0, len(rows), step):
        chunk = rows[start : start + step]
        rows[start : start + step] = [""] * len(chunk)  # frees the strings: no one else holds them
        unique = chunk
        # duplicates are rare and, the rows being sorted, next to each other: look for them in C first
        if chunk[0] == last or any(map(eq, chunk, islice(chunk, 1, None))):
            unique = [row for row, prev in zip(chunk, [last, *chunk], strict=False) if row != prev]
        if unique:
            last = unique[-1]
            count += len(unique)
            write(("\n".join(unique) + "\n").encode("utf-8"))
    rows.clear()
    return count


def _digest(*paths: Path) -> str:
    return "".join(hashlib.sha256(p.read_bytes()).hexdigest() for p in paths)


@lru_cache(maxsize=4)
def _term_rows(ontology: Path, codebook: Path, digest: str) -> frozenset[str]:
    """The ontology's and codebook's triples as N-Triples rows, blank nodes labelled as rdflib's canonical form
    labels them (computed from the triples that mention a blank node only: the labels depend on nothing else)."""
    from rdflib import BNode, Graph
    from rdflib.compare import to_canonical_graph
    from rdflib.plugins.serializers.nt import _nt_row

    terms = Graph()
    terms.parse(ontology, format="turtle")
    terms.parse(codebook, format="turtle")
    with_bnodes, rows = Graph(), set()
    for triple in terms:
        if isinstance(triple[0], BNode) or isinstance(triple[2], BNode):
            with_bnodes.add(triple)
        else:
            rows.add(_nt_row(triple).rstrip("\n"))
    rows.update(_nt_row(t).rstrip("\n") for t in to_canonical_graph(with_bnodes))
    return frozenset(rows)


def sorted_rows(
    checked: list[Checked],
    *,
    ontology: Path = ONTOLOGY,
    codebook: Path = CODEBOOK,
    with_terms: bool = True,
    release: bool = False,
) -> list[str]:
    """The data as sorted N-Triples rows (duplicates not yet dropped), plus (by default) the ontology and
    codebook so queries can use labels and ordinals. Linear in the records; no rdflib graph is built.

    With `release`, `checked` is emptied and each record let go once its rows are made, so the records and the
    rows are not all held at once (the order records are turned into rows in does not change the rows)."""
    cb = load_codebook(codebook)
    domains = [c.record for c in checked if isinstance(c.record, SourceDomain)]
    builder = GraphBuilder(id_types(checked, cb), cb, domains)
    order = sorted(checked, key=lambda c: c.record.id, reverse=True)
    if release:
        checked.clear()
    while order:
        record = order.pop().record
        getattr(builder, record.type)(record)
    if with_terms:
        builder.rows.extend(_term_rows(ontology, codebook, _digest(ontology, codebook)))
    rows = builder.rows
    builder.rows = []
    rows.sort()
    return rows


def build_triples(
    checked: list[Checked], *, ontology: Path = ONTOLOGY, codebook: Path = CODEBOOK, with_terms: bool = True
) -> Triples:
    """The data (and by default the ontology and codebook) as sorted N-Triples in memory (`sorted_rows`)."""
    return Triples.from_rows(sorted_rows(checked, ontology=ontology, codebook=codebook, with_terms=with_terms))


def write_triples(checked: list[Checked], target: Path, *, release: bool = False) -> int:
    """Write the graph's sorted N-Triples (`sorted_rows`, `release` as there) to `target`, never holding the
    file's bytes whole; the number of triples. The file is written by a thread while the next chunk is encoded
    (the kernel's write runs without the GIL: at 100x it is 3 s of the 6.5 s the writing took)."""
    rows = sorted_rows(checked, release=release)
    with target.open("wb") as fh, ThreadPoolExecutor(max_workers=1, thread_name_prefix="cnkg-write") as pool:
        pending: list[Future[int]] = []

        def write(chunk: bytes) -> None:
            if len(pending) > 1:  # at most two chunks in flight: memory stays two chunks' worth
                pending.pop(0).result()
            pending.append(pool.submit(fh.write, chunk))

        count = write_rows(rows, write)
        for done in pending:
            done.result()  # an error in the thread (disk full) is raised here
        return count


def build_graph(
    checked: list[Checked], *, ontology: Path = ONTOLOGY, codebook: Path = CODEBOOK, with_terms: bool = True
) -> Graph:
    """The data graph as an rdflib Graph, plus (by default) the ontology and codebook."""
    return build_triples(checked, ontology=ontology, codebook=codebook, with_terms=with_terms).graph()
