"""The round's window places dated facts, on China days: a finding at 23:59:59 Beijing time
on the window's last day is in it, one a second later is not, whatever the UTC date says.
Facts named for a campaign round are placed by that name, not by their day."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from services.scoring.engine.fold import RoundFold
from services.scoring.engine.inputs import RoundInputs
from shared.contracts import IntegrationPayload
from shared.contracts.inspection_rectification import RectificationOrdered, RectificationReported
from shared.contracts.inspection_tasks import TaskAssigned

from .test_fold_builders import (
    CAMPAIGN,
    OTHER_CAMPAIGN,
    ROUND,
    Feed,
    finding,
    hotline,
    order_fact,
    received,
    sid,
    task_fact,
)
from .test_fold_world import (
    build_registry,
)

POLICE = "市公安局"
BEIJING = timezone(timedelta(hours=8))

FINDINGS = {
    # name: (found_at, inside round 2 = 2024-07-01 .. 2024-12-31 in China)
    "before start": (datetime(2024, 6, 30, 15, 59, 59, tzinfo=UTC), False),  # 6-30 23:59:59
    "at start": (datetime(2024, 6, 30, 16, 0, tzinfo=UTC), True),  # 7-01 00:00 in China
    "at start, Beijing clock": (datetime(2024, 7, 1, 0, 0, tzinfo=BEIJING), True),
    "at end": (datetime(2024, 12, 31, 15, 59, 59, tzinfo=UTC), True),  # 12-31 23:59:59
    "after end": (datetime(2024, 12, 31, 16, 0, tzinfo=UTC), False),  # 2025-01-01 00:00
    "after end, western clock": (
        datetime(2024, 12, 31, 12, 0, tzinfo=timezone(timedelta(hours=-6))),  # 2025-01-01 02:00
        False,
    ),
}

DAYS = {
    # a day's place relative to round 2's window
    "day before": (date(2024, 6, 30), False),
    "first day": (date(2024, 7, 1), True),
    "last day": (date(2024, 12, 31), True),
    "day after": (date(2025, 1, 1), False),
}


def folded(payloads: list[IntegrationPayload]) -> RoundInputs:
    fold = RoundFold(str(CAMPAIGN), ROUND)
    registry = Feed("registry")
    build_registry(registry)
    inspection = Feed("inspection")
    for payload in payloads:
        inspection(payload)
    for message in registry.messages + inspection.messages:
        fold.apply(message)
    return fold.inputs()


def ids(facts: Sequence[Mapping[str, object]], key: str) -> set[object]:
    return {fact[key] for fact in facts}


def test_findings_are_placed_by_their_china_day() -> None:
    doc = folded([finding(name, POLICE, at) for name, (at, _) in FINDINGS.items()])
    inside = {sid(name) for name, (_, expected) in FINDINGS.items() if expected}
    assert ids(doc["findings"][sid(POLICE)], "finding_id") == inside
    days = sorted(f["found_on"] for f in doc["findings"][sid(POLICE)])
    assert days == ["2024-07-01", "2024-07-01", "2024-12-31"]


def test_complaints_by_received_day_unless_named_for_a_round() -> None:
    payloads: list[IntegrationPayload] = [
        received(name, day, POLICE) for name, (day, _) in DAYS.items()
    ]
    payloads += [
        received(
            "named, outside the window", date(2025, 2, 1), POLICE, campaign_id=CAMPAIGN, round=ROUND
        ),
        received(
            "named round 1, inside the window",
            date(2024, 8, 1),
            POLICE,
            campaign_id=CAMPAIGN,
            round=1,
        ),
        received(
            "other campaign, inside",
            date(2024, 8, 1),
            POLICE,
            campaign_id=OTHER_CAMPAIGN,
            round=ROUND,
        ),
        received("campaign without round, inside", date(2024, 8, 1), POLICE, campaign_id=CAMPAIGN),
    ]
    doc = folded(payloads)
    expected = {sid(name) for name, (_, inside) in DAYS.items() if inside}
    expected |= {sid("named, outside the window"), sid("campaign without round, inside")}
    assert ids(doc["complaints"][sid(POLICE)], "complaint_id") == expected


def test_hotline_appearances_by_day_unless_named() -> None:
    payloads: list[IntegrationPayload] = [
        hotline(name, POLICE, day) for name, (day, _) in DAYS.items()
    ]
    payloads.append(hotline("named", POLICE, date(2025, 3, 1), campaign_id=CAMPAIGN, round=ROUND))
    payloads.append(
        hotline("named round 1", POLICE, date(2024, 8, 1), campaign_id=CAMPAIGN, round=1)
    )
    doc = folded(payloads)
    assert doc["hotline"][sid(POLICE)] == 3


@pytest.mark.parametrize(("name", "day", "inside"), [(n, d, i) for n, (d, i) in DAYS.items()])
def test_rectification_by_issue_day_and_tasks_by_due_day(
    name: str, day: date, inside: bool
) -> None:
    doc = folded(
        [
            order_fact(
                RectificationOrdered,
                POLICE,
                "issued",
                1,
                issued_on=day,
                working_days=10,
                requirements="限期整改",
            ),
            task_fact(
                TaskAssigned,
                "task",
                POLICE,
                1,
                title="提速",
                kind="task",
                due_on=day,
                milestones=(),
                methods=(),
            ),
        ]
    )
    assert len(doc["rectification"][sid(POLICE)]) == int(inside)
    assert len(doc["tasks"][sid(POLICE)]) == int(inside)


def test_an_order_named_for_the_round_later_is_placed_by_the_name() -> None:
    """Issued before the window, then (a later message, the order as it stands) named for
    this round."""
    doc = folded(
        [
            order_fact(
                RectificationOrdered,
                POLICE,
                "issued",
                1,
                issued_on=date(2024, 5, 1),
                working_days=10,
                requirements="限期整改",
            ),
        ]
    )
    assert doc["rectification"][sid(POLICE)] == []
    doc = folded(
        [
            order_fact(
                RectificationOrdered,
                POLICE,
                "issued",
                1,
                issued_on=date(2024, 5, 1),
                working_days=10,
                requirements="限期整改",
            ),
            order_fact(
                RectificationReported,
                POLICE,
                "reported",
                2,
                text="已整改",
                reported_on=date(2024, 7, 2),
                campaign_id=CAMPAIGN,
                round=ROUND,
            ),
        ]
    )
    assert [o["status"] for o in doc["rectification"][sid(POLICE)]] == ["reported"]


def test_a_round_past_the_cycle_has_no_window_and_nothing_placed_by_day() -> None:
    fold = RoundFold(str(CAMPAIGN), 3)
    registry = Feed("registry")
    build_registry(registry)
    inspection = Feed("inspection")
    inspection(finding("f", POLICE, datetime(2024, 9, 1, tzinfo=UTC)))
    inspection(received("c", date(2024, 9, 1), POLICE))
    inspection(received("named", date(2024, 9, 1), POLICE, campaign_id=CAMPAIGN, round=3))
    for message in registry.messages + inspection.messages:
        fold.apply(message)
    doc = fold.inputs()
    assert doc["campaign"]["window"] == {"starts_on": "", "ends_on": ""}
    assert doc["waves"] == []
    assert doc["findings"][sid(POLICE)] == []
    assert ids(doc["complaints"][sid(POLICE)], "complaint_id") == {sid("named")}
