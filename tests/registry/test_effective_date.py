"""生效日期 stated or not (in memory): enrolment in a past cycle (refused only by a stated day),
the correction command's rules and what it publishes, and v4 events read as stated or
unstated."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from services.registry.application import RegistryApplication
from services.registry.domain import InvalidRegistration, LifecycleConflict, Unit
from services.registry.domain.campaign_enrolment import enrolment_refusal
from services.registry.domain.units import Change, UnitSpec, china_today
from services.registry.integration import to_payload
from shared.contracts.registry import UnitEffectiveDateCorrected, UnitRegistered
from tests.harness import IN_MEMORY

COUNTY = uuid4()
GOV = "政府部门及其它机构"
ACTOR = "office:源汇区纠风办"
ENDED = "2017-11-30"


def register(
    name: str, day: date | None = None, parent: Unit | None = None, kind: str = "other_body"
) -> Unit:
    spec = UnitSpec(COUNTY, name, kind, GOV)
    lineage = [COUNTY] if parent else []
    return Unit.register(spec, ACTOR, day or china_today(), parent, lineage, stated=day is not None)


def refusal(unit: Unit, ends_on: str = ENDED) -> str | None:
    return enrolment_refusal(unit, {COUNTY}.__contains__, {}.__getitem__, ends_on)


def correction(day: date, reason: str = "核实成立日期") -> Change:
    return Change(day, reason, ACTOR)


def test_only_a_stated_day_after_the_cycle_refuses_enrolment() -> None:
    """Offices enter long-standing units when they start using the registry and backfill
    past campaigns: the day a unit was entered says nothing about when it began."""
    unstated = register("源汇区老局")
    assert not unstated.effective_on_stated and unstated.registered_on > date(2017, 11, 30)
    assert refusal(unstated) is None
    later = register("源汇区新局", date(2020, 5, 1))
    stated_reason = refusal(later)
    assert stated_reason is not None and stated_reason.startswith("单位生效日期 (2020-05-01)")
    assert ENDED in stated_reason
    assert refusal(register("源汇区旧局", date(2010, 1, 1))) is None
    # Stated as the day it is entered: now known to have begun after the cycle.
    assert refusal(register("源汇区今日局", china_today())) is not None


def test_stating_the_day_is_a_new_event_and_decides_enrolment() -> None:
    unit = register("源汇区老局")
    unit.correct_effective_date(correction(date(2010, 1, 1)), None, [])
    assert (unit.registered_on, unit.effective_on_stated) == (date(2010, 1, 1), True)
    assert unit.last_change_on == date(2010, 1, 1)
    assert refusal(unit) is None
    registered, corrected = unit.collect_events()
    assert isinstance(corrected, Unit.EffectiveDateCorrected)
    assert (corrected.actor, corrected.reason, corrected.previously_stated) == (
        ACTOR,
        "核实成立日期",
        False,
    )
    assert corrected.previous_effective_on == china_today().isoformat()
    assert registered.effective_on == china_today().isoformat()  # the stored fact stays
    payload = to_payload(corrected)
    assert payload == UnitEffectiveDateCorrected(
        unit_id=unit.id,
        effective_on=date(2010, 1, 1),
        previous_effective_on=china_today(),
        reason="核实成立日期",
        actor=ACTOR,
    )
    # The office learns the unit began after the 2016—2017 cycle: it is refused there now.
    unit.correct_effective_date(correction(date(2019, 3, 1), "核实: 2019年组建"), None, [])
    reason = refusal(unit)
    assert reason is not None and reason.startswith("单位生效日期 (2019-03-01)")


def test_a_stated_day_is_corrected_but_not_restated() -> None:
    unit = register("源汇区新局", date(2020, 5, 1))
    with pytest.raises(LifecycleConflict) as same:
        unit.correct_effective_date(correction(date(2020, 5, 1)), None, [])
    assert same.value.field == "effective_on"
    unit.correct_effective_date(correction(date(2015, 3, 1)), None, [])
    assert unit.registered_on == date(2015, 3, 1)
    # A unit with no stated day may state the day it was entered: now it is known.
    today = register("源汇区今日局")
    today.correct_effective_date(correction(china_today()), None, [])
    assert today.effective_on_stated


@pytest.mark.parametrize("day", [date(1999, 12, 31), "tomorrow"])
def test_a_day_outside_the_registry_years_is_refused(day: date | str) -> None:
    # Tomorrow as of the test's run, not of the suite's collection: a run may cross midnight.
    if day == "tomorrow":
        day = china_today() + timedelta(days=1)
    assert isinstance(day, date)
    with pytest.raises(InvalidRegistration) as raised:
        register("源汇区老局").correct_effective_date(correction(day), None, [])
    assert raised.value.field == "effective_on"


def test_the_day_keeps_the_units_record_in_date_order() -> None:
    unit = register("源汇区民政局", date(2012, 1, 1))
    unit.rename("源汇区民政事务局", None, Change(date(2016, 1, 1), "更名", ACTOR))
    unit.rename("源汇区民政服务局", None, Change(date(2020, 1, 1), "更名", ACTOR))
    with pytest.raises(LifecycleConflict) as raised:
        unit.correct_effective_date(correction(date(2017, 1, 1)), None, [])
    assert raised.value.field == "effective_on" and "2016-01-01" in raised.value.reason
    unit.correct_effective_date(correction(date(2016, 1, 1)), None, [])
    assert (unit.registered_on, unit.last_change_on) == (date(2016, 1, 1), date(2020, 1, 1))


def test_a_sub_unit_begins_within_its_parents_life() -> None:
    parent = register("源汇区民政局", date(2012, 1, 1), kind="government_department")
    window = register("婚姻登记窗口", date(2014, 1, 1), parent, kind="service_window")
    with pytest.raises(LifecycleConflict) as early:
        window.correct_effective_date(correction(date(2011, 1, 1)), parent, [])
    assert (early.value.field, early.value.context["parent_id"]) == ("effective_on", str(parent.id))
    with pytest.raises(LifecycleConflict) as late:
        parent.correct_effective_date(correction(date(2015, 1, 1)), None, [window])
    assert late.value.context["sub_unit_id"] == str(window.id)
    parent.correct_effective_date(correction(date(2013, 1, 1)), None, [window])


def test_a_merged_unit_keeps_the_mergers_day() -> None:
    first, second = register("区发改局", date(2010, 1, 1)), register("区统计局", date(2010, 1, 1))
    merged = Unit.merge(
        [first, second],
        UnitSpec(COUNTY, "区发改局(区统计局)", "other_body", GOV),
        Change(date(2019, 1, 1), "合并", ACTOR),
    )
    assert merged.effective_on_stated
    with pytest.raises(LifecycleConflict) as raised:
        merged.correct_effective_date(correction(date(2018, 1, 1)), None, [])
    assert raised.value.field == "effective_on"


def test_an_unstated_day_is_published_as_unstated() -> None:
    for unit, published in (
        (register("源汇区老局"), None),
        (register("源汇区新局", date(2020, 5, 1)), date(2020, 5, 1)),
    ):
        payload = to_payload(unit.collect_events()[0])
        assert isinstance(payload, UnitRegistered) and payload.effective_on == published


def _stored_v4(app: RegistryApplication, effective_on: str, recorded: str) -> UUID:
    unit_id = uuid4()
    state: dict[str, Any] = {
        "timestamp": {"_type_": "datetime_iso", "_data_": recorded},
        "originator_topic": "services.registry.domain:Unit",
        "class_version": 4,
        "jurisdiction_id": {"_type_": "uuid_hex", "_data_": COUNTY.hex},
        "name": "漯河市教育局",
        "short_name": None,
        "kind": "government_department",
        "category": GOV,
        "actor": "admin:old",
        "parent_id": None,
        "vertical_superior": None,
        "credit_code": None,
        "effective_on": effective_on,
    }
    app.recorder.insert_events(
        [
            StoredEvent(
                originator_id=unit_id,
                originator_version=1,
                topic="services.registry.domain:Unit.Registered",
                state=json.dumps(state).encode(),
            )
        ]
    )
    return unit_id


def test_a_v4_registration_on_its_recording_day_reads_as_unstated() -> None:
    """v4 stored the recording day for a unit with no 生效日期; that day (in China: 2024-06-01
    is 16:30 UTC on 31 May) reads as unstated, any other day as stated."""
    app = RegistryApplication(IN_MEMORY)
    entered = _stored_v4(app, "2024-06-01", "2024-05-31T16:30:00+00:00")
    founded = _stored_v4(app, "2010-01-01", "2024-05-31T16:30:00+00:00")
    unstated, stated = app.repository.get(entered), app.repository.get(founded)
    assert (unstated.registered_on, unstated.effective_on_stated) == (date(2024, 6, 1), False)
    assert (stated.registered_on, stated.effective_on_stated) == (date(2010, 1, 1), True)
    payload = to_payload(next(iter(app.events.get(entered))))
    assert isinstance(payload, UnitRegistered) and payload.effective_on is None
    assert refusal(unstated, "2023-12-31") is None
    assert refusal(stated, "2009-12-31") is not None
    app.close()
