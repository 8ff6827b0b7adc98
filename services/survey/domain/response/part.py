"""A batch part: a push's questionnaires as they were accepted, a few hundred at a time.

A push is stored at the grain of the push, not of the questionnaire: its questionnaires'
content sits in a handful of parts (each one stored event and one published
`survey.batch.recorded` message), and each questionnaire has only a small claim
(`Response.Claimed`) under its own id, so that a questionnaire pushed twice still collides
in the event store (严禁复制测评问卷) and later decisions still have one aggregate to write.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import orjson
from eventsourcing.domain import Aggregate, event

from shared.contracts.survey_batch import row_chars

PART_NAMESPACE = uuid5(NAMESPACE_URL, "https://pingyi.example/survey-batch-part")
PART_MAX_QUESTIONNAIRES = 500
PART_MAX_BYTES = 512 * 1024
"""A part stays well under NATS's default 1 MiB message limit, whatever its questionnaires
carry (a JSON push of 10,000 becomes 20 parts or more)."""

_COLUMN_KEYS = frozenset(
    {"response_id", "questionnaire_id", "survey_point", "collected_at", "row", "channel", "group"}
)
"""An entry's fields that `survey.batch.recorded` v2 carries as columns; the rest are extras."""
_TEXT_KEYS = ("questionnaire_id", "survey_point", "group")
_EXTRA_OVERHEAD = 200
"""A `BatchExtra`'s own bytes beyond the fields given: its index and every empty field."""


class BatchPart(Aggregate):
    """Part `part` of `parts` of one push: the questionnaires' content, never changed."""

    class Recorded(Aggregate.Created):
        """v2: each entry's `row` is its row text (`shared.contracts.survey_batch`) for
        `levels`, the wave's scale in its order, so publishing a part copies its rows. v1
        held each row as a list of answer texts (None: not rated) and no levels."""

        class_version = 2
        wave_id: UUID
        batch_id: UUID
        agency_id: UUID
        part: int
        parts: int
        levels: list[str]
        questionnaires: list[dict[str, Any]]
        actor: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # The wave's scale is not in a v1 part: its levels are the answers its rows
            # hold, in order of first appearance (as a v1 message upcast to v2 has them).
            entries = state["questionnaires"]
            levels = list(dict.fromkeys(a for q in entries for a in q["row"] if a))
            chars = row_chars(levels)
            state["levels"] = levels
            state["questionnaires"] = [
                q | {"row": "".join([chars[a] for a in q["row"]])} for q in entries
            ]

    @event(Recorded)
    def __init__(
        self,
        wave_id: UUID,
        batch_id: UUID,
        agency_id: UUID,
        part: int,
        parts: int,
        levels: list[str],
        questionnaires: list[dict[str, Any]],
        actor: str,
    ) -> None:
        self.wave_id = wave_id
        self.batch_id = batch_id
        self.agency_id = agency_id
        self.part = part
        self.parts = parts
        self.levels = levels
        self.questionnaires = questionnaires
        self.recorded_by = actor

    @staticmethod
    def create_id(batch_id: UUID, part: int) -> UUID:
        return uuid5(PART_NAMESPACE, f"{batch_id}|{part}")

    @classmethod
    def bring(cls, batch_id: UUID, part: int, **fields: Any) -> BatchPart:
        return cls._create(
            cls.Recorded, id=cls.create_id(batch_id, part), batch_id=batch_id, part=part, **fields
        )


class PushClaims:
    """A push's claims (`Response.Claimed`), handed to `save` as one object. The library
    checks every object it is given against runtime-checkable protocols, which costs
    microseconds apiece on Python 3.11; a push has thousands of claims. Not an aggregate:
    nothing loads it, and its id is only its key among the objects saved together."""

    def __init__(self, batch_id: UUID, claims: list[Any]) -> None:
        self.id = uuid5(PART_NAMESPACE, f"{batch_id}|claims")
        self._claims = claims

    def collect_events(self) -> list[Any]:
        return list(self._claims)


def split_parts(questionnaires: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Consecutive runs of at most `PART_MAX_QUESTIONNAIRES`, each estimated under
    `PART_MAX_BYTES` as published (a questionnaire is never split)."""
    parts: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for q in questionnaires:
        weight = _estimated_bytes(q)
        if current and (len(current) >= PART_MAX_QUESTIONNAIRES or size + weight > PART_MAX_BYTES):
            parts.append(current)
            current, size = [], 0
        current.append(q)
        size += weight
    if current:
        parts.append(current)
    return parts


def _estimated_bytes(q: dict[str, Any]) -> int:
    """An upper estimate of the questionnaire's share of a v2 part as published: its row
    text (a byte a unit, two where a code is a Latin-1 letter: 百分制), 3 bytes for every
    character of its texts (a CJK character's UTF-8), and its extras as JSON."""
    get = q.get
    text = 3 * sum([len(str(get(key) or "")) for key in _TEXT_KEYS])
    extra_keys = q.keys() - _COLUMN_KEYS  # most questionnaires have none
    extras = {key: q[key] for key in extra_keys} if extra_keys else None
    extra_bytes = _EXTRA_OVERHEAD + len(orjson.dumps(extras, default=str)) if extras else 0
    # The rest of its columns: the response id, the time, the channel and the JSON around.
    return 150 + text + 2 * len(q["row"]) + extra_bytes
