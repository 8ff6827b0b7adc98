"""The fast reader of `inspection.finding.recorded` v2 (`fold.findings`) reads a finding
only where the model (as `parse_payload` reads it) accepts the payload, and to the facts the
model's reading gives: findings as inspection publishes them are read plainly; a payload
broken in generated ways (a field changed, dropped, spelled otherwise, an unknown one added)
is never read plainly where the model refuses it, nor to other facts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, get_args
from uuid import UUID, uuid4

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from services.scoring.engine.fold import RoundFold
from services.scoring.engine.fold.findings import plain_finding
from services.scoring.engine.fold.inspection import InspectionFold
from shared.contracts import IntegrationMessage, parse_payload
from shared.contracts.inspection import (
    EvaluationContent,
    FindingRecorded,
    InspectionMethod,
    Severity,
)

from .test_fold_columns import mutated

findings = st.builds(
    FindingRecorded,
    finding_id=st.uuids(),
    unit_id=st.uuids(),
    method=st.sampled_from(get_args(InspectionMethod)),
    summary=st.text(max_size=8),
    # Years where every offset keeps the China day a date (year 1 at +02:34 does not, and
    # both readings raise alike there).
    found_at=st.datetimes(datetime(1900, 1, 1), datetime(2200, 1, 1), timezones=st.timezones()),
    actor=st.text(max_size=6),
    jurisdiction_id=st.none() | st.uuids(),
    visit_id=st.none() | st.uuids(),
    item=st.none() | st.sampled_from(get_args(EvaluationContent)),
    severity=st.none() | st.sampled_from(get_args(Severity)),
    deduction=st.none() | st.decimals(min_value=0, max_value=100, places=2),
    evidence=st.lists(st.text(max_size=4), max_size=2).map(tuple),
)
ODD_VALUES = st.sampled_from(
    ["1e2", "-1", "1.5", "01.50", " 1", "NaN", 2, 2.5, True, "2024-09-10T10:00:00", "严重", "明察"]
)


BASE = FindingRecorded(
    finding_id=UUID(int=1),
    unit_id=UUID(int=2),
    method="暗访",
    summary="窗口工作人员脱岗",
    found_at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
    actor="inspector:暗访组",
    severity="一般",
).model_dump(mode="json")


def message(payload: dict[str, Any]) -> IntegrationMessage:
    return IntegrationMessage(
        event_id=uuid4(),
        event_type=FindingRecorded.event_type,
        schema_version=2,
        occurred_at=datetime.now(UTC),
        origin="inspection",
        position=1,
        previous_position=None,
        payload=payload,
    )


def by_model(payload: dict[str, Any]) -> tuple[str, str, Any] | None:
    """What the fold keeps of the finding when the model reads it; None: refused."""
    try:
        model = parse_payload(message(payload))
    except ValidationError:
        return None
    fold = InspectionFold()
    fold.apply(model)
    ((finding_id, record),) = fold.findings.items()
    return finding_id, record.unit_id, record.fact


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=findings)
def test_what_inspection_publishes_is_read_plainly_to_the_models_facts(
    model: FindingRecorded,
) -> None:
    payload = model.model_dump(mode="json")
    found = plain_finding(payload)
    assert found is not None
    assert found == by_model(payload)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model=findings, data=st.data())
def test_a_finding_the_model_refuses_is_never_read_plainly(
    model: FindingRecorded, data: st.DataObject
) -> None:
    payload = model.model_dump(mode="json")
    for _ in range(data.draw(st.integers(1, 3))):
        if data.draw(st.booleans()):
            name = data.draw(st.sampled_from(sorted(payload)))
            payload = payload | {name: data.draw(ODD_VALUES)}
        else:
            payload = mutated(data.draw, payload)
    plainly = plain_finding(payload)
    if plainly is not None:
        assert plainly == by_model(payload)


def test_deductions_are_stated_as_the_model_states_them() -> None:
    base = BASE
    for given_, stated in [(2, "2"), ("1.50", "1.50"), ("0", "0"), (None, None)]:
        found = plain_finding(base | {"deduction": given_})
        assert found is not None and found[2]["deduction"] == stated
        assert by_model(base | {"deduction": given_}) == found
    for odd in ("1e2", 2.5, "-1", True):
        assert plain_finding(base | {"deduction": odd}) is None
    assert Decimal("1.50") == Decimal(by_model(base | {"deduction": "1.50"})[2]["deduction"])


def test_a_round_folds_findings_alike_either_way() -> None:
    """The same messages through `RoundFold.apply` with the plain reader, and the facts the
    model would give: a finding published twice keeps its first recording."""
    first = BASE
    again = first | {"severity": "严重" if first["severity"] != "严重" else "一般"}
    fold = RoundFold(str(uuid4()), 1)
    for payload in (first, again):
        fold.apply(message(payload))
    model = InspectionFold()
    for payload in (first, again):
        model.apply(parse_payload(message(payload)))
    assert {k: (r.unit_id, r.fact) for k, r in fold._inspection.findings.items()} == {
        k: (r.unit_id, r.fact) for k, r in model.findings.items()
    }
