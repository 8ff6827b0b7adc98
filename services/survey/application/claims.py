"""Storing a push at the speed of a push.

A push of 10,000 questionnaires stores 10,000 `Response.Claimed` events that differ only in
their id and their index in a part, and a few `BatchPart.Recorded` events holding every
questionnaire's content. Through the library's transcoder (the standard library's JSON
encoder) each claim cost about 8 µs and each questionnaire in a part another 8 µs — more than
everything else storing it costs. `PushMapper` writes the very bytes the library writes
(property-tested against it), faster:

- a claim: the state the claims of one part share is encoded once, by the library's own
  transcoder, and each claim's state ends with its index;
- a part: the questionnaires, which hold JSON values only (each row one row text), are
  encoded with orjson (byte for byte the standard library's output for such values,
  `ensure_ascii=False`) and spliced into the library's encoding of the rest of the event.
  Anything not plainly JSON (a UUID or datetime object, a float, a lone surrogate) takes
  the library's path.
"""

from __future__ import annotations

from typing import Any

import orjson
from eventsourcing.persistence import Mapper, StoredEvent
from eventsourcing.utils import get_topic

from services.survey.domain import BatchPart, Response

CLAIM_TOPIC = get_topic(Response.Claimed)
PART_TOPIC = get_topic(BatchPart.Recorded)
_TAIL = b'"index":0}'
_MARKER = "\x00questionnaires\x00"
_MARKER_ENCODED = b'"\\u0000questionnaires\\u0000"'
_SCALARS = (str, int, bool, type(None))


class PushMapper(Mapper[Any]):
    """A `Mapper` with fast, identical encodings of claims and batch parts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One tuple, replaced whole: request threads map claims of other pushes at once.
        self._cached: tuple[tuple[Any, ...], bytes] | None = None

    @classmethod
    def like(cls, mapper: Mapper[Any]) -> PushMapper:
        return cls(mapper.transcoder, compressor=mapper.compressor, cipher=mapper.cipher)

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        kind = type(domain_event)
        state: bytes | None = None
        if self.compressor is None and self.cipher is None:
            if kind is Response.Claimed:
                state = self._claim_state(domain_event)
            elif kind is BatchPart.Recorded:
                state = self._part_state(domain_event)
        if state is None:
            return super().to_stored_event(domain_event)
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=CLAIM_TOPIC if kind is Response.Claimed else PART_TOPIC,
            state=state,
        )

    def _claim_state(self, claim: Response.Claimed) -> bytes | None:
        prefix = self._claim_prefix(claim)
        return None if prefix is None else prefix + str(claim.index).encode() + b"}"

    def _claim_prefix(self, claim: Response.Claimed) -> bytes | None:
        key = (claim.timestamp, claim.originator_topic, claim.wave_id, claim.batch_id, claim.part)
        cached = self._cached
        if cached is not None and cached[0] == key:
            return cached[1]
        state = _state(claim)
        state["index"] = 0
        encoded = self.transcoder.encode(state)
        # The index must be the last thing encoded; anything else takes the plain path.
        if not encoded.endswith(_TAIL):
            return None
        prefix = encoded[: -len(b"0}")]
        self._cached = (key, prefix)
        return prefix

    def _part_state(self, part: BatchPart.Recorded) -> bytes | None:
        questionnaires = part.questionnaires
        if not all(map(_plain_entry, questionnaires)):
            return None
        try:
            content = orjson.dumps(questionnaires)
        except orjson.JSONEncodeError:
            return None
        state = _state(part)
        state["questionnaires"] = _MARKER
        rest = self.transcoder.encode(state)
        if rest.count(_MARKER_ENCODED) != 1:
            return None
        return rest.replace(_MARKER_ENCODED, content)


def _state(event: Any) -> dict[str, Any]:
    state = dict(vars(event))
    del state["originator_id"], state["originator_version"]
    class_version = getattr(type(event), "class_version", 1)
    if class_version > 1:
        state["class_version"] = class_version
    return state


def _plain_entry(entry: dict[str, Any]) -> bool:
    """Every field JSON's own (a row is its row text: one string)."""
    return all(
        type(key) is str and (type(value) in _SCALARS or _plain(value))
        for key, value in entry.items()
    )


def _plain(value: Any) -> bool:
    """Only JSON's own values (no float: the two encoders write some differently)."""
    kind = type(value)
    if kind is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if kind is list:
        return all(type(v) in _SCALARS or _plain(v) for v in value)
    return kind in _SCALARS
