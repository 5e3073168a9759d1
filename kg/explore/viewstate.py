"""A page's view state to and from URL query parameters, so that every view of the explorer is a link.

Each page declares its fields (widget key, URL name, kind); `encode` turns the widget values into query
parameters and `decode` reads them back, dropping what is malformed or not among the page's current options.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Kind = Literal["str", "list", "int", "bool", "pair"]
State = dict[str, object]


@dataclass(frozen=True)
class Field:
    """One piece of a page's state: the widget's session key, its URL name, and how it is written."""

    key: str
    param: str
    kind: Kind = "str"


def _encode_one(kind: Kind, value: object) -> str | None:
    if value is None:
        return None
    if kind == "list" or kind == "pair":
        items = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
        return ",".join(items) if items else None
    if kind == "bool":
        return "1" if value else "0"
    text = str(value)
    return text if text != "" else None


def encode(values: Mapping[str, object], fields: Sequence[Field]) -> dict[str, str]:
    """Query parameters for the values of the page's fields (keys missing or empty are left out).

    >>> encode({"a": ["RU", "US"], "r": "latest", "n": 2}, [Field("a", "actors", "list"), Field("r", "rule"),
    ...        Field("n", "hops", "int")])
    {'actors': 'RU,US', 'rule': 'latest', 'hops': '2'}
    """
    out: dict[str, str] = {}
    for f in fields:
        if f.key in values:
            text = _encode_one(f.kind, values[f.key])
            if text is not None:
                out[f.param] = text
    return out


def _decode_one(kind: Kind, text: str, options: Sequence[object] | None) -> object | None:
    allowed = None if options is None else {str(o): o for o in options}
    if kind == "list":
        items = [t.strip() for t in text.split(",") if t.strip()]
        if allowed is not None:
            items = [t for t in items if t in allowed]
        return [allowed[t] if allowed is not None else t for t in items]
    if kind == "pair":
        parts = tuple(t.strip() for t in text.split(","))
        if len(parts) != 2:
            return None
        return parts if allowed is None or text in allowed or parts in allowed.values() else None
    if kind == "int":
        try:
            number = int(text)
        except ValueError:
            return None
        return number if allowed is None or str(number) in allowed else None
    if kind == "bool":
        return text in ("1", "true", "yes")
    if allowed is not None:
        return allowed.get(text)
    return text


def decode(
    params: Mapping[str, str], fields: Sequence[Field], *, options: Mapping[str, Sequence[object]] | None = None
) -> State:
    """Widget values read from query parameters; values not among a field's `options` are dropped.

    >>> decode({"actors": "RU,XX,US", "hops": "two"}, [Field("a", "actors", "list"), Field("n", "hops", "int")],
    ...        options={"a": ["RU", "US", "CN"]})
    {'a': ['RU', 'US']}
    """
    out: State = {}
    for f in fields:
        text = params.get(f.param)
        if text is None:
            continue
        value = _decode_one(f.kind, text, (options or {}).get(f.key))
        if value is not None:
            out[f.key] = value
    return out


def link(base: str, page: str, params: Mapping[str, str], *, pages: Sequence[str] = ()) -> str:
    """The absolute permalink of a view: the app's base URL (its last path segment dropped when it names one of
    `pages`), the page's path and its query parameters.

    >>> link("http://localhost:8501/compare?x=1", "map", {"actors": "RU,US"}, pages=["compare", "map"])
    'http://localhost:8501/map?actors=RU%2CUS'
    >>> link("https://h.org/kg/", "votes", {}, pages=["votes"])
    'https://h.org/kg/votes'
    >>> link("https://h.org/kg/votes", "", {}, pages=["votes"])  # the default page is the app's root
    'https://h.org/kg/'
    """
    parts = urllib.parse.urlsplit(base or "http://localhost:8501/")
    segments = [s for s in parts.path.split("/") if s]
    if segments and segments[-1] in pages:
        segments.pop()
    path = "/" + "/".join([*segments, page]) if page else "/" + "".join(f"{s}/" for s in segments)
    query = urllib.parse.urlencode(dict(params))
    return urllib.parse.urlunsplit((parts.scheme or "http", parts.netloc or "localhost:8501", path, query, ""))
