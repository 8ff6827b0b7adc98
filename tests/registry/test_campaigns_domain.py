"""The Campaign aggregate and its rules, without storage or HTTP."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.registry.application import RegistryApplication
from services.registry.domain import (
    Campaign,
    CampaignConflict,
    EnrolmentConflict,
    EnrolmentNotFound,
    EnrolmentRefused,
    InvalidCampaign,
    enrolment_refusal,
)
from services.registry.domain.units import Change, Unit, UnitSpec, china_today
from tests.harness import IN_MEMORY
from tests.registry.campaign_helpers import LUOHE_CATEGORIES, LUOHE_PHASES, luohe_spec
from tests.stored_events import created, store

ACTOR = "office:test"
GOV, PUBLIC = LUOHE_CATEGORIES


def luohe(**overrides: Any) -> Campaign:
    spec = luohe_spec(str(uuid4())) | overrides
    spec["jurisdiction_id"] = UUID(spec["jurisdiction_id"])
    return Campaign.open(actor=ACTOR, **spec)


def refused_field(**overrides: Any) -> str | None:
    with pytest.raises(InvalidCampaign) as raised:
        luohe(**overrides)
    return raised.value.field


def event_names(campaign: Campaign) -> list[str]:
    return [type(e).__name__ for e in campaign.collect_events()]


# --- opening: pattern, cycle, phases, categories -------------------------------------------


def test_a_seed_000_campaign_keeps_code_label_phases_and_categories() -> None:
    campaign = luohe()
    assert (campaign.pattern, campaign.pattern_label) == (
        "democratic_appraisal",
        "民主评议政风行风",
    )
    assert campaign.phases == LUOHE_PHASES
    assert campaign.categories == LUOHE_CATEGORIES
    assert campaign.round_windows() == [{"starts_on": "2016-06-01", "ends_on": "2017-11-30"}]
    assert event_names(campaign) == ["Opened"]


def test_phases_must_be_ordered_inside_the_cycle_and_not_overlap() -> None:
    first, second, third = LUOHE_PHASES
    assert refused_field(phases=[first, second | {"starts_on": "2016-07-31"}]) == (
        "phases.1.starts_on"
    )
    assert refused_field(phases=[second, first]) == "phases.1.starts_on"
    assert refused_field(phases=[first | {"ends_on": "2016-05-01"}]) == "phases.0.ends_on"
    assert refused_field(phases=[first | {"starts_on": "2016-05-31"}]) == "phases.0.starts_on"
    assert refused_field(phases=[first, second, third | {"ends_on": "2017-12-01"}]) == (
        "phases.2.ends_on"
    )
    assert refused_field(phases=[first, second | {"name": " 动员准备 "}]) == "phases.1.name"
    assert refused_field(phases=[first | {"name": "  "}]) == "phases.0.name"
    assert refused_field(phases=[first | {"starts_on": "六月一日"}]) == "phases.0.starts_on"
    assert refused_field(phases=[]) == "phases"
    # A gap between phases is fine, and one-day phases too.
    gapped = [first, second | {"starts_on": "2016-09-01"}, third | {"ends_on": "2017-08-01"}]
    assert luohe(phases=gapped).phases[1]["starts_on"] == "2016-09-01"


def test_the_cycle_is_one_or_two_years_and_patterns_take_codes_or_labels() -> None:
    cycle = luohe_spec("x")["cycle"]
    assert refused_field(cycle=cycle | {"length": "one_year"}) == "cycle.ends_on"
    assert refused_field(cycle=cycle | {"ends_on": "2018-06-01"}) == "cycle.ends_on"
    assert luohe(cycle=cycle | {"ends_on": "2018-05-31"}).cycle["ends_on"] == "2018-05-31"
    assert refused_field(cycle=cycle | {"ends_on": "2016-05-31"}) == "cycle.ends_on"
    assert refused_field(cycle=cycle | {"length": "three_years"}) == "cycle.length"
    assert refused_field(cycle=cycle | {"rounds": "quarterly"}) == "cycle.rounds"
    assert refused_field(pattern="评优") == "pattern"
    assert luohe(pattern="double_appraisal").pattern_label == "双评双比"
    assert luohe(pattern="万人评议").pattern == "ten_thousand_appraisal"


def test_half_year_rounds_split_the_cycle_from_its_start() -> None:
    """Seed 003: 双评双比 every half year."""
    campaign = luohe(
        pattern="双评双比",
        cycle={
            "length": "一年",
            "rounds": "每半年",
            "starts_on": "2017-01-01",
            "ends_on": "2017-12-31",
        },
        phases=[
            {"name": "上半年评议", "starts_on": date(2017, 6, 1), "ends_on": date(2017, 6, 30)}
        ],
    )
    assert campaign.cycle["rounds"] == "half_year"
    assert campaign.round_windows() == [
        {"starts_on": "2017-01-01", "ends_on": "2017-06-30"},
        {"starts_on": "2017-07-01", "ends_on": "2017-12-31"},
    ]
    month_end = luohe(
        cycle={
            "length": "two_years",
            "rounds": "half_year",
            "starts_on": "2016-08-31",
            "ends_on": "2017-11-30",
        },
        phases=LUOHE_PHASES[2:],
    )
    assert month_end.round_windows() == [
        {"starts_on": "2016-08-31", "ends_on": "2017-02-27"},
        {"starts_on": "2017-02-28", "ends_on": "2017-08-30"},
        {"starts_on": "2017-08-31", "ends_on": "2017-11-30"},
    ]


def test_categories_are_required_trimmed_and_distinct() -> None:
    assert refused_field(categories=[]) == "categories"
    assert refused_field(categories=[GOV, " "]) == "categories.1"
    assert refused_field(categories=[GOV, PUBLIC, f" {GOV}"]) == "categories.2"
    assert luohe(categories=[f" {GOV} "]).categories == [GOV]


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ("政府部门及其它机构", "政府部门 及其它机构"),
        ("公共服务行业(一)", "公共服务行业（一）"),
        ("公共服务企业类", "公共服务\u3000企业类"),
    ],
)
def test_categories_differing_only_in_spaces_or_width_are_one(first: str, again: str) -> None:
    """Compared as unit names are (`name_key`): a unit enrolled "in" either could not be
    told apart, so the second is refused, naming it; amendments alike."""
    with pytest.raises(InvalidCampaign) as raised:
        luohe(categories=[first, again])
    assert raised.value.field == "categories.1" and "categories.0" in raised.value.reason
    campaign = luohe()
    with pytest.raises(InvalidCampaign) as amended:
        campaign.amend_categories(["其他类", first, again], "增加", ACTOR)
    assert amended.value.field == "categories.2"


def test_a_category_written_with_other_spaces_or_width_enrols_in_the_campaigns_own() -> None:
    campaign = luohe()
    unit_id = uuid4()
    campaign.enrol(unit_id, " 政府部门 及其它机构 ", ACTOR)
    assert campaign.enrolment(unit_id)["category"] == GOV  # type: ignore[index]
    assert campaign.enrolment_counts() == {GOV: 1, PUBLIC: 0}


def test_a_stored_campaign_with_such_twin_categories_still_loads() -> None:
    app = RegistryApplication(IN_MEMORY)
    twins = [GOV, "政府部门 及其它机构"]
    spec = luohe_spec(str(uuid4()))
    opened = created(
        Campaign,
        Campaign.Opened,
        jurisdiction_id=UUID(spec["jurisdiction_id"]),
        name=spec["name"],
        pattern="democratic_appraisal",
        cycle={**spec["cycle"], "length": "two_years", "rounds": "whole_cycle"},
        phases=LUOHE_PHASES,
        categories=twins,
        actor="office:old",
    )
    store(app, opened)
    loaded: object = app.repository.get(opened.originator_id)
    assert isinstance(loaded, Campaign) and loaded.categories == twins


# --- amendments ------------------------------------------------------------------------------


def test_amendments_are_new_events_with_actor_and_reason() -> None:
    campaign = luohe()
    later = [*LUOHE_PHASES[:2], LUOHE_PHASES[2] | {"ends_on": "2017-11-15"}]
    campaign.amend_phases(later, "考核总结提前", "office:city")
    campaign.amend_categories([*LUOHE_CATEGORIES, "基层站所"], "增加基层站所", "office:city")
    assert campaign.phases[2]["ends_on"] == "2017-11-15"
    assert campaign.amendments == [
        {"kind": "phases", "reason": "考核总结提前", "actor": "office:city"},
        {"kind": "categories", "reason": "增加基层站所", "actor": "office:city"},
    ]
    assert event_names(campaign) == ["Opened", "PhasesAmended", "CategoriesAmended"]
    with pytest.raises(InvalidCampaign) as unchanged:
        campaign.amend_phases(later, "same", ACTOR)
    assert unchanged.value.field == "phases"
    with pytest.raises(InvalidCampaign) as no_reason:
        campaign.amend_phases(LUOHE_PHASES, " ", ACTOR)
    assert no_reason.value.field == "reason"
    with pytest.raises(InvalidCampaign) as outside:
        campaign.amend_phases([LUOHE_PHASES[0] | {"ends_on": "2018-01-01"}], "x", ACTOR)
    assert outside.value.field == "phases.0.ends_on"


def test_a_category_with_enrolled_units_cannot_be_dropped() -> None:
    campaign = luohe()
    unit_id = uuid4()
    campaign.enrol(unit_id, PUBLIC, ACTOR)
    with pytest.raises(CampaignConflict) as raised:
        campaign.amend_categories([GOV], "公共服务行业另行评议", ACTOR)
    assert raised.value.field == "categories" and PUBLIC in raised.value.reason
    campaign.withdraw(unit_id, "改由省公司评议", ACTOR)
    campaign.amend_categories([GOV], "公共服务行业另行评议", ACTOR)
    assert campaign.categories == [GOV]


# --- enrolment, withdrawal, key targets ---------------------------------------------------------


def test_a_unit_is_enrolled_once_and_may_return_after_withdrawal() -> None:
    campaign = luohe()
    unit_id = uuid4()
    campaign.enrol(unit_id, GOV, ACTOR, "enrolments.0.")
    with pytest.raises(EnrolmentConflict) as twice:
        campaign.enrol(unit_id, GOV, ACTOR, "enrolments.3.")
    assert twice.value.field == "enrolments.3.unit_id"
    with pytest.raises(EnrolmentRefused) as wrong:
        campaign.enrol(uuid4(), "窗口单位", ACTOR, "enrolments.1.")
    assert wrong.value.field == "enrolments.1.category"
    campaign.withdraw(unit_id, "单位撤并", ACTOR)
    assert not campaign.is_enrolled(unit_id)
    with pytest.raises(EnrolmentConflict):
        campaign.withdraw(unit_id, "again", ACTOR)
    with pytest.raises(EnrolmentNotFound):
        campaign.withdraw(uuid4(), "never enrolled", ACTOR)
    campaign.enrol(unit_id, PUBLIC, ACTOR)
    assert campaign.enrolment(unit_id) == {
        "category": PUBLIC,
        "status": "enrolled",
        "enrolled_by": ACTOR,
        "withdrawn_reason": None,
        "key_target": None,
    }
    assert campaign.enrolment_counts() == {GOV: 0, PUBLIC: 1}
    assert event_names(campaign) == ["Opened", "UnitEnrolled", "UnitWithdrawn", "UnitEnrolled"]


def test_key_targets_need_an_enrolled_unit_a_known_reason_and_end_with_withdrawal() -> None:
    campaign = luohe()
    unit_id = uuid4()
    with pytest.raises(EnrolmentNotFound):
        campaign.designate_key_target(unit_id, "other", "x", ACTOR)
    campaign.enrol(unit_id, GOV, ACTOR)
    with pytest.raises(InvalidCampaign) as unknown:
        campaign.designate_key_target(unit_id, "disliked", "x", ACTOR)
    assert unknown.value.field == "reason_code"
    with pytest.raises(InvalidCampaign) as blank:
        campaign.designate_key_target(unit_id, "other", " ", ACTOR)
    assert blank.value.field == "reason"
    campaign.designate_key_target(unit_id, "上年度考核一般", "2015年度综合考核一般档次", ACTOR)
    assert campaign.key_target_count() == 1
    with pytest.raises(EnrolmentConflict):
        campaign.designate_key_target(unit_id, "other", "again", ACTOR)
    campaign.revoke_key_target(unit_id, "整改到位", ACTOR)
    with pytest.raises(EnrolmentConflict):
        campaign.revoke_key_target(unit_id, "again", ACTOR)
    campaign.designate_key_target(unit_id, "concentrated_complaints", "投诉集中", ACTOR)
    campaign.withdraw(unit_id, "退出", ACTOR)
    assert campaign.key_target_count() == 0
    with pytest.raises(EnrolmentConflict):
        campaign.revoke_key_target(unit_id, "after withdrawal", ACTOR)
    campaign.enrol(unit_id, GOV, ACTOR)
    enrolment = campaign.enrolment(unit_id)
    assert enrolment is not None and enrolment["key_target"] is None


def test_replaying_the_events_gives_the_same_campaign() -> None:
    campaign = luohe()
    unit_id = uuid4()
    campaign.enrol(unit_id, GOV, ACTOR)
    campaign.designate_key_target(unit_id, "other", "群众来信反映", ACTOR)
    events = campaign.collect_events()
    replayed: Campaign | None = None
    for e in events:
        replayed = e.mutate(replayed)
    assert replayed is not None
    assert replayed.__dict__ == campaign.__dict__


# --- who can be enrolled ------------------------------------------------------------------------


CITY, COUNTY, OTHER_COUNTY = uuid4(), uuid4(), uuid4()
COUNTY_SUBTREE = {COUNTY}


def register(jurisdiction: UUID, name: str, parent: Unit | None = None, **spec: Any) -> Unit:
    """A department, or a window (窗口单位) of `parent`."""
    lineage = [jurisdiction, CITY] if jurisdiction != CITY else [CITY]
    kind = "service_window" if parent else "government_department"
    return Unit.register(
        UnitSpec(jurisdiction, name, kind, GOV, **spec),
        ACTOR,
        date(2016, 1, 1),
        parent=parent,
        jurisdiction_lineage=lineage,
    )


def refusal(unit: Unit, units: list[Unit], subtree: set[UUID] = COUNTY_SUBTREE) -> str | None:
    by_id = {u.id: u for u in units}
    return enrolment_refusal(unit, subtree.__contains__, by_id.__getitem__)


def test_units_located_in_the_subtree_are_enrollable_and_others_are_not() -> None:
    mine = register(COUNTY, "源汇区民政局")
    theirs = register(OTHER_COUNTY, "郾城区民政局")
    assert refusal(mine, [mine]) is None
    reason = refusal(theirs, [theirs])
    assert reason is not None and "outside the campaign's jurisdiction" in reason


def test_sub_units_of_units_in_the_subtree_are_enrollable() -> None:
    city_bureau = register(CITY, "漯河市公安局")
    bureau = register(COUNTY, "源汇区民政局")
    window = register(COUNTY, "源汇区民政局婚姻登记窗口", parent=bureau)
    station = register(COUNTY, "漯河市公安局源汇分局某派出所", parent=city_bureau)
    city_window = register(CITY, "漯河市公安局户政窗口", parent=city_bureau)
    units = [city_bureau, bureau, window, station, city_window]
    assert window.parent_id == bureau.id
    assert refusal(window, units) is None
    # Located in the county though its parent sits at the city level.
    assert refusal(station, units) is None
    assert refusal(city_window, units) is not None
    # A city campaign takes the whole tree.
    assert all(refusal(u, units, {CITY, COUNTY, OTHER_COUNTY}) is None for u in units)


def test_vertically_managed_units_are_enrolled_where_they_are_located() -> None:
    tax = register(
        COUNTY, "国家税务总局漯河市源汇区税务局", vertical_superior="国家税务总局漯河市税务局"
    )
    elsewhere = register(OTHER_COUNTY, "郾城区气象局", vertical_superior="漯河市气象局")
    assert tax.vertical_superior == "国家税务总局漯河市税务局"
    assert refusal(tax, [tax]) is None
    reason = refusal(elsewhere, [elsewhere])
    assert reason is not None and "vertically managed" in reason


def test_only_active_units_are_enrollable() -> None:
    gone = register(COUNTY, "源汇区粮食局")
    gone.dissolve([], Change(date(2016, 6, 1), "机构改革撤销", ACTOR))
    reason = refusal(gone, [gone])
    assert reason is not None and "dissolved" in reason


def test_a_unit_known_to_begin_after_the_cycle_cannot_be_enrolled_in_it() -> None:
    """A stated 生效日期 is when the unit began; a unit recorded with no day of its own (its
    day is the recording day) may be enrolled in a past campaign."""
    later = Unit.register(
        UnitSpec(COUNTY, "源汇区新局", "government_department", GOV), ACTOR, date(2020, 5, 1)
    )
    reason = enrolment_refusal(later, COUNTY_SUBTREE.__contains__, {}.__getitem__, "2017-12-31")
    assert reason is not None and "2020-05-01" in reason and "生效日期" in reason
    assert (
        enrolment_refusal(later, COUNTY_SUBTREE.__contains__, {}.__getitem__, "2020-05-01") is None
    )
    recorded_today = Unit.register(
        UnitSpec(COUNTY, "源汇区老局", "government_department", GOV),
        ACTOR,
        china_today(),
        stated=False,
    )
    assert (
        enrolment_refusal(recorded_today, COUNTY_SUBTREE.__contains__, {}.__getitem__, "2017-12-31")
        is None
    )
