"""A corrected 生效日期 travels: the UnitEffectiveDateCorrected contract round-trips, every
service's registry copy moves the day the unit exists from, and the registry's own history
answers "as of a date" with the corrected day (in memory, fed as the consumers are)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

from services.registry.projections import REGISTRY_MODELS
from services.registry.projections.units import UnitHistoryView
from shared.contracts import IntegrationMessage, IntegrationPayload, latest_version, parse_payload
from shared.contracts.registry import UnitEffectiveDateCorrected, UnitRegistered, UnitRenamed
from shared.registry_view import RegistryView
from shared.views import MemoryViewStore

COUNTY = uuid4()
ACTOR = "office:源汇区纠风办"
# 2024-03-31 16:30 UTC is already 1 April in China: the day units below were entered.
ENTERED = datetime(2024, 3, 31, 16, 30, tzinfo=UTC)


def messages(payloads: list[IntegrationPayload]) -> list[IntegrationMessage]:
    return [
        IntegrationMessage(
            event_id=IntegrationMessage.event_id_for("registry", position),
            event_type=p.event_type,
            schema_version=p.schema_version,
            origin="registry",
            position=position,
            previous_position=position - 1 if position > 1 else None,
            occurred_at=ENTERED,
            payload=p.model_dump(mode="json"),
        )
        for position, p in enumerate(payloads, start=1)
    ]


def registered(name: str, effective_on: date | None = None) -> UnitRegistered:
    return UnitRegistered(
        unit_id=uuid4(),
        jurisdiction_id=COUNTY,
        name=name,
        short_name=None,
        kind="government_department",
        category="政府部门及其它机构",
        effective_on=effective_on,
        actor=ACTOR,
    )


def corrected(unit: UnitRegistered, day: str, previous: str) -> UnitEffectiveDateCorrected:
    return UnitEffectiveDateCorrected(
        unit_id=unit.unit_id,
        effective_on=date.fromisoformat(day),
        previous_effective_on=date.fromisoformat(previous),
        reason="核实成立日期",
        actor=ACTOR,
    )


def test_the_correction_round_trips_as_its_contract() -> None:
    unit = registered("源汇区老局")
    payload = corrected(unit, "2015-03-01", "2024-04-01")
    (message,) = messages([payload])
    assert message.event_type == "registry.unit.effective_date_corrected"
    assert message.subject("pingyi") == "pingyi.registry.unit.effective_date_corrected"
    decoded = parse_payload(IntegrationMessage.decode(message.encode()))
    assert decoded == payload and latest_version(message.event_type) == 1


def fed(payloads: list[IntegrationPayload]) -> tuple[MemoryViewStore, RegistryView]:
    """The registry's own read models, which extend the copy every service keeps."""
    views = MemoryViewStore()
    views.declare(REGISTRY_MODELS.collections)
    REGISTRY_MODELS.inbox(views, "registry").apply("registry", messages(payloads))
    return views, RegistryView(views)


def test_copies_and_history_move_the_day_the_unit_exists_from() -> None:
    renamed, still, later = (
        registered("源汇区计委"),
        registered("源汇区老局"),
        registered("源汇区新局", date(2010, 1, 1)),
    )
    rename = UnitRenamed(
        unit_id=renamed.unit_id,
        old_name="源汇区计委",
        new_name="源汇区发改委",
        effective_on=date(2024, 9, 1),
        reason="机构改革",
        actor=ACTOR,
    )
    views, view = fed(
        [
            renamed,
            still,
            later,
            rename,
            corrected(renamed, "2015-03-01", "2024-04-01"),
            corrected(still, "2012-05-01", "2024-04-01"),
            corrected(later, "2016-01-01", "2010-01-01"),
            # A second correction: the first one's day no longer counts either.
            corrected(later, "2019-01-01", "2016-01-01"),
        ]
    )

    def days(unit: UnitRegistered) -> tuple[Any, ...]:
        doc = view.unit(str(unit.unit_id))
        assert doc is not None
        return doc["effective_on"], doc["registered_on"], doc["last_change_on"]

    # A change since registration stays the last change; otherwise the registration is.
    assert days(renamed) == ("2015-03-01", "2015-03-01", "2024-09-01")
    assert days(still) == ("2012-05-01", "2012-05-01", "2012-05-01")
    assert days(later) == ("2019-01-01", "2019-01-01", "2019-01-01")

    history = UnitHistoryView(views)

    def as_of(unit: UnitRegistered, day: str) -> str | None:
        state = history.unit_as_of(str(unit.unit_id), date.fromisoformat(day))
        return None if state is None else f"{state['name']} {state['registered_on']}"

    assert as_of(renamed, "2015-02-28") is None
    assert as_of(renamed, "2015-03-01") == "源汇区计委 2015-03-01"
    assert as_of(renamed, "2024-08-31") == "源汇区计委 2015-03-01"
    assert as_of(renamed, "2024-09-01") == "源汇区发改委 2015-03-01"
    assert (as_of(still, "2012-04-30"), as_of(still, "2012-05-01")) == (
        None,
        "源汇区老局 2012-05-01",
    )
    assert [as_of(later, day) for day in ("2012-01-01", "2017-01-01", "2019-01-01")] == [
        None,
        None,
        "源汇区新局 2019-01-01",
    ]
    entries = history.history(str(renamed.unit_id))["entries"]  # type: ignore[index]
    assert [(e["change"], e["effective_on"]) for e in entries] == [
        ("registered", "2015-03-01"),
        ("renamed", "2024-09-01"),
        ("effective_date_corrected", "2015-03-01"),
    ]
    correction = entries[-1]
    assert (correction["actor"], correction["reason"], correction["details"]) == (
        ACTOR,
        "核实成立日期",
        {"previous_effective_on": "2024-04-01", "effective_on": "2015-03-01"},
    )
    assert correction["state"]["name"] == "源汇区发改委"
    assert entries[0]["state"]["last_change_on"] == "2015-03-01"
    views.close()


def test_a_copy_that_never_saw_the_unit_ignores_its_correction() -> None:
    unseen = registered("源汇区未见局")
    views, view = fed([corrected(unseen, "2015-03-01", "2024-04-01")])
    assert view.unit(str(unseen.unit_id)) is None
    assert UnitHistoryView(views).history(str(unseen.unit_id)) is None
    views.close()
