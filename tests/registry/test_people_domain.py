"""Representatives: the seed-000 rules, each on its own."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from services.registry.domain import InvalidRegistration
from services.registry.domain.people import (
    AppointingBody,
    Appointment,
    AppointmentConflict,
    Cycle,
    Person,
    PersonDisqualified,
    RosterEntry,
    one_third_report,
    overlap_summary,
    sector_code,
)

OFFICE = AppointingBody("office", uuid4())
DEPARTMENT = AppointingBody("department", uuid4())
OTHER_DEPARTMENT = AppointingBody("department", uuid4())


def representative(sector: str = "人大代表") -> Person:
    return Person.register(uuid4(), "王建国", sector, "office:x")


def test_sectors_are_a_fixed_set_taken_by_code_or_chinese_label() -> None:
    assert sector_code("人大代表") == "npc_deputy"
    assert sector_code("community_cadre") == "community_cadre"
    assert representative("社区群干").sector_label == "社区群干"
    with pytest.raises(InvalidRegistration) as raised:
        sector_code("路人")
    assert raised.value.field == "sector"


def test_registration_checks_the_name_and_prefixes_batch_fields() -> None:
    with pytest.raises(InvalidRegistration) as raised:
        Person.register(uuid4(), "  ", "人大代表", "office:x", field="people.3.")
    assert raised.value.field == "people.3.name"


@pytest.mark.parametrize(
    ("text", "canonical"),
    [("2026", "2026"), ("2026-2027", "2026-2027"), (" 2025-2026 ", "2025-2026")],
)
def test_cycles_are_one_or_two_consecutive_years(text: str, canonical: str) -> None:
    assert str(Cycle.parse(text)) == canonical


@pytest.mark.parametrize("text", ["2026-2028", "2027-2026", "26-27", "1999", "2026年"])
def test_other_cycles_are_refused_naming_the_field(text: str) -> None:
    with pytest.raises(InvalidRegistration) as raised:
        Cycle.parse(text)
    assert raised.value.field == "cycle"


def test_a_previous_cycle_is_one_that_ended_the_year_before() -> None:
    assert Cycle.parse("2026-2027").follows(Cycle.parse("2024-2025"))
    assert Cycle.parse("2026-2027").follows(Cycle.parse("2025"))
    assert not Cycle.parse("2026-2027").follows(Cycle.parse("2023-2024"))


def test_office_and_department_may_not_share_a_representative_in_a_cycle() -> None:
    person = representative()
    person.appoint(OFFICE, "2026-2027", "general", "office:x")
    with pytest.raises(AppointmentConflict) as raised:
        person.appoint(DEPARTMENT, "2026-2027", "general", "office:x")
    assert raised.value.field == "body"
    # Another cycle is another matter; so is a second department.
    person.appoint(DEPARTMENT, "2028-2029", "general", "office:x")
    person.appoint(OTHER_DEPARTMENT, "2028-2029", "general", "office:x")
    assert len(person.appointments) == 3


@pytest.mark.parametrize("special", ["school_special", "hospital_special"])
def test_school_and_hospital_special_evaluations_may_share(special: str) -> None:
    person = representative()
    person.appoint(OFFICE, "2026-2027", "general", "office:x")
    person.appoint(DEPARTMENT, "2026-2027", special, "office:x")
    other = representative()
    other.appoint(DEPARTMENT, "2026-2027", special, "office:x")
    other.appoint(OFFICE, "2026-2027", "general", "office:x")
    assert [a.purpose for a in person.appointments] == ["general", special]


def test_the_same_appointment_twice_is_a_conflict() -> None:
    person = representative()
    person.appoint(OFFICE, "2026", "general", "office:x")
    with pytest.raises(AppointmentConflict) as raised:
        person.appoint(OFFICE, "2026", "general", "office:x")
    assert raised.value.field == "cycle"


def test_a_disqualified_representative_is_never_appointed_again() -> None:
    person = representative()
    person.appoint(OFFICE, "2026-2027", "general", "office:x")
    person.disqualify("接受被评单位宴请", "office:x")
    assert person.disqualified and person.disqualified_reason == "接受被评单位宴请"
    with pytest.raises(PersonDisqualified) as raised:
        person.appoint(OFFICE, "2028-2029", "general", "office:x")
    assert raised.value.field == "person_id"
    with pytest.raises(PersonDisqualified):
        person.disqualify("again", "office:x")
    names = [type(e).__name__ for e in person.collect_events()]
    assert names == ["Registered", "Appointed", "Disqualified"]


def test_training_is_recorded_as_new_events_with_bounded_hours() -> None:
    person = representative()
    today = date(2026, 3, 16)
    person.record_training(
        date(2026, 3, 15), "评议业务培训", Decimal("3.5"), "office:x", today=today
    )
    assert [(t.held_on, t.hours) for t in person.trainings] == [("2026-03-15", Decimal("3.5"))]
    with pytest.raises(InvalidRegistration) as raised:
        person.record_training(date(2026, 3, 16), "培训", Decimal(0), "office:x", today=today)
    assert raised.value.field == "hours"


def roster(cycle: str, people: range, disqualified: frozenset[int] = frozenset()) -> list:  # type: ignore[type-arg]
    return [RosterEntry(f"p{i}", cycle, i in disqualified) for i in people]


def test_one_third_new_passes_at_exactly_a_third() -> None:
    entries = roster("2024-2025", range(0, 10)) + roster("2026-2027", range(4, 13))
    report = one_third_report("2026-2027", entries)
    assert (report["representatives"], report["newly_appointed"], report["required_new"]) == (
        9,
        3,
        3,
    )
    assert report["passes"] is True and report["previous_cycles"] == ["2024-2025"]


def test_one_third_new_fails_below_and_ignores_disqualified_people() -> None:
    entries = roster("2024-2025", range(0, 10)) + roster(
        "2026-2027", range(2, 12), disqualified=frozenset({10})
    )
    report = one_third_report("2026-2027", entries)
    # 9 serving (p10 is disqualified): p11 is the only new one; three are needed.
    assert (report["representatives"], report["newly_appointed"], report["passes"]) == (9, 1, False)
    assert report["new_person_ids"] == ["p11"]


def test_with_no_previous_cycle_everyone_is_new() -> None:
    report = one_third_report(
        "2026-2027", roster("2023-2024", range(5)) + roster("2026-2027", range(5))
    )
    assert report["newly_appointed"] == 5 and report["passes"] is True


def test_overlap_summary_separates_exemptions_from_violations() -> None:
    people = {
        "a": [
            Appointment(OFFICE, "2026", "general"),
            Appointment(DEPARTMENT, "2026", "school_special"),
        ],
        "b": [Appointment(OFFICE, "2026", "general"), Appointment(DEPARTMENT, "2026", "general")],
        "c": [Appointment(OFFICE, "2026", "general"), Appointment(DEPARTMENT, "2027", "general")],
    }
    summary = overlap_summary(OFFICE, "2026", people)
    assert summary == {"shared_with_special_exemption": ["a"], "violations": ["b"]}
