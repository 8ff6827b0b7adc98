"""Each section of the round inputs document, folded from the world's messages (v1 and v2
payloads among them, upcast by the contracts). Expected values are worked out by hand from
`test_fold_world`, one comment per case."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from services.scoring.engine.fold import RoundFold
from services.scoring.engine.inputs import RoundInputs
from shared.contracts.registry import UnitDissolved, UnitSplit
from shared.contracts.survey import RATINGS

from .test_fold_builders import (
    ACTOR,
    CAMPAIGN,
    CITY,
    COUNTY,
    GOV,
    PATTERN,
    PUBLIC,
    REASON,
    ROUND,
    Feed,
    campaign_opened,
    enrol,
    sid,
    uid,
    unit,
)
from .test_fold_world import (
    PREVIOUS_CYCLE,
    W1,
    W2,
    world,
)

POLICE = sid("市公安局")
WINDOW = sid("市公安局出入境窗口")
POWER = sid("市供电公司")
EDUCATION = sid("市教育局")
FORESTRY = sid("市林业局")
HOUSING = sid("市住建局")
GRAIN = sid("市粮食局")
COMMERCE = sid("市商务局")
ROUND_UNITS = sorted([POLICE, WINDOW, POWER, EDUCATION, FORESTRY, HOUSING, GRAIN, COMMERCE])


@pytest.fixture(scope="module")
def doc() -> RoundInputs:
    fold = RoundFold(str(CAMPAIGN), ROUND)
    for message in world().in_order():
        fold.apply(message)
    return fold.inputs()


def units_by_id(doc: RoundInputs) -> dict[str, Any]:
    return {unit["unit_id"]: unit for unit in doc["units"]}


def test_campaign_facts_come_from_the_opening_and_the_amended_categories(doc: RoundInputs) -> None:
    assert doc["campaign"] == {
        "campaign_id": str(CAMPAIGN),
        "name": "2024年度民主评议政风行风",
        "pattern": PATTERN,
        "jurisdiction_id": str(CITY),
        "round": 2,
        # round 2 of a half-year cycle: round_windows[1]
        "window": {"starts_on": "2024-07-01", "ends_on": "2024-12-31"},
        "cycle_starts_on": "2024-01-01",
        "categories": [GOV, PUBLIC, "垂直管理单位"],
    }


def test_units_are_the_enrolled_ones_and_their_rated_sub_units(doc: RoundInputs) -> None:
    # Enrolled: 公安局, 供电公司, 教育局 (v1), 林业局 (withdrawn), 住建局, 粮食局, 商务局.
    # 出入境窗口 is a sub-unit of 公安局 rated in W1; 交警支队 is one rated nowhere; 县卫健委
    # is enrolled in the other campaign only; 商务粮食局 was registered, never enrolled.
    assert [unit["unit_id"] for unit in doc["units"]] == ROUND_UNITS
    units = units_by_id(doc)
    assert units[WINDOW] == {
        "unit_id": WINDOW,
        "name": "市公安局出入境窗口",
        "category": GOV,
        "jurisdiction_id": str(CITY),
        "parent_id": POLICE,
        "vertical_superior": None,
        "status": "active",
        "enrolled": True,
        "key_target": False,
    }
    assert units[POWER]["category"] == PUBLIC
    assert units[POWER]["vertical_superior"] == "国网河南省电力公司"


def test_lifecycle_enrolment_and_key_targets_are_as_of_the_registry_read(
    doc: RoundInputs,
) -> None:
    units = units_by_id(doc)
    # renamed and moved to the county
    assert units[HOUSING]["name"] == "市住房和城乡建设局"
    assert units[HOUSING]["jurisdiction_id"] == str(COUNTY)
    # both sources of the merger end as merged; the new unit is not enrolled
    assert units[GRAIN]["status"] == units[COMMERCE]["status"] == "merged"
    # withdrawn: kept, not enrolled, and its key-target designation ended with it
    assert units[FORESTRY]["enrolled"] is False
    assert units[FORESTRY]["key_target"] is False
    # designated; designated then revoked
    assert units[POLICE]["key_target"] is True
    assert units[EDUCATION]["key_target"] is False
    # a v1 registration upcast: no parent, no vertical superior
    assert units[EDUCATION]["name"] == "市教育局"
    assert units[EDUCATION]["parent_id"] is None


def test_waves_are_this_rounds_v2_waves_only(doc: RoundInputs) -> None:
    # The v1 wave and round 1's wave are not the round's.
    waves = {wave["name"]: wave for wave in doc["waves"]}
    assert sorted(waves) == sorted([W1, W2])
    assert [wave["wave_id"] for wave in doc["waves"]] == sorted(sid(name) for name in (W1, W2))
    assert waves[W1] == {
        "wave_id": sid(W1),
        "kind": "satisfaction_survey",
        "scale": "four_level",  # opened without a template
        "name": W1,
        "closed": True,
        "unit_ids": [POLICE, WINDOW, POWER, EDUCATION],  # the wave's own order
        "panel_size": 0,
        "groups": {"服务对象": 40, "群众": 60},
        "points": {"源汇": 100, "郾城": 50},
    }
    assert waves[W2]["scale"] == "three_level"
    assert waves[W2]["kind"] == "representative_evaluation"
    assert waves[W2]["panel_size"] == 3
    assert waves[W2]["closed"] is False


def levels(**counts: int) -> dict[str, int]:
    return {level: counts.get(level, 0) for level in RATINGS}


def test_survey_counts_follow_every_decision(doc: RoundInputs) -> None:
    """W1 questionnaires that count at the end: r1 (v1: 公安局 满意, 供电 基本满意, 教育 不了解;
    its 县卫健委 rating is outside the wave), r3 as corrected (公安局 基本满意, 窗口 满意,
    教育 满意), r4 released (公安局 基本满意, 供电 满意). Not counted: r2 (voided after the
    close), r5 rejected, r6 voided, r7 quarantined, r8 r9 withdrawn with their batch, r10
    recorded after the close."""
    tallies = doc["survey"][sid(W1)]
    assert sorted(tallies) == sorted([POLICE, WINDOW, POWER, EDUCATION])
    assert tallies[POLICE]["counts"] == levels(满意=1, 基本满意=2)
    assert tallies[WINDOW]["counts"] == levels(满意=1)
    assert tallies[POWER]["counts"] == levels(满意=1, 基本满意=1)
    assert tallies[EDUCATION]["counts"] == levels(满意=1, 不了解=1)
    for tally in tallies.values():
        assert list(tally["counts"]) == list(RATINGS)


def test_survey_counts_by_group_and_point(doc: RoundInputs) -> None:
    """Groups: r1 none (""), r3 群众, r4 群众; 服务对象 is declared, so present with zeros
    (its only questionnaire, r2, was voided). Points: r1 源汇, r3 源汇, r4 none; 郾城
    declared."""
    police = doc["survey"][sid(W1)][POLICE]
    assert police["by_group"] == {
        "": levels(满意=1),
        "服务对象": levels(),
        "群众": levels(基本满意=2),
    }
    assert police["by_point"] == {
        "": levels(基本满意=1),
        "源汇": levels(满意=1, 基本满意=1),
        "郾城": levels(),
    }


def test_a_three_level_wave_counts_on_its_own_scale(doc: RoundInputs) -> None:
    tallies = doc["survey"][sid(W2)]
    three = ("满意", "基本满意", "不满意")
    assert tallies[POLICE]["counts"] == dict(zip(three, (2, 0, 0), strict=True))
    assert tallies[POWER]["counts"] == dict(zip(three, (1, 1, 0), strict=True))
    assert tallies[HOUSING]["counts"] == dict(zip(three, (0, 0, 1), strict=True))
    assert tallies[HOUSING]["by_group"] == {"": dict(zip(three, (0, 0, 1), strict=True))}


def test_findings_in_the_window_as_corrected_withdrawn_left_out(doc: RoundInputs) -> None:
    # 公安局: the v1 finding (upcast: no item, severity, deduction); its May finding is in
    # round 1. 教育局: withdrawn. 县卫健委: not a unit of the round.
    findings = doc["findings"]
    assert sorted(findings) == ROUND_UNITS
    assert findings[POLICE] == [
        {
            "finding_id": sid("finding:A"),
            "method": "明察",
            "item": None,
            "severity": None,
            "deduction": None,
            "found_on": "2024-09-10",
        }
    ]
    assert findings[POWER] == [
        {
            "finding_id": sid("finding:B"),
            "method": "电话暗访",
            "item": "服务态度",
            "severity": "较重",
            "deduction": "2.50",
            "found_on": "2024-09-10",
        }
    ]
    assert findings[EDUCATION] == []


def test_complaints_take_their_unit_from_dispatch_and_their_round_when_named(
    doc: RoundInputs,
) -> None:
    # complaint:A received without a unit, dispatched to 公安局, concluded, called back.
    # complaint:other is named for the other campaign; complaint:B-named was received in
    # March but named for this round; complaint:nobody never got a unit.
    complaints = doc["complaints"]
    assert complaints[POLICE] == [
        {
            "complaint_id": sid("complaint:A"),
            "channel": "政风行风热线",
            "kind": "complaint",
            "outcome": "verified",
            "callback": "不满意",
            "received_on": "2024-09-01",
        }
    ]
    assert [c["complaint_id"] for c in complaints[POWER]] == [sid("complaint:B-named")]
    assert sum(len(found) for found in complaints.values()) == 2


def test_hotline_appearances_count_once_each(doc: RoundInputs) -> None:
    # 公安局: 7-01 and 12-31 (the window's both ends), the 7-01 one published twice.
    # 供电公司: 6-30 outside; 6-30 named for this round inside.
    assert doc["hotline"] == {**dict.fromkeys(ROUND_UNITS, 0), POLICE: 2, POWER: 1}


def test_assessments_vetoes_and_cancellations_of_this_round(doc: RoundInputs) -> None:
    # 公安局 8.5 corrected to 9.00; 供电公司 withdrawn; round 1's score is not this round's.
    assert doc["assessments"] == {
        **{unit: {} for unit in ROUND_UNITS},
        POLICE: {"organisation": {"name": "组织与资料", "score": "9.00", "maximum": "10"}},
    }
    # veto:B was revoked.
    assert doc["vetoes"][POLICE] == [
        {"veto_id": sid("veto:A"), "basis": "发生重大安全责任事故", "authority": "市委"}
    ]
    assert doc["vetoes"][POWER] == []
    assert doc["cancellations"][EDUCATION] == [
        {"cancellation_id": sid("cancel:C"), "reason": "拉票", "decided_by": "市纠风办"}
    ]
    assert sum(len(found) for found in doc["cancellations"].values()) == 1


def test_rectification_after_its_last_message(doc: RoundInputs) -> None:
    assert doc["rectification"][POWER] == [
        {
            "order_id": sid("order:市供电公司"),
            "status": "second_handling",
            "escalations": ["催办", "通报"],
            "second_handling": True,
            "rerating": "基本满意",
        }
    ]


def test_tasks_due_in_the_window(doc: RoundInputs) -> None:
    # task:A due 11-30, completed, two accountability records; task:B-next due next year.
    assert doc["tasks"][POLICE] == [
        {"task_id": sid("task:A"), "kind": "key_project", "completed": True, "accountability": 2}
    ]
    assert doc["tasks"][POWER] == []


def test_history_is_the_newest_final_result_of_earlier_rounds_of_the_pattern(
    doc: RoundInputs,
) -> None:
    """公安局: the previous cycle's round 2 (ends 2023-12-31) then this campaign's round 1 as
    published the second time (59.00); not the non-final 99.00, not 万人评议's result, not
    this round's own."""
    assert doc["history"][POLICE] == [
        {
            "campaign_id": str(PREVIOUS_CYCLE),
            "round": 2,
            "window_ends_on": "2023-12-31",
            "grade": "差",
            "lists": [],
            "score": None,
            "carried": {},
        },
        {
            "campaign_id": str(CAMPAIGN),
            "round": 1,
            "window_ends_on": "2024-06-30",
            "grade": "差",
            "lists": ["末位"],
            "score": "59.00",
            "carried": {"rectification_satisfaction": "72.50"},
        },
    ]
    assert [entry["score"] for entry in doc["history"][POWER]] == ["95.10"]
    assert doc["history"][EDUCATION] == []


def test_every_unit_is_a_key_of_every_per_unit_section(doc: RoundInputs) -> None:
    for section in (
        "findings",
        "complaints",
        "hotline",
        "assessments",
        "vetoes",
        "cancellations",
        "rectification",
        "tasks",
        "history",
    ):
        assert sorted(doc[section]) == ROUND_UNITS, section  # type: ignore[literal-required]


def test_the_document_is_the_callers_to_keep(doc: RoundInputs) -> None:
    """Changing a document handed out changes nothing in the fold's state."""
    fold = RoundFold(str(CAMPAIGN), ROUND)
    for message in world().in_order():
        fold.apply(message)
    first = fold.inputs()
    first["waves"][0]["unit_ids"].clear()
    first["rectification"][POWER][0]["escalations"].append("约谈")
    first["campaign"]["window"]["starts_on"] = "1999-01-01"
    assert fold.inputs() == doc


def test_split_and_dissolved_units_keep_their_facts_with_the_status() -> None:
    registry = Feed("registry")
    registry(campaign_opened())
    for name in ("市交通局", "市城管局"):
        registry(unit(name))
        registry(enrol(name))
    registry(unit("市交通运输局"))
    registry(unit("市公路事业发展中心"))
    registry(
        UnitSplit(
            source_unit_id=uid("市交通局"),
            new_unit_ids=(uid("市交通运输局"), uid("市公路事业发展中心")),
            effective_on=date(2024, 9, 1),
            reason=REASON,
            actor=ACTOR,
        )
    )
    registry(
        UnitDissolved(
            unit_id=uid("市城管局"), effective_on=date(2024, 9, 1), reason=REASON, actor=ACTOR
        )
    )
    fold = RoundFold(str(CAMPAIGN), ROUND)
    for message in registry.messages:
        fold.apply(message)
    units = units_by_id(fold.inputs())
    # the new units were registered, not enrolled: not the round's
    assert sorted(units) == sorted([sid("市交通局"), sid("市城管局")])
    assert units[sid("市交通局")]["status"] == "split"
    assert units[sid("市城管局")]["status"] == "dissolved"
    assert units[sid("市城管局")]["name"] == "市城管局"
    assert all(unit["enrolled"] for unit in units.values())
