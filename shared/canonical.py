"""Deterministic JSON: the one encoding used for digests, NATS payloads and score results.

Replays must be byte-identical, so every digest in Pingyi is taken over this encoding and
nothing else: sorted keys, no insignificant whitespace, UTF-8 (Chinese stays readable),
decimals as strings, datetimes as ISO 8601 in UTC.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import orjson


def _default(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetimes have no canonical form; attach a timezone")
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} has no canonical JSON form")


def canonical_json(value: Any) -> bytes:
    """The canonical bytes of `value`. They are defined by the standard library's encoder
    (`standard_json`); orjson writes the same bytes for everything but floats
    (tests/shared/test_canonical.py), five to eight times faster, so a value without a float
    is written by it, and one with a float, or one orjson refuses, by the standard
    library, which also raises as it always did."""
    if not _holds_float_fast(value):
        try:
            return _fast_json(value, _CANONICAL_OPTIONS)
        except (orjson.JSONEncodeError, TypeError, ValueError):
            pass
    return standard_json(value)


def standard_json(value: Any) -> bytes:
    """The definition of the canonical form: the standard library's encoding."""
    return json.dumps(
        value,
        default=_default,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    ).encode("utf-8")


def _holds_float(value: Any) -> bool:
    """Whether a float (a subclass too: numpy's) is anywhere in `value`'s lists, tuples and
    dict values, sets and enums' values (a float key, which orjson refuses, falls back
    anyway)."""
    kind = type(value)
    if kind is dict:
        return any(map(_holds_float, value.values()))
    if kind is list or kind is tuple:
        return any(map(_holds_float, value))
    if kind is str or kind is int or value is None or kind is bool:
        return False
    if isinstance(value, float):
        return True
    if isinstance(value, Enum):  # orjson writes an enum's value itself
        return _holds_float(value.value)
    if isinstance(value, (set, frozenset)):
        return any(map(_holds_float, value))
    if isinstance(value, dict):
        return any(map(_holds_float, value.values()))
    if isinstance(value, (list, tuple)):
        return any(map(_holds_float, value))
    return False


def _native() -> Callable[[Any], bool]:
    """`_holds_float` compiled (`_canonical.c`, built where a C compiler was at install),
    else itself; `PINGYI_PURE_PYTHON=1` keeps the Python walk."""
    if os.environ.get("PINGYI_PURE_PYTHON") == "1":
        return _holds_float
    try:
        from shared import _canonical
    except ImportError:
        return _holds_float
    _canonical.configure(Enum)
    found: Callable[[Any], bool] = _canonical.holds_float
    return found


_holds_float_fast = _native()
NATIVE = _holds_float_fast is not _holds_float
"""Whether the compiled walk is in use (tests/shared/test_canonical_native.py)."""

_MESSAGE_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
_CANONICAL_OPTIONS = _MESSAGE_OPTIONS | orjson.OPT_PASSTHROUGH_DATACLASS
"""A dataclass goes to `_default`, which refuses it, as the standard library does."""


def message_json(value: Any) -> bytes:
    """`canonical_json` at native speed, for the messages every event becomes. Byte for byte
    the same for everything but floats (`1e-07` here is `1e-7`): contracts carry none
    (decimals travel as text), and digests keep `canonical_json` all the same.
    tests/shared/test_canonical.py holds the two to it. Integers beyond 64 bits are
    written as `canonical_json` writes them (`_fast_json`)."""
    return _fast_json(value, _MESSAGE_OPTIONS)


def digest(value: Any) -> str:
    """sha256 over the canonical encoding, prefixed with the algorithm for later agility."""
    return "sha256:" + hashlib.sha256(canonical_json(value)).hexdigest()


FINGERPRINT_PREFIX = "fp1:sha256:"
_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def fingerprint(value: Any) -> str:
    """A fast, stable sha256 of `value` for comparing requests and answers with each other
    (idempotency keys, identical questionnaires). Not the canonical encoding: nothing that a
    score's provenance or a replay depends on may use it."""
    return FINGERPRINT_PREFIX + hashlib.sha256(_fast_json(value, _ORJSON_OPTIONS)).hexdigest()


def _fast_json(value: Any, option: int) -> bytes:
    """orjson's encoding of `value`. An integer beyond 64 bits, which orjson refuses (a
    JSON body may hold one: a scheme document, a draw's quota), is written as its digits,
    as the standard library writes it. Whatever orjson encodes is encoded exactly as before:
    only a value it refused is looked at again."""
    try:
        return orjson.dumps(value, default=_default, option=option)
    except orjson.JSONEncodeError:
        widened = _wide_integers(value, bool(option & orjson.OPT_NON_STR_KEYS))
        if widened is value:
            raise  # refused for another reason, as before
        return orjson.dumps(widened, default=_default, option=option)


_INT_RANGE = range(-(2**63), 2**64)
"""The integers orjson writes: a signed or an unsigned 64-bit one."""


def _wide_integers(value: Any, keys: bool) -> Any:
    """`value` with every integer beyond 64 bits as a JSON fragment of its digits (as a dict
    key, with `keys`, its text, as `OPT_NON_STR_KEYS` writes an integer key); `value`
    itself when it holds none. A set is sorted, as `_default` hands it to orjson."""
    if type(value) is int:  # not a bool or an IntEnum: orjson writes those as they are
        return value if value in _INT_RANGE else orjson.Fragment(str(value))
    if isinstance(value, dict):
        pairs = [
            (_wide_key(key) if keys else key, _wide_integers(item, keys))
            for key, item in value.items()
        ]
        same = all(
            new is old
            for pair, original in zip(pairs, value.items(), strict=True)
            for new, old in zip(pair, original, strict=True)
        )
        return value if same else dict(pairs)
    if isinstance(value, (list, tuple, set, frozenset)):
        ordered = sorted(value) if isinstance(value, (set, frozenset)) else value
        items = [_wide_integers(item, keys) for item in ordered]
        same = ordered is value and all(new is old for new, old in zip(items, value, strict=True))
        return value if same else items
    return value


def _wide_key(key: Any) -> Any:
    return str(key) if type(key) is int and key not in _INT_RANGE else key
