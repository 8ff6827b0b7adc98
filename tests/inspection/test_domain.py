"""Finding aggregate: validation, corrections as new events, withdrawal, and the round trip
through a real (in-memory) event store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from services.inspection.application import InspectionApplication
from services.inspection.domain import Finding, InvalidFinding
from services.inspection.domain import FindingWithdrawn as AlreadyWithdrawn
from services.inspection.errors import InspectionError
from services.inspection.integration import to_payload
from shared.contracts.inspection import FindingCorrected, FindingRecorded, FindingWithdrawn

BEIJING = timezone(timedelta(hours=8))
NOW = datetime(2026, 5, 12, 12, 0, tzinfo=UTC)
FOUND = datetime(2026, 5, 12, 10, 30, tzinfo=BEIJING)


def record(**overrides: Any) -> Finding:
    spec: dict[str, Any] = {
        "unit_id": uuid4(),
        "jurisdiction_id": uuid4(),
        "method": "暗访",
        "summary": "  窗口工作人员上班时间玩手机，群众等候二十分钟无人办理  ",
        "found_at": FOUND,
        "actor": "inspector:abc",
        "now": NOW,
    }
    return Finding.record(**(spec | overrides))


def test_recorded_event_holds_the_normalised_finding() -> None:
    finding = record()
    [recorded] = finding.collect_events()
    assert isinstance(recorded, Finding.Recorded)
    assert recorded.summary == "窗口工作人员上班时间玩手机，群众等候二十分钟无人办理"
    assert (recorded.method, recorded.found_at, recorded.actor) == ("暗访", FOUND, "inspector:abc")
    assert finding.withdrawn is False


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"method": "路过"}, "method"),
        ({"item": "卫生"}, "item"),
        ({"severity": "很严重"}, "severity"),
        ({"deduction": Decimal("-0.5")}, "deduction"),
        ({"deduction": Decimal("20.01")}, "deduction"),
        ({"deduction": Decimal("1.005")}, "deduction"),
        ({"deduction": Decimal("NaN")}, "deduction"),
        ({"evidence": ["xyz"]}, "evidence"),
        ({"evidence": ["ab" * 32, "AB" * 32]}, "evidence"),
        ({"summary": "   "}, "summary"),
        ({"summary": "问" * 2001}, "summary"),
        ({"found_at": datetime(2026, 5, 12, 10, 30)}, "found_at"),
        ({"found_at": NOW + timedelta(hours=1)}, "found_at"),
    ],
)
def test_invalid_findings_name_the_field(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidFinding) as raised:
        record(**overrides)
    assert raised.value.field == field
    assert raised.value.status_code == 422
    assert isinstance(raised.value, InspectionError)


def test_limits_are_inclusive() -> None:
    assert len(record(summary="问" * 2000).summary) == 2000
    assert record(found_at=NOW + timedelta(minutes=5)).found_at == NOW + timedelta(minutes=5)


def test_a_correction_is_a_new_event_with_actor_and_reason() -> None:
    finding = record()
    finding.correct(
        "窗口工作人员上班时间玩手机，群众等候十分钟无人办理", "等候时间记错", "office:x"
    )
    recorded, corrected = finding.collect_events()
    assert recorded.summary.endswith("二十分钟无人办理")
    assert isinstance(corrected, Finding.Corrected)
    assert (corrected.reason, corrected.actor) == ("等候时间记错", "office:x")
    assert finding.summary.endswith("十分钟无人办理") and finding.version == 2


@pytest.mark.parametrize(
    ("summary", "reason", "field"),
    [
        ("窗口工作人员上班时间玩手机，群众等候二十分钟无人办理", "重复", "summary"),
        ("新的描述", "  ", "reason"),
        ("", "理由", "summary"),
    ],
)
def test_invalid_corrections_are_refused(summary: str, reason: str, field: str) -> None:
    finding = record()
    with pytest.raises(InvalidFinding) as raised:
        finding.correct(summary, reason, "office:x")
    assert raised.value.field == field
    assert len(finding.collect_events()) == 1


def test_a_withdrawn_finding_is_neither_corrected_nor_withdrawn_again() -> None:
    finding = record()
    finding.withdraw("经核实不属于该单位", "office:x")
    assert finding.withdrawn and finding.withdrawn_reason == "经核实不属于该单位"
    with pytest.raises(AlreadyWithdrawn):
        finding.correct("新的描述", "理由", "office:x")
    with pytest.raises(AlreadyWithdrawn):
        finding.withdraw("again", "office:x")
    assert [type(e).__name__ for e in finding.collect_events()] == ["Recorded", "Withdrawn"]


def test_every_finding_event_is_published_with_actor_reason_and_version() -> None:
    finding = record()
    finding.correct("新的描述", "理由", "office:x")
    finding.withdraw("经核实不属实", "office:y")
    recorded, corrected, withdrawn = (to_payload(e) for e in finding.collect_events())
    assert isinstance(recorded, FindingRecorded)
    assert (recorded.finding_id, recorded.unit_id) == (finding.id, finding.unit_id)
    assert recorded.jurisdiction_id == finding.jurisdiction_id
    assert (recorded.method, recorded.found_at, recorded.actor) == ("暗访", FOUND, "inspector:abc")
    assert corrected == FindingCorrected(
        finding_id=finding.id, summary="新的描述", reason="理由", actor="office:x", version=2
    )
    assert withdrawn == FindingWithdrawn(
        finding_id=finding.id, reason="经核实不属实", actor="office:y", version=3
    )


def test_round_trip_through_the_event_store_keeps_history_and_timezone() -> None:
    app = InspectionApplication({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    finding = record()
    finding.correct("新的描述", "等候时间记错", "office:x")
    app.save(finding)
    again = app.finding(finding.id)
    assert again.found_at == FOUND and again.found_at.utcoffset() == timedelta(hours=8)
    history = app.describe(again)["history"]
    assert [(h["event"], h["summary"], h["reason"], h["actor"]) for h in history] == [
        ("recorded", "窗口工作人员上班时间玩手机，群众等候二十分钟无人办理", None, "inspector:abc"),
        ("corrected", "新的描述", "等候时间记错", "office:x"),
    ]
