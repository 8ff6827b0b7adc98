"""Deterministic JSON: the one encoding used for digests, NATS payloads and score results.

Replays must be byte-identical, so every digest in Pingyi is taken over this encoding and
nothing else: sorted keys, no insignificant whitespace, UTF-8 (Chinese stays readable),
decimals as strings, datetimes as ISO 8601 in UTC.
"""

from __future__ import annotations

import hashlib
import json
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
    return json.dumps(
        value,
        default=_default,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    ).encode("utf-8")


_MESSAGE_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def message_json(value: Any) -> bytes:
    """`canonical_json` at native speed, for the messages every event becomes. Byte for byte
    the same for everything but floats (`1e-07` here is `1e-7`): contracts carry none
    (decimals travel as text), and digests keep `canonical_json` all the same.
    tests/shared/test_canonical.py holds the two to it."""
    return orjson.dumps(value, default=_default, option=_MESSAGE_OPTIONS)


def digest(value: Any) -> str:
    """sha256 over the canonical encoding, prefixed with the algorithm for later agility."""
    return "sha256:" + hashlib.sha256(canonical_json(value)).hexdigest()


FINGERPRINT_PREFIX = "fp1:sha256:"
_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def fingerprint(value: Any) -> str:
    """A fast, stable sha256 of `value` for comparing requests and answers with each other
    (idempotency keys, identical questionnaires). Not the canonical encoding: nothing that a
    score's provenance or a replay depends on may use it."""
    encoded = orjson.dumps(value, default=_default, option=_ORJSON_OPTIONS)
    return FINGERPRINT_PREFIX + hashlib.sha256(encoded).hexdigest()
