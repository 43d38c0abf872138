"""JSON from outside (request bodies, whoever reads them): parsed with limits, so a hostile body is a 400, never
a 500. The standard parser recurses once per level and turns digits into ints without bound, so a body nested
100,000 levels deep ends in RecursionError and a 5,000-digit number in a ValueError nobody expects."""

from __future__ import annotations

import json
import math
from typing import Any

from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 32  # the deepest request the API takes is 4 levels; Flask's session cookie 3
MAX_NUMBER_LENGTH = 64  # characters: an id, a quantity or a coordinate needs at most about 20
PLACEHOLDER_DOC = "<json>"  # webargs reads a decoding error whose document is "" as "no body"


class JSONLimitError(json.JSONDecodeError):
    """A well-formed JSON text Kinerja refuses to read; a JSONDecodeError (so a ValueError) for every reader."""

    def __init__(self, message: str) -> None:
        super().__init__(message, PLACEHOLDER_DOC, 0)


def _number(kind):
    def parse(text: str):
        if len(text) > MAX_NUMBER_LENGTH:
            raise JSONLimitError(f"number longer than {MAX_NUMBER_LENGTH} characters")
        value = kind(text)
        if value in (math.inf, -math.inf):  # 1e999 reads as infinity
            raise JSONLimitError("number out of range")
        return value
    return parse


def _no_constant(name: str):
    raise JSONLimitError(f"{name} is not JSON")


def depth(value: Any) -> int:
    """How deeply arrays and objects nest in a parsed value (a scalar is 0), without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, level = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            break
        pending.extend((child, level + 1) for child in children)
    return deepest


def loads(data: str | bytes | bytearray, **kwargs) -> Any:
    """json.loads with bounded nesting and number length and no NaN/Infinity; refusals raise JSONLimitError."""
    kwargs.setdefault("parse_int", _number(int))
    kwargs.setdefault("parse_float", _number(float))
    kwargs.setdefault("parse_constant", _no_constant)
    try:
        value = json.loads(data, **kwargs)
    except RecursionError:
        raise JSONLimitError(f"nested more than {MAX_DEPTH} levels") from None
    if depth(value) > MAX_DEPTH:
        raise JSONLimitError(f"nested more than {MAX_DEPTH} levels")
    return value


class LimitedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading with the limits above: request.get_json() answers 400 (or None when silent)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return loads(s, **kwargs)
