"""The questionnaire aggregate (问卷): its first answers, every correction, and where it
stands (counted, quarantined, rejected, voided)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic

from services.survey.domain.errors import DecisionConflict, InvalidQuestionnaire, blank
from services.survey.domain.response.content import (
    COUNTED,
    QUARANTINED,
    REJECTED,
    ResponseContent,
    status_words,
)

RESPONSE_NAMESPACE = uuid5(NAMESPACE_URL, "https://pingyi.example/survey-response")
_NOT_VERSION_OR_VARIANT = ~((0xC000 << 48) | (0xF000 << 64))
_VERSION_5_RFC_4122 = (0x8000 << 48) | (5 << 76)
ANSWER_FIELDS = ("ratings", "dimension_ratings", "opinions", "recommended_key_targets")

Stamp = datetime | None
"""A decision's mutator names its event's `timestamp` (eventsourcing passes it every event
attribute it names), so the history says when without a field of the payload, and
decisions stored before it did load with their time. A command leaves it out (None:
eventsourcing stamps the event it triggers); the mutator always receives the event's."""


def require_reason(reason: str) -> None:
    if not reason.strip():
        raise InvalidQuestionnaire(blank("the reason", "原因"), field="reason")


class Response(ResponseContent, Aggregate):
    """One collected questionnaire: its first answers, every correction, and where it stands."""

    class Recorded(Aggregate.Created):
        class_version = 3
        wave_id: UUID
        questionnaire_id: str
        survey_point: str | None
        collected_at: datetime
        ratings: dict[str, str]
        actor: str
        details: dict[str, Any]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # v1 questionnaires carried no fixed survey point (固定测评点).
            state["survey_point"] = None

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            # v2 questionnaires had ratings only: no dimensions, opinions, channel or flags.
            state["details"] = {}

    class Claimed(Aggregate.Created):
        """The questionnaire came in a batch part (the grain of a push): its content is
        the part's `questionnaires[index]`, so the claim itself stays a few bytes. Loaded,
        the questionnaire waits for `attach_claimed` before its content is read."""

        wave_id: UUID
        batch_id: UUID
        part: int
        index: int

        def mutate(self, aggregate: Any) -> Any:
            # Its fields are not `__init__`'s (that is `Recorded`'s): build the shell here.
            response = Response.__new__(Response)
            response.__base_init__(self.originator_id, self.originator_version, self.timestamp)
            response.claim_from(self)
            return response

    # Decisions name the wave (and a correction its version) so that what is published
    # from the event alone says everything a consumer needs.
    class Corrected(Aggregate.Event):
        wave_id: UUID
        answers_version: int
        answers: dict[str, Any]
        reason: str
        actor: str

    class Voided(Aggregate.Event):
        wave_id: UUID
        reason: str
        actor: str

    class Quarantined(Aggregate.Event):
        wave_id: UUID
        flags: list[dict[str, str]]
        actor: str

    class Released(Aggregate.Event):
        wave_id: UUID
        reason: str
        actor: str

    class Rejected(Aggregate.Event):
        wave_id: UUID
        reason: str
        actor: str

    @event(Recorded)
    def __init__(
        self,
        wave_id: UUID,
        questionnaire_id: str,
        survey_point: str | None,
        collected_at: datetime,
        ratings: dict[str, str],
        actor: str,
        details: dict[str, Any],
    ) -> None:
        self.wave_id = wave_id
        self.questionnaire_id = questionnaire_id
        self.survey_point = survey_point
        self.collected_at = collected_at
        self.details = dict(details)
        first = {
            "ratings": dict(ratings),
            "dimension_ratings": details.get("dimension_ratings", {}),
            "opinions": details.get("opinions", []),
            "recommended_key_targets": details.get("recommended_key_targets", []),
        }
        self.answer_versions: list[dict[str, Any]] = [first]
        self.recorded_by = actor
        self.claim: dict[str, Any] | None = None
        self.flags: list[dict[str, str]] = list(details.get("flags", []))
        self.review: str | None = None
        self.voided = False
        self.history: list[dict[str, Any]] = []

    @classmethod
    def claimed(
        cls,
        response_id: UUID,
        *,
        wave_id: UUID,
        batch_id: UUID,
        part: int,
        index: int,
        timestamp: datetime,
    ) -> Response.Claimed:
        """The claim alone, saved without an aggregate object: a push makes thousands."""
        return cls.Claimed(  # type: ignore[call-arg]  # the metaclass makes it a dataclass
            originator_id=response_id,
            originator_version=1,
            timestamp=timestamp,
            originator_topic=RESPONSE_TOPIC,
            wave_id=wave_id,
            batch_id=batch_id,
            part=part,
            index=index,
        )

    @staticmethod
    def create_id(wave_id: UUID, questionnaire_id: str) -> UUID:
        return uuid5(RESPONSE_NAMESPACE, f"{wave_id}|{questionnaire_id}")

    @staticmethod
    def ids_in(wave_id: UUID) -> Callable[[str], UUID]:
        """`create_id(wave_id, ·)` for the questionnaires of a push: the hash of what every
        id of the wave starts with is taken once, and each id costs a fifth as much."""
        start = hashlib.sha1(RESPONSE_NAMESPACE.bytes + f"{wave_id}|".encode())

        def create_id(questionnaire_id: str) -> UUID:
            digest = start.copy()
            digest.update(questionnaire_id.encode())
            # What `UUID(bytes=..., version=5)` makes of the first 16 bytes, as uuid5 does.
            value = int.from_bytes(digest.digest()[:16])
            return UUID(int=(value & _NOT_VERSION_OR_VARIANT) | _VERSION_5_RFC_4122)

        return create_id

    @classmethod
    def record(cls, response_id: UUID, **fields: Any) -> Response:
        """Recorded under an id the caller derived (`create_id` or `panel_id`)."""
        return cls._create(cls.Recorded, id=response_id, **fields)

    @staticmethod
    def panel_id(wave_id: UUID, person_id: UUID) -> UUID:
        """A panel member answers a representative evaluation once (代表评议: 每人每单位一票)."""
        return uuid5(RESPONSE_NAMESPACE, f"{wave_id}|panel|{person_id}")

    # --- decisions -----------------------------------------------------------------------

    def correct(self, answers: dict[str, Any], reason: str, actor: str) -> None:
        require_reason(reason)
        if self.voided or self.review == REJECTED:
            raise DecisionConflict(
                f"{status_words(self.status)}的问卷不能更正 "
                f"(a {self.status} questionnaire cannot be corrected)"
            )
        if answers == self.answers:
            raise DecisionConflict(
                "更正与原答案相同 (the correction changes nothing)", field="answers"
            )
        self._corrected(
            wave_id=self.wave_id,
            answers_version=self.answers_version + 1,
            answers=answers,
            reason=reason,
            actor=actor,
        )

    @event(Corrected)
    def _corrected(
        self,
        wave_id: UUID,
        answers_version: int,
        answers: dict[str, Any],
        reason: str,
        actor: str,
        timestamp: Stamp = None,
    ) -> None:
        self.answer_versions.append(dict(answers))
        self.history.append(
            {"event": "corrected", "at": timestamp, "reason": reason, "actor": actor}
        )

    def void(self, reason: str, actor: str) -> None:
        require_reason(reason)
        if self.voided:
            raise DecisionConflict("该问卷已作废 (the questionnaire is already voided)")
        if self.review == REJECTED:
            # It never counts again: a void would change nothing (a correction is refused
            # for the same reason).
            raise DecisionConflict(
                "未予采信的问卷不能作废 (a rejected questionnaire cannot be voided)"
            )
        self._voided(wave_id=self.wave_id, reason=reason, actor=actor)

    @event(Voided)
    def _voided(self, wave_id: UUID, reason: str, actor: str, timestamp: Stamp = None) -> None:
        self.voided = True
        self.history.append({"event": "voided", "at": timestamp, "reason": reason, "actor": actor})

    def quarantine(self, flags: list[dict[str, str]], actor: str) -> None:
        if self.status != COUNTED or self.review is not None:
            raise DecisionConflict(
                f"{status_words(self.status)}的问卷不能留待审核 "
                f"(a {self.status} questionnaire cannot be quarantined)"
            )
        self._quarantined(wave_id=self.wave_id, flags=flags, actor=actor)

    @event(Quarantined)
    def _quarantined(
        self, wave_id: UUID, flags: list[dict[str, str]], actor: str, timestamp: Stamp = None
    ) -> None:
        self.flags = list(self.flags) + list(flags)
        self.history.append(
            {"event": "quarantined", "at": timestamp, "flags": flags, "actor": actor}
        )

    def release(self, reason: str, actor: str) -> None:
        self._require_quarantined(reason)
        self._released(wave_id=self.wave_id, reason=reason, actor=actor)

    @event(Released)
    def _released(self, wave_id: UUID, reason: str, actor: str, timestamp: Stamp = None) -> None:
        self.review = "released"
        self.history.append(
            {"event": "released", "at": timestamp, "reason": reason, "actor": actor}
        )

    def reject(self, reason: str, actor: str) -> None:
        self._require_quarantined(reason)
        self._rejected(wave_id=self.wave_id, reason=reason, actor=actor)

    @event(Rejected)
    def _rejected(self, wave_id: UUID, reason: str, actor: str, timestamp: Stamp = None) -> None:
        self.review = REJECTED
        self.history.append(
            {"event": "rejected", "at": timestamp, "reason": reason, "actor": actor}
        )

    def _require_quarantined(self, reason: str) -> None:
        require_reason(reason)
        if self.status != QUARANTINED:
            raise DecisionConflict(
                f"只有留待审核的问卷才能审核, 该问卷{status_words(self.status)} "
                f"(only a quarantined questionnaire is reviewed; this one is {self.status})"
            )


RESPONSE_TOPIC = get_topic(Response)
