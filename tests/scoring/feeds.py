"""Hand-built upstream feeds for driving scoring's inboxes directly, the way the consumer
runner does: plan the batch against the recorded position, apply what is new."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from shared.contracts import IntegrationMessage, IntegrationPayload
from shared.contracts.registry import (
    PrincipalIssued,
    UnitDissolved,
    UnitMoved,
    UnitRegistered,
    UnitRenamed,
    UnitsMerged,
    UnitSplit,
)
from shared.contracts.survey import (
    Answers,
    BatchWithdrawn,
    Flag,
    ResponseCorrected,
    ResponseQuarantined,
    ResponseRecorded,
    ResponseRecordedV1,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
    Scale,
    TemplateSnapshot,
    WaveClosed,
    WaveClosedV1,
    WaveOpened,
    WaveOpenedV1,
)
from shared.messaging.inbox import BatchPlan, Inbox, plan_batch

OCCURRED = datetime(2024, 11, 5, 2, 30, tzinfo=UTC)
EFFECTIVE = date(2024, 11, 1)
REASON = "机构改革"
ACTOR = "office:test"
GOV = "政府部门及其它机构"


class Feed:
    """One upstream's published messages, numbered as its notification log would be."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.position = 0
        self.previous: int | None = None

    def message(self, payload: IntegrationPayload, skip: int = 0) -> IntegrationMessage:
        """`skip` leaves room for internal events the origin never publishes."""
        self.position += 1 + skip
        message = IntegrationMessage(
            event_id=IntegrationMessage.event_id_for(self.origin, self.position),
            event_type=payload.event_type,
            schema_version=payload.schema_version,
            origin=self.origin,
            position=self.position,
            previous_position=self.previous,
            occurred_at=OCCURRED,
            payload=payload.model_dump(mode="json"),
        )
        self.previous = self.position
        return message


def deliver(inbox: Inbox, upstream: str, messages: list[IntegrationMessage]) -> BatchPlan:
    plan = plan_batch(inbox.last_position(upstream), messages)
    assert plan.gap_index is None, "test feeds never skip a published message"
    inbox.apply(upstream, plan.to_apply)
    return plan


def unit_registered(jurisdiction_id: UUID, name: str, category: str = GOV) -> UnitRegistered:
    return UnitRegistered(
        unit_id=uuid4(),
        jurisdiction_id=jurisdiction_id,
        name=name,
        short_name=None,
        kind="government_department",
        category=category,
    )


def unit_renamed(unit_id: UUID, old_name: str, new_name: str) -> UnitRenamed:
    return UnitRenamed(
        unit_id=unit_id,
        old_name=old_name,
        new_name=new_name,
        effective_on=EFFECTIVE,
        reason=REASON,
        actor=ACTOR,
    )


def unit_moved(unit_id: UUID, from_id: UUID, to_id: UUID) -> UnitMoved:
    return UnitMoved(
        unit_id=unit_id,
        from_jurisdiction_id=from_id,
        to_jurisdiction_id=to_id,
        effective_on=EFFECTIVE,
        reason=REASON,
        actor=ACTOR,
    )


def units_merged(new_unit_id: UUID, source_ids: list[UUID], name: str) -> UnitsMerged:
    return UnitsMerged(
        new_unit_id=new_unit_id,
        source_unit_ids=tuple(source_ids),
        name=name,
        effective_on=EFFECTIVE,
        reason=REASON,
        actor=ACTOR,
    )


def unit_split(source_id: UUID, new_unit_ids: list[UUID]) -> UnitSplit:
    return UnitSplit(
        source_unit_id=source_id,
        new_unit_ids=tuple(new_unit_ids),
        effective_on=EFFECTIVE,
        reason=REASON,
        actor=ACTOR,
    )


def unit_dissolved(unit_id: UUID) -> UnitDissolved:
    return UnitDissolved(unit_id=unit_id, effective_on=EFFECTIVE, reason=REASON, actor=ACTOR)


def principal_issued(jurisdiction_id: UUID) -> PrincipalIssued:
    return PrincipalIssued(
        principal_id=uuid4(),
        name="舞阳县纠风办",
        role="office",
        jurisdiction_id=jurisdiction_id,
        key_hash="0" * 64,
    )


def template(scale: Scale) -> TemplateSnapshot:
    return TemplateSnapshot(template_id=uuid4(), version=1, name=f"{scale} 问卷", scale=scale)


def wave_opened(
    jurisdiction_id: UUID,
    unit_ids: list[UUID],
    name: str = "2024年度问卷测评",
    scale: Scale | None = None,
) -> WaveOpened:
    """A v2 wave; with a scale, opened from a template on that scale (else as a v1 wave)."""
    return WaveOpened(
        wave_id=uuid4(),
        jurisdiction_id=jurisdiction_id,
        name=name,
        agency_id=uuid4(),
        unit_ids=tuple(unit_ids),
        actor="office:test",
        template=None if scale is None else template(scale),
    )


def wave_opened_v1(
    jurisdiction_id: UUID, unit_ids: list[UUID], name: str = "2024年度问卷测评"
) -> WaveOpenedV1:
    return WaveOpenedV1(
        wave_id=uuid4(),
        jurisdiction_id=jurisdiction_id,
        name=name,
        agency_id=uuid4(),
        unit_ids=tuple(unit_ids),
        actor="office:test",
    )


def response(
    wave_id: UUID,
    ratings: dict[UUID, str],
    questionnaire_id: str,
    response_id: UUID | None = None,
    flags: tuple[str, ...] = (),
    batch_id: UUID | None = None,
) -> ResponseRecorded:
    """A v2 questionnaire; each flag code puts it in quarantine."""
    return ResponseRecorded.model_validate(
        {
            "wave_id": wave_id,
            "response_id": response_id or uuid4(),
            "questionnaire_id": questionnaire_id,
            "survey_point": "舞阳县政务服务中心",
            "collected_at": OCCURRED,
            "ratings": ratings,
            "batch_id": batch_id,
            "flags": [Flag(code=code, detail="疑似刷票") for code in flags],
        }
    )


def response_v1(
    wave_id: UUID, ratings: dict[UUID, str], questionnaire_id: str
) -> ResponseRecordedV1:
    return ResponseRecordedV1.model_validate(
        {
            "wave_id": wave_id,
            "response_id": uuid4(),
            "questionnaire_id": questionnaire_id,
            "survey_point": "舞阳县政务服务中心",
            "collected_at": OCCURRED,
            "ratings": ratings,
        }
    )


def corrected(
    wave_id: UUID, response_id: UUID, ratings: dict[UUID, str], version: int = 2
) -> ResponseCorrected:
    return ResponseCorrected(
        wave_id=wave_id,
        response_id=response_id,
        version=version,
        answers=Answers(ratings=ratings),
        reason="录入错误更正",
        actor=ACTOR,
    )


def voided(wave_id: UUID, response_id: UUID) -> ResponseVoided:
    return ResponseVoided(wave_id=wave_id, response_id=response_id, reason="重复录入", actor=ACTOR)


def quarantined(wave_id: UUID, response_id: UUID) -> ResponseQuarantined:
    flags = (Flag(code="point_departure", detail="测评点分布偏离"),)
    return ResponseQuarantined(wave_id=wave_id, response_id=response_id, flags=flags, actor=ACTOR)


def released(wave_id: UUID, response_id: UUID) -> ResponseReleased:
    return ResponseReleased(
        wave_id=wave_id, response_id=response_id, reason="核实无误", actor=ACTOR
    )


def rejected(wave_id: UUID, response_id: UUID) -> ResponseRejected:
    return ResponseRejected(
        wave_id=wave_id, response_id=response_id, reason="核实造假", actor=ACTOR
    )


def batch_withdrawn(wave_id: UUID, batch_id: UUID, response_ids: list[UUID]) -> BatchWithdrawn:
    return BatchWithdrawn(
        wave_id=wave_id,
        batch_id=batch_id,
        agency_id=uuid4(),
        response_ids=tuple(response_ids),
        reason="调查机构弄虚作假",
        actor=ACTOR,
    )


def wave_closed(wave_id: UUID) -> WaveClosed:
    return WaveClosed(
        wave_id=wave_id, actor="office:test", reason="问卷回收完毕", questionnaires=0, batches=0
    )


def wave_closed_v1(wave_id: UUID) -> WaveClosedV1:
    return WaveClosedV1(wave_id=wave_id, actor="office:test")


class FeedLog:
    """A feed's messages read back as a published log (what replay reads)."""

    def __init__(self, messages: list[IntegrationMessage]) -> None:
        self.messages = list(messages)

    def iterate(self, stop: int | None = None, batch: int = 1000) -> Iterator[IntegrationMessage]:
        return iter([m for m in self.messages if stop is None or m.position <= stop])

    def close(self) -> None:
        pass
