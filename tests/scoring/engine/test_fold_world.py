"""The world the fold tests read: one half-year 民主评议政风行风 campaign (round 2 is the one
folded), published as each upstream would publish it, built with the contract models.

`world()` returns each origin's messages in that origin's order; the test modules assert
what the fold makes of them, with the expected values worked out by hand beside each
assertion. The two tests here only check that the world is what the others assume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from shared.contracts import IntegrationMessage, IntegrationPayload
from shared.contracts.inspection import (
    FindingCorrected,
    FindingRecorded,
    FindingRecordedV1,
    FindingWithdrawn,
)
from shared.contracts.inspection_assessments import (
    AssessmentScoreCorrected,
    AssessmentScoreRecorded,
    AssessmentScoreWithdrawn,
    ResultCancelled,
    VetoDecided,
    VetoRevoked,
)
from shared.contracts.inspection_complaints import (
    ComplaintCallbackRecorded,
    ComplaintConcluded,
    ComplaintDispatched,
    ComplaintReceived,
    HotlineAppeared,
)
from shared.contracts.inspection_rectification import (
    RectificationEscalated,
    RectificationOrdered,
    RectificationReported,
    RectificationRerated,
    RectificationVerified,
)
from shared.contracts.inspection_tasks import AccountabilityRecorded, TaskAssigned, TaskCompleted
from shared.contracts.registry import (
    UnitMoved,
    UnitRegistered,
    UnitRegisteredV1,
    UnitRenamed,
    UnitsMerged,
)
from shared.contracts.registry_campaigns import (
    CampaignCategoriesAmended,
    CampaignOpened,
    Cycle,
    KeyTargetDesignated,
    KeyTargetRevoked,
    Pattern,
    UnitEnrolled,
    UnitWithdrawn,
    Window,
)
from shared.contracts.survey import (
    Answers,
    BatchWithdrawn,
    Flag,
    RespondentGroup,
    ResponseCorrected,
    ResponseQuarantined,
    ResponseRecorded,
    ResponseRecordedV1,
    ResponseRecordedV2,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
    Scale,
    SurveyPoint,
    TemplateSnapshot,
    WaveClosed,
    WaveKind,
    WaveOpened,
    WaveOpenedV1,
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


@dataclass
class World:
    registry: Feed = field(default_factory=lambda: Feed("registry"))
    survey: Feed = field(default_factory=lambda: Feed("survey", step=1))
    inspection: Feed = field(default_factory=lambda: Feed("inspection", step=3))
    scoring: Feed = field(default_factory=lambda: Feed("scoring"))

    def streams(self) -> list[list[IntegrationMessage]]:
        return [f.messages for f in (self.registry, self.survey, self.inspection, self.scoring)]

    def in_order(self) -> list[IntegrationMessage]:
        """Origin after origin: one interleaving among many."""
        return [message for stream in self.streams() for message in stream]


def build_registry(feed: Feed) -> None:
    feed(unit("市公安局"))
    feed(unit("市公安局出入境窗口", parent_id=uid("市公安局")))
    feed(unit("市公安局交警支队", parent_id=uid("市公安局")))
    feed(unit("市供电公司", PUBLIC, vertical_superior="国网河南省电力公司"))
    feed(
        UnitRegisteredV1(
            unit_id=uid("市教育局"),
            jurisdiction_id=CITY,
            name="市教育局",
            short_name="教育局",
            kind="government_department",
            category=GOV,
        )
    )
    for name in ("市林业局", "市住建局", "市粮食局", "市商务局", "县卫健委"):
        feed(unit(name))
    feed(campaign_opened())
    feed(campaign_opened(OTHER_CAMPAIGN))
    feed(
        CampaignCategoriesAmended(
            campaign_id=CAMPAIGN,
            categories=(GOV, PUBLIC, "垂直管理单位"),
            reason="增设类别",
            actor=ACTOR,
        )
    )
    feed(enrol("市公安局"))
    feed(enrol("市供电公司", PUBLIC))
    for name in ("市教育局", "市林业局", "市住建局", "市粮食局", "市商务局"):
        feed(enrol(name))
    feed(enrol("县卫健委", campaign_id=OTHER_CAMPAIGN))
    for name in ("市公安局", "市教育局", "市林业局"):
        feed(
            KeyTargetDesignated(
                campaign_id=CAMPAIGN,
                unit_id=uid(name),
                reason_code="concentrated_complaints",
                reason_label="投诉集中",
                reason="群众投诉较多",
                actor=ACTOR,
            )
        )
    feed(
        KeyTargetRevoked(
            campaign_id=CAMPAIGN, unit_id=uid("市教育局"), reason="已整改", actor=ACTOR
        )
    )
    feed(
        UnitWithdrawn(campaign_id=CAMPAIGN, unit_id=uid("市林业局"), reason="职能划转", actor=ACTOR)
    )
    feed(
        UnitRenamed(
            unit_id=uid("市住建局"),
            old_name="市住建局",
            new_name="市住房和城乡建设局",
            effective_on=date(2024, 7, 15),
            reason=REASON,
            actor=ACTOR,
        )
    )
    feed(
        UnitMoved(
            unit_id=uid("市住建局"),
            from_jurisdiction_id=CITY,
            to_jurisdiction_id=COUNTY,
            effective_on=date(2024, 7, 15),
            reason=REASON,
            actor=ACTOR,
        )
    )
    feed(unit("市商务粮食局"))
    feed(
        UnitsMerged(
            new_unit_id=uid("市商务粮食局"),
            source_unit_ids=(uid("市粮食局"), uid("市商务局")),
            name="市商务粮食局",
            effective_on=date(2024, 8, 1),
            reason=REASON,
            actor=ACTOR,
        )
    )


W1 = "问卷测评（下半年）"
W2 = "代表评议（下半年）"
W1_UNITS = ["市公安局", "市公安局出入境窗口", "市供电公司", "市教育局"]
W2_UNITS = ["市公安局", "市供电公司", "市住建局"]


def build_survey(feed: Feed) -> None:
    feed(
        WaveOpenedV1(
            wave_id=uid("v1 wave"),
            jurisdiction_id=CITY,
            name="v1 wave",
            agency_id=uid("agency"),
            unit_ids=(uid("市公安局"),),
            actor=ACTOR,
        )
    )
    feed(
        ResponseRecordedV1(
            wave_id=uid("v1 wave"),
            response_id=uid("v1-r"),
            questionnaire_id="v1-r",
            survey_point=None,
            collected_at=IN_WINDOW,
            ratings={uid("市公安局"): "不满意"},
        )
    )
    feed(
        wave(
            W1,
            W1_UNITS,
            groups=(
                RespondentGroup(code="服务对象", name="服务对象", target_percent=40),
                RespondentGroup(code="群众", name="群众", target_percent=60),
            ),
            points=(
                SurveyPoint(code="源汇", name="源汇区测评点", jurisdiction_id=CITY, target=100),
                SurveyPoint(code="郾城", name="郾城区测评点", jurisdiction_id=COUNTY, target=50),
            ),
        )
    )
    feed(
        wave(
            W2,
            W2_UNITS,
            scale=Scale.THREE_LEVEL,
            kind=WaveKind.REPRESENTATIVE_EVALUATION,
            panel=(uid("代表1"), uid("代表2"), uid("代表3")),
        )
    )
    feed(wave("上半年问卷", W1_UNITS, round_=1))
    feed(recorded("上半年问卷", "h1", ["不满意", None, None, None]))
    # W1: r1 v1 (a unit outside the wave is not the wave's), r2 v2, r3 v3 then corrected.
    feed(
        ResponseRecordedV1(
            wave_id=uid(W1),
            response_id=uid("r1"),
            questionnaire_id="r1",
            survey_point="源汇",
            collected_at=IN_WINDOW,
            ratings={
                uid("市公安局"): "满意",
                uid("市供电公司"): "基本满意",
                uid("市教育局"): "不了解",
                uid("县卫健委"): "满意",
            },
        )
    )
    feed(
        ResponseRecordedV2(
            wave_id=uid(W1),
            response_id=uid("r2"),
            questionnaire_id="r2",
            survey_point="郾城",
            collected_at=IN_WINDOW,
            group="服务对象",
            ratings={uid("市公安局"): "不满意", uid("市公安局出入境窗口"): "满意"},
        )
    )
    feed(recorded(W1, "r3", ["满意", "满意", None, "不满意"], group="群众", point="源汇"))
    feed(recorded(W1, "r4", ["基本满意", None, "满意", None], group="群众", flagged=True))
    feed(recorded(W1, "r5", ["不满意", None, "不满意", None], group="群众", flagged=True))
    feed(recorded(W1, "r6", ["不满意", "不满意", None, None], point="源汇"))
    feed(recorded(W1, "r7", ["满意", None, None, None], point="郾城"))
    feed(recorded(W1, "r8", ["不满意", None, "不满意", "不满意"], batch="b1", point="源汇"))
    feed(recorded(W1, "r9", ["不满意", None, None, None], batch="b1", point="源汇"))
    feed(
        corrected(
            W1, "r3", {"市公安局": "基本满意", "市公安局出入境窗口": "满意", "市教育局": "满意"}
        )
    )
    feed(decided(ResponseReleased, W1, "r4"))
    feed(decided(ResponseRejected, W1, "r5"))
    feed(decided(ResponseVoided, W1, "r6"))
    feed(decided(ResponseQuarantined, W1, "r7"))
    feed(withdrawn_batch(W1, "b1", ["r8", "r9"]))
    feed(recorded(W2, "p1", ["满意", "基本满意", "不满意"]))
    feed(recorded(W2, "p2", ["满意", "满意", None]))
    feed(closed(W1))
    # After the close: a questionnaire is refused, a decision still applies.
    feed(recorded(W1, "r10", ["满意", "满意", "满意", "满意"], point="源汇"))
    feed(decided(ResponseVoided, W1, "r2"))


def build_inspection(feed: Feed) -> None:
    feed(
        FindingRecordedV1(
            finding_id=uid("finding:A"),
            unit_id=uid("市公安局"),
            method="明察",
            summary="窗口人员脱岗",
            found_at=IN_WINDOW,
            actor="inspector:明察组",
        )
    )
    feed(
        finding(
            "finding:B",
            "市供电公司",
            IN_WINDOW,
            item="服务态度",
            severity="较重",
            deduction=Decimal("2.50"),
            method="电话暗访",
        )
    )
    feed(finding("finding:A-early", "市公安局", datetime(2024, 5, 20, tzinfo=UTC)))
    feed(finding("finding:C", "市教育局", IN_WINDOW))
    feed(FindingWithdrawn(finding_id=uid("finding:C"), reason="核实有误", actor=ACTOR, version=2))
    feed(
        FindingCorrected(
            finding_id=uid("finding:A"),
            summary="窗口人员上班时间脱岗半小时",
            reason="补充",
            actor=ACTOR,
            version=2,
        )
    )
    feed(finding("finding:X", "县卫健委", IN_WINDOW))
    # A complaint taken in without a unit, then dispatched, concluded and called back.
    feed(received("complaint:A", date(2024, 9, 1)))
    feed(
        ComplaintDispatched(
            complaint_id=uid("complaint:A"),
            unit_id=uid("市公安局"),
            jurisdiction_id=CITY,
            actor=ACTOR,
            unit_jurisdiction_id=CITY,
            dispatched_on=date(2024, 9, 2),
            due_on=date(2024, 9, 9),
        )
    )
    feed(
        ComplaintConcluded(
            complaint_id=uid("complaint:A"),
            unit_id=uid("市公安局"),
            jurisdiction_id=CITY,
            actor=ACTOR,
            outcome="verified",
            reason="经查属实",
        )
    )
    feed(
        ComplaintCallbackRecorded(
            complaint_id=uid("complaint:A"),
            unit_id=uid("市公安局"),
            jurisdiction_id=CITY,
            actor=ACTOR,
            satisfaction="不满意",
        )
    )
    feed(
        received(
            "complaint:other", date(2024, 9, 1), "市公安局", campaign_id=OTHER_CAMPAIGN, round=ROUND
        )
    )
    feed(
        received(
            "complaint:B-named",
            date(2024, 3, 1),
            "市供电公司",
            campaign_id=CAMPAIGN,
            round=ROUND,
            channel="12345热线",
        )
    )
    feed(received("complaint:nobody", date(2024, 9, 1)))
    feed(hotline("hotline:A1", "市公安局", date(2024, 7, 1)))
    feed(hotline("hotline:A2", "市公安局", date(2024, 12, 31)))
    feed(hotline("hotline:A1", "市公安局", date(2024, 7, 1)))
    feed(hotline("hotline:B-early", "市供电公司", date(2024, 6, 30)))
    feed(
        hotline(
            "hotline:B-named", "市供电公司", date(2024, 6, 30), campaign_id=CAMPAIGN, round=ROUND
        )
    )
    feed(
        assessment(
            AssessmentScoreRecorded,
            "市公安局",
            "organisation",
            component_name="组织与资料",
            score=Decimal("8.5"),
            maximum=Decimal("10"),
            assessor="考评组",
            basis="台账齐全",
            evidence=[],
            reason="半年考评",
        )
    )
    feed(
        assessment(
            AssessmentScoreCorrected,
            "市公安局",
            "organisation",
            2,
            score=Decimal("9.00"),
            maximum=Decimal("10"),
            assessor="考评组",
            basis="补充材料",
            evidence=[],
            reason="复核",
        )
    )
    feed(
        assessment(
            AssessmentScoreRecorded,
            "市供电公司",
            "organisation",
            component_name="组织与资料",
            score=Decimal("7"),
            maximum=Decimal("10"),
            assessor="考评组",
            basis="",
            evidence=[],
            reason="半年考评",
        )
    )
    feed(assessment(AssessmentScoreWithdrawn, "市供电公司", "organisation", 2, reason="重复录入"))
    feed(
        assessment(
            AssessmentScoreRecorded,
            "市公安局",
            "organisation",
            round=1,
            component_name="组织与资料",
            score=Decimal("6"),
            maximum=Decimal("10"),
            assessor="考评组",
            basis="",
            evidence=[],
            reason="上半年",
        )
    )
    for name, unit_name in (("veto:A", "市公安局"), ("veto:B", "市供电公司")):
        feed(
            VetoDecided(
                veto_id=uid(name),
                unit_id=uid(unit_name),
                jurisdiction_id=CITY,
                campaign_id=CAMPAIGN,
                round=ROUND,
                basis="发生重大安全责任事故",
                authority="市委",
                decided_on=date(2024, 10, 1),
                actor=ACTOR,
                version=1,
            )
        )
    feed(
        VetoRevoked(
            veto_id=uid("veto:B"),
            unit_id=uid("市供电公司"),
            jurisdiction_id=CITY,
            campaign_id=CAMPAIGN,
            round=ROUND,
            reason="复议撤销",
            actor=ACTOR,
            version=2,
        )
    )
    feed(
        ResultCancelled(
            cancellation_id=uid("cancel:C"),
            unit_id=uid("市教育局"),
            jurisdiction_id=CITY,
            campaign_id=CAMPAIGN,
            round=ROUND,
            reason="拉票",
            decided_by="市纠风办",
            actor=ACTOR,
        )
    )
    feed(
        order_fact(
            RectificationOrdered,
            "市供电公司",
            "issued",
            1,
            issued_on=date(2024, 9, 20),
            working_days=15,
            requirements="限期整改",
        )
    )
    feed(
        order_fact(
            RectificationReported,
            "市供电公司",
            "reported",
            2,
            text="已整改",
            reported_on=date(2024, 10, 1),
        )
    )
    feed(
        order_fact(
            RectificationVerified,
            "市供电公司",
            "second_handling",
            3,
            outcome="returned",
            reason="整改不到位",
            verified_on=date(2024, 10, 8),
            second_handling=True,
        )
    )
    feed(
        order_fact(
            RectificationEscalated,
            "市供电公司",
            "second_handling",
            4,
            step="催办",
            reason="逾期",
            escalated_on=date(2024, 10, 20),
        )
    )
    feed(
        order_fact(
            RectificationEscalated,
            "市供电公司",
            "second_handling",
            5,
            step="通报",
            reason="仍逾期",
            escalated_on=date(2024, 10, 30),
        )
    )
    feed(
        order_fact(
            RectificationRerated,
            "市供电公司",
            "second_handling",
            6,
            rating="基本满意",
            raters="评议代表",
            reason="回访",
            rated_on=date(2024, 11, 5),
        )
    )
    feed(
        task_fact(
            TaskAssigned,
            "task:A",
            "市公安局",
            1,
            title="户籍办理提速",
            kind="key_project",
            due_on=date(2024, 11, 30),
            milestones=(),
            methods=("跟踪",),
        )
    )
    feed(
        task_fact(
            TaskCompleted,
            "task:A",
            "市公安局",
            2,
            completed_on=date(2024, 11, 20),
            reason="按期完成",
        )
    )
    for version in (3, 4):
        feed(
            task_fact(
                AccountabilityRecorded,
                "task:A",
                "市公安局",
                version,
                person="张某",
                measure="诫勉谈话",
                reason="推诿",
            )
        )
    feed(
        task_fact(
            TaskAssigned,
            "task:B-next",
            "市供电公司",
            1,
            title="线路改造",
            kind="task",
            due_on=date(2025, 3, 31),
            milestones=(),
            methods=(),
        )
    )


PREVIOUS_CYCLE = uid("2023-campaign")


def build_scoring(feed: Feed) -> None:
    scored = "scoring.round.scored"
    feed.raw(
        scored,
        1,
        round_scored(
            CAMPAIGN,
            1,
            "2024-06-30",
            [
                {"unit_id": sid("市公安局"), "grade": "差", "lists": [], "score": "58.00"},
            ],
        ),
    )
    feed.raw(
        scored,
        1,
        round_scored(
            CAMPAIGN,
            1,
            "2024-06-30",
            [
                {"unit_id": sid("市公安局"), "grade": "差", "lists": ["末位"], "score": "59.00"},
                {
                    "unit_id": sid("市供电公司"),
                    "grade": "优",
                    "lists": ["先进单位"],
                    "score": "95.10",
                },
            ],
        ),
    )
    feed.raw(
        scored,
        1,
        round_scored(
            CAMPAIGN,
            1,
            "2024-06-30",
            [
                {"unit_id": sid("市公安局"), "grade": "优", "lists": [], "score": "99.00"},
            ],
            final=False,
        ),
    )
    feed.raw(
        scored,
        1,
        round_scored(
            PREVIOUS_CYCLE,
            2,
            "2023-12-31",
            [
                {"unit_id": sid("市公安局"), "grade": "差", "lists": [], "score": None},
            ],
            starts_on="2023-07-01",
        ),
    )
    feed.raw(
        scored,
        1,
        round_scored(
            uid("万人评议"),
            1,
            "2024-06-30",
            [
                {"unit_id": sid("市公安局"), "grade": "不合格", "lists": [], "score": "50"},
            ],
            pattern="ten_thousand_appraisal",
        ),
    )
    feed.raw(
        scored,
        1,
        round_scored(
            CAMPAIGN,
            2,
            "2024-12-31",
            [
                {"unit_id": sid("市公安局"), "grade": "良", "lists": [], "score": "80"},
            ],
            starts_on="2024-07-01",
        ),
    )


def world() -> World:
    built = World()
    build_registry(built.registry)
    build_survey(built.survey)
    build_inspection(built.inspection)
    build_scoring(built.scoring)
    return built


def test_each_origin_numbers_its_messages_in_order() -> None:
    for stream in world().streams():
        positions = [message.position for message in stream]
        assert positions == sorted(set(positions))
        assert all(m.origin == stream[0].origin for m in stream)


def test_the_world_carries_old_versions_to_upcast() -> None:
    versions = {(m.event_type, m.schema_version) for m in world().in_order()}
    assert ("registry.unit.registered", 1) in versions
    assert ("survey.response.recorded", 1) in versions
    assert ("survey.response.recorded", 2) in versions
    assert ("inspection.finding.recorded", 1) in versions
