"""A wave (测评批次): one collection window of one campaign round, over the units enrolled
when it opened, with its template, channels, survey points, respondent groups, agencies and
integrity rules.

Every accepted batch is also an event of its wave (`BatchAccepted`), saved in the same
transaction as the questionnaires: a close and a batch write the same aggregate, so one of
them conflicts, and nothing is ever recorded into a wave after its close.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.survey.domain.errors import InvalidWave, WaveClosedError
from services.survey.domain.templates import BUILTIN_TEMPLATE
from shared.contracts.survey import (
    SCALE_LEVELS,
    AgencyQuota,
    Channel,
    EnrolledUnit,
    IntegrityRules,
    RespondentGroup,
    SurveyPoint,
    TemplateSnapshot,
    WaveKind,
)

OPEN = "open"
CLOSED = "closed"


class Wave(Aggregate):
    OPENING_FACTS: ClassVar[tuple[str, ...]] = ("id", "jurisdiction_id", "unit_ids", "setup")
    """What the wave's opening fixes and no later event changes: its units, template and
    scale, window, points, channels, groups and panel (all in `setup`). A push's rows are
    checked against these alone, before the wave's turn is taken (`BatchCommands`); an event
    that changed one would have to be checked in the turn."""

    class Opened(Aggregate.Created):
        class_version = 2
        jurisdiction_id: UUID
        name: str
        agency_id: UUID
        unit_ids: tuple[UUID, ...]
        actor: str
        setup: dict[str, Any]

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # v1 waves were a list of units for one agency, four-level, no campaign.
            state["setup"] = {}

    class AgencyAccredited(Aggregate.Event):
        agency_id: UUID
        quota: int | None
        actor: str

    class BatchAccepted(Aggregate.Event):
        batch_id: UUID
        agency_id: UUID
        accepted: int
        quarantined: int
        by_point: dict[str, int]
        integrity_state: dict[str, Any]

    class QuotaFreed(Aggregate.Event):
        """Questionnaires that stopped standing — voided, or of a withdrawn batch — so they
        use up their agency's and their points' quotas no more (docs/survey-integrity.md)."""

        agency_id: UUID
        by_point: dict[str, int]
        response_ids: list[str]
        why: str

    class Closed(Aggregate.Event):
        class_version = 2
        actor: str
        reason: str
        questionnaires: int | None
        batches: int | None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            # v1 closes did not say what they covered.
            state["questionnaires"] = None
            state["batches"] = None

    @event(Opened)
    def __init__(
        self,
        jurisdiction_id: UUID,
        name: str,
        agency_id: UUID,
        unit_ids: tuple[UUID, ...],
        actor: str,
        setup: dict[str, Any],
    ) -> None:
        self.jurisdiction_id = jurisdiction_id
        self.name = name
        self.agency_id = agency_id
        # Stored events decode sequences as lists; keep one shape in memory.
        self.unit_ids: tuple[UUID, ...] = tuple(unit_ids)
        self.opened_by = actor
        self.setup = dict(setup)
        self.status = OPEN
        self.closed_by: str | None = None
        self.closed_reason: str | None = None
        self.agencies: dict[str, int | None] = {
            str(a["agency_id"]): a["quota"] for a in setup.get("agencies", ())
        } or {str(agency_id): None}
        self.accepted_by_agency: dict[str, int] = {}
        self.accepted_by_point: dict[str, int] = {}
        self.questionnaires = 0
        self.quarantined = 0
        self.batches = 0
        self.integrity_state: dict[str, Any] = {}

    # --- what the wave was opened with ------------------------------------------------------

    @property
    def campaign_id(self) -> UUID | None:
        value = self.setup.get("campaign_id")
        return None if value is None else UUID(str(value))

    @property
    def round(self) -> int | None:
        value: int | None = self.setup.get("round")
        return value

    @property
    def kind(self) -> WaveKind:
        return WaveKind(self.setup.get("kind", WaveKind.SATISFACTION_SURVEY.value))

    @property
    def template(self) -> TemplateSnapshot:
        raw = self.setup.get("template")
        return BUILTIN_TEMPLATE if raw is None else TemplateSnapshot.model_validate(raw)

    @property
    def levels(self) -> frozenset[str]:
        return frozenset(SCALE_LEVELS[self.template.scale])

    @property
    def units(self) -> tuple[EnrolledUnit, ...]:
        return tuple(EnrolledUnit.model_validate(u) for u in self.setup.get("units", ()))

    @property
    def opens_at(self) -> datetime | None:
        return _moment(self.setup.get("opens_at"))

    @property
    def closes_at(self) -> datetime | None:
        return _moment(self.setup.get("closes_at"))

    @property
    def channels(self) -> tuple[Channel, ...]:
        return tuple(Channel(c) for c in self.setup.get("channels", ()))

    @property
    def points(self) -> tuple[SurveyPoint, ...]:
        return tuple(SurveyPoint.model_validate(p) for p in self.setup.get("points", ()))

    @property
    def groups(self) -> tuple[RespondentGroup, ...]:
        return tuple(RespondentGroup.model_validate(g) for g in self.setup.get("groups", ()))

    @property
    def panel(self) -> frozenset[str]:
        return frozenset(str(p) for p in self.setup.get("panel", ()))

    @property
    def public(self) -> bool:
        return bool(self.setup.get("public", False))

    @property
    def integrity(self) -> IntegrityRules:
        raw = self.setup.get("integrity")
        return IntegrityRules() if raw is None else IntegrityRules.model_validate(raw)

    def agency_quotas(self) -> tuple[AgencyQuota, ...]:
        return tuple(
            AgencyQuota(agency_id=UUID(agency), quota=quota)
            for agency, quota in self.agencies.items()
        )

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def require_open(self) -> None:
        if not self.is_open:
            raise WaveClosedError(
                "the wave is closed: no questionnaire is accepted after its close",
                field="wave_id",
                wave_id=str(self.id),
                closed_reason=self.closed_reason,
            )

    def accredit(self, agency_id: UUID, quota: int | None, actor: str) -> None:
        self.require_open()
        if str(agency_id) in self.agencies:
            raise InvalidWave("the agency is already accredited to this wave", field="agency_id")
        self._accredited(agency_id=agency_id, quota=quota, actor=actor)

    @event(AgencyAccredited)
    def _accredited(self, agency_id: UUID, quota: int | None, actor: str) -> None:
        self.agencies[str(agency_id)] = quota

    def accept_batch(
        self,
        batch_id: UUID,
        agency_id: UUID,
        accepted: int,
        quarantined: int,
        by_point: dict[str, int],
        integrity_state: dict[str, Any],
    ) -> None:
        self.require_open()
        self._batch_accepted(
            batch_id=batch_id,
            agency_id=agency_id,
            accepted=accepted,
            quarantined=quarantined,
            by_point=by_point,
            integrity_state=integrity_state,
        )

    @event(BatchAccepted)
    def _batch_accepted(
        self,
        batch_id: UUID,
        agency_id: UUID,
        accepted: int,
        quarantined: int,
        by_point: dict[str, int],
        integrity_state: dict[str, Any],
    ) -> None:
        agency = str(agency_id)
        self.accepted_by_agency[agency] = self.accepted_by_agency.get(agency, 0) + accepted
        for point, count in by_point.items():
            self.accepted_by_point[point] = self.accepted_by_point.get(point, 0) + count
        self.questionnaires += accepted
        self.quarantined += quarantined
        self.batches += 1
        self.integrity_state = dict(integrity_state)

    def free_quota(
        self, agency_id: UUID, by_point: dict[str, int], response_ids: list[str], why: str
    ) -> None:
        """`response_ids` (of `agency_id`, at `by_point`) stopped standing (`why`: voided,
        withdrawn). Taken after the close too: the decision is about the questionnaires."""
        if response_ids:
            self._quota_freed(
                agency_id=agency_id, by_point=by_point, response_ids=response_ids, why=why
            )

    @event(QuotaFreed)
    def _quota_freed(
        self, agency_id: UUID, by_point: dict[str, int], response_ids: list[str], why: str
    ) -> None:
        agencies, points, gone = self.freed()
        agency = str(agency_id)
        agencies[agency] = agencies.get(agency, 0) + len(response_ids)
        for point, count in by_point.items():
            points[point] = points.get(point, 0) + count
        gone.update(dict.fromkeys(response_ids, why))

    def freed(self) -> tuple[dict[str, int], dict[str, int], dict[str, str]]:
        """What stopped standing so far: counts per agency, per point, and each response
        id with why (a dict, as a snapshot keeps it: it stores no set). Kept apart from
        `__init__`'s state: a snapshot taken before the event existed has none of it."""
        state = vars(self)
        if "freed_by_agency" not in state:
            state["freed_by_agency"], state["freed_by_point"], state["freed_ids"] = {}, {}, {}
        return state["freed_by_agency"], state["freed_by_point"], state["freed_ids"]

    def close(self, reason: str, actor: str) -> None:
        self.require_open()
        if not reason.strip():
            raise InvalidWave("must not be blank", field="reason")
        self._closed(
            actor=actor, reason=reason, questionnaires=self.questionnaires, batches=self.batches
        )

    @event(Closed)
    def _closed(
        self, actor: str, reason: str, questionnaires: int | None, batches: int | None
    ) -> None:
        self.status = CLOSED
        self.closed_by = actor
        self.closed_reason = reason


def _moment(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))
