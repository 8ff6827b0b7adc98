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

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from services.survey.domain.errors import Objections, RepeatedKey
from services.survey.schemas.questionnaires import UUID_TEXT
from shared.web.repeated_keys import BODY
from shared.web.repeated_keys import Place as Place
from shared.web.repeated_keys import field_of as field_of
from shared.web.repeated_keys import repeated_keys as kernel_repeated_keys

REPEATED = (
    "同一对象中重复出现, 请只写一次 (前后有空格的键、大小写不同的单位编号也是同一个键) "
    "(named more than once in the same object (JSON keeps only the last, so the others "
    "would be lost without a word; a key with spaces around, or a unit id in other letter "
    "case, is the same key): name it once)"
)
"""Chinese first, in the kernel's words (`shared.web.repeated_keys.REPEATED`), with what
survey reads as one key besides."""
_UNIT_ID = re.compile(UUID_TEXT)
_COLON = 0x3A
_QUOTE = 0x22
"""The largest byte a key's colon follows: its closing quote (whitespace lies below)."""


def same_key(key: str) -> str:
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
    return len({same_key(key) for key in found})


def repeated_keys(raw: bytes) -> list[Place]:
    """Every key `raw` names twice in one object, keys compared as the models read them
    (`same_key`), by place, in the body's order; none for a body that is not JSON."""
    return kernel_repeated_keys(raw, same_key)


def keys_at_most(raw: bytes) -> int:
    """At least as many as the keys `raw` names, if it is JSON: its colons that follow a
    quote or whitespace (a byte up to 0x22)."""
    data = np.frombuffer(raw, dtype=np.uint8)
    return int(np.count_nonzero((data[1:] == _COLON) & (data[:-1] <= _QUOTE)))


def refuse_repeated(places: Sequence[Place]) -> None:
    """Nothing when no key is named twice in the request's body; else 422 `duplicate_key`
    naming each place as the kernel's check and request validation name a body's field
    (`body.ratings.<unit id>`)."""
    objections = Objections()
    for place in places:
        objections.add(RepeatedKey(REPEATED, field=field_of((*BODY, *place))))
    objections.refuse(RepeatedKey)
