"""Source tiers: the standing of a cited source, derived from its URL's domain by the table in data/.

The table (`source_domain` records in data/sources/domains.yaml) is data, not code: each domain has a tier
(official-primary, reputable-secondary, mirror, excluded) and, for the two lowest, the reason. A source without a
URL is official-primary when it cites a UN symbol and reputable-secondary when it cites a bibliographic reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit


def domain_of(url: str) -> str:
    """The host of a URL, lower-case, without a leading "www.".

    >>> domain_of("https://www.Press.UN.org/en/2018/ga12099.doc.htm")
    'press.un.org'
    """
    host = (urlsplit(url).hostname or "").lower()
    return host.rstrip(".").removeprefix("www.")


def listed(domain: str, table: Mapping[str, str]) -> str | None:
    """The listed domain that covers `domain`: itself or its nearest listed parent (a.b.gov.uk, b.gov.uk, ...).

    >>> listed("documents.un.org", {"un.org": "official-primary"})
    'un.org'
    >>> listed("example.com", {"un.org": "official-primary"}) is None
    True
    """
    parts = domain.split(".")
    for i in range(len(parts) - 1):
        candidate = ".".join(parts[i:])
        if candidate in table:
            return candidate
    return None


def lookup(domain: str, table: Mapping[str, str]) -> str | None:
    """The tier of a domain by the table (see `listed`), or None when it is not covered.

    >>> lookup("documents.un.org", {"un.org": "official-primary"})
    'official-primary'
    """
    hit = listed(domain, table)
    return None if hit is None else table[hit]


ORDER = ("official-primary", "reputable-secondary", "mirror", "excluded")


def tier_of(*, url: str | None, un_symbol: str | None, ref: str | None, table: Mapping[str, str]) -> str | None:
    """The tier of one source item: the strongest of what it cites; None when nothing gives a tier.

    >>> tier_of(url=None, un_symbol="A/RES/73/27", ref=None, table={})
    'official-primary'
    >>> tier_of(url="https://news.example/x", un_symbol=None, ref=None, table={"news.example": "mirror"})
    'mirror'
    >>> tier_of(url="https://unknown.example/x", un_symbol=None, ref=None, table={}) is None
    True
    """
    found = []
    if url and (hit := lookup(domain_of(url), table)) is not None:
        found.append(hit)
    if un_symbol:
        found.append("official-primary")
    if ref:
        found.append("reputable-secondary")
    return min(found, key=ORDER.index) if found else None
