"""Keys a JSON body names twice in one object.

JSON lets an object name a key twice, and every parser this service reads bodies with keeps
the last value without a word: a unit rated twice in `ratings`, an opinion with two
`unit_id`, a questionnaire with two `questionnaire_id` would each lose the first silently.
Survey refuses such a questionnaire instead, naming every place (`RepeatedKey`, 422
`duplicate_key`). A key written twice in ways the models read as one is the same key: the
models strip the text they read, so keys that differ only by spaces around (a dimension
code, "服务态度" and " 服务态度 ") are one, and a unit id in upper and in lower case too
(`UnitKey`).

- `repeated_keys(raw)`: every such place of a body, exactly: the body parsed once more by
  the standard library, keeping each object's pairs. A correction or a vote (one
  questionnaire) is read so always.
- `keys_at_most(raw)`: a number the body's keys cannot exceed, counted from its bytes at
  native speed: its colons that follow a quote or whitespace. Every key's colon does (JSON's
  grammar), any other colon that does lies inside a string, and a byte of a multi-byte
  UTF-8 character is never a quote, a colon or whitespace. So a parsed body whose objects
  hold that many keys between them named none twice, and a push of thousands of
  questionnaires (`BatchIn.repeated`) is parsed a second time only when the two counts
  differ: a clean push costs a count over its bytes and its parsed objects' sizes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from services.survey.domain.errors import Objections, RepeatedKey
from services.survey.schemas.questionnaires import UUID_TEXT

Place = tuple[str | int, ...]
"""Where in a body: the keys and list indexes leading to a key named twice, and that key."""

REPEATED = (
    "named more than once in the same object (JSON keeps only the last, so the others would "
    "be lost without a word; a key with spaces around, or a unit id in other letter case, "
    "is the same key): name it once"
)
_UNIT_ID = re.compile(UUID_TEXT)
_COLON = 0x3A
_QUOTE = 0x22
"""The largest byte a key's colon follows: its closing quote (whitespace lies below)."""


class _Repeats(dict[str, Any]):
    """An object that named keys twice: the keys, as named the second time."""

    repeated: list[str]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    seen: set[str] = set()
    repeated: dict[str, str] = {}  # each key named twice, once, as named the second time
    for key, _ in pairs:
        same = _same(key)
        if same in seen:
            repeated.setdefault(same, key)
        seen.add(same)
    if not repeated:
        return found
    marked = _Repeats(found)
    marked.repeated = list(repeated.values())
    return marked


def _same(key: str) -> str:
    """The key as the models read it: without spaces around (survey's models strip every
    text they read, `In`, the keys of `ratings` and `dimension_ratings` too: a dimension
    code with spaces around is the code), and a unit id (a key of `ratings` or
    `dimension_ratings`, the only keys shaped as one) in lower case (`UnitKey`). A field's
    name is not stripped; one with spaces around is refused anyway (no such field), and
    named beside the field itself, it is named as that field named twice."""
    stripped = key.strip()
    return stripped.lower() if len(stripped) == 36 and _UNIT_ID.fullmatch(stripped) else stripped


def distinct_keys(found: dict[str, Any]) -> int:
    """How many keys an object parsed as sent holds, unit ids named twice counted once."""
    return len({_same(key) for key in found})


def repeated_keys(raw: bytes) -> list[Place]:
    """Every key `raw` names twice in one object, by place, in the body's order; none for a
    body that is not JSON (it is answered as it always was, by the ordinary reading)."""
    try:
        parsed = json.loads(raw, object_pairs_hook=_object)
    except (ValueError, RecursionError):
        return []
    places: list[Place] = []
    stack: list[tuple[Place, Any]] = [((), parsed)]
    while stack:  # depth first, without recursion: a body may nest as deep as JSON reads
        place, value = stack.pop()
        if isinstance(value, dict):
            places.extend((*place, key) for key in getattr(value, "repeated", ()))
            stack.extend(((*place, key), item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*place, index), value[index]) for index in reversed(range(len(value))))
    return places


def keys_at_most(raw: bytes) -> int:
    """At least as many as the keys `raw` names, if it is JSON: its colons that follow a
    quote or whitespace (a byte up to 0x22)."""
    data = np.frombuffer(raw, dtype=np.uint8)
    return int(np.count_nonzero((data[1:] == _COLON) & (data[:-1] <= _QUOTE)))


def field_of(place: Place) -> str:
    return ".".join(str(part) for part in place)


def refuse_repeated(places: Sequence[Place]) -> None:
    """Nothing when no key is named twice; else 422 `duplicate_key` naming each place."""
    objections = Objections()
    for place in places:
        objections.add(RepeatedKey(REPEATED, field=field_of(place)))
    objections.refuse(RepeatedKey)
