"""A wave (测评批次): one collection window of one campaign round, over the units enrolled
when it opened, with its template, channels, survey points, respondent groups, agencies and
integrity rules.

Every accepted batch is also an event of its wave (`BatchAccepted`), saved in the same
transaction as the questionnaires: a close and a batch write the same aggregate, so one of
them conflicts, and nothing is ever recorded into a wave after its close.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.survey.domain.errors import InvalidWave, WaveClosedError, blank
from services.survey.domain.wave_freed import QuotaFreed, WaveFreed
from services.survey.domain.wave_intake import WaveIntake, upcast_intake
from services.survey.domain.wave_quotas import QuotaChanged, WaveQuotas
from services.survey.domain.wave_setup import WaveSetup

OPEN = "open"
CLOSED = "closed"

# What a closed wave refuses, each in words naming what was refused (Chinese first).
NO_QUESTIONNAIRE_AFTER_CLOSE = (
    "测评批次已结束，不再接收问卷 (the wave is closed: no questionnaire is accepted after "
    "its close)"
)
NO_ACCREDITATION_AFTER_CLOSE = (
    "测评批次已结束，不能再认定测评机构 (the wave is closed: no agency is accredited to it "
    "after its close)"
)
ALREADY_CLOSED = "测评批次已经结束，无需再次结束 (the wave is already closed)"


class Wave(WaveSetup, WaveQuotas, WaveIntake, WaveFreed, Aggregate):
    class_version = 3
    """Of its snapshots: v3 keeps each agency's batches and intake quarantines
    (`batches_by_agency`, `quarantined_by_agency`: `WaveIntake`); v2 keeps what stopped
    standing as counts (`freed_by_agency`, `freed_by_point`), per batch (`freed_in_batch`)
    and, of voids stored as v1 events only, their questionnaires (`voided_one_by_one`); v1
    kept every id freed."""

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

    class QuotaChanged(QuotaChanged):
        pass  # an accredited agency's quota changed (`WaveQuotas.change_quota`)

    class BatchAccepted(Aggregate.Event):
        batch_id: UUID
        agency_id: UUID
        accepted: int
        quarantined: int
        by_point: dict[str, int]
        integrity_state: dict[str, Any]

    class QuotaFreed(QuotaFreed):
        pass  # questionnaires stopped standing, their quotas freed (`WaveFreed.free_quota`)

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
        self.batches_by_agency: dict[str, int] | None = {}
        self.quarantined_by_agency: dict[str, int] | None = {}
        self.integrity_state: dict[str, Any] = {}
        self.freed_by_agency: dict[str, int] = {}
        self.freed_by_point: dict[str, int] = {}
        self.freed_in_batch: dict[str, dict[str, Any]] = {}
        self.voided_one_by_one: dict[str, str] = {}

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        # A v1 snapshot: taken before `QuotaFreed` existed (nothing freed), or keeping each
        # questionnaire freed with why. Only the voided ones are still needed (their batch
        # may be withdrawn later); a withdrawn batch's are never freed again.
        ids: dict[str, str] = state.pop("freed_ids", {})
        state.setdefault("freed_by_agency", {})
        state.setdefault("freed_by_point", {})
        state["freed_in_batch"] = {}
        state["voided_one_by_one"] = {rid: why for rid, why in ids.items() if why == "voided"}

    @staticmethod
    def upcast_v2_v3(state: dict[str, Any]) -> None:
        upcast_intake(state)  # a v2 snapshot kept no count per agency of its batches

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.status == OPEN

    def require_open(self, refused: str = NO_QUESTIONNAIRE_AFTER_CLOSE) -> None:
        """`refused`: what a closed wave refuses, in words naming it (a questionnaire by
        default; `NO_ACCREDITATION_AFTER_CLOSE`, `ALREADY_CLOSED`), so that each refusal says
        what was refused, not another command's rule."""
        if not self.is_open:
            raise WaveClosedError(
                refused,
                field="wave_id",
                wave_id=str(self.id),
                closed_reason=self.closed_reason,
            )

    def accredit(self, agency_id: UUID, quota: int | None, actor: str) -> None:
        self.require_open(NO_ACCREDITATION_AFTER_CLOSE)
        if str(agency_id) in self.agencies:
            raise InvalidWave(
                "该测评机构已获本次评议认定 (the agency is already accredited to this wave)",
                field="agency_id",
            )
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
        self._count_intake(agency, quarantined)
        self.integrity_state = dict(integrity_state)

    def close(self, reason: str, actor: str) -> None:
        self.require_open(ALREADY_CLOSED)
        if not reason.strip():
            raise InvalidWave(blank("the reason for closing", "关闭原因"), field="reason")
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
