"""The vocabulary: the base IRI, the namespaces and prefixes, and which record owns an IRI.

`CN` is a closed namespace for the Cyber Norms ontology: a misspelt term raises at import or attribute time.
It mirrors ontology/cybernorms.ttl (the hand-edited source); tests/test_vocab.py checks both list the same terms.
W3C ORG and schema.org are rdflib's own generated namespaces (`ORG`, `SDO`).

>>> str(ID["state/RU"])
'https://w3id.org/cybernorms/id/state/RU'
>>> owner("https://w3id.org/cybernorms/id/state/RU/source/1", {"https://w3id.org/cybernorms/id/state/RU"})
'https://w3id.org/cybernorms/id/state/RU'
"""

from __future__ import annotations

from collections.abc import Container

from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD, DefinedNamespace, Namespace
from rdflib.namespace import ORG as ORG
from rdflib.term import URIRef

BASE = "https://w3id.org/cybernorms/"
"""Every IRI of the project is under this base."""
ID = Namespace(BASE + "id/")
"""Records and codebook concepts: `id/<path>/<id>`."""
SCHEMA = SDO
WD = Namespace("http://www.wikidata.org/entity/")
class CN(DefinedNamespace):
    """Terms of https://w3id.org/cybernorms/ontology#."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    memberOf: URIRef
    hasMember: URIRef
    frameworkOf: URIRef
    coveredByFramework: URIRef
    Actor: URIRef
    accessedOn: URIRef
    ActorGroup: URIRef
    AdHocCommittee: URIRef
    BilateralAgreement: URIRef
    CodeOfConduct: URIRef
    Convention: URIRef
    Declaration: URIRef
    Event: URIRef
    GGE: URIRef
    Instrument: URIRef
    Issue: URIRef
    JointStatement: URIRef
    Membership: URIRef
    MultilateralAgreement: URIRef
    OEWG: URIRef
    Organisation: URIRef
    Participation: URIRef
    PermanentMechanism: URIRef
    PoliticalCommitment: URIRef
    Position: URIRef
    ProgrammeOfAction: URIRef
    PublishedTable: URIRef
    Reference: URIRef
    RegionalGroup: URIRef
    Resolution: URIRef
    Source: URIRef
    Stance: URIRef
    State: URIRef
    TableCell: URIRef
    Tally: URIRef
    UNProcess: URIRef
    Vote: URIRef
    VoteChoice: URIRef
    VoteRecord: URIRef
    abstainCount: URIRef
    accededOn: URIRef
    actor: URIRef
    adoptedOn: URIRef
    author: URIRef
    cellStance: URIRef
    cellValue: URIRef
    chairName: URIRef
    chairState: URIRef
    choice: URIRef
    citesReference: URIRef
    coder: URIRef
    columnIndex: URIRef
    columnKey: URIRef
    columnLabel: URIRef
    committee: URIRef
    confidence: URIRef
    container: URIRef
    date: URIRef
    draftSymbol: URIRef
    endDate: URIRef
    entryIntoForce: URIRef
    expectedDifference: URIRef
    establishes: URIRef
    forum: URIRef
    founded: URIRef
    framework: URIRef
    hasCell: URIRef
    hasMembership: URIRef
    hasParticipation: URIRef
    hasSource: URIRef
    hasTally: URIRef
    hasVote: URIRef
    involves: URIRef
    iso3166Alpha2: URIRef
    iso3166Alpha3: URIRef
    iso3166Numeric: URIRef
    issue: URIRef
    issueNumber: URIRef
    kind: URIRef
    legallyBinding: URIRef
    mandatedBy: URIRef
    memberFrom: URIRef
    memberState: URIRef
    memberUntil: URIRef
    noCount: URIRef
    note: URIRef
    onResolution: URIRef
    ordinal: URIRef
    outcome: URIRef
    pages: URIRef
    participant: URIRef
    party: URIRef
    partyTo: URIRef
    printedLabel: URIRef
    publishedIn: URIRef
    quote: URIRef
    ratifiedOn: URIRef
    recordId: URIRef
    regionalGroup: URIRef
    reportSymbol: URIRef
    reproducedBy: URIRef
    role: URIRef
    rowIndex: URIRef
    rowKey: URIRef
    rowLabel: URIRef
    scale: URIRef
    sessionLabel: URIRef
    sessionNumber: URIRef
    shortName: URIRef
    signedAt: URIRef
    signedOn: URIRef
    sponsor: URIRef
    stage: URIRef
    stance: URIRef
    startDate: URIRef
    status: URIRef
    tableNumber: URIRef
    textUrl: URIRef
    unMember: URIRef
    unSymbol: URIRef
    volume: URIRef
    voter: URIRef
    withdrewOn: URIRef
    withoutVote: URIRef
    year: URIRef
    yesCount: URIRef


PREFIXES: dict[str, str] = {
    "cn": str(CN._NS),
    "id": str(ID),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "org": str(ORG._NS),
    "schema": str(SDO._NS),
    "owl": str(OWL),
    "wd": str(WD),
}
"""The one prefix list: bound in the built graph and used as the JSON-LD context of a release."""


def owner(iri: str, records: Container[str]) -> str | None:
    """The record IRI that owns `iri`: `iri` itself, or the nearest record IRI it extends by `/` segments
    (a record's sources, tallies, votes, memberships and cells live under its IRI)."""
    parts = iri.split("/")
    for cut in range(len(parts), 5, -1):
        candidate = "/".join(parts[:cut])
        if candidate in records:
            return candidate
    return None
