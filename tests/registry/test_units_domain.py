"""The Unit aggregate's lifecycle: each change a new dated event, illegal ones refused."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

import pytest
from eventsourcing.application import Application

from services.registry.domain import (
    Change,
    InvalidRegistration,
    LifecycleConflict,
    Unit,
    UnitSpec,
)
from tests.harness import IN_MEMORY
from tests.stored_events import created, following, store

CITY, COUNTY, OTHER_COUNTY = uuid4(), uuid4(), uuid4()
LINEAGE = {CITY: [CITY], COUNTY: [COUNTY, CITY], OTHER_COUNTY: [OTHER_COUNTY, CITY]}
ACTOR = "office:x"


def spec(
    name: str, jurisdiction: UUID = COUNTY, kind: str = "government_department", **more: str | None
) -> UnitSpec:
    return UnitSpec(
        jurisdiction_id=jurisdiction,
        name=name,
        kind=kind,
        category="政府部门及其它机构",
        **more,  # type: ignore[arg-type]
    )


def unit(name: str, jurisdiction: UUID = COUNTY, on: date = date(2023, 1, 1)) -> Unit:
    return Unit.register(spec(name, jurisdiction), ACTOR, on)


def change(on: date, reason: str = "机构改革") -> Change:
    return Change(on, reason, ACTOR)


def event_names(u: Unit) -> list[str]:
    return [type(e).__name__ for e in u.collect_events()]


def test_registration_keeps_details_and_its_date() -> None:
    u = Unit.register(
        spec(
            "国家税务总局漯河市源汇区税务局",
            vertical_superior=" 国家税务总局漯河市税务局 ",
            credit_code="91330100716105852f",
        ),
        ACTOR,
        date(2020, 5, 1),
    )
    assert u.vertical_superior == "国家税务总局漯河市税务局"
    assert u.credit_code == "91330100716105852F"
    assert (u.registered_on, u.status, u.is_active, u.aliases) == (
        date(2020, 5, 1),
        "active",
        True,
        [],
    )


def test_an_invalid_credit_code_is_refused_naming_the_field() -> None:
    with pytest.raises(InvalidRegistration) as raised:
        Unit.register(spec("某局", credit_code="91330100716105852E"), ACTOR, date(2024, 1, 1))
    assert raised.value.field == "credit_code"


def test_a_sub_unit_sits_in_its_parents_jurisdiction_or_below() -> None:
    parent = unit("漯河市税务局", CITY)
    station = Unit.register(
        spec("源汇区税务所", COUNTY, "grassroots_station", short_name="税务所"),
        ACTOR,
        date(2023, 2, 1),
        parent,
        LINEAGE[COUNTY],
    )
    assert station.parent_id == parent.id and parent.sub_unit_ids == [station.id]
    assert event_names(parent)[-1] == "SubUnitAttached"
    county_parent = unit("源汇区民政局", COUNTY)
    with pytest.raises(InvalidRegistration) as raised:
        Unit.register(
            spec("市级科室", CITY, "key_section"),
            ACTOR,
            date(2024, 1, 1),
            county_parent,
            LINEAGE[CITY],
        )
    assert raised.value.field == "jurisdiction_id"
    with pytest.raises(LifecycleConflict) as early:
        Unit.register(
            spec("早于上级", COUNTY, "key_section"),
            ACTOR,
            date(2022, 1, 1),
            parent,
            LINEAGE[COUNTY],
        )
    assert early.value.field == "effective_on"


def test_rename_keeps_the_old_names_as_aliases() -> None:
    u = Unit.register(spec("源汇区发展计划委员会", short_name="区计委"), ACTOR, date(2020, 1, 1))
    u.rename("源汇区发展和改革委员会", "区发改委", change(date(2022, 3, 1)))
    u.rename("源汇区发展和改革局", None, change(date(2024, 3, 1)))
    assert (u.name, u.short_name) == ("源汇区发展和改革局", "区发改委")
    assert u.aliases == ["源汇区发展计划委员会", "区计委", "源汇区发展和改革委员会"]
    assert u.last_change_on == date(2024, 3, 1)
    assert event_names(u) == ["Registered", "Renamed", "Renamed"]


def test_renaming_back_takes_the_name_out_of_the_aliases() -> None:
    u = unit("甲局")
    u.rename("乙局", None, change(date(2023, 6, 1)))
    u.rename("甲局", None, change(date(2023, 7, 1)))
    assert u.aliases == ["乙局"]


@pytest.mark.parametrize(
    ("act", "field"),
    [
        (lambda u: u.rename("源汇区民政局", None, change(date(2024, 1, 1))), "name"),
        (lambda u: u.rename("新名", None, change(date(2022, 12, 31))), "effective_on"),
        (
            lambda u: u.move(COUNTY, LINEAGE[COUNTY], None, change(date(2024, 1, 1))),
            "jurisdiction_id",
        ),
    ],
)
def test_pointless_or_backdated_changes_are_conflicts(act, field: str) -> None:  # type: ignore[no-untyped-def]
    u = unit("源汇区民政局")
    with pytest.raises(LifecycleConflict) as raised:
        act(u)
    assert raised.value.field == field and raised.value.status_code == 409


def test_a_blank_reason_is_refused() -> None:
    with pytest.raises(InvalidRegistration) as raised:
        Change(date(2024, 1, 1), "  ", ACTOR)
    assert raised.value.field == "reason"


def test_a_dissolved_unit_cannot_change_any_more() -> None:
    u = unit("源汇区粮食局")
    u.dissolve([], change(date(2024, 1, 1), "职能划入发改局"))
    assert (u.status, u.is_active) == ("dissolved", False)
    for act in (
        lambda: u.rename("新名", None, change(date(2024, 2, 1))),
        lambda: u.move(OTHER_COUNTY, LINEAGE[OTHER_COUNTY], None, change(date(2024, 2, 1))),
        lambda: u.dissolve([], change(date(2024, 2, 1))),
    ):
        with pytest.raises(LifecycleConflict) as raised:
            act()
        assert raised.value.field == "unit_id"
        assert "dissolved" in raised.value.reason


def test_a_unit_with_active_sub_units_cannot_be_dissolved() -> None:
    u = unit("源汇区民政局")
    sub = uuid4()
    with pytest.raises(LifecycleConflict) as raised:
        u.dissolve([sub], change(date(2024, 1, 1)))
    assert raised.value.field == "unit_id"
    assert raised.value.context["sub_unit_ids"] == [str(sub)]


def test_move_records_both_jurisdictions_and_keeps_sub_units_inside_the_parent() -> None:
    u = unit("漯河市某中心", CITY)
    u.move(COUNTY, LINEAGE[COUNTY], None, change(date(2024, 1, 1), "下放管理"))
    event = u.collect_events()[-1]
    assert isinstance(event, Unit.Moved)
    assert (event.from_jurisdiction_id, event.to_jurisdiction_id) == (CITY, COUNTY)
    parent = unit("源汇区卫健委", COUNTY)
    window = Unit.register(
        spec("窗口", COUNTY, "service_window"), ACTOR, date(2023, 1, 1), parent, LINEAGE[COUNTY]
    )
    with pytest.raises(LifecycleConflict) as raised:
        window.move(OTHER_COUNTY, LINEAGE[OTHER_COUNTY], parent, change(date(2024, 1, 1)))
    assert raised.value.field == "jurisdiction_id"


def test_merge_makes_a_new_unit_and_marks_the_sources() -> None:
    fgj, tjj = unit("源汇区发改局"), unit("源汇区统计局")
    merged = Unit.merge(
        [fgj, tjj], spec("源汇区发改局(区统计局)"), change(date(2024, 7, 1), "两局合署办公")
    )
    assert merged.predecessor_ids == [fgj.id, tjj.id]
    assert merged.registered_on == date(2024, 7, 1)
    assert event_names(merged) == ["Registered", "FormedByMerger"]
    for source in (fgj, tjj):
        assert (source.status, source.merged_into) == ("merged", merged.id)
        assert event_names(source)[-1] == "MergedInto"


def test_a_unit_cannot_be_merged_with_itself_or_after_it_is_gone() -> None:
    fgj, tjj = unit("源汇区发改局"), unit("源汇区统计局")
    with pytest.raises(LifecycleConflict) as itself:
        Unit.merge([fgj, fgj], spec("x"), change(date(2024, 1, 1)))
    assert itself.value.field == "source_unit_ids.1"
    tjj.dissolve([], change(date(2024, 1, 1)))
    with pytest.raises(LifecycleConflict) as gone:
        Unit.merge([fgj, tjj], spec("x"), change(date(2024, 2, 1)))
    assert gone.value.field == "source_unit_ids.1"


def test_only_siblings_merge_as_sub_units() -> None:
    parent = unit("源汇区政务服务中心")
    window = Unit.register(
        spec("窗口一", kind="service_window"), ACTOR, date(2023, 1, 1), parent, LINEAGE[COUNTY]
    )
    other = unit("源汇区民政局")
    with pytest.raises(LifecycleConflict) as raised:
        Unit.merge([window, other], spec("x"), change(date(2024, 1, 1)))
    assert raised.value.field == "source_unit_ids"


def test_split_makes_new_units_and_marks_the_source() -> None:
    source = unit("源汇区工商质监局")
    parts = source.split(
        [spec("源汇区市场监督管理局"), spec("源汇区质量技术监督局")],
        [LINEAGE[COUNTY], LINEAGE[COUNTY]],
        change(date(2024, 3, 1), "机构改革"),
    )
    assert (source.status, source.split_into) == ("split", [p.id for p in parts])
    assert all(p.predecessor_ids == [source.id] and p.is_active for p in parts)
    assert event_names(source)[-1] == "SplitUp"
    assert event_names(parts[0]) == ["Registered", "FormedBySplit"]


def test_split_parts_called_alike_are_left_to_the_name_rule() -> None:
    """The parts' names are compared by the application's claims, per jurisdiction and as
    registration compares them, which answer a 409 `same_as` as a batch does
    (test_unit_names); the domain's own exact comparison answered a 422 instead."""
    source = unit("源汇区工商质监局")
    parts = source.split([spec("甲"), spec("甲")], [LINEAGE[COUNTY]] * 2, change(date(2024, 3, 1)))
    assert [part.name for part in parts] == ["甲", "甲"]


@pytest.mark.parametrize(
    "spelling",
    ["源汇区民政局 ", "源汇区 民政局", "　源汇区民政局", "源汇区第１中学", "源汇区第 1 中学"],
)
def test_a_rename_only_in_spaces_or_width_is_no_rename(spelling: str) -> None:
    """Names compare as registration compares them: no dated change, no alias, a 409."""
    u = unit("源汇区第1中学" if "中学" in spelling else "源汇区民政局")
    with pytest.raises(LifecycleConflict) as raised:
        u.rename(spelling, None, change(date(2024, 1, 1)))
    assert (raised.value.field, raised.value.status_code) == ("name", 409)
    assert "名称未变" in raised.value.reason
    assert event_names(u) == ["Registered"]


def test_a_rename_of_the_short_name_keeps_the_name_as_written() -> None:
    u = Unit.register(spec("源汇区第1中学", short_name="一中"), ACTOR, date(2020, 1, 1))
    with pytest.raises(LifecycleConflict):
        u.rename("源汇区第１中学", " 一 中", change(date(2024, 1, 1)))
    u.rename("源汇区第 1中学", "源汇一中", change(date(2024, 1, 1)))
    assert (u.name, u.short_name, u.aliases) == ("源汇区第1中学", "源汇一中", ["一中"])


def test_a_stored_rename_only_in_spacing_still_loads() -> None:
    """Stored before names compared as keys: it loads as it was recorded."""
    app = Application[UUID](IN_MEMORY)
    registered = created(
        Unit,
        Unit.Registered,
        jurisdiction_id=COUNTY,
        name="源汇区民政局",
        short_name=None,
        kind="government_department",
        category="政府部门及其它机构",
        actor=ACTOR,
        parent_id=None,
        vertical_superior=None,
        credit_code=None,
        effective_on="2020-01-01",
        effective_on_stated=True,
    )
    renamed = following(
        registered,
        Unit.Renamed,
        old_name="源汇区民政局",
        new_name="源汇区 民政局",
        old_short_name=None,
        new_short_name=None,
        effective_on="2024-01-01",
        reason="x",
        actor=ACTOR,
    )
    store(app, registered, renamed)
    loaded = app.repository.get(registered.originator_id)
    assert (loaded.name, loaded.aliases) == ("源汇区 民政局", ["源汇区民政局"])
