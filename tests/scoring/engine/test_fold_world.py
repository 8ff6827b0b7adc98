"""The world the fold tests read: one half-year 民主评议政风行风 campaign (round 2 is the one
folded), published as each upstream would publish it, built with the contract models.

`world()` returns each origin's messages in that origin's order; the test modules assert
what the fold makes of them, with the expected values worked out by hand beside each
assertion. The two tests here only check that the world is what the others assume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from shared.contracts import IntegrationMessage
from shared.contracts.registry import (
    UnitMoved,
    UnitRegisteredV1,
    UnitRenamed,
    UnitsMerged,
)
from shared.contracts.registry_campaigns import (
    CampaignCategoriesAmended,
    KeyTargetDesignated,
    KeyTargetRevoked,
    UnitWithdrawn,
)
from shared.contracts.survey import (
    RespondentGroup,
    ResponseQuarantined,
    ResponseRecordedV1,
    ResponseRecordedV2,
    ResponseRejected,
    ResponseReleased,
    ResponseVoided,
    Scale,
    SurveyPoint,
    WaveKind,
    WaveOpenedV1,
)

from .test_fold_builders import (
    ACTOR,
    CAMPAIGN,
    CITY,
    COUNTY,
    GOV,
    IN_WINDOW,
    OTHER_CAMPAIGN,
    PUBLIC,
    REASON,
    Feed,
    campaign_opened,
    closed,
    corrected,
    decided,
    enrol,
    recorded,
    round_scored,
    sid,
    uid,
    unit,
    wave,
    withdrawn_batch,
)
from .test_fold_world_inspection import build_inspection


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
                {
                    "unit_id": sid("市公安局"),
                    "grade": "差",
                    "lists": ["末位"],
                    "score": "59.00",
                    "carried": {"rectification_satisfaction": "72.50"},
                },
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
