"""What the operator of an explorer allows: remote endpoints (none unless listed) and the longest query timeout.

Set by environment variables (or the same keys in Streamlit secrets): `CNKG_REMOTE_ENDPOINTS`, a comma-separated
allow-list of SPARQL endpoint URLs (empty: the remote-endpoint field is off), and `CNKG_MAX_TIMEOUT_S`, the
longest timeout a user may choose on the SPARQL page (default 30 s).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kg.errors import KGError
from kg.sparql.pool import HARD_MAX_TIMEOUT_S

DEFAULT_MAX_TIMEOUT_S = 30.0


def allowed_endpoints(settings: Mapping[str, object]) -> tuple[str, ...]:
    """The allow-listed remote endpoints (http/https URLs only; anything else is an error naming the setting).

    >>> allowed_endpoints({"CNKG_REMOTE_ENDPOINTS": "http://127.0.0.1:7878/query, https://kg.example/sparql"})
    ('http://127.0.0.1:7878/query', 'https://kg.example/sparql')
    >>> allowed_endpoints({})
    ()
    """
    raw = settings.get("CNKG_REMOTE_ENDPOINTS") or ""
    items = raw if isinstance(raw, list | tuple) else str(raw).split(",")
    urls = tuple(dict.fromkeys(str(u).strip() for u in items if str(u).strip()))
    for url in urls:
        if not re.match(r"^https?://[^\s/]+(/\S*)?$", url):
            raise KGError(f"CNKG_REMOTE_ENDPOINTS: {url!r} is not an http(s) URL (hint: comma-separated URLs)")
    return urls


def max_timeout(settings: Mapping[str, object]) -> float:
    """The operator's longest timeout in seconds (at most 300 s).

    >>> max_timeout({"CNKG_MAX_TIMEOUT_S": "10"}), max_timeout({})
    (10.0, 30.0)
    """
    raw = settings.get("CNKG_MAX_TIMEOUT_S")
    if raw in (None, ""):
        return DEFAULT_MAX_TIMEOUT_S
    try:
        value = float(str(raw))
    except ValueError:
        raise KGError(f"CNKG_MAX_TIMEOUT_S: {raw!r} is not a number of seconds (hint: e.g. 30)") from None
    if not 0 < value <= HARD_MAX_TIMEOUT_S:
        raise KGError(f"CNKG_MAX_TIMEOUT_S: {value:g} is outside (0, {HARD_MAX_TIMEOUT_S:g}] seconds")
    return value
