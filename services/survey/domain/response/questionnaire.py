"""The questionnaire aggregate (问卷): its first answers, every correction, and where it
stands (counted, quarantined, rejected, voided)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic

from services.survey.domain.errors import DecisionConflict, InvalidQuestionnaire
from shared.contracts.survey import row_ratings

RESPONSE_NAMESPACE = uuid5(NAMESPACE_URL, "https://pingyi.example/survey-response")
ANSWER_FIELDS = ("ratings", "dimension_ratings", "opinions", "recommended_key_targets")

_CLAIM_OWN = frozenset({"response_id", "questionnaire_id", "survey_point", "collected_at"})
"""A part entry's fields that are the questionnaire's own attributes, not its details."""

COUNTED = "counted"
QUARANTINED = "quarantined"
REJECTED = "rejected"
VOIDED = "voided"
WITHDRAWN = "withdrawn"


def require_reason(reason: str) -> None:
    if not reason.strip():
        raise InvalidQuestionnaire("must not be blank", field="reason")


class Response(Aggregate):
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

    def claim_from(self, claimed: Response.Claimed) -> None:
        self.wave_id = claimed.wave_id
        self.claim = {
            "batch_id": claimed.batch_id,
            "part": claimed.part,
            "index": claimed.index,
        }
        self.details = {"batch_id": str(claimed.batch_id)}
        self.answer_versions = [{}]
        self.recorded_by = ""
        self.flags = []
        self.review = None
        self.voided = False
        self.history = []

    def attach_claimed(
        self, content: dict[str, Any], part: dict[str, Any], unit_ids: Sequence[UUID | str]
    ) -> Response:
        """Give a claimed questionnaire its content, as first recorded, from its batch part
        (`content` is the part's entry, `part` names the agency and the actor): it then
        reads exactly as if it had been recorded on its own. Changes no stored state."""
        if self.claim is None or self.claim.get("attached"):
            return self
        row = content["row"]
        details = {"agency_id": str(part["agency_id"])}
        details |= {k: v for k, v in content.items() if k not in _CLAIM_OWN}
        details["batch_id"] = str(part["batch_id"])
        self.questionnaire_id = content["questionnaire_id"]
        self.survey_point = content["survey_point"]
        collected_at = content["collected_at"]
        self.collected_at = (
            datetime.fromisoformat(collected_at) if isinstance(collected_at, str) else collected_at
        )
        self.details = details
        self.answer_versions[0] = {
            "ratings": row_ratings(unit_ids, row),
            "dimension_ratings": content.get("dimension_ratings", {}),
            "opinions": content.get("opinions", []),
            "recommended_key_targets": content.get("recommended_key_targets", []),
        }
        self.recorded_by = part["actor"]
        # Quarantines applied on load came after the recording's own flags.
        self.flags = list(content.get("flags", [])) + list(self.flags)
        self.claim["attached"] = True
        return self

    @staticmethod
    def create_id(wave_id: UUID, questionnaire_id: str) -> UUID:
        return uuid5(RESPONSE_NAMESPACE, f"{wave_id}|{questionnaire_id}")

    @classmethod
    def record(cls, response_id: UUID, **fields: Any) -> Response:
        """Recorded under an id the caller derived (`create_id` or `panel_id`)."""
        return cls._create(cls.Recorded, id=response_id, **fields)

    @staticmethod
    def panel_id(wave_id: UUID, person_id: UUID) -> UUID:
        """A panel member answers a representative evaluation once (代表评议: 每人每单位一票)."""
        return uuid5(RESPONSE_NAMESPACE, f"{wave_id}|panel|{person_id}")

    # --- reading -------------------------------------------------------------------------

    @property
    def ratings(self) -> dict[str, str]:
        current: dict[str, str] = self.answer_versions[-1]["ratings"]
        return current

    @property
    def answers(self) -> dict[str, Any]:
        return self.answer_versions[-1]

    @property
    def answers_version(self) -> int:
        """Which version of the answers is current (1: as first recorded)."""
        return len(self.answer_versions)

    @property
    def batch_id(self) -> UUID | None:
        value = self.details.get("batch_id")
        return None if value is None else UUID(str(value))

    @property
    def status(self) -> str:
        """Where it stands, leaving batch withdrawal to the batch (see `Batch.withdrawn`)."""
        if self.voided:
            return VOIDED
        if self.review == REJECTED:
            return REJECTED
        if self.flags and self.review != "released":
            return QUARANTINED
        return COUNTED

    def attach_units(self, unit_ids: Sequence[UUID | str]) -> Response:
        """Give the questionnaire its wave's units, so a compactly stored first version (a
        row of answers in the wave's unit order) reads as ratings by unit id. Called by the
        application on every load that reads answers; changes no state that is stored."""
        row = self.details.get("row")
        if row is not None and not self.answer_versions[0]["ratings"]:
            self.answer_versions[0] = self.answer_versions[0] | {
                "ratings": row_ratings(unit_ids, row)
            }
        return self

    def same_content(self, recorded: dict[str, Any], ratings: dict[str, str]) -> bool:
        """Whether a re-pushed questionnaire (its `Recorded` fields, and its ratings by unit)
        is this one again, as first recorded (aware datetimes compare as instants, so an
        offset change alone is not a difference). Needs `attach_units`."""
        ignored = ("batch_id", "flags", "row")
        details = {k: v for k, v in recorded["details"].items() if k not in ignored}
        mine = {k: v for k, v in self.details.items() if k not in ignored}
        return (
            self.survey_point == recorded["survey_point"]
            and self.collected_at == recorded["collected_at"]
            and self.answer_versions[0]["ratings"] == ratings
            and mine == details
        )

    # --- decisions -----------------------------------------------------------------------

    def correct(self, answers: dict[str, Any], reason: str, actor: str) -> None:
        require_reason(reason)
        if self.voided or self.review == REJECTED:
            raise DecisionConflict(f"a {self.status} questionnaire cannot be corrected")
        if answers == self.answers:
            raise DecisionConflict("the correction changes nothing", field="answers")
        self._corrected(
            wave_id=self.wave_id,
            answers_version=self.answers_version + 1,
            answers=answers,
            reason=reason,
            actor=actor,
        )

    @event(Corrected)
    def _corrected(
        self, wave_id: UUID, answers_version: int, answers: dict[str, Any], reason: str, actor: str
    ) -> None:
        self.answer_versions.append(dict(answers))
        self.history.append({"event": "corrected", "reason": reason, "actor": actor})

    def void(self, reason: str, actor: str) -> None:
        require_reason(reason)
        if self.voided:
            raise DecisionConflict("the questionnaire is already voided")
        self._voided(wave_id=self.wave_id, reason=reason, actor=actor)

    @event(Voided)
    def _voided(self, wave_id: UUID, reason: str, actor: str) -> None:
        self.voided = True
        self.history.append({"event": "voided", "reason": reason, "actor": actor})

    def quarantine(self, flags: list[dict[str, str]], actor: str) -> None:
        if self.status != COUNTED or self.review is not None:
            raise DecisionConflict(f"a {self.status} questionnaire cannot be quarantined")
        self._quarantined(wave_id=self.wave_id, flags=flags, actor=actor)

    @event(Quarantined)
    def _quarantined(self, wave_id: UUID, flags: list[dict[str, str]], actor: str) -> None:
        self.flags = list(self.flags) + list(flags)
        self.history.append({"event": "quarantined", "flags": flags, "actor": actor})

    def release(self, reason: str, actor: str) -> None:
        self._require_quarantined(reason)
        self._released(wave_id=self.wave_id, reason=reason, actor=actor)

    @event(Released)
    def _released(self, wave_id: UUID, reason: str, actor: str) -> None:
        self.review = "released"
        self.history.append({"event": "released", "reason": reason, "actor": actor})

    def reject(self, reason: str, actor: str) -> None:
        self._require_quarantined(reason)
        self._rejected(wave_id=self.wave_id, reason=reason, actor=actor)

    @event(Rejected)
    def _rejected(self, wave_id: UUID, reason: str, actor: str) -> None:
        self.review = REJECTED
        self.history.append({"event": "rejected", "reason": reason, "actor": actor})

    def _require_quarantined(self, reason: str) -> None:
        require_reason(reason)
        if self.status != QUARANTINED:
            raise DecisionConflict(
                f"only a quarantined questionnaire is reviewed; this one is {self.status}"
            )


RESPONSE_TOPIC = get_topic(Response)
