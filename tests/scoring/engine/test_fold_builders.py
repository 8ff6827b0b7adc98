"""Builders of the contract messages the fold tests feed it: each upstream's payloads,
built with the contract models and numbered as the origin's log would number them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid5

from shared.contracts import IntegrationMessage, IntegrationPayload
from shared.contracts.inspection import (
    FindingRecorded,
)
from shared.contracts.inspection_assessments import (
    AssessmentScoreRecorded,
)
from shared.contracts.inspection_complaints import (
    ComplaintReceived,
    HotlineAppeared,
)
from shared.contracts.registry import (
    UnitRegistered,
)
from shared.contracts.registry_campaigns import (
    CampaignOpened,
    Cycle,
    Pattern,
    UnitEnrolled,
    Window,
)
from shared.contracts.survey import (
    Answers,
    BatchWithdrawn,
    Flag,
    ResponseCorrected,
    ResponseQuarantined,
    ResponseRecorded,
    Scale,
    TemplateSnapshot,
    WaveClosed,
    WaveOpened,
)

NS = UUID("2b0c58a4-8f0e-4c61-9d7e-6a1f3c5e9b20")
ACTOR = "office:漯河市纠风办"
REASON = "机构改革"
GOV = "政府部门及其它机构"
PUBLIC = "公共服务行业"
PATTERN = "democratic_appraisal"
OCCURRED = datetime(2024, 8, 1, 2, 0, tzinfo=UTC)
ROUND = 2
ROUND_1 = Window(starts_on=date(2024, 1, 1), ends_on=date(2024, 6, 30))
ROUND_2 = Window(starts_on=date(2024, 7, 1), ends_on=date(2024, 12, 31))
IN_WINDOW = datetime(2024, 9, 10, 2, 0, tzinfo=UTC)


def uid(name: str) -> UUID:
    return uuid5(NS, name)


def sid(name: str) -> str:
    return str(uid(name))


CAMPAIGN = uid("campaign")
OTHER_CAMPAIGN = uid("other-campaign")
CITY = uid("jurisdiction:漯河市")
COUNTY = uid("jurisdiction:郾城区")


class Feed:
    """One origin's published messages, numbered as its notification log would be (with
    room left for events it never publishes)."""

    def __init__(self, origin: str, step: int = 2) -> None:
        self.origin = origin
        self.step = step
        self.position = 0
        self.messages: list[IntegrationMessage] = []

    def __call__(self, payload: IntegrationPayload) -> IntegrationMessage:
        return self.raw(payload.event_type, payload.schema_version, payload.model_dump(mode="json"))

    def raw(self, event_type: str, version: int, payload: dict[str, Any]) -> IntegrationMessage:
        previous = self.position or None
        self.position += self.step
        message = IntegrationMessage(
            event_id=IntegrationMessage.event_id_for(self.origin, self.position),
            event_type=event_type,
            schema_version=version,
            origin=self.origin,
            position=self.position,
            previous_position=previous,
            occurred_at=OCCURRED,
            payload=payload,
        )
        self.messages.append(message)
        return message


def campaign_opened(campaign_id: UUID = CAMPAIGN, pattern: str = PATTERN) -> CampaignOpened:
    return CampaignOpened(
        campaign_id=campaign_id,
        jurisdiction_id=CITY,
        name="2024年度民主评议政风行风",
        pattern=Pattern(code=pattern, label="民主评议政风行风"),
        cycle=Cycle(
            length="one_year",
            rounds="half_year",
            starts_on=date(2024, 1, 1),
            ends_on=date(2024, 12, 31),
            round_windows=(ROUND_1, ROUND_2),
        ),
        phases=(),
        categories=(GOV, PUBLIC),
        actor=ACTOR,
    )


def unit(name: str, category: str = GOV, **facts: Any) -> UnitRegistered:
    return UnitRegistered(
        unit_id=uid(name),
        jurisdiction_id=facts.pop("jurisdiction_id", CITY),
        name=name,
        short_name=None,
        kind="government_department",
        category=category,
        **facts,
    )


def enrol(name: str, category: str = GOV, campaign_id: UUID = CAMPAIGN) -> UnitEnrolled:
    return UnitEnrolled(campaign_id=campaign_id, unit_id=uid(name), category=category, actor=ACTOR)


def wave(
    name: str,
    units: list[str],
    *,
    round_: int = ROUND,
    scale: Scale | None = None,
    **facts: Any,
) -> WaveOpened:
    template = None
    if scale is not None:
        template = TemplateSnapshot(
            template_id=uid("template"), version=1, name="测评表", scale=scale
        )
    return WaveOpened(
        wave_id=uid(name),
        jurisdiction_id=CITY,
        name=name,
        agency_id=uid("agency"),
        unit_ids=tuple(uid(u) for u in units),
        actor=ACTOR,
        campaign_id=facts.pop("campaign_id", CAMPAIGN),
        round=round_,
        template=template,
        **facts,
    )


def recorded(
    wave_name: str,
    response: str,
    row: list[str | None],
    *,
    group: str | None = None,
    point: str | None = None,
    flagged: bool = False,
    batch: str | None = None,
) -> ResponseRecorded:
    return ResponseRecorded(
        wave_id=uid(wave_name),
        response_id=uid(response),
        questionnaire_id=response,
        survey_point=point,
        collected_at=IN_WINDOW,
        row=tuple(row),
        group=group,
        batch_id=None if batch is None else uid(batch),
        flags=(Flag(code="burst", detail="同一测评点短时集中提交"),) if flagged else (),
    )


def corrected(wave_name: str, response: str, ratings: dict[str, str]) -> ResponseCorrected:
    return ResponseCorrected(
        wave_id=uid(wave_name),
        response_id=uid(response),
        version=2,
        answers=Answers(ratings={uid(u): r for u, r in ratings.items()}),
        reason="录入错误更正",
        actor=ACTOR,
    )


def decided(kind: type[IntegrationPayload], wave_name: str, response: str) -> IntegrationPayload:
    facts: dict[str, Any] = {"wave_id": uid(wave_name), "response_id": uid(response)}
    if kind is ResponseQuarantined:
        facts["flags"] = (Flag(code="point_departure", detail="测评点分布异常"),)
    else:
        facts["reason"] = "复核"
    return kind(**facts, actor=ACTOR)


def withdrawn_batch(wave_name: str, batch: str, responses: list[str]) -> BatchWithdrawn:
    return BatchWithdrawn(
        wave_id=uid(wave_name),
        batch_id=uid(batch),
        agency_id=uid("agency"),
        response_ids=tuple(uid(r) for r in responses),
        reason="测评机构弄虚作假",
        actor=ACTOR,
    )


def closed(wave_name: str) -> WaveClosed:
    return WaveClosed(wave_id=uid(wave_name), actor=ACTOR, reason="测评结束")


def finding(name: str, unit_name: str, found_at: datetime, **facts: Any) -> FindingRecorded:
    return FindingRecorded(
        finding_id=uid(name),
        unit_id=uid(unit_name),
        method=facts.pop("method", "暗访"),
        summary=f"{unit_name}窗口人员脱岗",
        found_at=found_at,
        actor="inspector:暗访组",
        **facts,
    )


def received(
    name: str, received_on: date, unit_name: str | None = None, **facts: Any
) -> ComplaintReceived:
    return ComplaintReceived(
        complaint_id=uid(name),
        unit_id=None if unit_name is None else uid(unit_name),
        jurisdiction_id=CITY,
        actor=ACTOR,
        channel=facts.pop("channel", "政风行风热线"),
        kind="complaint",
        summary="办事推诿",
        received_on=received_on,
        deadline_days=5,
        anonymous=True,
        **facts,
    )


def hotline(name: str, unit_name: str, appeared_on: date, **facts: Any) -> HotlineAppeared:
    return HotlineAppeared(
        appearance_id=uid(name),
        unit_id=uid(unit_name),
        jurisdiction_id=CITY,
        actor=ACTOR,
        appeared_on=appeared_on,
        **facts,
    )


def order_fact(
    contract: type[IntegrationPayload], unit_name: str, status: str, version: int, **facts: Any
) -> IntegrationPayload:
    return contract(
        order_id=uid("order:" + unit_name),
        unit_id=uid(unit_name),
        jurisdiction_id=CITY,
        finding_ids=(uid("finding:B"),),
        deadline=date(2024, 10, 15),
        status=status,
        actor=ACTOR,
        version=version,
        **facts,
    )


def task_fact(
    contract: type[IntegrationPayload], name: str, unit_name: str, version: int, **facts: Any
) -> IntegrationPayload:
    return contract(
        task_id=uid(name),
        unit_id=uid(unit_name),
        jurisdiction_id=CITY,
        actor=ACTOR,
        version=version,
        **facts,
    )


def assessment(
    contract: type[IntegrationPayload], unit_name: str, code: str, version: int = 1, **facts: Any
) -> IntegrationPayload:
    return contract(
        score_id=uid(f"score:{unit_name}:{code}:{facts.get('round', ROUND)}"),
        unit_id=uid(unit_name),
        jurisdiction_id=CITY,
        campaign_id=facts.pop("campaign_id", CAMPAIGN),
        round=facts.pop("round", ROUND),
        component_code=code,
        actor=ACTOR,
        **({"version": version} if contract is not AssessmentScoreRecorded else {}),
        **facts,
    )


def round_scored(
    campaign_id: UUID, round_: int, ends_on: str, units: list[dict[str, Any]], **facts: Any
) -> dict[str, Any]:
    return {
        "campaign_id": str(campaign_id),
        "round": round_,
        "pattern": facts.get("pattern", PATTERN),
        "window": {"starts_on": facts.get("starts_on", "2024-01-01"), "ends_on": ends_on},
        "final": facts.get("final", True),
        "units": units,
    }
