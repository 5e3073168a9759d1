"""Closed namespace for the Cyber Norms ontology: a misspelt term raises at import or attribute time.

Mirrors ontology/cybernorms.ttl (the hand-edited source); tests/test_vocab.py checks both list the same terms."""

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef


class CN(DefinedNamespace):
    """Terms of https://w3id.org/cybernorms/ontology#."""

    _NS = Namespace("https://w3id.org/cybernorms/ontology#")
    _fail = True

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
